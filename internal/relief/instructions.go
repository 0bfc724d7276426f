package relief

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// UseInstructions puts the fund's money out — payout batches and the
// bank's return files — under two-person control: one person enters
// them (ProposeBatch, ProposeReturn), another approves, and only then is
// anything posted.
func (s *Service) UseInstructions(ins *instruct.Service) {
	s.ins = ins
	ins.Register(instruct.ReliefBatch, s.execBatch)
	ins.Register(instruct.BankReturn, s.execReturn)
	ins.After(instruct.ReliefBatch, func(ctx context.Context, p auth.Principal, in instruct.Instruction) error {
		batch, err := s.BatchOf(ctx, in.County, in.ID)
		if err != nil || batch == 0 {
			return err
		}
		_, err = s.SendMore(ctx, p, batch)
		return err
	})
}

// batchOrder is a payout batch as entered: the applications waiting then.
type batchOrder struct {
	Count    int       `json:"count"`
	Total    money.Fen `json:"total"`
	MaxApp   int64     `json:"max_app"`
	Attempts int64     `json:"attempts"` // payout attempts so far: a failed line sent again is a new batch
}

func toSendTx(ctx context.Context, tx *store.Tx, county string, maxApp int64) (batchOrder, error) {
	var o batchOrder
	var total, maxID int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0), COALESCE(MAX(id), 0), COALESCE(SUM(attempts), 0) FROM relief_applications WHERE county = ? AND status IN ('approved', 'failed') AND id <= ?`,
		county, maxApp).Scan(&o.Count, &total, &maxID, &o.Attempts); err != nil {
		return o, errs.Wrap(err, "relief: to send")
	}
	o.Total, o.MaxApp = money.Fen(total), maxID
	return o, nil
}

// ProposeBatch enters a payout batch of every application waiting for
// payment, for approval by another person; the fund must cover it now
// and again at approval. Errors: Forbidden, RuleBroken (nothing_to_send),
// InsufficientFunds.
func (s *Service) ProposeBatch(ctx context.Context, p auth.Principal, key string) (instruct.Instruction, error) {
	if err := mayPay(p); err != nil {
		return instruct.Instruction{}, err
	}
	return s.ins.Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		if err := s.setupTx(ctx, tx, p.County); err != nil {
			return instruct.New{}, err
		}
		o, err := toSendTx(ctx, tx, p.County, 1<<62)
		if err != nil {
			return instruct.New{}, err
		}
		if o.Count == 0 {
			return instruct.New{}, errs.F(errs.RuleBroken, "nothing_to_send", "", "no approved application is waiting for payment")
		}
		if err := s.fundCovers(ctx, tx, p.County, o.Total); err != nil {
			return instruct.New{}, err
		}
		if key == "" {
			key = fmt.Sprintf("batch:%d:%d:%d", o.MaxApp, o.Count, o.Attempts)
		}
		return instruct.New{Kind: instruct.ReliefBatch, Key: key, Place: place.Code(p.County + "000000"), Amount: o.Total, Subject: "relief",
			Summary: fmt.Sprintf("防返贫救助代发 %d 户，合计 %s 元", o.Count, o.Total), Payload: o}, nil
	})
}

func (s *Service) fundCovers(ctx context.Context, tx *store.Tx, county string, total money.Fen) error {
	bal, err := fundBalance(ctx, tx, county)
	if err != nil {
		return err
	}
	if bal < total {
		return errs.F(errs.InsufficientFunds, "insufficient_funds", "fund", "the relief fund holds %s yuan; the batch needs %s yuan", bal, total)
	}
	return nil
}

// execBatch creates the approved batch and sends its first chunk in the
// approving transaction; the rest follows chunk by chunk (SendMore).
func (s *Service) execBatch(ctx context.Context, tx *store.Tx, p auth.Principal, in instruct.Instruction) ([]int64, error) {
	if err := mayPay(p); err != nil {
		return nil, err
	}
	var o batchOrder
	if err := instruct.Decode(in, &o); err != nil {
		return nil, err
	}
	now, err := toSendTx(ctx, tx, in.County, o.MaxApp)
	if err != nil {
		return nil, err
	}
	if now != o {
		return nil, errs.F(errs.RuleBroken, "instruction_stale", "", "the applications waiting for payment changed since the batch was entered (%d lines, %s yuan then; %d, %s now): reject it and enter it again",
			o.Count, o.Total, now.Count, now.Total)
	}
	if err := s.fundCovers(ctx, tx, in.County, o.Total); err != nil {
		return nil, err
	}
	var batch int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM relief_batches WHERE county = ?`, in.County).Scan(&batch); err != nil {
		return nil, errs.Wrap(err, "relief: batch id")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO relief_batches (county, id, lines, total, created_at, created_by, max_app, instruction) VALUES (?, ?, 0, 0, ?, ?, ?, ?)`,
		in.County, batch, clock.Micros(tx.Now), in.Maker, o.MaxApp, in.ID); err != nil {
		return nil, errs.Wrap(err, "relief: batch")
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{County: in.County, Actor: p.Username, Action: "relief.batch", Object: fmt.Sprintf("payout batch %d", batch), Place: in.County + "000000",
		After: map[string]any{"instruction": in.ID, "maker": in.Maker, "lines": o.Count, "total": o.Total.String()}}); err != nil {
		return nil, err
	}
	if _, err := s.sendChunkTx(ctx, tx, p, &batch); err != nil {
		return nil, err
	}
	return []int64{}, nil
}

// BatchOf is the payout batch an approved instruction created (0: none).
func (s *Service) BatchOf(ctx context.Context, county string, instruction int64) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM relief_batches WHERE county = ? AND instruction = ?`, county, instruction).Scan(&id)
	if err != nil {
		return 0, errs.Wrap(err, "relief: batch of instruction")
	}
	return id, nil
}

// returnLine is one checked line of a bank return file, frozen.
type returnLine struct {
	Row    int    `json:"row"`
	Batch  int64  `json:"batch"`
	Line   int    `json:"line"`
	Paid   bool   `json:"paid"`
	Reason string `json:"reason,omitempty"`
}

// ProposeReturn reads and checks the bank's return file (all rows or
// none) and enters it for approval by another person; the households are
// paid, or the failed lines returned to the fund, at approval. Errors:
// Forbidden, Invalid (invalid_rows), and instruct's.
func (s *Service) ProposeReturn(ctx context.Context, p auth.Principal, r io.Reader) (instruct.Instruction, error) {
	if err := mayPay(p); err != nil {
		return instruct.Instruction{}, err
	}
	h := sha256.New() // the file's digest keys the instruction: the same file again replays it
	rs, err := s.parseReturn(ctx, p, io.TeeReader(r, h))
	if err != nil {
		return instruct.Instruction{}, err
	}
	lines := make([]returnLine, len(rs))
	paid, failed := 0, 0
	var total money.Fen
	for i, rt := range rs {
		lines[i] = returnLine{Row: rt.row, Batch: rt.batch, Line: rt.line, Paid: rt.paid, Reason: rt.reason}
		if rt.paid {
			paid++
		} else {
			failed++
		}
	}
	return s.ins.Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		for _, l := range lines {
			var amt int64
			if err := tx.QueryRowContext(ctx, `SELECT amount FROM relief_lines WHERE county = ? AND batch = ? AND line = ?`, p.County, l.Batch, l.Line).Scan(&amt); err == nil && l.Paid {
				total += money.Fen(amt)
			}
		}
		return instruct.New{Kind: instruct.BankReturn, Key: fmt.Sprintf("return:%x", h.Sum(nil)[:12]), Place: place.Code(p.County + "000000"), Amount: total, Subject: "relief",
			Summary: fmt.Sprintf("银行回盘：成功 %d 笔（%s 元），失败 %d 笔退回基金", paid, total, failed), Payload: lines}, nil
	})
}

func (s *Service) execReturn(ctx context.Context, tx *store.Tx, p auth.Principal, in instruct.Instruction) ([]int64, error) {
	if err := mayPay(p); err != nil {
		return nil, err
	}
	var lines []returnLine
	if err := instruct.Decode(in, &lines); err != nil {
		return nil, err
	}
	var got ReturnResult
	for _, l := range lines {
		rt := returned{row: l.Row, batch: l.Batch, line: l.Line, paid: l.Paid, reason: l.Reason}
		changed, err := s.settleTx(ctx, tx, p, rt)
		if err != nil {
			return nil, err
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
	if err := s.floorTx(ctx, tx, in.County, false); err != nil {
		return nil, err
	}
	_, err := audit.Append(ctx, tx, audit.Entry{County: in.County, Actor: p.Username, Action: "relief.bank_return", Object: fmt.Sprintf("instruction %d: %d lines", in.ID, len(lines)),
		Place: in.County + "000000", After: map[string]any{"result": got, "maker": in.Maker}})
	return []int64{}, err
}
