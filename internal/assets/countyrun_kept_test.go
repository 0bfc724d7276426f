package assets_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"onepool/internal/assets"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

// TestCountyRunAsSingleRuns: a county run distributes each asset exactly
// as a single run of it over its kept households would (the same payees,
// amounts and legs, line for line), whether the registry's villages are
// read by one scan of the area or by code; and it is refused whole,
// naming the asset, once a kept household has left the asset's villages
// (household_elsewhere) or the registry (unknown_household).
func TestCountyRunAsSingleRuns(t *testing.T) {
	for _, scan := range []struct {
		name string
		min  int
	}{{"scan", 0}, {"by-code", 1 << 30}} {
		t.Run(scan.name, func(t *testing.T) {
			old := assets.SetKeptScanMin(scan.min)
			defer assets.SetKeptScanMin(old)
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				countyRunAsSingleRuns(t, db)
			})
		})
	}
}

func countyRunAsSingleRuns(t *testing.T, db *store.DB) {
	e := NewIncomeEnv(t, db)
	var hh []string
	for i := 1; i <= 7; i++ {
		hh = append(hh, e.household(t, i, fmt.Sprintf("62220000%08d", i)))
	}
	kept := [][]assets.RunHousehold{
		{{Code: hh[0]}, {Code: hh[1], Weight: 3}, {Code: hh[2]}, {Code: hh[3], Weight: 2}},
		{{Code: hh[4]}, {Code: hh[5]}, {Code: hh[6], Weight: 5}},
	}
	var ids [2]int64
	var codes [2]string
	single := map[int64][]assets.RunLine{}
	for i := range ids {
		a, err := e.S.Register(ctx, township, assets.NewAsset{Project: "P1", Name: fmt.Sprintf("光伏 %d", i+1), Type: assets.Operating, Category: "pv", Place: "990101001001", Value: 250_000_00})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.S.Confirm(ctx, township, a.ID, assets.Confirmation{Doc: fmt.Sprintf("确权 %d", i)}); err != nil {
			t.Fatal(err)
		}
		ids[i], codes[i] = a.ID, a.Code
		for j, amt := range []money.Fen{33_333_33, 1_000_07} {
			if _, err := e.I.RecordIncome(ctx, township, a.ID, assets.NewIncomeRecord{Amount: amt + money.Fen(i), DocNo: fmt.Sprintf("收据 %d-%d", i, j), ReceivedOn: "2026-03-01"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.I.SetBeneficiaries(ctx, township, a.ID, kept[i]); err != nil {
			t.Fatal(err)
		}
		// The single run of the same households, entered and rejected:
		// its lines are what the county run must write.
		r, in, err := e.I.ProposeRun(ctx, township, a.ID, assets.NewRun{Period: 2026, Households: kept[i]})
		if err != nil {
			t.Fatal(err)
		}
		if single[a.ID], err = e.I.Lines(ctx, rural, r.ID, 0, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Ins.Decide(ctx, finance, in.ID, workflow.Decision{Action: workflow.Reject, Opinion: "改为全县分配"}); err != nil {
			t.Fatal(err)
		}
	}
	// A kept household moved to a village not owning the asset, then gone
	// from the registry: the whole run refused, naming the asset. (Kept
	// aside and put back as it was.)
	const cols = `county, village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, created_at, updated_at, updated_by`
	exec := func(q string, args ...any) {
		t.Helper()
		if err := db.Write(ctx, *e.Now, func(tx *store.Tx) error { _, err := tx.ExecContext(ctx, q, args...); return err }); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO reg_households (code, `+cols+`) SELECT 'aside', `+cols+` FROM reg_households WHERE county = ? AND code = ?`, county, hh[5])
	for _, c := range []struct{ stmt, code string }{
		{`UPDATE reg_households SET village = '990101001002' WHERE county = ? AND code = ?`, "household_elsewhere"},
		{`DELETE FROM reg_households WHERE county = ? AND code = ?`, "unknown_household"},
	} {
		exec(c.stmt, county, hh[5])
		if _, err := e.I.PlanCountyRun(ctx, township, 2026, "", nil); errs.CodeOf(err) != c.code || !strings.Contains(err.Error(), codes[1]) {
			t.Fatalf("a kept household %s: %v", c.code, err)
		}
	}
	exec(`INSERT INTO reg_households (code, `+cols+`) SELECT ?, `+cols+` FROM reg_households WHERE county = ? AND code = 'aside'`, hh[5], county)
	exec(`DELETE FROM reg_households WHERE county = ? AND code = 'aside'`, county)
	in, plan, err := e.I.ProposeCountyRun(ctx, township, assets.CountyRunInput{Year: 2026, Key: "cr-same"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Assets) != 2 || plan.Lines != 4+3+4 || plan.Households != 7 {
		t.Fatalf("plan %+v", plan.CountyRunOrder)
	}
	e.approve(t, in)
	cr, err := e.I.CountyRun(ctx, rural, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		got, err := e.I.Lines(ctx, rural, cr.Runs[id], 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := single[id]
		if len(got) != len(want) {
			t.Fatalf("%s: %d lines, the single run %d", codes[i], len(got), len(want))
		}
		for j := range got {
			g, w := got[j], want[j]
			if g.Share != w.Share || g.PayeeKind != w.PayeeKind || g.Payee != w.Payee || g.Place != w.Place || g.Amount != w.Amount || !reflect.DeepEqual(g.Legs, w.Legs) || g.Name != w.Name {
				t.Fatalf("%s line %d: %+v, the single run's %+v", codes[i], j, g, w)
			}
		}
	}
}
