package policy_test

import (
	"strings"
	"testing"

	"onepool/internal/errs"
	"onepool/internal/policy"
)

// TestAssetIncomeRule: the seed profiles distribute by the default rule
// (40% households unable to work, 10% public-welfare jobs, 50% the
// collective; the banned uses; six idle months); a county's [assets]
// section replaces it, and shares that do not add up to 100% are refused
// naming the sum.
func TestAssetIncomeRule(t *testing.T) {
	for _, id := range []string{"pingli", "nan"} {
		p, err := policy.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		r := p.AssetIncomeRules()
		if sum, ok := policy.SharesSum(r.IncomeShares); !ok || len(r.IncomeShares) != 3 || r.IncomeShares[0].Percent != 4000 || r.IdleMonths != 6 {
			t.Fatalf("%s: %+v (sum %s)", id, r, sum)
		}
		if r.BannedUse("发放村干部补贴") == "" || r.BannedUse("村委会运转经费") == "" || r.BannedUse("弥补亏损") == "" || r.BannedUse("购置设备") != "" {
			t.Fatalf("%s: banned uses %v", id, r.BannedUses)
		}
	}
	own := `[assets]
income_shares = [
  { key = "households", name = "脱贫户", percent = "60%", to = "households" },
  { key = "reserve", name = "风险储备", percent = "40%", to = "collective" },
]
idle_months = 12
`
	p, err := policy.Resolve("pingli", own)
	if err != nil {
		t.Fatal(err)
	}
	if r := p.AssetIncomeRules(); len(r.IncomeShares) != 2 || r.IncomeShares[1].Key != "reserve" || r.IdleMonths != 12 || len(r.BannedUses) != 4 {
		t.Fatalf("overridden: %+v", r)
	}
	bad := strings.Replace(own, "40%", "30%", 1)
	if _, err := policy.Resolve("pingli", bad); errs.CodeOf(err) != "invalid_profile" || !strings.Contains(err.Error(), "add up to 90%") {
		t.Fatalf("shares of 90%%: %v", err)
	}
	if _, err := policy.Resolve("pingli", strings.Replace(own, `to = "collective"`, `to = "cadres"`, 1)); errs.CodeOf(err) != "invalid_profile" {
		t.Fatalf("a share to cadres: %v", err)
	}
}
