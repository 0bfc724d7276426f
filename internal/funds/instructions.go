package funds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/place"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/store"
)

// UseInstructions puts the funds capability's money moves — allocations
// and payments — under two-person control: people enter them with
// ProposeAllocation and ProposePayment, and they post when approved.
func (s *Service) UseInstructions(ins *instruct.Service) {
	s.ins = ins
	ins.Register(instruct.Allocation, s.execAllocation)
	ins.Register(instruct.Payment, s.execPayment)
	ins.Register(instruct.Correction, s.execCorrection)
}

// Instructions is the two-person control the capability posts through.
func (s *Service) Instructions() *instruct.Service { return s.ins }

func legsTotal(legs []ledger.Leg) money.Fen {
	var t money.Fen
	for _, l := range legs {
		t += l.Amount
	}
	return t
}

// legsText names each leg's channel (by its name, read through q) and
// amount, for the approver.
func (s *Service) legsText(ctx context.Context, q store.Querier, county string, legs []ledger.Leg) string {
	parts := make([]string, len(legs))
	for i, l := range legs {
		name := l.Channel
		if c, err := s.channel(ctx, q, county, l.Channel); err == nil && c.Name != "" {
			name = c.Name
		}
		parts[i] = name + " " + l.Amount.String()
	}
	return strings.Join(parts, "，")
}

// ProposeAllocation enters an allocation for approval: the project, the
// rule and the pool's holdings are checked in the entering transaction and
// the legs frozen (a split by the rule is settled now, so that the
// approver approves exactly what will post). Errors: those of Allocate,
// NotFound (a project outside p's subtree), and instruct's.
func (s *Service) ProposeAllocation(ctx context.Context, p auth.Principal, a Allocation) (instruct.Instruction, error) {
	return s.ins.Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		pr, legs, err := s.planAllocation(ctx, tx, p.County, a)
		if errs.CodeOf(err) == "unknown_project" {
			return instruct.New{}, err
		}
		if err == nil && !p.Sees(pr.Place) {
			return instruct.New{}, errs.F(errs.NotFound, "unknown_project", "project", "project %q does not exist", a.Project)
		}
		if err != nil {
			return instruct.New{}, err
		}
		if err := s.covers(ctx, tx, p.County, PoolCode, legs); err != nil {
			return instruct.New{}, err
		}
		frozen := a
		frozen.Legs, frozen.Amount = legs, 0
		total := legsTotal(legs)
		return instruct.New{Kind: instruct.Allocation, Key: a.Key, Place: pr.Place, Amount: total, Subject: pr.Code, Payload: frozen,
			Summary: fmt.Sprintf("资金池 → 项目 %s %s：%s 元（%s）", pr.Code, pr.Name, total, s.legsText(ctx, tx, p.County, legs))}, nil
	})
}

// ProposePayment enters a payment out of a project for approval; the
// legs (the project's channels, unless given) are frozen now. Errors:
// those of Pay, NotFound.
func (s *Service) ProposePayment(ctx context.Context, p auth.Principal, pm Payment) (instruct.Instruction, error) {
	return s.ins.Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		pr, err := s.project(ctx, tx, p.County, pm.Project)
		if err != nil {
			return instruct.New{}, err
		}
		if !p.Sees(pr.Place) {
			return instruct.New{}, errs.F(errs.NotFound, "unknown_project", "project", "project %q does not exist", pm.Project)
		}
		if acc, err := s.l.AccountTx(ctx, tx, p.County, pm.To); err == nil && acc.Place != "" && !p.Sees(acc.Place) {
			return instruct.New{}, errs.F(errs.NotFound, "unknown_account", "to", "account %q does not exist", pm.To)
		}
		_, legs, err := s.planPayment(ctx, tx, p.County, pm)
		if err != nil {
			return instruct.New{}, err
		}
		if err := s.covers(ctx, tx, p.County, ProjectAccount(pr.Code), legs); err != nil {
			return instruct.New{}, err
		}
		frozen := pm
		frozen.Legs, frozen.Amount = legs, 0
		total := legsTotal(legs)
		return instruct.New{Kind: instruct.Payment, Key: pm.Key, Place: pr.Place, Amount: total, Subject: pr.Code, Payload: frozen,
			Summary: fmt.Sprintf("项目 %s %s → %s：%s 元（%s）", pr.Code, pr.Name, s.accountName(ctx, tx, p.County, pm.To), total, s.legsText(ctx, tx, p.County, legs))}, nil
	})
}

// covers refuses legs the account does not hold now, per channel (the
// approval checks again: the ledger never lets a no-overdraft account go
// below zero on any channel).
func (s *Service) covers(ctx context.Context, tx *store.Tx, county, account string, legs []ledger.Leg) error {
	bals, err := s.l.BalancesTx(ctx, tx, county, account)
	if err != nil {
		return err
	}
	have := map[string]money.Fen{}
	for _, b := range bals {
		have[b.Channel] = b.Amount
	}
	need := map[string]money.Fen{}
	for _, l := range legs {
		need[l.Channel] += l.Amount
	}
	var short []string
	for i, l := range legs {
		if need[l.Channel] > have[l.Channel] {
			short = append(short, fmt.Sprintf("legs[%d] %s: holds %s, needs %s", i, l.Channel, have[l.Channel], need[l.Channel]))
			need[l.Channel] = 0 // name each channel once
		}
	}
	if len(short) > 0 {
		return errs.F(errs.InsufficientFunds, "insufficient_funds", "amount", "%s does not hold enough on every channel: %s", account, strings.Join(short, "; "))
	}
	return nil
}

func (s *Service) execAllocation(ctx context.Context, tx *store.Tx, approver auth.Principal, in instruct.Instruction) ([]int64, error) {
	var a Allocation
	if err := instruct.Decode(in, &a); err != nil {
		return nil, err
	}
	t, err := s.AllocateTx(ctx, tx, approver.Username, in.County, a)
	if err != nil {
		return nil, err
	}
	return []int64{t.ID}, nil
}

func (s *Service) execPayment(ctx context.Context, tx *store.Tx, approver auth.Principal, in instruct.Instruction) ([]int64, error) {
	var pm Payment
	if err := instruct.Decode(in, &pm); err != nil {
		return nil, err
	}
	t, err := s.PayTx(ctx, tx, approver.Username, in.County, pm)
	if err != nil {
		return nil, err
	}
	return []int64{t.ID}, nil
}

// HoldingsTx is what a project holds now, per channel, as legs (by
// channel code), read through tx.
func (s *Service) HoldingsTx(ctx context.Context, tx *store.Tx, county, code string) ([]ledger.Leg, error) {
	bals, err := s.l.BalancesTx(ctx, tx, county, ProjectAccount(code))
	if err != nil {
		return nil, err
	}
	var legs []ledger.Leg
	for _, b := range bals {
		if b.Amount > 0 {
			legs = append(legs, ledger.Leg{Channel: b.Channel, Amount: b.Amount})
		}
	}
	return legs, nil
}

// CheckAllocationTx checks an allocation's rules (the project's status,
// the channels' purposes) without posting it.
func (s *Service) CheckAllocationTx(ctx context.Context, tx *store.Tx, county string, a Allocation) error {
	_, _, err := s.planAllocation(ctx, tx, county, a)
	return err
}

// accountName is an account's name (and code), for the approver.
func (s *Service) accountName(ctx context.Context, q store.Querier, county, code string) string {
	if a, err := s.l.AccountTx(ctx, q, county, code); err == nil && a.Name != "" {
		return a.Name + "（" + code + "）"
	}
	return code
}

// correctionOrder is the correction of a wrong arrival, integration or
// allocation, as entered.
type correctionOrder struct {
	Transfer int64  `json:"transfer"`
	Key      string `json:"key"`
	Reason   string `json:"reason"`
}

// corrected are the kinds the funds capability corrects: it keeps books of
// them (fund_movements) besides the ledger.
var corrected = map[string]bool{"arrival": true, "integration": true, "allocation": true}

// ProposeCorrection enters, for approval by another person, the reversal
// of a wrong arrival, integration or allocation (冲销): the same legs back,
// and its movements undone on the original document day, so that the
// year's rates and the village checks count what stays. Errors: Invalid
// (opinion_required, invalid_key), RuleBroken (capability_kind for
// another kind), and the ledger's (already_reversed, insufficient_funds
// when the money has moved on).
func (s *Service) ProposeCorrection(ctx context.Context, p auth.Principal, id int64, key, reason string) (instruct.Instruction, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return instruct.Instruction{}, errs.F(errs.Invalid, "opinion_required", "reason", "say why the transfer is reversed")
	}
	return s.ins.Propose(ctx, p, func(tx *store.Tx) (instruct.New, error) {
		t, err := s.l.Transfer(ctx, p.County, id)
		if err != nil {
			return instruct.New{}, err
		}
		if !corrected[t.Kind] {
			return instruct.New{}, errs.F(errs.RuleBroken, "capability_kind", "transfer", "transfer %d is a %s, not an arrival, integration or allocation of the funds", id, t.Kind)
		}
		if err := s.l.CheckTx(ctx, tx, p.Username, p.County, []ledger.TransferRequest{{Key: "correction:" + key, Kind: "reversal", Reverses: id, Memo: reason}}); err != nil {
			return instruct.New{}, err
		}
		return instruct.New{Kind: instruct.Correction, Key: key, Place: place.Code(p.County + "000000"), Amount: t.Total, Subject: fmt.Sprint(id),
			Summary: fmt.Sprintf("冲销第 %d 笔（%s → %s，%s 元）：%s", id, s.accountName(ctx, tx, p.County, t.From), s.accountName(ctx, tx, p.County, t.To), t.Total, reason),
			Payload: correctionOrder{Transfer: id, Key: key, Reason: reason}}, nil
	})
}

func (s *Service) execCorrection(ctx context.Context, tx *store.Tx, approver auth.Principal, in instruct.Instruction) ([]int64, error) {
	var o correctionOrder
	if err := instruct.Decode(in, &o); err != nil {
		return nil, err
	}
	ts, n, err := s.l.PostTx(ctx, tx, approver.Username, in.County, []ledger.TransferRequest{{Key: "correction:" + o.Key, Kind: "reversal", Reverses: o.Transfer, Memo: o.Reason}})
	if err != nil {
		return nil, err
	}
	rev := ts[0]
	if n > 0 {
		// Undo the movements the original recorded, on its document day.
		var kind, project, day string
		err := tx.QueryRowContext(ctx, `SELECT kind, project, day FROM fund_movements WHERE county = ? AND transfer_id = ? LIMIT 1`, in.County, o.Transfer).Scan(&kind, &project, &day)
		if err == nil {
			d, perr := time.ParseInLocation("2006-01-02", day, clock.Zone)
			if perr != nil {
				return nil, errs.Wrap(perr, "funds: movement day")
			}
			neg := rev
			neg.Legs = make([]ledger.Leg, len(rev.Legs))
			for i, l := range rev.Legs {
				neg.Legs[i] = ledger.Leg{Channel: l.Channel, Amount: -l.Amount}
			}
			if err := recordMovement(ctx, tx, in.County, neg, kind, project, d); err != nil {
				return nil, err
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, errs.Wrap(err, "funds: movement")
		}
		if _, err := audit.Append(ctx, tx, audit.Entry{County: in.County, Actor: approver.Username, Action: "funds.correct", Object: fmt.Sprintf("reversal #%d of #%d", rev.ID, o.Transfer),
			Place: string(in.Place), After: map[string]any{"reason": o.Reason, "maker": in.Maker, "instruction": in.ID}}); err != nil {
			return nil, err
		}
	}
	return []int64{rev.ID}, nil
}
