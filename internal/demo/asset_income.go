package demo

import (
	"context"
	"fmt"
	"time"

	"onepool/internal/assets"
	"onepool/internal/clock"
	"onepool/internal/entities"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/payout"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/workflow"
)

// The demo's asset income (issue 14).
const (
	demoCoopUSCC    = "93990101MA6CHAYE1H" // 桃园茶叶专业合作社
	demoLuyuanUSCC  = "91990101MA6LUYUAN6" // 青禾县绿源农业科技有限公司
	demoTaoyuan     = "990101001002"
	demoTaoyuanHead = 4 // 桃园村's households in the registry
)

// demoAssetIncome puts the money side of the register in the demo, after
// demoAssets: ZC0001 (the workshop) leased to the tea cooperative at
// 60,000 a year, this year's rent recorded on it, the year's distribution
// run by the profile's rule over 桃园村's households entered by the
// township and approved by the finance bureau, its household lines put
// in a payout batch entered by the bureau and approved by the finance
// bureau (the bank's return is left to the user); ZC0004 (the idle
// school) leased from today to 绿源农业 as a tea store. Every step goes through the services and
// is done once: run again, it changes nothing.
func demoAssetIncome(ctx context.Context, l *ledger.Ledger, reg *registry.Service, keys *registry.Keys, wf *workflow.Engine, counties *policy.Counties, ins *instruct.Service) error {
	db := l.DB()
	a := assets.New(db, l, entities.New(db, l, reg, keys, nil), nil)
	s := assets.NewIncome(a, counties, reg, nil)
	pay := payout.New(db, l, nil)
	pay.UseInstructions(ins)
	s.UseInstructions(ins)
	s.UsePayout(pay, reg)
	rural, town, fin, fin2 := principal("demo.rural"), principal("demo.township"), principal("demo.finance"), principal("demo.finance2")
	now := time.Now().In(clock.Zone)
	year := now.Year()
	today := clock.Day(now)
	first := fmt.Sprintf("%d-01-01", year)

	// 桃园村's households, so the run has someone to pay.
	var hh []assets.RunHousehold
	for i, name := range townships[0].villages[1].heads[:demoTaoyuanHead] {
		code := fmt.Sprintf("%s-%02d", demoTaoyuan, i+1)
		hh = append(hh, assets.RunHousehold{Code: code})
		if _, err := reg.Household(ctx, County, code); err == nil {
			continue
		}
		h := registry.Household{County: County, Code: code, Village: demoTaoyuan, Head: name,
			Members: []registry.Member{{Name: name, ResidentID: residentID(fmt.Sprintf("19%02d0%d1%d", 55+i*4, 2+i, i), 300+i), Relation: "户主", Alive: true}},
			Card:    registry.Card{Holder: name, Bank: "青禾农商银行（演示）", Number: cardNumber(2000 + i)}}
		if _, _, err := reg.Save(ctx, rural, h); err != nil {
			return fmt.Errorf("demo asset income households: %w", err)
		}
	}

	leased := func(code, party, starts, doc string, rent string) (assets.Asset, error) {
		as, err := a.ByCode(ctx, rural, code)
		if err != nil {
			return as, fmt.Errorf("demo asset income %s: %w", code, err)
		}
		ls, err := s.Leases(ctx, rural, as.ID)
		if err != nil || len(ls) > 0 {
			return as, err
		}
		if _, err := s.LeaseAsset(ctx, town, as.ID, assets.NewLease{Kind: assets.LeaseRent, Counterparty: party, Starts: starts, Years: 5, Rent: y(rent), Doc: doc}); err != nil {
			return as, fmt.Errorf("demo lease %s: %w", code, err)
		}
		return as, nil
	}
	ws, err := leased("ZC0001", demoCoopUSCC, first, "桃园村扶贫车间租赁合同（演示）", "60,000")
	if err != nil {
		return err
	}
	if _, err := leased("ZC0004", demoLuyuanUSCC, today, "桃园村闲置村小租赁合同（演示，茶叶仓储）", "12,000"); err != nil {
		return err
	}
	// This year's rent (the same document again is a replay).
	if _, err := s.RecordIncome(ctx, town, ws.ID, assets.NewIncomeRecord{Kind: assets.IncomeRent, Amount: y("60,000"), Period: year, ReceivedOn: today,
		DocNo: fmt.Sprintf("农商行进账单 车间租金 %d年（演示）", year)}); err != nil {
		return fmt.Errorf("demo asset rent: %w", err)
	}
	// The year's distribution, entered by one person, approved by another.
	runs, err := s.Runs(ctx, rural, ws.ID)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		_, in, err := s.ProposeRun(ctx, town, ws.ID, assets.NewRun{Period: year, Households: hh, Uses: map[string]string{"reinvest": "购置茶叶加工设备（演示）"},
			Key: fmt.Sprintf("demo:asset-run:ZC0001:%d", year)})
		if err != nil {
			return fmt.Errorf("demo asset run: %w", err)
		}
		if _, err := ins.Decide(ctx, fin, in.ID, workflow.Decision{Action: workflow.Approve, Opinion: "分配方案符合收益分配规则（演示）"}); err != nil {
			return fmt.Errorf("demo asset run approved: %w", err)
		}
		// Its household lines in a payout batch; the bank's return is left pending.
		pin, err := s.ProposePayment(ctx, rural, fmt.Sprintf("demo:asset-pay:ZC0001:%d", year))
		if err != nil {
			return fmt.Errorf("demo asset payout: %w", err)
		}
		if _, err := ins.Decide(ctx, fin2, pin.ID, workflow.Decision{Action: workflow.Approve, Opinion: "代发明细核对无误（演示）"}); err != nil {
			return fmt.Errorf("demo asset payout approved: %w", err)
		}
	}
	return nil
}
