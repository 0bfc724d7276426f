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

// TestBrowserTownshipOfficer drives a real headless Chromium through the
// demo county as a township officer.
func TestBrowserTownshipOfficer(t *testing.T) {
	exe := chromium(t)
	shots := artifacts(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
		l := ledger.New(db, nil)
		if _, err := demo.Run(ctx, a, l); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(web.NewServer(web.Deps{DB: db, Ledger: l, Auth: a}))
		defer srv.Close()

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
		defer cancelA()
		bctx, cancelB := chromedp.NewContext(actx)
		defer cancelB()
		bctx, cancelT := context.WithTimeout(bctx, 90*time.Second)
		defer cancelT()

		dialect := db.Dialect.String()
		shot := func(name string) {
			t.Helper()
			buf, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(shots, dialect+"-"+name+".png"), buf, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		must := func(step string, actions ...chromedp.Action[chromedp.Void]) {
			t.Helper()
			if err := chromedp.Do(bctx, actions...); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
		}
		textOf := func(sel string) string {
			t.Helper()
			s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
			if err != nil {
				t.Fatalf("text of %s: %v", sel, err)
			}
			return s
		}
		visible := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
		click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
		u := srv.URL

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
		must("an area not built", click("#nav-projects"), visible("#not-built"))
		if text := textOf("body"); !strings.Contains(text, "尚未建设") {
			t.Errorf("the projects area does not say it is not built: %.300s", text)
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
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[any](`(function(){var f=document.createElement('form');f.method='post';f.action='/lang';var i=document.createElement('input');i.name='lang';i.value='en';f.appendChild(i);document.body.appendChild(f);f.submit();return 1;})()`)); err != nil {
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
