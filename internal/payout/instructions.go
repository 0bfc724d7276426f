package payout

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// UseInstructions puts the money out — each client's batches and the
// bank's return files — under two-person control: one person enters them
// (ProposeBatch, ProposeReturn), another approves, and only then is
// anything posted. A client's batches are its Spec's BatchKind; every
// return file is instruct.BankReturn, whatever its lines' kinds.
func (s *Service) UseInstructions(ins *instruct.Service) {
	s.ins = ins
	for _, c := range s.clients {
		s.registerBatch(c)
	}
	ins.Register(instruct.BankReturn, s.execReturn)
}

func (s *Service) registerBatch(c Client) {
	kind := c.Spec().Kind
	s.ins.Register(c.Spec().BatchKind, func(ctx context.Context, tx *store.Tx, p auth.Principal, in instruct.Instruction) ([]int64, error) {
		return s.execBatch(ctx, tx, c, p, in)
	})
	s.ins.After(c.Spec().BatchKind, func(ctx context.Context, p auth.Principal, in instruct.Instruction) error {
		batch, err := s.BatchOf(ctx, in.County, in.ID)
		if err != nil || batch == 0 {
			return err
		}
		_, err = s.SendMore(ctx, p, kind, batch)
		return err
	})
}

// ProposeBatch enters a batch of every item of kind waiting for payment
// (and every failed one whose card was corrected), for approval by
// another person; the source account must cover it now and again at
// approval. Errors: the client's Permit, Nothing and Covers,
// RuleBroken (card_not_corrected), and instruct's.
func (s *Service) ProposeBatch(ctx context.Context, p auth.Principal, kind, key string) (instruct.Instruction, error) {
	c, err := s.client(kind)
	if err != nil {
		return instruct.Instruction{}, err
	}
	if err := c.Permit(p); err != nil {
		return instruct.Instruction{}, err
	}
	spec := c.Spec()
	return s.ins.Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		if err := c.Setup(ctx, tx, p.County); err != nil {
			return instruct.New{}, err
		}
		o, err := s.waitingTx(ctx, tx, c, p.County, 1<<62)
		if err != nil {
			return instruct.New{}, err
		}
		if err := c.Covers(ctx, tx, p.County, o.Total); err != nil {
			return instruct.New{}, err
		}
		if key == "" {
			key = fmt.Sprintf("batch:%d:%d:%d", o.Bound, o.Count, o.Attempts)
		}
		return instruct.New{Kind: spec.BatchKind, Key: key, Place: place.Code(p.County + "000000"), Amount: o.Total, Subject: spec.Kind,
			Summary: fmt.Sprintf("%s代发 %d %s，合计 %s 元", spec.Title, o.Count, spec.Payee, o.Total), Payload: o}, nil
	})
}

// execBatch creates the approved batch and sends its first chunk in the
// approving transaction; the rest follows chunk by chunk (SendMore).
func (s *Service) execBatch(ctx context.Context, tx *store.Tx, c Client, p auth.Principal, in instruct.Instruction) ([]int64, error) {
	if err := c.Permit(p); err != nil {
		return nil, err
	}
	var o Totals
	if err := instruct.Decode(in, &o); err != nil {
		return nil, err
	}
	now, _, err := s.totalsTx(ctx, tx, c, in.County, o.Bound)
	if err != nil {
		return nil, err
	}
	if now != o {
		return nil, errs.F(errs.RuleBroken, "instruction_stale", "", "the lines waiting for payment changed since the batch was entered (%d lines, %s yuan then; %d, %s now): reject it and enter it again",
			o.Count, o.Total, now.Count, now.Total)
	}
	if err := c.Covers(ctx, tx, in.County, o.Total); err != nil {
		return nil, err
	}
	spec := c.Spec()
	batch, err := s.newBatchTx(ctx, tx, spec.Kind, in.County, in.Maker, o.Bound, in.ID)
	if err != nil {
		return nil, err
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{County: in.County, Actor: p.Username, Action: spec.Kind + ".batch", Object: fmt.Sprintf("payout batch %d", batch), Place: in.County + "000000",
		After: map[string]any{"instruction": in.ID, "maker": in.Maker, "lines": o.Count, "total": o.Total.String()}}); err != nil {
		return nil, err
	}
	if _, err := s.sendChunkTx(ctx, tx, c, p, &batch); err != nil {
		return nil, err
	}
	return []int64{}, nil
}

// ProposeReturn reads and checks the bank's return file of kind's
// batches (all rows or none) and enters it for approval by another
// person; the payees are paid, or the failed lines returned to the
// source account, at approval. The file's digest keys the instruction:
// the same file again replays it. Errors: Permit's, Invalid
// (invalid_rows), and instruct's.
func (s *Service) ProposeReturn(ctx context.Context, p auth.Principal, kind string, r io.Reader) (instruct.Instruction, error) {
	c, err := s.client(kind)
	if err != nil {
		return instruct.Instruction{}, err
	}
	if err := c.Permit(p); err != nil {
		return instruct.Instruction{}, err
	}
	h := sha256.New()
	rs, err := s.ParseReturn(ctx, p, kind, io.TeeReader(r, h))
	if err != nil {
		return instruct.Instruction{}, err
	}
	paid, failed := 0, 0
	for _, rt := range rs {
		if rt.Paid {
			paid++
		} else {
			failed++
		}
	}
	spec := c.Spec()
	return s.ins.Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		var total money.Fen
		for _, l := range rs {
			var amt int64
			if err := tx.QueryRowContext(ctx, `SELECT amount FROM payout_lines WHERE county = ? AND batch = ? AND line = ?`, p.County, l.Batch, l.Line).Scan(&amt); err == nil && l.Paid {
				total += money.Fen(amt)
			}
		}
		return instruct.New{Kind: instruct.BankReturn, Key: fmt.Sprintf("return:%x", h.Sum(nil)[:12]), Place: place.Code(p.County + "000000"), Amount: total, Subject: spec.Kind,
			Summary: fmt.Sprintf("银行回盘：成功 %d 笔（%s 元），失败 %d 笔退回%s", paid, total, failed, spec.Back), Payload: rs}, nil
	})
}

func (s *Service) execReturn(ctx context.Context, tx *store.Tx, p auth.Principal, in instruct.Instruction) ([]int64, error) {
	c, err := s.client(in.Subject)
	if err != nil {
		return nil, err
	}
	if err := c.Permit(p); err != nil {
		return nil, err
	}
	var rs []ReturnLine
	if err := instruct.Decode(in, &rs); err != nil {
		return nil, err
	}
	got, err := s.settleAllTx(ctx, tx, p, in.County, rs)
	if err != nil {
		return nil, err
	}
	_, err = audit.Append(ctx, tx, audit.Entry{County: in.County, Actor: p.Username, Action: in.Subject + ".bank_return", Object: fmt.Sprintf("instruction %d: %d lines", in.ID, len(rs)),
		Place: in.County + "000000", After: map[string]any{"result": got, "maker": in.Maker}})
	return []int64{}, err
}

// BatchKinds maps each registered client's batch instruction kind to its
// payout kind (the web layer sends approved batches as jobs).
func (s *Service) BatchKinds() map[string]string {
	out := map[string]string{}
	for _, c := range s.clients {
		out[c.Spec().BatchKind] = c.Spec().Kind
	}
	return out
}

// Approved is what an approved batch was to send: the batch, its lines
// and total as approved (the instruction's frozen totals), and the lines
// sent so far. Batch 0 means the instruction made no batch (yet).
type Approved struct {
	Batch      int64
	Kind       string
	Want       int
	Total      money.Fen
	Sent       int
	SentAmount money.Fen
}

// Unsent is how many of the approved lines are not sent yet.
func (a Approved) Unsent() int { return max(a.Want-a.Sent, 0) }

// ApprovedOf reads what the approved batch instruction in made and has
// sent so far.
func (s *Service) ApprovedOf(ctx context.Context, in instruct.Instruction) (Approved, error) {
	kind, ok := s.BatchKinds()[in.Kind]
	if !ok {
		return Approved{}, errs.F(errs.Invalid, "invalid_query", "instruction", "instruction %d is not a payout batch", in.ID)
	}
	var o Totals
	if err := instruct.Decode(in, &o); err != nil {
		return Approved{}, err
	}
	a := Approved{Kind: kind, Want: o.Count, Total: o.Total}
	var err error
	if a.Batch, err = s.BatchOf(ctx, in.County, in.ID); err != nil || a.Batch == 0 {
		return a, err
	}
	b, err := s.Batch(ctx, in.County, kind, a.Batch)
	if err != nil {
		return a, err
	}
	a.Sent, a.SentAmount = b.Lines, b.Total
	return a, nil
}

// SendApproved sends what an approved batch has not sent yet, chunk by
// chunk (each a transaction of its own; a run killed half way leaves
// whole chunks and the next call goes on), reporting the lines sent so
// far after each chunk. Errors: the client's Permit, and the store's.
func (s *Service) SendApproved(ctx context.Context, p auth.Principal, in instruct.Instruction, progress func(sent, want int)) (Approved, error) {
	a, err := s.ApprovedOf(ctx, in)
	if err != nil || a.Batch == 0 {
		return a, err
	}
	c, err := s.client(a.Kind)
	if err != nil {
		return a, err
	}
	if err := c.Permit(p); err != nil {
		return a, err
	}
	if progress != nil {
		progress(a.Sent, a.Want)
	}
	batch := a.Batch
	for {
		sent := 0
		if err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
			var err error
			sent, err = s.sendChunkTx(ctx, tx, c, p, &batch)
			return err
		}); err != nil {
			return a, err
		}
		if sent == 0 {
			return s.ApprovedOf(ctx, in)
		}
		a.Sent += sent
		if progress != nil {
			progress(a.Sent, a.Want)
		}
	}
}

// InstructionOfBatch is the approved instruction that made a batch (0
// for a batch sent without one: the demo's and the tests').
func (s *Service) InstructionOfBatch(ctx context.Context, county string, batch int64) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT instruction FROM payout_batches WHERE county = ? AND id = ?`, county, batch).Scan(&id)
	if err != nil {
		return 0, errs.F(errs.NotFound, "unknown_batch", "batch", "no such batch")
	}
	return id, nil
}
