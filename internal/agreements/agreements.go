// Package agreements keeps the benefit agreements (协议, M-30 … M-33):
// one model, three kinds —
//
//   - subsidy: township ↔ household, a direct subsidy for self-development
//     (M-24): purpose, amount, term; capped per household in total;
//   - entity: a business entity ↔ households, with the township's
//     entrustment of the fiscal money to the operator (M-22/M-23): the
//     money invested is read from the ledger (what the project paid into
//     the entity's account, with its channel legs) and the benefit form is
//     a guaranteed dividend (M-31: yearly rates, collateral) or an equity
//     dividend (M-32: quantified shares, the households' share of the
//     returns, the manager the implementing unit sends);
//   - loan: credit union ↔ household, a record with purpose, amount and
//     follow-up notes (no money moves).
//
// Every rule is the county profile's data (policy.Profile.AgreementRules)
// and is refused where it is entered, naming the rule and its numbers
// (M-33). The review runs on the workflow engine: drafted → negotiated
// (the supervisors present recorded by name; the workflow's step 0) →
// township review → signed (the chain approved) → active → ended,
// renewed (a new agreement linked to the old, signed) or terminated.
// Whoever drafted or negotiated an agreement takes none of its later
// steps.
package agreements

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/workflow"
)

// The kinds of agreement.
const (
	Subsidy = "subsidy" // 乡镇与农户：自主发展直补
	Entity  = "entity"  // 经营主体与农户（乡镇委托经营）
	Loan    = "loan"    // 信用社与农户：贷款
)

// Kinds lists the kinds in display order.
var Kinds = []string{Subsidy, Entity, Loan}

// The benefit forms of an entity agreement.
const (
	Guaranteed = "guaranteed" // 保底分红
	Equity     = "equity"     // 股权分红
)

// The collateral kinds of a guaranteed dividend.
const (
	CollateralMoney  = "money"        // 保证金
	CollateralAssets = "fixed_assets" // 固定资产抵押
)

// The states of an agreement.
const (
	Drafted    = "drafted"
	Review     = "review" // negotiated; under the township's review and signature
	Signed     = "signed"
	Active     = "active"
	Ended      = "ended"
	Renewed    = "renewed"
	Terminated = "terminated"
	Rejected   = "rejected"
)

// States lists the states in lifecycle order.
var States = []string{Drafted, Review, Signed, Active, Ended, Renewed, Terminated, Rejected}

// WorkflowKind is the kind of the agreements' workflow items.
const WorkflowKind = "agreement"

// Leg is the money invested on one channel.
type Leg struct {
	Channel string    `json:"channel"`
	Amount  money.Fen `json:"amount"`
}

// Party is a household of an agreement, with its quantified shares
// (equity form; 0 otherwise).
type Party struct {
	Household string
	Head      string // on reads
	Shares    int64
}

// Note is a follow-up note.
type Note struct {
	Seq  int
	Note string
	At   time.Time
	By   string
}

// Agreement is one agreement.
type Agreement struct {
	County   string
	ID       int64
	Kind     string
	Form     string // entity kind: guaranteed or equity
	Place    place.Code
	Township place.Code
	Entity   string // the entity's USCC (entity kind)
	Project  string // the project whose money was invested (entity kind)
	Lender   string // the credit union (loan kind)
	Purpose  string
	// Amount is the subsidy, the loan, or (entity kind) the money invested,
	// read from the ledger.
	Amount          money.Fen
	Legs            []Leg
	Start           string // YYYY-MM-DD
	TermYears       int
	Rates           []policy.Percent // guaranteed: one rate a year
	CollateralKind  string
	Collateral      money.Fen
	HouseholdsShare policy.Percent // equity
	Manager         string         // equity
	Witnesses       string         // recorded at the negotiation
	Parties         []Party
	State           string
	Item            int64
	Renews          int64
	RenewedBy       int64 // on reads: the agreement renewing this one (0: none)
	AcceptedAt      time.Time
	AcceptedBy      string
	PayStatus       string // subsidy: '', waiting, sending, paid, failed
	PayAttempts     int    // subsidy: payout lines so far
	Reason          string
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedBy       string
	UpdatedAt       time.Time
}

// Schedule is a year of a guaranteed dividend: its rate and the dividend
// it guarantees on the money invested.
type Schedule struct {
	Year     int
	Rate     policy.Percent
	Dividend money.Fen
}

// Schedule is the guaranteed dividend's yearly schedule (empty for other
// forms).
func (a Agreement) Schedule() []Schedule {
	out := []Schedule{}
	if a.Form != Guaranteed {
		return out
	}
	for i, r := range a.Rates {
		out = append(out, Schedule{Year: i + 1, Rate: r, Dividend: r.Of(a.Amount)})
	}
	return out
}

// End is the last day of the term (YYYY-MM-DD), "" when unknown.
func (a Agreement) End() string {
	t, err := time.Parse(time.DateOnly, a.Start)
	if err != nil {
		return ""
	}
	return t.AddDate(a.TermYears, 0, -1).Format(time.DateOnly)
}

// Service is the agreements capability.
type Service struct {
	db       *store.DB
	ents     *entities.Service
	wf       *workflow.Engine
	counties *policy.Counties
	now      clock.Clock
	pay      *payout.Service   // the payout mechanism direct subsidies are paid through (UsePayout)
	l        *ledger.Ledger    // UsePayout
	reg      *registry.Service // UsePayout: the households' cards
	ins      *instruct.Service // UseInstructions: dividend runs, principal returns
}

// New returns the service; now nil means the system clock.
func New(db *store.DB, ents *entities.Service, wf *workflow.Engine, counties *policy.Counties, now clock.Clock) *Service {
	if now == nil {
		now = clock.System
	}
	return &Service{db: db, ents: ents, wf: wf, counties: counties, now: now}
}

func (s *Service) rules(ctx context.Context, county string) (policy.Agreements, error) {
	p, _, err := s.counties.Current(ctx, county)
	if err != nil {
		return policy.Agreements{}, err
	}
	return p.AgreementRules(), nil
}

// mayWrite: agreements are drafted and carried by village cadres,
// township officers and the rural-revitalization bureau.
func mayWrite(p auth.Principal) error {
	switch p.Role {
	case auth.RoleVillage, auth.RoleTownship, auth.RoleRural:
		return nil
	}
	return errs.F(errs.Forbidden, "forbidden", "", "agreements are drafted by village cadres, township officers or the rural-revitalization bureau")
}

const maxText = 200

// checkText is entities.CheckText with the agreements' code and length.
func checkText(v *string, required bool, field, what string) error {
	return entities.CheckText(v, required, field, what, "invalid_agreement", maxText)
}

// ParseRates reads yearly rates written "5%, 6%, 7%" (or "5 6 7").
func ParseRates(s string) ([]policy.Percent, error) {
	out := []policy.Percent{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == ';' || r == '、' }) {
		f = strings.TrimSuffix(f, "%")
		whole, frac, _ := strings.Cut(f, ".")
		w, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || w < 0 || w > 100 || len(frac) > 2 {
			return nil, errs.F(errs.Invalid, "invalid_rate", "rates", "the rates are percentages, one a year, e.g. 5%%, 6%%, 7%%")
		}
		fr := int64(0)
		if frac != "" {
			if fr, err = strconv.ParseInt((frac + "0")[:2], 10, 64); err != nil || fr < 0 {
				return nil, errs.F(errs.Invalid, "invalid_rate", "rates", "the rates are percentages, one a year, e.g. 5%%, 6%%, 7%%")
			}
		}
		out = append(out, policy.Percent(w*100+fr))
	}
	return out, nil
}

// FormatRates writes rates as "5%, 6%, 7%".
func FormatRates(rs []policy.Percent) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

// checkShape validates what needs neither the database nor the rules.
func checkShape(a *Agreement) error {
	if !slices.Contains(Kinds, a.Kind) {
		return errs.F(errs.Invalid, "invalid_agreement", "kind", "the kind must be one of %s", strings.Join(Kinds, ", "))
	}
	if err := checkText(&a.Purpose, a.Kind != Entity, "purpose", "the purpose"); err != nil {
		return err
	}
	a.Start = strings.TrimSpace(a.Start)
	if _, err := time.Parse(time.DateOnly, a.Start); err != nil {
		return errs.F(errs.Invalid, "invalid_date", "start", "the start date is YYYY-MM-DD")
	}
	if a.TermYears <= 0 || a.TermYears > 30 {
		return errs.F(errs.Invalid, "invalid_term", "term_years", "the term is 1 to 30 years")
	}
	seen := map[string]bool{}
	for i := range a.Parties {
		a.Parties[i].Household = strings.TrimSpace(a.Parties[i].Household)
		h := a.Parties[i].Household
		if h == "" || seen[h] {
			return errs.F(errs.Invalid, "invalid_household", "households", "each household once, by its code")
		}
		seen[h] = true
	}
	switch a.Kind {
	case Subsidy, Loan:
		if len(a.Parties) != 1 {
			return errs.F(errs.Invalid, "invalid_household", "household", "name the one household of the agreement")
		}
		if a.Amount <= 0 {
			return errs.F(errs.Invalid, "invalid_amount", "amount", "the amount must be more than zero")
		}
		if a.Kind == Loan {
			if err := checkText(&a.Lender, true, "lender", "the credit union"); err != nil {
				return err
			}
		}
		a.Form, a.Entity, a.Project, a.Rates, a.CollateralKind, a.Collateral, a.HouseholdsShare, a.Manager = "", "", "", nil, "", 0, 0, ""
	case Entity:
		if len(a.Parties) == 0 {
			return errs.F(errs.Invalid, "invalid_household", "households", "name the households the agreement benefits")
		}
		a.Project, a.Entity = strings.TrimSpace(a.Project), ident.NormalizeUSCC(a.Entity)
		if a.Entity == "" {
			return errs.F(errs.Invalid, "invalid_agreement", "entity", "name the entity")
		}
		if a.Project == "" {
			return errs.F(errs.Invalid, "invalid_agreement", "project", "name the project whose money the entity received")
		}
		a.Lender = ""
		switch a.Form {
		case Guaranteed:
			if a.CollateralKind != CollateralMoney && a.CollateralKind != CollateralAssets {
				return errs.F(errs.Invalid, "invalid_agreement", "collateral_kind", "the collateral is money or fixed assets")
			}
			a.HouseholdsShare, a.Manager = 0, ""
			for i := range a.Parties {
				a.Parties[i].Shares = 0
			}
		case Equity:
			for _, p := range a.Parties {
				if p.Shares <= 0 {
					return errs.F(errs.Invalid, "invalid_shares", "households", "household %s: the quantified shares must be more than zero", p.Household)
				}
			}
			a.Rates, a.CollateralKind, a.Collateral = nil, "", 0
		default:
			return errs.F(errs.Invalid, "invalid_agreement", "form", "the benefit form is guaranteed or equity")
		}
	}
	if err := checkText(&a.Manager, false, "manager", "the manager"); err != nil {
		return err
	}
	return nil
}

// checkRules refuses what breaks the profile's rules (M-33), naming the
// rule and its numbers. The cumulative subsidy cap is checked apart
// (checkCap), inside the write transaction.
func checkRules(r policy.Agreements, a Agreement) error {
	if a.Kind != Loan && a.TermYears < r.MinTermYears {
		return errs.F(errs.RuleBroken, "term_too_short", "term_years", "the term is %d years; the profile requires at least %d (min_term_years)", a.TermYears, r.MinTermYears)
	}
	if a.Kind != Entity {
		return nil
	}
	switch a.Form {
	case Guaranteed:
		if len(a.Rates) != a.TermYears {
			return errs.F(errs.Invalid, "invalid_rate", "rates", "give one rate for each of the %d years of the term, got %d", a.TermYears, len(a.Rates))
		}
		for i, rate := range a.Rates {
			if rate < r.GuaranteedDividendMin {
				return errs.F(errs.RuleBroken, "dividend_too_low", "rates", "year %d: the guaranteed dividend rate %s is below the profile's minimum %s (guaranteed_dividend_min)", i+1, rate, r.GuaranteedDividendMin)
			}
			if r.GuaranteedRising && i > 0 && rate <= a.Rates[i-1] {
				return errs.F(errs.RuleBroken, "dividend_not_rising", "rates", "year %d: the rate %s does not rise above year %d's %s (guaranteed_rising)", i+1, rate, i, a.Rates[i-1])
			}
		}
		if need := r.CollateralMin.Of(a.Amount); a.Collateral < need {
			return errs.F(errs.RuleBroken, "collateral_too_low", "collateral", "the collateral %s is below %s of the %s invested, %s (collateral_min)", a.Collateral, r.CollateralMin, a.Amount, need)
		}
	case Equity:
		if a.HouseholdsShare < r.EquityDividendMin {
			return errs.F(errs.RuleBroken, "equity_share_too_low", "households_share", "the households' share of the returns %s is below the profile's minimum %s (equity_dividend_min)", a.HouseholdsShare, r.EquityDividendMin)
		}
		if a.HouseholdsShare > 10000 {
			return errs.F(errs.Invalid, "invalid_share", "households_share", "a share is at most 100%%")
		}
		if a.Manager == "" {
			return errs.F(errs.RuleBroken, "manager_required", "manager", "an equity agreement names the manager the implementing unit sends")
		}
	}
	return nil
}

// live are the states an agreement holds its money or its subsidy in.
var live = []string{Drafted, Review, Signed, Active, Ended, Renewed}

func inList(states []string) string {
	q := make([]string, len(states))
	for i, s := range states {
		q[i] = "'" + s + "'"
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// committedTx is what a household's direct subsidies take of its cap:
// everything the ledger has paid the household under this mode
// (paidTx), plus every subsidy agreement of the household not yet paid
// that is not terminated or rejected (drafts and those under review
// included, so that two drafts cannot pass the cap between them), except
// the agreement except.
func committedTx(ctx context.Context, q store.Querier, county, household string, except int64) (money.Fen, error) {
	var sum int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(a.amount), 0) FROM ag_agreements a JOIN ag_households h ON h.county = a.county AND h.agreement = a.id
		WHERE a.county = ? AND h.household = ? AND a.kind = 'subsidy' AND a.id <> ? AND a.pay_status <> 'paid' AND a.state IN `+inList(live), county, household, except).Scan(&sum)
	if err != nil {
		return 0, errs.Wrap(err, "agreements: committed")
	}
	paid, err := paidTx(ctx, q, county, household)
	if err != nil {
		return 0, err
	}
	return money.Fen(sum) + paid, nil
}

// checkCap refuses a direct subsidy that takes its household past the
// profile's cumulative cap (direct_subsidy_max), read inside tx.
func checkCap(ctx context.Context, tx *store.Tx, r policy.Agreements, a Agreement) error {
	if a.Kind != Subsidy || len(a.Parties) != 1 {
		return nil
	}
	had, err := committedTx(ctx, tx, a.County, a.Parties[0].Household, a.ID)
	if err != nil {
		return err
	}
	if had+a.Amount > r.DirectSubsidyMax {
		return errs.F(errs.RuleBroken, "subsidy_cap", "amount", "household %s already has %s of direct subsidies; %s more makes %s, above the profile's cap of %s a household (direct_subsidy_max)",
			a.Parties[0].Household, had, a.Amount, had+a.Amount, r.DirectSubsidyMax)
	}
	return nil
}

// household reads a household's village and head; one outside p's area
// is exactly as missing.
func household(ctx context.Context, q store.Querier, p auth.Principal, code string) (place.Code, string, error) {
	var vil, head string
	err := q.QueryRowContext(ctx, `SELECT village, head FROM reg_households WHERE county = ? AND code = ?`, p.County, code).Scan(&vil, &head)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !p.Sees(place.Code(vil))) {
		return "", "", errs.F(errs.NotFound, "unknown_household", "household", "no such household: %s", code)
	}
	if err != nil {
		return "", "", errs.Wrap(err, "agreements: household")
	}
	return place.Code(vil), head, nil
}

// Create drafts an agreement. The rules are checked here, where the terms
// are entered; an entity agreement's money is read from the ledger (what
// the project paid into the entity's account, per channel), never typed.
// Errors: Invalid, RuleBroken (term_too_short, dividend_too_low,
// dividend_not_rising, collateral_too_low, equity_share_too_low,
// manager_required, subsidy_cap), NotFound (unknown_household,
// unknown_entity, no_investment), Conflict (money_committed),
// Forbidden.
func (s *Service) Create(ctx context.Context, p auth.Principal, a Agreement) (Agreement, error) {
	if err := mayWrite(p); err != nil {
		return Agreement{}, err
	}
	a.County = p.County
	if err := checkShape(&a); err != nil {
		return Agreement{}, err
	}
	r, err := s.rules(ctx, p.County)
	if err != nil {
		return Agreement{}, err
	}
	if a.Kind == Entity {
		pl, perr := place.Parse(string(a.Township))
		if perr != nil || pl.Level() != place.Township || !place.Code(p.County+"000000").Contains(pl) {
			return Agreement{}, errs.F(errs.Invalid, "invalid_place", "township", "name the township that entrusts the money")
		}
		if !p.Sees(pl) {
			return Agreement{}, errs.F(errs.NotFound, "unknown_place", "township", "no such township")
		}
		a.Township, a.Place = pl, pl
		ent, err := s.ents.Get(ctx, p, a.Entity)
		if err != nil {
			return Agreement{}, err
		}
		a.Entity = ent.USCC
		inv, err := s.ents.Invested(ctx, p, a.Entity)
		if err != nil {
			return Agreement{}, err
		}
		a.Amount, a.Legs = 0, []Leg{}
		for _, i := range inv {
			if i.Project == a.Project && i.Amount > 0 {
				a.Legs = append(a.Legs, Leg{Channel: i.Channel, Amount: i.Amount})
				a.Amount += i.Amount
			}
		}
		if a.Amount <= 0 {
			return Agreement{}, errs.F(errs.NotFound, "no_investment", "project", "the ledger shows no money of project %s in entity %s", a.Project, a.Entity)
		}
	}
	if a.Legs == nil {
		a.Legs = []Leg{}
	}
	if err := checkRules(r, a); err != nil {
		return Agreement{}, err
	}
	now := s.now()
	err = s.db.Write(ctx, now, func(tx *store.Tx) error {
		for i, pt := range a.Parties {
			vil, head, err := household(ctx, tx, p, pt.Household)
			if err != nil {
				return err
			}
			a.Parties[i].Head = head
			if a.Kind == Entity {
				if !a.Township.Contains(vil) {
					return errs.F(errs.Invalid, "household_elsewhere", "households", "household %s is not of township %s", pt.Household, a.Township)
				}
			} else {
				a.Place, a.Township = vil, vil.Township()
			}
		}
		if a.Kind == Entity {
			var other int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM ag_agreements WHERE county = ? AND entity = ? AND project = ? AND state IN `+inList([]string{Drafted, Review, Signed, Active}), p.County, a.Entity, a.Project).Scan(&other)
			if err == nil && other != a.Renews {
				return errs.F(errs.Conflict, "money_committed", "project", "the money of project %s in entity %s is already under agreement %d", a.Project, a.Entity, other)
			}
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return errs.Wrap(err, "agreements: overlap")
			}
		}
		if err := checkCap(ctx, tx, r, a); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM ag_agreements WHERE county = ?`, p.County).Scan(&a.ID); err != nil {
			return errs.Wrap(err, "agreements: next id")
		}
		a.State, a.CreatedBy, a.UpdatedBy, a.CreatedAt, a.UpdatedAt = Drafted, p.Username, p.Username, now, now
		legs, _ := json.Marshal(a.Legs)
		rates, _ := json.Marshal(ratesOrEmpty(a.Rates))
		if _, err := tx.ExecContext(ctx, `INSERT INTO ag_agreements (county, id, kind, form, place, township, entity, project, lender, purpose, amount, legs, start_date, term_years,
			rates, collateral_kind, collateral, households_share, manager, witnesses, state, item, renews, accepted_at, accepted_by, reason, created_at, created_by, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 0, ?, 0, '', '', ?, ?, ?, ?)`,
			p.County, a.ID, a.Kind, a.Form, string(a.Place), string(a.Township), a.Entity, a.Project, a.Lender, a.Purpose, int64(a.Amount), string(legs), a.Start, a.TermYears,
			string(rates), a.CollateralKind, int64(a.Collateral), int64(a.HouseholdsShare), a.Manager, Drafted, a.Renews, clock.Micros(now), p.Username, clock.Micros(now), p.Username); err != nil {
			return errs.Wrap(err, "agreements: insert")
		}
		for _, pt := range a.Parties {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ag_households (county, agreement, household, shares) VALUES (?, ?, ?, ?)`, p.County, a.ID, pt.Household, pt.Shares); err != nil {
				return errs.Wrap(err, "agreements: household")
			}
		}
		return s.audit(ctx, tx, p, a, "agreements.create", shown(a))
	})
	if err != nil {
		return Agreement{}, err
	}
	return a, nil
}

func ratesOrEmpty(r []policy.Percent) []policy.Percent {
	if r == nil {
		return []policy.Percent{}
	}
	return r
}

// shown is what the audit log keeps of an agreement.
func shown(a Agreement) map[string]any {
	hh := make([]string, len(a.Parties))
	for i, p := range a.Parties {
		hh[i] = p.Household
		if p.Shares > 0 {
			hh[i] += fmt.Sprintf(":%d", p.Shares)
		}
	}
	return map[string]any{"kind": a.Kind, "form": a.Form, "place": a.Place, "entity": a.Entity, "project": a.Project, "lender": a.Lender, "purpose": a.Purpose,
		"amount": a.Amount, "legs": a.Legs, "start": a.Start, "term_years": a.TermYears, "rates": FormatRates(a.Rates), "collateral_kind": a.CollateralKind,
		"collateral": a.Collateral, "households_share": a.HouseholdsShare.String(), "manager": a.Manager, "households": hh, "renews": a.Renews}
}

func (s *Service) audit(ctx context.Context, tx *store.Tx, p auth.Principal, a Agreement, action string, after map[string]any) error {
	_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: action, Object: fmt.Sprintf("agreement %d", a.ID), Place: string(a.Place), After: after})
	return err
}
