// Package relief is the anti-return-to-poverty relief fund (防返贫基金,
// seed 004, M-60 … M-64): money in from donations and the treasury, a
// floor that raises a treasury top-up request by itself, eligibility and
// the top-up computed from the households registry, the application's
// review on the workflow engine with a masked public notice and the bank
// check, and payment straight to the household's card through a bank
// payout file and the bank's return file — each household paid once.
package relief

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
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

// The fund's ledger accounts and channels.
const (
	FundAccount     = "relief:fund" // the fund itself (no overdraft)
	BankAccount     = "relief:bank" // paid out, awaiting the bank's return (no overdraft)
	DonorsAccount   = "ext:relief-donors"
	TreasuryAccount = "ext:relief-treasury"
	DonationChannel = "RD" // 防返贫基金·社会捐赠
	TreasuryChannel = "RT" // 防返贫基金·财政补充
)

// HouseholdAccount is a registry household's ledger account.
func HouseholdAccount(code string) string { return "hh:" + code }

// Kind is the workflow kind of relief applications.
const Kind = "relief"

// Application statuses.
const (
	InReview = "review"
	Approved = "approved"
	Sending  = "sending" // in a payout batch at the bank
	Paid     = "paid"
	Failed   = "failed" // the bank returned it: correct the card, send again
	Rejected = "rejected"
)

// Service is the relief capability.
type Service struct {
	db       *store.DB
	l        *ledger.Ledger
	reg      *registry.Service
	keys     *registry.Keys
	wf       *workflow.Engine
	counties *policy.Counties
	now      clock.Clock
	ins      *instruct.Service // two people on money (UseInstructions)
	pay      *payout.Service   // the payout mechanism relief is a client of (UsePayout)
}

// New returns the service.
func New(db *store.DB, l *ledger.Ledger, reg *registry.Service, keys *registry.Keys, wf *workflow.Engine, counties *policy.Counties, now clock.Clock) *Service {
	if now == nil {
		now = clock.System
	}
	s := &Service{db: db, l: l, reg: reg, keys: keys, wf: wf, counties: counties, now: now}
	s.UsePayout(payout.New(db, l, now))
	return s
}

func (s *Service) profile(ctx context.Context, county string) (policy.Profile, error) {
	p, _, err := s.counties.Current(ctx, county)
	return p, err
}

// setupTx opens the fund's channels and accounts the first time.
func (s *Service) setupTx(ctx context.Context, tx *store.Tx, county string) error {
	root := place.Code(county + "000000")
	if _, _, err := s.l.CreateChannelsTx(ctx, tx, county, []ledger.NewChannel{{Code: DonationChannel, Name: "防返贫基金·社会捐赠"}, {Code: TreasuryChannel, Name: "防返贫基金·财政补充"}}); err != nil {
		return err
	}
	_, _, err := s.l.OpenAccountsTx(ctx, tx, county, []ledger.NewAccount{
		{Code: DonorsAccount, Kind: ledger.External, Name: "社会捐赠（防返贫基金）", Place: root},
		{Code: TreasuryAccount, Kind: ledger.External, Name: "县财政（防返贫基金）", Place: root},
		{Code: FundAccount, Kind: ledger.Relief, Name: "防返贫基金", Place: root, NoOverdraft: true},
		{Code: BankAccount, Kind: ledger.Suspense, Name: "防返贫基金·银行代发在途", Place: root, NoOverdraft: true},
	})
	return err
}

// Inflow is money into the fund.
type Inflow struct {
	Key      string
	Source   string // donation, treasury
	Donor    string
	Campaign string // e.g. 10·17 扶贫日
	Amount   money.Fen
	Day      time.Time
	DocNo    string
}

// Receive records money into the fund: a donation (donor, campaign) or a
// treasury top-up, then re-checks the floor. Finance or the rural bureau
// at the county. Errors: Invalid, Forbidden.
func (s *Service) Receive(ctx context.Context, p auth.Principal, in Inflow) (ledger.Transfer, error) {
	if p.Role != auth.RoleFinance && p.Role != auth.RoleRural || p.Place.Level() != place.County {
		return ledger.Transfer{}, errs.F(errs.Forbidden, "forbidden", "", "money into the fund is recorded by the county's finance or rural-revitalization bureau")
	}
	in.Donor, in.Campaign, in.Key = strings.TrimSpace(in.Donor), strings.TrimSpace(in.Campaign), strings.TrimSpace(in.Key)
	if in.Key == "" {
		return ledger.Transfer{}, errs.F(errs.Invalid, "invalid_key", "key", "an idempotency key is required")
	}
	if in.Amount <= 0 {
		return ledger.Transfer{}, errs.F(errs.Invalid, "invalid_amount", "amount", "the amount must be greater than zero")
	}
	var from, ch, kind string
	switch in.Source {
	case "donation":
		if in.Donor == "" {
			return ledger.Transfer{}, errs.F(errs.Invalid, "invalid_donation", "donor", "name the donor")
		}
		from, ch, kind = DonorsAccount, DonationChannel, "donation"
	case "treasury":
		from, ch, kind = TreasuryAccount, TreasuryChannel, "topup"
	default:
		return ledger.Transfer{}, errs.F(errs.Invalid, "invalid_source", "source", "source must be donation or treasury")
	}
	if in.Day.IsZero() {
		in.Day = s.now()
	}
	var out ledger.Transfer
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		if err := s.setupTx(ctx, tx, p.County); err != nil {
			return err
		}
		memo := in.Donor
		if in.Campaign != "" {
			memo += "（" + in.Campaign + "）"
		}
		ts, n, err := s.l.PostTx(ctx, tx, p.Username, p.County, []ledger.TransferRequest{{Key: "relief-in:" + in.Key, Kind: kind, From: from, To: FundAccount,
			Legs: []ledger.Leg{{Channel: ch, Amount: in.Amount}}, DocNo: in.DocNo, Memo: ident.Scrub(memo)}})
		if err != nil {
			return err
		}
		out = ts[0]
		if n == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO relief_inflows (county, transfer_id, source, donor, campaign, day, amount) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.County, out.ID, in.Source, in.Donor, in.Campaign, clock.Day(in.Day), int64(in.Amount)); err != nil {
			return errs.Wrap(err, "relief: inflow")
		}
		if err := s.floorTx(ctx, tx, p.County, in.Source == "treasury"); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "relief.receive", Object: fmt.Sprintf("%s #%d", in.Source, out.ID),
			Place: p.County + "000000", After: in})
		return err
	})
	return out, err
}

// fundBalance is what the fund holds on all channels, read in tx.
func fundBalance(ctx context.Context, tx *store.Tx, county string) (money.Fen, error) {
	var b int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(b.balance), 0) FROM ledger_balances b JOIN ledger_accounts a ON a.county = b.county AND a.id = b.account_id
		WHERE a.county = ? AND a.code = ?`, county, FundAccount).Scan(&b)
	if err != nil {
		return 0, errs.Wrap(err, "relief: balance")
	}
	return money.Fen(b), nil
}

// floorTx keeps the treasury top-up request (M-64): below the floor, one
// open request for the difference; at or above it, the request is met.
func (s *Service) floorTx(ctx context.Context, tx *store.Tx, county string, treasuryArrived bool) error {
	prof, err := s.profile(ctx, county)
	if err != nil {
		return err
	}
	floor := prof.Relief.Floor
	if floor <= 0 {
		return nil
	}
	bal, err := fundBalance(ctx, tx, county)
	if err != nil {
		return err
	}
	var id, amt int64
	err = tx.QueryRowContext(ctx, `SELECT id, amount FROM relief_requests WHERE county = ? AND status = 'open'`, county).Scan(&id, &amt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return errs.Wrap(err, "relief: request")
	}
	err = nil
	now := clock.Micros(tx.Now)
	switch {
	case bal >= floor && id != 0:
		_, err = tx.ExecContext(ctx, `UPDATE relief_requests SET status = 'met', updated_at = ? WHERE county = ? AND id = ?`, now, county, id)
	case bal < floor && id != 0 && int64(floor-bal) != amt:
		_, err = tx.ExecContext(ctx, `UPDATE relief_requests SET amount = ?, updated_at = ? WHERE county = ? AND id = ?`, int64(floor-bal), now, county, id)
	case bal < floor && id == 0:
		_, err = tx.ExecContext(ctx, `INSERT INTO relief_requests (county, id, amount, status, raised_at, updated_at)
			VALUES (?, (SELECT COALESCE(MAX(id), 0) + 1 FROM relief_requests WHERE county = ?), ?, 'open', ?, ?)`, county, county, int64(floor-bal), now, now)
		if err == nil {
			_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: "system", Action: "relief.topup_request", Object: "relief fund",
				Place: county + "000000", After: map[string]string{"balance": bal.String(), "floor": floor.String(), "requested": (floor - bal).String()}})
		}
	}
	if err != nil {
		return errs.Wrap(err, "relief: floor")
	}
	return nil
}

// Request is an open (or met) treasury top-up request.
type Request struct {
	ID       int64
	Amount   money.Fen
	Status   string
	RaisedAt time.Time
}

// Fund is the fund's state for the dashboard and the public page.
type Fund struct {
	Balance    money.Fen
	InTransit  money.Fen // sent to the bank, not yet returned
	Floor      money.Fen
	Open       *Request
	Donations  money.Fen
	Treasury   money.Fen
	Paid       money.Fen
	ByCampaign []Amount // donations by campaign
	ByVillage  []Amount // paid out by village
	ByMonth    []Amount // paid out by month
}

// Amount is a labelled sum.
type Amount struct {
	Label string
	Count int
	Sum   money.Fen
}

// OpenRequest is the treasury top-up request waiting for its money, or
// nil: one indexed read, for the dashboard.
func (s *Service) OpenRequest(ctx context.Context, county string) (*Request, error) {
	var r Request
	var at, amt int64
	err := s.db.QueryRowContext(ctx, `SELECT id, amount, status, raised_at FROM relief_requests WHERE county = ? AND status = 'open'`, county).Scan(&r.ID, &amt, &r.Status, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(err, "relief: request")
	}
	r.Amount, r.RaisedAt = money.Fen(amt), clock.FromMicros(at)
	return &r, nil
}

// Fund reads the fund's balance, the open request and where money came
// from and went, without any personal data.
func (s *Service) Fund(ctx context.Context, county string) (Fund, error) {
	var f Fund
	if prof, err := s.profile(ctx, county); err == nil {
		f.Floor = prof.Relief.Floor
	}
	for code, dst := range map[string]*money.Fen{FundAccount: &f.Balance, BankAccount: &f.InTransit} {
		bals, err := s.l.Balances(ctx, county, code)
		if errs.KindOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return f, err
		}
		for _, b := range bals {
			*dst += b.Amount
		}
	}
	var err error
	if f.Open, err = s.OpenRequest(ctx, county); err != nil {
		return f, err
	}
	sums := func(q string, args ...any) ([]Amount, error) {
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, errs.Wrap(err, "relief: sums")
		}
		defer rows.Close()
		var out []Amount
		for rows.Next() {
			var a Amount
			var sum int64
			if err := rows.Scan(&a.Label, &a.Count, &sum); err != nil {
				return nil, err
			}
			a.Sum = money.Fen(sum)
			out = append(out, a)
		}
		return out, rows.Err()
	}
	in, err := sums(`SELECT source, COUNT(*), SUM(amount) FROM relief_inflows WHERE county = ? GROUP BY source`, county)
	if err != nil {
		return f, err
	}
	for _, a := range in {
		if a.Label == "donation" {
			f.Donations = a.Sum
		} else {
			f.Treasury = a.Sum
		}
	}
	if f.ByCampaign, err = sums(`SELECT CASE WHEN campaign = '' THEN '—' ELSE campaign END, COUNT(*), SUM(amount) FROM relief_inflows WHERE county = ? AND source = 'donation' GROUP BY 1 ORDER BY 1`, county); err != nil {
		return f, err
	}
	if f.ByVillage, err = sums(`SELECT place, COUNT(*), SUM(amount) FROM payout_lines WHERE county = ? AND kind = ? AND status = 'paid' GROUP BY place ORDER BY place`, county, PayoutKind); err != nil {
		return f, err
	}
	for _, a := range f.ByVillage {
		f.Paid += a.Sum
	}
	if f.ByMonth, err = s.paidByMonth(ctx, county); err != nil {
		return f, err
	}
	return f, nil
}

// paidByMonth sums the paid lines by the month they were settled.
func (s *Service) paidByMonth(ctx context.Context, county string) ([]Amount, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT settled_at, amount FROM payout_lines WHERE county = ? AND kind = ? AND status = 'paid'`, county, PayoutKind)
	if err != nil {
		return nil, errs.Wrap(err, "relief: by month")
	}
	defer rows.Close()
	idx := map[string]int{}
	var out []Amount
	for rows.Next() {
		var at, amt int64
		if err := rows.Scan(&at, &amt); err != nil {
			return nil, err
		}
		m := clock.FromMicros(at).Format("2006-01")
		i, ok := idx[m]
		if !ok {
			i = len(out)
			idx[m] = i
			out = append(out, Amount{Label: m})
		}
		out[i].Count++
		out[i].Sum += money.Fen(amt)
	}
	return out, rows.Err()
}
