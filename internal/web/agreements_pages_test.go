package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/money"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestAgreementsOnTheDemo walks the agreements' pages and API on the demo
// county (both stores): the demo's agreements (a guaranteed dividend and
// an equity agreement active, two accepted subsidies, one paid through
// the payout mechanism), a refusal naming the rule's numbers in Chinese
// with the form kept, the API's snake_case answers with [] for empty
// lists and one not-found outside the viewer's area, the export's number
// cells, and the payment offered on an accepted subsidy.
func TestAgreementsOnTheDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _, _, srv := demoKeyed(t, db)
		api := func(p auth.Principal, method, path, body string) (int, string) {
			t.Helper()
			w := entitiesWorld{h: srv, a: a}
			rec := w.api(t, p, method, path, body)
			return rec.Code, rec.Body.String()
		}
		rural := auth.Principal{Username: "demo.rural", Role: auth.RoleRural, Place: "990101000000", County: "990101"}
		other := auth.Principal{Username: "demo.township2", Role: auth.RoleTownship, Place: "990101002000", County: "990101"}

		// The demo's agreements, by the API.
		code, body := api(rural, "GET", "/api/v1/agreements/990101", "")
		if code != http.StatusOK {
			t.Fatalf("list: %d %s", code, body)
		}
		var list struct {
			Agreements []map[string]any `json:"agreements"`
		}
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			t.Fatal(err)
		}
		byKind := map[string][]map[string]any{}
		for _, ag := range list.Agreements {
			k := ag["kind"].(string) + "/" + ag["form"].(string)
			byKind[k] = append(byKind[k], ag)
		}
		if len(byKind["entity/guaranteed"]) != 1 || len(byKind["entity/equity"]) != 1 || len(byKind["subsidy/"]) != 2 {
			t.Fatalf("demo agreements: %s", body)
		}
		g := byKind["entity/guaranteed"][0]
		if g["state"] != "active" || g["amount"] != "950000.00" || len(g["schedule"].([]any)) != 3 || g["collateral_kind"] != "money" {
			t.Fatalf("guaranteed dividend: %v", g)
		}
		// Its page names the channels of the invested money and the review's
		// decisions in words, not by code.
		{
			pb := newBrowser(t, srv)
			pb.login("demo.rural", demo.Password("demo.rural"))
			page := pb.do("GET", "/agreements/"+itoa(int64(g["id"].(float64))), nil, "").Body.String()
			for _, want := range []string{"中央财政衔接推进乡村振兴补助资金 800,000.00", "同意"} {
				if !strings.Contains(page, want) {
					t.Errorf("the agreement page lacks %q", want)
				}
			}
			for _, raw := range []string{"（ZX ", "<td>approve</td>", "<td>submit</td>"} {
				if strings.Contains(page, raw) {
					t.Errorf("the agreement page shows the code %q", raw)
				}
			}
		}
		eq := byKind["entity/equity"][0]
		if eq["state"] != "active" || eq["households_share"] != "80%" || len(eq["schedule"].([]any)) != 0 {
			t.Fatalf("equity: %v (an empty schedule is [])", eq)
		}
		pays := map[string]bool{}
		for _, s := range byKind["subsidy/"] {
			pays[s["pay_status"].(string)] = true
			if s["rates"] == nil || s["legs"] == nil {
				t.Fatalf("null lists: %v", s)
			}
		}
		if !pays["paid"] || !pays["waiting"] {
			t.Fatalf("subsidies: one paid, one waiting: %v", pays)
		}
		if strings.Contains(body, "null") || strings.Contains(body, "PayStatus") || strings.Contains(body, "TermYears") {
			t.Fatalf("the API writes snake_case and [] for empty lists: %s", body)
		}
		// Another township's officer: an empty list, and one not-found.
		code, body = api(other, "GET", "/api/v1/agreements/990101", "")
		if code != http.StatusOK || !strings.Contains(body, `"agreements":[]`) {
			t.Fatalf("another township's list: %d %s", code, body)
		}
		id := int64(g["id"].(float64))
		code1, body1 := api(other, "GET", "/api/v1/agreements/990101/"+itoa(id), "")
		code2, body2 := api(other, "GET", "/api/v1/agreements/990101/999999", "")
		if code1 != http.StatusNotFound || code1 != code2 || body1 != body2 {
			t.Fatalf("outside the area: %d %s; missing: %d %s", code1, body1, code2, body2)
		}
		// The API refuses a subsidy past the cap with the numbers.
		code, body = api(rural, "POST", "/api/v1/agreements/990101", `{"kind":"subsidy","purpose":"扩大养殖","amount":"12500.00","start":"2026-05-01","term_years":3,"households":[{"household":"990101001001-03"}]}`)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `"code":"subsidy_cap"`) || !strings.Contains(body, "20,500.00") {
			t.Fatalf("past the cap by the API: %d %s", code, body)
		}

		// The create form: refused in Chinese with the rule's numbers, the input kept.
		b := newBrowser(t, srv)
		b.login("demo.village", demo.Password("demo.village"))
		w := b.form("/agreements", "/agreements", url.Values{"kind": {"subsidy"}, "household": {"990101001001-03"}, "purpose": {"扩大养殖（测试）"},
			"amount": {"12,500"}, "start": {"2026-05-01"}, "term_years": {"3"}})
		page := w.Body.String()
		if w.Code != http.StatusUnprocessableEntity {
			t.Fatalf("create past the cap: %d", w.Code)
		}
		for _, want := range []string{"8,000.00", "12,500.00", "20,500.00", "20,000.00", "直补每户累计上限", `value="扩大养殖（测试）"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		w = b.form("/agreements", "/agreements", url.Values{"kind": {"subsidy"}, "household": {"990101001001-04"}, "purpose": {"扩大养殖（测试）"},
			"amount": {"2,000"}, "start": {"2026-05-01"}, "term_years": {"2"}})
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "最短期限") || !strings.Contains(w.Body.String(), "2 年") {
			t.Fatalf("a 2-year subsidy: %d %s", w.Code, w.Body)
		}

		// The waiting subsidy's page offers the payment to the finance
		// bureau, not to the village; the paid one shows its line.
		var waiting, paid int64
		for _, s := range byKind["subsidy/"] {
			if s["pay_status"] == "waiting" {
				waiting = int64(s["id"].(float64))
			} else {
				paid = int64(s["id"].(float64))
			}
		}
		if strings.Contains(b.do("GET", "/agreements/"+itoa(waiting), nil, "").Body.String(), `id="agreement-pay"`) {
			t.Errorf("the village is offered the payment")
		}
		fin := newBrowser(t, srv)
		fin.login("demo.finance", demo.Password("demo.finance"))
		if p := fin.do("GET", "/agreements/"+itoa(waiting), nil, "").Body.String(); !strings.Contains(p, `id="agreement-pay"`) || !strings.Contains(p, "已验收，待发放") {
			t.Errorf("the finance bureau is not offered the payment")
		}
		if p := fin.do("GET", "/agreements/"+itoa(paid), nil, "").Body.String(); !strings.Contains(p, "已发放到户") || !strings.Contains(p, "8,000.00") || !strings.Contains(p, `href="/subsidies/batches/`) {
			t.Errorf("the paid subsidy's page: %s", p)
		}
		w = fin.form("/agreements/"+itoa(waiting), "/agreements/"+itoa(waiting)+"/pay", url.Values{})
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/instructions/") {
			t.Fatalf("enter the batch: %d %s", w.Code, w.Body)
		}
		var batch int64
		if err := db.QueryRowContext(ctx, `SELECT MAX(batch) FROM payout_lines WHERE county = '990101' AND kind = 'subsidy'`).Scan(&batch); err != nil {
			t.Fatal(err)
		}
		if p := fin.do("GET", "/subsidies/batches/"+itoa(batch), nil, ""); p.Code != http.StatusOK || !strings.Contains(p.Body.String(), "直补代发批次") || !strings.Contains(p.Body.String(), "/subsidies/batches/"+itoa(batch)+"/payout.xlsx") {
			t.Fatalf("the subsidy batch page: %d %s", p.Code, p.Body)
		}
		if p := fin.do("GET", "/relief/batches/"+itoa(batch), nil, ""); p.Code != http.StatusNotFound {
			t.Fatalf("a subsidy batch on relief's page: %d", p.Code)
		}

		// The demo's dividend shows on its household's page; nothing is
		// overdue, so the desk shows no overdue dividend.
		var hh string
		var amount int64
		if err := db.QueryRowContext(ctx, `SELECT household, amount FROM ag_div_lines WHERE county = '990101' ORDER BY id LIMIT 1`).Scan(&hh, &amount); err != nil {
			t.Fatalf("the demo has no dividend line: %v", err)
		}
		if page := fin.do("GET", "/registry/"+hh, nil, "").Body.String(); !strings.Contains(page, `id="household-dividends"`) || !strings.Contains(page, money.Fen(amount).String()) {
			t.Errorf("the household page does not show its dividend %s", money.Fen(amount))
		}
		if desk := fin.do("GET", "/", nil, "").Body.String(); strings.Contains(desk, `id="overdue-dividends"`) {
			t.Errorf("the desk shows an overdue dividend the demo does not have")
		}

		// The export: amounts are number cells.
		x := b.do("GET", "/agreements.xlsx", nil, "")
		if x.Code != http.StatusOK {
			t.Fatalf("export: %d", x.Code)
		}
		f, err := excelize.OpenReader(bytes.NewReader(x.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil || len(rows) < 3 {
			t.Fatalf("export rows: %d %v", len(rows), err)
		}
		sheet := f.GetSheetList()[0]
		for r := 3; r <= len(rows); r++ {
			cell, _ := excelize.CoordinatesToCellName(7, r) // 金额（元）
			typ, _ := f.GetCellType(sheet, cell)
			raw, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
			if (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) || (raw != "5000" && raw != "8000") {
				t.Errorf("the amount %s is not a number cell: %v %q", cell, typ, raw)
			}
		}
	})
}
