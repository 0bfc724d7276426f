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
	// needs_registry, needs_contributions.
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
		out = append(out, Check{Rule: fmt.Sprintf("funds.cofunding: village %s / county %s", prof.Funds.CoFundingVillageShare, prof.Funds.CoFundingCountyShare), Actual: total,
			Reason: "needs_contributions"})
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
