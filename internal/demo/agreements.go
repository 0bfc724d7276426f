package demo

import (
	"context"
	"fmt"
	"strings"

	"onepool/internal/agreements"
	"onepool/internal/auth"
	"onepool/internal/entities"
	"onepool/internal/funds"
	"onepool/internal/ledger"
	"onepool/internal/payout"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/workflow"
)

// demoAgreements puts the benefit agreements in the demo (issue 13): the
// tea cooperative's guaranteed dividend (5%, 6%, 7% of the 950,000 project
// 2026-002 paid it, active), 桃园村's collective's equity agreement with
// quantified shares (active), and two direct subsidies of 上坝村's
// households, both accepted: one paid to the household's card through the
// payout mechanism (funded by project 2026-004's payment into the subsidy
// money), one waiting for its payout batch. Run again, it changes nothing.
func demoAgreements(ctx context.Context, l *ledger.Ledger, reg *registry.Service, keys *registry.Keys, wf *workflow.Engine, counties *policy.Counties, fs *funds.Service) error {
	var n int
	if err := l.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM ag_agreements WHERE county = ?`, County).Scan(&n); err != nil {
		return fmt.Errorf("demo agreements: %w", err)
	}
	if n > 0 {
		return nil
	}
	ents := entities.New(l.DB(), l, reg, keys, nil)
	s := agreements.New(l.DB(), ents, wf, counties, nil)
	pay := payout.New(l.DB(), l, nil)
	s.UsePayout(pay, l, reg)
	rural, rural2, town := principal("demo.rural"), principal("demo.rural2"), principal("demo.township")
	cadre, cadre2 := principal("demo.village"), principal("demo.village2")
	approve := workflow.Decision{Action: workflow.Approve, Opinion: "条款符合政策，同意（演示）"}
	// through takes a drafted agreement to active: negotiated by its
	// drafter, reviewed by the township, signed by the rural bureau.
	through := func(a agreements.Agreement, drafter, signer auth.Principal) error {
		if _, err := s.Negotiate(ctx, drafter, a.ID, "民生监督员 罗德明（演示）；群众代表 田秀兰（演示）", "三方协商一致（演示）"); err != nil {
			return err
		}
		for _, p := range []auth.Principal{town, signer} {
			if _, err := s.Decide(ctx, p, a.ID, approve); err != nil {
				return err
			}
		}
		_, err := s.Activate(ctx, town, a.ID)
		return err
	}
	made := []agreements.Agreement{
		{Kind: agreements.Entity, Form: agreements.Guaranteed, Township: "990101001000", Entity: "93990101MA6CHAYE1H", Project: "2026-002",
			Start: "2026-01-01", TermYears: 3, Rates: []policy.Percent{500, 600, 700}, CollateralKind: agreements.CollateralMoney, Collateral: y("1,000,000"),
			Parties: []agreements.Party{{Household: "990101001001-01"}, {Household: "990101001001-02"}, {Household: "990101001001-03"}}},
		{Kind: agreements.Entity, Form: agreements.Equity, Township: "990101001000", Entity: "N2990101MA6TAYUANH", Project: "2026-002",
			Start: "2026-01-01", TermYears: 5, HouseholdsShare: 8000, Manager: "县农业农村局派驻 何平（演示）",
			Parties: []agreements.Party{{Household: "990101001001-01", Shares: 60}, {Household: "990101001001-04", Shares: 40}}},
	}
	for _, a := range made {
		got, err := s.Create(ctx, rural, a)
		if err != nil {
			return fmt.Errorf("demo agreement (%s): %w", a.Form, err)
		}
		if err := through(got, rural, rural2); err != nil {
			return fmt.Errorf("demo agreement %d: %w", got.ID, err)
		}
	}
	subs := []struct {
		household, purpose, amount string
	}{{"990101001001-03", "发展林下养鸡 300 羽（演示）", "8,000"}, {"990101001001-05", "购置茶叶加工小型设备（演示）", "5,000"}}
	for _, sb := range subs {
		a, err := s.Create(ctx, cadre, agreements.Agreement{Kind: agreements.Subsidy, Purpose: sb.purpose, Amount: y(sb.amount), Start: "2026-03-01", TermYears: 3,
			Parties: []agreements.Party{{Household: sb.household}}})
		if err != nil {
			return fmt.Errorf("demo subsidy %s: %w", sb.household, err)
		}
		if err := through(a, cadre, rural); err != nil {
			return fmt.Errorf("demo subsidy %d: %w", a.ID, err)
		}
		if _, err := s.Accept(ctx, cadre2, a.ID, "现场验收合格（演示）"); err != nil {
			return fmt.Errorf("demo subsidy %d accepted: %w", a.ID, err)
		}
		if sb.household != subs[0].household {
			continue
		}
		// The first is paid: the subsidy money from project 2026-004, a
		// batch sent, the bank's return paid.
		if err := s.SetupPayout(ctx, County); err != nil {
			return err
		}
		if _, err := fs.Pay(ctx, "demo.finance", County, funds.Payment{Key: "demo:subsidy-fund", Project: "2026-004", To: agreements.SubsidyFund, Amount: y("20,000"),
			DocNo: "青财〔2026〕31号（演示）", Memo: "自主发展直补资金（演示）"}); err != nil {
			return fmt.Errorf("demo subsidy money: %w", err)
		}
		fin := principal("demo.finance")
		b, err := pay.Send(ctx, fin, agreements.PayoutKind)
		if err != nil {
			return fmt.Errorf("demo subsidy batch: %w", err)
		}
		if _, err := pay.ImportReturn(ctx, fin, agreements.PayoutKind, strings.NewReader(fmt.Sprintf("批次,序号,结果,原因\n%d,1,成功,\n", b.ID))); err != nil {
			return fmt.Errorf("demo subsidy return: %w", err)
		}
	}
	return nil
}
