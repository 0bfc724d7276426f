package funds

import (
	"context"
	"fmt"
	"strings"

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
