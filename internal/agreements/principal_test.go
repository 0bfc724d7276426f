package agreements_test

import (
	"fmt"
	"testing"

	"onepool/internal/agreements"
	"onepool/internal/auth"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

// TestEquityTerminatedReturnsPrincipal: an equity agreement terminated,
// its principal goes back from the operator's account to the village
// collective's with exactly the agreement's legs, entered by one person
// and posted at another's approval; refused while the village has no
// collective, and while the operator's account does not cover a leg.
func TestEquityTerminatedReturnsPrincipal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		l := ledger.New(db, nil)
		pc := policy.NewCounties(db, nil)
		ins := instruct.NewService(db, workflow.New(db, nil), pc, nil)
		ins.UseLedger(l)
		e.s.UseInstructions(ins, l)
		finance := who("fin", auth.RoleFinance, "990101000000")
		eq := agreements.Agreement{Kind: agreements.Entity, Form: agreements.Equity, Township: "990101001000", Entity: e.coop, Project: "P1",
			Start: "2026-01-01", TermYears: 3, HouseholdsShare: 8000, Manager: "县农业农村局派驻 何平", Parties: forty()}
		a, err := e.s.Create(ctx, township, eq)
		if err != nil {
			t.Fatal(err)
		}
		approve := workflow.Decision{Action: workflow.Approve, Opinion: "同意"}
		if _, err := e.s.Negotiate(ctx, town1b, a.ID, "群众代表 李秀英", ""); err != nil {
			t.Fatal(err)
		}
		for _, p := range []auth.Principal{who("town1c", auth.RoleTownship, "990101001000"), rural} {
			if _, err := e.s.Decide(ctx, p, a.ID, approve); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.s.Activate(ctx, township, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.ProposePrincipalReturn(ctx, township, a.ID, "k1"); errs.CodeOf(err) != "wrong_state" {
			t.Fatalf("before the termination: %v", err)
		}
		if _, err := e.s.Terminate(ctx, township, a.ID, "经营不善，协商终止"); err != nil {
			t.Fatal(err)
		}
		// No collective registered at the operator's village: refused, nothing entered.
		if _, err := e.s.ProposePrincipalReturn(ctx, township, a.ID, "k1"); errs.CodeOf(err) != "no_collective" {
			t.Fatalf("no collective: %v", err)
		}
		ents := entities.New(db, l, nil, nil, nil)
		col, _, err := ents.Create(ctx, rural, entities.Entity{USCC: uscc("N2990101MA0000001"), Kind: entities.Collective, Name: "上坝村股份经济合作社", Place: "990101001001", LegalRep: "黄永贵"})
		if err != nil {
			t.Fatal(err)
		}
		in, err := e.s.ProposePrincipalReturn(ctx, township, a.ID, "k1")
		if err != nil || in.Kind != instruct.PrincipalReturn || in.Amount != 600_000_00 || in.State != instruct.Pending {
			t.Fatalf("entered: %+v %v", in, err)
		}
		if again, err := e.s.ProposePrincipalReturn(ctx, township, a.ID, "k1"); err != nil || again.ID != in.ID {
			t.Fatalf("the same key again: %+v %v", again, err)
		}
		if _, err := e.s.ProposePrincipalReturn(ctx, town1b, a.ID, "k2"); errs.CodeOf(err) != "principal_entered" {
			t.Fatalf("a second return: %v", err)
		}
		// Nothing moved before the approval; the maker does not approve.
		if bs, _ := l.Balances(ctx, county, col.Account); total(bs) != 0 {
			t.Fatalf("posted before approval: %v", bs)
		}
		if _, err := ins.Decide(ctx, township, in.ID, approve); err == nil {
			t.Fatal("the maker approved their own principal return")
		}
		// Above money.second_above (500,000) a second approver signs too.
		if first, err := ins.Decide(ctx, finance, in.ID, approve); err != nil || first.State != instruct.Pending {
			t.Fatalf("first approval: %+v %v", first, err)
		}
		finance2 := who("fin2", auth.RoleFinance, "990101000000")
		// The operator spent 100 yuan of the central channel meanwhile:
		// the approval is refused by the no-overdraft rule, nothing posted.
		op := entities.AccountCode(entities.Cooperative, e.coop)
		if _, err := l.Post(ctx, "t", county, []ledger.TransferRequest{{Key: "spent", Kind: "payment", From: op, To: "treasury", Legs: []ledger.Leg{{Channel: "ZX", Amount: 100_00}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ins.Decide(ctx, finance2, in.ID, approve); errs.CodeOf(err) != "insufficient_funds" {
			t.Fatalf("uncovered leg: %v", err)
		}
		if _, err := l.Post(ctx, "t", county, []ledger.TransferRequest{{Key: "back", Kind: "payment", From: "treasury", To: op, Legs: []ledger.Leg{{Channel: "ZX", Amount: 100_00}}}}); err != nil {
			t.Fatal(err)
		}
		got, err := ins.Decide(ctx, finance2, in.ID, approve)
		if err != nil || got.State != instruct.Posted || len(got.Result) != 1 {
			t.Fatalf("approved: %+v %v", got, err)
		}
		bs, err := l.Balances(ctx, county, col.Account)
		if err != nil || fmt.Sprint(legsOf(bs)) != "map[SJ:100,000.00 ZX:500,000.00]" {
			t.Fatalf("the collective's legs: %v %v", legsOf(bs), err)
		}
		if bs, _ := l.Balances(ctx, county, op); total(bs) != 0 {
			t.Fatalf("the operator keeps %v", bs)
		}
		pr, err := e.s.PrincipalOf(ctx, rural, a)
		if err != nil || pr.State != instruct.Posted || pr.Maker != "town" || pr.Approver != "fin2" || pr.Transfer != got.Result[0] || pr.To != col.Account || pr.Amount != 600_000_00 {
			t.Fatalf("principal of the agreement: %+v %v", pr, err)
		}
		if rs, err := e.s.ReturnedTo(ctx, rural, col.Account); err != nil || len(rs) != 1 || rs[0].Agreement != a.ID || rs[0].Amount != 600_000_00 {
			t.Fatalf("returned to the collective: %+v %v", rs, err)
		}
		// A guaranteed dividend's principal is not returned this way.
		g, err := e.s.Create(ctx, township, e.guaranteed())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.ProposePrincipalReturn(ctx, township, g.ID, "k3"); errs.CodeOf(err) != "not_equity" {
			t.Fatalf("guaranteed: %v", err)
		}
	})
}

func total(bs []ledger.Balance) money.Fen {
	var s money.Fen
	for _, b := range bs {
		s += b.Amount
	}
	return s
}

func legsOf(bs []ledger.Balance) map[string]string {
	out := map[string]string{}
	for _, b := range bs {
		if b.Amount != 0 {
			out[b.Channel] = b.Amount.String()
		}
	}
	return out
}

// TestChainFromProfile: the agreements' review after the negotiation is
// the profile's agreement_review.steps.
func TestChainFromProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if _, err := policy.NewCounties(db, nil).Choose(ctx, "t", county, "zhijin", `
[[agreement_review.steps]]
name = "乡镇审核"
role = "township"
level = "township"

[[agreement_review.steps]]
name = "县农业农村局审核"
role = "sector"
level = "county"
`); err != nil {
			t.Fatal(err)
		}
		a, err := e.s.Create(ctx, township, e.guaranteed())
		if err != nil {
			t.Fatal(err)
		}
		if a, err = e.s.Negotiate(ctx, town1b, a.ID, "群众代表 李秀英", ""); err != nil {
			t.Fatal(err)
		}
		it, _, err := e.s.History(ctx, rural, a)
		if err != nil || len(it.Chain) != 3 || it.Chain[2].Role != "sector" || it.Chain[2].Name != "县农业农村局审核" {
			t.Fatalf("the chain: %+v %v", it.Chain, err)
		}
	})
}
