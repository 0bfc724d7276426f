package policy

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"onepool/internal/money"
)

// The raw shape of a profile file: amounts and shares are strings ("1,000,000",
// "60%") so that no float is ever decoded; validate turns them into Fen and
// Percent and names the key of anything wrong.

type rawProfile struct {
	Profile struct {
		ID        string `toml:"id"`
		Name      string `toml:"name"`
		Seed      string `toml:"seed"`
		Version   int    `toml:"version"`
		Effective string `toml:"effective"`
		Source    string `toml:"source"`
	} `toml:"profile"`
	Funds struct {
		Integration           string `toml:"integration"`
		MinIntegrationRatio   string `toml:"min_integration_ratio"`
		AllocationRule        string `toml:"allocation_rule"`
		AnnualGrowthMin       string `toml:"annual_growth_min"`
		PerPoorHouseholdMin   string `toml:"per_poor_household_min"`
		VillageTotalMin       string `toml:"village_total_min"`
		PoorVillageMin        string `toml:"poor_village_min"`
		CoFundingVillageShare string `toml:"cofunding_village_share"`
		CoFundingCountyShare  string `toml:"cofunding_county_share"`
		NextYearVillagesBy    string `toml:"next_year_villages_by"`
		Categories            []struct {
			Code       string   `toml:"code"`
			Name       string   `toml:"name"`
			Integrable bool     `toml:"integrable"`
			Purposes   []string `toml:"purposes"`
		} `toml:"categories"`
		VillageMinimums []struct {
			Department string `toml:"department"`
			Amount     string `toml:"amount"`
		} `toml:"village_minimums"`
		CategoryShares []struct {
			Purpose string `toml:"purpose"`
			Min     string `toml:"min"`
			Of      string `toml:"of"`
		} `toml:"category_shares"`
		InputPlan []struct {
			Name       string   `toml:"name"`
			Amount     string   `toml:"amount"`
			Levels     []string `toml:"levels"`
			Categories []string `toml:"categories"`
			Purposes   []string `toml:"purposes"`
			Measure    string   `toml:"measure"`
		} `toml:"input_plan"`
	} `toml:"funds"`
	Review struct {
		NoticeDays       int       `toml:"notice_days"`
		ExtraSignerAbove string    `toml:"extra_signer_above"`
		Steps            []rawStep `toml:"steps"`
		ExtraSigner      *rawStep  `toml:"extra_signer"`
		Approval         *rawStep  `toml:"approval"`
		// ObjectionReplyDays and ObjectionText: see Review.
		ObjectionReplyDays int    `toml:"objection_reply_days"`
		ObjectionText      string `toml:"objection_text"`
	} `toml:"review"`
	Agreements struct {
		EquityDividendMin     string `toml:"equity_dividend_min"`
		GuaranteedDividendMin string `toml:"guaranteed_dividend_min"`
		GuaranteedRising      bool   `toml:"guaranteed_rising"`
		MinTermYears          int    `toml:"min_term_years"`
		CollateralMin         string `toml:"collateral_min"`
		DirectSubsidyMax      string `toml:"direct_subsidy_max"`
	} `toml:"agreements"`
	Money struct {
		SecondAbove string   `toml:"second_above"`
		Approval    *rawStep `toml:"approval"`
		Second      *rawStep `toml:"second"`
	} `toml:"money"`
	Relief struct {
		EligibleStatuses []string  `toml:"eligible_statuses"`
		Causes           []string  `toml:"causes"`
		Rounding         string    `toml:"rounding"`
		Floor            string    `toml:"floor"`
		NoticeDays       int       `toml:"notice_days"`
		Steps            []rawStep `toml:"steps"`
		Standards        []struct {
			Year   int    `toml:"year"`
			Amount string `toml:"amount"`
			Source string `toml:"source"`
		} `toml:"standards"`
	} `toml:"relief"`
	// Linkage and AgreementReview: see linkage.go.
	Linkage struct {
		IncomeEffectMin string `toml:"income_effect_min"`
	} `toml:"linkage"`
	AgreementReview struct {
		Steps []rawStep `toml:"steps"`
	} `toml:"agreement_review"`
	// Assets: the income rule of project assets (policy/assets.go).
	Assets struct {
		IncomeShares []struct {
			Key     string `toml:"key"`
			Name    string `toml:"name"`
			Percent string `toml:"percent"`
			To      string `toml:"to"`
		} `toml:"income_shares"`
		BannedUses []string `toml:"banned_uses"`
		IdleMonths int      `toml:"idle_months"`
		// The asset register's disposal chain (policy/asset_disposal.go).
		DisposalChain []rawStep `toml:"disposal_chain"`
	} `toml:"assets"`
	Dividends rawDividends `toml:"dividends"`
}

type rawStep struct {
	Name      string   `toml:"name"`
	Role      string   `toml:"role"`
	Level     string   `toml:"level"`
	Checks    []string `toml:"checks"`
	MayReturn bool     `toml:"may_return"`
	SLADays   int      `toml:"sla_days"`
}

// required are the keys every resolved profile must define.
var required = []string{
	"profile.id", "profile.name", "profile.seed", "profile.version", "profile.effective", "profile.source",
	"funds.integration", "funds.min_integration_ratio", "funds.allocation_rule", "funds.annual_growth_min",
	"funds.per_poor_household_min", "funds.categories",
	"review.notice_days", "review.steps",
	"agreements.equity_dividend_min", "agreements.guaranteed_dividend_min", "agreements.min_term_years",
	"relief.eligible_statuses", "relief.causes", "relief.rounding", "relief.floor", "relief.notice_days", "relief.standards", "relief.steps",
}

var (
	idRe  = regexp.MustCompile(`^[a-z][a-z0-9_]{1,30}$`)
	mmdd  = regexp.MustCompile(`^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`)
	roles = map[string]bool{"admin": true, "rural": true, "finance": true, "sector": true, "township": true, "village": true, "auditor": true, "experts": true, "applicant": true}
	lvls  = map[string]bool{"village": true, "township": true, "county": true}
)

// validate checks every key and converts the raw profile; the first
// problem found is returned, naming its key.
func (r rawProfile) validate(def definedSet) (Profile, error) {
	for _, k := range required {
		if !def.IsDefined(strings.Split(k, ".")...) {
			return Profile{}, invalid("missing key %s", k)
		}
	}
	var p Profile
	var err error
	fail := func(key, format string, args ...any) (Profile, error) {
		return Profile{}, invalid("%s: %s", key, fmt.Sprintf(format, args...))
	}
	amount := func(key, s string, optional bool) money.Fen {
		if err != nil {
			return 0
		}
		if strings.TrimSpace(s) == "" {
			if !optional {
				err = invalid("%s: an amount in yuan is required", key)
			}
			return 0
		}
		f, perr := money.Parse(s)
		if perr != nil || f < 0 {
			err = invalid("%s: %q is not an amount in yuan (at most two decimals, not negative)", key, s)
		}
		return f
	}
	percent := func(key, s string, optional bool) Percent {
		if err != nil {
			return 0
		}
		if strings.TrimSpace(s) == "" {
			if !optional {
				err = invalid("%s: a percentage like \"60%%\" is required", key)
			}
			return 0
		}
		v, ok := parsePercent(s)
		if !ok {
			err = invalid("%s: %q is not a percentage like \"60%%\" or \"12.5%%\"", key, s)
		}
		return v
	}

	pr := r.Profile
	if !idRe.MatchString(pr.ID) {
		return fail("profile.id", "%q must be 2–31 lower-case letters, digits or _", pr.ID)
	}
	if strings.TrimSpace(pr.Name) == "" || strings.TrimSpace(pr.Source) == "" {
		return fail("profile.name", "name and source must not be empty")
	}
	if pr.Version < 1 {
		return fail("profile.version", "must be 1 or more, got %d", pr.Version)
	}
	eff, perr := time.Parse("2006-01-02", pr.Effective)
	if perr != nil {
		return fail("profile.effective", "%q is not a date YYYY-MM-DD", pr.Effective)
	}
	p.ID, p.Name, p.Seed, p.Version, p.Effective, p.Source = pr.ID, pr.Name, pr.Seed, pr.Version, eff, pr.Source

	f := r.Funds
	switch f.Integration {
	case Strict, Pooled:
	default:
		return fail("funds.integration", "%q must be %q or %q", f.Integration, Strict, Pooled)
	}
	switch f.AllocationRule {
	case OldestFirst, ProRata, Explicit:
	default:
		return fail("funds.allocation_rule", "%q must be %q, %q or %q", f.AllocationRule, OldestFirst, ProRata, Explicit)
	}
	if f.NextYearVillagesBy != "" && !mmdd.MatchString(f.NextYearVillagesBy) {
		return fail("funds.next_year_villages_by", "%q is not a date MM-DD", f.NextYearVillagesBy)
	}
	p.Funds = Funds{
		Integration:           f.Integration,
		AllocationRule:        f.AllocationRule,
		MinIntegrationRatio:   percent("funds.min_integration_ratio", f.MinIntegrationRatio, false),
		AnnualGrowthMin:       percent("funds.annual_growth_min", f.AnnualGrowthMin, false),
		PerPoorHouseholdMin:   amount("funds.per_poor_household_min", f.PerPoorHouseholdMin, false),
		VillageTotalMin:       amount("funds.village_total_min", f.VillageTotalMin, true),
		PoorVillageMin:        amount("funds.poor_village_min", f.PoorVillageMin, true),
		CoFundingVillageShare: percent("funds.cofunding_village_share", f.CoFundingVillageShare, true),
		CoFundingCountyShare:  percent("funds.cofunding_county_share", f.CoFundingCountyShare, true),
		NextYearVillagesBy:    f.NextYearVillagesBy,
	}
	if err != nil {
		return Profile{}, err
	}
	if s := p.Funds.CoFundingVillageShare + p.Funds.CoFundingCountyShare; s != 0 && s != 10000 {
		return fail("funds.cofunding_county_share", "village and county shares add up to %s, not 100%%", s)
	}
	if len(f.Categories) == 0 {
		return fail("funds.categories", "at least one fund category is required")
	}
	seen := map[string]bool{}
	for i, c := range f.Categories {
		key := fmt.Sprintf("funds.categories[%d]", i)
		if !idRe.MatchString(c.Code) || seen[c.Code] {
			return fail(key+".code", "%q must be a unique lower-case code", c.Code)
		}
		if strings.TrimSpace(c.Name) == "" {
			return fail(key+".name", "must not be empty")
		}
		seen[c.Code] = true
		p.Funds.Categories = append(p.Funds.Categories, Category{Code: c.Code, Name: c.Name, Integrable: c.Integrable, Purposes: c.Purposes})
	}
	for i, m := range f.VillageMinimums {
		key := fmt.Sprintf("funds.village_minimums[%d]", i)
		if strings.TrimSpace(m.Department) == "" {
			return fail(key+".department", "must not be empty")
		}
		p.Funds.VillageMinimums = append(p.Funds.VillageMinimums, Minimum{m.Department, amount(key+".amount", m.Amount, false)})
	}
	for i, s := range f.CategoryShares {
		key := fmt.Sprintf("funds.category_shares[%d]", i)
		if strings.TrimSpace(s.Purpose) == "" {
			return fail(key+".purpose", "must not be empty")
		}
		p.Funds.CategoryShares = append(p.Funds.CategoryShares, Share{s.Purpose, percent(key+".min", s.Min, false), s.Of})
	}
	for i, l := range f.InputPlan {
		key := fmt.Sprintf("funds.input_plan[%d]", i)
		if strings.TrimSpace(l.Name) == "" {
			return fail(key+".name", "must not be empty")
		}
		switch l.Measure {
		case "":
			l.Measure = MeasureArrived
		case MeasureArrived, MeasureIntegrated:
		default:
			return fail(key+".measure", "must be %q or %q, got %q", MeasureArrived, MeasureIntegrated, l.Measure)
		}
		for _, c := range l.Categories {
			if !seen[c] {
				return fail(key+".categories", "category %q is not one of funds.categories", c)
			}
		}
		p.Funds.InputPlan = append(p.Funds.InputPlan, PlanLine{Name: l.Name, Amount: amount(key+".amount", l.Amount, true),
			Levels: l.Levels, Categories: l.Categories, Purposes: l.Purposes, Measure: l.Measure})
	}
	if err != nil {
		return Profile{}, err
	}

	if r.Review.NoticeDays < 1 {
		return fail("review.notice_days", "must be 1 or more, got %d", r.Review.NoticeDays)
	}
	steps, serr := convertSteps("review.steps", r.Review.Steps)
	if serr != nil {
		return Profile{}, serr
	}
	p.Review = Review{Steps: steps, NoticeDays: r.Review.NoticeDays, ExtraSignerAbove: amount("review.extra_signer_above", r.Review.ExtraSignerAbove, true),
		ExtraSigner: Step{Name: "县领导加签（重大项目）", Role: "rural", Level: "county", Checks: []string{"重大项目"}, MayReturn: true, SLADays: 5},
		Approval:    Step{Name: "公示期满无异议，批复纳入年度计划", Role: "rural", Level: "county", Checks: []string{"公示结果", "年度计划"}, MayReturn: true, SLADays: 10}}
	switch rd := r.Review.ObjectionReplyDays; {
	case rd == 0:
		p.Review.ObjectionReplyDays = 7
	case rd < 1 || rd > 60:
		return fail("review.objection_reply_days", "must be 1 to 60 days, got %d", rd)
	default:
		p.Review.ObjectionReplyDays = rd
	}
	switch ot := r.Review.ObjectionText; ot {
	case "":
		p.Review.ObjectionText = "masked"
	case "masked", "hidden":
		p.Review.ObjectionText = ot
	default:
		return fail("review.objection_text", "%q must be masked or hidden", ot)
	}
	for _, o := range []struct {
		key string
		raw *rawStep
		dst *Step
	}{{"review.extra_signer", r.Review.ExtraSigner, &p.Review.ExtraSigner}, {"review.approval", r.Review.Approval, &p.Review.Approval}} {
		if o.raw == nil {
			continue
		}
		st, serr := convertStep(o.key, *o.raw)
		if serr != nil {
			return Profile{}, serr
		}
		*o.dst = st
	}

	a := r.Agreements
	if a.MinTermYears < 0 {
		return fail("agreements.min_term_years", "must not be negative")
	}
	p.Agreements = Agreements{
		EquityDividendMin:     percent("agreements.equity_dividend_min", a.EquityDividendMin, false),
		GuaranteedDividendMin: percent("agreements.guaranteed_dividend_min", a.GuaranteedDividendMin, false),
		GuaranteedRising:      a.GuaranteedRising,
		MinTermYears:          a.MinTermYears,
		CollateralMin:         percent("agreements.collateral_min", a.CollateralMin, true),
		DirectSubsidyMax:      amount("agreements.direct_subsidy_max", a.DirectSubsidyMax, true),
	}

	rl := r.Relief
	switch rl.Rounding {
	case "yuan_up", "yuan_half_up", "fen":
	default:
		return fail("relief.rounding", "%q must be yuan_up, yuan_half_up or fen", rl.Rounding)
	}
	if rl.NoticeDays < 1 {
		return fail("relief.notice_days", "must be 1 or more, got %d", rl.NoticeDays)
	}
	rsteps, serr := convertSteps("relief.steps", rl.Steps)
	if serr != nil {
		return Profile{}, serr
	}
	p.Relief = Relief{EligibleStatuses: rl.EligibleStatuses, Causes: rl.Causes, Rounding: rl.Rounding, NoticeDays: rl.NoticeDays, Steps: rsteps,
		Floor: amount("relief.floor", rl.Floor, false)}
	years := map[int]bool{}
	for i, s := range rl.Standards {
		key := fmt.Sprintf("relief.standards[%d]", i)
		if s.Year < 2000 || s.Year > 2100 || years[s.Year] {
			return fail(key+".year", "%d must be a year, once", s.Year)
		}
		if strings.TrimSpace(s.Source) == "" {
			return fail(key+".source", "name the document the standard comes from")
		}
		years[s.Year] = true
		p.Relief.Standards = append(p.Relief.Standards, Standard{s.Year, amount(key+".amount", s.Amount, false), s.Source})
	}
	p.Money = DefaultMoney()
	if strings.TrimSpace(r.Money.SecondAbove) != "" {
		p.Money.SecondAbove = amount("money.second_above", r.Money.SecondAbove, false)
	}
	for _, o := range []struct {
		key string
		raw *rawStep
		dst *Step
	}{{"money.approval", r.Money.Approval, &p.Money.Approval}, {"money.second", r.Money.Second, &p.Money.Second}} {
		if o.raw == nil {
			continue
		}
		st, serr := convertStep(o.key, *o.raw)
		if serr != nil {
			return Profile{}, serr
		}
		if st.Level != "county" && st.Level != "township" {
			return fail(o.key+".level", "money is approved at the county or the township, not %q", st.Level)
		}
		*o.dst = st
	}
	if p.DisposalChain, err = convertDisposalChain(r); err != nil {
		return Profile{}, err
	}
	d, derr := r.Dividends.convert()
	if derr != nil {
		return Profile{}, derr
	}
	p.Dividends = d
	if err != nil {
		return Profile{}, err
	}
	if err := r.validateLinkage(&p); err != nil {
		return Profile{}, err
	}
	if p.AssetIncome, err = r.assetIncome(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

func convertSteps(key string, in []rawStep) ([]Step, error) {
	if len(in) == 0 {
		return nil, invalid("%s: at least one step is required", key)
	}
	var out []Step
	for i, s := range in {
		st, err := convertStep(fmt.Sprintf("%s[%d]", key, i), s)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// convertStep checks one step, naming its key k.
func convertStep(k string, s rawStep) (Step, error) {
	if strings.TrimSpace(s.Name) == "" {
		return Step{}, invalid("%s.name: must not be empty", k)
	}
	if !roles[s.Role] {
		return Step{}, invalid("%s.role: %q is not a role", k, s.Role)
	}
	if !lvls[s.Level] {
		return Step{}, invalid("%s.level: %q must be village, township or county", k, s.Level)
	}
	if s.SLADays < 0 {
		return Step{}, invalid("%s.sla_days: must not be negative", k)
	}
	return Step{Name: s.Name, Role: s.Role, Level: s.Level, Checks: s.Checks, MayReturn: s.MayReturn, SLADays: s.SLADays}, nil
}
