package web_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestBrowserAssets walks the asset pages in a real headless Chromium as
// the county's rural-revitalization bureau: the register filtered by
// type, an asset, its card, its income page, an income entered and shown,
// and the county-wide run's preview, in Chinese only (no English word,
// no raw code).
func TestBrowserAssets(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDriver(t, db)
		d.signIn("demo.rural")
		d.must("the register", chromedp.Navigate(d.url+"/assets"), visible("#asset-search"),
			setValue("#asset-search select[name=type]", "operating"))
		d.submit("filter by type", "#asset-search", "#assets")
		if text := d.textOf("#assets"); !strings.Contains(text, "ZC0001") || !strings.Contains(text, "ZC0006") || strings.Contains(text, "ZC0002") || strings.Contains(text, "ZC0003") {
			t.Errorf("the operating assets: %.600s", text)
		}
		d.shot("40-assets-register")
		d.must("an asset", click(`#assets tbody tr:first-child a`), visible("#asset-details"))
		if text := d.textOf("#asset-details"); !strings.Contains(text, "经营性") {
			t.Errorf("the asset's details: %.400s", text)
		}
		asset := d.here()
		d.must("its card", click("#asset-card-link"), visible("#asset-qr"))
		d.shot("41-asset-card")
		d.must("its income", chromedp.Navigate(d.url+asset), visible("#asset-income-link"), click("#asset-income-link"), visible("#asset-income-form"))
		last := strconv.Itoa(mustAtoi(t, demoYear()) - 1)
		d.must("the income form", setValue("#asset-income-form input[name=amount]", "2.5"), setValue("#asset-income-form select[name=amount_unit]", "wan"),
			setValue("#asset-income-form input[name=doc_no]", "浏览器测试进账单"), setValue("#asset-income-form input[name=received_on]", last+"-11-30"),
			setValue("#asset-income-form input[name=period]", last))
		d.submit("record the income", "#asset-income-form", "#asset-income-list")
		if text := d.textOf("#asset-income-list"); !strings.Contains(text, "浏览器测试进账单") || !strings.Contains(text, "25,000.00") {
			t.Errorf("the income recorded: %.600s", text)
		}
		d.shot("42-asset-income")
		d.must("the county run", chromedp.Navigate(d.url+"/asset-runs?year="+demoYear()), visible("#asset-county-plan"))
		d.shot("43-asset-county-run")
		text := d.textOf("main")
		if !strings.Contains(text, "未纳入的资产") || !strings.Contains(text, "该年度收益已分配") {
			t.Errorf("the preview lacks the assets left out in words: %.800s", text)
		}
		if w := regexp.MustCompile(`[A-Za-z_]{3,}`).FindAllString(text, -1); len(w) > 0 {
			t.Errorf("the county run's preview shows English or raw codes %q: %.800s", w, text)
		}
	})
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
