package relief

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/tabular"
)

// chunk is how many payout lines one transaction writes: a batch of
// 100,000 is a hundred short transactions, and a crash loses at most the
// chunk in flight (which is simply sent again).
const chunk = 1000

// Batch is a payout batch for the bank.
type Batch struct {
	ID        int64
	Lines     int
	Total     money.Fen
	CreatedAt time.Time
	CreatedBy string
}

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
	Reason      string
}

func mayPay(p auth.Principal) error {
	if (p.Role != auth.RoleRural && p.Role != auth.RoleFinance) || p.Place.Level() != place.County {
		return errs.F(errs.Forbidden, "forbidden", "", "payouts are made by the county's rural-revitalization or finance bureau")
	}
	return nil
}

// Send puts every approved application — and every failed one whose card
// was corrected — of the caller's county in a new payout batch: each line
// moves its frozen amount from the fund to the bank in transit, once per
// attempt (idempotent keys), in chunks. A payment that would take the fund
// below zero is refused (insufficient_funds) and the chunk is not written.
// Rerunning after a crash sends only what was not sent. Errors: Forbidden,
// RuleBroken (nothing_to_send), InsufficientFunds.
func (s *Service) Send(ctx context.Context, p auth.Principal) (Batch, error) {
	if err := mayPay(p); err != nil {
		return Batch{}, err
	}
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM relief_applications WHERE county = ? AND status IN ('approved', 'failed')`, p.County).Scan(&n); err != nil {
			return errs.Wrap(err, "relief: to send")
		}
		if n == 0 {
			return errs.F(errs.RuleBroken, "nothing_to_send", "", "no approved application is waiting for payment")
		}
		return s.setupTx(ctx, tx, p.County)
	})
	if err != nil {
		return Batch{}, err
	}
	// The batch is created with its first chunk, so a refused payout
	// leaves no batch behind.
	var id int64
	for {
		sent, err := s.sendChunk(ctx, p, &id)
		if err != nil {
			return Batch{}, err
		}
		if sent == 0 {
			break
		}
	}
	return s.Batch(ctx, p.County, id)
}

// SendMore continues a batch after an interruption (Send does it too).
func (s *Service) SendMore(ctx context.Context, p auth.Principal, batch int64) (Batch, error) {
	if err := mayPay(p); err != nil {
		return Batch{}, err
	}
	for {
		sent, err := s.sendChunk(ctx, p, &batch)
		if err != nil {
			return Batch{}, err
		}
		if sent == 0 {
			return s.Batch(ctx, p.County, batch)
		}
	}
}

type toSend struct {
	id       int64
	hh, vil  string
	amount   int64
	attempts int
	mask     string
}

func (s *Service) sendChunk(ctx context.Context, p auth.Principal, batchID *int64) (int, error) {
	sent := 0
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		var err error
		sent, err = s.sendChunkTx(ctx, tx, p, batchID)
		return err
	})
	return sent, err
}

// sendChunkTx sends the next chunk of a batch (batch 0: a new one). A
// batch approved as an instruction sends only the applications it was
// approved with (up to its max_app).
func (s *Service) sendChunkTx(ctx context.Context, tx *store.Tx, p auth.Principal, batchID *int64) (int, error) {
	sent := 0
	batch := *batchID
	maxApp := int64(math.MaxInt64)
	if batch != 0 {
		var m int64
		if err := tx.QueryRowContext(ctx, `SELECT max_app FROM relief_batches WHERE county = ? AND id = ?`, p.County, batch).Scan(&m); err != nil {
			return 0, errs.Wrap(err, "relief: batch")
		}
		if m > 0 {
			maxApp = m
		}
	}
	// Approved first, then failed ones sent again: each in id order
	// along an index, so a chunk reads only its own rows.
	var apps []toSend
	for _, st := range []string{Approved, Failed} {
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.household, a.village, a.amount, a.attempts, COALESCE(h.card_mask, '') FROM relief_applications a
			LEFT JOIN reg_households h ON h.county = a.county AND h.code = a.household
			WHERE a.county = ? AND a.status = ? AND a.id <= ? ORDER BY a.id LIMIT ?`, p.County, st, maxApp, chunk-len(apps))
		if err != nil {
			return 0, errs.Wrap(err, "relief: to send")
		}
		for rows.Next() {
			var a toSend
			if err := rows.Scan(&a.id, &a.hh, &a.vil, &a.amount, &a.attempts, &a.mask); err != nil {
				rows.Close()
				return 0, err
			}
			apps = append(apps, a)
		}
		rows.Close()
		if len(apps) == chunk {
			break
		}
	}
	if len(apps) == 0 {
		return 0, nil
	}
	if batch == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM relief_batches WHERE county = ?`, p.County).Scan(&batch); err != nil {
			return 0, errs.Wrap(err, "relief: batch id")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO relief_batches (county, id, lines, total, created_at, created_by) VALUES (?, ?, 0, 0, ?, ?)`, p.County, batch, clock.Micros(tx.Now), p.Username); err != nil {
			return 0, errs.Wrap(err, "relief: batch")
		}
		if _, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "relief.batch", Object: fmt.Sprintf("payout batch %d", batch), Place: p.County + "000000"}); err != nil {
			return 0, err
		}
	}
	var line int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(line), 0) FROM relief_lines WHERE county = ? AND batch = ?`, p.County, batch).Scan(&line); err != nil {
		return 0, errs.Wrap(err, "relief: line")
	}
	amounts := make([]money.Fen, len(apps))
	for i, a := range apps {
		amounts[i] = money.Fen(a.amount)
	}
	legs, err := s.splitLegs(ctx, tx, p.County, amounts)
	if err != nil {
		return 0, err
	}
	reqs := make([]ledger.TransferRequest, len(apps))
	for i, a := range apps {
		reqs[i] = ledger.TransferRequest{Key: fmt.Sprintf("relief-send:%d:%d", a.id, a.attempts+1), Kind: "relief_payout", From: FundAccount, To: BankAccount,
			Legs: legs[i], Memo: fmt.Sprintf("防返贫救助 申请%d 代发批次%d", a.id, batch)}
	}
	ts, _, err := s.l.PostTx(ctx, tx, p.Username, p.County, reqs)
	if err != nil {
		if errs.KindOf(err) == errs.InsufficientFunds {
			return 0, errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the relief fund cannot pay this batch: a payment may not take the fund below zero (%v)", err)
		}
		return 0, err
	}
	// The lines in one multi-row insert and the applications in one
	// update: a chunk is three statements besides the posting.
	var total int64
	vals := make([]string, 0, len(apps))
	args := make([]any, 0, len(apps)*11)
	ids := make([]any, 0, len(apps)+1)
	ids = append(ids, p.County)
	for i, a := range apps {
		line++
		vals = append(vals, "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', '', ?, 0, 0)")
		args = append(args, p.County, batch, line, a.id, a.attempts+1, a.hh, a.vil, a.amount, a.mask, ts[i].ID)
		ids = append(ids, a.id)
		total += a.amount
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO relief_lines (county, batch, line, application, attempt, household, village, amount, card_mask, status, reason, sent_transfer, settled_transfer, settled_at)
		VALUES `+strings.Join(vals, ", "), args...); err != nil {
		return 0, errs.Wrap(err, "relief: lines")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE relief_applications SET status = 'sending', attempts = attempts + 1 WHERE county = ? AND id IN (?`+strings.Repeat(", ?", len(apps)-1)+`)`, ids...); err != nil {
		return 0, errs.Wrap(err, "relief: sending")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE relief_batches SET lines = lines + ?, total = total + ? WHERE county = ? AND id = ?`, len(apps), total, p.County, batch); err != nil {
		return 0, errs.Wrap(err, "relief: batch")
	}
	sent = len(apps)
	if err := s.floorTx(ctx, tx, p.County, false); err != nil {
		return 0, err
	}
	*batchID = batch
	return sent, nil
}

// splitLegs pays each amount from the donations first, then from the
// treasury's money, so that donors see their money reach households first.
func (s *Service) splitLegs(ctx context.Context, tx *store.Tx, county string, amounts []money.Fen) ([][]ledger.Leg, error) {
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
	out := make([][]ledger.Leg, len(amounts))
	for i, amount := range amounts {
		left := amount
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

// Batch returns a batch.
func (s *Service) Batch(ctx context.Context, county string, id int64) (Batch, error) {
	b := Batch{ID: id}
	var total, at int64
	err := s.db.QueryRowContext(ctx, `SELECT lines, total, created_at, created_by FROM relief_batches WHERE county = ? AND id = ?`, county, id).Scan(&b.Lines, &total, &at, &b.CreatedBy)
	if err != nil {
		return b, errs.F(errs.NotFound, "unknown_batch", "batch", "no payout batch %d", id)
	}
	b.Total, b.CreatedAt = money.Fen(total), clock.FromMicros(at)
	return b, nil
}

// Batches lists the county's batches, newest first.
func (s *Service) Batches(ctx context.Context, county string) ([]Batch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, lines, total, created_at, created_by FROM relief_batches WHERE county = ? ORDER BY id DESC LIMIT 200`, county)
	if err != nil {
		return nil, errs.Wrap(err, "relief: batches")
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		var b Batch
		var total, at int64
		if err := rows.Scan(&b.ID, &b.Lines, &total, &at, &b.CreatedBy); err != nil {
			return nil, err
		}
		b.Total, b.CreatedAt = money.Fen(total), clock.FromMicros(at)
		out = append(out, b)
	}
	return out, rows.Err()
}

// Lines lists a batch's lines in order.
func (s *Service) Lines(ctx context.Context, county string, batch int64) ([]Line, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT line, application, attempt, household, village, amount, card_mask, status, reason FROM relief_lines WHERE county = ? AND batch = ? ORDER BY line`, county, batch)
	if err != nil {
		return nil, errs.Wrap(err, "relief: lines")
	}
	defer rows.Close()
	var out []Line
	for rows.Next() {
		l := Line{Batch: batch}
		var vil string
		var amt int64
		if err := rows.Scan(&l.Line, &l.Application, &l.Attempt, &l.Household, &vil, &amt, &l.CardMask, &l.Status, &l.Reason); err != nil {
			return nil, err
		}
		l.Village, l.Amount = place.Code(vil), money.Fen(amt)
		out = append(out, l)
	}
	return out, rows.Err()
}

// PayoutFile is the bank's payout file of a batch: one row per household
// with the holder, bank and full card number (the bank needs them), and a
// totals row. Only the county's rural-revitalization or finance bureau
// exports it, and every export is audited.
func (s *Service) PayoutFile(ctx context.Context, p auth.Principal, batch int64) ([][]any, error) {
	if err := mayPay(p); err != nil {
		return nil, err
	}
	lines, err := s.Lines(ctx, p.County, batch)
	if err != nil {
		return nil, err
	}
	rows := [][]any{{"批次", "序号", "申请编号", "户编号", "户名", "开户行", "银行卡号", "金额（元）"}}
	var total money.Fen
	for _, l := range lines {
		holder, bank, number, err := s.reg.CardInClear(ctx, p.County, l.Household)
		if err != nil {
			return nil, err
		}
		rows = append(rows, []any{batch, l.Line, l.Application, l.Household, holder, bank, number, l.Amount.Plain()})
		total += l.Amount
	}
	rows = append(rows, []any{"合计", len(lines), "", "", "", "", "", total.Plain()})
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "relief.payout_file", Object: fmt.Sprintf("payout batch %d (%d lines, card numbers in clear)", batch, len(lines)),
			Place: p.County + "000000"})
		return err
	})
	return rows, err
}

// ReturnResult sums an imported bank return file.
type ReturnResult struct {
	Paid, Failed, Unchanged int
}

// returned is one row of a bank return file.
type returned struct {
	row    int
	batch  int64
	line   int
	paid   bool
	reason string
}

// ImportReturn reads the bank's return file (CSV or xlsx: batch/批次,
// line/序号, result/结果 — 成功/paid or 失败/failed — and reason/原因): every
// row is checked first, and any bad row means nothing is written. A paid
// line pays the household from the bank in transit, once per application
// whatever happens (idempotent key); a failed line returns the money to
// the fund. A line settled before (a file imported twice) is unchanged.
func (s *Service) ImportReturn(ctx context.Context, p auth.Principal, r io.Reader) (ReturnResult, error) {
	if err := mayPay(p); err != nil {
		return ReturnResult{}, err
	}
	rs, err := s.parseReturn(ctx, p, r)
	if err != nil {
		return ReturnResult{}, err
	}
	return s.settleReturns(ctx, p, rs)
}

// parseReturn reads and checks the bank's return file: all rows or none.
func (s *Service) parseReturn(ctx context.Context, p auth.Principal, r io.Reader) ([]returned, error) {
	t, err := tabular.NewTable(r, []tabular.Column{{Key: "batch", Names: []string{"batch", "批次"}, Required: true}, {Key: "line", Names: []string{"line", "序号"}, Required: true},
		{Key: "result", Names: []string{"result", "结果"}, Required: true}, {Key: "reason", Names: []string{"reason", "原因"}}})
	if err != nil {
		return nil, err
	}
	defer t.Close()
	var rs []returned
	for t.Next() {
		if t.Empty() || t.Cell("batch") == "合计" {
			continue
		}
		rt := returned{row: t.Row(), reason: t.Cell("reason")}
		var err error
		if rt.batch, err = strconv.ParseInt(t.Required("batch"), 10, 64); err != nil {
			t.Fail("batch", "not a batch number")
		}
		if rt.line, err = strconv.Atoi(t.Required("line")); err != nil {
			t.Fail("line", "not a line number")
		}
		switch strings.ToLower(t.Cell("result")) {
		case "成功", "paid", "success", "ok":
			rt.paid = true
		case "失败", "failed", "fail":
			if rt.reason == "" {
				rt.reason = "银行退回"
			}
		default:
			t.Fail("result", "%q must be 成功/paid or 失败/failed", t.Cell("result"))
		}
		rs = append(rs, rt)
	}
	if err := t.Err(); err != nil {
		return nil, err
	}
	// Every line must exist.
	for _, rt := range rs {
		if rt.batch == 0 || rt.line == 0 {
			continue
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM relief_lines WHERE county = ? AND batch = ? AND line = ?`, p.County, rt.batch, rt.line).Scan(&n); err != nil {
			return nil, errs.Wrap(err, "relief: line")
		}
		if n == 0 {
			t.FailAt(rt.row, "line", "batch %d has no line %d", rt.batch, rt.line)
		}
	}
	if t.Failed() {
		return nil, t.Invalid()
	}
	return rs, nil
}

// settleReturns settles the checked lines, a chunk per transaction.
func (s *Service) settleReturns(ctx context.Context, p auth.Principal, rs []returned) (ReturnResult, error) {
	var res ReturnResult
	for start := 0; start < len(rs); start += chunk {
		part := rs[start:min(start+chunk, len(rs))]
		var got ReturnResult
		err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
			got = ReturnResult{}
			for _, rt := range part {
				changed, err := s.settleTx(ctx, tx, p, rt)
				if err != nil {
					return err
				}
				switch {
				case !changed:
					got.Unchanged++
				case rt.paid:
					got.Paid++
				default:
					got.Failed++
				}
			}
			if err := s.floorTx(ctx, tx, p.County, false); err != nil {
				return err
			}
			_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "relief.bank_return", Object: fmt.Sprintf("%d lines", len(part)),
				Place: p.County + "000000", After: got})
			return err
		})
		if err != nil {
			return res, err
		}
		res.Paid += got.Paid
		res.Failed += got.Failed
		res.Unchanged += got.Unchanged
	}
	return res, nil
}

// settleTx settles one returned line; it reports false when the line was
// settled before.
func (s *Service) settleTx(ctx context.Context, tx *store.Tx, p auth.Principal, rt returned) (bool, error) {
	var app int64
	var attempt int
	var hh, vil, status string
	var amt int64
	err := tx.QueryRowContext(ctx, `SELECT application, attempt, household, village, amount, status FROM relief_lines WHERE county = ? AND batch = ? AND line = ?`,
		p.County, rt.batch, rt.line).Scan(&app, &attempt, &hh, &vil, &amt, &status)
	if err != nil {
		return false, errs.Wrap(err, "relief: line")
	}
	if status != "sent" {
		return false, nil
	}
	var sentLegs []ledger.Leg
	var sentID int64
	if err := tx.QueryRowContext(ctx, `SELECT sent_transfer FROM relief_lines WHERE county = ? AND batch = ? AND line = ?`, p.County, rt.batch, rt.line).Scan(&sentID); err != nil {
		return false, errs.Wrap(err, "relief: line")
	}
	t, err := s.l.Transfer(ctx, p.County, sentID)
	if err != nil {
		return false, err
	}
	sentLegs = t.Legs
	var req ledger.TransferRequest
	if rt.paid {
		// The household's card account: the one it already has in the
		// ledger (other programmes pay it too), or a new one.
		var kind string
		err := tx.QueryRowContext(ctx, `SELECT kind FROM ledger_accounts WHERE county = ? AND code = ?`, p.County, HouseholdAccount(hh)).Scan(&kind)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, _, err := s.l.OpenAccountsTx(ctx, tx, p.County, []ledger.NewAccount{{Code: HouseholdAccount(hh), Kind: ledger.Household, Name: "农户 " + hh, Place: place.Code(vil)}}); err != nil {
				return false, err
			}
		case err != nil:
			return false, errs.Wrap(err, "relief: household account")
		case kind != string(ledger.Household):
			return false, errs.F(errs.Conflict, "account_kind", "household", "ledger account %s is a %s account, not a household's", HouseholdAccount(hh), kind)
		}
		req = ledger.TransferRequest{Key: fmt.Sprintf("relief-pay:%d", app), Kind: "relief_payout", From: BankAccount, To: HouseholdAccount(hh), Legs: sentLegs,
			Memo: fmt.Sprintf("防返贫救助 申请%d", app)}
	} else {
		req = ledger.TransferRequest{Key: fmt.Sprintf("relief-fail:%d:%d", app, attempt), Kind: "refund", From: BankAccount, To: FundAccount, Legs: sentLegs,
			Memo: fmt.Sprintf("代发失败退回 申请%d：%s", app, rt.reason)}
	}
	ts, _, err := s.l.PostTx(ctx, tx, p.Username, p.County, []ledger.TransferRequest{req})
	if err != nil {
		return false, err
	}
	lineStatus, appStatus := "paid", Paid
	if !rt.paid {
		lineStatus, appStatus = "failed", Failed
	}
	if _, err := tx.ExecContext(ctx, `UPDATE relief_lines SET status = ?, reason = ?, settled_transfer = ?, settled_at = ? WHERE county = ? AND batch = ? AND line = ?`,
		lineStatus, rt.reason, ts[0].ID, clock.Micros(tx.Now), p.County, rt.batch, rt.line); err != nil {
		return false, errs.Wrap(err, "relief: settle")
	}
	paidID := int64(0)
	if rt.paid {
		paidID = ts[0].ID
	}
	if _, err := tx.ExecContext(ctx, `UPDATE relief_applications SET status = ?, paid_transfer = ? WHERE county = ? AND id = ?`, appStatus, paidID, p.County, app); err != nil {
		return false, errs.Wrap(err, "relief: settle")
	}
	return true, nil
}
