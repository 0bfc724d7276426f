package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// postsAtOnce are the write routes that post money by themselves: records
// of money that arrived (arrivals, their integration into the pool, the
// import of both, donations and treasury top-ups) and the approval of an
// instruction. Every other write route posts nothing: a capability's money
// moves are entered for a second person's approval.
var postsAtOnce = map[string]bool{
	"POST /funds/arrivals":                           true,
	"POST /funds/integrations":                       true,
	"POST /funds/import":                             true,
	"POST /api/v1/funds/{county}/arrivals":           true,
	"POST /api/v1/funds/{county}/integrations":       true,
	"POST /api/v1/funds/{county}/import":             true,
	"POST /relief/inflows":                           true,
	"POST /api/v1/relief/{county}/inflows":           true,
	"POST /instructions/{id}/decide":                 true,
	"POST /api/v1/instructions/{county}/{id}/decide": true,
}

// moneyBodies are well-formed requests for the routes that move a
// capability's money: each must enter an instruction and post nothing.
var moneyBodies = map[string]string{
	"POST /api/v1/funds/{county}/allocations":             `{"key":"walk-alloc","project":"2026-001","amount":"1,000"}`,
	"POST /api/v1/funds/{county}/payments":                `{"key":"walk-pay","project":"2026-001","to":"ent:luqiao","amount":"100"}`,
	"POST /api/v1/projects/{county}/{code}/reclaim":       `{"reason":"虚报工程量（测试）"}`,
	"POST /api/v1/ledger/{county}/transfers":              `{"key":"walk-adj","kind":"adjustment","from":"pool","to":"prj:2026-001","legs":[{"channel":"XJ","amount":"1"}]}`,
	"POST /api/v1/ledger/{county}/transfers/{id}/reverse": `{"key":"walk-rev","memo":"测试冲销"}`,
	"POST /funds/allocations":                             "project=2026-001&amount=2%2C000&key=walk-alloc-page",
	"POST /funds/payments":                                "project=2026-001&to=ent%3Aluqiao&amount=200&key=walk-pay-page",
	"POST /projects/{code}/reclaim":                       "reason=%E6%B5%8B%E8%AF%95",
}

// TestOneWayIn walks every write route of the server, as the rural-
// revitalization bureau (which may enter every kind of money move): no
// route but those that record money arriving posts a transfer; each money
// move enters an instruction, which its maker cannot approve and which
// posts once when the finance bureau approves it.
func TestOneWayIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _, _, srv := demoKeyed(t, db)
		tokenOf := func(user string) string {
			u, err := a.User(ctx, auth.System("990101"), user)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := a.IssueToken(ctx, u.Principal(), "walk")
			if err != nil {
				t.Fatal(err)
			}
			return "Bearer " + tok
		}
		rural, fin, fin2 := tokenOf("demo.rural"), tokenOf("demo.finance"), tokenOf("demo.finance2")
		count := func(q string) int {
			var n int
			if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		transfers := func() int { return count(`SELECT COUNT(*) FROM ledger_transfers WHERE county = '990101'`) }
		pending := func() int {
			return count(`SELECT COUNT(*) FROM money_instructions WHERE county = '990101' AND state = 'pending'`)
		}
		b := newBrowser(t, srv)
		b.login("demo.rural", demo.Password("demo.rural"))
		var payment int
		if err := db.QueryRowContext(ctx, `SELECT MAX(t.id) FROM ledger_transfers t JOIN ledger_accounts a ON a.county = t.county AND a.id = t.to_account WHERE t.county = '990101' AND t.kind = 'payment' AND a.code <> 'sub:fund'`).Scan(&payment); err != nil {
			t.Fatal(err)
		}
		fill := strings.NewReplacer("{county}", "990101", "{code}", "2026-002", "{id}", fmt.Sprint(payment), "{username}", "demo.village",
			"{village}", "990101001001", "{area}", "agreements")

		entered := 0
		for _, rt := range srv.Routes() {
			method, pattern, ok := strings.Cut(rt.Pattern, " ")
			if !ok || method != "POST" || rt.Pattern == "POST /login" || rt.Pattern == "POST /logout" {
				continue
			}
			path := fill.Replace(pattern)
			if rt.Pattern == "POST /projects/{code}/reclaim" {
				path = "/projects/2026-003/reclaim" // one reclaim of a project waits at a time
			}
			body, isMoney := moneyBodies[rt.Pattern]
			before, beforePending := transfers(), pending()
			var w *httptest.ResponseRecorder
			if rt.API {
				if body == "" {
					body = "{}"
				}
				r := httptest.NewRequest("POST", path, strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Authorization", rural)
				w = httptest.NewRecorder()
				srv.ServeHTTP(w, r)
			} else {
				v, _ := url.ParseQuery(body)
				w = b.form("/desk", path, v)
			}
			after := transfers()
			if after != before && !postsAtOnce[rt.Pattern] {
				t.Errorf("%s posted %d transfer(s) without a second person (status %d: %.200s)", rt.Pattern, after-before, w.Code, w.Body)
			}
			if isMoney {
				if pending() != beforePending+1 {
					t.Errorf("%s: no instruction entered (status %d: %.300s)", rt.Pattern, w.Code, w.Body)
				}
				entered++
			}
		}
		if entered != len(moneyBodies) {
			t.Fatalf("walked %d money routes, want %d", entered, len(moneyBodies))
		}

		// Each entered move: its maker's approval is refused and posts
		// nothing; the finance bureau's posts it once; a second approval
		// is refused.
		resp, err := http.NewRequest("GET", "/api/v1/instructions/990101?state=pending", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Header.Set("Authorization", fin)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, resp)
		var list struct {
			Instructions []struct {
				ID    int64  `json:"id"`
				Kind  string `json:"kind"`
				Key   string `json:"key"`
				Maker string `json:"maker"`
			} `json:"instructions"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
			t.Fatal(err, w.Body.String())
		}
		decide := func(tok string, id int64) *httptest.ResponseRecorder {
			r := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/instructions/990101/%d/decide", id), strings.NewReader(`{"action":"approve","opinion":"核对无误"}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", tok)
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			return w
		}
		kinds := map[string]bool{}
		for _, in := range list.Instructions {
			if in.Key == "demo:two-people-2" {
				// The demo's allocation to 2026-003, entered before the walk
				// reclaimed that project: the approval checks the rules again.
				before := transfers()
				if w := decide(fin, in.ID); !strings.Contains(w.Body.String(), "project_not_approved") || transfers() != before {
					t.Errorf("an allocation to a project reclaimed after its entry: %d %s", w.Code, w.Body)
				}
				continue
			}
			kinds[in.Kind] = true
			before := transfers()
			if w := decide(rural, in.ID); w.Code < 400 || transfers() != before {
				t.Errorf("instruction %d (%s) approved by its maker: %d %s", in.ID, in.Kind, w.Code, w.Body)
			}
			w := decide(fin, in.ID)
			if transfers() != before && strings.Contains(w.Body.String(), `"state":"pending"`) {
				t.Errorf("instruction %d posted before its last approval", in.ID)
			}
			if strings.Contains(w.Body.String(), `"state":"pending"`) { // above 500,000: the head signs too
				if w := decide(fin, in.ID); !strings.Contains(w.Body.String(), "already_signed") {
					t.Errorf("one person signs both steps of instruction %d: %d %s", in.ID, w.Code, w.Body)
				}
				w = decide(fin2, in.ID)
			}
			var out struct {
				Instruction struct {
					State     string  `json:"state"`
					Transfers []int64 `json:"transfers"`
				} `json:"instruction"`
			}
			_ = json.Unmarshal(w.Body.Bytes(), &out)
			if w.Code != http.StatusOK || out.Instruction.State != "posted" || len(out.Instruction.Transfers) == 0 || transfers() != before+len(out.Instruction.Transfers) {
				t.Errorf("instruction %d (%s) approved by the finance bureau: %d %s", in.ID, in.Kind, w.Code, w.Body)
			}
			mid := transfers()
			if w := decide(fin, in.ID); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "not_pending") || transfers() != mid {
				t.Errorf("instruction %d approved twice: %d %s", in.ID, w.Code, w.Body)
			}
		}
		for _, k := range []string{"allocation", "payment", "reclaim", "adjustment", "reversal"} {
			if !kinds[k] {
				t.Errorf("no %s instruction was walked: %v", k, kinds)
			}
		}
		if rep, err := ledger.Verify(ctx, db); err != nil || len(rep.Problems) > 0 {
			t.Errorf("ledger verify: %v %v", err, rep.Problems)
		}
	})
}
