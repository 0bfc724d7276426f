package agreements_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"onepool/internal/agreements"
	"onepool/internal/auth"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/payout"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

// TestDividendSplitExact: the largest-remainder split sums exactly with
// awkward numbers, and the lines' legs sum to each line and, per channel,
// to the run's legs.
func TestDividendSplitExact(t *testing.T) {
	for _, c := range []struct {
		total   money.Fen
		weights []int64
		want    string
	}{
		{1, []int64{1, 1, 1}, "[0.01 0.00 0.00]"},
		{100_000_01, []int64{3, 3, 1}, "[42,857.15 42,857.15 14,285.71]"},
		{30_000_00, []int64{1, 1, 1, 1, 1, 1, 1}, "[4,285.72 4,285.72 4,285.72 4,285.71 4,285.71 4,285.71 4,285.71]"},
		{2, []int64{1, 2, 1}, "[0.01 0.01 0.00]"},
	} {
		got, err := agreements.Split(c.total, c.weights)
		if err != nil {
			t.Fatal(err)
		}
		var sum money.Fen
		for _, v := range got {
			sum += v
		}
		if sum != c.total || fmt.Sprint(got) != c.want {
			t.Errorf("split %s by %v: %v (sum %s), want %s", c.total, c.weights, got, sum, c.want)
		}
	}
	if _, err := agreements.Split(5, []int64{0, 0}); errs.CodeOf(err) != "invalid_shares" {
		t.Fatalf("nothing to split over: %v", err)
	}
	amounts, _ := agreements.Split(100_000_01, []int64{3, 3, 1})
	runLegs := []agreements.Leg{{Channel: "SJ", Amount: 16_666_67}, {Channel: "ZX", Amount: 83_333_34}}
	legs, err := agreements.LineLegs(amounts, runLegs)
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]money.Fen{}
	for i, ls := range legs {
		var sum money.Fen
		for _, l := range ls {
			sum += l.Amount
			per[l.Channel] += l.Amount
			if l.Amount <= 0 {
				t.Errorf("line %d: a leg of %s", i, l.Amount)
			}
		}
		if sum != amounts[i] {
			t.Errorf("line %d: legs %v sum %s, line %s", i, ls, sum, amounts[i])
		}
	}
	if per["SJ"] != 16_666_67 || per["ZX"] != 83_333_34 {
		t.Fatalf("per channel: %v", per)
	}
}

// divEnv is newEnv with the payout mechanism and two-person control
// wired as app.Wire does, and cards on the households' records.
type divEnv struct {
	env
	l   *ledger.Ledger
	reg *registry.Service
	pay *payout.Service
	ins *instruct.Service
}

var (
	fin  = who("fin", auth.RoleFinance, "990101000000")
	fin2 = who("fin2", auth.RoleFinance, "990101000000")
)

func newDivEnv(t *testing.T, db *store.DB, now func() time.Time) divEnv {
	t.Helper()
	e := newEnv(t, db)
	keys, err := registry.NewKeys([]byte("agreements-test-key-0123456789ab"))
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db, nil)
	reg := registry.New(db, keys, nil)
	pc := policy.NewCounties(db, nil)
	wf := workflow.New(db, nil)
	e.s = agreements.New(db, entities.New(db, l, reg, keys, nil), wf, pc, now)
	pay := payout.New(db, l, nil)
	ins := instruct.NewService(db, wf, pc, nil)
	ins.UseLedger(l)
	pay.UseInstructions(ins)
	e.s.UsePayout(pay, l, reg)
	e.s.UseInstructions(ins, l)
	d := divEnv{env: e, l: l, reg: reg, pay: pay, ins: ins}
	for i := 1; i <= 40; i++ {
		d.card(t, i, fmt.Sprintf("62220000%08d", i))
	}
	return d
}

// card gives household 990101001001-NN (newEnv's resident 100+NN) a card.
func (d divEnv) card(t *testing.T, n int, number string) {
	t.Helper()
	if _, _, err := d.reg.Save(ctx, rural, registry.Household{County: county, Code: fmt.Sprintf("990101001001-%02d", n), Village: "990101001001", Head: "李春生",
		Members: []registry.Member{{Name: "李春生", ResidentID: residentID(100 + n), Relation: "户主", Alive: true}},
		Card:    registry.Card{Holder: "李春生", Bank: "农商行", Number: number}}); err != nil {
		t.Fatal(err)
	}
}

// active takes an entity agreement from draft to active.
func (d divEnv) active(t *testing.T, a agreements.Agreement) agreements.Agreement {
	t.Helper()
	a, err := d.s.Create(ctx, township, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.s.Negotiate(ctx, town1b, a.ID, "民生监督员 张明", ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range []auth.Principal{who("town1c", auth.RoleTownship, "990101001000"), rural} {
		if _, err := d.s.Decide(ctx, p, a.ID, workflow.Decision{Action: workflow.Approve}); err != nil {
			t.Fatal(err)
		}
	}
	if a, err = d.s.Activate(ctx, township, a.ID); err != nil {
		t.Fatal(err)
	}
	return a
}

func (d divEnv) approve(t *testing.T, in instruct.Instruction) instruct.Instruction {
	t.Helper()
	out, err := d.ins.Decide(ctx, fin2, in.ID, workflow.Decision{Action: workflow.Approve})
	if err != nil || out.State != instruct.Posted {
		t.Fatalf("approve %s %d: %+v %v", in.Kind, in.ID, out, err)
	}
	return out
}

func balances(t *testing.T, l *ledger.Ledger, code string) map[string]money.Fen {
	t.Helper()
	bals, err := l.Balances(ctx, county, code)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]money.Fen{}
	for _, b := range bals {
		out[b.Channel] += b.Amount
	}
	return out
}

// TestGuaranteedDividendRunPaid is issue 13's acceptance scenario for
// dividends: 600,000 on two channels under 5%, 6%, 7%; the operator pays
// year 1's 30,000.00 in (its legs the invested legs pro rata); a run
// (two people) splits it exactly over the 40 households; a batch pays it
// through the payout mechanism; the bank fails two lines, which are paid
// once after their cards are corrected; the trace from each channel
// reaches the households.
func TestGuaranteedDividendRunPaid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDivEnv(t, db, nil)
		a := d.active(t, d.guaranteed())
		if _, err := d.s.ProposeRun(ctx, fin, a.ID, 1, "run-1"); errs.CodeOf(err) != "dividend_not_paid_in" {
			t.Fatalf("a run before the operator paid: %v", err)
		}
		in := agreements.PaymentIn{Key: "op-1", Agreement: a.ID, Period: 1, Amount: 30_000_00, DocNo: "农商行回单 2027-018", PaidOn: "2027-01-15"}
		if _, err := d.s.RecordPayment(ctx, village, in); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a village cadre records the payment: %v", err)
		}
		bad := in
		bad.Period = 4
		if _, err := d.s.RecordPayment(ctx, fin, bad); errs.CodeOf(err) != "invalid_period" {
			t.Fatalf("a period past the term: %v", err)
		}
		py, err := d.s.RecordPayment(ctx, fin, in)
		if err != nil || fmt.Sprint(py.Legs) != "[{SJ 5,000.00} {ZX 25,000.00}]" {
			t.Fatalf("payment: %+v %v", py, err)
		}
		if again, err := d.s.RecordPayment(ctx, fin, in); err != nil || !again.Replayed || again.ID != py.ID {
			t.Fatalf("replayed: %+v %v", again, err)
		}
		if got := balances(t, d.l, agreements.DividendFund); got["SJ"] != 5_000_00 || got["ZX"] != 25_000_00 {
			t.Fatalf("the dividend money: %v", got)
		}
		ins, err := d.s.ProposeRun(ctx, fin, a.ID, 1, "run-1")
		if err != nil || ins.Amount != 30_000_00 {
			t.Fatalf("run: %+v %v", ins, err)
		}
		if _, err := d.s.ProposeRun(ctx, rural, a.ID, 1, "run-1b"); errs.CodeOf(err) != "dividend_run_pending" {
			t.Fatalf("a second run while one waits: %v", err)
		}
		if _, err := d.ins.Decide(ctx, fin, ins.ID, workflow.Decision{Action: workflow.Approve}); errs.CodeOf(err) != "maker_checker" {
			t.Fatalf("the maker approves: %v", err)
		}
		d.approve(t, ins)
		if _, err := d.s.ProposeRun(ctx, fin, a.ID, 1, "run-1c"); errs.CodeOf(err) != "dividend_run_exists" {
			t.Fatalf("a period already run: %v", err)
		}
		runs, err := d.s.Runs(ctx, rural, a)
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs: %v %v", runs, err)
		}
		run, lines, err := d.s.Run(ctx, rural, runs[0].ID)
		if err != nil || len(lines) != 40 || run.Amount != 30_000_00 {
			t.Fatalf("run %+v: %d lines, %v", run, len(lines), err)
		}
		per := map[string]money.Fen{}
		var sum money.Fen
		for _, l := range lines {
			var ls money.Fen
			for _, g := range l.Legs {
				ls += g.Amount
				per[g.Channel] += g.Amount
			}
			if l.Amount != 750_00 || ls != l.Amount || l.Status != agreements.PayWaiting {
				t.Fatalf("line %+v: legs sum %s", l, ls)
			}
			sum += l.Amount
		}
		if sum != 30_000_00 || per["SJ"] != 5_000_00 || per["ZX"] != 25_000_00 {
			t.Fatalf("the lines sum %s, per channel %v", sum, per)
		}
		if _, _, err := d.s.Run(ctx, town2, run.ID); errs.CodeOf(err) != "unknown_run" {
			t.Fatalf("another township sees the run: %v", err)
		}
		// The batch, two people; sent at approval.
		bi, err := d.pay.ProposeBatch(ctx, fin, agreements.DividendKind, "batch-1")
		if err != nil || bi.Kind != instruct.DividendBatch || bi.Amount != 30_000_00 {
			t.Fatalf("batch: %+v %v", bi, err)
		}
		bi = d.approve(t, bi)
		batch, err := d.pay.BatchOf(ctx, county, bi.ID)
		if err != nil || batch == 0 {
			t.Fatalf("batch of instruction: %d %v", batch, err)
		}
		var ret strings.Builder
		ret.WriteString("批次,序号,结果,原因\n")
		for i := 1; i <= 40; i++ {
			if i <= 2 {
				fmt.Fprintf(&ret, "%d,%d,账户无效,卡号错误\n", batch, i)
			} else {
				fmt.Fprintf(&ret, "%d,%d,成功,\n", batch, i)
			}
		}
		if _, err := d.pay.ImportReturn(ctx, fin, agreements.DividendKind, strings.NewReader(ret.String())); err != nil {
			t.Fatal(err)
		}
		if _, err := d.pay.Send(ctx, fin, agreements.DividendKind); errs.CodeOf(err) != "card_not_corrected" {
			t.Fatalf("retry before the cards are corrected: %v", err)
		}
		_, lines, _ = d.s.Run(ctx, rural, run.ID)
		if lines[0].Status != agreements.PayFailed || lines[0].Code != payout.AccountInvalid || lines[2].Status != agreements.PayPaid {
			t.Fatalf("after the return: %+v / %+v", lines[0], lines[2])
		}
		d.card(t, 1, "6222999900000001")
		d.card(t, 2, "6222999900000002")
		b2, err := d.pay.Send(ctx, fin, agreements.DividendKind)
		if err != nil || b2.Lines != 2 || b2.Total != 1_500_00 {
			t.Fatalf("retry: %+v %v", b2, err)
		}
		ok := fmt.Sprintf("批次,序号,结果,原因\n%d,1,成功,\n%d,2,成功,\n", b2.ID, b2.ID)
		for range 2 { // imported twice, paid once
			if _, err := d.pay.ImportReturn(ctx, fin, agreements.DividendKind, strings.NewReader(ok)); err != nil {
				t.Fatal(err)
			}
		}
		// Every household holds its 750.00 once; from each channel the
		// trace reaches the households: their legs sum to the run's.
		per = map[string]money.Fen{}
		for i := 1; i <= 40; i++ {
			var hh money.Fen
			for ch, v := range balances(t, d.l, agreements.HouseholdAccount(fmt.Sprintf("990101001001-%02d", i))) {
				per[ch] += v
				hh += v
			}
			if hh != 750_00 {
				t.Fatalf("household %d holds %s", i, hh)
			}
		}
		if per["SJ"] != 5_000_00 || per["ZX"] != 25_000_00 {
			t.Fatalf("per channel at the households: %v", per)
		}
		if got := balances(t, d.l, agreements.DividendFund); got["SJ"] != 0 || got["ZX"] != 0 {
			t.Fatalf("the dividend money after the run: %v", got)
		}
		mine, err := d.s.HouseholdDividends(ctx, village, "990101001001-01")
		if err != nil || len(mine) != 1 || mine[0].Status != agreements.PayPaid || mine[0].Attempts != 2 || mine[0].Period != 1 {
			t.Fatalf("the household's dividends: %+v %v", mine, err)
		}
		ps, err := d.s.Periods(ctx, rural, a)
		if err != nil || len(ps) != 3 || ps[0].PaidIn != 30_000_00 || ps[0].PaidOut != 30_000_00 || ps[0].Run != run.ID || ps[1].Owed != 36_000_00 {
			t.Fatalf("periods: %+v %v", ps, err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action IN ('agreements.dividend_in', 'agreements.dividend_run')`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("audit entries: %d %v", n, err)
		}
	})
}

// TestEquityDividendRunChecked: an equity run is the declared returns ×
// the households' share split by quantified shares (100,000.01 by 3:3:1);
// a change after entry makes the run stale at approval; a run the
// dividend money does not cover is refused, nothing written.
func TestEquityDividendRunChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := newDivEnv(t, db, nil)
		// A second project's money in the cooperative for the equity agreement.
		if _, err := d.l.OpenAccounts(ctx, "t", county, []ledger.NewAccount{{Code: "prj:P2", Kind: ledger.Project, Name: "P2", Place: "990101001001"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.l.Post(ctx, "t", county, []ledger.TransferRequest{
			{Key: "in-p2", Kind: "arrival", From: "treasury", To: "prj:P2", Legs: []ledger.Leg{{Channel: "ZX", Amount: 300_000_00}, {Channel: "SJ", Amount: 100_000_00}}},
			{Key: "pay-p2", Kind: "payment", From: "prj:P2", To: entities.AccountCode(entities.Cooperative, d.coop), Legs: []ledger.Leg{{Channel: "ZX", Amount: 300_000_00}, {Channel: "SJ", Amount: 100_000_00}}},
		}); err != nil {
			t.Fatal(err)
		}
		eq := agreements.Agreement{Kind: agreements.Entity, Form: agreements.Equity, Township: "990101001000", Entity: d.coop, Project: "P2", Start: "2026-01-01", TermYears: 3,
			HouseholdsShare: 10000, Manager: "王建", Parties: []agreements.Party{{Household: "990101001001-01", Shares: 3}, {Household: "990101001001-02", Shares: 3}, {Household: "990101001001-03", Shares: 1}}}
		a := d.active(t, eq)
		if _, err := d.s.ProposeRun(ctx, fin, a.ID, 1, "r"); errs.CodeOf(err) != "not_declared" {
			t.Fatalf("a run before the returns are declared: %v", err)
		}
		if _, err := d.s.Declare(ctx, village, a.ID, 1, 100_000_01, "收益公示 2027-3"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a village cadre declares: %v", err)
		}
		pd, err := d.s.Declare(ctx, township, a.ID, 1, 100_000_01, "收益公示 2027-3")
		if err != nil || pd.Owed != 100_000_01 || !pd.Declared {
			t.Fatalf("declare: %+v %v", pd, err)
		}
		if _, err := d.s.Declare(ctx, township, a.ID, 1, 5, "again"); errs.CodeOf(err) != "already_declared" {
			t.Fatalf("declared twice: %v", err)
		}
		if _, err := d.s.RecordPayment(ctx, fin, agreements.PaymentIn{Key: "eq-1", Agreement: a.ID, Period: 1, Amount: 100_000_01, DocNo: "回单 1"}); err != nil {
			t.Fatal(err)
		}
		ins, err := d.s.ProposeRun(ctx, fin, a.ID, 1, "eq-run")
		if err != nil {
			t.Fatal(err)
		}
		var o agreements.RunOrder
		if err := instruct.Decode(ins, &o); err != nil {
			t.Fatal(err)
		}
		if len(o.Lines) != 3 || o.Lines[0].Amount != 42_857_15 || o.Lines[1].Amount != 42_857_15 || o.Lines[2].Amount != 14_285_71 {
			t.Fatalf("the frozen lines: %+v", o.Lines)
		}
		if fmt.Sprint(o.Legs) != "[{SJ 25,000.00} {ZX 75,000.01}]" {
			t.Fatalf("the run's legs, the invested legs pro rata: %v", o.Legs)
		}
		// The shares are corrected after entry: the run is stale.
		if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE ag_households SET shares = 2 WHERE county = ? AND agreement = ? AND household = '990101001001-03'`, county, a.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ins.Decide(ctx, fin2, ins.ID, workflow.Decision{Action: workflow.Approve}); errs.CodeOf(err) != "instruction_stale" {
			t.Fatalf("stale run approved: %v", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ag_div_lines`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("lines written by a refused approval: %d %v", n, err)
		}
		if _, err := d.ins.Decide(ctx, fin2, ins.ID, workflow.Decision{Action: workflow.Reject, Opinion: "份额已更正，重新录入"}); err != nil {
			t.Fatal(err)
		}
		// The dividend money no longer covers it (moved out by an adjustment).
		if _, err := d.l.Post(ctx, "t", county, []ledger.TransferRequest{{Key: "out", Kind: "adjustment", From: agreements.DividendFund, To: "treasury",
			Legs: []ledger.Leg{{Channel: "ZX", Amount: 1}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.s.ProposeRun(ctx, fin, a.ID, 1, "eq-run-2"); errs.KindOf(err) != errs.InsufficientFunds {
			t.Fatalf("a run the dividend money does not cover: %v", err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ag_div_runs`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("runs written: %d %v", n, err)
		}
	})
}

// TestOverdueDividendOnTheDesk: past the due date (dividends.due_days,
// 90 days after the period's end) an active agreement whose operator has
// not paid the period in is listed as overdue, with how late and how
// much; paid in, it is not; another township does not see it.
func TestOverdueDividendOnTheDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		today := time.Date(2027, 5, 1, 10, 0, 0, 0, time.UTC)
		d := newDivEnv(t, db, func() time.Time { return today })
		a := d.active(t, d.guaranteed())
		late, err := d.s.OverdueDividends(ctx, township)
		if err != nil || len(late) != 1 || late[0].Agreement != a.ID || late[0].Period != 1 || late[0].DueBy != "2027-03-31" || late[0].DaysLate != 31 || late[0].Short != 30_000_00 {
			t.Fatalf("overdue: %+v %v", late, err)
		}
		if other, err := d.s.OverdueDividends(ctx, town2); err != nil || len(other) != 0 {
			t.Fatalf("another township: %+v %v", other, err)
		}
		if _, err := d.s.RecordPayment(ctx, fin, agreements.PaymentIn{Key: "part", Agreement: a.ID, Period: 1, Amount: 10_000_00, DocNo: "回单"}); err != nil {
			t.Fatal(err)
		}
		if late, _ = d.s.OverdueDividends(ctx, rural); len(late) != 1 || late[0].Short != 20_000_00 {
			t.Fatalf("paid in part: %+v", late)
		}
		if _, err := d.s.RecordPayment(ctx, fin, agreements.PaymentIn{Key: "rest", Agreement: a.ID, Period: 1, Amount: 20_000_00, DocNo: "回单"}); err != nil {
			t.Fatal(err)
		}
		if late, _ = d.s.OverdueDividends(ctx, rural); len(late) != 0 {
			t.Fatalf("paid in full: %+v", late)
		}
	})
}
