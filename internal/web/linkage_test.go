package web_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"onepool/internal/demo"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// The linkage's routes in the authorization matrix.
func init() {
	for k, v := range map[string]rule{
		"GET /entities/linkage":                                  {roles: staff, list: true},
		"GET /entities/linkage.xlsx":                             {roles: staff, list: true},
		"POST /entities/linkage/import":                          {roles: "village township rural"},
		"GET /entities/linkage/template.xlsx":                    {roles: staff},
		"POST /entities/{code}/links/end":                        {roles: "village township rural", record: true},
		"POST /agreements/{id}/principal-return":                 {roles: "village township rural", record: true},
		"GET /subsidies/batches":                                 {roles: "finance rural"},
		"GET /api/v1/entities/{county}/linkage":                  {roles: staff, record: true, list: true},
		"POST /api/v1/entities/{county}/{code}/links/end":        {roles: "village township rural", record: true},
		"GET /api/v1/agreements/{county}/subsidy-batches":        {roles: "finance rural", record: true, list: true},
		"POST /api/v1/agreements/{county}/{id}/principal-return": {roles: "village township rural", record: true},
	} {
		matrix[k] = v
	}
}

// TestDemoLinkage: the demo's linkage report for a township officer
// (the county's own enterprise and its household are not theirs), its
// export with number cells and the totals row, one entity's households
// in the API, and the subsidy batches' list.
func TestDemoLinkage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, _, _, srv := demoKeyed(t, db)
		b := newBrowser(t, srv)
		b.login("demo.township", demo.Password("demo.township"))
		// 2025: 上坝村 -01 (1,800 tea + 600 collective), -02 (1,200),
		// -03 (950: below), -04 (600 collective: below).
		page := b.do("GET", "/entities/linkage?year=2025", nil, "").Body.String()
		for _, want := range []string{`<dd id="linkage-households">4</dd>`, `<dd id="linkage-reached">2</dd>`, "5,150.00", "1,287.50", "桃园茶叶专业合作社（演示）", "桃园村股份经济合作社（演示）"} {
			if !strings.Contains(page, want) {
				t.Errorf("the township's report lacks %q", want)
			}
		}
		if strings.Contains(page, "绿源") {
			t.Error("the county's enterprise is in the township's report")
		}
		x := b.do("GET", "/entities/linkage.xlsx?year=2025", nil, "")
		f, err := excelize.OpenReader(bytes.NewReader(x.Body.Bytes()))
		if err != nil {
			t.Fatalf("export: %d %v", x.Code, err)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		if len(rows) != 5 || !strings.Contains(rows[0][0], "2025") || !strings.Contains(rows[0][0], "1,000.00") {
			t.Fatalf("export rows: %q", rows)
		}
		if typ, _ := f.GetCellType(f.GetSheetName(0), "G5"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Fatalf("the total is text, not a number: %v", typ)
		}
		if v, _ := f.GetCellValue(f.GetSheetName(0), "G5", excelize.Options{RawCellValue: true}); v != "5150" {
			t.Fatalf("the totals row's effect: %q (%q)", v, rows[4])
		}
		// 2026 for the tea cooperative: -03's 800 is below the threshold.
		w := b.do("GET", "/api/v1/entities/990101/linkage?year=2026&entity=93990101MA6CHAYE1H", nil, "")
		var a struct {
			Threshold  string `json:"threshold"`
			County     struct{ Households, Reached int }
			Households []struct {
				Household string `json:"household"`
				Reached   bool   `json:"reached"`
			} `json:"households"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil || w.Code != 200 || a.County.Households != 3 || a.County.Reached != 2 || len(a.Households) != 3 || a.Households[2].Reached {
			t.Fatalf("the cooperative's 2026: %d %s", w.Code, w.Body)
		}
		rb := newBrowser(t, srv)
		rb.login("demo.rural", demo.Password("demo.rural"))
		if page := rb.do("GET", "/subsidies/batches", nil, "").Body.String(); !strings.Contains(page, `href="/subsidies/batches/1"`) {
			t.Errorf("the subsidy batches' list lacks the demo's batch: %s", page)
		}
		w = rb.do("GET", "/api/v1/agreements/990101/subsidy-batches", nil, "")
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"batches":[{"id":1,"lines":1,"total":"8000.00"`) {
			t.Fatalf("subsidy batches: %d %s", w.Code, w.Body)
		}
	})
}
