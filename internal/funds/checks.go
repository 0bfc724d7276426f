package funds

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
)

// Check is one rule of the profile checked for a village: met, or short by
// how much; a rule the data cannot answer yet says so (never hidden).
type Check struct {
	Rule      string    // the rule in words, with its key in the profile
	Required  money.Fen // the minimum (0 when the rule is a share)
	Actual    money.Fen
	Short     money.Fen // Required − Actual when not met
	Met       bool
	Checkable bool
	Note      string // data behind the figure (the departments counted)
	// Reason says why a rule cannot be checked yet: no_base_year,
	// needs_registry, no_collective_projects.
	Reason string
}

// VillageChecks checks a village's allocations of a year against the
// county profile (M-07): per-department minimums, the village total, the
// yearly growth, and — once the households registry exists — the amount
// per poor household. Errors: NotFound (no_profile), Invalid.
func (s *Service) VillageChecks(ctx context.Context, county string, village place.Code, year int) ([]Check, error) {
	prof, err := s.profile(ctx, county)
	if err != nil {
		return nil, err
	}
	if !village.Valid() || !place.Code(county+"000000").Contains(village) {
		return nil, errs.F(errs.Invalid, "invalid_place", "village", "place %q is not in county %s", village, county)
	}
	chans, err := s.Channels(ctx, county)
	if err != nil {
		return nil, err
	}
	dept := map[string]string{}
	for _, c := range chans {
		dept[c.Code] = c.Department
	}
	byYear := func(y int) (map[string]money.Fen, money.Fen, error) {
		lo, hi := place.Range(village.Prefix())
		rows, err := s.db.QueryContext(ctx, `SELECT m.channel, SUM(m.amount) FROM fund_movements m
			JOIN fund_projects p ON p.county = m.county AND p.code = m.project
			WHERE m.county = ? AND m.kind = 'allocation' AND m.year = ? AND p.place BETWEEN ? AND ? GROUP BY m.channel`, county, y, lo, hi)
		if err != nil {
			return nil, 0, errs.Wrap(err, "funds: village allocations")
		}
		defer rows.Close()
		perDept := map[string]money.Fen{}
		var total money.Fen
		for rows.Next() {
			var ch string
			var amt int64
			if err := rows.Scan(&ch, &amt); err != nil {
				return nil, 0, err
			}
			perDept[dept[ch]] += money.Fen(amt)
			total += money.Fen(amt)
		}
		return perDept, total, rows.Err()
	}
	perDept, total, err := byYear(year)
	if err != nil {
		return nil, err
	}
	check := func(rule string, required, actual money.Fen) Check {
		c := Check{Rule: rule, Required: required, Actual: actual, Checkable: true, Met: actual >= required}
		if !c.Met {
			c.Short = required - actual
		}
		return c
	}
	var out []Check
	for i, m := range prof.Funds.VillageMinimums {
		// A minimum names a department, or a group of them in its name
		// ("行业部门（交通、农业、林业、水利）").
		var actual money.Fen
		var names []string
		for d, amt := range perDept {
			if d != "" && (d == m.Department || strings.Contains(m.Department, d)) {
				actual += amt
				names = append(names, d)
			}
		}
		sort.Strings(names)
		c := check(fmt.Sprintf("funds.village_minimums[%d]: %s ≥ %s", i, m.Department, m.Amount), m.Amount, actual)
		if len(names) > 0 {
			c.Note = strings.Join(names, "、")
		}
		out = append(out, c)
	}
	if prof.Funds.VillageTotalMin > 0 {
		out = append(out, check(fmt.Sprintf("funds.village_total_min: ≥ %s", prof.Funds.VillageTotalMin), prof.Funds.VillageTotalMin, total))
	}
	if prof.Funds.PoorVillageMin > 0 {
		out = append(out, check(fmt.Sprintf("funds.poor_village_min: ≥ %s", prof.Funds.PoorVillageMin), prof.Funds.PoorVillageMin, total))
	}
	if prof.Funds.AnnualGrowthMin > 0 {
		_, last, err := byYear(year - 1)
		if err != nil {
			return nil, err
		}
		c := Check{Rule: fmt.Sprintf("funds.annual_growth_min: ≥ %s over %d", prof.Funds.AnnualGrowthMin, year-1), Actual: total}
		if last > 0 {
			need := last + prof.Funds.AnnualGrowthMin.Of(last)
			c = check(c.Rule, need, total)
		} else {
			c.Reason = "no_base_year"
		}
		out = append(out, c)
	}
	if prof.Funds.PerPoorHouseholdMin > 0 {
		out = append(out, Check{Rule: fmt.Sprintf("funds.per_poor_household_min: ≥ %s per poor household", prof.Funds.PerPoorHouseholdMin), Actual: total,
			Reason: "needs_registry"})
	}
	if prof.Funds.CoFundingCountyShare > 0 {
		c, err := s.coFunding(ctx, county, village, year, prof.Funds.CoFundingVillageShare, prof.Funds.CoFundingCountyShare)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// coFunding checks the village's own share of its collective projects
// (村集体自主经营项目: village ≥ share, county the rest, 003): the money of
// channels of level "village" against all money allocated to them.
func (s *Service) coFunding(ctx context.Context, county string, village place.Code, year int, vShare, cShare policy.Percent) (Check, error) {
	rule := fmt.Sprintf("funds.cofunding_village_share: 村集体自主经营项目 village ≥ %s, county %s", vShare, cShare)
	lo, hi := place.Range(village.Prefix())
	var own, all int64
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN c.level = 'village' THEN m.amount ELSE 0 END), 0), COALESCE(SUM(m.amount), 0), COUNT(DISTINCT p.code)
		FROM fund_movements m
		JOIN fund_projects p ON p.county = m.county AND p.code = m.project
		JOIN fund_channels c ON c.county = m.county AND c.code = m.channel
		WHERE m.county = ? AND m.kind = 'allocation' AND m.year = ? AND p.collective = 1 AND p.place BETWEEN ? AND ?`, county, year, lo, hi).Scan(&own, &all, &n)
	if err != nil {
		return Check{}, errs.Wrap(err, "funds: co-funding")
	}
	if n == 0 {
		return Check{Rule: rule, Reason: "no_collective_projects"}, nil
	}
	need, err := money.MulRatio(money.Fen(all), int64(vShare), 10000, money.RoundUp)
	if err != nil {
		return Check{}, errs.Wrap(err, "funds: co-funding")
	}
	c := Check{Rule: rule, Required: need, Actual: money.Fen(own), Checkable: true, Met: money.Fen(own) >= need,
		Note: fmt.Sprintf("%d 个项目，合计 %s", n, money.Fen(all))}
	if !c.Met {
		c.Short = need - money.Fen(own)
	}
	return c, nil
}

// ShareChecks checks the profile's category shares for a year (003:
// human settlement ≥ 30% of last year's funds): allocations this year to
// projects of the purpose against the share of last year's arrivals.
func (s *Service) ShareChecks(ctx context.Context, county string, year int) ([]Check, error) {
	prof, err := s.profile(ctx, county)
	if err != nil {
		return nil, err
	}
	var out []Check
	for i, sh := range prof.Funds.CategoryShares {
		rule := fmt.Sprintf("funds.category_shares[%d]: %s ≥ %s × %s（%d）", i, sh.Purpose, sh.Min, sh.Of, year-1)
		var base, got int64
		if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM fund_movements WHERE county = ? AND year = ? AND kind = 'arrival'`, county, year-1).Scan(&base); err != nil {
			return nil, errs.Wrap(err, "funds: share base")
		}
		if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(m.amount), 0) FROM fund_movements m
			JOIN fund_projects p ON p.county = m.county AND p.code = m.project
			WHERE m.county = ? AND m.year = ? AND m.kind = 'allocation' AND p.purpose = ?`, county, year, sh.Purpose).Scan(&got); err != nil {
			return nil, errs.Wrap(err, "funds: share")
		}
		if base == 0 {
			out = append(out, Check{Rule: rule, Actual: money.Fen(got), Reason: "no_base_year"})
			continue
		}
		need, err := money.MulRatio(money.Fen(base), int64(sh.Min), 10000, money.RoundUp) // a minimum rounds up
		if err != nil {
			return nil, errs.Wrap(err, "funds: share")
		}
		c := Check{Rule: rule, Required: need, Actual: money.Fen(got), Checkable: true, Met: money.Fen(got) >= need, Note: fmt.Sprintf("%d: %s", year-1, money.Fen(base))}
		if !c.Met {
			c.Short = need - c.Actual
		}
		out = append(out, c)
	}
	return out, nil
}

// ChannelProject is what one channel put into a project and where the
// project paid it.
type ChannelProject struct {
	Project    string // project account code
	Name       string
	Allocated  money.Fen
	Paid       money.Fen
	Households int64     // household recipients
	ToHouses   money.Fen // paid to households
	Others     []ledger.Flow
}

// ChannelReport is where a channel's money went (各记其功), down to the
// final recipients.
type ChannelReport struct {
	Channel    Channel
	Arrived    money.Fen
	Integrated money.Fen
	InPool     money.Fen
	Projects   []ChannelProject
}

// ChannelReport follows a channel from its arrivals through the pool to
// each project and its recipients. Errors: NotFound (unknown_channel).
func (s *Service) ChannelReport(ctx context.Context, county, code string) (ChannelReport, error) {
	c, err := s.Channel(ctx, county, code)
	if err != nil {
		return ChannelReport{}, err
	}
	rep := ChannelReport{Channel: c}
	rows, err := s.db.QueryContext(ctx, `SELECT kind, SUM(amount) FROM fund_movements WHERE county = ? AND channel = ? GROUP BY kind`, county, code)
	if err != nil {
		return rep, errs.Wrap(err, "funds: channel movements")
	}
	for rows.Next() {
		var kind string
		var amt int64
		if err := rows.Scan(&kind, &amt); err != nil {
			rows.Close()
			return rep, err
		}
		switch kind {
		case "arrival":
			rep.Arrived = money.Fen(amt)
		case "integration":
			rep.Integrated = money.Fen(amt)
		}
	}
	rows.Close()
	bals, err := s.l.Balances(ctx, county, PoolCode)
	if err != nil {
		return rep, err
	}
	for _, b := range bals {
		if b.Channel == code {
			rep.InPool = b.Amount
		}
	}
	allocs, err := s.l.Flows(ctx, county, ledger.FlowFilter{From: PoolCode, Channel: code})
	if err != nil {
		return rep, err
	}
	var codes []string
	for _, a := range allocs {
		if a.ToKind == ledger.Project {
			codes = append(codes, a.To)
		}
	}
	// What every project paid on this channel, in a fixed number of queries.
	outs, err := s.l.OutflowsOf(ctx, county, code, codes)
	if err != nil {
		return rep, err
	}
	for _, a := range allocs {
		if a.ToKind != ledger.Project {
			continue
		}
		o := outs[a.To]
		cp := ChannelProject{Project: a.To, Name: a.ToName, Allocated: a.Amount, Households: o.HouseholdCount, ToHouses: o.Households, Others: o.Others}
		cp.Paid = o.Households
		for _, f := range o.Others {
			cp.Paid += f.Amount
		}
		rep.Projects = append(rep.Projects, cp)
	}
	return rep, nil
}
