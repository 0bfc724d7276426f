package policy

import (
	"fmt"
	"strings"
)

// AssetShare is one share of an asset's income in the distribution rule
// (收益分配): a key, its name, its percentage, and whether it is paid to
// named households (through the payout mechanism) or to the village
// collective's account.
type AssetShare struct {
	Key     string  `json:"key"`
	Name    string  `json:"name"`
	Percent Percent `json:"percent"`
	To      string  `json:"to"` // households or collective
}

// The payees of an asset share.
const (
	ShareToHouseholds = "households"
	ShareToCollective = "collective"
)

// AssetIncome is the profile's [assets] rule for the income of operating
// project assets (seeds 000 Pingli "保值增值、长期见益" and 003 Nan "不损害
// 村集体利益、不损害农民利益"): the shares the income of a period is split
// into (summing to exactly 100%), the uses that are banned, and how many
// months without income make an operating asset an idle-asset lead.
type AssetIncome struct {
	IncomeShares []AssetShare `json:"income_shares"`
	BannedUses   []string     `json:"banned_uses"`
	IdleMonths   int          `json:"idle_months"`
}

// DefaultAssetIncome is the rule of a profile whose [assets] section does
// not state it: 40% to households unable to work, 10% to public-welfare
// jobs, 50% to the collective's reinvestment; the banned uses of the
// national rule (the village committee's running costs, cadres'
// allowances and subsidies, covering losses); six months idle.
func DefaultAssetIncome() AssetIncome {
	return AssetIncome{
		IncomeShares: []AssetShare{
			{Key: "households", Name: "无劳动能力脱贫户", Percent: 4000, To: ShareToHouseholds},
			{Key: "jobs", Name: "公益性岗位", Percent: 1000, To: ShareToCollective},
			{Key: "reinvest", Name: "村集体再投入", Percent: 5000, To: ShareToCollective},
		},
		BannedUses: []string{"村委会运转经费", "干部补贴", "津贴", "弥补亏损"},
		IdleMonths: 6,
	}
}

// AssetIncomeRules is the profile's rule, each part the default where the
// profile does not state it.
func (p Profile) AssetIncomeRules() AssetIncome {
	a, d := p.AssetIncome, DefaultAssetIncome()
	if len(a.IncomeShares) == 0 {
		a.IncomeShares = d.IncomeShares
	}
	if len(a.BannedUses) == 0 {
		a.BannedUses = d.BannedUses
	}
	if a.IdleMonths == 0 {
		a.IdleMonths = d.IdleMonths
	}
	return a
}

// SharesSum checks that shares add up to exactly 100% and returns their sum.
func SharesSum(shares []AssetShare) (Percent, bool) {
	var sum Percent
	for _, s := range shares {
		sum += s.Percent
	}
	return sum, sum == 10000
}

// BannedUse returns the banned use a use names (case-insensitive
// containment), or "".
func (a AssetIncome) BannedUse(use string) string {
	u := strings.ToLower(strings.TrimSpace(use))
	for _, b := range a.BannedUses {
		if b != "" && strings.Contains(u, strings.ToLower(b)) {
			return b
		}
	}
	return ""
}

// assetIncome converts the raw [assets] income keys.
func (r rawProfile) assetIncome() (AssetIncome, error) {
	var out AssetIncome
	ra := r.Assets
	seen := map[string]bool{}
	for i, s := range ra.IncomeShares {
		key := fmt.Sprintf("assets.income_shares[%d]", i)
		k := strings.TrimSpace(s.Key)
		if !idRe.MatchString(k) || seen[k] {
			return AssetIncome{}, invalid("%s.key: %q must be a distinct key of lower-case letters", key, s.Key)
		}
		seen[k] = true
		if strings.TrimSpace(s.Name) == "" {
			return AssetIncome{}, invalid("%s.name: must not be empty", key)
		}
		pc, ok := parsePercent(s.Percent)
		if !ok || pc <= 0 {
			return AssetIncome{}, invalid("%s.percent: %q is not a percentage like \"40%%\"", key, s.Percent)
		}
		if s.To != ShareToHouseholds && s.To != ShareToCollective {
			return AssetIncome{}, invalid("%s.to: %q must be households or collective", key, s.To)
		}
		out.IncomeShares = append(out.IncomeShares, AssetShare{Key: k, Name: strings.TrimSpace(s.Name), Percent: pc, To: s.To})
	}
	if len(out.IncomeShares) > 0 {
		if sum, ok := SharesSum(out.IncomeShares); !ok {
			return AssetIncome{}, invalid("assets.income_shares: the shares add up to %s, not 100%%", sum)
		}
	}
	for i, b := range ra.BannedUses {
		if strings.TrimSpace(b) == "" {
			return AssetIncome{}, invalid("assets.banned_uses[%d]: must not be empty", i)
		}
		out.BannedUses = append(out.BannedUses, strings.TrimSpace(b))
	}
	if ra.IdleMonths < 0 || ra.IdleMonths > 120 {
		return AssetIncome{}, invalid("assets.idle_months: must be 1 to 120 months, got %d", ra.IdleMonths)
	}
	out.IdleMonths = ra.IdleMonths
	return out, nil
}
