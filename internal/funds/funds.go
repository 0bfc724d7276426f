// Package funds is the capability of seeds 000 and 001: many channels in
// (资金渠道, M-01), arrivals (资金到位, M-02), integration into one pool
// (统筹整合, M-03) — each channel keeping its purpose and its credit. Money
// moves only as ledger transfers; this package keeps what a channel means
// (level, category, department, purposes, integrable), the yearly plans,
// and the document dates of arrivals, and asks the county's policy profile
// for the rules.
package funds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
)

// Levels a channel's money comes from.
// "village" is a village collective's own money (村级投入), what the
// co-funding rule (003: village 20%, county 80%) counts.
var Levels = []string{"central", "province", "city", "county", "village", "social"}

// Channel is a fund channel (资金渠道) as the county registers it.
type Channel struct {
	County     string
	Code       string
	Name       string
	Level      string   // central, province, city, county, village, social
	Category   string   // a category code of the county's profile
	Department string   // the department responsible (扶贫, 发改, 交通…)
	Purposes   []string // what its money may pay for (strict policy)
	Integrable bool
	Year       int
	// FirstArrival is the document day of its first arrival ("" before any).
	FirstArrival string
	CreatedAt    time.Time
	CreatedBy    string
}

// NewChannel registers a channel.
type NewChannel struct {
	Code, Name, Level, Category, Department string
	Purposes                                []string // empty: the category's purposes
	Year                                    int
	// NotIntegrable keeps an integrable category's channel out of the pool.
	NotIntegrable bool
}

// Service is the funds capability.
type Service struct {
	db       *store.DB
	l        *ledger.Ledger
	counties *policy.Counties
	now      clock.Clock
	ins      *instruct.Service // two people on money (UseInstructions)
}

// New returns the service.
func New(db *store.DB, l *ledger.Ledger, counties *policy.Counties, now clock.Clock) *Service {
	if now == nil {
		now = clock.System
	}
	return &Service{db: db, l: l, counties: counties, now: now}
}

// PoolCode is the ledger account of the county's integrated pool.
const PoolCode = "pool"

// ExternalCode and AccountCode are the ledger accounts of a channel: the
// outside source its money arrives from, and the channel's own account.
func ExternalCode(ch string) string { return "ext:" + ch }

// AccountCode is the channel's own ledger account (渠道资金).
func AccountCode(ch string) string { return "ch:" + ch }

var codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

func (s *Service) profile(ctx context.Context, county string) (policy.Profile, error) {
	p, _, err := s.counties.Current(ctx, county)
	return p, err
}

// Register adds channels in one transaction: the registry rows, the
// ledger channels, and their external and channel accounts (and the pool,
// the first time). Errors: Invalid (naming the field and row), Conflict
// (channel_exists), NotFound (no_profile).
func (s *Service) Register(ctx context.Context, actor, county string, in []NewChannel) ([]Channel, error) {
	p, err := s.profile(ctx, county)
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, errs.F(errs.Invalid, "invalid_channel", "channels", "no channels given")
	}
	var out []Channel
	seen := map[string]bool{}
	for i, c := range in {
		ch, err := checkChannel(p, county, actor, c, seen)
		if err != nil {
			if e, ok := errs.As(err); ok && len(in) > 1 {
				e2 := *e
				e2.Field = fmt.Sprintf("channels[%d].%s", i, e.Field)
				return nil, &e2
			}
			return nil, err
		}
		out = append(out, ch)
	}
	root := place.Code(county + "000000")
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var lc []ledger.NewChannel
		accts := []ledger.NewAccount{{Code: PoolCode, Kind: ledger.Pool, Name: "县级统筹整合资金池", Owner: "县财政局", Place: root, NoOverdraft: true}}
		for i := range out {
			c := &out[i]
			c.CreatedAt = tx.Now
			if _, err := tx.ExecContext(ctx, `INSERT INTO fund_channels (county, code, name, level, category, department, purposes, integrable, year, created_at, created_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, county, c.Code, c.Name, c.Level, c.Category, c.Department, strings.Join(c.Purposes, ","), b2i(c.Integrable), c.Year, clock.Micros(tx.Now), actor); err != nil {
				if errs.KindOf(err) == errs.Conflict {
					return errs.F(errs.Conflict, "channel_exists", "code", "channel %s is registered already", c.Code)
				}
				return errs.Wrap(err, "funds: register")
			}
			lc = append(lc, ledger.NewChannel{Code: c.Code, Name: c.Name})
			accts = append(accts,
				ledger.NewAccount{Code: ExternalCode(c.Code), Kind: ledger.External, Name: c.Name + "（来源）", Owner: c.Department, Place: root},
				ledger.NewAccount{Code: AccountCode(c.Code), Kind: ledger.ChannelAcc, Name: c.Name, Owner: c.Department, Place: root, NoOverdraft: true})
		}
		if _, _, err := s.l.CreateChannelsTx(ctx, tx, county, lc); err != nil {
			return err
		}
		if _, _, err := s.l.OpenAccountsTx(ctx, tx, county, accts); err != nil {
			return err
		}
		codes := make([]string, len(out))
		for i, c := range out {
			codes[i] = c.Code
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "funds.register", Object: "channels " + strings.Join(codes, ","), Place: string(root), After: out})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkChannel validates one new channel against the county's profile
// (seen holds the codes before it, and gets its own). The error's field is
// the channel's (code, name, level, category, purposes, year).
func checkChannel(p policy.Profile, county, actor string, c NewChannel, seen map[string]bool) (Channel, error) {
	c.Code, c.Name, c.Department = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name), strings.TrimSpace(c.Department)
	if !codeRe.MatchString(c.Code) || seen[c.Code] {
		return Channel{}, errs.F(errs.Invalid, "invalid_channel", "code", "code %q must be 1–32 letters, digits, - or _, once", c.Code)
	}
	seen[c.Code] = true
	if c.Name == "" || c.Department == "" {
		return Channel{}, errs.F(errs.Invalid, "invalid_channel", "name", "name and department must not be empty")
	}
	if !contains(Levels, c.Level) {
		return Channel{}, errs.F(errs.Invalid, "invalid_channel", "level", "level %q must be one of %s", c.Level, strings.Join(Levels, ", "))
	}
	cat, ok := p.Funds.Category(c.Category)
	if !ok {
		var codes []string
		for _, x := range p.Funds.Categories {
			codes = append(codes, x.Code)
		}
		return Channel{}, errs.F(errs.Invalid, "unknown_category", "category", "category %q is not in the %s profile (%s)", c.Category, p.ID, strings.Join(codes, ", "))
	}
	purposes := c.Purposes
	if len(purposes) == 0 {
		purposes = cat.Purposes
	}
	for _, pu := range purposes {
		if !contains(cat.Purposes, pu) {
			return Channel{}, errs.F(errs.RuleBroken, "purpose_mismatch", "purposes", "purpose %q is not one category %s may pay for (%s)", pu, cat.Code, strings.Join(cat.Purposes, ", "))
		}
	}
	if c.Year < 2000 || c.Year > 2100 {
		return Channel{}, errs.F(errs.Invalid, "invalid_channel", "year", "year %d is not a year", c.Year)
	}
	return Channel{County: county, Code: c.Code, Name: c.Name, Level: c.Level, Category: c.Category, Department: c.Department,
		Purposes: purposes, Integrable: cat.Integrable && !c.NotIntegrable, Year: c.Year, CreatedBy: actor}, nil
}

const channelCols = `code, name, level, category, department, purposes, integrable, year, first_arrival, created_at, created_by`

func scanChannel(county string, sc interface{ Scan(...any) error }) (Channel, error) {
	c := Channel{County: county}
	var purposes string
	var integ int
	var at int64
	if err := sc.Scan(&c.Code, &c.Name, &c.Level, &c.Category, &c.Department, &purposes, &integ, &c.Year, &c.FirstArrival, &at, &c.CreatedBy); err != nil {
		return c, err
	}
	if purposes != "" {
		c.Purposes = strings.Split(purposes, ",")
	}
	c.Integrable, c.CreatedAt = integ != 0, clock.FromMicros(at)
	return c, nil
}

// Channels lists the county's channels by code.
func (s *Service) Channels(ctx context.Context, county string) ([]Channel, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+channelCols+` FROM fund_channels WHERE county = ? ORDER BY code`, county)
	if err != nil {
		return nil, errs.Wrap(err, "funds: channels")
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		c, err := scanChannel(county, rows)
		if err != nil {
			return nil, errs.Wrap(err, "funds: scan channel")
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Channel returns one channel. Errors: NotFound (unknown_channel).
func (s *Service) Channel(ctx context.Context, county, code string) (Channel, error) {
	return s.channel(ctx, s.db, county, code)
}

// channel reads a channel through q (a use case's transaction).
func (s *Service) channel(ctx context.Context, q store.Querier, county, code string) (Channel, error) {
	c, err := scanChannel(county, q.QueryRowContext(ctx, `SELECT `+channelCols+` FROM fund_channels WHERE county = ? AND code = ?`, county, code))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.F(errs.NotFound, "unknown_channel", "channel", "channel %q is not registered", code)
	}
	if err != nil {
		return c, errs.Wrap(err, "funds: channel")
	}
	return c, nil
}

// SetPlan sets the planned amount of a channel for a year (M-04).
// Errors: NotFound (unknown_channel), Invalid.
func (s *Service) SetPlan(ctx context.Context, actor, county, channel string, year int, amount money.Fen) error {
	if _, err := s.Channel(ctx, county, channel); err != nil {
		return err
	}
	if year < 2000 || year > 2100 {
		return errs.F(errs.Invalid, "invalid_year", "year", "year %d is not a year", year)
	}
	if amount < 0 {
		return errs.F(errs.Invalid, "invalid_amount", "amount", "a plan cannot be negative")
	}
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO fund_plans (county, channel, year, amount, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (county, channel, year) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			county, channel, year, int64(amount), clock.Micros(tx.Now), actor); err != nil {
			return errs.Wrap(err, "funds: plan")
		}
		_, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "funds.plan", Object: fmt.Sprintf("plan %s %d", channel, year),
			Place: county + "000000", After: map[string]string{"amount": amount.Plain()}})
		return err
	})
}

// Movement is an arrival or an integration of one channel's money.
type Movement struct {
	Key     string    // idempotency key (a retry never moves money twice)
	Channel string    // channel code
	Amount  money.Fen // > 0
	Day     time.Time // the document's date (local)
	DocNo   string    // 文号
	Memo    string
}

// Arrive records money arriving on channels (资金到位): one ledger transfer
// per movement from the channel's external source to its account, all in
// one transaction with the audit entry. Errors: Invalid, NotFound
// (unknown_channel), Conflict (idempotency_conflict).
func (s *Service) Arrive(ctx context.Context, actor, county string, in []Movement) ([]ledger.Transfer, error) {
	return s.move(ctx, actor, county, "arrival", in)
}

// Integrate moves arrived money from channel accounts into the county
// pool (统筹整合), keeping each channel's tag. A channel that may not be
// integrated is refused with the rule named. Errors: RuleBroken
// (not_integrable), InsufficientFunds (more than arrived), Invalid,
// NotFound.
func (s *Service) Integrate(ctx context.Context, actor, county string, in []Movement) ([]ledger.Transfer, error) {
	return s.move(ctx, actor, county, "integration", in)
}

func (s *Service) move(ctx context.Context, actor, county, kind string, in []Movement) ([]ledger.Transfer, error) {
	if len(in) == 0 {
		return nil, errs.F(errs.Invalid, "invalid_movement", "movements", "nothing to record")
	}
	p, err := s.profile(ctx, county)
	if err != nil {
		return nil, err
	}
	var out []ledger.Transfer
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		// The channels are read inside the transaction: what is checked
		// (registered, integrable) is what is posted.
		reqs := make([]ledger.TransferRequest, len(in))
		chans := map[string]Channel{}
		for i, m := range in {
			field := func(f string) string {
				if len(in) == 1 {
					return f
				}
				return fmt.Sprintf("movements[%d].%s", i, f)
			}
			c, ok := chans[m.Channel]
			if !ok {
				if c, err = s.channel(ctx, tx, county, m.Channel); err != nil {
					return errs.F(errs.NotFound, "unknown_channel", field("channel"), "channel %q is not registered", m.Channel)
				}
				chans[m.Channel] = c
			}
			if m.Amount <= 0 {
				return errs.F(errs.Invalid, "invalid_amount", field("amount"), "amount must be greater than zero")
			}
			if m.Day.IsZero() {
				return errs.F(errs.Invalid, "invalid_date", field("day"), "the document date is required")
			}
			if strings.TrimSpace(m.Key) == "" {
				return errs.F(errs.Invalid, "invalid_key", field("key"), "an idempotency key is required")
			}
			req := ledger.TransferRequest{Key: kind + ":" + m.Key, Kind: kind, Legs: []ledger.Leg{{Channel: c.Code, Amount: m.Amount}}, DocNo: m.DocNo, Memo: m.Memo}
			if kind == "arrival" {
				req.From, req.To = ExternalCode(c.Code), AccountCode(c.Code)
			} else {
				if !c.Integrable {
					cat, _ := p.Funds.Category(c.Category)
					return errs.F(errs.RuleBroken, "not_integrable", field("channel"), "channel %s (%s) may not be integrated into the pool: %s (profile %s)", c.Code, c.Name, cat.Name, p.ID)
				}
				req.From, req.To = AccountCode(c.Code), PoolCode
			}
			reqs[i] = req
		}
		ts, n, err := s.l.PostTx(ctx, tx, actor, county, reqs)
		if err != nil {
			return err
		}
		out = ts
		if n == 0 {
			return nil // all replayed
		}
		for i, t := range ts {
			m := in[i]
			day := m.Day.In(clock.Zone)
			if err := recordMovement(ctx, tx, county, t, kind, "", day); err != nil {
				return err
			}
			if kind == "arrival" {
				d := day.Format("2006-01-02")
				if _, err := tx.ExecContext(ctx, `UPDATE fund_channels SET first_arrival = ? WHERE county = ? AND code = ? AND (first_arrival = '' OR first_arrival > ?)`, d, county, m.Channel, d); err != nil {
					return errs.Wrap(err, "funds: first arrival")
				}
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: actor, Action: "funds." + kind, Object: fmt.Sprintf("%d %s(s), first #%d", len(ts), kind, ts[0].ID),
			Place: county + "000000", After: in})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RateRow is one channel's plan, arrivals and integration in a year.
type RateRow struct {
	Channel    Channel
	Planned    money.Fen
	Arrived    money.Fen
	Integrated money.Fen
}

// ArrivalRate is planned ÷ arrived as a percentage string ("—" without a plan).
func (r RateRow) ArrivalRate() string { return pct(r.Arrived, r.Planned) }

// IntegrationRatio is integrated ÷ arrived.
func (r RateRow) IntegrationRatio() string { return pct(r.Integrated, r.Arrived) }

func pct(part, whole money.Fen) string {
	if whole <= 0 {
		return "—"
	}
	return money.Percent(part, whole)
}

// Report is the arrival and integration report of a year (M-02, M-03).
type Report struct {
	Year         int
	Rows         []RateRow
	Total        RateRow
	ByDepartment []RateRow // Channel.Department set, the rest zero
	ByCategory   []RateRow // Channel.Category set: the plan per channel group (M-04)
	MinRatio     policy.Percent
	RatioMet     bool
	InputPlan    []PlanActual // the profile's standing input plan vs the year's actuals
	Shares       []Check      // the profile's category shares (003)
}

// PlanActual is one line of the standing input plan (000 "5+3+1+X") with
// what the matching channels brought in the year.
type PlanActual struct {
	Line     policy.PlanLine
	Actual   money.Fen
	Short    money.Fen // Line.Amount − Actual when a fixed line is not met
	Met      bool      // a fixed line reached; open lines ("X") are always met
	Channels []string  // the channels counted
}

// matches reports whether a channel counts towards a plan line.
func (c Channel) matches(l policy.PlanLine) bool {
	if len(l.Levels) > 0 && !contains(l.Levels, c.Level) {
		return false
	}
	if len(l.Categories) > 0 && !contains(l.Categories, c.Category) {
		return false
	}
	if len(l.Purposes) > 0 {
		ok := false
		for _, p := range l.Purposes {
			ok = ok || contains(c.Purposes, p)
		}
		if !ok {
			return false
		}
	}
	return true
}

// YearReport sums plans, arrivals and integration per channel and
// department for a year, and checks the profile's minimum integration
// ratio. Errors: NotFound (no_profile).
func (s *Service) YearReport(ctx context.Context, county string, year int) (Report, error) {
	p, err := s.profile(ctx, county)
	if err != nil {
		return Report{}, err
	}
	chans, err := s.Channels(ctx, county)
	if err != nil {
		return Report{}, err
	}
	rows := map[string]*RateRow{}
	for _, c := range chans {
		rows[c.Code] = &RateRow{Channel: c}
	}
	q, err := s.db.QueryContext(ctx, `SELECT channel, amount FROM fund_plans WHERE county = ? AND year = ?`, county, year)
	if err != nil {
		return Report{}, errs.Wrap(err, "funds: plans")
	}
	for q.Next() {
		var ch string
		var amt int64
		if err := q.Scan(&ch, &amt); err != nil {
			q.Close()
			return Report{}, err
		}
		if r := rows[ch]; r != nil {
			r.Planned = money.Fen(amt)
		}
	}
	q.Close()
	q, err = s.db.QueryContext(ctx, `SELECT kind, channel, SUM(amount) FROM fund_movements WHERE county = ? AND year = ? GROUP BY kind, channel`, county, year)
	if err != nil {
		return Report{}, errs.Wrap(err, "funds: movements")
	}
	for q.Next() {
		var kind, ch string
		var amt int64
		if err := q.Scan(&kind, &ch, &amt); err != nil {
			q.Close()
			return Report{}, err
		}
		r := rows[ch]
		if r == nil {
			continue
		}
		switch kind {
		case "arrival":
			r.Arrived += money.Fen(amt)
		case "integration":
			r.Integrated += money.Fen(amt)
		}
	}
	q.Close()
	rep := Report{Year: year, MinRatio: p.Funds.MinIntegrationRatio}
	depts := map[string]*RateRow{}
	cats := map[string]*RateRow{}
	for _, c := range chans {
		r := rows[c.Code]
		rep.Rows = append(rep.Rows, *r)
		rep.Total.Planned += r.Planned
		rep.Total.Arrived += r.Arrived
		rep.Total.Integrated += r.Integrated
		d := depts[c.Department]
		if d == nil {
			d = &RateRow{Channel: Channel{Department: c.Department}}
			depts[c.Department] = d
		}
		d.Planned += r.Planned
		d.Arrived += r.Arrived
		d.Integrated += r.Integrated
		g := cats[c.Category]
		if g == nil {
			g = &RateRow{Channel: Channel{Category: c.Category}}
			cats[c.Category] = g
		}
		g.Planned += r.Planned
		g.Arrived += r.Arrived
		g.Integrated += r.Integrated
	}
	for _, g := range cats {
		rep.ByCategory = append(rep.ByCategory, *g)
	}
	sort.Slice(rep.ByCategory, func(i, j int) bool { return rep.ByCategory[i].Channel.Category < rep.ByCategory[j].Channel.Category })
	for _, d := range depts {
		rep.ByDepartment = append(rep.ByDepartment, *d)
	}
	sort.Slice(rep.ByDepartment, func(i, j int) bool {
		return rep.ByDepartment[i].Channel.Department < rep.ByDepartment[j].Channel.Department
	})
	// ratio ≥ min  ⇔  integrated × 10000 ≥ min × arrived
	lhs := new(big.Int).Mul(big.NewInt(int64(rep.Total.Integrated)), big.NewInt(10000))
	rhs := new(big.Int).Mul(big.NewInt(int64(rep.MinRatio)), big.NewInt(int64(rep.Total.Arrived)))
	rep.RatioMet = rep.Total.Arrived > 0 && lhs.Cmp(rhs) >= 0
	for _, l := range p.Funds.InputPlan {
		pa := PlanActual{Line: l}
		for _, r := range rep.Rows {
			if !r.Channel.matches(l) {
				continue
			}
			v := r.Arrived
			if l.Measure == policy.MeasureIntegrated {
				v = r.Integrated
			}
			pa.Actual += v
			if v != 0 {
				pa.Channels = append(pa.Channels, r.Channel.Code)
			}
		}
		pa.Met = pa.Actual >= l.Amount
		if !pa.Met {
			pa.Short = l.Amount - pa.Actual
		}
		rep.InputPlan = append(rep.InputPlan, pa)
	}
	if rep.Shares, err = s.ShareChecks(ctx, county, year); err != nil {
		return Report{}, err
	}
	return rep, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// recordMovement keeps a transfer's legs with their document day (and the
// project of an allocation) for the yearly reports and rule checks.
func recordMovement(ctx context.Context, tx *store.Tx, county string, t ledger.Transfer, kind, project string, day time.Time) error {
	day = day.In(clock.Zone)
	for _, l := range t.Legs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO fund_movements (county, transfer_id, channel, kind, project, year, day, amount, doc_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (county, transfer_id, channel) DO NOTHING`, county, t.ID, l.Channel, kind, project, day.Year(), day.Format("2006-01-02"), int64(l.Amount), t.DocNo); err != nil {
			return errs.Wrap(err, "funds: movement")
		}
	}
	return nil
}
