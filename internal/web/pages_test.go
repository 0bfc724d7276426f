package web_test

import (
	"bytes"
	"crypto/tls"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// browser is a cookie-keeping client of a handler, for page tests.
type browser struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]string
	tls     bool
	headers map[string]string
}

func newBrowser(t *testing.T, h http.Handler) *browser {
	return &browser{t: t, h: h, cookies: map[string]string{}, headers: map[string]string{}}
}

func (b *browser) do(method, path string, body []byte, ctype string) *httptest.ResponseRecorder {
	b.t.Helper()
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if b.tls {
		r.TLS = &tls.ConnectionState{}
	}
	for k, v := range b.headers {
		r.Header.Set(k, v)
	}
	for k, v := range b.cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return w
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([0-9a-zA-Z_\-]+)"`)

// form GETs page, takes its CSRF token and POSTs the values to action.
func (b *browser) form(page, action string, v url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	m := csrfRe.FindStringSubmatch(b.do("GET", page, nil, "").Body.String())
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", page)
	}
	v.Set("csrf", m[1])
	return b.do("POST", action, []byte(v.Encode()), "application/x-www-form-urlencoded")
}

func (b *browser) login(user, pw string) {
	b.t.Helper()
	w := b.form("/login", "/login", url.Values{"username": {user}, "password": {pw}})
	if w.Code != http.StatusSeeOther {
		b.t.Fatalf("login %s: %d %s", user, w.Code, w.Body)
	}
}

func demoServer(t *testing.T, db *store.DB, trustProxy bool) http.Handler {
	t.Helper()
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
	l := ledger.New(db, nil)
	runDemo(t, l, "")
	d := web.Deps{DB: db, Ledger: l, Auth: a}
	if trustProxy {
		// httptest's requests come from 192.0.2.1: that is the proxy.
		d.Proxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.1/32")}
	}
	return app.Server(d)
}

// TestCookiesAndHeaders: session cookies are HttpOnly and SameSite, Secure
// over HTTPS (directly, or via a trusted proxy only), and every page has
// the security headers.
func TestCookiesAndHeaders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, c := range []struct {
			name       string
			tls, proxy bool
			trust      bool
			secure     bool
		}{
			{"plain http", false, false, false, false},
			{"https", true, false, false, true},
			{"trusted proxy says https", false, true, true, true},
			{"untrusted proxy header", false, true, false, false},
		} {
			b := newBrowser(t, demoServer(t, db, c.trust))
			b.tls = c.tls
			if c.proxy {
				b.headers["X-Forwarded-Proto"] = "https"
			}
			w := b.form("/login", "/login", url.Values{"username": {"demo.finance"}, "password": {demo.Password("demo.finance")}})
			var sess *http.Cookie
			for _, ck := range w.Result().Cookies() {
				if ck.Name == "op_session" {
					sess = ck
				}
			}
			if sess == nil {
				t.Fatalf("%s: no session cookie: %d", c.name, w.Code)
			}
			if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure != c.secure {
				t.Errorf("%s: cookie HttpOnly=%v SameSite=%v Secure=%v", c.name, sess.HttpOnly, sess.SameSite, sess.Secure)
			}
			h := b.do("GET", "/desk", nil, "").Header()
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: CSP %q", c.name, csp)
			}
			if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: security headers %v", c.name, h)
			}
			if (h.Get("Strict-Transport-Security") != "") != c.secure {
				t.Errorf("%s: HSTS %q", c.name, h.Get("Strict-Transport-Security"))
			}
		}
	})
}

// TestTemplatesHaveNoInlineCode: the CSP forbids inline scripts, event
// handlers and style attributes, so no template may use them.
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	bad := regexp.MustCompile(`(?i)<script>|<script [^>]*>[^<]|\son[a-z]+=|\sstyle=|javascript:`)
	ents, _ := os.ReadDir("templates")
	for _, e := range ents {
		b, _ := os.ReadFile("templates/" + e.Name())
		if m := bad.FindString(string(b)); m != "" {
			t.Errorf("%s has inline code %q", e.Name(), m)
		}
	}
}

// TestAdministration: an administrator imports places, creates a user,
// disables them (ending their session), and finds it all in the audit log;
// a GET never changes state and a POST without the token is refused.
func TestAdministration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		admin := newBrowser(t, h)
		admin.login("demo.admin", demo.Password("demo.admin"))

		// Import a new village from a CSV upload.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		m := csrfRe.FindStringSubmatch(admin.do("GET", "/system/places", nil, "").Body.String())
		mw.WriteField("csrf", m[1])
		fw, _ := mw.CreateFormFile("file", "places.csv")
		fw.Write([]byte("代码,名称,上级代码\n990101001004,新建村,990101001000\n"))
		mw.Close()
		w := admin.do("POST", "/system/places", buf.Bytes(), mw.FormDataContentType())
		if w.Code != 200 || !strings.Contains(w.Body.String(), "新建村") || !strings.Contains(w.Body.String(), `id="import-done"`) {
			t.Fatalf("import: %d %s", w.Code, w.Body)
		}
		// A bad file: the row and the reason, nothing written.
		buf.Reset()
		mw = multipart.NewWriter(&buf)
		mw.WriteField("csrf", m[1])
		fw, _ = mw.CreateFormFile("file", "bad.csv")
		fw.Write([]byte("990101001005,好村,990101001000\n990101001006,坏村,990101009000\n"))
		mw.Close()
		w = admin.do("POST", "/system/places", buf.Bytes(), mw.FormDataContentType())
		if w.Code != 400 || !strings.Contains(w.Body.String(), "990101009000") || strings.Contains(w.Body.String(), "好村") {
			t.Fatalf("bad import: %d %s", w.Code, w.Body)
		}

		// Create a village cadre in the new village.
		w = admin.form("/system/users", "/system/users", url.Values{"username": {"new.cadre"}, "display_name": {"新村干部"}, "role": {"village"}, "place": {"990101001004"}, "password": {"a-long-password"}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("create user: %d %s", w.Code, w.Body)
		}
		w = admin.form("/system/users", "/system/users", url.Values{"username": {"new.cadre"}, "display_name": {"x"}, "role": {"village"}, "place": {"990101001004"}, "password": {"a-long-password"}})
		if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "已被使用") {
			t.Errorf("duplicate user: %d", w.Code)
		}
		cadre := newBrowser(t, h)
		cadre.login("new.cadre", "a-long-password")
		if w := cadre.do("GET", "/desk", nil, ""); w.Code != 200 || !strings.Contains(w.Body.String(), "新建村") {
			t.Fatalf("cadre desk: %d", w.Code)
		}

		// State never changes by GET, nor by POST without the token.
		if w := admin.do("GET", "/system/users/new.cadre/disable", nil, ""); w.Code != http.StatusMethodNotAllowed && w.Code != http.StatusNotFound {
			t.Errorf("GET disable: %d", w.Code)
		}
		if w := admin.do("POST", "/system/users/new.cadre/disable", nil, "application/x-www-form-urlencoded"); w.Code != http.StatusForbidden {
			t.Errorf("POST disable without CSRF: %d", w.Code)
		}
		if w := cadre.do("GET", "/desk", nil, ""); w.Code != 200 {
			t.Fatalf("the cadre was disabled without a valid request: %d", w.Code)
		}
		// Disable: the cadre's session ends at once.
		if w := admin.form("/system/users", "/system/users/new.cadre/disable", url.Values{}); w.Code != http.StatusSeeOther {
			t.Fatalf("disable: %d %s", w.Code, w.Body)
		}
		if w := cadre.do("GET", "/desk", nil, ""); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
			t.Errorf("a disabled user's session still works: %d", w.Code)
		}

		// The township officer is refused the audit log; the refusal is logged.
		officer := newBrowser(t, h)
		officer.login("demo.township", demo.Password("demo.township"))
		if w := officer.do("GET", "/audit", nil, ""); w.Code != http.StatusForbidden {
			t.Errorf("township audit: %d", w.Code)
		}
		// The auditor sees who did what, with before and after.
		auditor := newBrowser(t, h)
		auditor.login("demo.auditor", demo.Password("demo.auditor"))
		page := auditor.do("GET", "/audit?action=user.", nil, "").Body.String()
		for _, want := range []string{"user.create", "user.disable", "new.cadre", "&#34;disabled&#34;:true", "demo.admin"} {
			if !strings.Contains(page, want) {
				t.Errorf("audit page lacks %q", want)
			}
		}
		page = auditor.do("GET", "/audit?action=access.denied", nil, "").Body.String()
		if !strings.Contains(page, "GET /audit") || !strings.Contains(page, "demo.township") {
			t.Errorf("the denied access is not in the audit log")
		}
		page = auditor.do("GET", "/audit?action=auth.login&actor=new.cadre", nil, "").Body.String()
		if !strings.Contains(page, "new.cadre") || strings.Contains(page, "demo.township") {
			t.Errorf("audit filter by actor")
		}
		if w := auditor.do("GET", "/audit?from=yesterday", nil, ""); w.Code != 400 || !strings.Contains(w.Body.String(), "from") {
			t.Errorf("bad date filter: %d", w.Code)
		}
	})
}

// TestPublicPortal: without signing in, the public sees the county's funds
// and the latest payments to households (masked; a reversed payment is not
// a payment), and honest "coming" sections.
func TestPublicPortal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBrowser(t, demoServer(t, db, false))
		// The demo has two counties (the second adopted mid-year): /public lists both.
		if w := b.do("GET", "/public", nil, ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "/public/990101") || !strings.Contains(w.Body.String(), "/public/990102") {
			t.Fatalf("/public with two counties: %d %s", w.Code, w.Body)
		}
		page := b.do("GET", "/public/990101", nil, "").Body.String()
		for _, want := range []string{"青禾县（演示）", "中央财政衔接推进乡村振兴补助资金", "12,000,000.00", "程**", "白岩村", "即将公开"} {
			if !strings.Contains(page, want) {
				t.Errorf("public page lacks %q", want)
			}
		}
		for _, never := range []string{"程金山", "冯**", "hh:990101", "demo.", "退出"} {
			if strings.Contains(page, never) {
				t.Errorf("public page shows %q", never)
			}
		}
		if w := b.do("GET", "/public/990199", nil, ""); w.Code != http.StatusNotFound {
			t.Errorf("unknown county: %d", w.Code)
		}
	})
}

// TestPolicyPage: everyone on the desk sees the county's profile with its
// source; an administrator chooses another with overrides; a bad override
// names the key and changes nothing; the change is audited.
func TestPolicyPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		officer := newBrowser(t, h)
		officer.login("demo.township", demo.Password("demo.township"))
		page := officer.do("GET", "/system/policy", nil, "").Body.String()
		for _, want := range []string{"秭归县（湖北）", "严格：渠道不乱、用途不变", "3,000,000.00", "防汛救灾资金", "乡镇审核", "seed 001"} {
			if !strings.Contains(page, want) {
				t.Errorf("policy page lacks %q", want)
			}
		}
		if strings.Contains(page, `id="choose-policy"`) {
			t.Error("a township officer is offered the profile form")
		}
		admin := newBrowser(t, h)
		admin.login("demo.admin", demo.Password("demo.admin"))
		w := admin.form("/system/policy", "/system/policy", url.Values{"profile": {"zigui"}, "overrides": {"[funds]\nvillage_total_min = \"3,000,000.5x\""}})
		if w.Code != 400 || !strings.Contains(w.Body.String(), "funds.village_total_min") {
			t.Fatalf("bad override: %d %s", w.Code, w.Body)
		}
		w = admin.form("/system/policy", "/system/policy", url.Values{"profile": {"pingli"}, "overrides": {"[funds]\nmin_integration_ratio = \"65%\"\n"}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("choose pingli: %d %s", w.Code, w.Body)
		}
		page = officer.do("GET", "/system/policy", nil, "").Body.String()
		if !strings.Contains(page, "平利县（陕西）") || !strings.Contains(page, "65%") || !strings.Contains(page, "funds.min_integration_ratio") {
			t.Errorf("after choosing pingli: %s", page)
		}
		auditor := newBrowser(t, h)
		auditor.login("demo.auditor", demo.Password("demo.auditor"))
		if a := auditor.do("GET", "/audit?action=policy.", nil, "").Body.String(); !strings.Contains(a, "pingli") || !strings.Contains(a, "demo.admin") {
			t.Error("the policy change is not in the audit log")
		}
	})
}

// TestFundsPages: the finance bureau registers a channel, plans it, records
// its arrival and integration through the forms; a non-integrable channel
// is refused with the rule named and nothing moves; the report and its
// xlsx export follow.
func TestFundsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		post := func(action string, v url.Values) *httptest.ResponseRecorder {
			t.Helper()
			page := fin.do("GET", "/funds", nil, "").Body.String()
			if k := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page); k != nil && v.Get("key") == "" {
				v.Set("key", k[1])
			}
			return fin.form("/funds", action, v)
		}
		if w := post("/funds/channels", url.Values{"code": {"FX"}, "name": {"防汛救灾资金"}, "level": {"province"}, "category": {"disaster"}, "department": {"应急"}, "year": {"2026"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("register: %d %s", w.Code, w.Body)
		}
		if w := post("/funds/plans", url.Values{"channel": {"FX"}, "year": {"2026"}, "amount": {"600,000"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("plan: %d %s", w.Code, w.Body)
		}
		arrival := url.Values{"channel": {"FX"}, "amount": {"300,000"}, "day": {"2026-06-01"}, "doc_no": {"应急〔2026〕2号"}, "key": {"form-key-1"}}
		for range 2 { // a double submit records it once
			if w := post("/funds/arrivals", arrival); w.Code != http.StatusSeeOther {
				t.Fatalf("arrival: %d %s", w.Code, w.Body)
			}
		}
		w := post("/funds/integrations", url.Values{"channel": {"FX"}, "amount": {"1"}, "day": {"2026-06-02"}})
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "不能纳入资金池统筹整合") {
			t.Fatalf("integrating disaster relief: %d %s", w.Code, w.Body)
		}
		if w := post("/funds/arrivals", url.Values{"channel": {"FX"}, "amount": {"1.001"}, "day": {"2026-06-01"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "amount") {
			t.Errorf("three decimals: %d", w.Code)
		}
		page := fin.do("GET", "/funds?year=2026", nil, "").Body.String()
		for _, want := range []string{"防汛救灾资金", "600,000.00", "300,000.00", "50.00%", "不纳入整合"} {
			if !strings.Contains(page, want) {
				t.Errorf("funds page lacks %q", want)
			}
		}
		if w := fin.do("GET", "/funds/report.xlsx?year=2026", nil, ""); w.Code != 200 || !strings.Contains(w.Header().Get("Content-Type"), "spreadsheetml") {
			t.Errorf("export: %d %s", w.Code, w.Header().Get("Content-Type"))
		}
		officer := newBrowser(t, h)
		officer.login("demo.township", demo.Password("demo.township"))
		if p := officer.do("GET", "/funds", nil, "").Body.String(); !strings.Contains(p, "funds-report") || strings.Contains(p, `id="arrival-form"`) {
			t.Error("a township officer sees the report but must not get the money forms")
		}
	})
}

// TestProjectFunds: the finance bureau allocates to a demo project by the
// profile's rule (oldest arrival first, only channels that may pay for its
// purpose), pays the contractor, and the project page shows each channel's
// part; a township officer sees only their township's projects.
func TestProjectFunds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		keyRe := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`)
		page := fin.do("GET", "/funds/projects", nil, "").Body.String()
		if !strings.Contains(page, "上坝村产业路硬化工程") || !strings.Contains(page, "全县到户产业奖补") {
			t.Fatalf("projects page: %s", page)
		}
		w := fin.form("/funds/projects", "/funds/allocations", url.Values{"project": {"2026-001"}, "amount": {"100,000"}, "key": {keyRe.FindStringSubmatch(page)[1]}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("allocate: %d %s", w.Code, w.Body)
		}
		w = fin.form("/funds/projects/2026-001", "/funds/payments", url.Values{"project": {"2026-001"}, "to": {"ent:luqiao"}, "amount": {"50,000"}, "key": {"pay-form-1"}})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("pay: %d %s", w.Code, w.Body)
		}
		w = fin.form("/funds/projects/2026-001", "/funds/payments", url.Values{"project": {"2026-001"}, "to": {"ent:luqiao"}, "amount": {"99,000,000"}, "key": {"pay-form-2"}})
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "本次需要") {
			t.Errorf("paying more than the project holds: %d", w.Code)
		}
		page = fin.do("GET", "/funds/projects/2026-001", nil, "").Body.String()
		// Demo allocation 1,800,000 ZX + 2,200,000 JT; +100,000 from XJ (the
		// oldest arrival, 2026-02-10, that may pay for infrastructure).
		for _, want := range []string{"1,800,000.00", "2,200,000.00", "XJ", "100,000.00", "青禾县路桥工程有限公司（演示）"} {
			if !strings.Contains(page, want) {
				t.Errorf("project page lacks %q", want)
			}
		}
		officer := newBrowser(t, h)
		officer.login("demo.township2", demo.Password("demo.township2"))
		page = officer.do("GET", "/funds/projects", nil, "").Body.String()
		if !strings.Contains(page, "石门村饮水安全巩固提升") || strings.Contains(page, "上坝村产业路硬化工程") {
			t.Errorf("石门乡's officer sees other townships' projects")
		}
		if w := officer.do("GET", "/funds/projects/2026-001", nil, ""); w.Code != http.StatusNotFound {
			t.Errorf("another township's project: %d", w.Code)
		}
	})
}

// TestPingliCrossesCategories: with the Pingli profile (大类间打通) the same
// money pays across categories: the projects page says how much of which
// channel crossed, the project's 分头报账 marks those channels, and the
// funds page compares the "5+3+1+X" plan with the year's actuals.
func TestPingliCrossesCategories(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		admin := newBrowser(t, h)
		admin.login("demo.admin", demo.Password("demo.admin"))
		if w := admin.form("/system/policy", "/system/policy", url.Values{"profile": {"pingli"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("choose pingli: %d %s", w.Code, w.Body)
		}
		rural := newBrowser(t, h)
		rural.login("demo.rural", demo.Password("demo.rural"))
		page := rural.do("GET", "/funds/projects", nil, "").Body.String()
		key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
		// Pro rata over every integrated channel: the road channel JT pays
		// for households too. The bureau enters it; the finance bureau and
		// its head (above 500,000) approve it.
		w := rural.form("/funds/projects", "/funds/allocations", url.Values{"project": {"2026-004"}, "amount": {"1,000,000"}, "key": {key}})
		ins := w.Header().Get("Location")
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(ins, "/instructions/") {
			t.Fatalf("allocate: %d %s", w.Code, w.Body)
		}
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		for _, b := range []*browser{fin, func() *browser {
			b := newBrowser(t, h)
			b.login("demo.finance2", demo.Password("demo.finance2"))
			return b
		}()} {
			if w := b.form(ins, ins+"/decide", url.Values{"action": {"approve"}, "opinion": {"同意"}}); w.Code != http.StatusSeeOther {
				t.Fatalf("approve: %d %s", w.Code, w.Body)
			}
		}
		page = fin.do("GET", "/funds/projects", nil, "").Body.String()
		crossed := regexp.MustCompile(`(?s)<ul class="plain" id="crossed">(.*?)</ul>`).FindStringSubmatch(page)
		if crossed == nil || !regexp.MustCompile(`<li>[A-Z]+: [0-9,]+\.[0-9]{2}</li>`).MatchString(crossed[1]) {
			i := strings.Index(page, "跨类别使用")
			t.Fatalf("the projects page does not say how much crossed categories: %v %s", crossed, page[i:min(len(page), i+400)])
		}
		if p := fin.do("GET", "/funds/projects/2026-004", nil, "").Body.String(); !strings.Contains(p, "跨类别") {
			t.Error("the project's 分头报账 does not mark the crossing channels")
		}
		page = fin.do("GET", "/funds", nil, "").Body.String()
		for _, want := range []string{`id="funds-input-plan"`, "5：省级产业帮扶资金", "1：涉农整合资金", "不设定额"} {
			if !strings.Contains(page, want) {
				t.Errorf("funds page lacks %q", want)
			}
		}
	})
}

// TestVillageChecksAndChannelReportPages: the demo village 上坝村 under the
// Zigui profile: each department's minimum met or short by how much; and
// where channel ZX went, project by project.
func TestVillageChecksAndChannelReportPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		page := fin.do("GET", "/funds/villages?village=990101001001&year=2026", nil, "").Body.String()
		// 上坝村: 产业路 ZX 1,800,000 (扶贫) + JT 2,200,000 (交通) + XJ 100,000
		// (财政, allocated by two people): 扶贫, 行业 and 财政 met, 发改 short
		// 400,000, total 4,100,000 ≥ 3,000,000.
		for _, want := range []string{"village-checks", "差 400,000.00", "4,100,000.00", "暂无法核查"} {
			if !strings.Contains(page, want) {
				t.Errorf("village checks lack %q", want)
			}
		}
		page = fin.do("GET", "/funds/channels/ZX", nil, "").Body.String()
		for _, want := range []string{"上坝村产业路硬化工程", "1,800,000.00", "全县到户产业奖补", "青禾县路桥工程有限公司（演示）"} {
			if !strings.Contains(page, want) {
				t.Errorf("channel report lacks %q", want)
			}
		}
		for _, path := range []string{"/funds/villages.xlsx?village=990101001001&year=2026", "/funds/channels/ZX/report.xlsx", "/funds/projects/2026-001/report.xlsx"} {
			w := fin.do("GET", path, nil, "")
			if w.Code != 200 || !strings.Contains(w.Header().Get("Content-Type"), "spreadsheetml") {
				t.Errorf("export %s: %d", path, w.Code)
				continue
			}
			x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
			if err != nil {
				t.Fatalf("export %s: %v", path, err)
			}
			rows, _ := x.GetRows(x.GetSheetName(0))
			if len(rows) < 2 {
				t.Errorf("export %s has %d rows", path, len(rows))
			}
		}
		officer := newBrowser(t, h)
		officer.login("demo.township2", demo.Password("demo.township2"))
		if w := officer.do("GET", "/funds/villages.xlsx?village=990101001001", nil, ""); w.Code != http.StatusNotFound {
			t.Errorf("another township's village checks export: %d", w.Code)
		}
		if w := officer.do("GET", "/funds/villages?village=990101001001", nil, ""); w.Code != http.StatusNotFound {
			t.Errorf("another township's village checks: %d", w.Code)
		}
	})
}

// TestOverdueCommitmentsOnTheDesk: the demo minutes of 上坝村 promised 发改
// money by 2026-08-31 that never came: the dashboards of the county and of
// 清溪镇 flag it; 石门乡's does not; the 交通 commitment is met.
func TestOverdueCommitmentsOnTheDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		for user, want := range map[string]bool{"demo.finance": true, "demo.township": true, "demo.township2": false} {
			b := newBrowser(t, h)
			b.login(user, demo.Password(user))
			page := b.do("GET", "/desk", nil, "").Body.String()
			if got := strings.Contains(page, `id="overdue-commitments"`) && strings.Contains(page, "发改"); got != want {
				t.Errorf("%s: overdue commitment flagged %v, want %v", user, got, want)
			}
		}
		b := newBrowser(t, h)
		b.login("demo.rural", demo.Password("demo.rural"))
		page := b.do("GET", "/funds/minutes", nil, "").Body.String()
		if !strings.Contains(page, "2,200,000.00") || !strings.Contains(page, "已达到") {
			t.Errorf("the 交通 commitment is not shown met: %s", page)
		}
		w := b.form("/funds/minutes", "/funds/minutes", url.Values{"village": {"990101001002"}, "minutes_no": {"纪要1"}, "day": {"2026-03-01"}, "department": {"水利"}, "amount": {"100,000"}, "deadline": {"2026-02-01"}})
		if w.Code != 400 || !strings.Contains(w.Body.String(), "deadline") {
			t.Errorf("a deadline before the meeting: %d", w.Code)
		}
	})
}

// TestTeamsPage: the rural bureau pairs a cadre with a household and sets a
// village's member units; an unknown role is refused.
func TestTeamsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		rural := newBrowser(t, h)
		rural.login("demo.rural", demo.Password("demo.rural"))
		if w := rural.form("/funds/minutes", "/funds/pairs", url.Values{"household": {"hh:990101001001-01"}, "cadre": {"王干部（演示）"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("pair: %d %s", w.Code, w.Body)
		}
		if w := rural.form("/funds/minutes", "/funds/teams", url.Values{"village": {"990101001002"}, "role": {"member_unit"}, "names": {"县林业局，县商务局"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("assign: %d %s", w.Code, w.Body)
		}
		page := rural.do("GET", "/funds/minutes", nil, "").Body.String()
		for _, want := range []string{"县委副书记 赵建华（演示）", "王干部（演示） → 李春生", "县林业局", "县商务局"} {
			if !strings.Contains(page, want) {
				t.Errorf("teams lack %q", want)
			}
		}
		if w := rural.form("/funds/minutes", "/funds/teams", url.Values{"village": {"990101001002"}, "role": {"mayor"}, "names": {"x"}}); w.Code != 400 {
			t.Errorf("unknown role: %d", w.Code)
		}
	})
}
