package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onepool/internal/clock"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestBrowserAdoptPlan: a county adopting onepool mid-year, in a real
// browser. The bureau's officer imports the approved annual plan (one
// project approved on paper, one reviewed on paper and waiting for its
// notice); they are offered no approval of their own import; a second
// officer approves it; the township records the notice that was held on
// the village board, with its photo and the objection answered; the
// project is then approved into the plan like any other.
func TestBrowserAdoptPlan(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var mu sync.Mutex
		now := time.Now()
		clk := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		d := newDriverAt(t, db, clk, "nan")
		dir := t.TempDir()
		plan := filepath.Join(dir, "年度计划.csv")
		if err := os.WriteFile(plan, []byte(planCSV("990101001001-J1 6 南乡振发〔2026〕9号", "990101001001-J2 5 -")), 0o600); err != nil {
			t.Fatal(err)
		}
		photo := filepath.Join(dir, "公示栏.png")
		if err := os.WriteFile(photo, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"), 0o600); err != nil {
			t.Fatal(err)
		}

		d.signIn("demo.rural")
		d.must("the library links the import", chromedp.Navigate(d.url+"/projects"), visible("#adopt-plan"), click("#adopt-plan"), visible("#plan-import-form"),
			chromedp.SetUploadFiles(chromedp.CSS("#plan-import-form input[name=file]"), []string{plan}))
		d.submit("import the plan", "#plan-import-form", "#plan-1")
		if s := d.textOf("#plan-1 .plan-state"); !strings.Contains(s, "待审核") {
			t.Errorf("after the import: %q", s)
		}
		if d.count("#plan-1 .plan-decide") != 0 {
			t.Error("the importer is offered the approval of their own import")
		}
		d.shot("60-plan-imported")
		d.must("not yet in the library", chromedp.Navigate(d.url+"/projects/990101001001-J1"), visible("h1"))
		if body := d.textOf("body"); strings.Contains(body, "南乡振发") {
			t.Error("an unapproved import's project is shown")
		}
		d.signOut()

		d.signIn("demo.rural2")
		d.must("the second officer", chromedp.Navigate(d.url+"/adopt/plan"), visible("#plan-1 .plan-decide"), setValue("#plan-1 .plan-decide input[name=opinion]", "与纸质批复一致"))
		d.submit("approve the import", "#plan-1 .plan-decide", "#plan-1")
		if s := d.textOf("#plan-1 .plan-state"); !strings.Contains(s, "已审核导入") {
			t.Errorf("after approval: %q", s)
		}
		d.must("the approved project", chromedp.Navigate(d.url+"/projects/990101001001-J1"), visible("#approval-doc"))
		if s := d.textOf("#project-status"); !strings.Contains(s, "已批复") {
			t.Errorf("J1: %q", s)
		}
		if s := d.textOf("#chain"); strings.Count(s, "纸质办理（补录）") != 6 || !strings.Contains(s, "经办6") {
			t.Errorf("J1's steps taken on paper: %q", s)
		}
		d.signOut()

		d.signIn("demo.township")
		d.must("paper notice form", chromedp.Navigate(d.url+"/projects/990101001001-J2"), visible("#paper-notice-form"),
			setValue("#paper-notice-form input[name=starts]", clock.Day(clk().AddDate(0, 0, -12))), setValue("#paper-notice-form input[name=ends]", clock.Day(clk().AddDate(0, 0, -5))),
			chromedp.SetUploadFiles(chromedp.CSS("#paper-notice-form input[name=photo]"), []string{photo}),
			setValue("#paper-notice-form input[name=objection1]", "道路经过我家承包地"), setValue("#paper-notice-form input[name=reply1]", "已调整线路并签订协议"))
		d.submit("an 8-day paper notice", "#paper-notice-form", "#form-error")
		if e := d.textOf("#form-error"); !strings.Contains(e, "8 天") || !strings.Contains(e, "不少于 10 天") {
			t.Errorf("a short paper notice: %q", e)
		}
		d.must("the dates again", setValue("#paper-notice-form input[name=starts]", clock.Day(clk().AddDate(0, 0, -14))),
			chromedp.SetUploadFiles(chromedp.CSS("#paper-notice-form input[name=photo]"), []string{photo}))
		d.submit("record the paper notice", "#paper-notice-form", "#notice-paper")
		if s := d.textOf("#objections"); !strings.Contains(s, "已调整线路") {
			t.Errorf("the objection's answer: %q", s)
		}
		d.shot("61-paper-notice")
		d.signOut()

		d.decide("demo.rural2", "990101001001-J2")
		d.signIn("demo.rural2")
		d.must("J2 approved", chromedp.Navigate(d.url+"/projects/990101001001-J2"), visible("#project-status"))
		if s := d.textOf("#project-status"); !strings.Contains(s, "已批复") {
			t.Errorf("J2 after the paper notice and the approval: %q", s)
		}
	})
}
