package assets

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"strings"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/registry"
	"onepool/internal/store"
)

// PayoutKind is the asset income's source kind in the payout mechanism:
// a line's source is a household line of a distribution run.
const PayoutKind = "asset"

// UsePayout makes the asset income's household lines a client of the
// shared payout mechanism (app wires relief's), paid from DistFund to
// the households' cards; reg gives the cards.
func (s *IncomeService) UsePayout(p *payout.Service, reg *registry.Service) {
	s.pay = p
	if reg != nil {
		s.reg = reg
	}
	p.Register(assetClient{s})
}

// Payout is the mechanism the households' lines are paid through (nil: none).
func (s *IncomeService) Payout() *payout.Service { return s.pay }

func (s *IncomeService) payout() (*payout.Service, error) {
	if s.pay == nil {
		return nil, errs.F(errs.Invalid, "unknown_payout_kind", "kind", "no capability pays items of kind %q", PayoutKind)
	}
	return s.pay, nil
}

// ProposePayment enters a payout batch of every approved household line
// waiting for payment (and every failed one whose card was corrected),
// for approval by another person (instruct kind asset_batch).
func (s *IncomeService) ProposePayment(ctx context.Context, p auth.Principal, key string) (instruct.Instruction, error) {
	pay, err := s.payout()
	if err != nil {
		return instruct.Instruction{}, err
	}
	return pay.ProposeBatch(ctx, p, PayoutKind, key)
}

// ProposeReturn reads the bank's return file of an asset income batch and
// enters it for approval by another person.
func (s *IncomeService) ProposeReturn(ctx context.Context, p auth.Principal, r io.Reader) (instruct.Instruction, error) {
	pay, err := s.payout()
	if err != nil {
		return instruct.Instruction{}, err
	}
	return pay.ProposeReturn(ctx, p, PayoutKind, r)
}

// mayPay: the county's rural-revitalization or finance bureau pays, as
// for relief and subsidies.
func mayPay(p auth.Principal) error {
	if (p.Role != auth.RoleRural && p.Role != auth.RoleFinance) || p.Place.Level() != place.County {
		return errs.F(errs.Forbidden, "forbidden", "", "payouts are made by the county's rural-revitalization or finance bureau")
	}
	return nil
}

// MayPay says whether p enters asset income batches and returns.
func MayPay(p auth.Principal) bool { return mayPay(p) == nil }

type assetClient struct{ s *IncomeService }

func (assetClient) Spec() payout.Spec {
	return payout.Spec{Kind: PayoutKind, BatchKind: instruct.AssetBatch, Source: DistFund, Transit: DistBank, TransferKind: PayoutTransferKind,
		Title: "资产收益分配", Item: "分配明细", Payee: "户", Back: "资产收益分配资金"}
}

func (assetClient) Permit(p auth.Principal) error { return mayPay(p) }

func (c assetClient) Setup(ctx context.Context, tx *store.Tx, county string) error {
	return c.s.setupTx(ctx, tx, county)
}

func payLines(ctx context.Context, tx *store.Tx, county, status string, after, bound int64, limit int) ([]payout.Item, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.payee, l.place, l.amount, l.attempts, COALESCE(h.card_mask, ''), COALESCE(h.card_hash, ''), COALESCE(h.card_holder, ''), COALESCE(h.card_bank, '')
		FROM as_dist_lines l LEFT JOIN reg_households h ON h.county = l.county AND h.code = l.payee
		WHERE l.county = ? AND l.pay_status = ? AND l.id > ? AND l.id <= ? ORDER BY l.id LIMIT ?`, county, status, after, bound, limit)
	if err != nil {
		return nil, errs.Wrap(err, "assets: to pay")
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
		sum := sha256.Sum256([]byte(hash + "\x00" + holder + "\x00" + bank))
		it.Place, it.Amount, it.CardRef = place.Code(pl), money.Fen(amt), hex.EncodeToString(sum[:12])
		out = append(out, it)
	}
	return out, rows.Err()
}

func (assetClient) Waiting(ctx context.Context, tx *store.Tx, county string, bound int64, limit int) ([]payout.Item, error) {
	return payLines(ctx, tx, county, LineWaiting, 0, bound, limit)
}

func (assetClient) WaitingTotals(ctx context.Context, tx *store.Tx, county string, bound int64) (payout.Totals, error) {
	var t payout.Totals
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(MAX(id), 0), COALESCE(SUM(attempts), 0) FROM as_dist_lines
		WHERE county = ? AND pay_status = ? AND id <= ?`, county, LineWaiting, bound).Scan(&t.Count, &total, &t.Bound, &t.Attempts); err != nil {
		return t, errs.Wrap(err, "assets: to pay")
	}
	t.Total = money.Fen(total)
	return t, nil
}

func (assetClient) Failed(ctx context.Context, tx *store.Tx, county string, after, bound int64, limit int) ([]payout.Item, error) {
	return payLines(ctx, tx, county, LineFailed, after, bound, limit)
}

// Legs pays each line with its own legs, frozen when its run was entered:
// the channels of the money that built the asset.
func (assetClient) Legs(ctx context.Context, tx *store.Tx, county string, its []payout.Item) ([][]ledger.Leg, error) {
	if len(its) == 0 {
		return nil, nil
	}
	where, args := payout.SourcesIn(county, its)
	rows, err := tx.QueryContext(ctx, `SELECT id, legs FROM as_dist_lines WHERE `+where, args...)
	if err != nil {
		return nil, errs.Wrap(err, "assets: legs")
	}
	defer rows.Close()
	by := map[int64][]ledger.Leg{}
	for rows.Next() {
		var id int64
		var legs string
		if err := rows.Scan(&id, &legs); err != nil {
			return nil, err
		}
		by[id] = decodeLegs(legs)
	}
	out := make([][]ledger.Leg, len(its))
	for i, it := range its {
		out[i] = by[it.Source]
	}
	return out, rows.Err()
}

func (c assetClient) Covers(ctx context.Context, tx *store.Tx, county string, total money.Fen) error {
	bal, err := c.s.l.TotalTx(ctx, tx, county, DistFund)
	if err != nil {
		return err
	}
	if bal < total {
		return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the asset income to distribute holds %s yuan; the batch needs %s yuan", bal, total)
	}
	return nil
}

func (assetClient) Sending(ctx context.Context, tx *store.Tx, county string, its []payout.Item) error {
	where, args := payout.SourcesIn(county, its)
	if _, err := tx.ExecContext(ctx, `UPDATE as_dist_lines SET pay_status = 'sending', attempts = attempts + 1 WHERE `+where, args...); err != nil {
		return errs.Wrap(err, "assets: sending")
	}
	return nil
}

func (assetClient) Settled(ctx context.Context, tx *store.Tx, county string, l payout.Line, paid bool, transfer int64) error {
	status := LinePaid
	if !paid {
		status = LineFailed
	}
	if _, err := tx.ExecContext(ctx, `UPDATE as_dist_lines SET pay_status = ?, transfer = ? WHERE county = ? AND id = ?`, status, transfer, county, l.Source); err != nil {
		return errs.Wrap(err, "assets: settle")
	}
	return nil
}

func (assetClient) Moved(context.Context, *store.Tx, string) error { return nil }

func (c assetClient) PayeeAccount(ctx context.Context, tx *store.Tx, county string, l payout.Line) (string, error) {
	code := "hh:" + l.Payee
	var kind string
	err := tx.QueryRowContext(ctx, `SELECT kind FROM ledger_accounts WHERE county = ? AND code = ?`, county, code).Scan(&kind)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, _, err := c.s.l.OpenAccountsTx(ctx, tx, county, []ledger.NewAccount{{Code: code, Kind: ledger.Household, Name: "农户 " + l.Payee, Place: l.Place}}); err != nil {
			return "", err
		}
	case err != nil:
		return "", errs.Wrap(err, "assets: household account")
	case kind != string(ledger.Household):
		return "", errs.F(errs.Conflict, "account_kind", "household", "ledger account %s is a %s account, not a household's", code, kind)
	}
	return code, nil
}

func (c assetClient) Card(ctx context.Context, county, payee string) (holder, bank, number string, err error) {
	if c.s.reg == nil {
		return "", "", "", errs.F(errs.RuleBroken, "no_card", "card", "household %s has no bank card on record", payee)
	}
	return c.s.reg.CardInClear(ctx, county, payee)
}

func (assetClient) Nothing() error {
	return errs.F(errs.RuleBroken, "nothing_to_pay", "", "no approved asset income line is waiting for payment")
}

func (assetClient) Short(err error) error {
	msg := err.Error()
	msg = strings.TrimSpace(msg)
	return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the asset income to distribute cannot pay this batch: a payment may not take it below zero (%v)", msg)
}
