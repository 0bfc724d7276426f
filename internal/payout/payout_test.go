package payout_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const (
	county  = "990101"
	village = "990101001001"
)

var ctx = context.Background()

func who(user string, role auth.Role, pl string) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: place.Code(pl), County: county}
}

var (
	maker    = who("maker", auth.RoleRural, county+"000000")
	approver = who("approver", auth.RoleFinance, county+"000000")
	cadre    = who("cadre", auth.RoleVillage, village)
)

// fake is a tiny client: its items live in a table of its own (so a
// rolled-back chunk rolls them back too), paid from fake:source on one
// channel. crashAt makes the n-th call of Sending fail (an interruption
// mid-batch: that chunk's transaction is rolled back).
type fake struct {
	l       *ledger.Ledger
	calls   int
	crashAt int
}

var errCrash = errors.New("crash")

func (*fake) Spec() payout.Spec {
	return payout.Spec{Kind: "fake", BatchKind: "fake_batch", Source: "fake:source", Transit: "fake:bank", TransferKind: "dividend", Title: "测试", Item: "项", Payee: "户", Back: "来源"}
}

func (*fake) Permit(p auth.Principal) error {
	if p.Role != auth.RoleRural && p.Role != auth.RoleFinance || p.Place.Level() != place.County {
		return errs.F(errs.Forbidden, "forbidden", "", "payouts are made by the county's rural-revitalization or finance bureau")
	}
	return nil
}

func (f *fake) Setup(ctx context.Context, tx *store.Tx, county string) error {
	root := place.Code(county + "000000")
	if _, _, err := f.l.CreateChannelsTx(ctx, tx, county, []ledger.NewChannel{{Code: "FK", Name: "测试渠道"}}); err != nil {
		return err
	}
	_, _, err := f.l.OpenAccountsTx(ctx, tx, county, []ledger.NewAccount{
		{Code: "ext:fake", Kind: ledger.External, Name: "外部", Place: root},
		{Code: "fake:source", Kind: ledger.Relief, Name: "来源", Place: root, NoOverdraft: true},
		{Code: "fake:bank", Kind: ledger.Suspense, Name: "在途", Place: root, NoOverdraft: true},
	})
	return err
}

func (*fake) items(ctx context.Context, tx *store.Tx, county, status string, after, bound int64, limit int) ([]payout.Item, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, payee, amount, attempts, card FROM fake_items WHERE county = ? AND status = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?`, county, status, after, bound, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payout.Item
	for rows.Next() {
		var it payout.Item
		var amt int64
		if err := rows.Scan(&it.Source, &it.Payee, &amt, &it.Attempts, &it.CardRef); err != nil {
			return nil, err
		}
		it.Amount, it.Place, it.CardMask = money.Fen(amt), village, "****"+it.CardRef[len(it.CardRef)-4:]
		out = append(out, it)
	}
	return out, rows.Err()
}

func (f *fake) Waiting(ctx context.Context, tx *store.Tx, county string, bound int64, limit int) ([]payout.Item, error) {
	return f.items(ctx, tx, county, "approved", 0, bound, limit)
}

func (f *fake) WaitingTotals(ctx context.Context, tx *store.Tx, county string, bound int64) (payout.Totals, error) {
	var t payout.Totals
	var total int64
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(MAX(id), 0), COALESCE(SUM(attempts), 0) FROM fake_items WHERE county = ? AND status = 'approved' AND id <= ?`,
		county, bound).Scan(&t.Count, &total, &t.Bound, &t.Attempts)
	t.Total = money.Fen(total)
	return t, err
}

func (f *fake) Failed(ctx context.Context, tx *store.Tx, county string, after, bound int64, limit int) ([]payout.Item, error) {
	return f.items(ctx, tx, county, "failed", after, bound, limit)
}

func (*fake) Legs(_ context.Context, _ *store.Tx, _ string, its []payout.Item) ([][]ledger.Leg, error) {
	out := make([][]ledger.Leg, len(its))
	for i, it := range its {
		out[i] = []ledger.Leg{{Channel: "FK", Amount: it.Amount}}
	}
	return out, nil
}

func (*fake) Covers(context.Context, *store.Tx, string, money.Fen) error { return nil }

func (f *fake) Sending(ctx context.Context, tx *store.Tx, county string, its []payout.Item) error {
	f.calls++
	if f.calls == f.crashAt {
		return errCrash
	}
	for _, it := range its {
		if _, err := tx.ExecContext(ctx, `UPDATE fake_items SET status = 'sending', attempts = attempts + 1 WHERE county = ? AND id = ?`, county, it.Source); err != nil {
			return err
		}
	}
	return nil
}

func (*fake) Settled(ctx context.Context, tx *store.Tx, county string, l payout.Line, paid bool, _ int64) error {
	status := "paid"
	if !paid {
		status = "failed"
	}
	_, err := tx.ExecContext(ctx, `UPDATE fake_items SET status = ? WHERE county = ? AND id = ?`, status, county, l.Source)
	return err
}

func (*fake) Moved(context.Context, *store.Tx, string) error { return nil }

func (f *fake) PayeeAccount(ctx context.Context, tx *store.Tx, county string, l payout.Line) (string, error) {
	code := "hh:" + l.Payee
	_, _, err := f.l.OpenAccountsTx(ctx, tx, county, []ledger.NewAccount{{Code: code, Kind: ledger.Household, Name: "农户 " + l.Payee, Place: l.Place}})
	return code, err
}

func (*fake) Nothing() error {
	return errs.F(errs.RuleBroken, "nothing_to_send", "", "no approved application is waiting for payment")
}

func (*fake) Short(err error) error { return err }

// cardFake reads full card numbers from the items' table.
type cardFake struct {
	*fake
	db *store.DB
}

func (c cardFake) Card(ctx context.Context, county, payee string) (string, string, string, error) {
	var number string
	err := c.db.QueryRowContext(ctx, `SELECT card FROM fake_items WHERE county = ? AND payee = ?`, county, payee).Scan(&number)
	return "户主" + payee, "农村信用社", number, err
}

type env struct {
	db  *store.DB
	l   *ledger.Ledger
	f   *fake
	pay *payout.Service
	ins *instruct.Service
}

// setup makes n approved items of 100.00 + i fen each, the source account
// holding their sum and 1,000.00 more.
func setup(t *testing.T, db *store.DB, n int) env {
	t.Helper()
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, clock.Zone)
	clk := func() time.Time { return now }
	l := ledger.New(db, clk)
	f := &fake{l: l}
	pay := payout.New(db, l, clk)
	pay.Register(cardFake{f, db})
	pc := policy.NewCounties(db, clk)
	if _, err := pc.Choose(ctx, "t", county, "tongchuan", ""); err != nil {
		t.Fatal(err)
	}
	wf := workflow.New(db, clk)
	ins := instruct.NewService(db, wf, pc, clk)
	pay.UseInstructions(ins)
	var sum money.Fen
	err := db.Write(ctx, now, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE fake_items (county TEXT NOT NULL, id BIGINT NOT NULL, payee TEXT NOT NULL, amount BIGINT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, card TEXT NOT NULL, PRIMARY KEY (county, id))`); err != nil {
			return err
		}
		for i := 1; i <= n; i++ {
			amt := money.Fen(10000 + i)
			sum += amt
			if _, err := tx.ExecContext(ctx, `INSERT INTO fake_items VALUES (?, ?, ?, ?, 'approved', 0, ?)`, county, i, fmt.Sprintf("H%05d", i), int64(amt), fmt.Sprintf("6222%015d", i)); err != nil {
				return err
			}
		}
		if err := f.Setup(ctx, tx, county); err != nil {
			return err
		}
		_, _, err := l.PostTx(ctx, tx, "t", county, []ledger.TransferRequest{{Key: "fund", Kind: "arrival", From: "ext:fake", To: "fake:source", Legs: []ledger.Leg{{Channel: "FK", Amount: sum + 100000}}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return env{db: db, l: l, f: f, pay: pay, ins: ins}
}

func (e env) balance(t *testing.T, code string) money.Fen {
	t.Helper()
	bals, err := e.l.Balances(ctx, county, code)
	if errs.KindOf(err) == errs.NotFound {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	var s money.Fen
	for _, b := range bals {
		s += b.Amount
	}
	return s
}

func (e env) verify(t *testing.T) {
	t.Helper()
	rep, err := ledger.Verify(ctx, e.db)
	if err != nil || len(rep.Problems) > 0 {
		t.Errorf("ledger verify: %v %v", err, rep.Problems)
	}
}

func sumOf(n int) money.Fen {
	var s money.Fen
	for i := 1; i <= n; i++ {
		s += money.Fen(10000 + i)
	}
	return s
}

// A batch's lines sum to the batch, which is what left the source for
// the bank in transit; a batch approved as an instruction needs a second
// person and sends all its chunks.
func TestLinesSumToBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 1500
		e := setup(t, db, n)
		before := e.balance(t, "fake:source")
		in, err := e.pay.ProposeBatch(ctx, maker, "fake", "")
		if err != nil || in.State != instruct.Pending || in.Amount != sumOf(n) {
			t.Fatalf("propose: %+v %v", in, err)
		}
		if e.balance(t, "fake:bank") != 0 {
			t.Fatal("a batch entered by one person moved money")
		}
		if in, err = e.ins.Decide(ctx, approver, in.ID, workflow.Decision{Action: workflow.Approve}); err != nil || in.State != instruct.Posted {
			t.Fatalf("approve: %+v %v", in, err)
		}
		id, err := e.pay.BatchOf(ctx, county, in.ID)
		if err != nil || id == 0 {
			t.Fatalf("batch of: %d %v", id, err)
		}
		b, err := e.pay.Batch(ctx, county, "fake", id)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := e.pay.Lines(ctx, county, id)
		if err != nil {
			t.Fatal(err)
		}
		var sum money.Fen
		for _, l := range lines {
			sum += l.Amount
		}
		if b.Lines != n || len(lines) != n || b.Total != sumOf(n) || sum != b.Total {
			t.Errorf("batch %+v: %d lines summing to %s, want %d and %s", b, len(lines), sum, n, sumOf(n))
		}
		if got := e.balance(t, "fake:bank"); got != b.Total {
			t.Errorf("in transit %s, batch %s", got, b.Total)
		}
		if got := e.balance(t, "fake:source"); got != before-b.Total {
			t.Errorf("source %s, want %s", got, before-b.Total)
		}
		if _, err := e.pay.Batch(ctx, county, "relief", id); errs.CodeOf(err) != "unknown_batch" {
			t.Errorf("the batch as another kind's: %v", err)
		}
		e.verify(t)
	})
}

// A batch interrupted after its first chunk resumes with what was not
// sent: every item is sent exactly once.
func TestResumeWithoutDoublePosting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 1500
		e := setup(t, db, n)
		e.f.crashAt = 2
		if _, err := e.pay.Send(ctx, maker, "fake"); !errors.Is(err, errCrash) {
			t.Fatalf("the interrupted run: %v", err)
		}
		bs, err := e.pay.Batches(ctx, county, "fake")
		if err != nil || len(bs) != 1 || bs[0].Lines != payout.Chunk {
			t.Fatalf("after the interruption: %+v %v", bs, err)
		}
		if got := e.balance(t, "fake:bank"); got != bs[0].Total {
			t.Fatalf("in transit %s after one chunk of %s", got, bs[0].Total)
		}
		b, err := e.pay.SendMore(ctx, maker, "fake", bs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Lines != n || b.Total != sumOf(n) {
			t.Errorf("resumed batch %+v", b)
		}
		var lines, sources int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT source) FROM payout_lines WHERE county = ? AND kind = 'fake'`, county).Scan(&lines, &sources); err != nil {
			t.Fatal(err)
		}
		if lines != n || sources != n {
			t.Errorf("%d lines for %d items, want %d each once", lines, sources, n)
		}
		if got := e.balance(t, "fake:bank"); got != sumOf(n) {
			t.Errorf("in transit %s, want %s", got, sumOf(n))
		}
		if _, err := e.pay.Send(ctx, maker, "fake"); errs.CodeOf(err) != "nothing_to_send" {
			t.Errorf("sending again: %v", err)
		}
		e.verify(t)
	})
}

// A return file imported twice changes nothing the second time; entered
// as an instruction twice, the second is the first replayed.
func TestReturnTwiceChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, 3)
		b, err := e.pay.Send(ctx, maker, "fake")
		if err != nil {
			t.Fatal(err)
		}
		file := fmt.Sprintf("批次,序号,结果,原因\n%d,1,成功,\n%d,2,成功,\n%d,3,拒绝,收款行拒绝\n", b.ID, b.ID, b.ID)
		in, err := e.pay.ProposeReturn(ctx, maker, "fake", strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.ins.Decide(ctx, approver, in.ID, workflow.Decision{Action: workflow.Approve}); err != nil {
			t.Fatal(err)
		}
		again, err := e.pay.ProposeReturn(ctx, maker, "fake", strings.NewReader(file))
		if err != nil || !again.Replayed || again.ID != in.ID {
			t.Fatalf("the same file entered again: %+v %v", again, err)
		}
		src := e.balance(t, "fake:source")
		res, err := e.pay.ImportReturn(ctx, approver, "fake", strings.NewReader(file))
		if err != nil || res != (payout.ReturnResult{Unchanged: 3}) {
			t.Fatalf("the same file imported again: %+v %v", res, err)
		}
		for i, want := range []money.Fen{10001, 10002, 0} {
			if got := e.balance(t, fmt.Sprintf("hh:H%05d", i+1)); got != want {
				t.Errorf("payee %d holds %s, want %s", i+1, got, want)
			}
		}
		if got := e.balance(t, "fake:source"); got != src {
			t.Errorf("the source moved on a replayed file: %s → %s", src, got)
		}
		if got := e.balance(t, "fake:bank"); got != 0 {
			t.Errorf("in transit after the return: %s", got)
		}
		lines, _ := e.pay.Lines(ctx, county, b.ID)
		if lines[2].Status != payout.Failed || lines[2].Code != payout.Refused || lines[2].Reason != "收款行拒绝" {
			t.Errorf("the refused line: %+v", lines[2])
		}
		// A file naming a line no batch of this kind has is refused whole.
		if _, err := e.pay.ProposeReturn(ctx, maker, "fake", strings.NewReader(fmt.Sprintf("batch,line,result\n%d,1,paid\n%d,1,paid\n", b.ID, b.ID+1))); errs.CodeOf(err) != "invalid_rows" {
			t.Errorf("a return naming another batch: %v", err)
		}
		e.verify(t)
	})
}

// A failed line is refused for retry until its card is corrected, then
// paid once.
func TestRetryOnlyAfterCardCorrected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, 2)
		b, err := e.pay.Send(ctx, maker, "fake")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.pay.ImportReturn(ctx, maker, "fake", strings.NewReader(fmt.Sprintf("batch,line,result,reason\n%d,1,paid,\n%d,2,账户无效,卡号不存在\n", b.ID, b.ID))); err != nil {
			t.Fatal(err)
		}
		lines, _ := e.pay.Lines(ctx, county, b.ID)
		if lines[1].Status != payout.Failed || lines[1].Code != payout.AccountInvalid {
			t.Fatalf("the failed line: %+v", lines[1])
		}
		if got := e.balance(t, "fake:bank"); got != 0 {
			t.Errorf("the failed line's money is not back: in transit %s", got)
		}
		for _, try := range []func() error{
			func() error { _, err := e.pay.Send(ctx, maker, "fake"); return err },
			func() error { _, err := e.pay.ProposeBatch(ctx, maker, "fake", ""); return err },
		} {
			if err := try(); errs.CodeOf(err) != "card_not_corrected" {
				t.Errorf("a retry before the card is corrected: %v", err)
			}
		}
		if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE fake_items SET card = '6222000000000009999' WHERE county = ? AND id = 2`, county)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		b2, err := e.pay.Send(ctx, maker, "fake")
		if err != nil || b2.Lines != 1 || b2.Total != 10002 {
			t.Fatalf("the retry: %+v %v", b2, err)
		}
		l2, _ := e.pay.Lines(ctx, county, b2.ID)
		if l2[0].Source != 2 || l2[0].Attempt != 2 {
			t.Errorf("the retried line: %+v", l2[0])
		}
		ret := fmt.Sprintf("batch,line,result\n%d,1,paid\n", b2.ID)
		for i := 0; i < 2; i++ {
			if _, err := e.pay.ImportReturn(ctx, maker, "fake", strings.NewReader(ret)); err != nil {
				t.Fatal(err)
			}
		}
		if got := e.balance(t, "hh:H00002"); got != 10002 {
			t.Errorf("the corrected payee holds %s, want 100.02 once", got)
		}
		if _, err := e.pay.Send(ctx, maker, "fake"); errs.CodeOf(err) != "nothing_to_send" {
			t.Errorf("after everyone was paid: %v", err)
		}
		e.verify(t)
	})
}

// The payout file (full card numbers) is refused to a role that may not
// export it, with nothing audited, and audited when exported.
func TestPayoutFileRestrictedAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, 2)
		b, err := e.pay.Send(ctx, maker, "fake")
		if err != nil {
			t.Fatal(err)
		}
		audited := func() int {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE county = ? AND action = 'fake.payout_file'`, county).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, err := e.pay.PayoutFile(ctx, cadre, "fake", b.ID); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("a village cadre exports the payout file: %v", err)
		}
		if n := audited(); n != 0 {
			t.Errorf("a refused export was audited as an export: %d", n)
		}
		rows, err := e.pay.PayoutFile(ctx, maker, "fake", b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 || rows[1][6] != "6222000000000000001" || fmt.Sprint(rows[3][7]) != "200.03" || rows[3][0] != "合计" {
			t.Errorf("the payout file: %v", rows)
		}
		if n := audited(); n != 1 {
			t.Errorf("the export was audited %d times", n)
		}
	})
}

// Migration 0025 moves an existing county's relief batches and lines
// into the mechanism's tables.
func TestMigrationMovesReliefRows(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d.String(), func(t *testing.T) {
			db, err := store.Open(ctx, storetest.Source(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.MigrateTo(ctx, 24); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				`INSERT INTO relief_batches (county, id, lines, total, created_at, created_by, max_app, instruction) VALUES ('990101', 3, 2, 5000, 1, 'rural', 9, 4)`,
				`INSERT INTO relief_lines VALUES ('990101', 3, 1, 7, 1, 'H007', '990101001001', 2000, '****1234', 'paid', '', 11, 12, 2)`,
				`INSERT INTO relief_lines VALUES ('990101', 3, 2, 9, 2, 'H009', '990101001001', 3000, '****5678', 'failed', '户名与卡号不符', 13, 14, 2)`,
			} {
				if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error { _, err := tx.ExecContext(ctx, q); return err }); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			pay := payout.New(db, ledger.New(db, nil), nil)
			b, err := pay.Batch(ctx, county, "relief", 3)
			if err != nil || b.Lines != 2 || b.Total != 5000 || b.CreatedBy != "rural" {
				t.Fatalf("the batch: %+v %v", b, err)
			}
			if id, _ := pay.BatchOf(ctx, county, 4); id != 3 {
				t.Errorf("batch of instruction 4: %d", id)
			}
			ls, err := pay.Lines(ctx, county, 3)
			if err != nil || len(ls) != 2 {
				t.Fatalf("lines %+v %v", ls, err)
			}
			if l := ls[1]; l.Source != 9 || l.Attempt != 2 || l.Payee != "H009" || l.Status != payout.Failed || l.Code != payout.Returned || l.Reason != "户名与卡号不符" || l.Amount != 3000 {
				t.Errorf("the failed line: %+v", l)
			}
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM relief_lines`).Scan(&n); err == nil {
				t.Error("relief_lines is still there")
			}
		})
	}
}

// An approved batch posts its first chunk in the approving transaction;
// the rest can be sent apart (the server runs it as a job), reporting its
// progress, and sending again once all is sent changes nothing.
func TestApprovedBatchSentApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 2500
		e := setup(t, db, n)
		var kind string
		for k := range e.pay.BatchKinds() {
			kind = k
		}
		e.ins.After(kind, func(context.Context, auth.Principal, instruct.Instruction) error { return nil })
		in, err := e.pay.ProposeBatch(ctx, maker, "fake", "")
		if err != nil {
			t.Fatal(err)
		}
		if in, err = e.ins.Decide(ctx, approver, in.ID, workflow.Decision{Action: workflow.Approve}); err != nil || in.State != instruct.Posted {
			t.Fatalf("approve: %+v %v", in, err)
		}
		a, err := e.pay.ApprovedOf(ctx, in)
		if err != nil || a.Want != n || a.Sent != payout.Chunk || a.Unsent() != n-payout.Chunk || a.Total != sumOf(n) {
			t.Fatalf("after the approval: %+v %v", a, err)
		}
		var seen [][2]int
		a, err = e.pay.SendApproved(ctx, approver, in, func(sent, want int) { seen = append(seen, [2]int{sent, want}) })
		if err != nil || a.Sent != n || a.Unsent() != 0 || a.SentAmount != sumOf(n) {
			t.Fatalf("sent apart: %+v %v", a, err)
		}
		if fmt.Sprint(seen) != "[[1000 2500] [2000 2500] [2500 2500]]" {
			t.Errorf("progress %v", seen)
		}
		if got := e.balance(t, "fake:bank"); got != sumOf(n) {
			t.Errorf("in transit %s, want %s", got, sumOf(n))
		}
		if a, err = e.pay.SendApproved(ctx, approver, in, nil); err != nil || a.Sent != n {
			t.Errorf("sent again: %+v %v", a, err)
		}
		if id, err := e.pay.InstructionOfBatch(ctx, county, a.Batch); err != nil || id != in.ID {
			t.Errorf("instruction of the batch: %d %v", id, err)
		}
		e.verify(t)
	})
}
