package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// screeningAnswer is the job API's answer for a screening job.
type screeningAnswer struct {
	State     string `json:"state"`
	Step      string `json:"step"`
	Done      int64  `json:"done"`
	Total     int64  `json:"total"`
	Back      string `json:"back"`
	Screening *struct {
		Year       int    `json:"year"`
		Households int    `json:"households"`
		Eligible   int    `json:"eligible"`
		Total      string `json:"total"`
		Refused    []struct {
			Condition  string `json:"condition"`
			Households int    `json:"households"`
		} `json:"refused"`
	} `json:"screening"`
}

// screenCounty starts the county-wide screening from the relief page as
// b's user, leaves for the desk, waits for the job and returns its
// answer and the page the job sends back to.
func screenCounty(t *testing.T, b *browser) (screeningAnswer, string) {
	t.Helper()
	w := b.form("/relief", "/relief/screen", url.Values{})
	page := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(page, "/jobs/") {
		t.Fatalf("start the screening: %d %q %s", w.Code, page, w.Body.String()[:min(w.Body.Len(), 300)])
	}
	if p := b.do("GET", page, nil, "").Body.String(); !strings.Contains(p, "防返贫全县筛查") || !strings.Contains(p, "全县筛查已在后台开始") {
		t.Errorf("the screening job's page: %.600s", p)
	}
	b.do("GET", "/desk", nil, "") // leave the page
	waitJob(t, b, page)
	api := b.do("GET", "/api/v1/jobs/990101/"+strings.TrimPrefix(page, "/jobs/"), nil, "")
	var j screeningAnswer
	if err := json.Unmarshal(api.Body.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	done := b.do("GET", page, nil, "").Body.String()
	if j.State == "done" && (!strings.Contains(done, `id="job-result"`) || !strings.Contains(done, "符合条件") && !strings.Contains(done, "户")) {
		t.Errorf("the ended job's page shows no result: %.600s", done)
	}
	if j.Back == "" || !strings.Contains(done, `href="`+strings.ReplaceAll(j.Back, "&", "&amp;")+`" id="job-back"`) {
		t.Errorf("the job page does not lead back to %q", j.Back)
	}
	return j, b.do("GET", j.Back, nil, "").Body.String()
}

// TestScreeningRunsAsJob: the county-wide screening is a job — started
// from the relief page, it counts households screened of households,
// goes on while the user is elsewhere, and ends with its result on the
// relief page it began from; the JSON API starts it (and the registry
// import) as a job too and answers the job to follow; a township officer
// may not start it.
func TestScreeningRunsAsJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, _, _, h := demoKeyed(t, db)
		token := func(user string, role auth.Role, pl string) string {
			tok, err := a.IssueToken(context.Background(), auth.Principal{Username: user, Role: role, Place: place.Code(pl), County: "990101"}, "jobs")
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		post := func(path, tok, ctype, body string) (int, string) {
			t.Helper()
			r := httptest.NewRequest("POST", path, strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+tok)
			r.Header.Set("Content-Type", ctype)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w.Code, w.Body.String()
		}
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		j, relief := screenCounty(t, fin)
		if j.State != "done" || j.Step != "screen" || j.Total != 5 || j.Done != 5 || j.Screening == nil || j.Screening.Households != 5 || j.Screening.Eligible != 3 {
			t.Fatalf("the screening job: %+v %+v", j, j.Screening)
		}
		if !strings.HasPrefix(j.Back, "/relief?screening=") {
			t.Errorf("the job began on %q", j.Back)
		}
		if !regexp.MustCompile(`id="screening">[^<]*5 ·[^<]*3 ·`).MatchString(relief) || !strings.Contains(relief, `id="screening-of"`) {
			t.Errorf("the relief page after the job: %s", regexp.MustCompile(`(?s)<p id="screening">.*?</p>`).FindString(relief))
		}
		var refused int
		for _, r := range j.Screening.Refused {
			refused += r.Households
		}
		if refused != 2 {
			t.Errorf("refused: %+v", j.Screening.Refused)
		}

		// The API: 202 with the job to follow, whose answer is the same.
		code, body := post("/api/v1/jobs/990101/relief-screening", token("demo.finance", auth.RoleFinance, "990101000000"), "application/json", `{"year":`+demoYear()+`}`)
		var started struct {
			Job struct {
				ID   int64  `json:"id"`
				Kind string `json:"kind"`
				API  string `json:"api"`
				Page string `json:"page"`
			} `json:"job"`
		}
		if code != http.StatusAccepted || json.Unmarshal([]byte(body), &started) != nil || started.Job.ID == 0 || started.Job.Kind != "relief.screening" {
			t.Fatalf("API start: %d %s", code, body)
		}
		if a := waitJob(t, fin, started.Job.Page); a.State != "done" {
			t.Errorf("the API's screening job: %+v", a)
		}

		vil := newBrowser(t, h)
		vil.login("demo.village", demo.Password("demo.village"))
		code, body = post("/api/v1/jobs/990101/registry-import?kind=households", token("demo.village", auth.RoleVillage, "990101001001"), "text/csv", string(householdRows(30)))
		if code != http.StatusAccepted || json.Unmarshal([]byte(body), &started) != nil || started.Job.Kind != "registry.households" {
			t.Fatalf("API registry import job: %d %s", code, body)
		}
		if a := waitJob(t, vil, started.Job.Page); a.State != "done" || a.Result == nil || a.Result.Imported != 30 {
			t.Errorf("the API's import job: %+v", a)
		}

		twp := newBrowser(t, h)
		twp.login("demo.township", demo.Password("demo.township"))
		if w := twp.do("POST", "/relief/screen", nil, ""); w.Code != http.StatusForbidden {
			t.Errorf("a township officer starts the screening: %d", w.Code)
		}
	})
}
