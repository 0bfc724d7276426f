package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// TestProjectsAPI walks a project through the API under the Nan profile
// and checks the refusals a user meets, with their status and code: an
// allocation before approval, a step taken by the wrong role or another
// township, a too-short notice, an executable named .pdf; the public files
// an objection without a token.
func TestProjectsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
		l := ledger.New(db, nil)
		runDemo(t, l, "")
		if _, err := policy.NewCounties(db, nil).Choose(ctx, "t", demo.County, "nan", ""); err != nil {
			t.Fatal(err)
		}
		h := app.Server(web.Deps{DB: db, Ledger: l, Auth: a})
		tokens := map[string]string{}
		for _, u := range []string{"demo.village", "demo.township", "demo.township2", "demo.rural", "demo.rural2", "demo.finance", "demo.sector"} {
			usr, err := a.User(ctx, auth.System(demo.County), u)
			if err != nil {
				t.Fatal(err)
			}
			if tokens[u], err = a.IssueToken(ctx, usr.Principal(), "t"); err != nil {
				t.Fatal(err)
			}
		}
		c := apiClient{t: t, h: h}
		call := func(user, method, path, body string, status int, want ...string) string {
			t.Helper()
			tok := noToken
			if user != "" {
				tok = "Bearer " + tokens[user]
			}
			ctype := ""
			if strings.HasSuffix(path, ".pdf") {
				ctype = "application/octet-stream"
			}
			w := c.do(method, path, body, tok, ctype)
			if w.Code != status {
				t.Fatalf("%s %s %s: %d, want %d: %s", user, method, path, w.Code, status, w.Body)
			}
			for _, s := range want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("%s %s: no %q in %s", method, path, s, w.Body)
				}
			}
			return w.Body.String()
		}
		const base = "/api/v1/projects/990101"
		call("demo.village", "POST", base, `{"code":"990101001001-A1","name":"上坝村冷库","place":"990101001001","purpose":"industry","plan_year":2027,"budget":"300,000","unit":"上坝村股份经济合作社","leader":"周勇","goals":[{"indicator":"库容","target":"200吨"}],"link_mode":"分红","link_households":40}`,
			http.StatusCreated, `"status":"reserve"`)
		call("demo.village", "POST", base, `{"code":"990101001001-A2","name":"x","place":"990101001001","purpose":"industry","plan_year":2027,"budget":"-1","unit":"u","leader":"l"}`,
			http.StatusBadRequest, `"field":"budget"`)
		call("demo.finance", "POST", "/api/v1/funds/990101/allocations", `{"key":"k1","project":"990101001001-A1","amount":"1"}`, http.StatusUnprocessableEntity, "project_not_approved")
		call("demo.village", "POST", base+"/990101001001-A1/submit", `{"opinion":"村民代表大会通过"}`, http.StatusOK, `"status":"proposed"`)
		call("demo.finance", "POST", base+"/990101001001-A1/decide", `{"action":"approve"}`, http.StatusForbidden, "wrong_step_role")
		call("demo.township2", "POST", base+"/990101001001-A1/decide", `{"action":"approve"}`, http.StatusNotFound)
		call("demo.township", "POST", base+"/990101001001-A1/decide", `{"action":"maybe"}`, http.StatusBadRequest, "invalid_decision")
		for _, u := range []string{"demo.township", "demo.rural", "demo.finance", "demo.sector"} {
			call(u, "POST", base+"/990101001001-A1/decide", `{"action":"approve","opinion":"同意"}`, http.StatusOK)
		}
		today := time.Now().In(clock.Zone)
		short := `{"title":"上坝村冷库公示","body":"项目：冷库；投资30万元","starts":"` + clock.Day(today) + `","ends":"` + clock.Day(today.AddDate(0, 0, 6)) + `"}`
		call("demo.township", "POST", base+"/990101001001-A1/notice", short, http.StatusUnprocessableEntity, "notice_too_short")
		call("demo.village", "POST", base+"/990101001001-A1/files?kind=application&name=申报书.pdf", "\x7fELF\x02\x01\x01\x00", http.StatusBadRequest, "executable_content")
		body := call("demo.village", "POST", base+"/990101001001-A1/files?kind=application&name=申报书.pdf", "%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", http.StatusCreated, `"version":1`)
		if !strings.Contains(body, `"content_type":"application/pdf"`) {
			t.Errorf("upload: %s", body)
		}
		ok := `{"title":"上坝村冷库公示","body":"项目：冷库；投资30万元","starts":"` + clock.Day(today) + `","ends":"` + clock.Day(today.AddDate(0, 0, 9)) + `"}`
		call("demo.township", "POST", base+"/990101001001-A1/notice", ok, http.StatusOK, `"status":"noticed"`)
		list := call("", "GET", "/api/v1/public/990101/notices", "", http.StatusOK, "上坝村冷库公示")
		var notices struct {
			Notices []struct {
				ID int64 `json:"id"`
			} `json:"notices"`
		}
		if err := json.Unmarshal([]byte(list), &notices); err != nil || len(notices.Notices) == 0 {
			t.Fatalf("public notices: %v %s", err, list)
		}
		var id int64
		for _, n := range notices.Notices {
			id = max(id, n.ID)
		}
		call("", "POST", "/api/v1/public/990101/notices/"+strconv.FormatInt(id, 10)+"/objections", `{"kind":"report","body":"冷库选址在河道管理范围内","contact":"13900000000"}`, http.StatusCreated, `"status":"open"`)
		// An address may file 10 objections an hour; the 11th waits.
		for i := 2; i <= 10; i++ {
			call("", "POST", "/api/v1/public/990101/notices/"+strconv.FormatInt(id, 10)+"/objections", `{"body":"第`+strconv.Itoa(i)+`条意见"}`, http.StatusCreated)
		}
		call("", "POST", "/api/v1/public/990101/notices/"+strconv.FormatInt(id, 10)+"/objections", `{"body":"one more"}`, http.StatusTooManyRequests, "too_many")
		call("demo.rural", "POST", base+"/990101001001-A1/decide", `{"action":"approve"}`, http.StatusUnprocessableEntity, "already_signed")
		call("demo.rural2", "POST", base+"/990101001001-A1/decide", `{"action":"approve"}`, http.StatusUnprocessableEntity, "notice_running")
		detail := call("demo.township", "GET", base+"/990101001001-A1", "", http.StatusOK, `"kind":"report"`, "13900000000", `"state":"pending"`)
		if !strings.Contains(detail, `"decision":"submit"`) {
			t.Errorf("history: %s", detail)
		}
		call("demo.township", "GET", base+"/queue", "", http.StatusOK, `"queue":[]`)
		call("demo.rural", "GET", base+"/queue", "", http.StatusOK, "990101001001-A1")
	})
}
