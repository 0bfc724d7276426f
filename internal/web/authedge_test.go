package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"onepool/internal/app"
	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// edgeClock is a settable clock shared by the server and auth.
type edgeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *edgeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *edgeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type edgeOpts struct {
	limits  web.Limits
	proxies string
	auth    auth.Config
}

// edgeServer is the demo county's server on a clock the test moves.
func edgeServer(t *testing.T, db *store.DB, o edgeOpts) (*web.Server, *auth.Service, *edgeClock) {
	t.Helper()
	clk := &edgeClock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	o.auth.ArgonMemoryKiB, o.auth.ArgonTime = 64, 1
	a := auth.New(db, clk.now, o.auth)
	l := ledger.New(db, clk.now)
	runDemo(t, l, "")
	d := web.Deps{DB: db, Ledger: l, Auth: a, Clock: clk.now, Limits: o.limits}
	if o.proxies != "" {
		var err error
		if d.Proxies, err = web.ParseProxies(o.proxies); err != nil {
			t.Fatal(err)
		}
	}
	return app.Server(d), a, clk
}

var newTokenRe = regexp.MustCompile(`<pre id="new-token">(op_[A-Za-z0-9_\-]+)</pre>`)

// issue asks for a token on the tokens page and returns it.
func issue(t *testing.T, b *browser, label, days string) string {
	t.Helper()
	w := b.form("/system/tokens", "/system/tokens", url.Values{"label": {label}, "days": {days}})
	m := newTokenRe.FindStringSubmatch(w.Body.String())
	if w.Code != 200 || m == nil {
		t.Fatalf("issue %s: %d %.500s", label, w.Code, w.Body)
	}
	return m[1]
}

// apiGet calls the API with a bearer token (from addr when not "").
func apiGet(h http.Handler, tok, addr string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/api/v1/ledger/990101/channels", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	if addr != "" {
		r.RemoteAddr = addr + ":4711"
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func wantAPI(t *testing.T, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if w.Code != status || (code != "" && !strings.Contains(w.Body.String(), `"code":"`+code+`"`)) {
		t.Errorf("status %d %s, want %d %s", w.Code, w.Body, status, code)
	}
}

// TestTokensExpireAndRevoke: on the tokens page a user issues a token for
// a number of days, sees it listed, revokes it (with the form's CSRF
// token only); an administrator sees and revokes other users' tokens; a
// password reset stops them all; an expired or revoked token answers 401
// with its own code.
func TestTokensExpireAndRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h, _, clk := edgeServer(t, db, edgeOpts{})
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))

		for _, d := range []string{"0", "366", "x"} {
			w := fin.form("/system/tokens", "/system/tokens", url.Values{"label": {"bad"}, "days": {d}})
			if w.Code != 400 || !strings.Contains(w.Body.String(), `id="form-error"`) || strings.Contains(w.Body.String(), "new-token") {
				t.Errorf("days %q: %d", d, w.Code)
			}
		}
		ci := issue(t, fin, "ci", "30")
		wantAPI(t, apiGet(h, ci, ""), 200, "")
		page := fin.do("GET", "/system/tokens", nil, "").Body.String()
		for _, want := range []string{`id="own-tokens"`, "<td>ci</td>", "有效", "/system/tokens/revoke", "2026-12-22 17:00"} {
			if !strings.Contains(page, want) {
				t.Errorf("tokens page lacks %q", want)
			}
		}
		// Without the form's token nothing is revoked.
		w := fin.do("POST", "/system/tokens/revoke", []byte("id=1"), "application/x-www-form-urlencoded")
		if w.Code != http.StatusForbidden {
			t.Errorf("revoke without CSRF: %d", w.Code)
		}
		wantAPI(t, apiGet(h, ci, ""), 200, "")
		w = fin.form("/system/tokens", "/system/tokens/revoke", url.Values{"id": {"1"}})
		if w.Code != 200 || !strings.Contains(w.Body.String(), "令牌已作废") || !strings.Contains(w.Body.String(), "已作废 (本人作废") {
			t.Errorf("revoke: %d %.300s", w.Code, w.Body)
		}
		wantAPI(t, apiGet(h, ci, ""), 401, "token_revoked")
		if w := fin.form("/system/tokens", "/system/tokens/revoke", url.Values{"id": {"1"}}); w.Code != http.StatusConflict {
			t.Errorf("revoked twice: %d", w.Code)
		}
		// Another user cannot revoke fin's token; an administrator can.
		bank := issue(t, fin, "bank", "90")
		officer := newBrowser(t, h)
		officer.login("demo.township", demo.Password("demo.township"))
		if w := officer.form("/system/tokens", "/system/tokens/revoke", url.Values{"username": {"demo.finance"}, "id": {"2"}}); w.Code != http.StatusForbidden && w.Code != http.StatusNotFound {
			t.Errorf("a township officer revoked a county token: %d", w.Code)
		}
		wantAPI(t, apiGet(h, bank, ""), 200, "")
		admin := newBrowser(t, h)
		admin.login("demo.admin", demo.Password("demo.admin"))
		page = admin.do("GET", "/system/tokens", nil, "").Body.String()
		if !strings.Contains(page, `id="other-tokens"`) || !strings.Contains(page, "<td>demo.finance</td>") || !strings.Contains(page, "<td>bank</td>") {
			t.Errorf("the administrator does not see fin's tokens: %.2000s", page)
		}
		if w := admin.form("/system/tokens", "/system/tokens/revoke", url.Values{"username": {"demo.finance"}, "id": {"2"}}); w.Code != 200 {
			t.Errorf("administrator revoke: %d", w.Code)
		}
		wantAPI(t, apiGet(h, bank, ""), 401, "token_revoked")
		// A password reset stops every token of the user.
		sync1 := issue(t, fin, "sync", "90")
		if w := admin.form("/system/users", "/system/users/demo.finance/password", url.Values{"password": {"a-new-long-password"}}); w.Code != 200 {
			t.Fatalf("reset: %d", w.Code)
		}
		wantAPI(t, apiGet(h, sync1, ""), 401, "token_revoked")
		// 90 days later a token is expired.
		fin = newBrowser(t, h)
		fin.login("demo.finance", "a-new-long-password")
		later := issue(t, fin, "later", "90")
		clk.add(90*24*time.Hour - time.Minute)
		wantAPI(t, apiGet(h, later, ""), 200, "")
		clk.add(time.Minute)
		wantAPI(t, apiGet(h, later, ""), 401, "token_expired")

		recs, _ := audit.List(context.Background(), db, audit.Filter{County: "990101", Action: "token.", Limit: 100})
		n := map[string]int{}
		for _, r := range recs {
			n[r.Action]++
		}
		if n["token.issue"] != 4 || n["token.revoke"] != 2 {
			t.Errorf("token audit entries: %v", n)
		}
	})
}

// TestRateLimits: over its limit a token, a user or an address gets 429
// too_many with Retry-After and a message, and is served again once the
// bucket refills; sign-in is limited per user name from any address, with
// a Chinese message on the page.
func TestRateLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		lim := web.Limits{
			APIToken:   web.Limit{Rate: 1, Burst: 3},
			APIUser:    web.Limit{Rate: 1, Burst: 5},
			APIAddress: web.Limit{Rate: 1, Burst: 8},
			LoginUser:  web.Limit{Rate: 0.1, Burst: 2},
		}
		h, a, clk := edgeServer(t, db, edgeOpts{limits: lim})
		ctx := context.Background()
		fin, _ := a.FindUser(ctx, "demo.finance")
		t1, _ := a.IssueToken(ctx, fin.Principal(), "one")
		t2, _ := a.IssueToken(ctx, fin.Principal(), "two")
		rural, _ := a.FindUser(ctx, "demo.rural")
		t3, _ := a.IssueToken(ctx, rural.Principal(), "three")

		// Per token: 3, then 429 with Retry-After.
		for range 3 {
			wantAPI(t, apiGet(h, t1, "10.0.0.1"), 200, "")
		}
		w := apiGet(h, t1, "10.0.0.1")
		wantAPI(t, w, 429, "too_many")
		if w.Header().Get("Retry-After") != "1" || !strings.Contains(w.Body.String(), "too many requests from this token; try again in 1 s") {
			t.Errorf("429: Retry-After %q, %s", w.Header().Get("Retry-After"), w.Body)
		}
		// Per user: the second token of the same user has 2 left of 5.
		wantAPI(t, apiGet(h, t2, "10.0.0.2"), 200, "")
		wantAPI(t, apiGet(h, t2, "10.0.0.2"), 200, "")
		w = apiGet(h, t2, "10.0.0.2")
		wantAPI(t, w, 429, "too_many")
		if !strings.Contains(w.Body.String(), "from this user") {
			t.Errorf("user limit: %s", w.Body)
		}
		// Another user is not limited by fin's use …
		wantAPI(t, apiGet(h, t3, "10.0.0.3"), 200, "")
		// … but one address is, whoever calls from it: 10.0.0.9 has 8.
		for range 2 {
			wantAPI(t, apiGet(h, t3, "10.0.0.9"), 200, "")
		}
		for range 6 {
			wantAPI(t, apiGet(h, "op_nonsense", "10.0.0.9"), 401, "unauthenticated")
		}
		w = apiGet(h, t3, "10.0.0.9")
		wantAPI(t, w, 429, "too_many")
		if !strings.Contains(w.Body.String(), "from this address") {
			t.Errorf("address limit: %s", w.Body)
		}
		// A second later, one more request each.
		clk.add(time.Second)
		wantAPI(t, apiGet(h, t1, "10.0.0.1"), 200, "")
		wantAPI(t, apiGet(h, t1, "10.0.0.1"), 429, "too_many")

		// Sign-in per user name, whatever the address: 2, then 429.
		for i, addr := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3"} {
			b := newBrowser(t, h)
			m := csrfRe.FindStringSubmatch(b.do("GET", "/login", nil, "").Body.String())
			r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"csrf": {m[1]}, "username": {"demo.finance"}, "password": {"wrong"}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.AddCookie(&http.Cookie{Name: "op_csrf", Value: b.cookies["op_csrf"]})
			r.RemoteAddr = addr + ":1"
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if i < 2 && w.Code != http.StatusUnauthorized {
				t.Errorf("sign-in %d: %d", i, w.Code)
			}
			if i == 2 && (w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "10" || !strings.Contains(w.Body.String(), "登录尝试过于频繁，请 10 秒后再试")) {
				t.Errorf("sign-in over the limit: %d %q %.300s", w.Code, w.Header().Get("Retry-After"), w.Body)
			}
		}
		recs, _ := audit.List(ctx, db, audit.Filter{Action: "auth.login", Limit: 100})
		throttled := 0
		for _, r := range recs {
			if r.Outcome == "throttled" {
				throttled++
			}
		}
		if throttled != 1 {
			t.Errorf("throttled sign-ins in the audit log: %d", throttled)
		}
	})
}

// TestDeniedAccessIsFolded: a token hammering a route it may not use
// writes one audit entry at once and then one a minute with the count,
// not one per request; every refusal is counted exactly once.
func TestDeniedAccessIsFolded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h, a, clk := edgeServer(t, db, edgeOpts{})
		ctx := context.Background()
		twp, _ := a.FindUser(ctx, "demo.township")
		tok, _ := a.IssueToken(ctx, twp.Principal(), "x")
		post := func() int {
			r := httptest.NewRequest("POST", "/api/v1/ledger/990101/channels", strings.NewReader(`{"code":"X","name":"x"}`))
			r.Header.Set("Authorization", "Bearer "+tok)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w.Code
		}
		denied := func() []audit.Record {
			recs, err := audit.List(ctx, db, audit.Filter{County: "990101", Action: "access.denied", Actor: "demo.township", Limit: 10000})
			if err != nil {
				t.Fatal(err)
			}
			return recs
		}
		const n = 2000
		for i := range n {
			if c := post(); c != http.StatusForbidden {
				t.Fatalf("request %d: %d", i, c)
			}
			if i%100 == 0 {
				clk.add(time.Second) // 2,000 requests over 20 seconds
			}
		}
		if got := len(denied()); got != 1 {
			t.Fatalf("%d access.denied rows within a minute, want 1", got)
		}
		clk.add(time.Minute)
		h.FlushAudit(ctx, false)
		recs := denied()
		if len(recs) != 2 {
			t.Fatalf("%d rows after the minute, want 2", len(recs))
		}
		var after struct {
			Count  int    `json:"count"`
			Reason string `json:"reason"`
		}
		if err := json.Unmarshal([]byte(recs[0].After), &after); err != nil {
			t.Fatal(err)
		}
		if after.Count != n-1 || after.Reason == "" || recs[0].Object != "POST /api/v1/ledger/{county}/channels" || recs[0].Outcome != "denied, repeated" {
			t.Errorf("folded entry: %+v %s", recs[0], recs[0].After)
		}
		// Quiet for a minute, the next refusal is written at once again.
		clk.add(2 * time.Minute)
		post()
		if got := len(denied()); got != 3 {
			t.Errorf("after a quiet minute: %d rows, want 3", got)
		}
	})
}

// TestTrustedProxies: behind a listed proxy the client is the rightmost
// address of X-Forwarded-For that is not a proxy, so a client rotating
// the header it sends is still throttled; a client that is not a proxy
// is taken at its connection's address whatever it claims.
func TestTrustedProxies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h, _, _ := edgeServer(t, db, edgeOpts{proxies: "10.0.0.5,10.1.0.0/16", auth: auth.Config{IPFailures: 3}})
		try := func(peer, xff string) int {
			b := newBrowser(t, h)
			m := csrfRe.FindStringSubmatch(b.do("GET", "/login", nil, "").Body.String())
			r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"csrf": {m[1]}, "username": {"nobody"}, "password": {"wrong"}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.AddCookie(&http.Cookie{Name: "op_csrf", Value: b.cookies["op_csrf"]})
			r.RemoteAddr = peer + ":1"
			if xff != "" {
				r.Header.Set("X-Forwarded-For", xff)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w.Code
		}
		// Through the proxy 10.0.0.5 (and 10.1.2.3 before it), the client
		// 203.0.113.7 rotates what it puts in front.
		for i := range 3 {
			if c := try("10.0.0.5", fmt.Sprintf("198.18.%d.1, 203.0.113.7, 10.1.2.3", i)); c != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i, c)
			}
		}
		if c := try("10.0.0.5", "198.18.99.1, 203.0.113.7, 10.1.2.3"); c != http.StatusTooManyRequests {
			t.Errorf("a client rotating X-Forwarded-For escaped the throttle: %d", c)
		}
		// Another client behind the same proxy is not throttled.
		if c := try("10.0.0.5", "203.0.113.8"); c != http.StatusUnauthorized {
			t.Errorf("another client behind the proxy: %d", c)
		}
		// A client that is not a proxy: X-Forwarded-For is not believed.
		for i := range 3 {
			try("198.51.100.9", fmt.Sprintf("203.0.113.%d", 100+i))
		}
		if c := try("198.51.100.9", "203.0.113.200"); c != http.StatusTooManyRequests {
			t.Errorf("a direct client rotating X-Forwarded-For escaped the throttle: %d", c)
		}
		if c := try("198.51.100.10", "198.51.100.9"); c != http.StatusUnauthorized {
			t.Errorf("a direct client naming a throttled address was throttled: %d", c)
		}
	})
	if _, err := web.ParseProxies("10.0.0.5, ::1, 10.1.0.0/16"); err != nil {
		t.Error(err)
	}
	if _, err := web.ParseProxies("10.0.0.300"); err == nil {
		t.Error("a bad address was accepted")
	}
	_ = netip.Addr{}
}

// TestRedirectsStayLocal: ?next= and the language switch's next= go only
// to paths on this site, whatever the encoding tricks.
func TestRedirectsStayLocal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h, _, _ := edgeServer(t, db, edgeOpts{})
		for _, c := range []struct {
			next, want string
		}{
			{"/ledger/accounts?kind=project", "/ledger/accounts?kind=project"},
			{"/projects/2027-001", "/projects/2027-001"},
			{"/\t/evil.example/", "/"},
			{"/%09/evil.example/", "/"},
			{"//evil.example/", "/"},
			{"/\\evil.example", "/"},
			{"/%5Cevil.example", "/"},
			{"/%2F/evil.example", "/"},
			{"/%2f%2fevil.example", "/"},
			{"/\n/evil.example", "/"},
			{"/%0d%0aSet-Cookie:x=1", "/"},
			{"/ /evil.example", "/"},
			{"/\u3000/evil.example", "/"},
			{"/\u200b/evil.example", "/"},
			{"/%E2%80%8B/evil.example", "/"},
			{"/%ff/x", "/"},
			{"/%zz", "/"},
			{"https://evil.example/", "/"},
			{"evil.example", "/"},
			{"javascript:alert(1)", "/"},
			{"\\\\evil.example", "/"},
			{"", "/"},
		} {
			b := newBrowser(t, h)
			w := b.form("/login", "/lang", url.Values{"lang": {"zh"}, "next": {c.next}})
			if got := w.Header().Get("Location"); w.Code != http.StatusSeeOther || got != c.want {
				t.Errorf("next %q: %d → %q, want %q", c.next, w.Code, got, c.want)
			}
		}
		// The finding as it was reported: /login?next=/%09/evil.example/.
		b := newBrowser(t, h)
		page := b.do("GET", "/login?next=/%09/evil.example/", nil, "").Body.String()
		if !strings.Contains(page, `<input type="hidden" name="next" value="/desk">`) {
			t.Errorf("the login form keeps the off-site next")
		}
		w := b.form("/login?next=/%09/evil.example/", "/login", url.Values{"username": {"demo.finance"}, "password": {demo.Password("demo.finance")}, "next": {"/\t/evil.example/"}})
		if got := w.Header().Get("Location"); got != "/desk" {
			t.Errorf("sign-in redirects to %q", got)
		}
	})
}

// TestStrictJSONBodies: a duplicate key at any depth or bytes that are
// not UTF-8 are refused with invalid_json naming the key; nothing is
// written.
func TestStrictJSONBodies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newTestServer(t, db)
		c := apiClient{t, h}
		c.must("POST", base+"/channels", `{"code":"ZX","name":"中央专项扶贫资金"}`, http.StatusCreated)
		c.must("POST", base+"/accounts", `{"accounts":[
			{"code":"treasury","kind":"external","name":"国库","place":"990101000000"},
			{"code":"pool","kind":"pool","name":"资金池","place":"990101000000","no_overdraft":true},
			{"code":"hh:0","kind":"household","name":"农户0","place":"990101100201","no_overdraft":true}]}`, http.StatusCreated)
		c.must("POST", base+"/transfers", transfer("arr-1", "adjustment", "treasury", "pool", "ZX", "1000.00"), http.StatusAccepted)
		if w := c.do("POST", "/api/v1/instructions/990101/1/decide", `{"action":"approve"}`, "Bearer "+token2, ""); w.Code != http.StatusOK {
			t.Fatalf("the second person approves: %d %s", w.Code, w.Body)
		}
		for _, b := range []struct {
			name, body, field string
		}{
			{"top-level key twice", `{"key":"d1","kind":"payment","from":"pool","to":"hh:0","to":"treasury","legs":[{"channel":"ZX","amount":"1"}]}`, "to"},
			{"a leg's amount twice", `{"key":"d2","kind":"payment","from":"pool","to":"hh:0","legs":[{"channel":"ZX","amount":"1","amount":"900"}]}`, "legs[0].amount"},
			{"in the second transfer of a batch", `{"transfers":[{"key":"d3","kind":"payment","from":"pool","to":"hh:0","legs":[{"channel":"ZX","amount":"1"}]},{"key":"d4","kind":"payment","from":"pool","to":"hh:0","legs":[{"channel":"ZX","amount":"1"},{"channel":"ZX","channel":"ZX","amount":"1"}]}]}`, "transfers[1].legs[1].channel"},
			{"the same key escaped", `{"key":"d5","k\u0065y":"d6","kind":"payment","from":"pool","to":"hh:0","legs":[{"channel":"ZX","amount":"1"}]}`, "key"},
			{"a memo not UTF-8", "{\"key\":\"d7\",\"kind\":\"payment\",\"from\":\"pool\",\"to\":\"hh:0\",\"memo\":\"\xff\xfe\",\"legs\":[{\"channel\":\"ZX\",\"amount\":\"1\"}]}", "memo"},
			{"a key not UTF-8", "{\"key\":\"d8\",\"kind\":\"payment\",\"from\":\"pool\",\"to\":\"hh:0\",\"m\xc3\":\"x\",\"legs\":[{\"channel\":\"ZX\",\"amount\":\"1\"}]}", "m\ufffd"},
		} {
			w := c.do("POST", base+"/transfers", b.body, "", "")
			var resp struct {
				Error struct{ Code, Field, Message string }
			}
			json.Unmarshal(w.Body.Bytes(), &resp)
			if w.Code != 400 || resp.Error.Code != "invalid_json" || resp.Error.Field != b.field {
				t.Errorf("%s: %d %s, want invalid_json naming %q", b.name, w.Code, w.Body, b.field)
			}
		}
		if bal := decodeBalances(t, c.must("GET", base+"/accounts/hh:0/balances", "", 200)); bal["ZX"] != 0 {
			t.Errorf("a refused body moved money: %v", bal)
		}
		// A channel's name given twice is refused as well.
		w := c.do("POST", base+"/channels", `{"code":"JT","name":"交通","name":"别的"}`, "", "")
		if w.Code != 400 || !strings.Contains(w.Body.String(), `"field":"name"`) {
			t.Errorf("channel with a name twice: %d %s", w.Code, w.Body)
		}
		// Repeating a key in different objects is fine.
		c.must("POST", base+"/transfers", batch(transfer("ok-1", "adjustment", "pool", "hh:0", "ZX", "1"), transfer("ok-2", "adjustment", "pool", "hh:0", "ZX", "2")), http.StatusAccepted)
		// The size bound holds.
		big := `{"code":"X","name":"` + strings.Repeat("a", 16<<20) + `"}`
		if w := c.do("POST", base+"/channels", big, "", ""); w.Code != 400 || !strings.Contains(w.Body.String(), "invalid_json") {
			t.Errorf("a 16 MiB body: %d", w.Code)
		}
	})
}
