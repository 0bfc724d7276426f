package assets

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
)

// IncomeService is the assets capability's money side (M-51, M-52):
// leases and 入股 of operating assets, the income that arrives on an
// asset's account, its distribution by the county's rule (a money
// instruction; the households' lines paid through the shared payout
// mechanism as its client of kind "asset"), the yearly valuations and the
// report of value kept and grown (保值增值), and the idle-asset leads.
type IncomeService struct {
	a   *Service
	db  *store.DB
	l   *ledger.Ledger
	pc  *policy.Counties
	reg *registry.Service
	pay *payout.Service
	ins *instruct.Service
	now clock.Clock
}

// NewIncome returns the income side of the assets capability a. now nil
// is the system clock.
func NewIncome(a *Service, pc *policy.Counties, reg *registry.Service, now clock.Clock) *IncomeService {
	if now == nil {
		now = clock.System
	}
	return &IncomeService{a: a, db: a.db, l: a.l, pc: pc, reg: reg, now: now}
}

// Assets is the register the income belongs to.
func (s *IncomeService) Assets() *Service { return s.a }

// The kinds of income.
const (
	IncomeRent     = "rent"     // 租金
	IncomeDividend = "dividend" // 分红 (an operator's dividend, 入股)
	IncomeSales    = "sales"    // 经营收入
)

// IncomeKinds lists them in order.
var IncomeKinds = []string{IncomeRent, IncomeDividend, IncomeSales}

// IncomeSource is the external account income arrives from when no
// payer is named (资产收益来源).
const IncomeSource = "ext:asset-income"

// IncomeTransferKind is the ledger kind of an asset's income.
const IncomeTransferKind = "asset_income"

// Income is money that arrived on an asset's account.
type Income struct {
	ID         int64
	Asset      int64
	Period     int // the year
	Kind       string
	Lease      int64
	Amount     money.Fen
	Legs       []Leg
	DocNo      string
	Payer      string
	ReceivedOn string
	Transfer   int64
	CreatedBy  string
	CreatedAt  time.Time
	Replayed   bool
}

// NewIncomeRecord is what recording income takes.
type NewIncomeRecord struct {
	Kind       string
	Amount     money.Fen
	DocNo      string // the document it arrived on (required)
	ReceivedOn string // YYYY-MM-DD ("" = today)
	Period     int    // the year it belongs to (0 = the year received)
	Payer      string // the ledger account it came from ("" = ext:asset-income)
	Lease      int64  // the lease it is paid under (0: the active one, if any)
}

// mayRecord: income is recorded, like arrivals, by the township, the
// rural-revitalization bureau or the finance bureau.
func mayRecord(p auth.Principal) error {
	switch p.Role {
	case auth.RoleTownship, auth.RoleRural, auth.RoleFinance:
		return nil
	}
	return errs.F(errs.Forbidden, "forbidden", "", "an asset's income is recorded by the township, the rural-revitalization or the finance bureau")
}

// mayEarn: income arrives on an operating asset confirmed to its owner
// (while it is being disposed of too, until it is disposed of).
func mayEarn(a Asset) error {
	if a.Type != Operating || a.Account == "" {
		return errs.F(errs.RuleBroken, "not_operating", "id", "asset %s is not an operating asset: only operating assets are leased or invested", a.Code)
	}
	if a.Status == Disposed {
		return errs.F(errs.RuleBroken, "asset_disposing", "id", "asset %s is being disposed of or disposed: it cannot be leased", a.Code)
	}
	if a.Status == Registered {
		return errs.F(errs.RuleBroken, "not_confirmed", "id", "asset %s is not confirmed to the village collective yet: confirm its ownership (确权) first", a.Code)
	}
	return nil
}

// legsJSON and decodeLegs keep legs as JSON text.
type jsonLeg struct {
	Channel string    `json:"channel"`
	Amount  money.Fen `json:"amount"`
}

func legsJSON(ls []Leg) string {
	return string(appendLegsJSON(make([]byte, 0, 16+40*len(ls)), ls))
}

// appendLegsJSON appends the JSON of legs, byte for byte what
// encoding/json writes for []jsonLeg, without its reflection (a county
// run writes and digests some 100,000 lines' legs).
func appendLegsJSON(b []byte, ls []Leg) []byte {
	b = append(b, '[')
	for i, l := range ls {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"channel":`...)
		b = appendJSONString(b, l.Channel)
		b = append(b, `,"amount":`...)
		b = strconv.AppendInt(b, int64(l.Amount), 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendJSONString appends s as encoding/json writes it: quoted as is when
// it holds only printable ASCII that json does not escape, else through
// json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func decodeLegs(s string) []Leg {
	var in []jsonLeg
	_ = json.Unmarshal([]byte(s), &in)
	out := make([]Leg, 0, len(in))
	for _, l := range in {
		out = append(out, Leg{Channel: l.Channel, Amount: l.Amount})
	}
	return out
}

// proRata splits amount over the channels of legs pro rata (money.Split:
// the parts sum to amount exactly), dropping zero parts.
func proRata(amount money.Fen, legs []Leg) ([]Leg, error) {
	ws := make([]money.Fen, len(legs))
	for i, l := range legs {
		ws[i] = l.Amount
	}
	parts, err := money.SplitFen(amount, ws)
	if err != nil {
		return nil, errs.F(errs.RuleBroken, "no_legs", "id", "the asset's value has no channel legs: its income cannot keep the channels that built it")
	}
	out := []Leg{}
	for i, p := range parts {
		if p > 0 {
			out = append(out, Leg{Channel: legs[i].Channel, Amount: p})
		}
	}
	return out, nil
}

// RecordIncome records income that arrived on an operating asset's
// account (ast:ID) on a document, posted at once like an arrival (kind
// asset_income), its legs the asset's legs pro rata, so the money keeps
// the channels of the money that built the asset. The same document on
// the same asset with the same amount is a replay (Replayed). Errors:
// Invalid, NotFound (unknown_asset, unknown_account), RuleBroken
// (not_operating, not_confirmed, asset_disposing, no_legs), Conflict
// (income_doc_taken), Forbidden.
func (s *IncomeService) RecordIncome(ctx context.Context, p auth.Principal, asset int64, n NewIncomeRecord) (Income, error) {
	if err := mayRecord(p); err != nil {
		return Income{}, err
	}
	if n.Kind == "" {
		n.Kind = IncomeRent
	}
	if n.Kind != IncomeRent && n.Kind != IncomeDividend && n.Kind != IncomeSales {
		return Income{}, errs.F(errs.Invalid, "invalid_income", "kind", "the income is rent, a dividend or sales")
	}
	if n.Amount <= 0 {
		return Income{}, errs.F(errs.Invalid, "invalid_amount", "amount", "the amount must be more than zero")
	}
	if err := CheckText(&n.DocNo, true, "doc_no"); err != nil {
		return Income{}, err
	}
	now := s.now()
	if strings.TrimSpace(n.ReceivedOn) == "" {
		n.ReceivedOn = clock.Day(now)
	}
	d, err := parseDay("received_on", n.ReceivedOn)
	if err != nil {
		return Income{}, err
	}
	n.ReceivedOn = d.Format("2006-01-02")
	if n.Period == 0 {
		n.Period = d.Year()
	}
	if n.Period < 2000 || n.Period > 2100 {
		return Income{}, errs.F(errs.Invalid, "invalid_period", "period", "the period is a year")
	}
	n.Payer = strings.TrimSpace(n.Payer)
	var id int64
	replayed := false
	err = s.db.Write(ctx, now, func(tx *store.Tx) error {
		a, err := s.a.GetTx(ctx, tx, p, asset)
		if err != nil {
			return err
		}
		if err := mayEarn(a); err != nil {
			return err
		}
		var old Income
		err = tx.QueryRowContext(ctx, `SELECT id, amount, period FROM as_income WHERE county = ? AND asset = ? AND doc_no = ?`, p.County, asset, n.DocNo).Scan(&old.ID, &old.Amount, &old.Period)
		switch {
		case err == nil && old.Amount == n.Amount && old.Period == n.Period:
			id, replayed = old.ID, true
			return nil
		case err == nil:
			return errs.F(errs.Conflict, "income_doc_taken", "doc_no", "document %s was recorded for this asset already with another amount or period", n.DocNo)
		case !errors.Is(err, sql.ErrNoRows):
			return errs.Wrap(err, "assets: income")
		}
		legs, err := proRata(n.Amount, a.Legs)
		if err != nil {
			return err
		}
		if n.Payer == "" {
			n.Payer = IncomeSource
			if _, _, err := s.l.OpenAccountsTx(ctx, tx, p.County, []ledger.NewAccount{{Code: IncomeSource, Kind: ledger.External, Name: "资产收益来源（承租方、经营方）", Place: place.Code(p.County + "000000")}}); err != nil {
				return err
			}
		} else {
			acc, err := s.l.AccountTx(ctx, tx, p.County, n.Payer)
			if err != nil {
				return err
			}
			if acc.Kind != ledger.External && acc.Kind != ledger.Entity {
				return errs.F(errs.RuleBroken, "account_kind", "payer", "income arrives from outside the county's books or from an entity, not from a %s account", acc.Kind)
			}
		}
		if n.Lease == 0 {
			_ = tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM as_leases WHERE county = ? AND asset = ? AND state = ?`, p.County, asset, LeaseActive).Scan(&n.Lease)
		}
		ts, _, err := s.l.PostTx(ctx, tx, p.Username, p.County, []ledger.TransferRequest{{Key: fmt.Sprintf("asset-income:%d:%s", asset, n.DocNo), Kind: IncomeTransferKind,
			From: n.Payer, To: a.Account, Legs: legs, DocNo: n.DocNo, Memo: fmt.Sprintf("资产 %s %d 年收益", a.Code, n.Period)}})
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM as_income WHERE county = ?`, p.County).Scan(&id); err != nil {
			return errs.Wrap(err, "assets: income id")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO as_income (county, id, asset, period, kind, lease, amount, legs, doc_no, payer, received_on, transfer, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.County, id, asset, n.Period, n.Kind, n.Lease, int64(n.Amount), legsJSON(legs), n.DocNo, n.Payer, n.ReceivedOn, ts[0].ID, now.UnixMicro(), p.Username); err != nil {
			return errs.Wrap(err, "assets: income")
		}
		return AddEventTx(ctx, tx, p, a, "income", map[string]string{"income": fmt.Sprint(id), "kind": n.Kind, "amount": n.Amount.Plain(), "period": fmt.Sprint(n.Period),
			"doc_no": n.DocNo, "transfer": fmt.Sprint(ts[0].ID)}, now)
	})
	if err != nil {
		return Income{}, err
	}
	in, err := s.incomeByID(ctx, p.County, id)
	in.Replayed = replayed
	return in, err
}

const incomeCols = `id, asset, period, kind, lease, amount, legs, doc_no, payer, received_on, transfer, created_at, created_by`

func scanIncome(sc interface{ Scan(...any) error }) (Income, error) {
	var in Income
	var amt, at int64
	var legs string
	err := sc.Scan(&in.ID, &in.Asset, &in.Period, &in.Kind, &in.Lease, &amt, &legs, &in.DocNo, &in.Payer, &in.ReceivedOn, &in.Transfer, &at, &in.CreatedBy)
	in.Amount, in.Legs, in.CreatedAt = money.Fen(amt), decodeLegs(legs), time.UnixMicro(at)
	return in, err
}

func (s *IncomeService) incomeByID(ctx context.Context, county string, id int64) (Income, error) {
	in, err := scanIncome(s.db.QueryRowContext(ctx, `SELECT `+incomeCols+` FROM as_income WHERE county = ? AND id = ?`, county, id))
	if err != nil {
		return Income{}, errs.Wrap(err, "assets: income")
	}
	return in, nil
}

// Incomes lists an asset's income, newest first.
func (s *IncomeService) Incomes(ctx context.Context, p auth.Principal, asset int64) ([]Income, error) {
	if _, err := s.a.Get(ctx, p, asset); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+incomeCols+` FROM as_income WHERE county = ? AND asset = ? ORDER BY id DESC`, p.County, asset)
	if err != nil {
		return nil, errs.Wrap(err, "assets: incomes")
	}
	defer rows.Close()
	out := []Income{}
	for rows.Next() {
		in, err := scanIncome(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// PeriodIncome is an asset's income of one year.
type PeriodIncome struct {
	Period int
	Total  money.Fen
	Count  int
	Legs   []Leg
}

// periodIncomeTx sums an asset's income of a period and its legs.
func periodIncomeTx(ctx context.Context, q store.Querier, county string, asset int64, period int) (PeriodIncome, error) {
	rows, err := q.QueryContext(ctx, `SELECT amount, legs FROM as_income WHERE county = ? AND asset = ? AND period = ? ORDER BY id`, county, asset, period)
	if err != nil {
		return PeriodIncome{}, errs.Wrap(err, "assets: period income")
	}
	defer rows.Close()
	pi := PeriodIncome{Period: period}
	by := map[string]money.Fen{}
	for rows.Next() {
		var amt int64
		var legs string
		if err := rows.Scan(&amt, &legs); err != nil {
			return pi, err
		}
		pi.Total += money.Fen(amt)
		pi.Count++
		for _, l := range decodeLegs(legs) {
			by[l.Channel] += l.Amount
		}
	}
	pi.Legs = sortedLegs(by)
	return pi, rows.Err()
}

// IncomeByPeriod sums an asset's income per year, newest first.
func (s *IncomeService) IncomeByPeriod(ctx context.Context, p auth.Principal, asset int64) ([]PeriodIncome, error) {
	if _, err := s.a.Get(ctx, p, asset); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT period FROM as_income WHERE county = ? AND asset = ? ORDER BY period DESC`, p.County, asset)
	if err != nil {
		return nil, errs.Wrap(err, "assets: periods")
	}
	var years []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			rows.Close()
			return nil, err
		}
		years = append(years, y)
	}
	rows.Close()
	out := []PeriodIncome{}
	for _, y := range years {
		pi, err := periodIncomeTx(ctx, s.db, p.County, asset, y)
		if err != nil {
			return nil, err
		}
		out = append(out, pi)
	}
	return out, nil
}
