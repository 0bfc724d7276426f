package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"

	"net/http/httptest"
)

// chromium finds the browser, or skips (fails when ONEPOOL_REQUIRE_BROWSER=1,
// as in CI).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("ONEPOOL_REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium found and ONEPOOL_REQUIRE_BROWSER=1 (apt-get install chromium)")
	}
	t.Skip("no Chromium installed (apt-get install chromium); set ONEPOOL_REQUIRE_BROWSER=1 to fail instead")
	return ""
}

// artifacts is where screenshots go: $ONEPOOL_ARTIFACTS, or a temp folder.
func artifacts(t *testing.T) string {
	dir := os.Getenv("ONEPOOL_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "onepool-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// driver is a headless Chromium on a demo server, with the few steps the
// browser tests take.
type driver struct {
	t       *testing.T
	ctx     context.Context
	url     string
	shots   string
	dialect string
	// After the walk's first sign-in and sign-out through the forms, the
	// next users take over by their session cookie (a sign-in is a second
	// of the walk's time, and the forms were walked once).
	auth                *auth.Service
	signedIn, signedOut bool
}

// newDriver starts the demo county's server and a fresh headless Chromium.
func newDriver(t *testing.T, db *store.DB) *driver { return newDriverAt(t, db, nil, "") }

// newDriverAt is newDriver with the server on clock clk (sessions keep
// the real clock) and, unless empty, the county on another profile.
func newDriverAt(t *testing.T, db *store.DB, clk clock.Clock, profile string) *driver {
	t.Helper()
	exe := chromium(t)
	ctx := context.Background()
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
	l := ledger.New(db, nil)
	keys, err := registry.NewKeys([]byte("browser-test-key-0123456789abcde"))
	if err != nil {
		t.Fatal(err)
	}
	runDemo(t, l, "browser-test-key", keys)
	if profile != "" {
		if _, err := policy.NewCounties(db, nil).Choose(ctx, "t", demo.County, profile, ""); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(app.Server(web.Deps{DB: db, Ledger: l, Auth: a, Clock: clk, Keys: keys}))
	t.Cleanup(srv.Close)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	bctx, cancelT := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	return &driver{t: t, ctx: bctx, url: srv.URL, shots: artifacts(t), dialect: db.Dialect.String(), auth: a}
}

func (d *driver) shot(name string) {
	d.t.Helper()
	buf, err := chromedp.Run(d.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		d.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(d.shots, d.dialect+"-"+name+".png"), buf, 0o644); err != nil {
		d.t.Fatal(err)
	}
}

func (d *driver) must(step string, actions ...chromedp.Action[chromedp.Void]) {
	d.t.Helper()
	if err := chromedp.Do(d.ctx, actions...); err != nil {
		d.t.Fatalf("%s: %v", step, err)
	}
}

func (d *driver) textOf(sel string) string {
	d.t.Helper()
	s, err := chromedp.Run(d.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		d.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func visible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}
func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
func setValue(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.CSS(sel), v)
}

// submit clicks a form's button and waits for the next page's element:
// the old page is marked first, so its copy of the element cannot match.
func (d *driver) submit(step, form, next string) {
	d.t.Helper()
	if _, err := chromedp.Run(d.ctx, chromedp.Evaluate[any](`document.body.setAttribute("data-old", "1"); 1`)); err != nil {
		d.t.Fatalf("%s: %v", step, err)
	}
	d.must(step, click(form+" button[type=submit]"), visible("body:not([data-old]) "+next))
}

// signIn signs a demo user in: through the login form the first time,
// then by handing the browser the user's session cookie (the page the
// browser shows is unchanged: the caller navigates next).
func (d *driver) signIn(user string) {
	d.t.Helper()
	if d.signedIn {
		tok, _, err := d.auth.Login(context.Background(), user, demo.Password(user), "192.0.2.1")
		if err != nil {
			d.t.Fatalf("sign in %s: %v", user, err)
		}
		if _, err := chromedp.Call(d.ctx, network.SetCookie, network.SetCookieParams{Name: "op_session", Value: tok, URL: d.url, Path: "/", HTTPOnly: new(true)}); err != nil {
			d.t.Fatalf("sign in %s: %v", user, err)
		}
		return
	}
	d.signedIn = true
	d.must("open login", chromedp.Navigate(d.url+"/desk"), visible("#login-form"))
	d.must("sign in "+user,
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password(user)),
		click("#login-submit"), visible("#channel-summary"))
}

// TestBrowserTownshipOfficer drives a real headless Chromium through the
// demo county as a township officer.
func TestBrowserTownshipOfficer(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDriver(t, db)
		must, shot, textOf, u := d.must, d.shot, d.textOf, d.url
		shots := d.shots

		// Sign in with the demo township officer.
		must("open login", chromedp.Navigate(u+"/desk"), visible("#login-form"))
		shot("01-login")
		must("sign in",
			chromedp.SendKeys(chromedp.CSS("#username"), "demo.township"),
			chromedp.SendKeys(chromedp.CSS("#password"), demo.Password("demo.township")),
			click("#login-submit"), visible("#channel-summary"))
		shot("02-dashboard")
		if text := textOf("body"); !strings.Contains(text, "清溪镇") || !strings.Contains(text, "各渠道资金去向") {
			t.Fatalf("dashboard after login: %.500s", text)
		}

		// Navigate the shell: funds shows only the own township.
		must("funds", click("#nav-funds"), visible("#funds-report"))
		if text := textOf("#funds-report"); !strings.Contains(text, "中央财政衔接推进乡村振兴补助资金") || !strings.Contains(text, "80.00%") {
			t.Errorf("the funds page: %.600s", text)
		}
		must("accounts", chromedp.Navigate(u+"/ledger/accounts"), visible("#accounts"))
		shot("03-accounts")
		if text := textOf("#accounts"); !strings.Contains(text, "上坝村") || strings.Contains(text, "石门村") || strings.Contains(text, "云岭村") {
			t.Errorf("the township officer's accounts are not their township's: %.800s", text)
		}
		must("trace", chromedp.Navigate(u+"/ledger/trace?channel=ZX"), visible("#flow svg"))
		shot("04-trace")
		must("the asset register", click("#nav-assets"), visible("#asset-search"))
		if text := textOf("body"); !strings.Contains(text, "项目资产台账") || strings.Contains(text, "尚未建设") {
			t.Errorf("the assets area is not the register: %.300s", text)
		}

		// Another township's record by direct URL: the same "not found" as
		// a record that does not exist.
		must("other township by URL", chromedp.Navigate(u+"/ledger/accounts/hh:990101002001-01"), visible("#error-message"))
		shot("05-other-township")
		other := textOf("#error-message")
		if text := textOf("h1"); !strings.Contains(text, "404") {
			t.Errorf("another township's account: %.300s", text)
		}
		must("missing by URL", chromedp.Navigate(u+"/ledger/accounts/hh:990101009009-09"), visible("#error-message"))
		missing := textOf("#error-message")
		if strings.ReplaceAll(other, "hh:990101002001-01", "X") != strings.ReplaceAll(missing, "hh:990101009009-09", "X") {
			t.Errorf("other township %q differs from missing %q", other, missing)
		}

		// A state-changing form without the CSRF token is refused…
		must("desk", chromedp.Navigate(u+"/desk"), visible("#channel-summary"))
		if _, err := chromedp.Run(d.ctx, chromedp.Evaluate[any](`(function(){var f=document.createElement('form');f.method='post';f.action='/lang';var i=document.createElement('input');i.name='lang';i.value='en';f.appendChild(i);document.body.appendChild(f);f.submit();return 1;})()`)); err != nil {
			t.Fatalf("submit a form without CSRF: %v", err)
		}
		must("form without CSRF", visible("#error-message"))
		shot("06-no-csrf")
		if text := textOf("body"); !strings.Contains(text, "403") || !strings.Contains(text, "csrf") {
			t.Errorf("a form without the CSRF token: %.400s", text)
		}
		// …and the same form with it (the language switch) works.
		must("switch language", chromedp.Navigate(u+"/desk"), visible("#lang-switch"), click("#lang-switch"), visible(`html[lang="en"] #channel-summary`))
		shot("07-english")
		if text := textOf("body"); !strings.Contains(text, "Dashboard") || !strings.Contains(text, "Sign out") || strings.Contains(text, "工作台") {
			t.Errorf("after switching to English: %.400s", text)
		}
		must("back to Chinese", click("#lang-switch"), visible(`html[lang="zh-CN"] #channel-summary`))
		if text := textOf("body"); !strings.Contains(text, "工作台") {
			t.Errorf("after switching back to Chinese: %.300s", text)
		}

		// Signing out ends the session: the desk asks to sign in again.
		must("sign out", click("#logout"), visible("#login-form"), chromedp.Navigate(u+"/desk"), visible("#login-form"))
		t.Logf("screenshots in %s", shots)
	})
}

// TestBrowserFundsWalkthrough is issue 4's "done means" under the Zigui
// profile in a real browser: the finance bureau records an arrival and
// integrates it, allocates to a village's project by the profile's rule,
// pays the contractor, and sees each channel's part, the village's rule
// checks and the overdue commitment.
func TestBrowserFundsWalkthrough(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDriver(t, db)
		d.signIn("demo.finance")
		d.must("funds", chromedp.Navigate(d.url+"/funds"), visible("#arrival-form"),
			setValue("#arrival-form select[name=channel]", "JT"), setValue("#arrival-form input[name=amount]", "500,000"),
			setValue("#arrival-form input[name=day]", "2026-06-01"), setValue("#arrival-form input[name=doc_no]", "交〔2026〕9号"))
		d.submit("record the arrival", "#arrival-form", "#funds-report")
		if text := d.textOf("#funds-report"); !strings.Contains(text, "3,000,000.00") || !strings.Contains(text, "100.00%") {
			t.Errorf("after the JT arrival: %.600s", text)
		}
		d.must("integration form", setValue("#integration-form select[name=channel]", "JT"), setValue("#integration-form input[name=amount]", "500,000"),
			setValue("#integration-form input[name=day]", "2026-06-02"))
		d.submit("integrate", "#integration-form", "#funds-report")
		d.shot("10-funds")
		d.signOut()

		// Two people on money: the rural-revitalization bureau enters the
		// allocation; nothing moves until the finance bureau approves it,
		// and above 500,000 its head signs as well.
		d.signIn("demo.rural")
		d.must("allocation form", chromedp.Navigate(d.url+"/funds/projects"), visible("#allocate-form"),
			setValue("#allocate-form select[name=project]", "2026-001"), setValue("#allocate-form input[name=amount]", "600,000"))
		d.submit("allocate", "#allocate-form", "#ins-state")
		alloc := d.here()
		if s := d.textOf("#ins-state"); !strings.Contains(s, "待审批") {
			t.Errorf("an allocation entered by one person: %q", s)
		}
		if n := d.count("#decide-form"); n != 0 {
			t.Error("the maker is offered the approval of their own allocation")
		}
		d.shot("11-allocation-entered")
		d.signOut()
		if s := d.approveMoney("demo.finance", alloc); !strings.Contains(s, "待审批") {
			t.Errorf("after the first approver of 600,000: %q", s)
		}
		d.signOut()
		if s := d.approveMoney("demo.finance2", alloc); !strings.Contains(s, "已记账") {
			t.Errorf("after the second approver: %q", s)
		}
		d.signOut()
		d.signIn("demo.rural")
		d.must("the project", chromedp.Navigate(d.url+"/funds/projects/2026-001"), visible("#pay-form"),
			setValue("#pay-form input[name=to]", "ent:luqiao"), setValue("#pay-form input[name=amount]", "300,000"))
		d.submit("pay the contractor", "#pay-form", "#ins-state")
		pay := d.here()
		d.signOut()
		if s := d.approveMoney("demo.finance", pay); !strings.Contains(s, "已记账") {
			t.Errorf("the payment after its approval: %q", s)
		}
		d.must("the project after the payment", click("#ins-next"), visible("#project-payments"))
		d.shot("11-project")
		// 2,200,000 JT + 1,800,000 ZX allocated by the demo, and 100,000 XJ
		// it allocated with two people; the new 600,000 comes oldest arrival
		// first from the channels that may pay for a road: XJ (arrived
		// 2026-02-10) holds enough in the pool. The 300,000 payment is taken
		// from JT first (channel order).
		text := d.textOf("#project-channels")
		for _, want := range []string{"XJ\t700,000.00\t0.00\t700,000.00", "JT\t2,200,000.00\t1,800,000.00\t400,000.00", "合计\t4,700,000.00"} {
			if !strings.Contains(text, want) {
				t.Errorf("分头报账 lacks %q: %s", want, text)
			}
		}
		if text := d.textOf("#project-payments"); !strings.Contains(text, "青禾县路桥工程有限公司（演示）") {
			t.Errorf("payments: %.400s", text)
		}
		d.must("village checks", chromedp.Navigate(d.url+"/funds/villages?village=990101001001&year=2026"), visible("#village-checks"))
		if text := d.textOf("#village-checks"); !strings.Contains(text, "差") || !strings.Contains(text, "已达到") {
			t.Errorf("village checks: %.600s", text)
		}
		d.must("desk", chromedp.Navigate(d.url+"/desk"), visible("#overdue-commitments"))
		d.shot("12-desk-overdue")
	})
}

// here is the path of the page the browser shows.
func (d *driver) here() string {
	d.t.Helper()
	p, err := chromedp.Run(d.ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

// approveMoney signs user in, finds the money instruction at path in
// their approvals and approves it; it returns the instruction's state.
func (d *driver) approveMoney(user, path string) string {
	d.t.Helper()
	d.signIn(user)
	d.must(user+" opens the approvals", chromedp.Navigate(d.url+"/instructions"), visible("#ins-queue"), click("#ins-queue tbody a[href='"+path+"']"), visible("#decide-form"),
		setValue("#decide-form select[name=action]", "approve"), setValue("#decide-form input[name=opinion]", "核对无误（"+user+"）"))
	d.submit(user+" approves the money", "#decide-form", "#ins-state")
	return d.textOf("#ins-state")
}

// signOut ends the session through the navigation's button (the first
// time; then the next signIn replaces the session cookie).
func (d *driver) signOut() {
	d.t.Helper()
	if d.signedOut {
		return
	}
	d.signedOut = true
	d.must("sign out", chromedp.Navigate(d.url+"/desk"), visible("#logout"), click("#logout"), visible("#login-form"))
}

// decide signs a user in and approves the project's current step.
func (d *driver) decide(user, code string) {
	d.t.Helper()
	d.signIn(user)
	d.must(user+" opens the project", chromedp.Navigate(d.url+"/projects/"+code), visible("#decide-form"),
		setValue("#decide-form select[name=action]", "approve"), setValue("#decide-form input[name=opinion]", "同意（"+user+"）"))
	d.submit(user+" approves", "#decide-form", "#chain")
	d.signOut()
}

// TestBrowserProjectChain is issue 5's full chain under the Nan profile
// in a real browser: a village cadre proposes, the township reviews, the
// bureau, finance and the sector department approve; a notice runs (a
// too-short one is refused), a member of the public objects on /public,
// the township answers; after the notice the project is approved, funded,
// built (an executable named .pdf is refused, a photo is kept), accepted.
func TestBrowserProjectChain(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var mu sync.Mutex
		now := time.Now()
		clk := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		d := newDriverAt(t, db, clk, "nan")
		const code = "990101001001-N27" // a village's codes begin with its division code

		d.signIn("demo.village")
		d.must("library", chromedp.Navigate(d.url+"/projects"), visible("#library-form"),
			setValue("#library-form input[name=code]", code), setValue("#library-form input[name=name]", "上坝村茶园提升"),
			setValue("#library-form select[name=purpose]", "industry"), setValue("#library-form input[name=department]", "农业农村"),
			setValue("#library-form input[name=plan_year]", "2027"), setValue("#library-form input[name=budget]", "500,000"),
			setValue("#library-form input[name=unit]", "上坝村股份经济合作社"), setValue("#library-form input[name=leader]", "周勇"),
			setValue("#library-form input[name=link_mode]", "务工+分红"), setValue("#library-form input[name=link_households]", "60"),
			setValue("#library-form textarea[name=goals]", "茶园提升：300亩\n带动增收：每户1000元"))
		d.submit("add to the library", "#library-form", "#project-facts")
		d.submit("propose", "#submit-form", "#chain")
		if s := d.textOf("#project-status"); !strings.Contains(s, "申报审核中") {
			t.Fatalf("after proposing: %q", s)
		}
		if n := d.count("#decide-form"); n != 0 {
			t.Error("the maker is offered the township's decision")
		}
		d.signOut()

		for _, u := range []string{"demo.township", "demo.rural", "demo.finance", "demo.sector"} {
			d.decide(u, code)
		}

		// The township posts the notice: 5 days is refused (Nan: ≥ 10).
		d.signIn("demo.township")
		today := clock.Day(clk())
		d.must("notice form", chromedp.Navigate(d.url+"/projects/"+code), visible("#notice-form"),
			setValue("#notice-form input[name=starts]", today), setValue("#notice-form input[name=ends]", clock.Day(clk().AddDate(0, 0, 4))))
		d.submit("a 5-day notice", "#notice-form", "#form-error")
		if e := d.textOf("#form-error"); !strings.Contains(e, "10") {
			t.Errorf("a short notice: %q", e)
		}
		d.must("notice form again", setValue("#notice-form input[name=starts]", today), setValue("#notice-form input[name=ends]", clock.Day(clk().AddDate(0, 0, 9))))
		d.submit("post the notice", "#notice-form", "#notice-public")
		d.shot("20-noticed")
		d.signOut()

		// A member of the public objects, without signing in.
		advance(48 * time.Hour)
		d.must("public notices", chromedp.Navigate(d.url+"/public/990101/notices"), visible("#public-notices"))
		d.must("open the notice", click("#public-notices a[href*='/notices/']"), visible("#objection-form"),
			setValue("#objection-form textarea[name=body]", "茶园涉及的流转土地租金是否已落实？"), setValue("#objection-form input[name=contact]", "13800138000"))
		d.submit("object", "#objection-form", "#receipt-no")
		d.shot("21-public-objection")
		if body := d.textOf("body"); strings.Contains(body, "13800138000") {
			t.Error("the public page shows the objector's contact")
		}

		// The bureau's head cannot approve while the notice runs (and the
		// bureau's reviewer, who signed an earlier step, never does).
		d.signIn("demo.rural2")
		d.must("approve during the notice", chromedp.Navigate(d.url+"/projects/"+code), visible("#decide-form"), setValue("#decide-form select[name=action]", "approve"))
		d.submit("approve during the notice", "#decide-form", "#form-error")
		if e := d.textOf("#form-error"); !strings.Contains(e, "公示期到") {
			t.Errorf("approving during the notice: %q", e)
		}
		d.signOut()

		// The township answers the objection.
		d.signIn("demo.township")
		d.must("objections", chromedp.Navigate(d.url+"/projects/"+code), visible("#objections .answer-form"),
			setValue("#objections select[name=decision]", "dismiss"), setValue("#objections input[name=reply]", "土地流转合同已签订，租金已纳入预算"))
		d.submit("answer", "#objections .answer-form", "#objections")
		if s := d.textOf("#objections"); !strings.Contains(s, "不成立") {
			t.Errorf("after the answer: %s", s)
		}
		d.signOut()

		// After the notice: approved into the annual plan.
		advance(9 * 24 * time.Hour)
		d.decide("demo.rural2", code)
		d.signIn("demo.rural")
		d.must("allocate", chromedp.Navigate(d.url+"/funds/projects"), visible("#allocate-form"),
			setValue("#allocate-form select[name=project]", code), setValue("#allocate-form input[name=amount]", "500,000"))
		d.submit("allocate", "#allocate-form", "#ins-state")
		alloc := d.here()
		d.signOut()
		if s := d.approveMoney("demo.finance", alloc); !strings.Contains(s, "已记账") {
			t.Errorf("the allocation after its approval: %q", s)
		}
		d.signOut()

		d.signIn("demo.township")
		for _, to := range []string{"construction", "completed"} {
			d.must("advance "+to, chromedp.Navigate(d.url+"/projects/"+code), visible("#advance-form"), setValue("#advance-form select[name=to]", to))
			d.submit("advance "+to, "#advance-form", "#events")
		}
		d.signOut()

		// The sector department inspects: an executable named .pdf is
		// refused; a photo is kept in the project's volume.
		dir := t.TempDir()
		exe := filepath.Join(dir, "验收报告.pdf")
		photo := filepath.Join(dir, "完工照片.png")
		if err := os.WriteFile(exe, []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(photo, pngPixel, 0o644); err != nil {
			t.Fatal(err)
		}
		d.signIn("demo.sector")
		d.must("upload an executable", chromedp.Navigate(d.url+"/projects/"+code), visible("#upload-form"),
			setValue("#upload-form select[name=kind]", "acceptance"), chromedp.SetUploadFiles(chromedp.CSS("#upload-form input[name=file]"), []string{exe}))
		d.submit("upload an executable", "#upload-form", "#form-error")
		if e := d.textOf("#form-error"); !strings.Contains(e, "程序或脚本") {
			t.Errorf("an executable named .pdf: %q", e)
		}
		d.must("inspect", setValue("#inspect-form select[name=phase]", "late"), setValue("#inspect-form textarea[name=findings]", "茶园提升300亩，符合设计"),
			chromedp.SetUploadFiles(chromedp.CSS("#inspect-form input[name=photos]"), []string{photo}))
		d.submit("inspect", "#inspect-form", "#inspections")
		d.signOut()

		d.signIn("demo.rural")
		d.must("accept", chromedp.Navigate(d.url+"/projects/"+code), visible("#advance-form"), setValue("#advance-form select[name=to]", "accepted"),
			setValue("#advance-form input[name=note]", "验收合格"))
		d.submit("accept", "#advance-form", "#events")
		d.shot("22-accepted")
		if s := d.textOf("#project-status"); !strings.Contains(s, "已验收") {
			t.Errorf("at the end: %q", s)
		}
		if s := d.textOf("#files"); !strings.Contains(s, "完工照片.png") || strings.Contains(s, "验收报告") {
			t.Errorf("the volume: %s", s)
		}
		if s := d.textOf("#chain"); strings.Count(s, "同意") < 6 {
			t.Errorf("the review record: %s", s)
		}
	})
}

// TestBrowserObjectionReceipt: a member of the public objects to the
// demo's running project notice and gets a receipt number; the county
// bureau, which answers project objections, finds it in 我的待办 and
// answers from there; the reply shows beneath the public notice and on
// the receipt's page, found through the lookup form.
func TestBrowserObjectionReceipt(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDriver(t, db)
		d.must("public notices", chromedp.Navigate(d.url+"/public/990101/notices"), visible("#public-notices"))
		d.must("open the notice", click("#public-notices a[href*='/notices/']"), visible("#objection-form"),
			setValue("#objection-form textarea[name=body]", "道路经过我家宅基地，土地证号4205270012，请核实"),
			setValue("#objection-form input[name=name]", "王五"), setValue("#objection-form input[name=contact]", "13700000000"))
		notice := d.here()
		d.submit("object", "#objection-form", "#receipt-no")
		receipt := strings.TrimSpace(d.textOf("#receipt-no"))
		if !strings.HasPrefix(receipt, "990101-") || !strings.Contains(d.textOf("body"), "已受理") {
			t.Fatalf("after objecting: receipt %q, page %s", receipt, d.textOf("body"))
		}
		d.shot("60-objection-receipt")

		d.signIn("demo.rural")
		d.must("the queue", chromedp.Navigate(d.url+"/review"), visible("#objection-queue"))
		if s := d.textOf("#objection-queue"); !strings.Contains(s, receipt) {
			t.Fatalf("the bureau's queue lacks %s: %s", receipt, s)
		}
		d.must("open the objection", click("#objection-queue a[href*='/review/objections/']"), visible("#answer-form"))
		if s := d.textOf("#objection-body"); !strings.Contains(s, "4205270012") {
			t.Errorf("the staff see the text as filed: %q", s)
		}
		d.must("answer", click("#answer-form input[value=dismiss]"), setValue("#answer-form textarea[name=reply]", "经现场核实，道路不经过宅基地"))
		d.submit("answer", "#answer-form", "#flash")
		if f := d.textOf("#flash"); !strings.Contains(f, "已答复异议") || !strings.Contains(f, receipt) {
			t.Errorf("after the answer, the message: %q", f)
		}
		if d.count("#objection-queue") > 0 && strings.Contains(d.textOf("#objection-queue"), receipt) {
			t.Error("the answered objection is still in the queue")
		}
		d.shot("61-objection-answered")
		d.signOut()

		d.must("the notice again", chromedp.Navigate(d.url+notice), visible("#objections"))
		s := d.textOf("#objections")
		if !strings.Contains(s, "经现场核实，道路不经过宅基地") || !strings.Contains(s, "不成立") || !strings.Contains(s, "土地证号**********") {
			t.Errorf("the public notice's objections: %s", s)
		}
		if b := d.textOf("body"); strings.Contains(b, "13700000000") || strings.Contains(b, "王五") || strings.Contains(b, "4205270012") {
			t.Errorf("the public notice shows the objector or the digits: %s", b)
		}
		d.must("lookup", click("#receipt-lookup"), visible("#receipt-form"), setValue("#receipt-form input[name=receipt]", strings.ToLower(receipt)))
		d.submit("lookup", "#receipt-form", "#receipt-status")
		if st, rp := d.textOf("#receipt-status"), d.textOf("#receipt-reply"); !strings.Contains(st, "不成立") || !strings.Contains(rp, "经现场核实") {
			t.Errorf("the receipt page: status %q, reply %q", st, rp)
		}
		d.shot("62-objection-lookup")
	})
}

// count is how many elements match sel.
func (d *driver) count(sel string) int {
	d.t.Helper()
	n, err := chromedp.Run(d.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+sel+"`"+`).length`))
	if err != nil {
		d.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// pngPixel is a 1×1 PNG.
var pngPixel = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")

// TestBrowserRelief is issue 6's procedure in a real browser: a donation
// is recorded, a village cadre raises an application, another cadre and the
// township review it, the township posts the masked notice, the county
// approves after it and sends the payout; the bank fails the line, the
// card is corrected on the household's page, the second batch is paid; the
// public page shows the money out by village without names.
func TestBrowserRelief(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var mu sync.Mutex
		now := time.Now()
		clk := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		d := newDriverAt(t, db, clk, "")
		const hh = "990101001001-03"

		d.signIn("demo.finance")
		d.must("relief", chromedp.Navigate(d.url+"/relief"), visible("#inflow-form"),
			setValue("#inflow-form select[name=source]", "donation"), setValue("#inflow-form input[name=donor]", "爱心企业（演示）"),
			setValue("#inflow-form input[name=campaign]", "10·17 扶贫日"), setValue("#inflow-form input[name=amount]", "10,000"))
		d.submit("donate", "#inflow-form", "#relief-fund")
		if s := d.textOf("#fund-balance"); !strings.Contains(s, "610,000.00") {
			t.Errorf("balance after the donation: %q", s)
		}
		d.signOut()

		d.signIn("demo.village")
		d.must("apply", chromedp.Navigate(d.url+"/relief"), visible("#apply-form"), setValue("#apply-form input[name=household]", hh),
			setValue("#apply-form select[name=cause]", "illness"))
		d.submit("apply", "#apply-form", "#calc")
		if s := d.textOf("#calc"); !strings.Contains(s, "3,000.00") {
			t.Errorf("the computation: %s", s)
		}
		appURL, err := chromedp.Run(d.ctx, chromedp.Evaluate[string](`location.pathname`))
		if err != nil {
			t.Fatal(err)
		}
		d.signOut()
		for _, u := range []string{"demo.village2", "demo.township"} {
			d.signIn(u)
			d.must(u+" opens", chromedp.Navigate(d.url+appURL), visible("#decide-form"), setValue("#decide-form select[name=action]", "approve"))
			d.submit(u+" approves", "#decide-form", "#chain")
			d.signOut()
		}
		d.signIn("demo.township")
		d.must("notices", chromedp.Navigate(d.url+"/relief"), visible("#relief-notices-form"))
		d.submit("post the notices", "#relief-notices-form", "#applications")
		d.signOut()
		d.must("public notices", chromedp.Navigate(d.url+"/public/990101/notices"), visible("#public-notices"))
		if s := d.textOf("#public-notices"); !strings.Contains(s, "防返贫救助对象公示") || strings.Contains(s, "张德福") {
			t.Errorf("the public notices: %s", s)
		}
		mu.Lock()
		now = now.Add(11 * 24 * time.Hour)
		mu.Unlock()

		d.signIn("demo.rural")
		d.must("approve", chromedp.Navigate(d.url+appURL), visible("#decide-form"), setValue("#decide-form select[name=action]", "approve"))
		d.submit("county approves", "#decide-form", "#chain")
		if s := d.textOf("#app-status"); !strings.Contains(s, "已审定") {
			t.Errorf("after approval: %q", s)
		}
		d.must("send", chromedp.Navigate(d.url+"/relief"), visible("#send-form"))
		d.submit("send", "#send-form", "#ins-state")
		sent := d.here()
		d.signOut()
		if s := d.approveMoney("demo.finance", sent); !strings.Contains(s, "已记账") {
			t.Errorf("the payout batch after its approval: %q", s)
		}
		d.must("the batch", click("#ins-next"), visible("#lines"))
		ct, err := chromedp.Run(d.ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#payout-file').href).then(r => r.headers.get('content-type'))`, chromedp.EvalAwaitPromise))
		if err != nil || !strings.Contains(ct, "spreadsheetml") {
			t.Errorf("the payout file: %q %v", ct, err)
		}
		batch, err := chromedp.Run(d.ctx, chromedp.Evaluate[string](`location.pathname.split('/').pop()`))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		failed := filepath.Join(dir, "return1.csv")
		if err := os.WriteFile(failed, []byte("批次,序号,结果,原因\n"+batch+",1,失败,户名与卡号不符\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		d.signOut()
		d.signIn("demo.rural")
		d.must("the batch page", chromedp.Navigate(d.url+"/relief/batches/"+batch), visible("#return-form"))
		d.must("return", chromedp.SetUploadFiles(chromedp.CSS("#return-form input[name=file]"), []string{failed}))
		d.submit("import the return", "#return-form", "#ins-state")
		ret := d.here()
		d.signOut()
		if s := d.approveMoney("demo.finance", ret); !strings.Contains(s, "已记账") {
			t.Errorf("the return after its approval: %q", s)
		}
		d.must("the batch after the return", click("#ins-next"), visible("#lines"))
		if s := d.textOf("#lines"); !strings.Contains(s, "户名与卡号不符") {
			t.Errorf("after the failed return: %s", s)
		}
		d.signOut()

		d.signIn("demo.village")
		d.must("household", chromedp.Navigate(d.url+"/registry/"+hh), visible("#card-form"),
			setValue("#card-form input[name=number]", "6222021234567890128"))
		d.submit("correct the card", "#card-form", "#members")
		d.signOut()

		d.signIn("demo.rural")
		d.must("send again", chromedp.Navigate(d.url+"/relief"), visible("#send-form"))
		d.submit("send again", "#send-form", "#ins-state")
		sent2 := d.here()
		d.signOut()
		d.approveMoney("demo.finance", sent2)
		d.must("the second batch", click("#ins-next"), visible("#lines"))
		batch2, err := chromedp.Run(d.ctx, chromedp.Evaluate[string](`location.pathname.split('/').pop()`))
		if err != nil {
			t.Fatal(err)
		}
		paid := filepath.Join(dir, "return2.csv")
		if err := os.WriteFile(paid, []byte("batch,line,result\n"+batch2+",1,paid\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		d.signOut()
		d.signIn("demo.rural")
		d.must("the second batch page", chromedp.Navigate(d.url+"/relief/batches/"+batch2), visible("#return-form"))
		d.must("return 2", chromedp.SetUploadFiles(chromedp.CSS("#return-form input[name=file]"), []string{paid}))
		d.submit("import the second return", "#return-form", "#ins-state")
		if n := d.count("#form-error"); n > 0 {
			t.Fatalf("the second return: %s (batch %s)", d.textOf("#form-error"), batch2)
		}
		ret2 := d.here()
		d.signOut()
		d.approveMoney("demo.finance", ret2)
		d.must("the application", chromedp.Navigate(d.url+appURL), visible("#app-status"))
		if s := d.textOf("#app-status"); !strings.Contains(s, "已发放") {
			t.Errorf("at the end: %q", s)
		}
		d.shot("30-relief-paid")
		d.must("public relief", chromedp.Navigate(d.url+"/public/990101/relief"), visible("#public-relief"))
		if s := d.textOf("#public-relief"); !strings.Contains(s, "上坝村") || !strings.Contains(s, "3,000.00") || strings.Contains(s, "张德福") || strings.Contains(s, "爱心企业") {
			t.Errorf("the public relief page: %s", s)
		}
	})
}
