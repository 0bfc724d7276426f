package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"onepool/internal/app"
	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const base = "/api/v1/ledger/990101"

// token is the API token of the finance user the tests create; each
// database gets its own. token2 is a second finance user's, who approves
// what the first enters (two people on money).
var token, token2 string

// newTestServer returns a server on db with a finance-bureau user at the
// county's root ("api.finance") whose API token is put in token.
func newTestServer(t *testing.T, db *store.DB) *web.Server {
	t.Helper()
	ctx := context.Background()
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
	u, err := a.CreateUser(ctx, auth.System("990101"), auth.NewUser{Username: "api.finance", DisplayName: "API", Role: auth.RoleFinance, Place: "990101000000", Password: "api-finance-password"})
	if err != nil {
		t.Fatal(err)
	}
	if token, err = a.IssueToken(ctx, u.Principal(), "test"); err != nil {
		t.Fatal(err)
	}
	u2, err := a.CreateUser(ctx, auth.System("990101"), auth.NewUser{Username: "api.finance2", DisplayName: "API 2", Role: auth.RoleFinance, Place: "990101000000", Password: "api-finance-password"})
	if err != nil {
		t.Fatal(err)
	}
	if token2, err = a.IssueToken(ctx, u2.Principal(), "test"); err != nil {
		t.Fatal(err)
	}
	return app.Server(web.Deps{DB: db, Ledger: ledger.New(db, nil), Auth: a})
}

// noToken in a scenario's token field sends no Authorization header.
const noToken = "<none>"

// scenario is one HTTP exchange against the server. Scenarios run in order
// and share one database, so later rows see what earlier rows wrote.
type scenario struct {
	name   string
	method string
	path   string
	body   string
	token  string // "" sends the valid token; noToken sends none; else sent as is
	ctype  string // Content-Type of the request; "" sends application/json with a body

	status int
	want   []string // substrings of the response body
	reject []string // substrings the response body must not contain

	header     map[string]string // response headers that must have these values
	noHeader   []string          // response headers that must be absent
	sameBodyAs string            // the body must be byte-identical to this earlier scenario's
	balances   map[string]int64  // GET …/balances: channel → fen; channels not named must be 0
}

type apiClient struct {
	t *testing.T
	h http.Handler
}

func (c apiClient) do(method, path, body, tok, ctype string) *httptest.ResponseRecorder {
	c.t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		if ctype == "" {
			ctype = "application/json"
		}
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	switch tok {
	case "":
		r.Header.Set("Authorization", "Bearer "+token)
	case noToken:
	default:
		r.Header.Set("Authorization", tok)
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, r)
	return w
}

// must posts and fails the test unless the status is the one wanted.
func (c apiClient) must(method, path, body string, status int) []byte {
	c.t.Helper()
	w := c.do(method, path, body, "", "")
	if w.Code != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, w.Code, status, w.Body.String())
	}
	return w.Body.Bytes()
}

// decodeBalances reads a balances response into channel → fen, checking that
// amount (yuan string) and amount_fen agree.
func decodeBalances(t *testing.T, body []byte) map[string]int64 {
	t.Helper()
	var resp struct {
		Balances []struct {
			Channel   string `json:"channel"`
			Amount    string `json:"amount"`
			AmountFen int64  `json:"amount_fen"`
		} `json:"balances"`
		Total    string `json:"total"`
		TotalFen int64  `json:"total_fen"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("balances response: %v: %s", err, body)
	}
	if resp.Balances == nil {
		t.Fatalf("balances response has no balances array: %s", body)
	}
	out := map[string]int64{}
	var sum int64
	for _, b := range resp.Balances {
		if b.Amount != yuanString(b.AmountFen) {
			t.Errorf("balance %s: amount %q disagrees with amount_fen %d", b.Channel, b.Amount, b.AmountFen)
		}
		out[b.Channel] = b.AmountFen
		sum += b.AmountFen
	}
	if sum != resp.TotalFen || resp.Total != yuanString(resp.TotalFen) {
		t.Errorf("total %q / %d disagrees with the balances (sum %d)", resp.Total, resp.TotalFen, sum)
	}
	return out
}

func yuanString(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

func checkSecurityHeaders(t *testing.T, name string, h http.Header) {
	t.Helper()
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q, want nosniff", name, got)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: Content-Security-Policy = %q", name, csp)
	}
	if got := h.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options = %q, want DENY", name, got)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type = %q, want application/json", name, ct)
	}
}

func transfer(key, kind, from, to string, legs ...string) string {
	var ls []string
	for i := 0; i+1 < len(legs); i += 2 {
		ls = append(ls, `{"channel":"`+legs[i]+`","amount":"`+legs[i+1]+`"}`)
	}
	return `{"key":"` + key + `","kind":"` + kind + `","from":"` + from + `","to":"` + to + `","legs":[` + strings.Join(ls, ",") + `]}`
}

func batch(ts ...string) string { return `{"transfers":[` + strings.Join(ts, ",") + `]}` }

func TestAPIScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := newTestServer(t, db)
		c := apiClient{t, h}

		// Set up through the API itself.
		c.must("POST", base+"/channels", `{"channels":[{"code":"ZX","name":"中央专项扶贫资金"},{"code":"JT","name":"交通行业资金"}]}`, http.StatusCreated)
		c.must("POST", base+"/channels", `{"code":"ZX","name":"中央专项扶贫资金"}`, http.StatusOK) // idempotent by code: a replay
		c.must("POST", base+"/accounts", `{"accounts":[
			{"code":"treasury","kind":"external","name":"国库","place":"990101000000"},
			{"code":"pool","kind":"pool","name":"资金池","place":"990101000000","no_overdraft":true},
			{"code":"hh:0","kind":"household","name":"农户0","place":"990101100201","no_overdraft":true},
			{"code":"hh:1","kind":"household","name":"农户1","place":"990101100201","no_overdraft":true}]}`, http.StatusCreated)
		// Money arrives through its capability, not this API (one way in).
		arr, err := ledger.New(db, nil).Post(ctx, "funds", "990101", []ledger.TransferRequest{{Key: "arr-1", Kind: "arrival", From: "treasury", To: "pool",
			Legs: []ledger.Leg{{Channel: "ZX", Amount: 100000}, {Channel: "JT", Amount: 50000}}}})
		if err != nil || arr[0].ID != 1 {
			t.Fatalf("arrival is not transfer 1: %+v %v", arr, err)
		}
		ins := "/api/v1/instructions/990101/"
		approve := `{"action":"approve","opinion":"核对无误"}`
		second := "Bearer " + token2

		scenarios := []scenario{
			// Authentication.
			{name: "healthz needs no token", method: "GET", path: "/healthz", token: noToken, status: 200, want: []string{`"status":"ok"`, `"db":"` + db.Dialect.String() + `"`}},
			{name: "missing token", method: "GET", path: base + "/channels", token: noToken, status: 401, want: []string{`"code":"unauthenticated"`}},
			{name: "wrong token", method: "GET", path: base + "/channels", token: "Bearer t0ken-not", status: 401, want: []string{`"code":"unauthenticated"`}},
			{name: "token without Bearer", method: "GET", path: base + "/channels", token: token, status: 401, want: []string{`"code":"unauthenticated"`}},
			{name: "missing token on a write", method: "POST", path: base + "/transfers", body: transfer("nt", "adjustment", "pool", "hh:0", "ZX", "1"), token: noToken, status: 401, want: []string{`"code":"unauthenticated"`}},
			{name: "list channels", method: "GET", path: base + "/channels", status: 200, want: []string{`{"code":"JT","name":"交通行业资金"}`, `{"code":"ZX","name":"中央专项扶贫资金"}`}},

			// A single transfer: legs in yuan strings and fen.
			// One way in: a capability's kind is refused here.
			{name: "an allocation through the ledger API", method: "POST", path: base + "/transfers", body: transfer("cap-1", "allocation", "pool", "hh:0", "ZX", "1"), status: 422,
				want: []string{`"code":"capability_kind"`, `"field":"kind"`, "funds"}},
			{name: "a payment through the ledger API", method: "POST", path: base + "/transfers", body: transfer("cap-2", "payment", "pool", "hh:0", "ZX", "1"), status: 422, want: []string{`"code":"capability_kind"`}},
			{name: "a reversal in a batch", method: "POST", path: base + "/transfers", body: `{"key":"cap-3","kind":"reversal","reverses":1}`, status: 422, want: []string{`"code":"capability_kind"`}},

			// A single adjustment is entered, and posts only when a second
			// person approves it: legs in yuan strings and fen.
			{name: "post single transfer", method: "POST", path: base + "/transfers", body: transfer("pay-1", "adjustment", "pool", "hh:0", "ZX", "100"), status: 202,
				want:     []string{`"instruction":{`, `"id":1,`, `"kind":"adjustment"`, `"state":"pending"`, `"maker":"api.finance"`, `"amount":"100.00"`, `"amount_fen":10000`, `"transfers":[]`},
				noHeader: []string{"Idempotent-Replayed"}},
			{name: "nothing posted before the approval", method: "GET", path: base + "/accounts/hh:0/balances", status: 200, balances: map[string]int64{}},
			{name: "the maker approves it", method: "POST", path: ins + "1/decide", body: approve, status: 422, want: []string{`"code":"maker_checker"`}},
			{name: "a reject needs a reason", method: "POST", path: ins + "1/decide", body: `{"action":"reject"}`, token: second, status: 400, want: []string{`"code":"opinion_required"`}},
			{name: "a second person approves it", method: "POST", path: ins + "1/decide", body: approve, token: second, status: 200,
				want: []string{`"state":"posted"`, `"approver":"api.finance2"`, `"transfers":[2]`}},
			{name: "approved twice", method: "POST", path: ins + "1/decide", body: approve, token: second, status: 422, want: []string{`"code":"not_pending"`}},
			{name: "the posted transfer", method: "GET", path: base + "/transfers/2", status: 200,
				want: []string{`"transfer":{`, `"id":2,`, `"legs":[{"channel":"ZX","amount":"100.00","amount_fen":10000}]`, `"total":"100.00"`, `"total_fen":10000`, `"from":"pool"`, `"to":"hh:0"`, `"actor":"api.finance2"`, `"hash":"`}},
			{name: "the instruction list", method: "GET", path: "/api/v1/instructions/990101?state=posted", status: 200, want: []string{`"instructions":[{`, `"id":1,`}},
			{name: "an unknown instruction", method: "GET", path: ins + "99", status: 404, want: []string{`"code":"not_found"`}},

			// Batches are atomic.
			{name: "batch with an overdraft writes nothing", method: "POST", path: base + "/transfers",
				body:   batch(transfer("b-1", "adjustment", "pool", "hh:1", "ZX", "10"), transfer("b-2", "adjustment", "pool", "hh:1", "JT", "600")),
				status: 422, want: []string{`"code":"insufficient_funds"`, `"field":"transfers[1].legs[0].amount"`}},
			{name: "batch with an unknown account writes nothing", method: "POST", path: base + "/transfers",
				body:   batch(transfer("b-1", "adjustment", "pool", "hh:1", "ZX", "10"), transfer("b-2", "adjustment", "pool", "nobody", "ZX", "1")),
				status: 404, want: []string{`"code":"unknown_account"`, `"field":"transfers[1].to"`}},
			{name: "nothing of the failed batches in hh:1", method: "GET", path: base + "/accounts/hh:1/balances", status: 200, balances: map[string]int64{}},
			{name: "nothing of the failed batches left the pool", method: "GET", path: base + "/accounts/pool/balances", status: 200, balances: map[string]int64{"ZX": 90000, "JT": 50000}},
			{name: "failed batch keys are free", method: "POST", path: base + "/transfers",
				body:   batch(transfer("b-1", "adjustment", "pool", "hh:1", "ZX", "10"), transfer("b-2", "adjustment", "pool", "hh:1", "JT", "20.5")),
				status: 202, want: []string{`"id":2,`, `"amount":"30.50","amount_fen":3050`}},
			{name: "the batch approved", method: "POST", path: ins + "2/decide", body: approve, token: second, status: 200, want: []string{`"transfers":[3,4]`}},

			// Bad input.
			{name: "amount as a JSON number", method: "POST", path: base + "/transfers", body: `{"key":"n","from":"pool","to":"hh:0","legs":[{"channel":"ZX","amount":12.5}]}`, status: 400, want: []string{`"code":"invalid_amount"`, `"field":"amount"`}},
			{name: "amount with three decimals", method: "POST", path: base + "/transfers", body: transfer("d3", "adjustment", "pool", "hh:0", "ZX", "1.234"), status: 400, want: []string{`"code":"invalid_amount"`}},
			{name: "zero amount", method: "POST", path: base + "/transfers", body: transfer("z", "adjustment", "pool", "hh:0", "ZX", "0"), status: 400, want: []string{`"code":"invalid_amount"`, `"field":"legs[0].amount"`}},
			{name: "negative amount", method: "POST", path: base + "/transfers", body: transfer("neg", "adjustment", "pool", "hh:0", "ZX", "-1"), status: 400, want: []string{`"code":"invalid_amount"`}},
			{name: "empty amount", method: "POST", path: base + "/transfers", body: transfer("e", "adjustment", "pool", "hh:0", "ZX", ""), status: 400, want: []string{`"code":"invalid_amount"`}},
			{name: "unknown field", method: "POST", path: base + "/transfers", body: `{"key":"u","from":"pool","to":"hh:0","colour":"red","legs":[{"channel":"ZX","amount":"1"}]}`, status: 400, want: []string{`"code":"invalid_json"`, `"field":"colour"`, `colour`}},
			{name: "unknown field in a leg", method: "POST", path: base + "/transfers", body: `{"key":"u","from":"pool","to":"hh:0","legs":[{"channel":"ZX","amount":"1","fen":1}]}`, status: 400, want: []string{`"code":"invalid_json"`, `"field":"fen"`}},
			{name: "wrong type", method: "POST", path: base + "/transfers", body: `{"key":"w","from":"pool","to":"hh:0","memo":5,"legs":[{"channel":"ZX","amount":"1"}]}`, status: 400, want: []string{`"code":"invalid_json"`, `"field":"memo"`}, reject: []string{"transferIn"}},
			{name: "wrong type in a batch", method: "POST", path: base + "/transfers", body: `{"transfers":[{"key":"w","from":"pool","to":"hh:0","memo":5}]}`, status: 400, want: []string{`"code":"invalid_json"`, `"field":"transfers.memo"`}, reject: []string{"transferIn"}},
			{name: "wrong type opening an account", method: "POST", path: base + "/accounts", body: `{"code":5,"kind":"household","name":"x","place":"990101"}`, status: 400, want: []string{`"code":"invalid_json"`, `"field":"code"`}, reject: []string{"accountJSON"}},
			{name: "wrong type creating a channel", method: "POST", path: base + "/channels", body: `{"code":"X","name":true}`, status: 400, want: []string{`"code":"invalid_json"`, `"field":"name"`}, reject: []string{"channelJSON"}},
			{name: "malformed JSON", method: "POST", path: base + "/transfers", body: `{"key" "x"}`, status: 400, want: []string{`"code":"invalid_json"`, `malformed`}},
			{name: "truncated JSON", method: "POST", path: base + "/transfers", body: `{"key":`, status: 400, want: []string{`"code":"invalid_json"`}},
			{name: "empty body", method: "POST", path: base + "/transfers", status: 400, want: []string{`"code":"invalid_json"`}},
			{name: "trailing data", method: "POST", path: base + "/transfers", body: transfer("t", "adjustment", "pool", "hh:0", "ZX", "1") + `{}`, status: 400, want: []string{`"code":"invalid_json"`}},
			{name: "not JSON content type", method: "POST", path: base + "/transfers", body: transfer("ct", "adjustment", "pool", "hh:0", "ZX", "1"), ctype: "text/plain", status: 400, want: []string{`"code":"invalid_json"`, `Content-Type`}},
			{name: "no key", method: "POST", path: base + "/transfers", body: transfer("", "adjustment", "pool", "hh:0", "ZX", "1"), status: 400, want: []string{`"code":"invalid_key"`, `"field":"key"`}},
			{name: "unknown kind", method: "POST", path: base + "/transfers", body: transfer("k", "gift", "pool", "hh:0", "ZX", "1"), status: 400, want: []string{`"code":"invalid_transfer"`, `"field":"kind"`}},
			{name: "unknown account", method: "POST", path: base + "/transfers", body: transfer("ua", "adjustment", "pool", "nobody", "ZX", "1"), status: 404, want: []string{`"code":"unknown_account"`, `"field":"to"`}},
			{name: "unknown channel", method: "POST", path: base + "/transfers", body: transfer("uc", "adjustment", "pool", "hh:0", "NOPE", "1"), status: 404, want: []string{`"code":"unknown_channel"`, `"field":"legs[0].channel"`}},
			{name: "overdraft of a no-overdraft account", method: "POST", path: base + "/transfers", body: transfer("od", "adjustment", "hh:0", "hh:1", "ZX", "100.01"), status: 422, want: []string{`"code":"insufficient_funds"`, `"field":"legs[0].amount"`}},
			{name: "overdraft on a channel never held", method: "POST", path: base + "/transfers", body: transfer("od2", "adjustment", "hh:0", "hh:1", "JT", "0.01"), status: 422, want: []string{`"code":"insufficient_funds"`}},
			{name: "bad input wrote nothing", method: "GET", path: base + "/accounts/hh:0/balances", status: 200, balances: map[string]int64{"ZX": 10000}},

			// Idempotency.
			{name: "idempotent first", method: "POST", path: base + "/transfers", body: transfer("idem-1", "adjustment", "pool", "hh:1", "ZX", "12.34"), status: 202, want: []string{`"id":3,`, `"key":"idem-1"`}, noHeader: []string{"Idempotent-Replayed"}},
			{name: "idempotent replay", method: "POST", path: base + "/transfers", body: transfer("idem-1", "adjustment", "pool", "hh:1", "ZX", "12.34"), status: 200, want: []string{`"id":3,`, `"state":"pending"`}, header: map[string]string{"Idempotent-Replayed": "true"}},
			{name: "idempotent approved", method: "POST", path: ins + "3/decide", body: approve, token: second, status: 200, want: []string{`"transfers":[5]`}},
			{name: "idempotent replay in a batch", method: "POST", path: base + "/transfers", body: batch(transfer("idem-1", "adjustment", "pool", "hh:1", "ZX", "12.34")), status: 200, want: []string{`"id":3,`, `"state":"posted"`, `"transfers":[5]`}, header: map[string]string{"Idempotent-Replayed": "true"}},
			{name: "same key other body", method: "POST", path: base + "/transfers", body: transfer("idem-1", "adjustment", "pool", "hh:1", "ZX", "12.35"), status: 409, want: []string{`"code":"idempotency_conflict"`, `"field":"key"`}},
			{name: "replay paid once", method: "GET", path: base + "/accounts/hh:1/balances", status: 200, balances: map[string]int64{"ZX": 2234, "JT": 2050}},

			// Balances, now and as of a date.
			{name: "pool balances", method: "GET", path: base + "/accounts/pool/balances", status: 200, want: []string{`"account":"pool"`, `"channel_name":"中央专项扶贫资金"`, `"amount":"877.66"`}, balances: map[string]int64{"ZX": 87766, "JT": 47950}},
			{name: "balances as of long ago", method: "GET", path: base + "/accounts/pool/balances?as_of=2000-01-01", status: 200, want: []string{`"as_of":"2000-01-01"`, `"total_fen":0`}, balances: map[string]int64{}},
			{name: "balances as of the far future", method: "GET", path: base + "/accounts/pool/balances?as_of=2999-12-31", status: 200, balances: map[string]int64{"ZX": 87766, "JT": 47950}},
			{name: "balances as of a bad date", method: "GET", path: base + "/accounts/pool/balances?as_of=bad", status: 400, want: []string{`"code":"invalid_date"`, `"field":"as_of"`}},
			{name: "balances of an unknown account", method: "GET", path: base + "/accounts/nobody/balances", status: 404, want: []string{`"code":"unknown_account"`}},
			{name: "account", method: "GET", path: base + "/accounts/hh:0", status: 200, want: []string{`"code":"hh:0"`, `"kind":"household"`, `"no_overdraft":true`, `"place":"990101100201"`}},
			{name: "unknown account read", method: "GET", path: base + "/accounts/nobody", status: 404, want: []string{`"code":"unknown_account"`}},
			{name: "list accounts", method: "GET", path: base + "/accounts?kind=household", status: 200, want: []string{`"code":"hh:0"`, `"code":"hh:1"`}, reject: []string{`"code":"pool"`}},
			{name: "statement", method: "GET", path: base + "/accounts/hh:1/statement", status: 200, want: []string{`"lines":[`, `"direction":"in"`, `"key":"idem-1"`}},

			// Reading transfers.
			{name: "get transfer", method: "GET", path: base + "/transfers/2", status: 200, want: []string{`"id":2,`, `"key":"pay-1"`, `"reversed_by":0`}},
			{name: "unknown transfer", method: "GET", path: base + "/transfers/999999", status: 404, want: []string{`"code":"unknown_transfer"`}},
			{name: "bad transfer id", method: "GET", path: base + "/transfers/abc", status: 400, want: []string{`"code":"invalid_id"`}},
			{name: "list transfers", method: "GET", path: base + "/transfers?limit=2", status: 200, want: []string{`"id":5,`, `"id":4,`}, reject: []string{`"id":3,`}},
			{name: "bad limit", method: "GET", path: base + "/transfers?limit=0", status: 400, want: []string{`"code":"invalid_query"`, `"field":"limit"`}},

			// Reversal.
			{name: "reverse", method: "POST", path: base + "/transfers/2/reverse", body: `{"key":"rev-2","memo":"wrong household"}`, status: 202,
				want: []string{`"id":4,`, `"kind":"reversal"`, `"state":"pending"`, `"amount":"100.00"`}},
			{name: "the reversal approved", method: "POST", path: ins + "4/decide", body: approve, token: second, status: 200, want: []string{`"transfers":[6]`}},
			{name: "the reversal posted", method: "GET", path: base + "/transfers/6", status: 200,
				want: []string{`"id":6,`, `"kind":"reversal"`, `"reverses":2`, `"from":"hh:0"`, `"to":"pool"`, `"amount":"100.00"`}},
			{name: "reversal restored hh:0", method: "GET", path: base + "/accounts/hh:0/balances", status: 200, balances: map[string]int64{}},
			{name: "reversal restored the pool", method: "GET", path: base + "/accounts/pool/balances", status: 200, balances: map[string]int64{"ZX": 97766, "JT": 47950}},
			{name: "transfer shows its reversal", method: "GET", path: base + "/transfers/2", status: 200, want: []string{`"reversed_by":6`}},
			{name: "reverse again, same key", method: "POST", path: base + "/transfers/2/reverse", body: `{"key":"rev-2","memo":"wrong household"}`, status: 200, want: []string{`"id":4,`, `"transfers":[6]`}, header: map[string]string{"Idempotent-Replayed": "true"}},
			{name: "reverse again, other key", method: "POST", path: base + "/transfers/2/reverse", body: `{"key":"rev-2b"}`, status: 409, want: []string{`"code":"already_reversed"`}},
			{name: "reverse a reversal", method: "POST", path: base + "/transfers/6/reverse", body: `{"key":"rev-6"}`, status: 422, want: []string{`"code":"cannot_reverse_reversal"`}},
			{name: "reverse an unknown transfer", method: "POST", path: base + "/transfers/999999/reverse", body: `{"key":"rev-x"}`, status: 404, want: []string{`"code":"unknown_transfer"`}},
			{name: "reverse without a key", method: "POST", path: base + "/transfers/3/reverse", body: `{}`, status: 400, want: []string{`"code":"invalid_key"`}},
			{name: "reverse with an unknown field", method: "POST", path: base + "/transfers/3/reverse", body: `{"key":"r3","why":"x"}`, status: 400, want: []string{`"code":"invalid_json"`, `"field":"why"`}},

			// Trace.
			{name: "trace a channel", method: "GET", path: base + "/trace?channel=ZX", status: 200,
				want: []string{`"nodes":[`, `"edges":[`, `"holdings":[`, `"code":"treasury"`, `"code":"pool"`, `"code":"hh:1"`, `"channels":[{"code":"ZX"`, `"truncated":false`}},
			{name: "trace an account", method: "GET", path: base + "/trace?account=hh:1", status: 200,
				want: []string{`"nodes":[`, `"edges":[`, `"holdings":[{`, `"code":"treasury"`, `"amount":"22.34"`}},
			{name: "trace without parameters", method: "GET", path: base + "/trace", status: 400, want: []string{`"code":"invalid_query"`}},
			{name: "trace an unknown channel", method: "GET", path: base + "/trace?channel=NOPE", status: 404, want: []string{`"code":"unknown_channel"`}},
			{name: "trace an unknown account", method: "GET", path: base + "/trace?account=nobody", status: 404, want: []string{`"code":"unknown_account"`}},

			// Routing.
			{name: "invalid county", method: "GET", path: "/api/v1/ledger/12ab/transfers", status: 400, want: []string{`"code":"invalid_county"`, `"field":"county"`}},
			{name: "invalid county on a write", method: "POST", path: "/api/v1/ledger/12ab/transfers", body: transfer("ic", "adjustment", "pool", "hh:0", "ZX", "1"), status: 400, want: []string{`"code":"invalid_county"`}},
			{name: "unknown API route", method: "GET", path: "/api/v1/nope", status: 404, want: []string{`"code":"not_found"`, `/api/v1/nope`}},
			{name: "unknown API route needs a token", method: "GET", path: "/api/v1/nope", token: noToken, status: 401, want: []string{`"code":"unauthenticated"`}},
			{name: "wrong method on an API route", method: "DELETE", path: base + "/transfers/2", status: 404, want: []string{`"code":"not_found"`}},
		}

		bodies := map[string][]byte{}
		for _, s := range scenarios {
			w := c.do(s.method, s.path, s.body, s.token, s.ctype)
			body := w.Body.Bytes()
			bodies[s.name] = body
			if w.Code != s.status {
				t.Errorf("%s: %s %s: status %d, want %d: %s", s.name, s.method, s.path, w.Code, s.status, body)
				continue
			}
			checkSecurityHeaders(t, s.name, w.Header())
			if !json.Valid(body) {
				t.Errorf("%s: body is not JSON: %s", s.name, body)
			}
			for _, want := range s.want {
				if !strings.Contains(string(body), want) {
					t.Errorf("%s: body lacks %s: %s", s.name, want, body)
				}
			}
			for _, r := range s.reject {
				if strings.Contains(string(body), r) {
					t.Errorf("%s: body has %s: %s", s.name, r, body)
				}
			}
			if s.status >= 400 && !strings.Contains(string(body), `"error":{"code":`) {
				t.Errorf("%s: error body is not {\"error\":{…}}: %s", s.name, body)
			}
			for k, v := range s.header {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s: header %s = %q, want %q", s.name, k, got, v)
				}
			}
			for _, k := range s.noHeader {
				if got, ok := w.Header()[http.CanonicalHeaderKey(k)]; ok {
					t.Errorf("%s: unexpected header %s: %q", s.name, k, got)
				}
			}
			if s.sameBodyAs != "" {
				prev, ok := bodies[s.sameBodyAs]
				if !ok {
					t.Fatalf("%s: no earlier scenario %q", s.name, s.sameBodyAs)
				}
				if !bytes.Equal(prev, body) {
					t.Errorf("%s: body differs from %q:\n%s\n%s", s.name, s.sameBodyAs, prev, body)
				}
			}
			if s.balances != nil {
				got := decodeBalances(t, body)
				for ch, fen := range got {
					if fen != s.balances[ch] {
						t.Errorf("%s: balance on %s = %d fen, want %d", s.name, ch, fen, s.balances[ch])
					}
				}
				for ch, fen := range s.balances {
					if _, ok := got[ch]; !ok && fen != 0 {
						t.Errorf("%s: no balance on %s, want %d fen", s.name, ch, fen)
					}
				}
			}
		}

		// The kind walk: every kind a capability owns is refused here and
		// writes nothing; only adjustments are entered.
		for _, kind := range ledger.TransferKinds {
			w := c.do("POST", base+"/transfers", transfer("walk-"+kind, kind, "pool", "hh:0", "ZX", "1"), "", "")
			if kind == "adjustment" {
				if w.Code != http.StatusAccepted {
					t.Errorf("kind %s: %d %s", kind, w.Code, w.Body)
				}
				continue
			}
			if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `"code":"capability_kind"`) {
				t.Errorf("kind %s through the ledger API: %d %s", kind, w.Code, w.Body)
			}
		}

		rep, err := ledger.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) > 0 {
			t.Fatalf("ledger verify: %v", rep.Problems)
		}
		if rep.Transfers != 6 {
			t.Errorf("ledger has %d transfers, want 6 (arrival, payment, batch of 2, idempotent, reversal)", rep.Transfers)
		}
		aud, err := audit.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(aud) > 0 {
			t.Fatalf("audit verify: %v", aud)
		}
	})
}

// TestAPIAmountFenAndEmptyToken checks that amount_fen alone and a grouped
// yuan string ("1,234.56") are accepted in a leg, and that bad tokens are
// refused.
func TestAPIAmountFenAndEmptyToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newTestServer(t, db)
		c := apiClient{t, h}
		c.must("POST", base+"/channels", `{"code":"ZX","name":"中央专项扶贫资金"}`, http.StatusCreated)
		c.must("POST", base+"/accounts", `{"accounts":[{"code":"treasury","kind":"external","name":"国库","place":"990101"},{"code":"pool","kind":"pool","name":"资金池","place":"990101","no_overdraft":true}]}`, http.StatusCreated)
		body := c.must("POST", base+"/transfers", `{"key":"a","kind":"adjustment","from":"treasury","to":"pool","legs":[{"channel":"ZX","amount_fen":1234}]}`, http.StatusAccepted)
		if !strings.Contains(string(body), `"amount":"12.34","amount_fen":1234`) {
			t.Fatalf("amount_fen leg: %s", body)
		}
		body = c.must("POST", base+"/transfers", `{"key":"b","from":"treasury","to":"pool","legs":[{"channel":"ZX","amount":"1,234.56"}]}`, http.StatusAccepted)
		if !strings.Contains(string(body), `"amount":"1234.56","amount_fen":123456`) {
			t.Fatalf("grouped amount: %s", body)
		}

		// Tokens that are empty, malformed or of no user are refused.
		for _, tok := range []string{"Bearer ", "Bearer x", "Bearer op_x", "Bearer " + token + "x", ""} {
			r := httptest.NewRequest("GET", base+"/channels", nil)
			if tok != "" {
				r.Header.Set("Authorization", tok)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("Authorization %q: status %d, want 401", tok, w.Code)
			}
		}
	})
}
