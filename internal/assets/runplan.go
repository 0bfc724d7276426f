package assets

// The computation of a distribution run, shared by the single run of an
// asset (ProposeRun) and the county-wide run (ProposeCountyRun): the
// rule's shares checked and applied, the named households checked, and
// the lines with their legs. One computation: the county run calls the
// same functions per asset with inputs it loads in a few statements.

import (
	"slices"
	"strings"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
)

// applyShares checks the run's shares (the profile's when shares is
// empty): they add up to 100%, none's use is banned (uses by the share's
// key; "" = the share's name), each is paid to households or to the
// collective. It reports whether a share goes to households.
func applyShares(rule policy.AssetIncome, shares []policy.AssetShare, uses map[string]string) ([]RunShare, bool, error) {
	if len(shares) == 0 {
		shares = rule.IncomeShares
	}
	if sum, ok := policy.SharesSum(shares); !ok {
		return nil, false, errs.F(errs.RuleBroken, "shares_not_100", "shares", "the shares of the distribution add up to %s, not 100%%", sum.String())
	}
	applied := make([]RunShare, len(shares))
	hasHouseholds := false
	for i, sh := range shares {
		use := strings.TrimSpace(uses[sh.Key])
		if use == "" {
			use = sh.Name
		}
		if b := rule.BannedUse(use); b != "" {
			return nil, false, errs.F(errs.RuleBroken, "banned_use", "uses."+sh.Key, "the use %q of the share %s is banned by the county's rule (assets.banned_uses: %s)", use, sh.Name, b)
		}
		if sh.To != policy.ShareToHouseholds && sh.To != policy.ShareToCollective {
			return nil, false, errs.F(errs.Invalid, "invalid_share", "shares", "a share is paid to households or to the collective")
		}
		hasHouseholds = hasHouseholds || sh.To == policy.ShareToHouseholds
		applied[i] = RunShare{Key: sh.Key, Name: sh.Name, Percent: sh.Percent, To: sh.To, Use: use}
	}
	return applied, hasHouseholds, nil
}

// planLines splits the period's income into the shares (their Amount set
// in place: money.Split, largest remainder), the households' shares over
// the named households by weight, the collective's shares to the asset's
// owner, and gives every line its legs pro rata of what is left of the
// income's legs, so that per channel and in total the lines sum exactly
// to the income. The lines are numbered 1, 2, … (the caller offsets
// them). The splits are split's (money.Split's parts, without big.Int),
// the lines and their legs allocated once.
func planLines(a Asset, pi PeriodIncome, applied []RunShare, hh []namedHousehold) ([]RunLine, error) {
	ws := make([]int64, max(len(applied), len(hh), len(pi.Legs)))
	parts := make([]money.Fen, len(ws))
	n := 0
	for i, sh := range applied {
		ws[i] = int64(sh.Percent)
		if sh.To == policy.ShareToCollective {
			n++
		} else {
			n += len(hh)
		}
	}
	amts, err := money.SplitInto(pi.Total, ws[:len(applied)], parts)
	if err != nil {
		return nil, errs.Wrap(err, "assets: split")
	}
	for i := range applied {
		applied[i].Amount = amts[i]
	}
	lines := make([]RunLine, 0, n)
	var id int64
	for _, sh := range applied {
		if sh.To == policy.ShareToCollective {
			id++
			lines = append(lines, RunLine{ID: id, Share: sh.Key, PayeeKind: PayeeCollective, Payee: a.Owner, Place: a.Place, Amount: sh.Amount})
			continue
		}
		for i, h := range hh {
			ws[i] = h.Weight
		}
		hp, err := money.SplitInto(sh.Amount, ws[:len(hh)], parts)
		if err != nil {
			return nil, errs.Wrap(err, "assets: split")
		}
		for i, h := range hh {
			id++
			lines = append(lines, RunLine{ID: id, Share: sh.Key, PayeeKind: PayeeHousehold, Payee: h.Code, Place: h.place, Amount: hp[i]})
		}
	}
	// Each line keeps the period income's channels: taken pro rata of
	// what is left (proRata's parts: zero parts dropped), so that per
	// channel the lines sum to the income.
	left := make([]int64, len(pi.Legs))
	for j, lg := range pi.Legs {
		left[j] = int64(lg.Amount)
	}
	legs := make([]Leg, 0, len(lines)*len(pi.Legs))
	for i := range lines {
		lp, err := money.SplitInto(lines[i].Amount, left, parts)
		if err != nil {
			return nil, errs.F(errs.RuleBroken, "no_legs", "id", "the asset's value has no channel legs: its income cannot keep the channels that built it")
		}
		from := len(legs)
		for j, p := range lp {
			if p > 0 {
				legs = append(legs, Leg{Channel: pi.Legs[j].Channel, Amount: p})
				left[j] -= int64(p)
			}
		}
		lines[i].Legs = legs[from:len(legs):len(legs)]
	}
	return lines, nil
}

// normalizeNamed checks the named households' form: each named once,
// weights not negative (0 = 1).
func normalizeNamed(in []RunHousehold) ([]namedHousehold, []string, error) {
	seen := map[string]bool{}
	out := make([]namedHousehold, 0, len(in))
	codes := make([]string, 0, len(in))
	for _, h := range in {
		c := strings.TrimSpace(h.Code)
		if c == "" || seen[c] {
			return nil, nil, errs.F(errs.Invalid, "invalid_household", "households", "each household is named once: %q", c)
		}
		if h.Weight < 0 {
			return nil, nil, errs.F(errs.Invalid, "invalid_household", "households", "a household's weight cannot be negative")
		}
		if h.Weight == 0 {
			h.Weight = 1
		}
		seen[c] = true
		out = append(out, namedHousehold{Code: c, Weight: h.Weight})
		codes = append(codes, c)
	}
	return out, codes, nil
}

// placeNamed checks each named household against the registry's villages
// (have: code → village): p sees it, and it is of the asset's village or
// of a village with a share of it.
func placeNamed(p auth.Principal, a Asset, out []namedHousehold, have map[string]string) error {
	for i := range out {
		out[i].place = place.Code(have[out[i].Code])
	}
	return checkPlaced(p, a, out)
}

// checkPlaced checks each named household's registry village (its place;
// "": not in the registry): p sees it, and it is the asset's village or a
// village with a share of it.
func checkPlaced(p auth.Principal, a Asset, out []namedHousehold) error {
	for _, h := range out {
		v := h.place
		if v == "" || !p.Sees(v) {
			return errs.F(errs.NotFound, "unknown_household", "households", "no such household: %s", h.Code)
		}
		if v != a.Place && !slices.ContainsFunc(a.Shares, func(sh Share) bool { return sh.Village == v }) {
			return errs.F(errs.RuleBroken, "household_elsewhere", "households", "household %s is in village %s, not a village owning asset %s", h.Code, v, a.Code)
		}
	}
	return nil
}
