package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// TestObjectionReceiptsAPI: on the demo's running project notice, the
// public files an objection and gets a receipt; the receipt shows the
// status (never the contact, digits masked) and a forged one shows
// nothing; the county bureau (who answers project objections) has it in
// its queue, the township does not; the answer is audited, a repeated
// answer is a replay, another one is refused; the reply then shows on the
// receipt and beneath the public notice, whose print carries the county's
// name and the seal area.
func TestObjectionReceiptsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
		l := ledger.New(db, nil)
		runDemo(t, l, "")
		h := app.Server(web.Deps{DB: db, Ledger: l, Auth: a})
		tokens := map[string]string{}
		for _, u := range []string{"demo.township", "demo.rural", "demo.finance"} {
			usr, err := a.User(ctx, auth.System(demo.County), u)
			if err != nil {
				t.Fatal(err)
			}
			if tokens[u], err = a.IssueToken(ctx, usr.Principal(), "t"); err != nil {
				t.Fatal(err)
			}
		}
		c := apiClient{t: t, h: h}
		call := func(user, method, path, body string, status int, want ...string) (string, http.Header) {
			t.Helper()
			tok := noToken
			if user != "" {
				tok = "Bearer " + tokens[user]
			}
			w := c.do(method, path, body, tok, "")
			if w.Code != status {
				t.Fatalf("%s %s %s: %d, want %d: %s", user, method, path, w.Code, status, w.Body)
			}
			for _, s := range want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("%s %s: no %q in %s", method, path, s, w.Body)
				}
			}
			return w.Body.String(), w.Header()
		}
		list, _ := call("", "GET", "/api/v1/public/990101/notices", "", http.StatusOK, "上坝村产业路延伸项目公示")
		var notices struct {
			Notices []struct {
				ID int64 `json:"id"`
			} `json:"notices"`
		}
		if err := json.Unmarshal([]byte(list), &notices); err != nil || len(notices.Notices) == 0 {
			t.Fatalf("public notices: %v %s", err, list)
		}
		nid := strconv.FormatInt(notices.Notices[0].ID, 10)

		body, _ := call("", "POST", "/api/v1/public/990101/notices/"+nid+"/objections",
			`{"body":"路线占用我家承包地，合同号20260315，请核实","name":"李四","contact":"13900000000"}`, http.StatusCreated, `"receipt":"990101-`)
		var filed struct {
			Objection struct {
				ID      int64  `json:"id"`
				Receipt string `json:"receipt"`
			} `json:"objection"`
		}
		if err := json.Unmarshal([]byte(body), &filed); err != nil || filed.Objection.Receipt == "" {
			t.Fatalf("filed: %v %s", err, body)
		}
		receipt, oid := filed.Objection.Receipt, strconv.FormatInt(filed.Objection.ID, 10)

		got, _ := call("", "GET", "/api/v1/public/990101/objections/"+receipt, "", http.StatusOK, `"status":"open"`, "合同号********", `"reply":""`, "乡村振兴局")
		for _, secret := range []string{"13900000000", "李四", "20260315"} {
			if strings.Contains(got, secret) {
				t.Errorf("the receipt lookup shows %q: %s", secret, got)
			}
		}
		forged := receipt[:len(receipt)-6] + "222222"
		if forged == receipt {
			forged = receipt[:len(receipt)-6] + "333333"
		}
		missing, _ := call("", "GET", "/api/v1/public/990101/objections/"+forged, "", http.StatusNotFound, "not_found")
		if strings.Contains(missing, oid) {
			t.Errorf("a forged receipt's answer names the objection: %s", missing)
		}
		call("", "GET", "/api/v1/public/990102/objections/"+receipt, "", http.StatusNotFound)

		call("demo.rural", "GET", "/api/v1/review/990101/objections", "", http.StatusOK, receipt, "13900000000", `"answer_role":"rural"`)
		call("demo.township", "GET", "/api/v1/review/990101/objections", "", http.StatusOK, `"objections":[]`)
		call("demo.finance", "GET", "/api/v1/review/990101/objections", "", http.StatusForbidden)

		path := "/api/v1/review/990101/objections/" + oid + "/answer"
		call("demo.rural", "POST", path, `{"reply":"x"}`, http.StatusBadRequest, "invalid_decision")
		call("demo.rural", "POST", path, `{"upheld":false,"reply":" "}`, http.StatusBadRequest, "opinion_required")
		reply := `{"upheld":false,"reply":"经现场核实，路线不占用承包地"}`
		_, hdr := call("demo.rural", "POST", path, reply, http.StatusOK, `"status":"dismissed"`, `"replied_by":"demo.rural"`)
		if hdr.Get("Idempotent-Replayed") != "" {
			t.Error("the first answer says it is a replay")
		}
		_, hdr = call("demo.rural", "POST", path, reply, http.StatusOK, `"status":"dismissed"`)
		if hdr.Get("Idempotent-Replayed") != "true" {
			t.Error("the repeated answer is not marked as a replay")
		}
		call("demo.rural", "POST", path, `{"upheld":true,"reply":"改判"}`, http.StatusUnprocessableEntity, "already_answered")
		call("demo.rural", "GET", "/api/v1/review/990101/objections", "", http.StatusOK, `"objections":[]`)

		call("", "GET", "/api/v1/public/990101/objections/"+strings.ToLower(receipt), "", http.StatusOK, `"status":"dismissed"`, "经现场核实，路线不占用承包地", `"replied_at":"`)
		page, _ := call("", "GET", "/public/990101/notices/"+nid, "", http.StatusOK, "经现场核实，路线不占用承包地", "合同号********", "不成立")
		if strings.Contains(page, "13900000000") || strings.Contains(page, "李四") || strings.Contains(page, "demo.rural") {
			t.Errorf("the public notice page shows the objector or the answering person:\n%s", page)
		}
		print, _ := call("", "GET", "/public/990101/notices/"+nid+"/print", "", http.StatusOK, `id="print-head"`, "青禾县（演示）", "盖章处", "年　　月　　日")
		if strings.Contains(print, "style=") {
			t.Error("the print page has an inline style")
		}

		// The answer is in the audit log, with the reply.
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE county = '990101' AND action = 'workflow.answer' AND actor = 'demo.rural'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("audit entries of the answer: %d, %v; want 1", n, err)
		}
	})
}
