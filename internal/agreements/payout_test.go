package agreements_test

import (
	"fmt"
	"strings"
	"testing"

	"onepool/internal/agreements"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

// accepted takes a direct subsidy of h through its life to its accepted
// result: drafted by the village, negotiated, reviewed, signed, active,
// accepted by another person.
func accepted(t *testing.T, e env, h string, amount money.Fen) agreements.Agreement {
	t.Helper()
	a, err := e.s.Create(ctx, village, subsidy(h, amount))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Negotiate(ctx, village, a.ID, "民生监督员 张明", ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range []auth.Principal{township, rural} {
		if _, err := e.s.Decide(ctx, p, a.ID, workflow.Decision{Action: workflow.Approve}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.Activate(ctx, township, a.ID); err != nil {
		t.Fatal(err)
	}
	if a, err = e.s.Accept(ctx, town1b, a.ID, "验收合格"); err != nil || a.PayStatus != agreements.PayWaiting {
		t.Fatalf("accept: %+v %v", a, err)
	}
	return a
}

// TestSubsidyPaidThroughPayout: an accepted direct subsidy is paid to
// the household's card through the shared payout mechanism, from the
// subsidy money a project paid in, its legs carrying the project's
// channels; a failed line goes back and is paid once after the card is
// corrected; the cap then counts what the ledger paid.
func TestSubsidyPaidThroughPayout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		keys, err := registry.NewKeys([]byte("agreements-test-key-0123456789ab"))
		if err != nil {
			t.Fatal(err)
		}
		l := ledger.New(db, nil)
		reg := registry.New(db, keys, nil)
		pay := payout.New(db, l, nil)
		e.s.UsePayout(pay, l, reg)
		h := "990101001001-07"
		card := func(number string) {
			if _, _, err := reg.Save(ctx, rural, registry.Household{County: county, Code: h, Village: "990101001001", Head: "李春生",
				Members: []registry.Member{{Name: "李春生", ResidentID: residentID(107), Relation: "户主", Alive: true}},
				Card:    registry.Card{Holder: "李春生", Bank: "农商行", Number: number}}); err != nil {
				t.Fatal(err)
			}
		}
		card("6222000011112222")
		a := accepted(t, e, h, 15_000_00)
		county := who("fin", auth.RoleFinance, "990101000000")
		if _, err := pay.Send(ctx, village, agreements.PayoutKind); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a village cadre pays: %v", err)
		}
		// No subsidy money yet: refused, nothing written.
		if _, err := pay.Send(ctx, county, agreements.PayoutKind); errs.KindOf(err) != errs.InsufficientFunds {
			t.Fatalf("nothing in the subsidy money: %v", err)
		}
		// A project pays the subsidy money in (its channels kept).
		if _, err := l.Post(ctx, "t", county.County, []ledger.TransferRequest{
			{Key: "in2", Kind: "arrival", From: "treasury", To: "prj:P1", Legs: []ledger.Leg{{Channel: "SJ", Amount: 10_000_00}, {Channel: "ZX", Amount: 10_000_00}}},
			{Key: "pay2", Kind: "payment", From: "prj:P1", To: agreements.SubsidyFund, Legs: []ledger.Leg{{Channel: "SJ", Amount: 10_000_00}, {Channel: "ZX", Amount: 10_000_00}}},
		}); err != nil {
			t.Fatal(err)
		}
		b, err := pay.Send(ctx, county, agreements.PayoutKind)
		if err != nil || b.Lines != 1 || b.Total != 15_000_00 {
			t.Fatalf("send: %+v %v", b, err)
		}
		if _, err := pay.Send(ctx, county, agreements.PayoutKind); errs.CodeOf(err) != "nothing_to_pay" {
			t.Fatalf("sent twice: %v", err)
		}
		// The bank refuses it: back to the subsidy money; held until the card changes.
		if _, err := pay.ImportReturn(ctx, county, agreements.PayoutKind, strings.NewReader(fmt.Sprintf("批次,序号,结果,原因\n%d,1,账户无效,卡号错误\n", b.ID))); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.s.Get(ctx, rural, a.ID); got.PayStatus != agreements.PayFailed {
			t.Fatalf("after the refusal: %s", got.PayStatus)
		}
		if _, err := pay.Send(ctx, county, agreements.PayoutKind); errs.CodeOf(err) != "card_not_corrected" {
			t.Fatalf("retry before the card is corrected: %v", err)
		}
		card("6222000033334444")
		b2, err := pay.Send(ctx, county, agreements.PayoutKind)
		if err != nil || b2.Lines != 1 {
			t.Fatalf("retry: %+v %v", b2, err)
		}
		ret := fmt.Sprintf("批次,序号,结果,原因\n%d,1,成功,\n", b2.ID)
		for range 2 { // a file imported twice pays once
			if _, err := pay.ImportReturn(ctx, county, agreements.PayoutKind, strings.NewReader(ret)); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := e.s.Get(ctx, rural, a.ID)
		if got.PayStatus != agreements.PayPaid || got.PayAttempts != 2 {
			t.Fatalf("paid: %s after %d attempts", got.PayStatus, got.PayAttempts)
		}
		// The household's card holds the subsidy once, on the project's
		// channels (channel-code order: SJ first).
		bals, err := l.Balances(ctx, county.County, agreements.HouseholdAccount(h))
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]money.Fen{}
		for _, b := range bals {
			have[b.Channel] = b.Amount
		}
		if have["SJ"] != 10_000_00 || have["ZX"] != 5_000_00 {
			t.Fatalf("the household's legs: %v", have)
		}
		lines, err := e.s.PayLines(ctx, rural, got)
		if err != nil || len(lines) != 2 || lines[0].Code != payout.AccountInvalid || lines[1].Status != payout.Paid {
			t.Fatalf("lines: %+v %v", lines, err)
		}
		// The cap counts what the ledger paid: 15,000 paid + 5,000.01 is past 20,000.
		if _, err := e.s.Create(ctx, village, subsidy(h, 5_000_01)); errs.CodeOf(err) != "subsidy_cap" {
			t.Fatalf("past the cap after payment: %v", err)
		}
		// Terminating a paid subsidy does not free what the ledger paid.
		if _, err := e.s.Terminate(ctx, township, a.ID, "项目中止"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Create(ctx, village, subsidy(h, 5_000_01)); errs.CodeOf(err) != "subsidy_cap" {
			t.Fatalf("past the cap after termination of a paid subsidy: %v", err)
		}
		if _, err := e.s.Create(ctx, village, subsidy(h, 5_000_00)); err != nil {
			t.Fatalf("up to the cap: %v", err)
		}
		_ = place.Code("")
	})
}
