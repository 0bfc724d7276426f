package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onepool/internal/assets"
	"onepool/internal/clock"
	"onepool/internal/entities"
	"onepool/internal/funds"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// demoAssetsMore adds to the register of 990101, each asset once (by its
// number), what the other demo assets do not show:
//
//   - ZC0005 桃园村旧茶叶烘干机: equipment formed before onepool, confirmed to
//     桃园村's collective and scrapped (报废) as the rule wants it: the
//     villagers' congress resolution with its minutes (demo.village3, 桃园村),
//     the township's review, the public notice, the county's approval after
//     it; its salvage proceeds returned to the collective with the
//     machine's channels. It has left the register and kept its history;
//   - ZC0006 桃园村冷链仓库: an operating asset of the collective, confirmed
//     seven months ago and never leased or earning since — the idle-asset
//     lead on the township's and the county's desks.
//
// The steps are taken on the days they would have been (a clock set
// back), through the services, by the people whose steps they are.
func demoAssetsMore(ctx context.Context, l *ledger.Ledger, reg *registry.Service, keys *registry.Keys) error {
	db := l.DB()
	now := time.Now().In(clock.Zone)
	at := now
	clk := func() time.Time { return at }
	pc := policy.NewCounties(db, clk)
	s := assets.New(db, l, entities.New(db, l, reg, keys, nil), clk)
	s.UseServices(workflow.New(db, clk), pc, funds.New(db, l, pc, clk), volume.New(db, clk), nil)
	rural, town, cadre := principal("demo.rural"), principal("demo.township"), principal("demo.village3")
	have := func(code string) bool { _, err := s.ByCode(ctx, rural, code); return err == nil }
	imported := func(n assets.NewAsset, legs []ledger.Leg, built, use, doc string) (int64, error) {
		var id int64
		err := db.Write(ctx, at, func(tx *store.Tx) error {
			var err error
			id, err = s.RegisterImportTx(ctx, tx, rural, n, legs, built, use)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("demo asset %s: %w", n.Code, err)
		}
		if _, err := s.Confirm(ctx, rural, id, assets.Confirmation{Doc: doc}); err != nil {
			return 0, fmt.Errorf("demo asset %s 确权: %w", n.Code, err)
		}
		return id, nil
	}

	if !have("ZC0005") {
		at = now.AddDate(0, 0, -60)
		id, err := imported(assets.NewAsset{Code: "ZC0005", Name: "桃园村旧茶叶烘干机", Type: assets.Operating, Category: "equipment",
			Place: place.Code(demoTaoyuan), Location: "桃园村扶贫车间内", Quantity: 2_000, Unit: "台", Value: y("80,000")},
			[]ledger.Leg{{Channel: "ZX", Amount: y("50,000")}, {Channel: "SJ", Amount: y("30,000")}}, "2012-05-01", assets.Idle, "青资确〔2026〕3号（演示）")
		if err != nil {
			return err
		}
		at = now.AddDate(0, 0, -40)
		d, err := s.RequestDisposal(ctx, cadre, id, assets.DisposalRequest{Kind: "scrap", Reason: "设备老化，电机烧毁，经鉴定已无修复价值",
			Resolution: "桃园村村民代表大会决议〔2026〕2号（演示）", Proceeds: y("3,000"),
			Minutes: &assets.Upload{Name: "村民代表大会会议纪要.txt", Body: strings.NewReader("桃园村村民代表大会会议纪要（演示）：应到代表 31 人，实到 28 人；同意报废旧茶叶烘干机 27 人，残值收入归村集体。")}})
		if err != nil {
			return fmt.Errorf("demo disposal ZC0005: %w", err)
		}
		at = now.AddDate(0, 0, -38)
		if _, err := s.DecideDisposal(ctx, town, d.ID, assets.DisposalDecision{Action: workflow.Approve, Opinion: "决议程序合规，同意报县审批（演示）"}); err != nil {
			return fmt.Errorf("demo disposal ZC0005 乡镇审核: %w", err)
		}
		at = now.AddDate(0, 0, -37)
		if _, err := s.DisposalNotice(ctx, rural, d.ID, clock.Day(at), clock.Day(at.AddDate(0, 0, 9))); err != nil {
			return fmt.Errorf("demo disposal ZC0005 公示: %w", err)
		}
		at = now.AddDate(0, 0, -25)
		if _, err := s.DecideDisposal(ctx, rural, d.ID, assets.DisposalDecision{Action: workflow.Approve, Opinion: "公示无异议，同意报废，残值收入归还村集体（演示）"}); err != nil {
			return fmt.Errorf("demo disposal ZC0005 县级审批: %w", err)
		}
	}
	if !have("ZC0006") {
		at = now.AddDate(0, -7, -3)
		if _, err := imported(assets.NewAsset{Code: "ZC0006", Name: "桃园村冷链仓库", Type: assets.Operating, Category: "building",
			Place: place.Code(demoTaoyuan), Location: "桃园村茶园路 8 号", Quantity: 1_000, Unit: "座", Value: y("420,000")},
			[]ledger.Leg{{Channel: "ZX", Amount: y("300,000")}, {Channel: "XJ", Amount: y("120,000")}}, "2021-10-01", assets.Idle, "青资确〔2026〕4号（演示）"); err != nil {
			return err
		}
	}
	return nil
}
