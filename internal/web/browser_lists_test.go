package web_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onepool/internal/auth"
	"onepool/internal/ident"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/tabular/tabulartest"
)

// seedHouseholds imports n one-member households of village 990101001001
// (codes 990101001001-T0000000…) straight through the registry service,
// with the keys newDriverAt gives the server: heads 测试甲i for even i and
// 测试乙i for odd i.
func seedHouseholds(t *testing.T, db *store.DB, n int) {
	t.Helper()
	keys, err := registry.NewKeys([]byte("browser-test-key-0123456789abcde"))
	if err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	csv.WriteString("household,village,head,name,resident_id,relation\n")
	for i := range n {
		day := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/900)
		body := fmt.Sprintf("110105%s%03d", day.Format("20060102"), 100+i%900)
		head := fmt.Sprintf("测试甲%d", i)
		if i%2 == 1 {
			head = fmt.Sprintf("测试乙%d", i)
		}
		fmt.Fprintf(&csv, "990101001001-T%07d,990101001001,%s,%s,%s,户主\n", i, head, head, body+string(ident.ResidentIDCheckChar(body)))
	}
	p := auth.Principal{Username: "demo.rural", Role: auth.RoleRural, Place: "990101000000", County: "990101"}
	if got, err := registry.New(db, keys, nil).Import(context.Background(), p, &csv); err != nil || got != n {
		t.Fatalf("seed %d households: %d, %v", n, got, err)
	}
}

// TestBrowserHouseholdOnPage3: with some 4,000 households in the registry,
// a village cadre's colleague at the bureau searches by name (the list
// narrows from all of them to the 2,000 that match), walks the pager to
// page 3 and opens the first household there — the 101st match in code
// order — and the household's own page names it.
func TestBrowserHouseholdOnPage3(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDriver(t, db)
		seedHouseholds(t, db, 4000)
		d.signIn("demo.rural")
		d.must("the registry", chromedp.Navigate(d.url+"/registry"), visible("#household-search"))
		all := d.textOf("#pager-total")
		if !strings.Contains(all, "40") || strings.Contains(all, "2000") {
			t.Errorf("the whole registry counts %q", all)
		}
		d.must("search", setValue(`#household-search input[name=q]`, "测试乙"))
		d.submit("search by name", "#household-search", "#pager-total")
		if s := d.textOf("#pager-total"); s != "共 2000 条" {
			t.Errorf("the search narrows to %q, want 共 2000 条", s)
		}
		if s := d.textOf("#pager-page"); s != "第 1 / 40 页" {
			t.Errorf("first page of the search: %q", s)
		}
		for _, want := range []string{"第 2 / 40 页", "第 3 / 40 页"} {
			if _, err := chromedp.Run(d.ctx, chromedp.Evaluate[any](`document.body.setAttribute("data-old", "1"); 1`)); err != nil {
				t.Fatal(err)
			}
			d.must("next page", click("#pager-next"), visible("body:not([data-old]) #pager-page"))
			if s := d.textOf("#pager-page"); s != want {
				t.Fatalf("after next: %q, want %q", s, want)
			}
		}
		if n := d.count("#households tbody tr"); n != 50 {
			t.Errorf("page 3 lists %d households, want 50", n)
		}
		rows := d.textOf("#households tbody")
		if strings.Contains(rows, "测试甲") {
			t.Errorf("page 3 of the search lists a household that does not match: %.300s", rows)
		}
		d.shot("70-registry-page3")
		d.must("open the first household of page 3", click("#households tbody tr:first-child a"), visible("#members"))
		if s := d.textOf("h1"); !strings.Contains(s, "测试乙201") || !strings.Contains(s, "990101001001-T0000201") {
			t.Errorf("the household opened from page 3: %q, want 测试乙201 (990101001001-T0000201)", s)
		}
	})
}

// TestBrowserImportArrivalsXLSX: the finance bureau imports an xlsx made
// as staff make it — real date cells (Excel's short date and a custom
// yyyy/m/d) and amounts written 12万 and 1,200元 — through the funds page;
// the page says the file is imported and the channel's arrived money in
// the report grows by exactly 121,200.00 yuan.
func TestBrowserImportArrivalsXLSX(t *testing.T) {
	chromium(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDriver(t, db)
		day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		file := filepath.Join(t.TempDir(), "到位资金.xlsx")
		sheet := tabulartest.Sheet([][]any{
			{"流水号", "渠道代码", "金额", "文件日期", "文号"},
			{"br-1", "SJ", "12万", day, "青财农〔2026〕30号"},
			{"br-2", "SJ", "1,200元", tabulartest.Styled{V: day.AddDate(0, 0, 3), Custom: "yyyy/m/d"}, "青财农〔2026〕31号"},
		})
		if err := os.WriteFile(file, sheet, 0o600); err != nil {
			t.Fatal(err)
		}
		d.signIn("demo.finance")
		d.must("the funds page", chromedp.Navigate(d.url+"/funds?year=2026"), visible("#funds-report"))
		if s := d.textOf(`#funds-report tr:has(a[href="/funds/channels/SJ"]) td:nth-child(5)`); s != "4,000,000.00" {
			t.Fatalf("SJ arrived before the import: %q", s)
		}
		d.must("choose the file", chromedp.SetValue(chromedp.CSS(`#import-form select[name=kind]`), "arrivals"),
			chromedp.SetUploadFiles(chromedp.CSS("#import-form input[name=file]"), []string{file}))
		d.submit("import the arrivals", "#import-form", "#flash")
		if s := d.textOf("#flash"); !strings.Contains(s, "文件已导入") || !strings.Contains(s, "2") {
			t.Errorf("after the import: %q", s)
		}
		if d.count("#form-error") != 0 {
			t.Errorf("the import was refused: %q", d.textOf("#form-error"))
		}
		d.must("the report of 2026", chromedp.Navigate(d.url+"/funds?year=2026"), visible("#funds-report"))
		if s := d.textOf(`#funds-report tr:has(a[href="/funds/channels/SJ"]) td:nth-child(5)`); s != "4,121,200.00" {
			t.Errorf("SJ arrived after importing 12万 and 1,200元: %q, want 4,121,200.00", s)
		}
		d.shot("71-arrivals-xlsx")
	})
}
