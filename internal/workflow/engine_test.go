package workflow_test

import (
	"context"
	"testing"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

const county = "990101"

var (
	villageA   = place.Code("990101001001")
	townshipA  = place.Code("990101001000")
	townshipB  = place.Code("990101002000")
	countyCode = place.Code("990101000000")
)

func who(user string, role auth.Role, pl place.Code) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: pl, County: county}
}

var (
	cadre    = who("cadre", auth.RoleVillage, villageA)
	town     = who("town", auth.RoleTownship, townshipA)
	town2    = who("town2", auth.RoleTownship, townshipA)
	townB    = who("townB", auth.RoleTownship, townshipB)
	rural    = who("rural", auth.RoleRural, countyCode)
	rural2   = who("rural2", auth.RoleRural, countyCode)
	finance  = who("finance", auth.RoleFinance, countyCode)
	auditor  = who("auditor", auth.RoleAuditor, countyCode)
	theChain = []workflow.Step{
		{Name: "村申请", Role: "village", Level: "village"},
		{Name: "乡镇审核", Role: "township", Level: "township", MayReturn: true, SLADays: 5},
		{Name: "县级审批", Role: "rural", Level: "county", NoticeBefore: true},
	}
)

type fixture struct {
	t   *testing.T
	db  *store.DB
	wf  *workflow.Engine
	now time.Time
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	f := &fixture{t: t, db: db, now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	f.wf = workflow.New(db, func() time.Time { return f.now })
	return f
}

func (f *fixture) start(p auth.Principal, subject string) (workflow.Item, error) {
	var it workflow.Item
	err := f.db.Write(context.Background(), f.now, func(tx *store.Tx) error {
		var err error
		it, err = f.wf.StartTx(context.Background(), tx, p, county, workflow.NewItem{Kind: "relief", Subject: subject, Title: "申请 " + subject, Place: villageA, Amount: 300000, Chain: theChain})
		return err
	})
	return it, err
}

func (f *fixture) decide(p auth.Principal, id int64, d workflow.Decision) (workflow.Item, error) {
	var it workflow.Item
	err := f.db.Write(context.Background(), f.now, func(tx *store.Tx) error {
		var err error
		it, err = f.wf.DecideTx(context.Background(), tx, p, county, id, d)
		return err
	})
	return it, err
}

func (f *fixture) must(it workflow.Item, err error) workflow.Item {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
	return it
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Errorf("%s: got %v (code %q), want %s", what, err, errs.CodeOf(err), code)
	}
}

// TestChainRules walks one item through its chain: who may take each
// step, the maker never, one person one step, return and resubmit, the
// notice before the county's step, and every decision in the history and
// the audit log.
func TestChainRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		_, err := f.start(town, "a1")
		wantCode(t, "a township officer proposing at a village's step", err, "wrong_step_role")
		it := f.must(f.start(cadre, "a1"))
		if it.Step != 1 || it.State != workflow.Pending || it.Maker != "cadre" {
			t.Fatalf("started: %+v", it)
		}
		_, err = f.start(cadre, "a1")
		wantCode(t, "the same subject twice", err, "item_exists")

		// Who may take the township's step.
		_, err = f.decide(townB, it.ID, workflow.Decision{Action: workflow.Approve})
		if errs.KindOf(err) != errs.NotFound {
			t.Errorf("another township's officer: %v, want not found", err)
		}
		_, err = f.decide(rural, it.ID, workflow.Decision{Action: workflow.Approve})
		wantCode(t, "the county at the township's step", err, "wrong_step_role")
		_, err = f.decide(town, it.ID, workflow.Decision{Action: workflow.Reject})
		wantCode(t, "a rejection without reasons", err, "opinion_required")
		_, err = f.decide(town, it.ID, workflow.Decision{Action: "approve!"})
		wantCode(t, "a decision that is none", err, "invalid_decision")

		// The queue: the township officer's, not the county's.
		q, err := f.wf.Queue(ctx, town, "", 50)
		if err != nil || len(q) != 1 || q[0].ID != it.ID || !q[0].CanTake(town) {
			t.Fatalf("township queue: %+v %v", q, err)
		}
		if q, _ := f.wf.Queue(ctx, townB, "", 50); len(q) != 0 {
			t.Errorf("township B's queue holds A's item: %+v", q)
		}
		if w, _ := f.wf.Waiting(ctx, cadre, 10); len(w) != 1 || w[0].ID != it.ID {
			t.Errorf("the maker's 等待他人处理: %+v", w)
		}

		// Returned to the maker, who alone resubmits.
		_, err = f.decide(town, it.ID, workflow.Decision{Action: workflow.Return, ToStep: 0})
		wantCode(t, "a return without reasons", err, "opinion_required")
		it = f.must(f.decide(town, it.ID, workflow.Decision{Action: workflow.Return, ToStep: 0, Opinion: "缺少收入证明"}))
		if it.State != workflow.Returned || it.Step != 0 {
			t.Fatalf("returned: %+v", it)
		}
		_, err = f.decide(town, it.ID, workflow.Decision{Action: workflow.Approve})
		wantCode(t, "approving a returned item", err, "not_pending")
		it = f.must(f.decide(cadre, it.ID, workflow.Decision{Action: workflow.Submit, Opinion: "已补充"}))
		if it.State != workflow.Pending || it.Step != 1 {
			t.Fatalf("resubmitted: %+v", it)
		}

		// The township approves; the county's step needs a notice first.
		it = f.must(f.decide(town, it.ID, workflow.Decision{Action: workflow.Approve, Opinion: "同意"}))
		if it.Step != 2 {
			t.Fatalf("after the township: step %d", it.Step)
		}
		_, err = f.decide(rural, it.ID, workflow.Decision{Action: workflow.Approve})
		wantCode(t, "the county before any notice", err, "notice_required")
		var notice workflow.Notice
		if err := db.Write(ctx, f.now, func(tx *store.Tx) error {
			_, err := f.wf.OpenNoticeTx(ctx, tx, town, county, it.ID, workflow.NoticeInput{Title: "公示", Body: "拟救助对象", Starts: "2026-11-02", Ends: "2026-11-04"}, 5)
			wantCode(t, "a notice shorter than the profile's days", err, "notice_too_short")
			notice, err = f.wf.OpenNoticeTx(ctx, tx, town, county, it.ID, workflow.NoticeInput{Title: "公示", Body: "拟救助对象", Starts: "2026-11-02", Ends: "2026-11-06"}, 5)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err = f.decide(rural, it.ID, workflow.Decision{Action: workflow.Approve})
		wantCode(t, "the county while the notice runs", err, "notice_running")
		o, err := f.wf.FileObjection(ctx, "public", county, notice.ID, workflow.ObjectionInput{Body: "该户有车"})
		if err != nil {
			t.Fatal(err)
		}
		f.now = time.Date(2026, 11, 7, 9, 0, 0, 0, time.UTC)
		if _, err := f.wf.FileObjection(ctx, "public", county, notice.ID, workflow.ObjectionInput{Body: "迟到的异议"}); errs.CodeOf(err) != "notice_closed" {
			t.Errorf("an objection after the notice ended: %v", err)
		}
		_, err = f.decide(rural, it.ID, workflow.Decision{Action: workflow.Approve})
		wantCode(t, "the county with an objection unanswered", err, "open_objection")
		if err := db.Write(ctx, f.now, func(tx *store.Tx) error {
			_, _, err := f.wf.AnswerTx(ctx, tx, town, county, o.ID, false, "经核实，车辆为营运用途")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		it = f.must(f.decide(rural, it.ID, workflow.Decision{Action: workflow.Approve, Opinion: "同意"}))
		if it.State != workflow.Approved {
			t.Fatalf("after the county: %+v", it)
		}
		_, err = f.decide(rural2, it.ID, workflow.Decision{Action: workflow.Approve})
		wantCode(t, "a decided item", err, "not_pending")

		hist, err := f.wf.History(ctx, county, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range hist {
			got = append(got, r.Actor+":"+r.Decision)
		}
		want := []string{"cadre:submit", "town:return", "cadre:submit", "town:approve", "rural:approve"}
		if len(got) != len(want) {
			t.Fatalf("history %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("history %v, want %v", got, want)
			}
		}
		n, err := audit.Count(ctx, db, audit.Filter{County: county, Action: "workflow."})
		if err != nil || n != len(want)+3 { // + the notice, the objection, the answer
			t.Errorf("audit entries of the workflow: %d (%v), want %d", n, err, len(want)+3)
		}
		if problems, err := audit.Verify(ctx, db); err != nil || len(problems) != 0 {
			t.Errorf("audit chain: %v %v", problems, err)
		}
	})
}

// TestMakersAndSigners: the maker, anyone who changed the subject under
// review, and anyone who signed another step take no step; an auditor's
// freeze stops every step until thawed; a step past its time limit is
// overdue.
func TestMakersAndSigners(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		chain := []workflow.Step{
			{Name: "录入", Role: "township", Level: "township"},
			{Name: "审核", Role: "township", Level: "township", SLADays: 3},
			{Name: "复核", Role: "township", Level: "township", Extra: true},
		}
		var it workflow.Item
		if err := db.Write(ctx, f.now, func(tx *store.Tx) error {
			var err error
			it, err = f.wf.StartTx(ctx, tx, town, county, workflow.NewItem{Kind: "instruction", Subject: "7", Title: "拨付", Place: townshipA, Amount: 100, Chain: chain})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err := f.decide(town, it.ID, workflow.Decision{Action: workflow.Approve})
		if errs.CodeOf(err) != "maker_checker" {
			t.Errorf("the maker approving: %v", err)
		}
		if it.CanTake(town) || !it.CanTake(town2) {
			t.Errorf("CanTake: maker %v, other %v", it.CanTake(town), it.CanTake(town2))
		}
		// town2 changes the subject: now a maker too.
		if err := db.Write(ctx, f.now, func(tx *store.Tx) error {
			_, ok, err := f.wf.TouchTx(ctx, tx, county, "instruction", "7", "town2")
			if !ok {
				t.Error("touch found no item under review")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err = f.decide(town2, it.ID, workflow.Decision{Action: workflow.Approve})
		wantCode(t, "an editor approving", err, "maker_checker")

		town3 := who("town3", auth.RoleTownship, townshipA)
		town4 := who("town4", auth.RoleTownship, townshipA)
		// Frozen by the auditor: nobody decides; only an auditor freezes.
		if err := db.Write(ctx, f.now, func(tx *store.Tx) error {
			_, err := f.wf.FreezeTx(ctx, tx, town3, county, it.ID, true, "审计")
			if errs.KindOf(err) != errs.Forbidden {
				t.Errorf("a township officer freezing: %v", err)
			}
			_, err = f.wf.FreezeTx(ctx, tx, auditor, county, it.ID, true, "")
			wantCode(t, "a freeze without reasons", err, "opinion_required")
			_, err = f.wf.FreezeTx(ctx, tx, auditor, county, it.ID, true, "专项审计")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err = f.decide(town3, it.ID, workflow.Decision{Action: workflow.Approve})
		wantCode(t, "a frozen item", err, "frozen")
		if err := db.Write(ctx, f.now, func(tx *store.Tx) error {
			_, err := f.wf.FreezeTx(ctx, tx, auditor, county, it.ID, false, "审计结束")
			return err
		}); err != nil {
			t.Fatal(err)
		}

		// Past its three days the step is overdue, on the desk's count too.
		f.now = f.now.AddDate(0, 0, 4)
		got, _ := f.wf.Item(ctx, county, it.ID)
		if !got.Overdue(f.now) {
			t.Error("a step four days old with a three-day limit is not overdue")
		}
		if n, err := f.wf.OverdueCount(ctx, county, "990101001"); err != nil || n != 1 {
			t.Errorf("overdue in township A: %d %v", n, err)
		}
		if n, _ := f.wf.OverdueCount(ctx, county, "990101002"); n != 0 {
			t.Errorf("overdue in township B: %d", n)
		}

		it = f.must(f.decide(town3, it.ID, workflow.Decision{Action: workflow.Approve}))
		// The extra signer: someone who signed no other step.
		_, err = f.decide(town3, it.ID, workflow.Decision{Action: workflow.Approve})
		wantCode(t, "one person signing two steps", err, "already_signed")
		it = f.must(f.decide(town4, it.ID, workflow.Decision{Action: workflow.Approve}))
		if it.State != workflow.Approved {
			t.Fatalf("after two signers: %+v", it)
		}
	})
}
