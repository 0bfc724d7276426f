package instruct

import (
	"context"
	"fmt"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// GenericKinds are the transfer kinds no capability owns: the generic
// ledger API enters only these (and reversals, by their own route).
var GenericKinds = []string{"adjustment"}

// owner names, for a refusal, the capability that owns a transfer kind.
var owner = map[string]string{
	"arrival": "funds", "integration": "funds", "allocation": "funds", "payment": "funds", "reclaim": "projects",
	"refund": "relief", "donation": "relief", "topup": "relief", "relief_payout": "relief",
	"dividend": "agreements", "subsidy_payout": "agreements", "principal_return": "agreements", "disbursement": "loans", "repayment": "loans", "interest_subsidy": "loans", "transfer": "",
	"opening": "adopt", "asset_income": "assets", "asset_payout": "assets", "asset_proceeds": "assets", "dividend_in": "agreements",
}

// reversible are the kinds the ledger API may reverse.
var reversible = map[string]bool{"adjustment": true, "payment": true, "transfer": true}

// UseLedger registers the moves no capability owns — adjustments and
// reversals — so that they too go through two-person control.
func (s *Service) UseLedger(l *ledger.Ledger) {
	s.l = l
	s.Register(Adjustment, s.execAdjustment)
	s.Register(Reversal, s.execReversal)
}

// ProposeAdjustment enters transfers of a kind no capability owns
// (adjustment) for approval; they are checked now as the ledger would
// post them, and posted as entered at approval. A capability's kind is
// refused (capability_kind): it moves only through its capability.
// Errors: RuleBroken (capability_kind), Invalid, and the ledger's.
func (s *Service) ProposeAdjustment(ctx context.Context, p auth.Principal, reqs []ledger.TransferRequest) (Instruction, error) {
	if len(reqs) == 0 {
		return Instruction{}, errs.F(errs.Invalid, "invalid_transfer", "transfers", "no transfers given")
	}
	var total money.Fen
	for i := range reqs {
		field := func(f string) string {
			if len(reqs) == 1 {
				return f
			}
			return fmt.Sprintf("transfers[%d].%s", i, f)
		}
		if reqs[i].Kind == "" {
			reqs[i].Kind = Adjustment
		}
		if reqs[i].Reverses != 0 || reqs[i].Kind == "reversal" {
			return Instruction{}, errs.F(errs.RuleBroken, "capability_kind", field("reverses"), "a reversal is entered on the transfer it reverses (POST …/transfers/{id}/reverse)")
		}
		if reqs[i].Kind != Adjustment {
			if o, known := owner[reqs[i].Kind]; known && o != "" {
				return Instruction{}, errs.F(errs.RuleBroken, "capability_kind", field("kind"), "a transfer of kind %s is posted only through the %s capability, with its checks; the ledger API enters adjustments only", reqs[i].Kind, o)
			}
			if _, known := owner[reqs[i].Kind]; known {
				return Instruction{}, errs.F(errs.RuleBroken, "capability_kind", field("kind"), "the ledger API enters adjustments only, not %s", reqs[i].Kind)
			}
		}
		for _, lg := range reqs[i].Legs {
			total += lg.Amount
		}
	}
	return s.Propose(ctx, p, func(tx *store.Tx) (New, error) {
		if err := s.l.CheckTx(ctx, tx, p.Username, p.County, reqs); err != nil {
			return New{}, err
		}
		summary := fmt.Sprintf("调账 %d 笔，合计 %s 元（%s → %s）", len(reqs), total, reqs[0].From, reqs[0].To)
		if len(reqs) == 1 && reqs[0].Memo != "" {
			summary += "：" + reqs[0].Memo
		}
		return New{Kind: Adjustment, Key: reqs[0].Key, Place: place.Code(p.County + "000000"), Amount: total, Subject: "ledger", Summary: summary, Payload: reqs}, nil
	})
}

type reversalOrder struct {
	Transfer int64  `json:"transfer"`
	Key      string `json:"key"`
	Memo     string `json:"memo"`
}

// ProposeReversal enters the reversal of transfer id for approval: checked
// now, posted at approval. Errors: those of ledger.Reverse.
func (s *Service) ProposeReversal(ctx context.Context, p auth.Principal, id int64, key, memo string) (Instruction, error) {
	return s.Propose(ctx, p, func(tx *store.Tx) (New, error) {
		req := ledger.TransferRequest{Key: key, Kind: "reversal", Reverses: id, Memo: memo}
		if err := s.l.CheckTx(ctx, tx, p.Username, p.County, []ledger.TransferRequest{req}); err != nil {
			return New{}, err
		}
		t, err := s.l.Transfer(ctx, p.County, id)
		if err != nil {
			return New{}, err
		}
		// A reversal through the ledger corrects moves no capability
		// keeps books of: adjustments and payments to a wrong recipient.
		// An arrival, integration, allocation, reclaim or relief movement
		// is corrected by its capability, which keeps its own records of it.
		if !reversible[t.Kind] {
			return New{}, errs.F(errs.RuleBroken, "capability_kind", "transfer", "a transfer of kind %s is corrected through the %s capability, not reversed in the ledger", t.Kind, owner[t.Kind])
		}
		return New{Kind: Reversal, Key: key, Place: place.Code(p.County + "000000"), Amount: t.Total, Subject: fmt.Sprint(id),
			Summary: fmt.Sprintf("冲销第 %d 笔（%s → %s，%s 元）：%s", id, t.From, t.To, t.Total, memo), Payload: reversalOrder{Transfer: id, Key: key, Memo: memo}}, nil
	})
}

func (s *Service) postGeneric(ctx context.Context, tx *store.Tx, approver auth.Principal, in Instruction, reqs []ledger.TransferRequest) ([]int64, error) {
	ts, _, err := s.l.PostTx(ctx, tx, approver.Username, in.County, reqs)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	_, err = audit.Append(ctx, tx, audit.Entry{County: in.County, Actor: approver.Username, Action: "ledger.post", Object: fmt.Sprintf("instruction %d (%s)", in.ID, in.Kind),
		Place: string(in.Place), After: map[string]any{"transfers": ids, "maker": in.Maker, "total": in.Amount.String()}})
	return ids, err
}

func (s *Service) execAdjustment(ctx context.Context, tx *store.Tx, approver auth.Principal, in Instruction) ([]int64, error) {
	var reqs []ledger.TransferRequest
	if err := Decode(in, &reqs); err != nil {
		return nil, err
	}
	return s.postGeneric(ctx, tx, approver, in, reqs)
}

func (s *Service) execReversal(ctx context.Context, tx *store.Tx, approver auth.Principal, in Instruction) ([]int64, error) {
	var o reversalOrder
	if err := Decode(in, &o); err != nil {
		return nil, err
	}
	return s.postGeneric(ctx, tx, approver, in, []ledger.TransferRequest{{Key: o.Key, Kind: "reversal", Reverses: o.Transfer, Memo: o.Memo}})
}
