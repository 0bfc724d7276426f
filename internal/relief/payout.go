package relief

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/payout"
	"onepool/internal/place"
	"onepool/internal/store"
)

// PayoutKind is relief's source kind in the payout mechanism: a line's
// source is an application.
const PayoutKind = "relief"

// Batch is a payout batch for the bank.
type Batch = payout.Batch

// Line is one household's payment in a batch.
type Line struct {
	Batch       int64
	Line        int
	Application int64
	Attempt     int
	Household   string
	Village     place.Code
	Amount      money.Fen
	CardMask    string
	Status      string // sent, paid, failed
	Code        string // a failed line's reason code (refused, account_invalid, returned)
	Reason      string
}

// ReturnResult sums an imported bank return file.
type ReturnResult = payout.ReturnResult

func mayPay(p auth.Principal) error {
	if (p.Role != auth.RoleRural && p.Role != auth.RoleFinance) || p.Place.Level() != place.County {
		return errs.F(errs.Forbidden, "forbidden", "", "payouts are made by the county's rural-revitalization or finance bureau")
	}
	return nil
}

// UsePayout makes relief a client of a shared payout mechanism (app
// wires one for every capability that pays); New gives relief one of
// its own.
func (s *Service) UsePayout(p *payout.Service) {
	s.pay = p
	p.Register(client{s})
}

// Payout is the payout mechanism relief pays through.
func (s *Service) Payout() *payout.Service { return s.pay }

// UseInstructions puts the fund's money out — payout batches and the
// bank's return files — under two-person control: one person enters
// them (ProposeBatch, ProposeReturn), another approves, and only then is
// anything posted.
func (s *Service) UseInstructions(ins *instruct.Service) {
	s.ins = ins
	s.pay.UseInstructions(ins)
}

// Send puts every approved application — and every failed one whose card
// was corrected — of the caller's county in a new payout batch and sends
// it (see payout.Service.Send). Errors: Forbidden, RuleBroken
// (nothing_to_send, card_not_corrected), InsufficientFunds.
func (s *Service) Send(ctx context.Context, p auth.Principal) (Batch, error) {
	return s.pay.Send(ctx, p, PayoutKind)
}

// SendMore continues a batch after an interruption (Send does it too).
func (s *Service) SendMore(ctx context.Context, p auth.Principal, batch int64) (Batch, error) {
	return s.pay.SendMore(ctx, p, PayoutKind, batch)
}

// ProposeBatch enters a payout batch of every application waiting for
// payment, for approval by another person; the fund must cover it now
// and again at approval. Errors: Forbidden, RuleBroken (nothing_to_send,
// card_not_corrected), InsufficientFunds.
func (s *Service) ProposeBatch(ctx context.Context, p auth.Principal, key string) (instruct.Instruction, error) {
	return s.pay.ProposeBatch(ctx, p, PayoutKind, key)
}

// ProposeReturn reads and checks the bank's return file (all rows or
// none) and enters it for approval by another person. Errors: Forbidden,
// Invalid (invalid_rows), and instruct's.
func (s *Service) ProposeReturn(ctx context.Context, p auth.Principal, r io.Reader) (instruct.Instruction, error) {
	return s.pay.ProposeReturn(ctx, p, PayoutKind, r)
}

// ImportReturn settles the bank's return file at once.
func (s *Service) ImportReturn(ctx context.Context, p auth.Principal, r io.Reader) (ReturnResult, error) {
	return s.pay.ImportReturn(ctx, p, PayoutKind, r)
}

// PayoutFile is the bank's payout file of a batch (full card numbers;
// the county's rural-revitalization or finance bureau only; audited).
func (s *Service) PayoutFile(ctx context.Context, p auth.Principal, batch int64) ([][]any, error) {
	return s.pay.PayoutFile(ctx, p, PayoutKind, batch)
}

// BatchOf is the payout batch an approved instruction created (0: none).
func (s *Service) BatchOf(ctx context.Context, county string, instruction int64) (int64, error) {
	return s.pay.BatchOf(ctx, county, instruction)
}

// Batch returns a relief payout batch.
func (s *Service) Batch(ctx context.Context, county string, id int64) (Batch, error) {
	return s.pay.Batch(ctx, county, PayoutKind, id)
}

// Batches lists the county's relief batches, newest first.
func (s *Service) Batches(ctx context.Context, county string) ([]Batch, error) {
	return s.pay.Batches(ctx, county, PayoutKind)
}

// Lines lists a batch's lines in order.
func (s *Service) Lines(ctx context.Context, county string, batch int64) ([]Line, error) {
	ls, err := s.pay.Lines(ctx, county, batch)
	if err != nil {
		return nil, err
	}
	var out []Line
	for _, l := range ls {
		if l.Kind != PayoutKind {
			continue
		}
		out = append(out, Line{Batch: l.Batch, Line: l.Line, Application: l.Source, Attempt: l.Attempt, Household: l.Payee, Village: l.Place, Amount: l.Amount,
			CardMask: l.CardMask, Status: l.Status, Code: l.Code, Reason: l.Reason})
	}
	return out, nil
}

// client is relief as a client of the payout mechanism: its items are
// the approved applications (and the failed ones), paid from the fund
// to relief:bank and then to the household's hh:CODE account.
type client struct{ s *Service }

func (client) Spec() payout.Spec {
	return payout.Spec{Kind: PayoutKind, BatchKind: instruct.ReliefBatch, Source: FundAccount, Transit: BankAccount, TransferKind: "relief_payout",
		Title: "防返贫救助", Item: "申请", Payee: "户", Back: "基金"}
}

func (client) Permit(p auth.Principal) error { return mayPay(p) }

func (c client) Setup(ctx context.Context, tx *store.Tx, county string) error {
	return c.s.setupTx(ctx, tx, county)
}

// items reads applications of one status in id order along the send
// index, with the household's card as it is now.
func items(ctx context.Context, tx *store.Tx, county, status string, after, bound int64, limit int) ([]payout.Item, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.household, a.village, a.amount, a.attempts, COALESCE(h.card_mask, ''), COALESCE(h.card_hash, ''), COALESCE(h.card_holder, ''), COALESCE(h.card_bank, '')
		FROM relief_applications a
		LEFT JOIN reg_households h ON h.county = a.county AND h.code = a.household
		WHERE a.county = ? AND a.status = ? AND a.id > ? AND a.id <= ? ORDER BY a.id LIMIT ?`, county, status, after, bound, limit)
	if err != nil {
		return nil, errs.Wrap(err, "relief: to send")
	}
	defer rows.Close()
	var out []payout.Item
	for rows.Next() {
		var it payout.Item
		var vil, hash, holder, bank string
		var amt int64
		if err := rows.Scan(&it.Source, &it.Payee, &vil, &amt, &it.Attempts, &it.CardMask, &hash, &holder, &bank); err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(hash + "\x00" + holder + "\x00" + bank))
		it.Place, it.Amount, it.CardRef = place.Code(vil), money.Fen(amt), hex.EncodeToString(sum[:12])
		out = append(out, it)
	}
	return out, rows.Err()
}

func (client) Waiting(ctx context.Context, tx *store.Tx, county string, bound int64, limit int) ([]payout.Item, error) {
	return items(ctx, tx, county, Approved, 0, bound, limit)
}

func (client) WaitingTotals(ctx context.Context, tx *store.Tx, county string, bound int64) (payout.Totals, error) {
	var t payout.Totals
	var total int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(MAX(id), 0), COALESCE(SUM(attempts), 0) FROM relief_applications WHERE county = ? AND status = 'approved' AND id <= ?`,
		county, bound).Scan(&t.Count, &total, &t.Bound, &t.Attempts); err != nil {
		return t, errs.Wrap(err, "relief: to send")
	}
	t.Total = money.Fen(total)
	return t, nil
}

func (client) Failed(ctx context.Context, tx *store.Tx, county string, after, bound int64, limit int) ([]payout.Item, error) {
	return items(ctx, tx, county, Failed, after, bound, limit)
}

// Legs pays each amount from the donations first, then from the
// treasury's money, so that donors see their money reach households first.
func (c client) Legs(ctx context.Context, tx *store.Tx, county string, its []payout.Item) ([][]ledger.Leg, error) {
	have := map[string]money.Fen{}
	rows, err := tx.QueryContext(ctx, `SELECT c.code, b.balance FROM ledger_balances b
		JOIN ledger_accounts a ON a.county = b.county AND a.id = b.account_id
		JOIN ledger_channels c ON c.county = b.county AND c.id = b.channel_id
		WHERE a.county = ? AND a.code = ?`, county, FundAccount)
	if err != nil {
		return nil, errs.Wrap(err, "relief: fund balances")
	}
	for rows.Next() {
		var ch string
		var b int64
		if err := rows.Scan(&ch, &b); err != nil {
			rows.Close()
			return nil, err
		}
		have[ch] = money.Fen(b)
	}
	rows.Close()
	out := make([][]ledger.Leg, len(its))
	for i, it := range its {
		left := it.Amount
		for _, ch := range []string{DonationChannel, TreasuryChannel} {
			if left == 0 {
				break
			}
			take := min(have[ch], left)
			if take > 0 {
				out[i] = append(out[i], ledger.Leg{Channel: ch, Amount: take})
				have[ch] -= take
				left -= take
			}
		}
		if left > 0 { // let the ledger refuse it with the balances named
			out[i] = append(out[i], ledger.Leg{Channel: DonationChannel, Amount: left})
		}
	}
	return out, nil
}

func (c client) Covers(ctx context.Context, tx *store.Tx, county string, total money.Fen) error {
	bal, err := fundBalance(ctx, tx, county)
	if err != nil {
		return err
	}
	if bal < total {
		return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the relief fund holds %s yuan; the batch needs %s yuan", bal, total)
	}
	return nil
}

// Sending marks the applications as at the bank, in one update.
func (client) Sending(ctx context.Context, tx *store.Tx, county string, its []payout.Item) error {
	where, args := payout.SourcesIn(county, its)
	if _, err := tx.ExecContext(ctx, `UPDATE relief_applications SET status = 'sending', attempts = attempts + 1 WHERE `+where, args...); err != nil {
		return errs.Wrap(err, "relief: sending")
	}
	return nil
}

func (client) Settled(ctx context.Context, tx *store.Tx, county string, l payout.Line, paid bool, transfer int64) error {
	status := Paid
	if !paid {
		status = Failed
	}
	if _, err := tx.ExecContext(ctx, `UPDATE relief_applications SET status = ?, paid_transfer = ? WHERE county = ? AND id = ?`, status, transfer, county, l.Source); err != nil {
		return errs.Wrap(err, "relief: settle")
	}
	return nil
}

func (c client) Moved(ctx context.Context, tx *store.Tx, county string) error {
	return c.s.floorTx(ctx, tx, county, false)
}

// PayeeAccount is the household's card account: the one it already has
// in the ledger (other programmes pay it too), or a new one.
func (c client) PayeeAccount(ctx context.Context, tx *store.Tx, county string, l payout.Line) (string, error) {
	code := HouseholdAccount(l.Payee)
	var kind string
	err := tx.QueryRowContext(ctx, `SELECT kind FROM ledger_accounts WHERE county = ? AND code = ?`, county, code).Scan(&kind)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, _, err := c.s.l.OpenAccountsTx(ctx, tx, county, []ledger.NewAccount{{Code: code, Kind: ledger.Household, Name: "农户 " + l.Payee, Place: l.Place}}); err != nil {
			return "", err
		}
	case err != nil:
		return "", errs.Wrap(err, "relief: household account")
	case kind != string(ledger.Household):
		return "", errs.F(errs.Conflict, "account_kind", "household", "ledger account %s is a %s account, not a household's", code, kind)
	}
	return code, nil
}

func (c client) Card(ctx context.Context, county, payee string) (holder, bank, number string, err error) {
	return c.s.reg.CardInClear(ctx, county, payee)
}

func (client) Nothing() error {
	return errs.F(errs.RuleBroken, "nothing_to_send", "", "no approved application is waiting for payment")
}

func (client) Short(err error) error {
	return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the relief fund cannot pay this batch: a payment may not take the fund below zero (%v)", err)
}
