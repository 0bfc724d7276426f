package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"onepool/internal/auth"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestAPIReplaysSayso: every idempotent write of the API — funds
// arrivals and integrations, relief inflows, money instructions
// (allocations), the ledger's channels and accounts (one or a batch) —
// answers the same key again with the header
// Idempotent-Replayed: true, status 200 and the byte-identical body; the
// first answer has no such header.
func TestAPIReplaysSayso(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, _, _, srv := demoKeyed(t, db)
		tok, err := a.IssueToken(context.Background(), auth.Principal{Username: "demo.finance", Role: auth.RoleFinance, Place: "990101000000", County: "990101"}, "replay")
		if err != nil {
			t.Fatal(err)
		}
		post := func(path, body string) (int, string, string) {
			r := httptest.NewRequest("POST", path, strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+tok)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			return w.Code, w.Header().Get("Idempotent-Replayed"), w.Body.String()
		}
		const f = "/api/v1/funds/990101"
		for _, tc := range []struct{ name, path, body string }{
			{"arrival", f + "/arrivals", `{"movements":[{"key":"replay-arr-1","channel":"ZX","amount":"10.00","day":"2026-03-01"}]}`},
			{"integration", f + "/integrations", `{"movements":[{"key":"replay-int-1","channel":"ZX","amount":"10.00","day":"2026-03-02"}]}`},
			{"relief inflow", "/api/v1/relief/990101/inflows", `{"key":"replay-in-1","source":"treasury","amount":"100.00","doc_no":"青财〔2026〕1号"}`},
			{"allocation", f + "/allocations", `{"key":"replay-alloc-1","project":"2026-001","amount":"1.00"}`},
			{"ledger channel", "/api/v1/ledger/990101/channels", `{"code":"RP1","name":"重放渠道"}`},
			{"ledger channels", "/api/v1/ledger/990101/channels", `{"channels":[{"code":"RP2","name":"重放渠道二"},{"code":"RP3","name":"重放渠道三"}]}`},
			{"ledger account", "/api/v1/ledger/990101/accounts", `{"code":"ent:replay-1","kind":"entity","name":"重放合作社","owner":"重放合作社","place":"990101001001"}`},
			{"ledger accounts", "/api/v1/ledger/990101/accounts", `{"accounts":[{"code":"ent:replay-2","kind":"entity","name":"重放二","owner":"重放二","place":"990101001001"},{"code":"ent:replay-3","kind":"entity","name":"重放三","owner":"重放三","place":"990101001002"}]}`},
		} {
			code1, h1, body1 := post(tc.path, tc.body)
			if code1 != 201 && code1 != 202 {
				t.Fatalf("%s: first answer %d %s", tc.name, code1, body1)
			}
			if h1 != "" {
				t.Errorf("%s: the first answer says Idempotent-Replayed: %q", tc.name, h1)
			}
			code2, h2, body2 := post(tc.path, tc.body)
			if code2 != 200 || h2 != "true" {
				t.Errorf("%s: replay answered %d with Idempotent-Replayed %q, want 200 and true: %s", tc.name, code2, h2, body2)
			}
			if body2 != body1 {
				t.Errorf("%s: replay body differs:\nfirst  %s\nreplay %s", tc.name, body1, body2)
			}
		}
		// A batch in which one is new is no replay: 201, no header.
		for _, tc := range []struct{ name, path, body string }{
			{"channels, one new", "/api/v1/ledger/990101/channels", `{"channels":[{"code":"RP1","name":"重放渠道"},{"code":"RP4","name":"新渠道"}]}`},
			{"accounts, one new", "/api/v1/ledger/990101/accounts", `{"accounts":[{"code":"ent:replay-1","kind":"entity","name":"重放合作社","owner":"重放合作社","place":"990101001001"},{"code":"ent:replay-4","kind":"entity","name":"新","owner":"新","place":"990101001001"}]}`},
		} {
			if code, h, body := post(tc.path, tc.body); code != 201 || h != "" {
				t.Errorf("%s: %d with Idempotent-Replayed %q, want 201 and none: %s", tc.name, code, h, body)
			}
		}
	})
}
