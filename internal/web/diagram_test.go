package web_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestDiagramDrillDownAndRecipients: a channel's diagram links its
// groups and projects to their own diagrams and to the table of each
// household's amount; the table's total is the channel's money in the
// households and entities; a township officer sees and opens only their
// township, and the export carries number cells and the filters.
func TestDiagramDrillDownAndRecipients(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, l, _, h := demoKeyed(t, db)
		ctx := context.Background()
		rural := newBrowser(t, h)
		rural.login("demo.rural", demo.Password("demo.rural"))
		const ch = "ZX"
		page := rural.do("GET", "/ledger/trace?channel="+ch, nil, "").Body.String()
		if !strings.Contains(page, `href="/ledger/recipients?channel=ZX"`) {
			t.Error("the channel's diagram does not link its recipients table")
		}
		drills := regexp.MustCompile(`<a href="(/ledger/trace\?[^"]+)">`).FindAllStringSubmatch(page, -1)
		if len(drills) == 0 {
			t.Fatalf("no node of the county's diagram opens a diagram of its own:\n%s", page)
		}
		for _, d := range drills {
			u := strings.ReplaceAll(d[1], "&amp;", "&")
			if w := rural.do("GET", u, nil, ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="trace-scope"`) {
				t.Errorf("drill-down %s: %d", u, w.Code)
			}
		}

		// The table sums to the channel's money held by households and entities.
		ks, err := l.SummaryByKind(ctx, demo.County, "")
		if err != nil {
			t.Fatal(err)
		}
		var held money.Fen
		for _, k := range ks {
			if k.Channel == ch && (k.Kind == ledger.Household || k.Kind == ledger.Entity) {
				held += k.Amount
			}
		}
		table := rural.do("GET", "/ledger/recipients?channel="+ch, nil, "").Body.String()
		foot := regexp.MustCompile(`<tfoot><tr>.*?<td[^>]*>([0-9,.\-]+)</td><td>([0-9,.\-]+)</td><td>([0-9,.\-]+)</td>`).FindStringSubmatch(table)
		if foot == nil {
			t.Fatalf("no totals on the table:\n%s", table)
		}
		if foot[3] != held.String() || held == 0 {
			t.Errorf("the table says households and entities hold %s; the ledger says %s", foot[3], held)
		}

		// A township officer: their township only.
		officer := newBrowser(t, h)
		officer.login("demo.township", demo.Password("demo.township"))
		own := officer.do("GET", "/ledger/recipients?channel="+ch, nil, "").Body.String()
		for _, other := range []string{"胡志强", "宋家旺", "石门村", "云岭村"} {
			if strings.Contains(own, other) {
				t.Errorf("the township's table shows %s", other)
			}
		}
		for _, u := range []string{"/ledger/recipients?channel=ZX&place=990101002001", "/ledger/trace?channel=ZX&place=990101002000",
			"/ledger/recipients.xlsx?channel=ZX&place=990101002001", "/ledger/trace?channel=ZX&from=prj:2026-004"} {
			if w := officer.do("GET", u, nil, ""); w.Code != http.StatusNotFound {
				t.Errorf("township officer %s: %d, want 404", u, w.Code)
			}
		}
		whole := officer.do("GET", "/ledger/trace?channel="+ch, nil, "").Body.String()
		if strings.Contains(whole, `<a href="/ledger/trace?channel=ZX">`) {
			t.Error("the outside node of the township's own diagram is a link")
		}
		if w := officer.do("GET", "/ledger/trace?channel=ZX&place=990101001001", nil, ""); w.Code != http.StatusOK ||
			!strings.Contains(w.Body.String(), `<a href="/ledger/trace?channel=ZX">`) {
			t.Errorf("the township's village diagram: %d, or its outside node does not lead back", w.Code)
		}

		// The export: title with the filters, number cells, totals.
		w := rural.do("GET", "/ledger/recipients.xlsx?channel=ZX&place=990101001000", nil, "")
		if w.Code != 200 || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("export: %d %s", w.Code, w.Header().Get("Cache-Control"))
		}
		x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetName(0))
		if len(rows) < 4 || !strings.Contains(rows[0][0], "中央财政衔接推进乡村振兴补助资金") || !strings.Contains(rows[0][0], "清溪镇") {
			t.Fatalf("export rows %v", rows)
		}
		var sum float64
		for i := 3; i <= len(rows)-1; i++ {
			typ, _ := x.GetCellType(x.GetSheetName(0), "E"+strconv.Itoa(i))
			v, _ := x.GetCellValue(x.GetSheetName(0), "E"+strconv.Itoa(i), excelize.Options{RawCellValue: true})
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
				t.Fatalf("E%d = %q (%v) is not a number", i, v, typ)
			}
			sum += f
		}
		last := strconv.Itoa(len(rows))
		tv, _ := x.GetCellValue(x.GetSheetName(0), "E"+last, excelize.Options{RawCellValue: true})
		if tot, _ := strconv.ParseFloat(tv, 64); tot == 0 || int64(tot*100+0.5) != int64(sum*100+0.5) {
			t.Errorf("export total %s, rows sum %.2f", tv, sum)
		}
	})
}
