package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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

// planCSV is a plan file for the Nan chain (six steps up to 1,000,000
// yuan): each row is code, steps taken, approval document.
func planCSV(rows ...string) string {
	var b strings.Builder
	b.WriteString("项目编号,项目名称,实施地点代码,用途,计划年度,实施单位,责任领导,预算,批复文号,批复日期")
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&b, ",第%d步经办人,第%d步日期", i, i)
	}
	b.WriteString("\n")
	start := time.Now().In(clock.Zone).AddDate(0, 0, -60)
	for _, r := range rows {
		var code, doc string
		var steps int
		fmt.Sscanf(r, "%s %d %s", &code, &steps, &doc)
		day := ""
		if doc == "-" {
			doc = ""
		} else {
			day = clock.Day(start.AddDate(0, 0, 10))
		}
		fmt.Fprintf(&b, "%s,%s茶园,990101001001,industry,2026,上坝村股份经济合作社,周勇,300000,%s,%s", code, code, doc, day)
		for i := 0; i < 6; i++ {
			if i < steps {
				fmt.Fprintf(&b, ",经办%d,%s", i+1, clock.Day(start.AddDate(0, 0, i)))
			} else {
				b.WriteString(",,")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestAdoptPlanAPI: the plan's template re-imports as it is; a bad file
// answers every bad cell and writes nothing; a township cannot import;
// the importer cannot approve, another officer does and the projects
// exist with their steps taken; a paper notice too short is refused with
// its numbers, a good one lets the project be approved.
func TestAdoptPlanAPI(t *testing.T) {
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
		for _, u := range []string{"demo.township", "demo.rural", "demo.rural2"} {
			usr, err := a.User(ctx, auth.System(demo.County), u)
			if err != nil {
				t.Fatal(err)
			}
			if tokens[u], err = a.IssueToken(ctx, usr.Principal(), "t"); err != nil {
				t.Fatal(err)
			}
		}
		c := apiClient{t: t, h: h}
		call := func(user, method, path, body, ctype string, status int, want ...string) string {
			t.Helper()
			w := c.do(method, path, body, "Bearer "+tokens[user], ctype)
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
		const base = "/api/v1/adopt/990101/plan"

		// The template, downloaded from the import page, imports as it is.
		b := newBrowser(t, h)
		b.login("demo.rural", demo.Password("demo.rural"))
		if !strings.Contains(b.do("GET", "/adopt/plan", nil, "").Body.String(), "/adopt/plan/template.xlsx") {
			t.Error("the import page does not link its template")
		}
		tw := b.do("GET", "/adopt/plan/template.xlsx", nil, "")
		if tw.Code != 200 || !strings.Contains(tw.Header().Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("template: %d", tw.Code)
		}
		call("demo.rural", "POST", base+"?name=template.xlsx", tw.Body.String(), "application/octet-stream", http.StatusCreated, `"projects":1`, `"state":"pending"`)

		// A bad file: every bad cell, nothing written.
		bad := planCSV("B1 6 -", "B2 7 -", "B1 5 -") + "B4,,990101001001,industry,2026,u,l,-1,,,经办1,2026-01-01,,,经办3,2026-01-03,,,,,,\n"
		w := c.do("POST", base+"?name=bad.csv", bad, "Bearer "+tokens["demo.rural"], "text/csv")
		if w.Code != http.StatusBadRequest {
			t.Fatalf("bad plan: %d %s", w.Code, w.Body)
		}
		var refused struct {
			Error struct {
				Code string `json:"code"`
				Rows []struct {
					Row    int    `json:"row"`
					Column string `json:"column"`
				} `json:"rows"`
			} `json:"error"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &refused); err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range refused.Error.Rows {
			got[fmt.Sprintf("%d/%s", r.Row, r.Column)] = true
		}
		for _, want := range []string{"2/approval_doc", "4/code", "5/name", "5/budget", "5/step3_by"} {
			if !got[want] {
				t.Errorf("bad cell %s not listed: %s", want, w.Body)
			}
		}
		call("demo.rural", "GET", base+"/2", "", "", http.StatusNotFound)

		good := planCSV("990101001001-P1 6 南乡振发〔2026〕8号", "990101001001-P2 5 -")
		call("demo.township", "POST", base, good, "text/csv", http.StatusForbidden)
		call("demo.rural", "POST", base, good, "text/csv", http.StatusCreated, `"id":2`, `"projects":2`)
		call("demo.rural", "POST", base+"/2/decide", `{"action":"approve"}`, "", http.StatusUnprocessableEntity, "maker_checker")
		call("demo.rural2", "POST", base+"/2/decide", `{"action":"approve","opinion":"与纸质批复一致"}`, "", http.StatusOK, `"state":"approved"`)
		call("demo.rural", "GET", "/api/v1/projects/990101/990101001001-P1", "", "", http.StatusOK, `"status":"approved"`, `"decision":"recorded"`)
		call("demo.rural", "GET", "/api/v1/projects/990101/990101001001-P2", "", "", http.StatusOK, `"status":"reviewed"`)

		// P2's notice was held on paper.
		png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
		var file struct {
			File struct {
				ID int64 `json:"id"`
			} `json:"file"`
		}
		json.Unmarshal([]byte(call("demo.township", "POST", "/api/v1/projects/990101/990101001001-P2/files?kind=other&name=board.png", png, "image/png", http.StatusCreated)), &file)
		now := time.Now().In(clock.Zone)
		notice := func(startsDaysAgo int) string {
			return fmt.Sprintf(`{"project":"990101001001-P2","starts":%q,"ends":%q,"photo_file":%d,"objections":[{"body":"占地补偿？","reply":"已签协议"}]}`,
				clock.Day(now.AddDate(0, 0, -startsDaysAgo)), clock.Day(now.AddDate(0, 0, -2)), file.File.ID)
		}
		call("demo.township", "POST", "/api/v1/notices/990101/paper", notice(10), "", http.StatusUnprocessableEntity, "notice_too_short", "9 days", "at least 10")
		call("demo.township", "POST", "/api/v1/notices/990101/paper", notice(11), "", http.StatusCreated, `"paper":true`, `"days":10`)
		call("demo.rural2", "POST", "/api/v1/projects/990101/990101001001-P2/decide", `{"action":"approve"}`, "", http.StatusOK, `"state":"approved"`)
	})
}
