package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"onepool/internal/demo"
	"onepool/internal/ident"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// startImportJob posts file through the registry's import form (now a
// job) and returns the job page it is sent to.
func startImportJob(t *testing.T, b *browser, file []byte) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(b.do("GET", "/registry", nil, "").Body.String())
	if m == nil {
		t.Fatal("no CSRF token on /registry")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", m[1])
	mw.WriteField("kind", "households")
	fw, _ := mw.CreateFormFile("file", "households.csv")
	fw.Write(file)
	mw.Close()
	w := b.do("POST", "/registry/import/job", body.Bytes(), mw.FormDataContentType())
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
		t.Fatalf("start the import: %d %q %s", w.Code, loc, w.Body.String()[:min(w.Body.Len(), 400)])
	}
	return loc
}

type jobAnswer struct {
	State  string `json:"state"`
	Done   int64  `json:"done"`
	Total  int64  `json:"total"`
	Back   string `json:"back"`
	Reason string `json:"reason"`
	Result *struct {
		Imported  int `json:"imported"`
		RowErrors []struct {
			Row int `json:"row"`
		} `json:"row_errors"`
	} `json:"result"`
}

// waitJob polls the job's API, as static/jobs.js does, until it ends.
func waitJob(t *testing.T, b *browser, page string) jobAnswer {
	t.Helper()
	api := "/api/v1/jobs/990101/" + strings.TrimPrefix(page, "/jobs/")
	for deadline := time.Now().Add(2 * time.Minute); ; {
		w := b.do("GET", api, nil, "")
		var j jobAnswer
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &j) != nil {
			t.Fatalf("job API: %d %s", w.Code, w.Body)
		}
		if j.State == "done" || j.State == "failed" {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job did not end: %+v", j)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func householdRows(n int) []byte {
	var csv bytes.Buffer
	csv.WriteString("household,village,head,name,resident_id,relation\n")
	for i := range n {
		day := time.Date(1961, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/900)
		body := fmt.Sprintf("110105%s%03d", day.Format("20060102"), 100+i%900)
		fmt.Fprintf(&csv, "990101001001-J%07d,990101001001,任务户%d,任务户%d,%s,户主\n", i, i, i, body+string(ident.ResidentIDCheckChar(body)))
	}
	return csv.Bytes()
}

// TestImportRunsAsJob: the registry's import form starts a job and sends
// the user to its page, which shows a progress bar and a refresh link
// while it runs; the user may leave and come back: the job page then
// shows the result with the way back, the API answers done == total; a
// bad file ends failed with its row errors on the job page and nothing
// written. The township above sees the job; the other township and a
// colleague of the same village get exactly the not-found of a missing
// job.
func TestImportRunsAsJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		b := newBrowser(t, h)
		b.login("demo.village", demo.Password("demo.village"))
		page := startImportJob(t, b, householdRows(600))
		first := b.do("GET", page, nil, "").Body.String()
		if !strings.Contains(first, `id="job"`) || !strings.Contains(first, "jobs.js") {
			t.Fatalf("job page: %s", first)
		}
		if strings.Contains(first, `data-state="running"`) && (!strings.Contains(first, "<progress") || !strings.Contains(first, `id="job-refresh"`)) {
			t.Errorf("a running job's page has no progress bar or refresh link")
		}
		b.do("GET", "/desk", nil, "") // leave the page
		j := waitJob(t, b, page)
		if j.State != "done" || j.Done != j.Total || j.Total != 600 || j.Result == nil || j.Result.Imported != 600 || j.Back != "/registry" {
			t.Fatalf("job: %+v", j)
		}
		done := b.do("GET", page, nil, "").Body.String()
		if !strings.Contains(done, `id="job-result"`) || !strings.Contains(done, "600") || !strings.Contains(done, `href="/registry" id="job-back"`) || strings.Contains(done, "<progress") {
			t.Errorf("the job page after the job: %s", done)
		}
		if reg := b.do("GET", "/registry?q=任务户599", nil, "").Body.String(); !strings.Contains(reg, "990101001001-J0000599") {
			t.Errorf("the imported household is not listed")
		}

		// A bad file: every bad row on the job page, nothing written.
		bad := append(householdRows(3), []byte("990101001001-J9999999,990101001001,坏户,坏户,123,户主\n")...)
		badPage := startImportJob(t, b, bad)
		j = waitJob(t, b, badPage)
		if j.State != "failed" || j.Result == nil || len(j.Result.RowErrors) != 1 || j.Result.RowErrors[0].Row != 5 {
			t.Fatalf("bad job: %+v", j)
		}
		badBody := b.do("GET", badPage, nil, "").Body.String()
		if !strings.Contains(badBody, `id="job-row-errors"`) || !strings.Contains(badBody, "身份证") {
			t.Errorf("the failed job's page has no row errors in Chinese: %s", badBody)
		}

		sup := newBrowser(t, h)
		sup.login("demo.township", demo.Password("demo.township"))
		if w := sup.do("GET", page, nil, ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="job-result"`) {
			t.Errorf("the township above: %d", w.Code)
		}
		missingPage := "/jobs/999"
		for _, u := range []string{"demo.township2", "demo.village2"} {
			o := newBrowser(t, h)
			o.login(u, demo.Password(u))
			w, miss := o.do("GET", page, nil, ""), o.do("GET", missingPage, nil, "")
			if w.Code != http.StatusNotFound || strings.ReplaceAll(w.Body.String(), page, missingPage) != miss.Body.String() {
				t.Errorf("%s sees the job: %d", u, w.Code)
			}
			api, missAPI := o.do("GET", "/api/v1/jobs/990101/"+strings.TrimPrefix(page, "/jobs/"), nil, ""), o.do("GET", "/api/v1/jobs/990101/999", nil, "")
			if api.Code != http.StatusNotFound || api.Body.String() != missAPI.Body.String() {
				t.Errorf("%s through the API: %d %s / %s", u, api.Code, api.Body, missAPI.Body)
			}
		}
	})
}
