// Package policy holds the county policy profiles (政策配置): every number
// and rule that differs between counties — integration policy, ratios,
// per-village minimums, co-funding shares, review chains, dividend and
// relief rules — as versioned data with an effective date, validated on
// load. Code asks the profile; it never hard-codes a county's number.
//
// Profiles are TOML files. The five seed counties ship embedded
// (profiles/*.toml); a county picks one and may override keys with a
// TOML fragment of the same shape.
package policy

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"onepool/internal/errs"
	"onepool/internal/money"
)

//go:embed profiles/*.toml
var profileFS embed.FS

// Percent is a share in basis points (1% = 100), so that no float touches
// a rule. It is written "60%" or "12.5%" in a profile.
type Percent int64

// String prints the percentage, e.g. "60%" or "12.5%".
func (p Percent) String() string {
	s := strconv.FormatInt(int64(p)/100, 10)
	if r := int64(p) % 100; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", r), "0")
	}
	return s + "%"
}

// Of returns p of an amount, rounded half up to the fen.
func (p Percent) Of(f money.Fen) money.Fen {
	v, err := money.MulRatio(f, int64(p), 10000, money.RoundHalfUp)
	if err != nil {
		return 0
	}
	return v
}

func parsePercent(s string) (Percent, bool) {
	t, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	if !ok || t == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(t, ".")
	if len(frac) > 2 || whole == "" {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 1000 {
		return 0, false
	}
	var f int64
	if frac != "" {
		f, err = strconv.ParseInt(frac+strings.Repeat("0", 2-len(frac)), 10, 64)
		if err != nil {
			return 0, false
		}
	}
	return Percent(w*100 + f), true
}

// Integration policies (统筹整合方式).
const (
	Strict = "strict" // a leg pays only for purposes its channel allows (用途不变, 001)
	Pooled = "pooled" // cross-category use inside the integrated scope (大类间打通、跨类别使用, 000)
)

// Allocation rules: how an allocation from the pool picks channel legs.
const (
	OldestFirst = "oldest_first" // the channel whose money arrived first pays first
	ProRata     = "pro_rata"     // in proportion to what each channel holds
	Explicit    = "explicit"     // the allocator names the legs
)

// Category is a fund category (资金类别) and whether it may be integrated.
type Category struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Integrable bool     `json:"integrable"`
	Purposes   []string `json:"purposes"` // what its money may pay for under the strict policy
}

// Minimum is an amount a department must put into each village (001).
type Minimum struct {
	Department string    `json:"department"`
	Amount     money.Fen `json:"amount"`
}

// Share is a minimum share of some total (e.g. human settlement ≥ 30% of
// last year's integrated funds, 003).
type Share struct {
	Purpose string  `json:"purpose"`
	Min     Percent `json:"min"`
	Of      string  `json:"of"` // what it is a share of, in words
}

// PlanLine is one line of a county's standing input plan (000 "5+3+1+X"):
// which channels count towards it (every non-empty list must match; all
// channels when all are empty) and whether their arrivals or their
// integration into the pool are counted.
type PlanLine struct {
	Name       string    `json:"name"`
	Amount     money.Fen `json:"amount"`     // 0 for an open line ("X": social money)
	Levels     []string  `json:"levels"`     // channel levels (central, province, city, county, village, social)
	Categories []string  `json:"categories"` // fund category codes
	Purposes   []string  `json:"purposes"`   // the channel may pay for one of these
	Measure    string    `json:"measure"`    // MeasureArrived or MeasureIntegrated
}

// What a plan line counts.
const (
	MeasureArrived    = "arrived"
	MeasureIntegrated = "integrated"
)

// Funds are the rules of channels, integration and allocation.
type Funds struct {
	Integration           string     `json:"integration"`
	MinIntegrationRatio   Percent    `json:"min_integration_ratio"`
	AllocationRule        string     `json:"allocation_rule"`
	AnnualGrowthMin       Percent    `json:"annual_growth_min"`
	PerPoorHouseholdMin   money.Fen  `json:"per_poor_household_min"`
	VillageTotalMin       money.Fen  `json:"village_total_min"`
	PoorVillageMin        money.Fen  `json:"poor_village_min"`
	Categories            []Category `json:"categories"`
	VillageMinimums       []Minimum  `json:"village_minimums"`
	CoFundingVillageShare Percent    `json:"co_funding_village_share"`
	CoFundingCountyShare  Percent    `json:"co_funding_county_share"`
	CategoryShares        []Share    `json:"category_shares"`
	InputPlan             []PlanLine `json:"input_plan"`
	NextYearVillagesBy    string     `json:"next_year_villages_by"` // "MM-DD": next year's village list is due (001: before September)
}

// Step is one step of a review chain.
type Step struct {
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	Level     string   `json:"level"` // village, township, county
	Checks    []string `json:"checks"`
	MayReturn bool     `json:"may_return"`
	SLADays   int      `json:"sla_days"`
}

// Review is the review chain of project proposals and its notice.
type Review struct {
	Steps            []Step    `json:"steps"`
	NoticeDays       int       `json:"notice_days"`
	ExtraSignerAbove money.Fen `json:"extra_signer_above"` // projects above this need an extra signer
	ExtraSigner      Step      `json:"extra_signer"`       // that signer's step (default: the rural bureau's head at the county)
	Approval         Step      `json:"approval"`           // approval into the annual plan after the notice (default: the rural bureau)
	// ObjectionReplyDays: an objection to a notice is answered within
	// this many days of being filed (default 7), else it is overdue.
	ObjectionReplyDays int `json:"objection_reply_days"`
	// ObjectionText says what the public notice page shows of an
	// objection's text: "masked" (default: the text, every run of six or
	// more digits masked) or "hidden" (only that one was filed).
	ObjectionText string `json:"objection_text"`
}

// Agreements are the rules for benefit agreements (002).
type Agreements struct {
	EquityDividendMin     Percent   `json:"equity_dividend_min"`
	GuaranteedDividendMin Percent   `json:"guaranteed_dividend_min"`
	GuaranteedRising      bool      `json:"guaranteed_rising"`
	MinTermYears          int       `json:"min_term_years"`
	CollateralMin         Percent   `json:"collateral_min"`
	DirectSubsidyMax      money.Fen `json:"direct_subsidy_max"`
}

// Money is the two-person control of money moves (两人经手): every
// allocation, payment, reclaim, switch, reversal, adjustment, relief
// payout batch and bank return is entered by one person and approved by
// another before it posts; above SecondAbove a second approver signs too.
type Money struct {
	Approval    Step      `json:"approval"`     // the approver's step (default: the finance bureau at the county)
	SecondAbove money.Fen `json:"second_above"` // instructions above this need the second approver
	Second      Step      `json:"second"`       // the second approver's step (default: the finance bureau's head)
}

// DefaultMoney is the two-person control of a profile that says nothing
// of it, and of a county that has chosen no profile yet: the finance
// bureau approves, and its head as well above 500,000 yuan.
func DefaultMoney() Money {
	return Money{SecondAbove: 500_000_00,
		Approval: Step{Name: "财政局审核", Role: "finance", Level: "county", Checks: []string{"资金用途", "账户余额"}, SLADays: 3},
		Second:   Step{Name: "分管领导审批（大额）", Role: "finance", Level: "county", Checks: []string{"大额资金"}, SLADays: 3}}
}

// Standard is a year's poverty standard (per capita net income per year).
type Standard struct {
	Year   int       `json:"year"`
	Amount money.Fen `json:"amount"`
	Source string    `json:"source"`
}

// Relief are the relief-fund rules (004).
type Relief struct {
	EligibleStatuses []string   `json:"eligible_statuses"`
	Causes           []string   `json:"causes"`
	Standards        []Standard `json:"standards"`
	Rounding         string     `json:"rounding"` // "yuan_up", "yuan_half_up", "fen"
	Floor            money.Fen  `json:"floor"`
	NoticeDays       int        `json:"notice_days"`
	Steps            []Step     `json:"steps"`
}

// Profile is one county policy profile.
type Profile struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Seed       string     `json:"seed"`
	Version    int        `json:"version"`
	Effective  time.Time  `json:"effective"`
	Source     string     `json:"source"`
	Funds      Funds      `json:"funds"`
	Review     Review     `json:"review"`
	Agreements Agreements `json:"agreements"`
	Relief     Relief     `json:"relief"`
	Money      Money      `json:"money"`
	// DisposalChain is assets.disposal_chain (see assets.go; empty: the default).
	DisposalChain []Step `json:"disposal_chain,omitempty"`
	// Linkage and AgreementReview: see linkage.go.
	Linkage         Linkage         `json:"linkage"`
	AgreementReview AgreementReview `json:"agreement_review"`
	// AssetIncome is the [assets] income rule (AssetIncomeRules gives the defaults).
	AssetIncome AssetIncome `json:"asset_income"`
	Dividends   Dividends   `json:"dividends"`
	// Overridden lists the keys a county changed from the base profile.
	Overridden []string `json:"overridden"`
}

// StandardFor returns the poverty standard of a year, or false.
func (r Relief) StandardFor(year int) (Standard, bool) {
	for _, s := range r.Standards {
		if s.Year == year {
			return s, true
		}
	}
	return Standard{}, false
}

// Category returns a category by code.
func (f Funds) Category(code string) (Category, bool) {
	for _, c := range f.Categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

// Builtin lists the embedded profiles' ids, sorted.
func Builtin() []string {
	ents, _ := fs.ReadDir(profileFS, "profiles")
	var ids []string
	for _, e := range ents {
		ids = append(ids, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(ids)
	return ids
}

// Get loads a built-in profile. Errors: NotFound (unknown_profile),
// Invalid (invalid_profile, naming the key).
func Get(id string) (Profile, error) {
	return Resolve(id, "")
}

// Resolve loads the built-in profile id with a county's overrides (a TOML
// fragment of the same shape, may be empty) applied on top, and
// validates the result. Errors: NotFound (unknown_profile), Invalid
// (invalid_profile) naming the key.
func Resolve(id, overrides string) (Profile, error) {
	base, err := profileFS.ReadFile("profiles/" + id + ".toml")
	if err != nil || strings.ContainsAny(id, "/.") {
		return Profile{}, errs.F(errs.NotFound, "unknown_profile", "profile", "no policy profile %q (built in: %s)", id, strings.Join(Builtin(), ", "))
	}
	var raw rawProfile
	md, err := toml.NewDecoder(bytes.NewReader(base)).Decode(&raw)
	if err != nil {
		return Profile{}, invalid("profile %s: %v", id, err)
	}
	if err := undecoded(md, id); err != nil {
		return Profile{}, err
	}
	var overridden []string
	var def definedSet = &md
	if strings.TrimSpace(overrides) != "" {
		omd, err := toml.NewDecoder(strings.NewReader(overrides)).Decode(&raw)
		if err != nil {
			return Profile{}, invalid("overrides: %v", err)
		}
		if err := undecoded(omd, "overrides"); err != nil {
			return Profile{}, err
		}
		var arrays []string
	keys:
		for _, k := range omd.Keys() {
			ks := k.String()
			for _, a := range arrays {
				if strings.HasPrefix(ks, a+".") {
					continue keys // inside a replaced array of tables
				}
			}
			switch omd.Type(k...) {
			case "Hash":
			case "ArrayHash":
				arrays = append(arrays, ks)
				overridden = append(overridden, ks)
			default:
				overridden = append(overridden, ks)
			}
		}
		// A county that overrides an array (of categories, steps…)
		// replaces it whole.
		def = mergedMD{md, omd}
	}
	p, err := raw.validate(def)
	if err != nil {
		return Profile{}, err
	}
	p.Overridden = overridden
	return p, nil
}

// Parse validates a profile given as TOML text (for tools and tests).
func Parse(text string) (Profile, error) {
	var raw rawProfile
	md, err := toml.NewDecoder(strings.NewReader(text)).Decode(&raw)
	if err != nil {
		return Profile{}, invalid("%v", err)
	}
	if err := undecoded(md, "profile"); err != nil {
		return Profile{}, err
	}
	return raw.validate(&md)
}

func invalid(format string, args ...any) error {
	return errs.F(errs.Invalid, "invalid_profile", "profile", format, args...)
}

func undecoded(md toml.MetaData, what string) error {
	if u := md.Undecoded(); len(u) > 0 {
		var ks []string
		for _, k := range u {
			ks = append(ks, k.String())
		}
		return invalid("%s: unknown key %s", what, strings.Join(ks, ", "))
	}
	return nil
}

// definedSet answers "is this key set" across the base and the overrides.
type definedSet interface{ IsDefined(key ...string) bool }

type mergedMD struct{ a, b toml.MetaData }

func (m mergedMD) IsDefined(key ...string) bool {
	return m.a.IsDefined(key...) || m.b.IsDefined(key...)
}
