package assets_test

import (
	"fmt"
	"strings"
	"testing"

	"onepool/internal/assets"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/money"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

// TestCountyRun: a county-wide run over three operating assets, two with
// income of 2026 and one without (left out, and said so). Refused whole,
// naming the asset, when an asset has no households named, and for a
// banned use; the maker cannot approve; income arriving after entry makes
// it stale naming the asset; while pending it holds its assets against a
// single run. Approved, each asset's lines sum exactly to its income in
// total and per channel, the collectives and the fund receive their
// shares, and every household line is paid once through the payout
// mechanism.
func TestCountyRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := NewIncomeEnv(t, db)
		var ids [3]int64
		var codes [3]string
		for i := range ids {
			a, err := e.S.Register(ctx, township, assets.NewAsset{Project: "P1", Name: fmt.Sprintf("大棚 %d", i+1), Type: assets.Operating, Category: "greenhouse", Place: "990101001001", Value: 300_000_00})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.S.Confirm(ctx, township, a.ID, assets.Confirmation{Doc: fmt.Sprintf("确权 %d", i)}); err != nil {
				t.Fatal(err)
			}
			ids[i], codes[i] = a.ID, a.Code
		}
		income := []money.Fen{60_000_00, 30_000_01}
		for i, amt := range income {
			if _, err := e.I.RecordIncome(ctx, township, ids[i], assets.NewIncomeRecord{Amount: amt, DocNo: fmt.Sprintf("收据 %d", i), ReceivedOn: "2026-03-01"}); err != nil {
				t.Fatal(err)
			}
		}
		var hh []string
		for i := 1; i <= 5; i++ {
			hh = append(hh, e.household(t, i, fmt.Sprintf("62220000%08d", i)))
		}
		if _, err := e.I.SetBeneficiaries(ctx, township, ids[0], []assets.RunHousehold{{Code: hh[0]}, {Code: hh[1]}, {Code: hh[2]}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.I.SetBeneficiaries(ctx, township, ids[1], []assets.RunHousehold{{Code: "990101009009-01"}}); errs.CodeOf(err) != "unknown_household" {
			t.Fatalf("an unknown household kept with an asset: %v", err)
		}
		// Bad input, refused whole: an asset with income and no households
		// named (the asset named), a banned use.
		if _, _, err := e.I.ProposeCountyRun(ctx, township, assets.CountyRunInput{Year: 2026}); errs.CodeOf(err) != "households_required" || !strings.Contains(err.Error(), codes[1]) {
			t.Fatalf("an asset without households: %v", err)
		}
		bw := []assets.RunHousehold{{Code: hh[2], Weight: 2}, {Code: hh[3]}, {Code: hh[4]}}
		if _, err := e.I.SetBeneficiaries(ctx, township, ids[1], bw); err != nil {
			t.Fatal(err)
		}
		if again, err := e.I.SetBeneficiaries(ctx, township, ids[1], bw); err != nil || !again {
			t.Fatalf("the same households again: %v %v", again, err)
		}
		if _, _, err := e.I.ProposeCountyRun(ctx, township, assets.CountyRunInput{Year: 2026, Uses: map[string]string{"jobs": "村干部补贴"}}); errs.CodeOf(err) != "banned_use" {
			t.Fatalf("a banned use: %v", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM money_instructions WHERE county = ? AND kind = ?`, county, instruct.AssetCountyRun).Scan(&n); err != nil || n != 0 {
			t.Fatalf("refused county runs wrote %d instructions (%v)", n, err)
		}

		plan, err := e.I.PlanCountyRun(ctx, township, 2026, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Assets) != 2 || plan.Lines != 10 || plan.Households != 6 || plan.Total != 90_000_01 ||
			len(plan.LeftOut) != 1 || plan.LeftOut[0].Asset != ids[2] || plan.LeftOut[0].Reason != "no_income" {
			t.Fatalf("plan %+v", plan)
		}
		in, _, err := e.I.ProposeCountyRun(ctx, township, assets.CountyRunInput{Year: 2026, Key: "cr-1"})
		if err != nil {
			t.Fatal(err)
		}
		if in.Amount != 90_000_01 || in.State != instruct.Pending {
			t.Fatalf("instruction %+v", in)
		}
		if again, _, err := e.I.ProposeCountyRun(ctx, township, assets.CountyRunInput{Year: 2026, Key: "cr-1"}); err != nil || !again.Replayed || again.ID != in.ID {
			t.Fatalf("the same key again: %+v %v", again, err)
		}
		if _, _, err := e.I.ProposeRun(ctx, township, ids[0], assets.NewRun{Period: 2026, Households: []assets.RunHousehold{{Code: hh[0]}}}); errs.CodeOf(err) != "run_pending" {
			t.Fatalf("a single run of an asset held by a pending county run: %v", err)
		}
		if _, _, err := e.I.ProposeCountyRun(ctx, township, assets.CountyRunInput{Year: 2026}); errs.CodeOf(err) != "nothing_to_run" {
			t.Fatalf("a second county run: %v", err)
		}
		// Income arriving after entry: stale, naming the asset.
		if _, err := e.I.RecordIncome(ctx, township, ids[1], assets.NewIncomeRecord{Amount: 1, DocNo: "收据 late", ReceivedOn: "2026-04-01"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Ins.Decide(ctx, township, in.ID, workflow.Decision{Action: workflow.Approve}); err == nil {
			t.Fatal("the maker approved the county run")
		}
		if _, err := e.Ins.Decide(ctx, finance, in.ID, workflow.Decision{Action: workflow.Approve}); errs.CodeOf(err) != "instruction_stale" || !strings.Contains(err.Error(), codes[1]) {
			t.Fatalf("a stale county run approved: %v", err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM as_dist_lines WHERE county = ?`, county).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a refused approval wrote %d lines (%v)", n, err)
		}
		if _, err := e.Ins.Decide(ctx, finance, in.ID, workflow.Decision{Action: workflow.Reject, Opinion: "收益有变"}); err != nil {
			t.Fatal(err)
		}
		income[1]++
		in, _, err = e.I.ProposeCountyRun(ctx, township, assets.CountyRunInput{Year: 2026, Key: "cr-2"})
		if err != nil {
			t.Fatal(err)
		}
		e.approve(t, in)
		cr, err := e.I.CountyRun(ctx, rural, in.ID)
		if err != nil || len(cr.Runs) != 2 || len(cr.Order.Assets) != 2 {
			t.Fatalf("county run %+v %v", cr, err)
		}
		var hhTotal money.Fen
		for i := 0; i < 2; i++ {
			r, err := e.I.Run(ctx, rural, cr.Runs[ids[i]])
			if err != nil || r.State != assets.RunPosted || r.Total != income[i] || r.Instruction != in.ID {
				t.Fatalf("run of %s: %+v %v", codes[i], r, err)
			}
			ls, err := e.I.Lines(ctx, rural, r.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var sum money.Fen
			ch := map[string]money.Fen{}
			for _, l := range ls {
				sum += l.Amount
				var ls money.Fen
				for _, lg := range l.Legs {
					ch[lg.Channel] += lg.Amount
					ls += lg.Amount
				}
				if ls != l.Amount {
					t.Fatalf("line %+v: legs do not sum", l)
				}
				want := assets.LineWaiting
				if l.PayeeKind == assets.PayeeCollective {
					want = assets.LinePosted
				} else {
					hhTotal += l.Amount
				}
				if l.Status != want {
					t.Fatalf("line %+v: status", l)
				}
			}
			// Per channel, the legs of the income that arrived.
			ins, _ := e.I.Incomes(ctx, rural, ids[i])
			want := map[string]money.Fen{}
			for _, x := range ins {
				for _, lg := range x.Legs {
					want[lg.Channel] += lg.Amount
				}
			}
			if sum != income[i] || ch["SJ"] != want["SJ"] || ch["ZX"] != want["ZX"] || want["SJ"] == 0 {
				t.Fatalf("%s: lines sum to %s, per channel %v; income %s", codes[i], sum, ch, income[i])
			}
			if have := balances(t, e.L, assets.AccountCode(ids[i])); len(have) != 0 {
				t.Fatalf("%s's account after the run: %v", codes[i], have)
			}
		}
		// The weighted household of asset 2 gets half of its households' share.
		ls, _ := e.I.Lines(ctx, rural, cr.Runs[ids[1]], 0, 0)
		if ls[0].Payee != hh[2] || ls[0].Amount != 6_000_01 {
			t.Fatalf("asset 2's first line %+v", ls[0])
		}
		fund := balances(t, e.L, assets.DistFund)
		if fund["SJ"]+fund["ZX"] != hhTotal || hhTotal != 24_000_00+12_000_01 {
			t.Fatalf("the fund holds %v, the household lines %s", fund, hhTotal)
		}
		col := balances(t, e.L, "col:"+e.Col1)
		if col["SJ"]+col["ZX"] != 90_000_02-hhTotal {
			t.Fatalf("the collective holds %v", col)
		}
		if _, _, err := e.I.ProposeCountyRun(ctx, township, assets.CountyRunInput{Year: 2026}); errs.CodeOf(err) != "nothing_to_run" {
			t.Fatalf("the year run twice: %v", err)
		}
		if again, ap, err := e.I.ProposeCountyRun(ctx, township, assets.CountyRunInput{Year: 2026, Key: "cr-2"}); err != nil || !again.Replayed || again.ID != in.ID || len(ap.Assets) != 2 {
			t.Fatalf("the approved run's key again: %+v %v", again, err)
		}
		if _, _, err := e.I.ProposeRun(ctx, township, ids[0], assets.NewRun{Period: 2026, Households: []assets.RunHousehold{{Code: hh[0]}}}); errs.CodeOf(err) != "run_exists" {
			t.Fatalf("a single run after the county run: %v", err)
		}
		// Paid once: one batch of the six household lines, then nothing.
		pin, err := e.I.ProposePayment(ctx, rural, "")
		if err != nil || pin.Amount != hhTotal {
			t.Fatalf("payment %+v %v", pin, err)
		}
		e.approve(t, pin)
		if _, err := e.I.ProposePayment(ctx, rural, ""); errs.CodeOf(err) != "nothing_to_pay" {
			t.Fatalf("paid twice: %v", err)
		}
		var lines, sources int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT source) FROM payout_lines WHERE county = ? AND kind = ?`, county, assets.PayoutKind).Scan(&lines, &sources); err != nil || lines != 6 || sources != 6 {
			t.Fatalf("%d payout lines for %d sources (%v)", lines, sources, err)
		}
	})
}
