package funds_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

func person(user string, role auth.Role, pl string) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: place.Code(pl), County: county}
}

var (
	ruralP   = person("rural", auth.RoleRural, "990101000000")
	financeP = person("fin", auth.RoleFinance, "990101000000")
	headP    = person("fin.head", auth.RoleFinance, "990101000000")
	townP    = person("town", auth.RoleTownship, "990101001000")
)

// twoPeople is a funds service under two-person control with a pool of
// 1,000,000 on ZX and an approved project.
func twoPeople(t testing.TB, db *store.DB) (*funds.Service, *instruct.Service, *ledger.Ledger) {
	t.Helper()
	l := ledger.New(db, nil)
	pc := policy.NewCounties(db, nil)
	if _, err := pc.Choose(ctx, "t", county, "zigui", ""); err != nil {
		t.Fatal(err)
	}
	s := funds.New(db, l, pc, nil)
	ins := instruct.NewService(db, workflow.New(db, nil), pc, nil)
	ins.UseLedger(l)
	s.UseInstructions(ins)
	if _, err := s.Register(ctx, "fin", county, []funds.NewChannel{{Code: "ZX", Name: "中央专项", Level: "central", Category: "fiscal", Department: "扶贫", Year: 2026}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Arrive(ctx, "fin", county, []funds.Movement{{Key: "a", Channel: "ZX", Amount: yuan("1,000,000"), Day: day("2026-03-01")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Integrate(ctx, "fin", county, []funds.Movement{{Key: "i", Channel: "ZX", Amount: yuan("1,000,000"), Day: day("2026-03-02")}}); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"P1", "P2"} {
		if _, err := s.CreateProject(ctx, "t", county, funds.Project{Code: code, Name: code, Place: "990101001001", Purpose: "infrastructure", Department: "扶贫", Status: funds.StatusApproved}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.OpenAccounts(ctx, "t", county, []ledger.NewAccount{{Code: "ent:road", Kind: ledger.Entity, Name: "路桥公司", Place: "990101000000"}}); err != nil {
		t.Fatal(err)
	}
	return s, ins, l
}

func approve(opinion string) workflow.Decision {
	return workflow.Decision{Action: workflow.Approve, Opinion: opinion}
}

// TestTwoPeopleOnMoney: an allocation entered by one person posts nothing
// until another approves it; its maker cannot; above the profile's
// threshold a second approver, another person again, signs too; at
// approval the pool must still cover it on its channel (else nothing is
// written and the instruction waits); a rejected one posts nothing.
func TestTwoPeopleOnMoney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ins, l := twoPeople(t, db)
		small, err := s.ProposeAllocation(ctx, ruralP, funds.Allocation{Key: "k1", Project: "P1", Amount: yuan("300,000")})
		if err != nil {
			t.Fatal(err)
		}
		big, err := s.ProposeAllocation(ctx, ruralP, funds.Allocation{Key: "k2", Project: "P2", Amount: yuan("600,000")})
		if err != nil {
			t.Fatal(err)
		}
		if bals, _ := l.Balances(ctx, county, "prj:P1"); len(bals) != 0 {
			t.Fatalf("an entered allocation moved money: %+v", bals)
		}
		if _, err := ins.Decide(ctx, ruralP, small.ID, approve("")); errs.KindOf(err) != errs.Forbidden && errs.CodeOf(err) != "maker_checker" {
			t.Errorf("the maker approves: %v", err)
		}
		// The large one takes the pool down to 400,000 first…
		if got, err := ins.Decide(ctx, financeP, big.ID, approve("ok")); err != nil || got.State != instruct.Pending {
			t.Fatalf("600,000 after one approver: %+v %v", got, err)
		}
		if _, err := ins.Decide(ctx, financeP, big.ID, approve("again")); errs.CodeOf(err) != "already_signed" {
			t.Errorf("one person signs both steps: %v", err)
		}
		if got, err := ins.Decide(ctx, headP, big.ID, approve("ok")); err != nil || got.State != instruct.Posted || len(got.Result) != 1 {
			t.Fatalf("600,000 after the head: %+v %v", got, err)
		}
		// … another allocation of 200,000 is entered and approved …
		mid, err := s.ProposeAllocation(ctx, ruralP, funds.Allocation{Key: "k4", Project: "P1", Amount: yuan("200,000")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ins.Decide(ctx, financeP, mid.ID, approve("ok")); err != nil {
			t.Fatal(err)
		}
		// … so the 300,000 entered first is no longer covered on ZX.
		before, _ := l.Balances(ctx, county, funds.PoolCode)
		if _, err := ins.Decide(ctx, financeP, small.ID, approve("ok")); errs.CodeOf(err) != "insufficient_funds" {
			t.Fatalf("approving what the pool no longer covers: %v", err)
		}
		after, _ := l.Balances(ctx, county, funds.PoolCode)
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Errorf("a refused approval moved money: %v → %v", before, after)
		}
		if got, _ := ins.Get(ctx, financeP, small.ID); got.State != instruct.Pending || got.Approver != "" {
			t.Errorf("after the refused approval: %+v", got)
		}
		if _, err := ins.Decide(ctx, financeP, small.ID, workflow.Decision{Action: workflow.Reject}); errs.CodeOf(err) != "opinion_required" {
			t.Errorf("a reject without a reason: %v", err)
		}
		if got, err := ins.Decide(ctx, financeP, small.ID, workflow.Decision{Action: workflow.Reject, Opinion: "资金不足，下批安排"}); err != nil || got.State != instruct.Rejected {
			t.Fatalf("reject: %+v %v", got, err)
		}
		// The key is free again: the move is entered anew, smaller.
		again, err := s.ProposeAllocation(ctx, ruralP, funds.Allocation{Key: "k1", Project: "P1", Amount: yuan("100,000")})
		if err != nil || again.ID == small.ID || again.State != instruct.Pending {
			t.Fatalf("entering a rejected move again: %+v %v", again, err)
		}
		// A township officer never approves a county's money move.
		if _, err := ins.Decide(ctx, townP, again.ID, approve("")); errs.KindOf(err) != errs.NotFound && errs.KindOf(err) != errs.Forbidden {
			t.Errorf("a township officer approves: %v", err)
		}
		// A payment out of P2 is entered and approved the same way.
		pay, err := s.ProposePayment(ctx, ruralP, funds.Payment{Key: "p1", Project: "P2", To: "ent:road", Amount: yuan("50,000")})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ins.Decide(ctx, financeP, pay.ID, approve("ok")); err != nil || got.State != instruct.Posted {
			t.Fatalf("payment: %+v %v", got, err)
		}
		if bals, _ := l.Balances(ctx, county, "ent:road"); len(bals) != 1 || bals[0].Amount != yuan("50,000") {
			t.Errorf("the contractor holds %+v", bals)
		}
		if rep, err := ledger.Verify(ctx, db); err != nil || len(rep.Problems) > 0 {
			t.Errorf("verify: %v %v", err, rep.Problems)
		}
	})
}

// BenchmarkApprovedPayment is a payment entered by one person and approved
// by another: each op enters and approves one (it posts at approval). It
// reports the approval's p50 and p99.
func BenchmarkApprovedPayment(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(d.String(), func(b *testing.B) { benchApprovedPayment(b, storetest.MustOpen(b, d)) })
	}
}

func benchApprovedPayment(b *testing.B, db *store.DB) {
	{
		s, ins, _ := twoPeople(b, db)
		in, err := s.ProposeAllocation(ctx, ruralP, funds.Allocation{Key: "bench", Project: "P1", Amount: yuan("500,000")})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ins.Decide(ctx, financeP, in.ID, approve("")); err != nil {
			b.Fatal(err)
		}
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			pay, err := s.ProposePayment(ctx, ruralP, funds.Payment{Key: fmt.Sprint("bp", i), Project: "P1", To: "ent:road", Amount: 1})
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			if _, err := ins.Decide(ctx, financeP, pay.ID, approve("")); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		b.StopTimer()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		if len(lat) > 0 {
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		}
	}
}

// TestCorrectionOfAWrongArrival: an arrival recorded twice by mistake is
// reversed through the funds capability with two people: nothing moves at
// entry; at approval the ledger reverses it and the year's arrivals no
// longer count it; a second correction of it is refused.
func TestCorrectionOfAWrongArrival(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, ins, l := twoPeople(t, db)
		wrong, err := s.Arrive(ctx, "fin", county, []funds.Movement{{Key: "dup", Channel: "ZX", Amount: yuan("200,000"), Day: day("2026-03-01"), DocNo: "重复录入"}})
		if err != nil {
			t.Fatal(err)
		}
		rep, _ := s.YearReport(ctx, county, 2026)
		if rep.Total.Arrived != yuan("1,200,000") {
			t.Fatalf("arrived with the mistake: %s", rep.Total.Arrived)
		}
		if _, err := s.ProposeCorrection(ctx, ruralP, wrong[0].ID, "c1", ""); errs.CodeOf(err) != "opinion_required" {
			t.Errorf("a correction without a reason: %v", err)
		}
		in, err := s.ProposeCorrection(ctx, ruralP, wrong[0].ID, "c1", "同一到账重复录入")
		if err != nil {
			t.Fatal(err)
		}
		if by, _ := l.ReversedBy(ctx, county, wrong[0].ID); by != 0 {
			t.Fatal("a correction entered by one person posted")
		}
		got, err := ins.Decide(ctx, financeP, in.ID, approve("核实为重复录入"))
		if err != nil || got.State != instruct.Posted || len(got.Result) != 1 {
			t.Fatalf("approve the correction: %+v %v", got, err)
		}
		if by, _ := l.ReversedBy(ctx, county, wrong[0].ID); by != got.Result[0] {
			t.Errorf("the ledger's reversal: %d, want %d", by, got.Result[0])
		}
		if rep, _ := s.YearReport(ctx, county, 2026); rep.Total.Arrived != yuan("1,000,000") {
			t.Errorf("arrived after the correction: %s", rep.Total.Arrived)
		}
		if _, err := s.ProposeCorrection(ctx, ruralP, wrong[0].ID, "c2", "again"); errs.CodeOf(err) != "already_reversed" {
			t.Errorf("correcting twice: %v", err)
		}
		// A payment is not the funds' to correct this way.
		pay, _ := l.Post(ctx, "t", county, []ledger.TransferRequest{{Key: "p", Kind: "payment", From: funds.PoolCode, To: "ent:road", Legs: []ledger.Leg{{Channel: "ZX", Amount: 1}}}})
		if _, err := s.ProposeCorrection(ctx, ruralP, pay[0].ID, "c3", "x"); errs.CodeOf(err) != "capability_kind" {
			t.Errorf("correcting a payment through funds: %v", err)
		}
	})
}
