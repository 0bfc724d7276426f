package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestBrowserPickPayeeByName: the payment's payee is chosen by name —
// part of the head's name typed, the household chosen from the list —
// and the instruction entered names the household's head.
func TestBrowserPickPayeeByName(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDriver(t, db)
		d.signIn("demo.rural")
		d.must("the project", chromedp.Navigate(d.url+"/funds/projects/2026-001"), visible("#pay-form"),
			chromedp.SendKeys(chromedp.CSS("#pay-form input[name=to]"), "张德"),
			visible(`#pay-form .pick-list li[data-value="hh:990101001001-03"]`))
		if n := d.count(`#pay-form .pick-list li`); n != 1 {
			t.Errorf("typing 张德 offers %d payees, want 1 (张德福)", n)
		}
		if s := d.textOf(`#pay-form .pick-list li`); !strings.Contains(s, "张德福") || !strings.Contains(s, "上坝村") {
			t.Errorf("the option reads %q", s)
		}
		d.must("choose the household", click(`#pay-form .pick-list li[data-value="hh:990101001001-03"]`))
		v, err := chromedp.Run(d.ctx, chromedp.Evaluate[string](`document.querySelector("#pay-form input[name=to]").value`))
		if err != nil || v != "hh:990101001001-03" {
			t.Fatalf("the payee field holds %q (%v), want the household's account code", v, err)
		}
		d.must("amount", setValue("#pay-form input[name=amount]", "1,000"))
		d.submit("pay the household", "#pay-form", "#ins-state")
		if s := d.textOf("#ins-summary"); !strings.Contains(s, "张德福") {
			t.Errorf("the instruction does not name the payee: %q", s)
		}
		if s := d.textOf("#flash"); !strings.Contains(s, "已提交资金审批") {
			t.Errorf("no message after entering the payment: %q", s)
		}
		d.shot("20-pick-payee")
	})
}
