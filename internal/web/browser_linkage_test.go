package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestBrowserLinkage: a township officer finds the tea cooperative among
// the entities, opens it, sees the households it drives and its linkage
// report for this year (the demo's: three households, one below the
// threshold).
func TestBrowserLinkage(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDriver(t, db)
		d.signIn("demo.township")
		d.must("entities", chromedp.Navigate(d.url+"/desk"), visible("#nav-entities"), click("#nav-entities"), visible("#entity-search"))
		d.must("search", setValue(`#entity-search input[name="q"]`, "茶叶"))
		d.submit("search", "#entity-search", `#entities a[href="/entities/93990101MA6CHAYE1H"]`)
		d.must("open the cooperative", click(`#entities a[href="/entities/93990101MA6CHAYE1H"]`), visible("#links"))
		d.shot("linkage-01-entity")
		if n := d.count("#links tbody tr"); n != 3 {
			t.Errorf("the cooperative's linked households: %d rows", n)
		}
		if text := d.textOf("#links"); !strings.Contains(text, "990101001001-03") || !strings.Contains(text, "务工就业") {
			t.Errorf("the linked households: %.400s", text)
		}
		d.must("its linkage report", click("#entity-linkage"), visible("#linkage-households-of"))
		d.shot("linkage-02-report")
		if h, r := d.textOf("#linkage-households"), d.textOf("#linkage-reached"); h != "3" || r != "2" {
			t.Errorf("the report: %s households, %s reached", h, r)
		}
		if text := d.textOf("#linkage-households-of"); !strings.Contains(text, "未达标") || !strings.Contains(text, "800.00") {
			t.Errorf("the households below the threshold: %.400s", text)
		}
	})
}
