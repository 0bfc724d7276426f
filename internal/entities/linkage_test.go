package entities_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/tabular"
)

// linked: households -01 … -03 of village 990101001001 (township 001) and
// 990101002001-01 (township 002); cooperative 40 at 990101001001 drives
// -01 (two ways; 1,500 in 2025), -02 (800 in 2025: below the threshold),
// -03 (1,200 in 2025, but its link ended on 2024-06-30) and, linked by
// the county, 990101002001-01 (2,000 in 2025).
func linked(t *testing.T, db *store.DB) (env, string) {
	t.Helper()
	e := newEnv(t, db)
	e.s.UsePolicy(policy.NewCounties(db, nil))
	for i, h := range []struct{ code, vil string }{{"990101001001-01", "990101001001"}, {"990101001001-02", "990101001001"}, {"990101001001-03", "990101001001"}, {"990101002001-01", "990101002001"}} {
		if _, _, err := e.reg.Save(ctx, rural, registry.Household{County: county, Code: h.code, Village: place.Code(h.vil), Head: fmt.Sprintf("户主%d", i),
			Members: []registry.Member{{Name: fmt.Sprintf("户主%d", i), ResidentID: residentID(200 + i), Relation: "户主", Alive: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := e.s.Create(ctx, rural, coop(40, "990101001001")); err != nil {
		t.Fatal(err)
	}
	u := usccN(40)
	for _, k := range []struct {
		p        string
		h, typ   string
		since    string
		year     int
		income   money.Fen
		withLink bool
	}{
		{"town", "990101001001-01", entities.Employment, "2024-03-01", 2025, 1_500_00, true},
		{"town", "990101001001-01", entities.LandTransfer, "2024-03-01", 0, 0, false},
		{"town", "990101001001-02", entities.Order, "2024-04-15", 2025, 800_00, true},
		{"town", "990101001001-03", entities.LandTransfer, "2023-11-01", 2025, 1_200_00, true},
		{"rural", "990101002001-01", entities.Order, "2025-01-01", 2025, 2_000_00, true},
	} {
		var eff *entities.Effect
		if k.withLink {
			eff = &entities.Effect{Year: k.year, Income: k.income}
		}
		p := township
		if k.p == "rural" {
			p = rural
		}
		if _, err := e.s.AddLink(ctx, p, u, entities.Link{Household: k.h, Type: k.typ, Since: k.since}, eff); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.EndLink(ctx, township, u, "990101001001-03", entities.LandTransfer, "2024-06-30", "土地收回自种"); err != nil {
		t.Fatal(err)
	}
	return e, u
}

func TestEndLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, u := linked(t, db)
		if _, err := e.s.EndLink(ctx, township, u, "990101001001-02", entities.Order, "2024-01-01", "合同到期"); errs.CodeOf(err) != "invalid_date" {
			t.Fatalf("ended before it began: %v", err)
		}
		if _, err := e.s.EndLink(ctx, township, u, "990101001001-02", entities.Order, "2025-12-31", ""); errs.CodeOf(err) != "invalid_link" {
			t.Fatalf("no reason: %v", err)
		}
		if rep, err := e.s.EndLink(ctx, township, u, "990101001001-03", entities.LandTransfer, "2024-06-30", "土地收回自种"); err != nil || !rep {
			t.Fatalf("the same end again is a replay: %v %v", rep, err)
		}
		if _, err := e.s.EndLink(ctx, township, u, "990101001001-03", entities.LandTransfer, "2024-07-31", "另一原因"); errs.CodeOf(err) != "link_ended" {
			t.Fatalf("ended twice: %v", err)
		}
		if _, err := e.s.EndLink(ctx, township, u, "990101001001-02", entities.Equity, "2025-01-01", "无此联结"); errs.CodeOf(err) != "unknown_link" {
			t.Fatalf("no such link: %v", err)
		}
		// The page shows current and ended links; the entity counts the live ones.
		ls, n, err := e.s.Links(ctx, township, u)
		if err != nil || n != 3 || len(ls) != 4 {
			t.Fatalf("links: %d %d %v", n, len(ls), err)
		}
		last := ls[len(ls)-1]
		if last.Household != "990101001001-03" || last.Ended != "2024-06-30" || last.EndReason != "土地收回自种" || last.EndedBy != "town" {
			t.Fatalf("the ended link comes last, with its end: %+v", last)
		}
		if got, _ := e.s.Get(ctx, rural, u); got.Households != 3 {
			t.Fatalf("households driven now: %d", got.Households)
		}
		var audits int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'entities.link_end'`).Scan(&audits); err != nil || audits != 1 {
			t.Fatalf("audit entries: %d %v", audits, err)
		}
	})
}

func TestLinkageReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, u := linked(t, db)
		// The township officer: -01 (reached) and -02 (below); -03's link
		// ended before 2025; 990101002001-01 is outside the area.
		r, err := e.s.Report(ctx, township, entities.ReportFilter{Year: 2025})
		if err != nil {
			t.Fatal(err)
		}
		want := entities.Tally{Entities: 1, Households: 2, Reached: 1, Total: 2_300_00, Average: 1_150_00}
		if r.Threshold != 1_000_00 || r.County != want || len(r.Entities) != 1 || r.Entities[0].Tally != want || r.Entities[0].USCC != u {
			t.Fatalf("township's report: %+v", r)
		}
		if len(r.Townships) != 1 || r.Townships[0].Township != "990101001000" || r.Townships[0].Tally != want {
			t.Fatalf("townships: %+v", r.Townships)
		}
		one, err := e.s.Report(ctx, township, entities.ReportFilter{Year: 2025, Entity: u})
		if err != nil || len(one.Households) != 2 || strings.Contains(fmt.Sprint(one), "990101002001") {
			t.Fatalf("one entity, the township's households only: %+v %v", one.Households, err)
		}
		if h := one.Households[1]; h.Household != "990101001001-02" || h.Reached || h.Income != 800_00 || !h.Recorded {
			t.Fatalf("below the threshold: %+v", h)
		}
		// The county sees both townships: 4,300 over 3 households.
		r, err = e.s.Report(ctx, rural, entities.ReportFilter{Year: 2025})
		if err != nil {
			t.Fatal(err)
		}
		if want := (entities.Tally{Entities: 1, Households: 3, Reached: 2, Total: 4_300_00, Average: 1_433_33}); r.County != want || len(r.Townships) != 2 || r.Townships[1].Households != 1 {
			t.Fatalf("county's report: %+v", r)
		}
		if r, err = e.s.Report(ctx, rural, entities.ReportFilter{Year: 2025, Township: "990101002000"}); err != nil || r.County.Households != 1 || r.County.Total != 2_000_00 {
			t.Fatalf("one township: %+v %v", r.County, err)
		}
		// In 2024 the ended link was live (no effect recorded that year);
		// 990101002001-01's link began in 2025.
		if r, err = e.s.Report(ctx, rural, entities.ReportFilter{Year: 2024}); err != nil || r.County.Households != 3 || r.County.Reached != 0 || r.County.Total != 0 {
			t.Fatalf("2024: %+v %v", r.County, err)
		}
		// A second entity drives -02 too (300 in 2025): the county counts
		// the household once, its 1,100 reaching the threshold, while each
		// entity's line keeps its own.
		if _, _, err := e.s.Create(ctx, rural, coop(41, "990101001001")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.AddLink(ctx, township, usccN(41), entities.Link{Household: "990101001001-02", Type: entities.Employment, Since: "2025-02-01"}, &entities.Effect{Year: 2025, Income: 300_00}); err != nil {
			t.Fatal(err)
		}
		r, err = e.s.Report(ctx, township, entities.ReportFilter{Year: 2025})
		if want := (entities.Tally{Entities: 2, Households: 2, Reached: 2, Total: 2_600_00, Average: 1_300_00}); err != nil || r.County != want || len(r.Entities) != 2 {
			t.Fatalf("two entities, one household: %+v %v", r, err)
		}
		for _, et := range r.Entities {
			if et.USCC == usccN(41) && (et.Households != 1 || et.Reached != 0) {
				t.Fatalf("the second entity's own line: %+v", et)
			}
		}
		if _, err := e.s.Report(ctx, rural, entities.ReportFilter{Year: 2099}); errs.CodeOf(err) != "invalid_year" {
			t.Fatalf("a future year: %v", err)
		}
		if _, err := e.s.Report(ctx, town2, entities.ReportFilter{Year: 2025, Entity: u}); errs.CodeOf(err) != "unknown_entity" {
			t.Fatalf("an entity outside the area: %v", err)
		}
	})
}

func TestImportEffectsOnePass(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, u := linked(t, db)
		head := "统一社会信用代码,户编号,年度,年增收（元）\n"
		bad := head +
			u + ",990101001001-01,2026,1600\n" + // fine
			u[:17] + "X,990101001001-01,2026,1600\n" + // wrong check character
			u + ",990101001001-02,二〇二六,900\n" + // not a year
			u + ",990101001001-02,2026,九百\n" + // not an amount
			u + ",990101001001-03,2026,1000\n" + // its link ended in 2024
			u + ",990101001001-01,2026,1700\n" + // twice in the file
			u + ",990101002001-01,2026,2100\n" + // outside the officer's area
			usccN(49) + ",990101001001-02,2026,900\n" // no such entity
		n, err := e.s.ImportEffects(ctx, township, strings.NewReader(bad))
		var ie *tabular.ImportError
		if n != 0 || !errors.As(err, &ie) {
			t.Fatalf("import: %d %v", n, err)
		}
		rows := map[int]string{}
		for _, r := range ie.Rows {
			rows[r.Row] = r.Column
		}
		want := map[int]string{3: "uscc", 4: "year", 5: "income", 6: "household", 7: "household", 8: "household", 9: "uscc"}
		if fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Fatalf("row errors %v, want %v (%v)", rows, want, ie.Rows)
		}
		var count int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ent_effects WHERE county = ? AND year = 2026`, county).Scan(&count); err != nil || count != 0 {
			t.Fatalf("after a refused import %d effects: %v", count, err)
		}
		good := head + u + ",990101001001-01,2026,1600\n" + u + ",990101001001-02,2026,\"1,100.50\"\n"
		if n, err := e.s.ImportEffects(ctx, township, strings.NewReader(good)); err != nil || n != 2 {
			t.Fatalf("good import: %d %v", n, err)
		}
		r, err := e.s.Report(ctx, township, entities.ReportFilter{Year: 2026})
		if err != nil || r.County.Reached != 2 || r.County.Total != 2_700_50 {
			t.Fatalf("2026 after the import: %+v %v", r.County, err)
		}
	})
}
