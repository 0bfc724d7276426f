package agreements

// Equity termination (M-32): an equity-form entity agreement terminated,
// the operator returns the principal to the village collective's
// account, keeping its channel legs, through a money instruction (two
// people): instruct kind PrincipalReturn, ledger kind principal_return.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// PrincipalTransferKind is the ledger kind of a principal returned.
const PrincipalTransferKind = "principal_return"

// principalOrder is what a principal return posts, frozen at entry.
type principalOrder struct {
	Agreement  int64  `json:"agreement"`
	Entity     string `json:"entity"`
	From       string `json:"from"`
	Collective string `json:"collective"`
	To         string `json:"to"`
	Legs       []Leg  `json:"legs"`
}

// PrincipalReturn is the principal an equity agreement returns (or
// returned) to the village collective.
type PrincipalReturn struct {
	Instruction int64  // the money instruction (0: none entered)
	State       string // the instruction's: pending, posted, rejected
	Maker       string
	Approver    string
	Transfer    int64 // the ledger transfer (0 until posted)
	Collective  string
	From, To    string
	Legs        []Leg
	Amount      money.Fen
}

// collectiveTx finds the village collective the principal of a goes
// back to: the collective registered at the operator's village (or, for
// an operator above a village, at the one village of the agreement's
// households). Errors: RuleBroken (no_collective, principal_with_collective).
func (s *Service) collectiveTx(ctx context.Context, q store.Querier, a Agreement) (op, col string, opAccount, colAccount string, err error) {
	var epl string
	if err := q.QueryRowContext(ctx, `SELECT place, account FROM ent_entities WHERE county = ? AND uscc = ?`, a.County, a.Entity).Scan(&epl, &opAccount); err != nil {
		return "", "", "", "", errs.Wrap(err, "agreements: operator")
	}
	vil := place.Code(epl)
	if vil.Level() != place.Village {
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT r.village FROM ag_households h JOIN reg_households r ON r.county = h.county AND r.code = h.household
			WHERE h.county = ? AND h.agreement = ?`, a.County, a.ID)
		if err != nil {
			return "", "", "", "", errs.Wrap(err, "agreements: village")
		}
		var vs []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return "", "", "", "", errs.Wrap(err, "agreements: village")
			}
			vs = append(vs, v)
		}
		rows.Close()
		if len(vs) != 1 {
			return "", "", "", "", errs.F(errs.RuleBroken, "no_collective", "entity", "the operator of agreement %d is not at a village and its households are of %d villages: the village collective to return the principal to is not known", a.ID, len(vs))
		}
		vil = place.Code(vs[0])
	}
	err = q.QueryRowContext(ctx, `SELECT uscc, account FROM ent_entities WHERE county = ? AND place = ? AND kind = 'collective' ORDER BY uscc LIMIT 1`, a.County, string(vil)).Scan(&col, &colAccount)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", "", errs.F(errs.RuleBroken, "no_collective", "entity", "village %s has no village collective economic organization registered: register it (经营主体, kind collective) before the principal is returned", vil)
	}
	if err != nil {
		return "", "", "", "", errs.Wrap(err, "agreements: collective")
	}
	if colAccount == opAccount {
		return "", "", "", "", errs.F(errs.RuleBroken, "principal_with_collective", "entity", "the operator of agreement %d is the village collective itself: its principal is already in the collective's account", a.ID)
	}
	return a.Entity, col, opAccount, colAccount, nil
}

func principalRequest(a Agreement, from, to string) ledger.TransferRequest {
	legs := make([]ledger.Leg, 0, len(a.Legs))
	for _, l := range a.Legs {
		legs = append(legs, ledger.Leg{Channel: l.Channel, Amount: l.Amount})
	}
	return ledger.TransferRequest{Key: fmt.Sprintf("principal:%d", a.ID), Kind: PrincipalTransferKind, From: from, To: to, Legs: legs,
		Memo: fmt.Sprintf("股权协议 %d 终止，本金退回村集体", a.ID)}
}

// covers is the ledger's no-overdraft rule on the operator's account,
// named: every leg must still be there.
func (s *Service) covers(ctx context.Context, tx *store.Tx, actor string, a Agreement, req ledger.TransferRequest) error {
	err := s.l.CheckTx(ctx, tx, actor, a.County, []ledger.TransferRequest{req})
	if errs.KindOf(err) == errs.InsufficientFunds {
		return errs.F(errs.InsufficientFunds, "insufficient_funds", "legs", "the operator's account no longer covers the principal: an account may not go below zero (%v)", err)
	}
	return err
}

// ProposePrincipalReturn enters, for approval by another person, the
// return of a terminated equity agreement's principal from the
// operator's account to the village collective's, with exactly the
// agreement's invested legs. The same key again is the instruction
// already entered. Errors: Forbidden, NotFound (unknown_agreement),
// RuleBroken (not_equity, wrong_state, principal_entered, no_collective,
// principal_with_collective), InsufficientFunds (the ledger's
// no-overdraft rule), Invalid (invalid_key).
func (s *Service) ProposePrincipalReturn(ctx context.Context, p auth.Principal, id int64, key string) (instruct.Instruction, error) {
	if err := mayWrite(p); err != nil {
		return instruct.Instruction{}, err
	}
	if s.ins == nil || s.l == nil {
		return instruct.Instruction{}, errs.F(errs.Invalid, "invalid_instruction", "kind", "no capability posts money of kind %q", instruct.PrincipalReturn)
	}
	var out instruct.Instruction
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		a, err := s.get(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if a.Kind != Entity || a.Form != Equity {
			return errs.F(errs.RuleBroken, "not_equity", "id", "only an equity agreement's principal goes back to the village collective")
		}
		if a.State != Terminated {
			return errs.F(errs.RuleBroken, "wrong_state", "state", "agreement %d is %s: only a terminated agreement returns its principal", a.ID, a.State)
		}
		var prev, transfer int64
		if err := tx.QueryRowContext(ctx, `SELECT principal_instruction, principal_transfer FROM ag_agreements WHERE county = ? AND id = ?`, p.County, a.ID).Scan(&prev, &transfer); err != nil {
			return errs.Wrap(err, "agreements: principal")
		}
		op, col, from, to, err := s.collectiveTx(ctx, tx, a)
		if err != nil {
			return err
		}
		req := principalRequest(a, from, to)
		order := principalOrder{Agreement: a.ID, Entity: op, From: from, Collective: col, To: to, Legs: a.Legs}
		n := instruct.New{Kind: instruct.PrincipalReturn, Key: key, Place: a.Place, Amount: a.Amount, Subject: strconv.FormatInt(a.ID, 10),
			Summary: fmt.Sprintf("股权协议 %d 终止：本金 %s 元由 %s 退回村集体 %s", a.ID, a.Amount, from, to), Payload: order}
		if prev != 0 {
			var state string
			if err := tx.QueryRowContext(ctx, `SELECT state FROM money_instructions WHERE county = ? AND id = ?`, p.County, prev).Scan(&state); err != nil {
				return errs.Wrap(err, "agreements: principal")
			}
			if state != instruct.Rejected {
				// The same key again is a replay; another key is refused.
				in, err := s.ins.ProposeTx(ctx, tx, p, n)
				if err == nil && in.Replayed && in.ID == prev {
					out = in
					return nil
				}
				return errs.F(errs.RuleBroken, "principal_entered", "id", "the principal of agreement %d is already returned or waiting for approval (instruction %d)", a.ID, prev)
			}
		}
		if err := s.covers(ctx, tx, p.Username, a, req); err != nil {
			return err
		}
		if out, err = s.ins.ProposeTx(ctx, tx, p, n); err != nil {
			return err
		}
		if out.Replayed {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ag_agreements SET principal_instruction = ? WHERE county = ? AND id = ?`, out.ID, p.County, a.ID); err != nil {
			return errs.Wrap(err, "agreements: principal")
		}
		return s.audit(ctx, tx, p, a, "agreements.principal_return", map[string]any{"instruction": out.ID, "from": from, "to": to, "collective": col, "amount": a.Amount})
	})
	return out, err
}

// execPrincipalReturn posts an approved principal return in the
// approving transaction: the agreement must still be terminated and its
// principal not yet returned, and the operator's account must still
// cover every leg.
func (s *Service) execPrincipalReturn(ctx context.Context, tx *store.Tx, approver auth.Principal, in instruct.Instruction) ([]int64, error) {
	var o principalOrder
	if err := instruct.Decode(in, &o); err != nil {
		return nil, err
	}
	q := approver
	q.County = in.County
	a, err := s.get(ctx, tx, q, o.Agreement)
	if err != nil {
		return nil, err
	}
	var prev, transfer int64
	if err := tx.QueryRowContext(ctx, `SELECT principal_instruction, principal_transfer FROM ag_agreements WHERE county = ? AND id = ?`, in.County, a.ID).Scan(&prev, &transfer); err != nil {
		return nil, errs.Wrap(err, "agreements: principal")
	}
	if a.State != Terminated || prev != in.ID || transfer != 0 {
		return nil, errs.F(errs.RuleBroken, "instruction_stale", "id", "agreement %d has changed since the principal's return was entered: enter it again", a.ID)
	}
	a.Legs = o.Legs
	req := principalRequest(a, o.From, o.To)
	if err := s.covers(ctx, tx, approver.Username, a, req); err != nil {
		return nil, err
	}
	ts, _, err := s.l.PostTx(ctx, tx, approver.Username, in.County, []ledger.TransferRequest{req})
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE ag_agreements SET principal_transfer = ? WHERE county = ? AND id = ?`, ts[0].ID, in.County, a.ID); err != nil {
		return nil, errs.Wrap(err, "agreements: principal")
	}
	_, err = audit.Append(ctx, tx, audit.Entry{County: in.County, Actor: approver.Username, Action: "agreements.principal_returned", Object: fmt.Sprintf("agreement %d", a.ID),
		Place: string(a.Place), After: map[string]any{"instruction": in.ID, "transfer": ts[0].ID, "maker": in.Maker, "from": o.From, "to": o.To, "amount": a.Amount}})
	return []int64{ts[0].ID}, err
}

// PrincipalOf is the principal return of an agreement (zero when none
// was entered, or when its instruction is not one p sees).
func (s *Service) PrincipalOf(ctx context.Context, p auth.Principal, a Agreement) (PrincipalReturn, error) {
	var r PrincipalReturn
	if s.ins == nil || a.Kind != Entity || a.Form != Equity {
		return r, nil
	}
	if err := s.db.QueryRowContext(ctx, `SELECT principal_instruction, principal_transfer FROM ag_agreements WHERE county = ? AND id = ?`, p.County, a.ID).Scan(&r.Instruction, &r.Transfer); err != nil {
		return r, errs.Wrap(err, "agreements: principal")
	}
	if r.Instruction == 0 {
		return r, nil
	}
	in, err := s.ins.Get(ctx, p, r.Instruction)
	if errs.KindOf(err) == errs.NotFound {
		return PrincipalReturn{}, nil
	}
	if err != nil {
		return r, err
	}
	var o principalOrder
	if err := instruct.Decode(in, &o); err != nil {
		return r, err
	}
	r.State, r.Maker, r.Approver, r.Collective, r.From, r.To, r.Legs, r.Amount = in.State, in.Maker, in.Approver, o.Collective, o.From, o.To, o.Legs, in.Amount
	return r, nil
}

// Returned is a principal returned into a collective's account.
type Returned struct {
	Agreement int64
	Entity    string // the operator's USCC
	Transfer  int64
	Amount    money.Fen
}

// ReturnedTo lists the principals the ledger returned into account (a
// village collective's), by agreement.
func (s *Service) ReturnedTo(ctx context.Context, p auth.Principal, account string) ([]Returned, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.entity, t.id, t.total FROM ag_agreements a
		JOIN ledger_transfers t ON t.county = a.county AND t.id = a.principal_transfer
		JOIN ledger_accounts c ON c.county = t.county AND c.id = t.to_account
		WHERE a.county = ? AND a.principal_transfer <> 0 AND c.code = ? ORDER BY a.id`, p.County, strings.TrimSpace(account))
	if err != nil {
		return nil, errs.Wrap(err, "agreements: returned")
	}
	defer rows.Close()
	out := []Returned{}
	for rows.Next() {
		var r Returned
		var total int64
		if err := rows.Scan(&r.Agreement, &r.Entity, &r.Transfer, &total); err != nil {
			return nil, errs.Wrap(err, "agreements: returned")
		}
		r.Amount = money.Fen(total)
		out = append(out, r)
	}
	return out, rows.Err()
}
