package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"onepool/internal/agreements"
	"onepool/internal/entities"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/payout"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/workflow"
)

// demoDividends puts dividend runs in the demo (issue 13): the tea
// cooperative's guaranteed dividend has year 1's payment in and its run
// paid to its households' cards; 桃园村 collective's equity agreement has
// year 1's returns declared, paid in and its run approved, waiting for
// its payout batch. Run again, it changes nothing.
func demoDividends(ctx context.Context, l *ledger.Ledger, reg *registry.Service, keys *registry.Keys, wf *workflow.Engine, counties *policy.Counties, ins *instruct.Service) error {
	var n int
	if err := l.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM ag_div_runs WHERE county = ?`, County).Scan(&n); err != nil {
		return fmt.Errorf("demo dividends: %w", err)
	}
	if n > 0 {
		return nil
	}
	s := agreements.New(l.DB(), entities.New(l.DB(), l, reg, keys, nil), wf, counties, nil)
	pay := payout.New(l.DB(), l, nil)
	s.UsePayout(pay, l, reg)
	pay.UseInstructions(ins)
	s.UseInstructions(ins, l)
	fin, fin2, town := principal("demo.finance"), principal("demo.finance2"), principal("demo.township")
	as, _, err := s.List(ctx, principal("demo.rural"), agreements.Filter{Kind: agreements.Entity, Limit: 100})
	if err != nil {
		return fmt.Errorf("demo dividends: %w", err)
	}
	slices.SortFunc(as, func(x, y agreements.Agreement) int { return int(x.ID - y.ID) }) // the guaranteed one's batch first
	for _, a := range as {
		if a.State != agreements.Active {
			continue
		}
		if a.Form == agreements.Equity {
			if _, err := s.Declare(ctx, town, a.ID, 1, y("50,000"), "桃园村股份经济合作社 第1年收益公示（演示）"); err != nil {
				return fmt.Errorf("demo dividend declared: %w", err)
			}
		}
		ps, err := s.Periods(ctx, fin, a)
		if err != nil || len(ps) == 0 {
			return fmt.Errorf("demo dividend periods: %v", err)
		}
		if _, err := s.RecordPayment(ctx, fin, agreements.PaymentIn{Key: fmt.Sprintf("demo:div-in:%d:1", a.ID), Agreement: a.ID, Period: 1, Amount: ps[0].Owed,
			DocNo: fmt.Sprintf("农商行进账单 第%d号（演示）", 100+a.ID), PaidOn: ps[0].To}); err != nil {
			return fmt.Errorf("demo dividend paid in: %w", err)
		}
		in, err := s.ProposeRun(ctx, fin, a.ID, 1, fmt.Sprintf("demo:div-run:%d:1", a.ID))
		if err != nil {
			return fmt.Errorf("demo dividend run: %w", err)
		}
		if _, err := ins.Decide(ctx, fin2, in.ID, workflow.Decision{Action: workflow.Approve, Opinion: "分红明细核对无误（演示）"}); err != nil {
			return fmt.Errorf("demo dividend run approved: %w", err)
		}
		if a.Form != agreements.Guaranteed {
			continue
		}
		b, err := pay.Send(ctx, fin, agreements.DividendKind)
		if err != nil {
			return fmt.Errorf("demo dividend batch: %w", err)
		}
		var ret strings.Builder
		ret.WriteString("批次,序号,结果,原因\n")
		for i := 1; i <= b.Lines; i++ {
			fmt.Fprintf(&ret, "%d,%d,成功,\n", b.ID, i)
		}
		if _, err := pay.ImportReturn(ctx, fin, agreements.DividendKind, strings.NewReader(ret.String())); err != nil {
			return fmt.Errorf("demo dividend return: %w", err)
		}
	}
	return nil
}
