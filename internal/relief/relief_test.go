package relief_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/relief"
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

func yuan(s string) money.Fen {
	f, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return f
}

func who(user string, role auth.Role, pl string) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: place.Code(pl), County: county}
}

var (
	cadre    = who("cadre", auth.RoleVillage, village)
	cadre2   = who("accountant", auth.RoleVillage, village)
	township = who("town", auth.RoleTownship, "990101001000")
	rural    = who("rural", auth.RoleRural, "990101000000")
	finance  = who("fin", auth.RoleFinance, "990101000000")
)

// residentID makes a valid (fake) resident ID: area 110105, a birth date
// and a sequence, with the GB 11643 check digit.
func residentID(birth string, seq int) string {
	body := fmt.Sprintf("110105%s%03d", strings.ReplaceAll(birth, "-", ""), seq%1000)
	return body + string(ident.ResidentIDCheckChar(body))
}

// card makes a 19-digit card number with a valid Luhn digit.
func card(n int) string {
	body := fmt.Sprintf("622202%012d", n)
	return body + string(ident.LuhnDigit(body))
}

type env struct {
	ins *instruct.Service
	db  *store.DB
	reg *registry.Service
	r   *relief.Service
	wf  *workflow.Engine
	l   *ledger.Ledger
	now func(time.Duration)
}

func setup(t *testing.T, db *store.DB) env {
	t.Helper()
	var mu sync.Mutex
	now := time.Date(2026, 10, 17, 9, 0, 0, 0, clock.Zone)
	clk := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	keys, err := registry.NewKeys([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	pc := policy.NewCounties(db, clk)
	if _, err := pc.Choose(ctx, "t", county, "tongchuan", ""); err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db, clk)
	reg := registry.New(db, keys, clk)
	wf := workflow.New(db, clk)
	r := relief.New(db, l, reg, keys, wf, pc, clk)
	ins := instruct.NewService(db, wf, pc, clk)
	r.UseInstructions(ins)
	return env{ins: ins, db: db, reg: reg, r: r, wf: wf, l: l,
		now: func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }}
}

// send enters a payout batch (rural) and has the finance bureau approve
// it (two people on money); it returns the batch.
func (e env) send(t *testing.T) (relief.Batch, error) {
	t.Helper()
	in, err := e.r.ProposeBatch(ctx, rural, "")
	if err != nil {
		return relief.Batch{}, err
	}
	if in.State != instruct.Pending {
		t.Fatalf("a batch entered by one person: %+v", in)
	}
	if _, err := e.ins.Decide(ctx, rural, in.ID, workflow.Decision{Action: workflow.Approve}); errs.KindOf(err) != errs.Forbidden && errs.CodeOf(err) != "maker_checker" {
		t.Errorf("the maker approves their own batch: %v", err)
	}
	if in, err = e.ins.Decide(ctx, finance, in.ID, workflow.Decision{Action: workflow.Approve}); err != nil {
		return relief.Batch{}, err
	}
	id, err := e.r.BatchOf(ctx, county, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	return e.r.Batch(ctx, county, id)
}

// bankReturn enters the bank's return file (rural) and has it approved
// (finance); it returns what the approval settled, as the ledger saw it.
func (e env) bankReturn(t *testing.T, file string) (instruct.Instruction, error) {
	t.Helper()
	in, err := e.r.ProposeReturn(ctx, rural, strings.NewReader(file))
	if err != nil {
		return in, err
	}
	if in.Replayed {
		return in, nil
	}
	return e.ins.Decide(ctx, finance, in.ID, workflow.Decision{Action: workflow.Approve})
}

// household saves a two-member household with a card and its 2026 year.
func (e env) household(t *testing.T, i int, status string, stable bool, income, expenses string) string {
	t.Helper()
	code := fmt.Sprintf("H%03d", i)
	head := fmt.Sprintf("李%s", string([]rune("一二三四五六七八九十")[i%10])+fmt.Sprint(i))
	h := registry.Household{County: county, Code: code, Village: village, Head: head,
		Members: []registry.Member{{Name: head, ResidentID: residentID("1960-03-01", i), Relation: "户主", Alive: true}, {Name: "王" + fmt.Sprint(i), ResidentID: residentID("1962-05-01", 500+i), Relation: "配偶", Alive: true}},
		Card:    registry.Card{Holder: head, Bank: "农村信用社", Number: card(i)}}
	if _, _, err := e.reg.Save(ctx, cadre, h); err != nil {
		t.Fatalf("save %s: %v", code, err)
	}
	if _, err := e.reg.SetYear(ctx, cadre, registry.Year{Household: code, Year: 2026, Status: status, Stable: stable, Causes: []string{"illness"}, Income: yuan(income), Expenses: yuan(expenses)}); err != nil {
		t.Fatalf("year %s: %v", code, err)
	}
	return code
}

// TestTongchuanScenario is issue 6's acceptance scenario: donations of
// 920,000 arrive and the floor raises a treasury top-up of 80,000; 31
// households apply and are approved and paid 63,000 in all; a household
// stably out of poverty is refused with the reason; one objection during
// the notice is answered; the bank returns one line failed, it is
// corrected and paid once; a re-submitted return file pays no one twice;
// the ledger verifies and the fund's figures carry no personal data.
func TestTongchuanScenario(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		for i, d := range []struct{ donor, amount string }{{"青禾商会", "600,000"}, {"东西部协作帮扶单位", "320,000"}} {
			if _, err := e.r.Receive(ctx, finance, relief.Inflow{Key: fmt.Sprint("d", i), Source: "donation", Donor: d.donor, Campaign: "10·17 扶贫日", Amount: yuan(d.amount)}); err != nil {
				t.Fatal(err)
			}
		}
		f, err := e.r.Fund(ctx, county)
		if err != nil {
			t.Fatal(err)
		}
		if f.Balance != yuan("920,000") || f.Open == nil || f.Open.Amount != yuan("80,000") {
			t.Fatalf("after the donations: balance %s, request %+v", f.Balance, f.Open)
		}
		if _, err := e.r.Receive(ctx, cadre, relief.Inflow{Key: "x", Source: "treasury", Amount: 1}); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("a village cadre records money in: %v", err)
		}
		if _, err := e.r.Receive(ctx, finance, relief.Inflow{Key: "t1", Source: "treasury", Amount: yuan("80,000"), DocNo: "财〔2026〕80号"}); err != nil {
			t.Fatal(err)
		}
		if f, _ = e.r.Fund(ctx, county); f.Open != nil || f.Balance != yuan("1,000,000") {
			t.Fatalf("after the treasury top-up: %s %+v", f.Balance, f.Open)
		}

		// 31 eligible households: 30 × (6,000 − 5,000) × 2 = 60,000 and one
		// (6,000 − 4,500) × 2 = 3,000.
		var codes []string
		for i := 1; i <= 30; i++ {
			codes = append(codes, e.household(t, i, registry.Exited, false, "12,000", "2,000"))
		}
		codes = append(codes, e.household(t, 31, registry.NonPoorAgri, false, "11,000", "2,000"))
		stable := e.household(t, 32, registry.Exited, true, "8,000", "2,000")
		var apps []relief.Application
		for _, c := range codes {
			a, err := e.r.Apply(ctx, cadre, relief.NewApplication{Household: c, MemberSeq: 1, Year: 2026, Cause: "illness"})
			if err != nil {
				t.Fatalf("apply %s: %v", c, err)
			}
			apps = append(apps, a)
		}
		_, err = e.r.Apply(ctx, cadre, relief.NewApplication{Household: stable, MemberSeq: 1, Year: 2026, Cause: "illness"})
		if errs.CodeOf(err) != "not_eligible" || !strings.Contains(err.Error(), "stably out of poverty") {
			t.Errorf("a household stably out of poverty: %v", err)
		}
		if _, err := e.r.Apply(ctx, cadre, relief.NewApplication{Household: codes[0], MemberSeq: 1, Year: 2026, Cause: "illness"}); errs.CodeOf(err) != "application_exists" {
			t.Errorf("applying twice: %v", err)
		}
		if apps[0].Calc.Amount != yuan("2,000") || apps[30].Calc.Amount != yuan("3,000") {
			t.Errorf("top-ups %s and %s", apps[0].Calc.Amount, apps[30].Calc.Amount)
		}
		ok := workflow.Decision{Action: workflow.Approve, Opinion: "属实"}
		for _, a := range apps {
			if _, err := e.r.Decide(ctx, cadre, a.ID, ok); errs.CodeOf(err) != "maker_checker" {
				t.Fatalf("the cadre who raised it reviews it: %v", err)
			}
			for _, p := range []auth.Principal{cadre2, township} {
				if _, err := e.r.Decide(ctx, p, a.ID, ok); err != nil {
					t.Fatalf("%s reviews %d: %v", p.Username, a.ID, err)
				}
			}
		}
		if _, err := e.r.Decide(ctx, rural, apps[0].ID, ok); errs.CodeOf(err) != "notice_required" {
			t.Errorf("approving before the notice: %v", err)
		}
		n, err := e.r.PostNotices(ctx, township, clock.Day(time.Date(2026, 10, 17, 0, 0, 0, 0, clock.Zone)))
		if err != nil || n != 31 {
			t.Fatalf("notices: %d %v", n, err)
		}
		// The notice shows no personal data: surname + *, no ID, card or cause.
		it, _ := e.wf.Item(ctx, county, apps[5].Item)
		notice, _ := e.wf.Notice(ctx, county, it.NoticeID)
		if !strings.Contains(notice.Body, "李*") || strings.Contains(notice.Body, "110105") || strings.Contains(notice.Body, "622202") || strings.Contains(notice.Body, "illness") {
			t.Errorf("the notice text: %s", notice.Body)
		}
		e.now(24 * time.Hour)
		o, err := e.wf.FileObjection(ctx, "public", county, notice.ID, workflow.ObjectionInput{Body: "该户家中新购车辆，收入是否属实？"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.r.Answer(ctx, township, o.ID, false, "经入户核实，车辆为亲属所有，收入属实"); err != nil {
			t.Fatal(err)
		}
		e.now(5 * 24 * time.Hour)
		// A registry edit before approval changes the amount; after, it does not.
		for _, a := range apps {
			got, err := e.r.Decide(ctx, rural, a.ID, ok)
			if err != nil {
				t.Fatalf("approve %d: %v", a.ID, err)
			}
			if !got.Frozen || got.Status != relief.Approved {
				t.Fatalf("approved %+v", got)
			}
		}
		if _, err := e.reg.SetYear(ctx, cadre, registry.Year{Household: codes[0], Year: 2026, Status: registry.Exited, Causes: []string{"illness"}, Income: yuan("2,000"), Expenses: yuan("2,000")}); err != nil {
			t.Fatal(err)
		}
		if a, _ := e.r.Application(ctx, county, apps[0].ID); a.Calc.Amount != yuan("2,000") {
			t.Errorf("an approved amount moved with the registry: %s", a.Calc.Amount)
		}

		if _, err := e.r.ProposeBatch(ctx, cadre, ""); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("a village cadre sends a payout: %v", err)
		}
		b, err := e.send(t)
		if err != nil {
			t.Fatal(err)
		}
		if b.Lines != 31 || b.Total != yuan("63,000") {
			t.Fatalf("batch %+v", b)
		}
		file, err := e.r.PayoutFile(ctx, rural, b.ID)
		if err != nil || len(file) != 33 || fmt.Sprint(file[32][7]) != "63000.00" {
			t.Fatalf("payout file (%v): %d rows, totals %v", err, len(file), file[len(file)-1])
		}
		// The bank: all paid but line 7 (the card's holder does not match).
		var ret strings.Builder
		ret.WriteString("批次,序号,结果,原因\n")
		for i := 1; i <= 31; i++ {
			if i == 7 {
				fmt.Fprintf(&ret, "%d,%d,失败,户名与卡号不符\n", b.ID, i)
			} else {
				fmt.Fprintf(&ret, "%d,%d,成功,\n", b.ID, i)
			}
		}
		in, err := e.r.ProposeReturn(ctx, rural, strings.NewReader(ret.String()))
		if err != nil {
			t.Fatal(err)
		}
		if bals, _ := e.l.Balances(ctx, county, relief.HouseholdAccount(codes[0])); len(bals) != 0 {
			t.Fatalf("a return file entered by one person paid: %+v", bals)
		}
		if in, err = e.ins.Decide(ctx, finance, in.ID, workflow.Decision{Action: workflow.Approve}); err != nil || in.State != instruct.Posted {
			t.Fatalf("return: %+v %v", in, err)
		}
		if again, err := e.bankReturn(t, ret.String()); err != nil || !again.Replayed || again.ID != in.ID {
			t.Fatalf("the same return again: %+v %v", again, err)
		}
		if _, err := e.r.ProposeReturn(ctx, rural, strings.NewReader(fmt.Sprintf("批次,序号,结果\n%d,99,成功\n%d,1,maybe\n", b.ID, b.ID))); errs.CodeOf(err) != "invalid_rows" {
			t.Errorf("a return with bad rows: %v", err)
		}
		lines, _ := e.r.Lines(ctx, county, b.ID)
		failed := lines[6]
		if failed.Status != "failed" {
			t.Fatalf("line 7: %+v", failed)
		}
		// The card is corrected in the registry and the household paid.
		h, err := e.reg.Household(ctx, county, failed.Household)
		if err != nil {
			t.Fatal(err)
		}
		fix := registry.Household{County: county, Code: h.Code, Village: h.Village, Head: h.Head, Card: registry.Card{Holder: h.Head, Bank: "农村信用社", Number: card(900)}}
		for i, m := range h.Members {
			fix.Members = append(fix.Members, registry.Member{Name: m.Name, ResidentID: residentID([]string{"1960-03-01", "1962-05-01"}[i], []int{0, 500}[i]+failedIndex(failed.Household)), Relation: m.Relation, Alive: true})
		}
		if _, _, err := e.reg.Save(ctx, cadre, fix); err != nil {
			t.Fatal(err)
		}
		b2, err := e.send(t)
		if err != nil || b2.Lines != 1 || b2.Total != failed.Amount {
			t.Fatalf("second batch %+v %v", b2, err)
		}
		if _, err := e.bankReturn(t, fmt.Sprintf("batch,line,result\n%d,1,paid\n", b2.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.r.ProposeBatch(ctx, rural, ""); errs.CodeOf(err) != "nothing_to_send" {
			t.Errorf("a third batch: %v", err)
		}
		// Every household received its amount exactly once.
		var paid money.Fen
		for i, c := range codes {
			bals, err := e.l.Balances(ctx, county, relief.HouseholdAccount(c))
			if err != nil {
				t.Fatal(err)
			}
			var got money.Fen
			for _, bl := range bals {
				got += bl.Amount
			}
			want := yuan("2,000")
			if i == 30 {
				want = yuan("3,000")
			}
			if got != want {
				t.Errorf("household %s received %s, want %s", c, got, want)
			}
			paid += got
		}
		if paid != yuan("63,000") {
			t.Errorf("paid in all %s", paid)
		}
		f, _ = e.r.Fund(ctx, county)
		if f.Balance != yuan("937,000") || f.InTransit != 0 || f.Paid != yuan("63,000") || f.Donations != yuan("920,000") || f.Treasury != yuan("80,000") {
			t.Errorf("fund at the end: %+v", f)
		}
		if f.Open == nil || f.Open.Amount != yuan("63,000") {
			t.Errorf("the floor's request at the end: %+v", f.Open)
		}
		rep, err := ledger.Verify(ctx, db)
		if err != nil || len(rep.Problems) > 0 {
			t.Errorf("ledger verify: %v %v", err, rep.Problems)
		}
		if probs, err := audit.Verify(ctx, db); err != nil || len(probs) > 0 {
			t.Errorf("audit verify: %v %v", err, probs)
		}
	})
}

// failedIndex recovers the household number from its code (H007 → 7).
func failedIndex(code string) int {
	var n int
	fmt.Sscanf(code, "H%d", &n)
	return n
}

// TestRefusals: each condition is named — a deceased applicant, a cause
// the fund does not help with, a poor (not exited) household, income at
// the standard; and a payout the fund cannot cover is refused, leaving the
// fund untouched.
func TestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		ok := e.household(t, 1, registry.Exited, false, "12,000", "2,000")
		poor := e.household(t, 2, registry.Poor, false, "12,000", "2,000")
		rich := e.household(t, 3, registry.Exited, false, "14,000", "2,000") // 6,000 per capita: not below
		// Member 2 of household 4 has died.
		dead := fmt.Sprintf("H%03d", 4)
		h := registry.Household{County: county, Code: dead, Village: village, Head: "赵四",
			Members: []registry.Member{{Name: "赵四", ResidentID: residentID("1960-03-01", 4), Relation: "户主", Alive: true}, {Name: "钱四", ResidentID: residentID("1962-05-01", 504), Relation: "配偶", Alive: false}},
			Card:    registry.Card{Holder: "赵四", Bank: "农村信用社", Number: card(4)}}
		if _, _, err := e.reg.Save(ctx, cadre, h); err != nil {
			t.Fatal(err)
		}
		if _, err := e.reg.SetYear(ctx, cadre, registry.Year{Household: dead, Year: 2026, Status: registry.Exited, Causes: []string{"illness"}, Income: yuan("5,000"), Expenses: yuan("0")}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			hh     string
			member int
			cause  string
			field  string
		}{
			{dead, 2, "illness", "member"},
			{ok, 1, "schooling", "cause"},
			{poor, 1, "illness", "status"},
			{rich, 1, "illness", "income"},
		} {
			_, err := e.r.Apply(ctx, cadre, relief.NewApplication{Household: c.hh, MemberSeq: c.member, Year: 2026, Cause: c.cause})
			if er, _ := errs.As(err); errs.CodeOf(err) != "not_eligible" || er.Field != c.field {
				t.Errorf("%s member %d (%s): %v, want not_eligible naming %s", c.hh, c.member, c.cause, err, c.field)
			}
		}
		if _, err := e.r.Apply(ctx, cadre, relief.NewApplication{Household: ok, MemberSeq: 1, Year: 2019, Cause: "illness"}); errs.KindOf(err) != errs.NotFound {
			t.Errorf("a year without a record: %v", err)
		}
		// The deceased member's household: per capita over the one living member.
		a, err := e.r.Apply(ctx, cadre, relief.NewApplication{Household: dead, MemberSeq: 1, Year: 2026, Cause: "illness"})
		if err != nil || a.Calc.Members != 1 || a.Calc.Amount != yuan("1,000") {
			t.Fatalf("the living member's application: %+v %v", a.Calc, err)
		}
		// Approve it with an empty fund: the payout is refused, nothing moves.
		approve := workflow.Decision{Action: workflow.Approve, Opinion: "同意"}
		for _, p := range []auth.Principal{cadre2, township} {
			if _, err := e.r.Decide(ctx, p, a.ID, approve); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.r.PostNotices(ctx, township, "2026-10-17"); err != nil {
			t.Fatal(err)
		}
		e.now(6 * 24 * time.Hour)
		if _, err := e.r.Decide(ctx, rural, a.ID, approve); err != nil {
			t.Fatal(err)
		}
		if _, err := e.r.Send(ctx, rural); errs.KindOf(err) != errs.InsufficientFunds {
			t.Errorf("a payout beyond the fund: %v", err)
		}
		if got, _ := e.r.Application(ctx, county, a.ID); got.Status != relief.Approved {
			t.Errorf("after the refused payout the application is %s", got.Status)
		}
		if bs, _ := e.r.Batches(ctx, county); len(bs) != 0 {
			t.Errorf("a refused payout left batches %+v", bs)
		}
	})
}

// TestNoticeFreezesAndEditorsAreMakers: whoever last changed a household's
// year counts as a maker of its application and takes none of its steps;
// a top-up changed after its notice voids the notice, and the county
// approves only after a new one has run — the amount approved is the one
// the public saw.
func TestNoticeFreezesAndEditorsAreMakers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		if _, err := e.r.Receive(ctx, finance, relief.Inflow{Key: "d", Source: "donation", Donor: "商会", Amount: yuan("1,000,000")}); err != nil {
			t.Fatal(err)
		}
		code := e.household(t, 1, registry.Exited, false, "12,000", "2,000")
		a, err := e.r.Apply(ctx, cadre, relief.NewApplication{Household: code, MemberSeq: 1, Year: 2026, Cause: "illness"})
		if err != nil {
			t.Fatal(err)
		}
		ok := workflow.Decision{Action: workflow.Approve, Opinion: "属实"}
		if _, err := e.r.Decide(ctx, cadre2, a.ID, ok); err != nil {
			t.Fatal(err)
		}
		// The township officer corrects the income, then tries to approve.
		if _, err := e.reg.SetYear(ctx, township, registry.Year{Household: code, Year: 2026, Status: registry.Exited, Causes: []string{"illness"}, Income: yuan("12,000"), Expenses: yuan("3,000")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.r.Decide(ctx, township, a.ID, ok); errs.CodeOf(err) != "maker_checker" {
			t.Fatalf("edit then approve: %v", err)
		}
		town2 := who("town.b", auth.RoleTownship, "990101001000")
		if _, err := e.r.Decide(ctx, town2, a.ID, ok); err != nil {
			t.Fatal(err)
		}
		if n, err := e.r.PostNotices(ctx, town2, "2026-10-17"); err != nil || n != 1 {
			t.Fatalf("notice: %d %v", n, err)
		}
		it, _ := e.wf.Item(ctx, county, a.Item)
		first, _ := e.wf.Notice(ctx, county, it.NoticeID)
		if !strings.Contains(first.Body, "3,000.00元") {
			t.Fatalf("the notice shows %s", first.Body)
		}
		e.now(11 * 24 * time.Hour)
		// After the notice the household's income is lowered: the amount
		// would rise from 3,000 to 10,000 without anyone having seen it.
		if _, err := e.reg.SetYear(ctx, cadre, registry.Year{Household: code, Year: 2026, Status: registry.Exited, Causes: []string{"illness"}, Income: yuan("4,000"), Expenses: yuan("2,000")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.r.Decide(ctx, rural, a.ID, ok); errs.CodeOf(err) != "notice_outdated" {
			t.Fatalf("approving a changed amount after its notice: %v", err)
		}
		if n, _ := e.wf.Notice(ctx, county, first.ID); n.State != "withdrawn" {
			t.Errorf("the outdated notice is still %s", n.State)
		}
		if _, err := e.r.Decide(ctx, rural, a.ID, ok); errs.CodeOf(err) != "notice_required" {
			t.Errorf("approving without a notice: %v", err)
		}
		if n, err := e.r.PostNotices(ctx, town2, clock.Day(time.Date(2026, 10, 28, 0, 0, 0, 0, clock.Zone))); err != nil || n != 1 {
			t.Fatalf("second notice: %d %v", n, err)
		}
		e.now(11 * 24 * time.Hour)
		got, err := e.r.Decide(ctx, rural, a.ID, ok)
		if err != nil {
			t.Fatal(err)
		}
		it, _ = e.wf.Item(ctx, county, a.Item)
		second, _ := e.wf.Notice(ctx, county, it.NoticeID)
		if got.Calc.Amount != yuan("10,000") || !got.Frozen || !strings.Contains(second.Body, "10,000.00元") {
			t.Errorf("approved %s; the notice the public saw: %s", got.Calc.Amount, second.Body)
		}
	})
}
