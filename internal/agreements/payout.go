package agreements

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

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

// PayoutKind is the direct subsidies' source kind in the payout
// mechanism: a line's source is a subsidy agreement.
const PayoutKind = "subsidy"

// The direct subsidies' ledger accounts: the subsidy money the county
// set aside (funded by a project's payment, funds.ProposePayment to
// SubsidyFund, which keeps the project's channel legs) and the money at
// the bank awaiting its return. Both refuse to go below zero.
const (
	SubsidyFund = "sub:fund"
	SubsidyBank = "sub:bank"
)

// SubsidyTransferKind is the ledger kind of a direct subsidy's sends and
// payments; the cumulative cap counts what the ledger paid a household
// under it.
const SubsidyTransferKind = "subsidy_payout"

// The payment states of a direct subsidy (pay_status).
const (
	PayWaiting = "waiting" // accepted, not yet in a batch
	PaySending = "sending" // at the bank
	PayPaid    = "paid"
	PayFailed  = "failed" // the bank returned it: correct the card, send again
)

// UsePayout makes the direct subsidies a client of the shared payout
// mechanism (app wires relief's), paying households' cards from
// SubsidyFund; reg gives the cards.
func (s *Service) UsePayout(p *payout.Service, l *ledger.Ledger, reg *registry.Service) {
	s.pay, s.l, s.reg = p, l, reg
	p.Register(subsidyClient{s})
	p.Register(dividendClient{s}) // dividends.go
}

// Payout is the payout mechanism the subsidies pay through (nil: none wired).
func (s *Service) Payout() *payout.Service { return s.pay }

func (s *Service) payout() (*payout.Service, error) {
	if s.pay == nil {
		return nil, errs.F(errs.Invalid, "unknown_payout_kind", "kind", "no capability pays items of kind %q", PayoutKind)
	}
	return s.pay, nil
}

// ProposePayment enters a payout batch of every accepted direct subsidy
// waiting for payment (and every failed one whose card was corrected),
// for approval by another person. Errors: Forbidden, RuleBroken
// (nothing_to_pay, card_not_corrected), InsufficientFunds.
func (s *Service) ProposePayment(ctx context.Context, p auth.Principal, key string) (instruct.Instruction, error) {
	pay, err := s.payout()
	if err != nil {
		return instruct.Instruction{}, err
	}
	return pay.ProposeBatch(ctx, p, PayoutKind, key)
}

// ProposeReturn reads the bank's return file of a subsidy batch and
// enters it for approval by another person.
func (s *Service) ProposeReturn(ctx context.Context, p auth.Principal, r io.Reader) (instruct.Instruction, error) {
	pay, err := s.payout()
	if err != nil {
		return instruct.Instruction{}, err
	}
	return pay.ProposeReturn(ctx, p, PayoutKind, r)
}

// mayPay: the county's rural-revitalization or finance bureau pays, as
// for relief.
func mayPay(p auth.Principal) error {
	if (p.Role != auth.RoleRural && p.Role != auth.RoleFinance) || p.Place.Level() != place.County {
		return errs.F(errs.Forbidden, "forbidden", "", "payouts are made by the county's rural-revitalization or finance bureau")
	}
	return nil
}

// MayPay says whether p enters subsidy batches and returns.
func MayPay(p auth.Principal) bool { return mayPay(p) == nil }

func (s *Service) setupPayTx(ctx context.Context, tx *store.Tx, county string) error {
	if s.l == nil {
		return nil
	}
	root := place.Code(county + "000000")
	_, _, err := s.l.OpenAccountsTx(ctx, tx, county, []ledger.NewAccount{
		{Code: SubsidyFund, Kind: ledger.Suspense, Name: "自主发展直补资金", Owner: "县乡村振兴局", Place: root, NoOverdraft: true},
		{Code: SubsidyBank, Kind: ledger.Suspense, Name: "自主发展直补·银行代发在途", Place: root, NoOverdraft: true},
	})
	return err
}

// SetupPayout opens the subsidy accounts (a project pays SubsidyFund
// before the first subsidy is paid).
func (s *Service) SetupPayout(ctx context.Context, county string) error {
	return s.db.Write(ctx, s.now(), func(tx *store.Tx) error { return s.setupPayTx(ctx, tx, county) })
}

// subsidyClient is the direct subsidies as a client of the payout
// mechanism: its items are the accepted subsidy agreements, paid from
// SubsidyFund to SubsidyBank and then to the household's hh:CODE.
type subsidyClient struct{ s *Service }

func (subsidyClient) Spec() payout.Spec {
	return payout.Spec{Kind: PayoutKind, BatchKind: instruct.SubsidyBatch, Source: SubsidyFund, Transit: SubsidyBank, TransferKind: SubsidyTransferKind,
		Title: "自主发展直补", Item: "协议", Payee: "户", Back: "直补资金"}
}

func (subsidyClient) Permit(p auth.Principal) error { return mayPay(p) }

func (c subsidyClient) Setup(ctx context.Context, tx *store.Tx, county string) error {
	return c.s.setupPayTx(ctx, tx, county)
}

// payItems reads subsidy agreements of one payment state in id order
// along ag_agreements_pay, with the household's card as it is now. A
// terminated or rejected agreement is never paid.
func payItems(ctx context.Context, tx *store.Tx, county, status string, after, bound int64, limit int) ([]payout.Item, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.id, COALESCE(g.household, ''), a.place, a.amount, a.attempts, COALESCE(h.card_mask, ''), COALESCE(h.card_hash, ''), COALESCE(h.card_holder, ''), COALESCE(h.card_bank, '')
		FROM ag_agreements a
		LEFT JOIN ag_households g ON g.county = a.county AND g.agreement = a.id
		LEFT JOIN reg_households h ON h.county = a.county AND h.code = g.household
		WHERE a.county = ? AND a.pay_status = ? AND a.id > ? AND a.id <= ? AND a.kind = 'subsidy' AND a.state IN ('active', 'ended', 'renewed') ORDER BY a.id LIMIT ?`,
		county, status, after, bound, limit)
	if err != nil {
		return nil, errs.Wrap(err, "agreements: to pay")
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

func (subsidyClient) Waiting(ctx context.Context, tx *store.Tx, county string, bound int64, limit int) ([]payout.Item, error) {
	return payItems(ctx, tx, county, PayWaiting, 0, bound, limit)
}

func (subsidyClient) WaitingTotals(ctx context.Context, tx *store.Tx, county string, bound int64) (payout.Totals, error) {
	var t payout.Totals
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(MAX(id), 0), COALESCE(SUM(attempts), 0) FROM ag_agreements
		WHERE county = ? AND pay_status = 'waiting' AND id <= ? AND kind = 'subsidy' AND state IN ('active', 'ended', 'renewed')`,
		county, bound).Scan(&t.Count, &total, &t.Bound, &t.Attempts); err != nil {
		return t, errs.Wrap(err, "agreements: to pay")
	}
	t.Total = money.Fen(total)
	return t, nil
}

func (subsidyClient) Failed(ctx context.Context, tx *store.Tx, county string, after, bound int64, limit int) ([]payout.Item, error) {
	return payItems(ctx, tx, county, PayFailed, after, bound, limit)
}

// Legs pays each subsidy from the fund's channels in channel-code order:
// the channels of the projects that paid the fund, so a trace from a
// channel reaches the household.
func (c subsidyClient) Legs(ctx context.Context, tx *store.Tx, county string, its []payout.Item) ([][]ledger.Leg, error) {
	bals, err := c.s.l.BalancesTx(ctx, tx, county, SubsidyFund)
	if err != nil {
		return nil, err
	}
	out := make([][]ledger.Leg, len(its))
	for i, it := range its {
		left := it.Amount
		for j := range bals {
			if left == 0 {
				break
			}
			take := min(bals[j].Amount, left)
			if take > 0 {
				out[i] = append(out[i], ledger.Leg{Channel: bals[j].Channel, Amount: take})
				bals[j].Amount -= take
				left -= take
			}
		}
		if left > 0 {
			return nil, errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the direct subsidy money cannot pay this batch: a payment may not take it below zero (%v)",
				fmt.Sprintf("agreement %d: %s yuan short", it.Source, left))
		}
	}
	return out, nil
}

func fundBalance(ctx context.Context, tx *store.Tx, l *ledger.Ledger, county string) (money.Fen, error) {
	bals, err := l.BalancesTx(ctx, tx, county, SubsidyFund)
	if err != nil {
		return 0, err
	}
	var sum money.Fen
	for _, b := range bals {
		sum += b.Amount
	}
	return sum, nil
}

func (c subsidyClient) Covers(ctx context.Context, tx *store.Tx, county string, total money.Fen) error {
	bal, err := fundBalance(ctx, tx, c.s.l, county)
	if err != nil {
		return err
	}
	if bal < total {
		return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the direct subsidy money holds %s yuan; the batch needs %s yuan", bal, total)
	}
	return nil
}

func (subsidyClient) Sending(ctx context.Context, tx *store.Tx, county string, its []payout.Item) error {
	where, args := payout.SourcesIn(county, its)
	if _, err := tx.ExecContext(ctx, `UPDATE ag_agreements SET pay_status = 'sending', attempts = attempts + 1 WHERE `+where, args...); err != nil {
		return errs.Wrap(err, "agreements: sending")
	}
	return nil
}

func (subsidyClient) Settled(ctx context.Context, tx *store.Tx, county string, l payout.Line, paid bool, transfer int64) error {
	status := PayPaid
	if !paid {
		status = PayFailed
	}
	if _, err := tx.ExecContext(ctx, `UPDATE ag_agreements SET pay_status = ?, paid_transfer = ? WHERE county = ? AND id = ?`, status, transfer, county, l.Source); err != nil {
		return errs.Wrap(err, "agreements: settle")
	}
	return nil
}

func (subsidyClient) Moved(context.Context, *store.Tx, string) error { return nil }

// HouseholdAccount is a household's card account in the ledger (the
// one relief and every programme pays).
func HouseholdAccount(code string) string { return "hh:" + code }

func (c subsidyClient) PayeeAccount(ctx context.Context, tx *store.Tx, county string, l payout.Line) (string, error) {
	code := HouseholdAccount(l.Payee)
	var kind string
	err := tx.QueryRowContext(ctx, `SELECT kind FROM ledger_accounts WHERE county = ? AND code = ?`, county, code).Scan(&kind)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, _, err := c.s.l.OpenAccountsTx(ctx, tx, county, []ledger.NewAccount{{Code: code, Kind: ledger.Household, Name: "农户 " + l.Payee, Place: l.Place}}); err != nil {
			return "", err
		}
	case err != nil:
		return "", errs.Wrap(err, "agreements: household account")
	case kind != string(ledger.Household):
		return "", errs.F(errs.Conflict, "account_kind", "household", "ledger account %s is a %s account, not a household's", code, kind)
	}
	return code, nil
}

func (c subsidyClient) Card(ctx context.Context, county, payee string) (holder, bank, number string, err error) {
	return c.s.reg.CardInClear(ctx, county, payee)
}

func (subsidyClient) Nothing() error {
	return errs.F(errs.RuleBroken, "nothing_to_pay", "", "no accepted direct subsidy is waiting for payment")
}

func (subsidyClient) Short(err error) error {
	return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the direct subsidy money cannot pay this batch: a payment may not take it below zero (%v)", err)
}

// paidTx is what the ledger has paid a household's card under the direct
// subsidies (transfers of SubsidyTransferKind from SubsidyBank into
// hh:CODE), read through q.
func paidTx(ctx context.Context, q store.Querier, county, household string) (money.Fen, error) {
	var sum int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(t.total), 0) FROM ledger_transfers t
		JOIN ledger_accounts h ON h.county = t.county AND h.id = t.to_account
		JOIN ledger_accounts b ON b.county = t.county AND b.id = t.from_account
		WHERE t.county = ? AND t.kind = ? AND h.code = ? AND b.code = ?`, county, SubsidyTransferKind, HouseholdAccount(household), SubsidyBank).Scan(&sum)
	if err != nil {
		return 0, errs.Wrap(err, "agreements: paid")
	}
	return money.Fen(sum), nil
}

// PayLines lists a direct subsidy's payout lines (one per attempt).
func (s *Service) PayLines(ctx context.Context, p auth.Principal, a Agreement) ([]payout.Line, error) {
	if s.pay == nil || a.Kind != Subsidy {
		return []payout.Line{}, nil
	}
	return s.pay.LinesOf(ctx, p.County, PayoutKind, a.ID)
}
