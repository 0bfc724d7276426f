package payout

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

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

// PayoutFile is the bank's payout file of a batch: one row per payee with
// the holder, bank and full card number (the bank needs them), and a
// totals row. It is the one export with card numbers in clear: only
// whom the client permits exports it, and every export is audited.
func (s *Service) PayoutFile(ctx context.Context, p auth.Principal, kind string, batch int64) ([][]any, error) {
	c, err := s.client(kind)
	if err != nil {
		return nil, err
	}
	if err := c.Permit(p); err != nil {
		return nil, err
	}
	if _, err := s.Batch(ctx, p.County, kind, batch); err != nil {
		return nil, err
	}
	lines, err := s.Lines(ctx, p.County, batch)
	if err != nil {
		return nil, err
	}
	spec := c.Spec()
	rows := [][]any{{"批次", "序号", spec.Item + "编号", spec.Payee + "编号", "户名", "开户行", "银行卡号", "金额（元）"}}
	var total money.Fen
	for _, l := range lines {
		holder, bank, number, err := c.Card(ctx, p.County, l.Payee)
		if err != nil {
			return nil, err
		}
		rows = append(rows, []any{batch, l.Line, l.Source, l.Payee, holder, bank, number, l.Amount.Plain()})
		total += l.Amount
	}
	rows = append(rows, []any{"合计", len(lines), "", "", "", "", "", total.Plain()})
	err = s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		_, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: kind + ".payout_file", Object: fmt.Sprintf("payout batch %d (%d lines, card numbers in clear)", batch, len(lines)),
			Place: p.County + "000000"})
		return err
	})
	return rows, err
}

// ReturnResult sums a settled bank return file.
type ReturnResult struct {
	Paid, Failed, Unchanged int
}

// ReturnLine is one checked row of a bank return file, frozen in the
// return's instruction.
type ReturnLine struct {
	Row    int    `json:"row"`
	Batch  int64  `json:"batch"`
	Line   int    `json:"line"`
	Paid   bool   `json:"paid"`
	Code   string `json:"code,omitempty"` // a failed line's reason code ('' in returns entered before 0025: returned)
	Reason string `json:"reason,omitempty"`
}

// results maps the words a bank writes in the result column to paid or a
// failure's reason code.
var results = map[string]string{
	"成功": Paid, "paid": Paid, "success": Paid, "ok": Paid,
	"失败": Returned, "failed": Returned, "fail": Returned, "退回": Returned, "退票": Returned, "returned": Returned,
	"拒绝": Refused, "拒付": Refused, "refused": Refused,
	"账户无效": AccountInvalid, "账号无效": AccountInvalid, "account_invalid": AccountInvalid, "invalid": AccountInvalid,
}

// ImportReturn reads the bank's return file and settles it at once (the
// money instruction path is ProposeReturn). Errors: Permit's, Invalid
// (invalid_rows).
func (s *Service) ImportReturn(ctx context.Context, p auth.Principal, kind string, r io.Reader) (ReturnResult, error) {
	c, err := s.client(kind)
	if err != nil {
		return ReturnResult{}, err
	}
	if err := c.Permit(p); err != nil {
		return ReturnResult{}, err
	}
	rs, err := s.ParseReturn(ctx, p, kind, r)
	if err != nil {
		return ReturnResult{}, err
	}
	var res ReturnResult
	for start := 0; start < len(rs); start += Chunk {
		part := rs[start:min(start+Chunk, len(rs))]
		var got ReturnResult
		err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
			var err error
			got, err = s.settleAllTx(ctx, tx, p, p.County, part)
			if err != nil {
				return err
			}
			_, err = audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: kind + ".bank_return", Object: fmt.Sprintf("%d lines", len(part)),
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

// ParseReturn reads and checks the bank's return file (CSV or xlsx:
// batch/批次, line/序号, result/结果 — 成功/paid, 失败/failed, 拒绝/refused,
// 账户无效/account_invalid, 退回/returned — and reason/原因): all rows or
// none. Every line must be one of a batch of kind: a file of another
// capability's batch names lines that do not exist here.
func (s *Service) ParseReturn(ctx context.Context, p auth.Principal, kind string, r io.Reader) ([]ReturnLine, error) {
	t, err := tabular.NewTable(r, []tabular.Column{{Key: "batch", Names: []string{"batch", "批次"}, Required: true}, {Key: "line", Names: []string{"line", "序号"}, Required: true},
		{Key: "result", Names: []string{"result", "结果"}, Required: true}, {Key: "reason", Names: []string{"reason", "原因"}}})
	if err != nil {
		return nil, err
	}
	defer t.Close()
	var rs []ReturnLine
	for t.Next() {
		if t.Empty() || t.Cell("batch") == "合计" {
			continue
		}
		rt := ReturnLine{Row: t.Row(), Reason: t.Cell("reason")}
		var err error
		if rt.Batch, err = strconv.ParseInt(t.Required("batch"), 10, 64); err != nil {
			t.Fail("batch", "not a batch number")
		}
		if rt.Line, err = strconv.Atoi(t.Required("line")); err != nil {
			t.Fail("line", "not a line number")
		}
		switch code := results[strings.ToLower(t.Cell("result"))]; code {
		case Paid:
			rt.Paid = true
		case "":
			t.Fail("result", "%q must be 成功/paid or 失败/failed", t.Cell("result"))
		default:
			rt.Code = code
			if rt.Reason == "" {
				rt.Reason = "银行退回"
			}
		}
		rs = append(rs, rt)
	}
	if err := t.Err(); err != nil {
		return nil, err
	}
	for _, rt := range rs {
		if rt.Batch == 0 || rt.Line == 0 {
			continue
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM payout_lines WHERE county = ? AND batch = ? AND line = ? AND kind = ?`, p.County, rt.Batch, rt.Line, kind).Scan(&n); err != nil {
			return nil, errs.Wrap(err, "payout: line")
		}
		if n == 0 {
			t.FailAt(rt.Row, "line", "batch %d has no line %d", rt.Batch, rt.Line)
		}
	}
	if t.Failed() {
		return nil, t.Invalid()
	}
	return rs, nil
}

// settleAllTx settles returned lines of any kind in tx, then lets each
// client whose money moved re-check what it keeps.
func (s *Service) settleAllTx(ctx context.Context, tx *store.Tx, p auth.Principal, county string, rs []ReturnLine) (ReturnResult, error) {
	var got ReturnResult
	moved := map[string]Client{}
	for _, rt := range rs {
		changed, c, err := s.settleTx(ctx, tx, p, county, rt)
		if err != nil {
			return got, err
		}
		moved[c.Spec().Kind] = c
		switch {
		case !changed:
			got.Unchanged++
		case rt.Paid:
			got.Paid++
		default:
			got.Failed++
		}
	}
	for _, c := range moved {
		if err := c.Moved(ctx, tx, county); err != nil {
			return got, err
		}
	}
	return got, nil
}

// settleTx settles one returned line: paid, the payee is paid from the
// bank in transit (its key is per source: at most once, ever); failed,
// the money goes back to the source account with the line's legs. It
// reports false when the line was settled before.
func (s *Service) settleTx(ctx context.Context, tx *store.Tx, p auth.Principal, county string, rt ReturnLine) (bool, Client, error) {
	l := Line{Batch: rt.Batch, Line: rt.Line}
	var pl string
	var amt, sentID int64
	err := tx.QueryRowContext(ctx, `SELECT kind, source, attempt, payee, place, amount, status, sent_transfer FROM payout_lines WHERE county = ? AND batch = ? AND line = ?`,
		county, rt.Batch, rt.Line).Scan(&l.Kind, &l.Source, &l.Attempt, &l.Payee, &pl, &amt, &l.Status, &sentID)
	if err != nil {
		return false, nil, errs.Wrap(err, "payout: line")
	}
	l.Place, l.Amount = place.Code(pl), money.Fen(amt)
	c, err := s.client(l.Kind)
	if err != nil {
		return false, nil, err
	}
	if err := c.Permit(p); err != nil {
		return false, nil, err
	}
	if l.Status != Sent {
		return false, c, nil
	}
	spec := c.Spec()
	t, err := s.l.Transfer(ctx, county, sentID)
	if err != nil {
		return false, nil, err
	}
	var req ledger.TransferRequest
	if rt.Paid {
		to, err := c.PayeeAccount(ctx, tx, county, l)
		if err != nil {
			return false, nil, err
		}
		req = ledger.TransferRequest{Key: fmt.Sprintf("%s-pay:%d", spec.Kind, l.Source), Kind: spec.TransferKind, From: spec.Transit, To: to, Legs: t.Legs,
			Memo: fmt.Sprintf("%s %s%d", spec.Title, spec.Item, l.Source)}
	} else {
		req = ledger.TransferRequest{Key: fmt.Sprintf("%s-fail:%d:%d", spec.Kind, l.Source, l.Attempt), Kind: "refund", From: spec.Transit, To: spec.Source, Legs: t.Legs,
			Memo: fmt.Sprintf("代发失败退回 %s%d：%s", spec.Item, l.Source, rt.Reason)}
	}
	ts, _, err := s.l.PostTx(ctx, tx, p.Username, county, []ledger.TransferRequest{req})
	if err != nil {
		return false, nil, err
	}
	l.Status, l.Code, l.Reason, l.SettledAt = Paid, "", rt.Reason, tx.Now
	if !rt.Paid {
		l.Status, l.Code = Failed, rt.Code
		if l.Code == "" {
			l.Code = Returned
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payout_lines SET status = ?, code = ?, reason = ?, settled_transfer = ?, settled_at = ? WHERE county = ? AND batch = ? AND line = ?`,
		l.Status, l.Code, l.Reason, ts[0].ID, clock.Micros(tx.Now), county, rt.Batch, rt.Line); err != nil {
		return false, nil, errs.Wrap(err, "payout: settle")
	}
	paid := int64(0)
	if rt.Paid {
		paid = ts[0].ID
	}
	if err := c.Settled(ctx, tx, county, l, rt.Paid, paid); err != nil {
		return false, nil, err
	}
	return true, c, nil
}
