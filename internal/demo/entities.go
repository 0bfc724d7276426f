package demo

import (
	"context"
	"fmt"

	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/registry"
)

// The demo's business entities (经营主体): the tea cooperative and the
// village collective of 桃园村, whose ledger accounts the projects
// already paid, and a county leading enterprise, whose account opens with
// it; with a few households of 上坝村 they drive.
var demoEntities = []entities.Entity{
	{USCC: "93990101MA6CHAYE1H", Kind: entities.Cooperative, Name: "桃园茶叶专业合作社（演示）", Place: "990101001002", Account: "ent:chaye", LegalRep: "杨文清",
		Bank: entities.Bank{Holder: "桃园茶叶专业合作社（演示）", Bank: "青禾农商银行（演示）", Number: "330100201900112233"}},
	{USCC: "N2990101MA6TAYUANH", Kind: entities.Collective, Name: "桃园村股份经济合作社（演示）", Place: "990101001002", Account: "col:taoyuan", LegalRep: "黄永贵",
		Bank: entities.Bank{Holder: "桃园村股份经济合作社（演示）", Bank: "青禾农商银行（演示）", Number: "330100201900445566"}},
	{USCC: "91990101MA6LUYUAN6", Kind: entities.Leading, Name: "青禾县绿源农业科技有限公司（演示）", Place: "990101000000", LegalRep: "周建华",
		Bank: entities.Bank{Holder: "青禾县绿源农业科技有限公司（演示）", Bank: "青禾农商银行（演示）", Number: "330100201900778899"}},
}

type demoLink struct {
	entity, household, kind, since string
	income                         string // yuan in the last year; "" none
}

var demoLinks = []demoLink{
	{"93990101MA6CHAYE1H", "990101001001-01", entities.Employment, "2024-03-01", "1,800"},
	{"93990101MA6CHAYE1H", "990101001001-02", entities.Order, "2024-04-15", "1,200"},
	{"93990101MA6CHAYE1H", "990101001001-03", entities.LandTransfer, "2023-11-01", "950"}, // below the 1,000 yuan threshold
	{"N2990101MA6TAYUANH", "990101001001-01", entities.Equity, "2025-01-01", "600"},
	{"N2990101MA6TAYUANH", "990101001001-04", entities.Equity, "2025-01-01", "600"},
	{"91990101MA6LUYUAN6", "990101001001-05", entities.Trusteeship, "2024-06-01", "1,300"},
}

// demoEffectsThisYear are the tea cooperative's households' income
// effects of the demo's own year (the links give last year's), one below
// the threshold, so that the linkage report has two years to show.
var demoEffectsThisYear = []struct{ household, income string }{
	{"990101001001-01", "2,000"}, {"990101001001-02", "1,300"}, {"990101001001-03", "800"},
}

// demoEntitiesRun registers them (again: a replay changes nothing).
func demoEntitiesRun(ctx context.Context, l *ledger.Ledger, reg *registry.Service, keys *registry.Keys, year int) error {
	s := entities.New(l.DB(), l, reg, keys, nil)
	rural := principal("demo.rural")
	for _, e := range demoEntities {
		e.County = County
		if _, _, err := s.Create(ctx, rural, e); err != nil {
			return fmt.Errorf("demo entity %s: %w", e.Name, err)
		}
	}
	for _, k := range demoLinks {
		var eff *entities.Effect
		if k.income != "" {
			eff = &entities.Effect{Year: year - 1, Income: y(k.income)}
		}
		if _, err := s.AddLink(ctx, rural, k.entity, entities.Link{Household: k.household, Type: k.kind, Since: k.since}, eff); err != nil && errs.CodeOf(err) != "link_exists" {
			return fmt.Errorf("demo entity link %s: %w", k.household, err)
		}
	}
	for _, ef := range demoEffectsThisYear {
		if err := s.SetEffect(ctx, rural, demoEntities[0].USCC, entities.Effect{Household: ef.household, Year: year, Income: y(ef.income)}); err != nil {
			return fmt.Errorf("demo income effect %s: %w", ef.household, err)
		}
	}
	return nil
}
