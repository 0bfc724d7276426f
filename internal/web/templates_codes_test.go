package web_test

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/xuri/excelize/v2"

	"onepool/internal/demo"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// rawRoleOrLevel is a role or place-level code standing alone in a text:
// not a value to type explained by its Chinese name ("province（省）").
var rawRoleOrLevel = regexp.MustCompile(`(^|[^A-Za-z_.])(admin|rural|finance|sector|township|village|county|auditor|public|province|city)($|[^A-Za-z_（])`)

// TestImportTemplatesNameNoCodes: every import template downloaded in
// Chinese — the adoption plan's with one column per review step, the
// funds', the registry's, the places', the opening set's — explains its
// columns in words: no role or level code (the plan's step columns once
// read "（rural，county级）").
func TestImportTemplatesNameNoCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := demoServer(t, db, false)
		for user, paths := range map[string][]string{
			"demo.rural":   {"/adopt/plan/template.xlsx", "/funds/import/template.xlsx?kind=plans"},
			"demo.finance": {"/funds/import/template.xlsx?kind=channels", "/funds/import/template.xlsx?kind=arrivals", "/funds/opening/template.xlsx"},
			"demo.village": {"/registry/import/template.xlsx?kind=households", "/registry/import/template.xlsx?kind=years"},
			"demo.admin":   {"/system/places/template.xlsx"},
		} {
			b := newBrowser(t, h)
			b.login(user, demo.Password(user))
			for _, path := range paths {
				w := b.do("GET", path, nil, "")
				if w.Code != 200 {
					t.Errorf("%s as %s: %d", path, user, w.Code)
					continue
				}
				x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				heads, _ := x.GetRows(x.GetSheetList()[0])
				notes, _ := x.GetRows("说明")
				x.Close()
				if len(notes) < 2 || len(heads) == 0 {
					t.Fatalf("%s: no notes or no header: %q %q", path, notes, heads)
				}
				steps := 0
				for _, row := range notes {
					if len(row) > 0 && regexp.MustCompile(`^第\d+步经办人$`).MatchString(row[0]) {
						steps++
					}
					for _, cell := range append(row, heads[0]...) {
						if m := rawRoleOrLevel.FindStringSubmatch(cell); m != nil {
							t.Errorf("%s: %q names the code %q", path, cell, m[2])
						}
					}
				}
				if path == "/adopt/plan/template.xlsx" && steps == 0 {
					t.Errorf("the plan template explains no step column: %q", notes)
				}
			}
		}
	})
}
