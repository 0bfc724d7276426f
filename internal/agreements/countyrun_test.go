package agreements_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"onepool/internal/agreements"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

// invest pays a new project's money (two channels) into the cooperative.
func (d divEnv) invest(t *testing.T, code string, zx, sj money.Fen) {
	t.Helper()
	if _, err := d.l.OpenAccounts(ctx, "t", county, []ledger.NewAccount{{Code: "prj:" + code, Kind: ledger.Project, Name: code, Place: "990101001001"}}); err != nil {
		t.Fatal(err)
	}
	legs := []ledger.Leg{{Channel: "ZX", Amount: zx}, {Channel: "SJ", Amount: sj}}
	if _, err := d.l.Post(ctx, "t", county, []ledger.TransferRequest{
		{Key: "in-" + code, Kind: "arrival", From: "treasury", To: "prj:" + code, Legs: legs},
		{Key: "pay-" + code, Kind: "payment", From: "prj:" + code, To: entities.AccountCode(entities.Cooperative, d.coop), Legs: legs},
	}); err != nil {
		t.Fatal(err)
	}
}

func countLines(t *testing.T, db *store.DB) (lines, runs int) {
	t.Helper()
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ag_div_lines`).Scan(&lines); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ag_div_runs`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	return lines, runs
}

// TestCountyDividendRun: a county run for 2026 over three active
// agreements — a guaranteed one paid in, an equity one declared and paid
// in, a guaranteed one not paid in (left out, and said so) — frozen by
// digest, stale when an agreement's shares change, approved by another
// person, its lines summing exactly per agreement and per channel to
// what a single run of each would have frozen, and written once however
// often the approval is tried again.
func TestCountyDividendRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDivEnv(t, db, nil)
		g := d.active(t, d.guaranteed()) // 600,000 at 5%: 30,000.00 over 40 households
		d.invest(t, "P2", 300_000_00, 100_000_00)
		d.invest(t, "P3", 80_000_00, 20_000_00)
		eq := d.active(t, agreements.Agreement{Kind: agreements.Entity, Form: agreements.Equity, Township: "990101001000", Entity: d.coop, Project: "P2", Start: "2026-01-01", TermYears: 3,
			HouseholdsShare: 8000, Manager: "王建", Parties: []agreements.Party{{Household: "990101001001-01", Shares: 3}, {Household: "990101001001-02", Shares: 3}, {Household: "990101001001-03", Shares: 1}}})
		late := d.active(t, agreements.Agreement{Kind: agreements.Entity, Form: agreements.Guaranteed, Township: "990101001000", Entity: d.coop, Project: "P3",
			Start: "2026-01-01", TermYears: 3, Rates: pct(5, 6, 7), CollateralKind: agreements.CollateralMoney, Collateral: 100_000_00, Parties: forty()[:10]})
		if _, err := d.s.RecordPayment(ctx, fin, agreements.PaymentIn{Key: "g1", Agreement: g.ID, Period: 1, Amount: 30_000_00, DocNo: "回单 1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.s.Declare(ctx, township, eq.ID, 1, 100_000_01, "收益公示 2027-3"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.s.RecordPayment(ctx, fin, agreements.PaymentIn{Key: "e1", Agreement: eq.ID, Period: 1, Amount: 80_000_01, DocNo: "回单 2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.s.ProposeCountyRun(ctx, township, 2026, "", "c1"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a township enters the county run: %v", err)
		}
		if _, err := d.s.ProposeCountyRun(ctx, fin, 2027, "", "c0"); errs.CodeOf(err) != "nothing_to_run" {
			t.Fatalf("a year nothing is paid in for: %v", err)
		}
		plan, err := d.s.PlanCountyRun(ctx, fin, 2026, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Agreements) != 2 || plan.Agreements[0].Agreement != g.ID || plan.Agreements[1].Agreement != eq.ID ||
			plan.Households != 43 || plan.Total != 30_000_00+80_000_01 {
			t.Fatalf("the plan: %+v", plan.CountyRunOrder)
		}
		if len(plan.LeftOut) != 1 || plan.LeftOut[0].Agreement != late.ID || plan.LeftOut[0].Code != "dividend_not_paid_in" || !strings.Contains(plan.LeftOut[0].Reason, "0.00") {
			t.Fatalf("the agreement not paid in is not said left out: %+v", plan.LeftOut)
		}
		ins, err := d.s.ProposeCountyRun(ctx, fin, 2026, "", "c1")
		if err != nil || ins.Amount != plan.Total {
			t.Fatalf("enter: %+v %v", ins, err)
		}
		if again, err := d.s.ProposeCountyRun(ctx, fin, 2026, "", "c1"); err != nil || !again.Replayed || again.ID != ins.ID {
			t.Fatalf("the same key again: %+v %v", again, err)
		}
		if len(ins.Payload) > 2000 {
			t.Fatalf("the payload freezes the lines instead of a digest: %d bytes", len(ins.Payload))
		}
		// While it waits, neither a single run nor another county run takes its agreements.
		if _, err := d.s.ProposeRun(ctx, rural, g.ID, 1, "single"); errs.CodeOf(err) != "dividend_run_pending" {
			t.Fatalf("a single run beside the pending county run: %v", err)
		}
		if _, err := d.s.ProposeCountyRun(ctx, rural, 2026, "", "c2"); errs.CodeOf(err) != "nothing_to_run" {
			t.Fatalf("a second county run: %v", err)
		}
		if _, err := d.ins.Decide(ctx, fin, ins.ID, workflow.Decision{Action: workflow.Approve}); errs.CodeOf(err) != "maker_checker" {
			t.Fatalf("the maker approves: %v", err)
		}
		// The equity shares change: stale at approval, nothing written.
		setShares := func(n int) {
			if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE ag_households SET shares = ? WHERE county = ? AND agreement = ? AND household = '990101001001-03'`, n, county, eq.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		setShares(2)
		if _, err := d.ins.Decide(ctx, fin2, ins.ID, workflow.Decision{Action: workflow.Approve}); errs.CodeOf(err) != "instruction_stale" || !strings.Contains(err.Error(), fmt.Sprint("agreement ", eq.ID)) {
			t.Fatalf("stale county run approved: %v", err)
		}
		if l, r := countLines(t, db); l != 0 || r != 0 {
			t.Fatalf("a refused approval wrote %d lines, %d runs", l, r)
		}
		setShares(1) // corrected back: the same run as entered
		// What single runs of the two would freeze, for comparison.
		want := map[int64]agreements.RunOrder{}
		for _, a := range []agreements.Agreement{g, eq} {
			o, err := d.s.PlanRun(ctx, fin, a.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			want[a.ID] = o
		}
		d.approve(t, ins)
		if _, err := d.ins.Decide(ctx, fin2, ins.ID, workflow.Decision{Action: workflow.Approve}); errs.CodeOf(err) != "not_pending" {
			t.Fatalf("approved again: %v", err)
		}
		if l, r := countLines(t, db); l != 43 || r != 2 {
			t.Fatalf("after approval (and a retry): %d lines, %d runs", l, r)
		}
		cr, err := d.s.CountyRun(ctx, fin, ins.ID)
		if err != nil || len(cr.Runs) != 2 || cr.Instruction.State != instruct.Posted {
			t.Fatalf("the county run: %+v %v", cr, err)
		}
		for _, a := range []agreements.Agreement{g, eq} {
			r, lines, err := d.s.Run(ctx, fin, cr.Runs[a.ID])
			if err != nil {
				t.Fatal(err)
			}
			w := want[a.ID]
			if r.Amount != w.Amount || r.Maker != "fin" || r.Approver != "fin2" || len(lines) != len(w.Lines) {
				t.Fatalf("agreement %d's run: %+v, %d lines; want %s, %d lines", a.ID, r, len(lines), w.Amount, len(w.Lines))
			}
			var sum money.Fen
			per := map[string]money.Fen{}
			for i, l := range lines {
				sum += l.Amount
				var ls money.Fen
				for _, lg := range l.Legs {
					per[lg.Channel] += lg.Amount
					ls += lg.Amount
				}
				if ls != l.Amount || l.Household != w.Lines[i].Household || l.Amount != w.Lines[i].Amount || fmt.Sprint(l.Legs) != fmt.Sprint(w.Lines[i].Legs) {
					t.Fatalf("agreement %d line %d: %+v, want %+v", a.ID, i, l, w.Lines[i])
				}
			}
			if sum != r.Amount {
				t.Fatalf("agreement %d: lines sum %s, run %s", a.ID, sum, r.Amount)
			}
			for _, lg := range r.Legs {
				if per[lg.Channel] != lg.Amount {
					t.Fatalf("agreement %d channel %s: lines %s, run %s", a.ID, lg.Channel, per[lg.Channel], lg.Amount)
				}
			}
		}
		// The equity run: 80% of 100,000.01 = 80,000.01 by 3:3:1.
		_, el, _ := d.s.Run(ctx, fin, cr.Runs[eq.ID])
		if el[0].Amount != 34_285_72 || el[1].Amount != 34_285_72 || el[2].Amount != 11_428_57 {
			t.Fatalf("equity lines: %v %v %v", el[0].Amount, el[1].Amount, el[2].Amount)
		}
		// Run once: the agreements are not run again, by a county or a single run.
		if _, err := d.s.ProposeRun(ctx, rural, g.ID, 1, "single-2"); errs.CodeOf(err) != "dividend_run_exists" {
			t.Fatalf("a single run after the county run: %v", err)
		}
		if p2, err := d.s.PlanCountyRun(ctx, fin, 2026, ""); err != nil || len(p2.Agreements) != 0 || len(p2.LeftOut) != 3 {
			t.Fatalf("the plan after the run: %+v %v", p2, err)
		}
		// The late operator pays; a township's run takes it alone, and a payout batch pays all lines once.
		if _, err := d.s.RecordPayment(ctx, fin, agreements.PaymentIn{Key: "l1", Agreement: late.ID, Period: 1, Amount: 5_000_00, DocNo: "回单 3"}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.s.ProposeCountyRun(ctx, fin, 2026, "990101002000", "t2"); errs.CodeOf(err) != "nothing_to_run" {
			t.Fatalf("another township's run: %v", err)
		}
		tin, err := d.s.ProposeCountyRun(ctx, fin, 2026, "990101001000", "t1")
		if err != nil || tin.Amount != 5_000_00 {
			t.Fatalf("the township's run: %+v %v", tin, err)
		}
		d.approve(t, tin)
		bi, err := d.pay.ProposeBatch(ctx, fin, agreements.DividendKind, "b1")
		if err != nil {
			t.Fatal(err)
		}
		d.approve(t, bi)
		if _, err := d.pay.SendApproved(ctx, fin2, bi, nil); err != nil {
			t.Fatal(err)
		}
		var n, distinct int
		var total int64
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT source), COALESCE(SUM(amount), 0) FROM payout_lines WHERE county = ? AND kind = 'dividend'`, county).Scan(&n, &distinct, &total); err != nil {
			t.Fatal(err)
		}
		if n != 53 || distinct != 53 || money.Fen(total) != 115_000_01 {
			t.Fatalf("payout lines: %d (%d distinct), %s", n, distinct, money.Fen(total))
		}
		if got := balances(t, d.l, agreements.DividendBank); got["ZX"]+got["SJ"] != 115_000_01 {
			t.Fatalf("at the bank: %v", got)
		}
	})
}
