package demo

import (
	"context"
	"fmt"
	"time"

	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/entities"
	"onepool/internal/funds"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/projects"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// demoAssets fills the asset register of county 990101 (issue 14), each
// asset once (by its number, so a second run changes nothing):
//
//   - ZC0001 桃园村扶贫车间: the tea workshop project 2026-002 built at 桃园村,
//     accepted, operating, confirmed to 桃园村股份经济合作社 and handed over;
//   - ZC0002 上坝村产业路: the road of project 2026-001 (public welfare), its
//     keeper, an inspection plan now overdue, an inspection and a repair
//     whose cost is a payment instruction waiting for the finance bureau;
//   - ZC0003 到户能繁母牛: five head of cattle the household awards of
//     2026-004 bought, confirmed to household 990101001001-01;
//   - ZC0004 桃园村闲置村小: the old village school, imported as formed
//     before onepool with its known channels, idle, confirmed to 桃园村.
//
// The projects are taken through the lifecycle to accepted as people
// would (projects.Advance: construction and completion by the bureau,
// acceptance by the sector department); no ledger row is made up.
func demoAssets(ctx context.Context, l *ledger.Ledger, reg *registry.Service, keys *registry.Keys, wf *workflow.Engine, counties *policy.Counties,
	fs *funds.Service, ps *projects.Service) error {
	db := l.DB()
	s := assets.New(db, l, entities.New(db, l, reg, keys, nil), nil)
	// The demo's handover leaves its project accepted (no handOver): the
	// demo's allocations are replayed on every run and a project past
	// accepted receives no money.
	s.UseServices(wf, counties, fs, volume.New(db, nil), nil)
	rural, sector := principal("demo.rural"), principal("demo.sector")
	accept := func(code string) error {
		p, err := ps.Get(ctx, County, code)
		if err != nil {
			return err
		}
		for _, st := range []struct {
			from, to string
			who      auth.Principal
		}{{funds.StatusApproved, projects.Construction, rural}, {funds.StatusFunded, projects.Construction, rural}, {projects.Construction, projects.Completed, rural},
			{projects.Completed, projects.Accepted, sector}} {
			if p.Status != st.from {
				continue
			}
			if p, err = ps.Advance(ctx, st.who, code, st.to, "演示：按项目全周期推进"); err != nil {
				return fmt.Errorf("demo assets: %s → %s: %w", code, st.to, err)
			}
		}
		return nil
	}
	have := func(code string) bool { _, err := s.ByCode(ctx, rural, code); return err == nil }
	now := time.Now().In(clock.Zone)

	if !have("ZC0001") {
		if err := accept("2026-002"); err != nil {
			return err
		}
		a, err := s.Register(ctx, rural, assets.NewAsset{Code: "ZC0001", Project: "2026-002", Name: "桃园村扶贫车间（茶叶初加工厂）", Type: assets.Operating, Category: "workshop",
			Place: "990101001002", Location: "桃园村一组茶园路口", Quantity: 1_200_000, Unit: "平方米", Value: y("950,000")})
		if err != nil {
			return fmt.Errorf("demo asset ZC0001: %w", err)
		}
		if _, err := s.Confirm(ctx, rural, a.ID, assets.Confirmation{Doc: "青资确〔2026〕1号（演示）"}); err != nil {
			return fmt.Errorf("demo asset ZC0001 确权: %w", err)
		}
		if _, err := s.SetKeeper(ctx, rural, a.ID, assets.Keeper{Unit: "桃园村股份经济合作社（演示）", Person: "黄永贵"}); err != nil {
			return err
		}
		if _, err := s.RecordHandover(ctx, rural, a.ID, assets.Handover{From: "青禾县农业农村局（项目实施单位）", To: "桃园村股份经济合作社（演示）", Day: clock.Day(now),
			DocNo: "青农移〔2026〕3号（演示）", Note: "厂房及设备一并移交"}, nil); err != nil {
			return fmt.Errorf("demo asset ZC0001 移交: %w", err)
		}
	}
	if !have("ZC0002") {
		if err := accept("2026-001"); err != nil {
			return err
		}
		a, err := s.Register(ctx, rural, assets.NewAsset{Code: "ZC0002", Project: "2026-001", Name: "上坝村产业路", Type: assets.PublicWelfare, Category: "road",
			Place: "990101001001", Location: "上坝村村委会至茶园基地", Quantity: 3_200, Unit: "公里", Value: y("2,700,000")})
		if err != nil {
			return fmt.Errorf("demo asset ZC0002: %w", err)
		}
		if _, err := s.SetKeeper(ctx, rural, a.ID, assets.Keeper{Unit: "上坝村村民委员会（演示）", Person: "周勇"}); err != nil {
			return err
		}
		// Inspections every three months; the last one was five months
		// ago, so the next is two months late (the desk shows it).
		if _, err := s.SetPlan(ctx, rural, a.ID, 3, clock.Day(now.AddDate(0, -2, 0))); err != nil {
			return err
		}
		if _, err := s.AddUpkeep(ctx, rural, a.ID, assets.Upkeep{Kind: assets.Inspection, Day: clock.Day(now.AddDate(0, -5, 0)), Note: "路面完好，边沟有淤积，已组织清理"}, nil); err != nil {
			return fmt.Errorf("demo upkeep: %w", err)
		}
		if _, err := s.AddUpkeep(ctx, rural, a.ID, assets.Upkeep{Kind: assets.Repair, Day: clock.Day(now.AddDate(0, -4, 0)), Cost: y("32,000"), PayTo: "ent:luqiao",
			Note: "K1+200 处路面塌陷修复"}, nil); err != nil {
			return fmt.Errorf("demo repair: %w", err)
		}
	}
	if !have("ZC0003") {
		if err := accept("2026-004"); err != nil {
			return err
		}
		a, err := s.Register(ctx, rural, assets.NewAsset{Code: "ZC0003", Project: "2026-004", Name: "到户能繁母牛", Type: assets.Household, Category: "livestock",
			Place: "990101001001", Location: "上坝村一组", Quantity: 5_000, Unit: "头", Value: y("8,000")})
		if err != nil {
			return fmt.Errorf("demo asset ZC0003: %w", err)
		}
		if _, err := s.Confirm(ctx, rural, a.ID, assets.Confirmation{Owner: "990101001001-01", Doc: "上坝村到户资产确权〔2026〕1号（演示）"}); err != nil {
			return fmt.Errorf("demo asset ZC0003 确权: %w", err)
		}
	}
	if !have("ZC0004") {
		var id int64
		err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			var err error
			id, err = s.RegisterImportTx(ctx, tx, rural, assets.NewAsset{Code: "ZC0004", Name: "桃园村闲置村小", Type: assets.Operating, Category: "building",
				Place: place.Code("990101001002"), Location: "桃园村老村委旁", Quantity: 1_000, Unit: "座", Value: y("300,000")},
				[]ledger.Leg{{Channel: "SJ", Amount: y("100,000")}, {Channel: "ZX", Amount: y("200,000")}}, "2009-09-01", assets.Idle)
			return err
		})
		if err != nil {
			return fmt.Errorf("demo asset ZC0004: %w", err)
		}
		if _, err := s.Confirm(ctx, rural, id, assets.Confirmation{Doc: "青资确〔2026〕2号（演示）"}); err != nil {
			return fmt.Errorf("demo asset ZC0004 确权: %w", err)
		}
	}
	return nil
}
