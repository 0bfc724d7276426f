package agreements

// Dividend runs (M-31, M-32): an active entity agreement pays its
// households a dividend per period — the agreement's year 1, 2, … of its
// term, counted from its start date. The operator pays the period's
// dividend into the county's dividend money (div:fund, ledger kind
// dividend_in, posted at once: a record of money that arrived on the
// bank's document), its legs the agreement's invested legs pro rata, so
// the money keeps the channels of the fiscal money that earned it. A run
// (instruct kind dividend_run, two people) freezes the period's amount —
// guaranteed: the year's rate × the money invested; equity: the declared
// returns × the households' share — split over the households by their
// quantified shares (equally when none are set) with largest-remainder
// rounding, each line with its share of the legs. Approved, its lines are
// the items of the payout mechanism's third client (source kind
// dividend): div:fund → div:bank → hh:CODE.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/store"
)

// DividendKind is the dividend runs' source kind in the payout mechanism:
// a line's source is a run line (ag_div_lines.id).
const DividendKind = "dividend"

// The dividends' ledger accounts: the dividend money operators pay into
// (no overdraft), the money at the bank awaiting its return (no
// overdraft), and the operators' side of their payments (external).
const (
	DividendFund      = "div:fund"
	DividendBank      = "div:bank"
	DividendOperators = "ext:operators"
)

// The dividends' ledger kinds: the operator's payment in, and the
// payout's sends and payments to households.
const (
	DividendInKind       = "dividend_in"
	DividendTransferKind = "dividend"
)

// DivLeg is one channel's part of a dividend (frozen in runs and lines).
type DivLeg = Leg

// Period is one period of an entity agreement's dividend schedule: what
// is owed, declared, paid in, run and paid to households.
type Period struct {
	Agreement   int64     `json:"agreement"`
	Period      int       `json:"period"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	DueBy       string    `json:"due_by"`
	Rate        string    `json:"rate"`     // guaranteed: the year's rate
	Declared    bool      `json:"declared"` // equity: returns declared
	Returns     money.Fen `json:"returns"`  // equity: the declared returns
	DeclaredDoc string    `json:"declared_doc"`
	Owed        money.Fen `json:"owed"` // the households' dividend for the period
	PaidIn      money.Fen `json:"paid_in"`
	Run         int64     `json:"run"` // the approved run (0: none)
	PaidOut     money.Fen `json:"paid_out"`
	Overdue     bool      `json:"overdue"`
	DaysLate    int       `json:"days_late"`
}

// Payment is an operator's payment into the dividend money.
type Payment struct {
	ID        int64     `json:"id"`
	Agreement int64     `json:"agreement"`
	Period    int       `json:"period"`
	Amount    money.Fen `json:"amount"`
	Legs      []Leg     `json:"legs"`
	DocNo     string    `json:"doc_no"`
	PaidOn    string    `json:"paid_on"`
	Transfer  int64     `json:"transfer"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Replayed  bool      `json:"-"`
}

// PaymentIn is what is entered of an operator's payment.
type PaymentIn struct {
	Key       string
	Agreement int64
	Period    int
	Amount    money.Fen
	DocNo     string
	PaidOn    string // YYYY-MM-DD; "" is today
}

// Run is an approved dividend run.
type Run struct {
	ID          int64     `json:"id"`
	Agreement   int64     `json:"agreement"`
	Period      int       `json:"period"`
	Place       string    `json:"place"`
	Amount      money.Fen `json:"amount"`
	Legs        []Leg     `json:"legs"`
	Instruction int64     `json:"instruction"`
	Maker       string    `json:"maker"`
	Approver    string    `json:"approver"`
	CreatedAt   time.Time `json:"created_at"`
}

// RunLine is one household's line of a run.
type RunLine struct {
	ID        int64     `json:"id"`
	Run       int64     `json:"run"`
	Agreement int64     `json:"agreement"`
	Period    int       `json:"period"`
	Household string    `json:"household"`
	Head      string    `json:"head"`
	Shares    int64     `json:"shares"`
	Amount    money.Fen `json:"amount"`
	Legs      []Leg     `json:"legs"`
	Status    string    `json:"status"` // waiting, sending, paid, failed
	Code      string    `json:"code"`   // a failed line's reason code
	Attempts  int       `json:"attempts"`
}

// RunOrder is a run as it is entered and frozen in its instruction.
type RunOrder struct {
	Agreement int64       `json:"agreement"`
	Period    int         `json:"period"`
	Amount    money.Fen   `json:"amount"`
	Legs      []Leg       `json:"legs"`
	Lines     []LineOrder `json:"lines"`
}

// LineOrder is a household's frozen line.
type LineOrder struct {
	Household string    `json:"household"`
	Shares    int64     `json:"shares"`
	Amount    money.Fen `json:"amount"`
	Legs      []Leg     `json:"legs"`
}

// Overdue is a period whose dividend the operator has not paid in (in
// full) by its due date.
type Overdue struct {
	Agreement int64      `json:"agreement"`
	Entity    string     `json:"entity"`
	Township  place.Code `json:"township"`
	Period    int        `json:"period"`
	DueBy     string     `json:"due_by"`
	DaysLate  int        `json:"days_late"`
	Owed      money.Fen  `json:"owed"`
	PaidIn    money.Fen  `json:"paid_in"`
	Short     money.Fen  `json:"short"`
	Declared  bool       `json:"declared"`
}

// UseInstructions registers the agreements' money instructions (two
// people) with ins: dividend runs (one agreement's, a county's) and the
// principal returned on an equity agreement's termination; l posts.
func (s *Service) UseInstructions(ins *instruct.Service, l *ledger.Ledger) {
	s.ins, s.l = ins, l
	ins.Register(instruct.PrincipalReturn, s.execPrincipalReturn)
	ins.Register(instruct.DividendRun, s.execRun)
	ins.Register(instruct.DividendCountyRun, s.execCountyRun)
}

// split divides total over weights in integer fen, largest remainder
// (money.Split): the parts sum exactly to total.
func split(total money.Fen, weights []int64) ([]money.Fen, error) {
	var sum int64
	for _, w := range weights {
		if w < 0 {
			return nil, errs.F(errs.Invalid, "invalid_shares", "households", "a share must not be negative")
		}
		sum += w
	}
	if sum == 0 && total != 0 {
		return nil, errs.F(errs.Invalid, "invalid_shares", "households", "nothing to split %s yuan over", total)
	}
	out, err := money.Split(total, weights)
	if err != nil {
		return nil, errs.Wrap(err, "agreements: split")
	}
	return out, nil
}

// splitLegs divides amount over legs pro rata (largest remainder),
// keeping the channels' order; channels getting nothing are left out.
func splitLegs(amount money.Fen, legs []Leg) ([]Leg, error) {
	w := make([]int64, len(legs))
	for i, l := range legs {
		w[i] = int64(l.Amount)
	}
	parts, err := split(amount, w)
	if err != nil {
		return nil, err
	}
	out := []Leg{}
	for i, v := range parts {
		if v > 0 {
			out = append(out, Leg{Channel: legs[i].Channel, Amount: v})
		}
	}
	return out, nil
}

// lineLegs gives each line its share of the run's legs so that every
// line's legs sum to the line and every channel's parts to the run's leg:
// each line but the last splits over what is left of each channel (pro
// rata, largest remainder, never above what is left); the last takes the
// rest.
func lineLegs(amounts []money.Fen, legs []Leg) ([][]Leg, error) {
	left := slices.Clone(legs)
	out := make([][]Leg, len(amounts))
	for i, a := range amounts {
		if i == len(amounts)-1 {
			out[i] = []Leg{}
			for _, l := range left {
				if l.Amount > 0 {
					out[i] = append(out[i], l)
				}
			}
			break
		}
		part, err := splitLegs(a, left)
		if err != nil {
			return nil, err
		}
		for _, p := range part {
			for j := range left {
				if left[j].Channel == p.Channel {
					left[j].Amount -= p.Amount
				}
			}
		}
		out[i] = part
	}
	return out, nil
}

// periodRange is period n's first and last day and the day its dividend
// is due (dueDays after the last).
func periodRange(a Agreement, n, dueDays int) (from, to, due time.Time, err error) {
	start, perr := time.Parse(time.DateOnly, a.Start)
	if perr != nil {
		return from, to, due, errs.F(errs.Invalid, "invalid_date", "start", "the agreement's start date is YYYY-MM-DD")
	}
	from = start.AddDate(n-1, 0, 0)
	to = start.AddDate(n, 0, -1)
	return from, to, to.AddDate(0, 0, dueDays), nil
}

func checkPeriod(a Agreement, n int) error {
	if a.Kind != Entity {
		return errs.F(errs.RuleBroken, "not_dividend", "agreement", "agreement %d pays no dividend: it is not an entity agreement", a.ID)
	}
	if n < 1 || n > a.TermYears {
		return errs.F(errs.Invalid, "invalid_period", "period", "the period is a year of the term, 1 to %d", a.TermYears)
	}
	return nil
}

// dividendState: a dividend is declared, paid in and run for an active
// agreement (or, for its past periods, one ended or renewed).
func dividendState(a Agreement) error {
	switch a.State {
	case Active, Ended, Renewed:
		return nil
	}
	return errs.F(errs.RuleBroken, "wrong_state", "state", "agreement %d is %s: dividends are paid for active agreements", a.ID, a.State)
}

// owedTx is what a period owes the households (and whether it is known:
// an equity period owes nothing until its returns are declared).
func owedTx(ctx context.Context, q store.Querier, a Agreement, n int) (owed, returns money.Fen, declared bool, doc string, err error) {
	if a.Form == Guaranteed {
		s := a.Schedule()
		if n-1 < len(s) {
			return s[n-1].Dividend, 0, true, "", nil
		}
		return 0, 0, false, "", nil
	}
	var r int64
	err = q.QueryRowContext(ctx, `SELECT returns, doc_no FROM ag_div_declared WHERE county = ? AND agreement = ? AND period = ?`, a.County, a.ID, n).Scan(&r, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, "", nil
	}
	if err != nil {
		return 0, 0, false, "", errs.Wrap(err, "agreements: declared")
	}
	return a.HouseholdsShare.Of(money.Fen(r)), money.Fen(r), true, doc, nil
}

func paidInTx(ctx context.Context, q store.Querier, county string, id int64, n int) (money.Fen, error) {
	var sum int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM ag_div_payments WHERE county = ? AND agreement = ? AND period = ?`, county, id, n).Scan(&sum); err != nil {
		return 0, errs.Wrap(err, "agreements: paid in")
	}
	return money.Fen(sum), nil
}

func (s *Service) dueDays(ctx context.Context, county string) int {
	p, _, err := s.counties.Current(ctx, county)
	if err != nil {
		return 90
	}
	return p.DividendRules().DueDays
}

// Periods is an entity agreement's dividend schedule, period by period,
// as of today: owed, declared, paid in, run, paid to households, late.
func (s *Service) Periods(ctx context.Context, p auth.Principal, a Agreement) ([]Period, error) {
	out := []Period{}
	if a.Kind != Entity {
		return out, nil
	}
	days := s.dueDays(ctx, a.County)
	today := clock.Day(s.now())
	for n := 1; n <= a.TermYears; n++ {
		from, to, due, err := periodRange(a, n, days)
		if err != nil {
			return nil, err
		}
		pd := Period{Agreement: a.ID, Period: n, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), DueBy: due.Format(time.DateOnly)}
		if a.Form == Guaranteed && n-1 < len(a.Rates) {
			pd.Rate = a.Rates[n-1].String()
		}
		if pd.Owed, pd.Returns, pd.Declared, pd.DeclaredDoc, err = owedTx(ctx, s.db, a, n); err != nil {
			return nil, err
		}
		if pd.PaidIn, err = paidInTx(ctx, s.db, a.County, a.ID, n); err != nil {
			return nil, err
		}
		var run, paid int64
		if err := s.db.QueryRowContext(ctx, `SELECT r.id, COALESCE((SELECT SUM(l.amount) FROM ag_div_lines l WHERE l.county = r.county AND l.run = r.id AND l.pay_status = 'paid'), 0)
			FROM ag_div_runs r WHERE r.county = ? AND r.agreement = ? AND r.period = ?`, a.County, a.ID, n).Scan(&run, &paid); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, errs.Wrap(err, "agreements: run")
		}
		pd.Run, pd.PaidOut = run, money.Fen(paid)
		if a.State == Active && today > pd.DueBy && (!pd.Declared || pd.PaidIn < pd.Owed) {
			pd.Overdue = true
			t, _ := time.Parse(time.DateOnly, today)
			pd.DaysLate = int(t.Sub(due).Hours() / 24)
		}
		out = append(out, pd)
	}
	return out, nil
}

// mayDeclare: an operator's returns are entered by the township that
// entrusted the money or the county's rural-revitalization or finance
// bureau.
func mayDeclare(p auth.Principal) error {
	switch p.Role {
	case auth.RoleTownship, auth.RoleRural, auth.RoleFinance:
		return nil
	}
	return errs.F(errs.Forbidden, "forbidden", "", "an operator's returns are entered by the township or the county's rural-revitalization or finance bureau")
}

// Declare records the returns an equity agreement's operator declares
// for a period, with its document (once a period). Errors: Forbidden,
// NotFound, Invalid, RuleBroken (not_dividend, wrong_state), Conflict
// (already_declared).
func (s *Service) Declare(ctx context.Context, p auth.Principal, id int64, n int, returns money.Fen, doc string) (Period, error) {
	if err := mayDeclare(p); err != nil {
		return Period{}, err
	}
	if err := checkText(&doc, true, "doc_no", "the document"); err != nil {
		return Period{}, err
	}
	if returns <= 0 {
		return Period{}, errs.F(errs.Invalid, "invalid_amount", "returns", "the returns must be more than zero")
	}
	var a Agreement
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var err error
		if a, err = s.get(ctx, tx, p, id); err != nil {
			return err
		}
		if err := checkPeriod(a, n); err != nil {
			return err
		}
		if a.Form != Equity {
			return errs.F(errs.RuleBroken, "not_equity", "agreement", "agreement %d is a guaranteed dividend: its dividend is its rate, nothing is declared", a.ID)
		}
		if err := dividendState(a); err != nil {
			return err
		}
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM ag_div_declared WHERE county = ? AND agreement = ? AND period = ?`, a.County, a.ID, n).Scan(&one); err == nil {
			return errs.F(errs.Conflict, "already_declared", "period", "the returns of agreement %d's year %d are already declared", a.ID, n)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return errs.Wrap(err, "agreements: declared")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ag_div_declared (county, agreement, period, returns, doc_no, declared_at, declared_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.County, a.ID, n, int64(returns), doc, clock.Micros(tx.Now), p.Username); err != nil {
			return errs.Wrap(err, "agreements: declare")
		}
		return s.audit(ctx, tx, p, a, "agreements.dividend_declare", map[string]any{"period": n, "returns": returns, "households": a.HouseholdsShare.Of(returns), "doc_no": doc})
	})
	if err != nil {
		return Period{}, err
	}
	ps, err := s.Periods(ctx, p, a)
	if err != nil {
		return Period{}, err
	}
	return ps[n-1], nil
}

func (s *Service) setupDivTx(ctx context.Context, tx *store.Tx, county string) error {
	root := place.Code(county + "000000")
	_, _, err := s.l.OpenAccountsTx(ctx, tx, county, []ledger.NewAccount{
		{Code: DividendFund, Kind: ledger.Suspense, Name: "分红资金", Owner: "县乡村振兴局", Place: root, NoOverdraft: true},
		{Code: DividendBank, Kind: ledger.Suspense, Name: "分红·银行代发在途", Place: root, NoOverdraft: true},
		{Code: DividendOperators, Kind: ledger.External, Name: "经营主体（分红缴付）", Place: root},
	})
	return err
}

func toLedger(legs []Leg) []ledger.Leg {
	out := make([]ledger.Leg, len(legs))
	for i, l := range legs {
		out[i] = ledger.Leg{Channel: l.Channel, Amount: l.Amount}
	}
	return out
}

// RecordPayment records the operator's payment of a period's dividend
// into the dividend money: posted at once (money that arrived, on the
// bank's document), from ext:operators to div:fund, its legs the
// agreement's invested legs pro rata. The same key again is the same
// payment (Replayed). Errors: Forbidden, NotFound, Invalid, RuleBroken
// (not_dividend, wrong_state, overpaid), Conflict (idempotency_conflict).
func (s *Service) RecordPayment(ctx context.Context, p auth.Principal, in PaymentIn) (Payment, error) {
	if err := mayPay(p); err != nil {
		return Payment{}, err
	}
	if s.l == nil {
		return Payment{}, errs.F(errs.Invalid, "unknown_payout_kind", "kind", "no capability pays items of kind %q", DividendKind)
	}
	in.Key = strings.TrimSpace(in.Key)
	if in.Key == "" || len(in.Key) > 150 {
		return Payment{}, errs.F(errs.Invalid, "invalid_key", "key", "an idempotency key of 1–200 characters is required")
	}
	if in.Amount <= 0 {
		return Payment{}, errs.F(errs.Invalid, "invalid_amount", "amount", "the amount must be more than zero")
	}
	if err := checkText(&in.DocNo, true, "doc_no", "the document"); err != nil {
		return Payment{}, err
	}
	now := s.now()
	if in.PaidOn = strings.TrimSpace(in.PaidOn); in.PaidOn == "" {
		in.PaidOn = clock.Day(now)
	} else if _, err := time.Parse(time.DateOnly, in.PaidOn); err != nil {
		return Payment{}, errs.F(errs.Invalid, "invalid_date", "paid_on", "the date is YYYY-MM-DD")
	}
	var out Payment
	err := s.db.Write(ctx, now, func(tx *store.Tx) error {
		a, err := s.get(ctx, tx, p, in.Agreement)
		if err != nil {
			return err
		}
		if err := checkPeriod(a, in.Period); err != nil {
			return err
		}
		if err := dividendState(a); err != nil {
			return err
		}
		legs, err := splitLegs(in.Amount, a.Legs)
		if err != nil {
			return err
		}
		if err := s.setupDivTx(ctx, tx, a.County); err != nil {
			return err
		}
		ts, _, err := s.l.PostTx(ctx, tx, p.Username, a.County, []ledger.TransferRequest{{Key: "dividend_in:" + in.Key, Kind: DividendInKind, From: DividendOperators, To: DividendFund,
			Legs: toLedger(legs), DocNo: in.DocNo, Memo: fmt.Sprintf("协议%d 第%d年分红缴付", a.ID, in.Period)}})
		if err != nil {
			return err
		}
		if ts[0].Replayed {
			out, err = paymentByTransfer(ctx, tx, a.County, ts[0].ID)
			if err != nil {
				return errs.F(errs.Conflict, "idempotency_conflict", "key", "key %q was used for another transfer", in.Key)
			}
			if out.Agreement != a.ID || out.Period != in.Period || out.Amount != in.Amount {
				return errs.F(errs.Conflict, "idempotency_conflict", "key", "key %q was used for another payment (%d)", in.Key, out.ID)
			}
			out.Replayed = true
			return nil
		}
		out = Payment{Agreement: a.ID, Period: in.Period, Amount: in.Amount, Legs: legs, DocNo: in.DocNo, PaidOn: in.PaidOn, Transfer: ts[0].ID, CreatedBy: p.Username, CreatedAt: now}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM ag_div_payments WHERE county = ?`, a.County).Scan(&out.ID); err != nil {
			return errs.Wrap(err, "agreements: payment id")
		}
		lj, _ := json.Marshal(legs)
		if _, err := tx.ExecContext(ctx, `INSERT INTO ag_div_payments (county, id, agreement, period, amount, legs, doc_no, paid_on, transfer, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.County, out.ID, a.ID, in.Period, int64(in.Amount), string(lj), in.DocNo, in.PaidOn, out.Transfer, clock.Micros(now), p.Username); err != nil {
			return errs.Wrap(err, "agreements: payment")
		}
		return s.audit(ctx, tx, p, a, "agreements.dividend_in", map[string]any{"period": in.Period, "amount": in.Amount, "legs": legs, "doc_no": in.DocNo, "transfer": out.Transfer})
	})
	if err != nil {
		return Payment{}, err
	}
	return out, nil
}

const payCols = `id, agreement, period, amount, legs, doc_no, paid_on, transfer, created_at, created_by`

func scanPayment(sc interface{ Scan(...any) error }) (Payment, error) {
	var py Payment
	var amt, at int64
	var legs string
	if err := sc.Scan(&py.ID, &py.Agreement, &py.Period, &amt, &legs, &py.DocNo, &py.PaidOn, &py.Transfer, &at, &py.CreatedBy); err != nil {
		return py, err
	}
	py.Amount, py.CreatedAt = money.Fen(amt), clock.FromMicros(at)
	py.Legs = []Leg{}
	_ = json.Unmarshal([]byte(legs), &py.Legs)
	return py, nil
}

func paymentByTransfer(ctx context.Context, q store.Querier, county string, transfer int64) (Payment, error) {
	return scanPayment(q.QueryRowContext(ctx, `SELECT `+payCols+` FROM ag_div_payments WHERE county = ? AND transfer = ?`, county, transfer))
}

// Payments lists an agreement's operator payments, oldest first.
func (s *Service) Payments(ctx context.Context, p auth.Principal, a Agreement) ([]Payment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+payCols+` FROM ag_div_payments WHERE county = ? AND agreement = ? ORDER BY id`, a.County, a.ID)
	if err != nil {
		return nil, errs.Wrap(err, "agreements: payments")
	}
	defer rows.Close()
	out := []Payment{}
	for rows.Next() {
		py, err := scanPayment(rows)
		if err != nil {
			return nil, errs.Wrap(err, "agreements: payments")
		}
		out = append(out, py)
	}
	return out, rows.Err()
}

// planTx computes period n's run of a as it would be frozen now.
func planTx(ctx context.Context, q store.Querier, a Agreement, n int) (RunOrder, error) {
	owed, _, declared, _, err := owedTx(ctx, q, a, n)
	if err != nil {
		return RunOrder{}, err
	}
	return planOf(a, n, owed, declared)
}

// planOf is the one computation of a run: period n's dividend owed
// (declared: known) split over a's households by their quantified shares
// (equally when none are set), each line with its share of the legs.
// The single run (planTx) and the county run (countyPlanTx) both use it.
func planOf(a Agreement, n int, owed money.Fen, declared bool) (RunOrder, error) {
	if !declared {
		return RunOrder{}, errs.F(errs.RuleBroken, "not_declared", "period", "the operator's returns of agreement %d's year %d are not declared yet", a.ID, n)
	}
	if owed <= 0 {
		return RunOrder{}, errs.F(errs.RuleBroken, "nothing_to_pay", "period", "agreement %d's year %d owes no dividend", a.ID, n)
	}
	legs, err := splitLegs(owed, a.Legs)
	if err != nil {
		return RunOrder{}, err
	}
	parties := slices.Clone(a.Parties)
	slices.SortFunc(parties, func(x, y Party) int { return strings.Compare(x.Household, y.Household) })
	w := make([]int64, len(parties))
	byShares := false
	for _, pt := range parties {
		byShares = byShares || pt.Shares > 0
	}
	for i, pt := range parties {
		w[i] = 1
		if byShares {
			w[i] = pt.Shares
		}
	}
	amounts, err := split(owed, w)
	if err != nil {
		return RunOrder{}, err
	}
	ll, err := lineLegs(amounts, legs)
	if err != nil {
		return RunOrder{}, err
	}
	// A household whose share rounds to nothing has no line (1 fen over 3
	// households: one line of 1 fen).
	o := RunOrder{Agreement: a.ID, Period: n, Amount: owed, Legs: legs, Lines: []LineOrder{}}
	for i, pt := range parties {
		if amounts[i] > 0 {
			o.Lines = append(o.Lines, LineOrder{Household: pt.Household, Shares: pt.Shares, Amount: amounts[i], Legs: ll[i]})
		}
	}
	return o, nil
}

// checkRunTx checks what a run needs at entry and again at approval: no
// run of the period yet, none pending under another key, the operator's
// payment of the period paid in, and the dividend money covering it per
// channel beside every line not yet sent.
func (s *Service) checkRunTx(ctx context.Context, tx *store.Tx, a Agreement, o RunOrder, self int64) error {
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM ag_div_runs WHERE county = ? AND agreement = ? AND period = ?`, a.County, a.ID, o.Period).Scan(&one); err == nil {
		return errs.F(errs.Conflict, "dividend_run_exists", "period", "agreement %d's year %d has its dividend run already", a.ID, o.Period)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return errs.Wrap(err, "agreements: run")
	}
	all := map[agPeriod]int64{} // single runs and county runs pending
	if err := pendingRunsTx(ctx, tx, a.County, self, all); err != nil {
		return err
	}
	if pending := all[agPeriod{a.ID, o.Period}]; pending != 0 {
		return errs.F(errs.Conflict, "dividend_run_pending", "period", "agreement %d's year %d has a run waiting for approval (instruction %d)", a.ID, o.Period, pending)
	}
	paid, err := paidInTx(ctx, tx, a.County, a.ID, o.Period)
	if err != nil {
		return err
	}
	if paid < o.Amount {
		return errs.F(errs.RuleBroken, "dividend_not_paid_in", "period", "the operator has paid %s of agreement %d's year-%d dividend of %s into the dividend money", paid, a.ID, o.Period, o.Amount)
	}
	if err := s.setupDivTx(ctx, tx, a.County); err != nil {
		return err
	}
	bals, err := s.l.BalancesTx(ctx, tx, a.County, DividendFund)
	if err != nil {
		return err
	}
	have := map[string]money.Fen{}
	for _, b := range bals {
		have[b.Channel] += b.Amount
	}
	rows, err := tx.QueryContext(ctx, `SELECT legs FROM ag_div_lines WHERE county = ? AND pay_status IN ('waiting', 'failed')`, a.County)
	if err != nil {
		return errs.Wrap(err, "agreements: unsent")
	}
	defer rows.Close()
	for rows.Next() {
		var lj string
		if err := rows.Scan(&lj); err != nil {
			return err
		}
		var ls []Leg
		_ = json.Unmarshal([]byte(lj), &ls)
		for _, l := range ls {
			have[l.Channel] -= l.Amount
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, l := range o.Legs {
		if have[l.Channel] < l.Amount {
			return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the dividend money holds %s yuan of channel %s beside the lines not yet paid; the run needs %s yuan", max(have[l.Channel], 0), l.Channel, l.Amount)
		}
	}
	return nil
}

func runSubject(id int64, n int) string { return fmt.Sprintf("agreement %d year %d", id, n) }

// ProposeRun enters period n's dividend run of agreement id for approval
// by another person, its lines frozen in the instruction; at approval it
// is computed again and refused if it changed (instruction_stale).
// Errors: Forbidden, NotFound, RuleBroken (not_dividend, wrong_state,
// not_declared, dividend_not_paid_in), Conflict (dividend_run_exists,
// dividend_run_pending), InsufficientFunds, and instruct's.
func (s *Service) ProposeRun(ctx context.Context, p auth.Principal, id int64, n int, key string) (instruct.Instruction, error) {
	if err := mayPay(p); err != nil {
		return instruct.Instruction{}, err
	}
	if s.ins == nil || s.l == nil {
		return instruct.Instruction{}, errs.F(errs.Invalid, "invalid_instruction", "kind", "no capability posts money of kind %q", instruct.DividendRun)
	}
	return s.ins.Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		a, err := s.get(ctx, tx, p, id)
		if err != nil {
			return instruct.New{}, err
		}
		if err := checkPeriod(a, n); err != nil {
			return instruct.New{}, err
		}
		if err := dividendState(a); err != nil {
			return instruct.New{}, err
		}
		o, err := planTx(ctx, tx, a, n)
		if err != nil {
			return instruct.New{}, err
		}
		// The same key again is the instruction entered: instruct answers it.
		var mine int64
		_ = tx.QueryRowContext(ctx, `SELECT id FROM money_instructions WHERE county = ? AND kind = ? AND ikey = ?`, a.County, instruct.DividendRun, strings.TrimSpace(key)).Scan(&mine)
		if err := s.checkRunTx(ctx, tx, a, o, mine); err != nil && !(mine != 0 && errs.CodeOf(err) == "dividend_run_pending") {
			return instruct.New{}, err
		}
		return instruct.New{Kind: instruct.DividendRun, Key: key, Place: a.Township, Amount: o.Amount, Subject: runSubject(a.ID, n),
			Summary: fmt.Sprintf("分红 协议%d 第%d年：%d 户，合计 %s 元（分红资金 → 农户）", a.ID, n, len(o.Lines), o.Amount), Payload: o}, nil
	})
}

// execRun freezes an approved run: computed again (instruction_stale if
// it changed), checked again, its run and lines written, waiting for a
// payout batch. It posts nothing: the money moves in the batches.
func (s *Service) execRun(ctx context.Context, tx *store.Tx, approver auth.Principal, in instruct.Instruction) ([]int64, error) {
	var o RunOrder
	if err := instruct.Decode(in, &o); err != nil {
		return nil, err
	}
	maker := approver
	maker.Place = place.Code(in.County + "000000")
	a, err := s.get(ctx, tx, maker, o.Agreement)
	if err != nil {
		return nil, err
	}
	if err := dividendState(a); err != nil {
		return nil, err
	}
	now, err := planTx(ctx, tx, a, o.Period)
	if err != nil {
		return nil, err
	}
	want, _ := json.Marshal(now)
	if string(want) != string(in.Payload) {
		return nil, errs.F(errs.Conflict, "instruction_stale", "", "agreement %d's year-%d dividend changed since the run was entered: enter it again", a.ID, o.Period)
	}
	if err := s.checkRunTx(ctx, tx, a, o, in.ID); err != nil {
		return nil, err
	}
	var run, line int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM ag_div_runs WHERE county = ?`, a.County).Scan(&run); err != nil {
		return nil, errs.Wrap(err, "agreements: run id")
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM ag_div_lines WHERE county = ?`, a.County).Scan(&line); err != nil {
		return nil, errs.Wrap(err, "agreements: line id")
	}
	lj, _ := json.Marshal(o.Legs)
	if _, err := tx.ExecContext(ctx, `INSERT INTO ag_div_runs (county, id, agreement, period, place, amount, legs, instruction, maker, approver, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.County, run, a.ID, o.Period, string(a.Township), int64(o.Amount), string(lj), in.ID, in.Maker, approver.Username, clock.Micros(tx.Now)); err != nil {
		return nil, errs.Wrap(err, "agreements: run")
	}
	for _, l := range o.Lines {
		var vil string
		if err := tx.QueryRowContext(ctx, `SELECT village FROM reg_households WHERE county = ? AND code = ?`, a.County, l.Household).Scan(&vil); err != nil {
			return nil, errs.Wrap(err, "agreements: household %s", l.Household)
		}
		line++
		legs, _ := json.Marshal(l.Legs)
		if _, err := tx.ExecContext(ctx, `INSERT INTO ag_div_lines (county, id, run, agreement, household, place, shares, amount, legs, pay_status, attempts, paid_transfer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', 0, 0)`,
			a.County, line, run, a.ID, l.Household, vil, l.Shares, int64(l.Amount), string(legs)); err != nil {
			return nil, errs.Wrap(err, "agreements: line")
		}
	}
	_, err = audit.Append(ctx, tx, audit.Entry{County: a.County, Actor: approver.Username, Action: "agreements.dividend_run", Object: fmt.Sprintf("agreement %d", a.ID), Place: string(a.Place),
		After: map[string]any{"run": run, "period": o.Period, "amount": o.Amount, "legs": o.Legs, "households": len(o.Lines), "maker": in.Maker, "approver": approver.Username, "instruction": in.ID}})
	return []int64{}, err
}

const runCols = `id, agreement, period, place, amount, legs, instruction, maker, approver, created_at`

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var amt, at int64
	var legs string
	if err := sc.Scan(&r.ID, &r.Agreement, &r.Period, &r.Place, &amt, &legs, &r.Instruction, &r.Maker, &r.Approver, &at); err != nil {
		return r, err
	}
	r.Amount, r.CreatedAt, r.Legs = money.Fen(amt), clock.FromMicros(at), []Leg{}
	_ = json.Unmarshal([]byte(legs), &r.Legs)
	return r, nil
}

func unknownRun() error { return errs.F(errs.NotFound, "unknown_run", "run", "no such dividend run") }

// Run returns an approved run p may see, with its lines. Errors:
// NotFound (unknown_run, also outside p's area).
func (s *Service) Run(ctx context.Context, p auth.Principal, id int64) (Run, []RunLine, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runCols+` FROM ag_div_runs WHERE county = ? AND id = ?`, p.County, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !p.Sees(place.Code(r.Place))) {
		return Run{}, nil, unknownRun()
	}
	if err != nil {
		return Run{}, nil, errs.Wrap(err, "agreements: run")
	}
	ls, err := s.lines(ctx, p, `l.run = ?`, r.ID)
	return r, ls, err
}

// Runs lists an agreement's approved runs, by period.
func (s *Service) Runs(ctx context.Context, p auth.Principal, a Agreement) ([]Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runCols+` FROM ag_div_runs WHERE county = ? AND agreement = ? ORDER BY period`, a.County, a.ID)
	if err != nil {
		return nil, errs.Wrap(err, "agreements: runs")
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, errs.Wrap(err, "agreements: runs")
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// HouseholdDividends lists the dividend lines of a household p sees,
// newest first. Errors: NotFound (unknown_household).
func (s *Service) HouseholdDividends(ctx context.Context, p auth.Principal, code string) ([]RunLine, error) {
	if _, _, err := household(ctx, s.db, p, code); err != nil {
		return nil, err
	}
	q := p
	q.Place = place.Code(p.County + "000000") // the household is p's: its lines are shown whole
	ls, err := s.lines(ctx, q, `l.household = ?`, code)
	if err != nil {
		return nil, err
	}
	slices.Reverse(ls)
	return ls, nil
}

func (s *Service) lines(ctx context.Context, p auth.Principal, where string, arg any) ([]RunLine, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT l.id, l.run, l.agreement, r.period, l.household, COALESCE(h.head, ''), l.place, l.shares, l.amount, l.legs, l.pay_status, l.attempts,
		COALESCE((SELECT pl.code FROM payout_lines pl WHERE pl.county = l.county AND pl.kind = 'dividend' AND pl.source = l.id AND pl.attempt = l.attempts), '')
		FROM ag_div_lines l JOIN ag_div_runs r ON r.county = l.county AND r.id = l.run
		LEFT JOIN reg_households h ON h.county = l.county AND h.code = l.household
		WHERE l.county = ? AND `+where+` ORDER BY l.id`, p.County, arg)
	if err != nil {
		return nil, errs.Wrap(err, "agreements: lines")
	}
	defer rows.Close()
	out := []RunLine{}
	for rows.Next() {
		var l RunLine
		var pl, legs string
		var amt int64
		if err := rows.Scan(&l.ID, &l.Run, &l.Agreement, &l.Period, &l.Household, &l.Head, &pl, &l.Shares, &amt, &legs, &l.Status, &l.Attempts, &l.Code); err != nil {
			return nil, errs.Wrap(err, "agreements: lines")
		}
		if !p.Sees(place.Code(pl)) {
			continue
		}
		l.Amount, l.Legs = money.Fen(amt), []Leg{}
		_ = json.Unmarshal([]byte(legs), &l.Legs)
		out = append(out, l)
	}
	return out, rows.Err()
}

// OverdueDividends lists the periods of active entity agreements in p's
// area whose dividend the operator has not paid in full by the due date
// (the profile's dividends.due_days after the period's end), latest due
// first.
func (s *Service) OverdueDividends(ctx context.Context, p auth.Principal) ([]Overdue, error) {
	lo, hi := place.Range(p.Prefix())
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM ag_agreements WHERE county = ? AND kind = 'entity' AND state = 'active' AND place BETWEEN ? AND ? ORDER BY id`, p.County, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "agreements: overdue")
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []Overdue{}
	for _, id := range ids {
		a, err := s.get(ctx, s.db, p, id)
		if err != nil {
			continue
		}
		ps, err := s.Periods(ctx, p, a)
		if err != nil {
			return nil, err
		}
		for _, pd := range ps {
			if pd.Overdue {
				out = append(out, Overdue{Agreement: a.ID, Entity: a.Entity, Township: a.Township, Period: pd.Period, DueBy: pd.DueBy, DaysLate: pd.DaysLate,
					Owed: pd.Owed, PaidIn: pd.PaidIn, Short: max(pd.Owed-pd.PaidIn, 0), Declared: pd.Declared})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y Overdue) int { return y.DaysLate - x.DaysLate })
	return out, nil
}

// dividendClient is the dividend runs as the payout mechanism's third
// client: its items are the approved runs' lines, paid from DividendFund
// to DividendBank and then to the household's hh:CODE, each with the
// legs frozen at its run.
type dividendClient struct{ s *Service }

func (dividendClient) Spec() payout.Spec {
	return payout.Spec{Kind: DividendKind, BatchKind: instruct.DividendBatch, Source: DividendFund, Transit: DividendBank, TransferKind: DividendTransferKind,
		Title: "收益分红", Item: "分红明细", Payee: "户", Back: "分红资金"}
}

func (dividendClient) Permit(p auth.Principal) error { return mayPay(p) }

func (c dividendClient) Setup(ctx context.Context, tx *store.Tx, county string) error {
	return c.s.setupDivTx(ctx, tx, county)
}

func divItems(ctx context.Context, tx *store.Tx, county, status string, after, bound int64, limit int) ([]payout.Item, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.household, l.place, l.amount, l.attempts, COALESCE(h.card_mask, ''), COALESCE(h.card_hash, ''), COALESCE(h.card_holder, ''), COALESCE(h.card_bank, '')
		FROM ag_div_lines l LEFT JOIN reg_households h ON h.county = l.county AND h.code = l.household
		WHERE l.county = ? AND l.pay_status = ? AND l.id > ? AND l.id <= ? ORDER BY l.id LIMIT ?`, county, status, after, bound, limit)
	if err != nil {
		return nil, errs.Wrap(err, "agreements: dividends to pay")
	}
	defer rows.Close()
	var out []payout.Item
	for rows.Next() {
		var it payout.Item
		var pl, hash, holder, bank string
		var amt int64
		if err := rows.Scan(&it.Source, &it.Payee, &pl, &amt, &it.Attempts, &it.CardMask, &hash, &holder, &bank); err != nil {
			return nil, err
		}
		it.Place, it.Amount, it.CardRef = place.Code(pl), money.Fen(amt), cardRef(hash, holder, bank)
		out = append(out, it)
	}
	return out, rows.Err()
}

// cardRef is the digest of a card as a payout line records it (the
// keyed card hash, holder and bank): the direct subsidies' way.
func cardRef(hash, holder, bank string) string {
	sum := sha256.Sum256([]byte(hash + "\x00" + holder + "\x00" + bank))
	return hex.EncodeToString(sum[:12])
}

func (dividendClient) Waiting(ctx context.Context, tx *store.Tx, county string, bound int64, limit int) ([]payout.Item, error) {
	return divItems(ctx, tx, county, PayWaiting, 0, bound, limit)
}

func (dividendClient) WaitingTotals(ctx context.Context, tx *store.Tx, county string, bound int64) (payout.Totals, error) {
	var t payout.Totals
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(MAX(id), 0), COALESCE(SUM(attempts), 0) FROM ag_div_lines
		WHERE county = ? AND pay_status = 'waiting' AND id <= ?`, county, bound).Scan(&t.Count, &total, &t.Bound, &t.Attempts); err != nil {
		return t, errs.Wrap(err, "agreements: dividends to pay")
	}
	t.Total = money.Fen(total)
	return t, nil
}

func (dividendClient) Failed(ctx context.Context, tx *store.Tx, county string, after, bound int64, limit int) ([]payout.Item, error) {
	return divItems(ctx, tx, county, PayFailed, after, bound, limit)
}

// Legs are the lines' legs frozen at their run.
func (dividendClient) Legs(ctx context.Context, tx *store.Tx, county string, its []payout.Item) ([][]ledger.Leg, error) {
	where, args := payout.SourcesIn(county, its)
	rows, err := tx.QueryContext(ctx, `SELECT id, legs FROM ag_div_lines WHERE `+where, args...)
	if err != nil {
		return nil, errs.Wrap(err, "agreements: line legs")
	}
	defer rows.Close()
	by := map[int64][]ledger.Leg{}
	for rows.Next() {
		var id int64
		var lj string
		if err := rows.Scan(&id, &lj); err != nil {
			return nil, err
		}
		var ls []Leg
		if err := json.Unmarshal([]byte(lj), &ls); err != nil {
			return nil, errs.Wrap(err, "agreements: line %d legs", id)
		}
		by[id] = toLedger(ls)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([][]ledger.Leg, len(its))
	for i, it := range its {
		out[i] = by[it.Source]
	}
	return out, nil
}

func (c dividendClient) Covers(ctx context.Context, tx *store.Tx, county string, total money.Fen) error {
	bal, err := c.s.l.TotalTx(ctx, tx, county, DividendFund)
	if err != nil {
		return err
	}
	if bal < total {
		return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the dividend money holds %s yuan; the batch needs %s yuan", bal, total)
	}
	return nil
}

func (dividendClient) Sending(ctx context.Context, tx *store.Tx, county string, its []payout.Item) error {
	where, args := payout.SourcesIn(county, its)
	if _, err := tx.ExecContext(ctx, `UPDATE ag_div_lines SET pay_status = 'sending', attempts = attempts + 1 WHERE `+where, args...); err != nil {
		return errs.Wrap(err, "agreements: sending")
	}
	return nil
}

func (dividendClient) Settled(ctx context.Context, tx *store.Tx, county string, l payout.Line, paid bool, transfer int64) error {
	status := PayPaid
	if !paid {
		status = PayFailed
	}
	if _, err := tx.ExecContext(ctx, `UPDATE ag_div_lines SET pay_status = ?, paid_transfer = ? WHERE county = ? AND id = ?`, status, transfer, county, l.Source); err != nil {
		return errs.Wrap(err, "agreements: settle")
	}
	return nil
}

func (dividendClient) Moved(context.Context, *store.Tx, string) error { return nil }

func (c dividendClient) PayeeAccount(ctx context.Context, tx *store.Tx, county string, l payout.Line) (string, error) {
	return subsidyClient(c).PayeeAccount(ctx, tx, county, l)
}

func (c dividendClient) Card(ctx context.Context, county, payee string) (holder, bank, number string, err error) {
	return c.s.reg.CardInClear(ctx, county, payee)
}

func (dividendClient) Nothing() error {
	return errs.F(errs.RuleBroken, "nothing_to_pay", "", "no dividend line of an approved run is waiting for payment")
}

func (dividendClient) Short(err error) error {
	return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the dividend money cannot pay this batch: a payment may not take it below zero (%v)", err)
}

// LineRun is the run a dividend line p may see belongs to. Errors:
// NotFound (unknown_run).
func (s *Service) LineRun(ctx context.Context, p auth.Principal, line int64) (int64, error) {
	var run int64
	var pl string
	err := s.db.QueryRowContext(ctx, `SELECT run, place FROM ag_div_lines WHERE county = ? AND id = ?`, p.County, line).Scan(&run, &pl)
	if err != nil || !p.Sees(place.Code(pl)) {
		return 0, unknownRun()
	}
	return run, nil
}
