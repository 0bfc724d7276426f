package web

import (
	"onepool/internal/assets"
	"onepool/internal/auth"
)

// idleLeadRow is an idle operating asset on the desk: no income for the
// county's idle months (assets.idle_months).
type idleLeadRow struct {
	assets.IdleLead
	PlaceName string
}

// idleLeads reads the idle assets of the caller's area for the desk
// (nothing for who may not view assets, or without the income service).
func (c *call) idleLeads() ([]idleLeadRow, error) {
	if c.s.d.AssetIncome == nil || c.p.County == "" || !auth.Allowed(c.p.Role, auth.ViewAssets) {
		return nil, nil
	}
	ctx := c.r.Context()
	ls, err := c.s.d.AssetIncome.IdleLeads(ctx, c.p)
	if err != nil {
		return nil, err
	}
	out := make([]idleLeadRow, 0, len(ls))
	for _, l := range ls {
		out = append(out, idleLeadRow{IdleLead: l, PlaceName: c.s.d.Auth.PlaceName(ctx, l.Place)})
	}
	return out, nil
}
