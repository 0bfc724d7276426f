package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/ledger"
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
}

// newDriver starts the demo county's server and a fresh headless Chromium.
func newDriver(t *testing.T, db *store.DB) *driver {
	t.Helper()
	exe := chromium(t)
	ctx := context.Background()
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
	l := ledger.New(db, nil)
	if _, err := demo.Run(ctx, a, l); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.NewServer(web.Deps{DB: db, Ledger: l, Auth: a}))
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
	return &driver{t: t, ctx: bctx, url: srv.URL, shots: artifacts(t), dialect: db.Dialect.String()}
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

// signIn signs a demo user in through the login form.
func (d *driver) signIn(user string) {
	d.t.Helper()
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
		must("an area not built", click("#nav-households"), visible("#not-built"))
		if text := textOf("body"); !strings.Contains(text, "尚未建设") {
			t.Errorf("the households area does not say it is not built: %.300s", text)
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
		d.must("allocation form", chromedp.Navigate(d.url+"/funds/projects"), visible("#allocate-form"),
			setValue("#allocate-form select[name=project]", "2026-001"), setValue("#allocate-form input[name=amount]", "600,000"))
		d.submit("allocate", "#allocate-form", "#project-channels")
		d.must("payment form", setValue("#pay-form input[name=to]", "ent:luqiao"), setValue("#pay-form input[name=amount]", "300,000"))
		d.submit("pay the contractor", "#pay-form", "#project-payments")
		d.shot("11-project")
		// 2,200,000 JT + 1,800,000 ZX allocated by the demo; the new
		// 600,000 comes oldest arrival first from the channels that may pay
		// for a road: XJ (arrived 2026-02-10) holds enough in the pool. The
		// 300,000 payment is taken from JT first (channel order).
		text := d.textOf("#project-channels")
		for _, want := range []string{"XJ\t600,000.00\t0.00\t600,000.00", "JT\t2,200,000.00\t1,800,000.00\t400,000.00", "合计\t4,600,000.00"} {
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
