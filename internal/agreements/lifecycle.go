package agreements

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/workflow"
)

const agCols = `id, kind, form, place, township, entity, project, lender, purpose, amount, legs, start_date, term_years, rates, collateral_kind, collateral,
	households_share, manager, witnesses, state, item, renews, accepted_at, accepted_by, reason, created_at, created_by, updated_at, updated_by, pay_status, attempts`

func scan(county string, sc interface{ Scan(...any) error }) (Agreement, error) {
	var a Agreement
	var pl, tw, legs, rates string
	var amount, coll, share, acc, cat, uat int64
	err := sc.Scan(&a.ID, &a.Kind, &a.Form, &pl, &tw, &a.Entity, &a.Project, &a.Lender, &a.Purpose, &amount, &legs, &a.Start, &a.TermYears, &rates,
		&a.CollateralKind, &coll, &share, &a.Manager, &a.Witnesses, &a.State, &a.Item, &a.Renews, &acc, &a.AcceptedBy, &a.Reason, &cat, &a.CreatedBy, &uat, &a.UpdatedBy, &a.PayStatus, &a.PayAttempts)
	if err != nil {
		return a, err
	}
	a.County, a.Place, a.Township = county, place.Code(pl), place.Code(tw)
	a.Amount, a.Collateral, a.HouseholdsShare = money.Fen(amount), money.Fen(coll), policy.Percent(share)
	a.CreatedAt, a.UpdatedAt = clock.FromMicros(cat), clock.FromMicros(uat)
	if acc != 0 {
		a.AcceptedAt = clock.FromMicros(acc)
	}
	a.Legs, a.Rates = []Leg{}, nil
	_ = json.Unmarshal([]byte(legs), &a.Legs)
	_ = json.Unmarshal([]byte(rates), &a.Rates)
	return a, nil
}

func (s *Service) parties(ctx context.Context, q store.Querier, a *Agreement) error {
	rows, err := q.QueryContext(ctx, `SELECT h.household, COALESCE(r.head, ''), h.shares FROM ag_households h LEFT JOIN reg_households r ON r.county = h.county AND r.code = h.household
		WHERE h.county = ? AND h.agreement = ? ORDER BY h.household`, a.County, a.ID)
	if err != nil {
		return errs.Wrap(err, "agreements: households")
	}
	defer rows.Close()
	a.Parties = []Party{}
	for rows.Next() {
		var p Party
		if err := rows.Scan(&p.Household, &p.Head, &p.Shares); err != nil {
			return errs.Wrap(err, "agreements: households")
		}
		a.Parties = append(a.Parties, p)
	}
	if err := rows.Err(); err != nil {
		return errs.Wrap(err, "agreements: households")
	}
	err = q.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM ag_agreements WHERE county = ? AND renews = ? AND state <> 'rejected'`, a.County, a.ID).Scan(&a.RenewedBy)
	if err != nil {
		return errs.Wrap(err, "agreements: renewal")
	}
	return nil
}

func notFound() error { return errs.F(errs.NotFound, "unknown_agreement", "id", "no such agreement") }

// get reads an agreement p may see (one outside p's subtree is exactly as
// missing), with its households.
func (s *Service) get(ctx context.Context, q store.Querier, p auth.Principal, id int64) (Agreement, error) {
	a, err := scan(p.County, q.QueryRowContext(ctx, `SELECT `+agCols+` FROM ag_agreements WHERE county = ? AND id = ?`, p.County, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Agreement{}, notFound()
	}
	if err != nil {
		return Agreement{}, errs.Wrap(err, "agreements: read")
	}
	if !p.Sees(a.Place) {
		return Agreement{}, notFound()
	}
	return a, s.parties(ctx, q, &a)
}

// Get returns an agreement. Errors: NotFound (unknown_agreement, also for
// one outside p's area).
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Agreement, error) {
	return s.get(ctx, s.db, p, id)
}

// History is the agreement's review: the workflow item (zero before the
// negotiation) and its decisions.
func (s *Service) History(ctx context.Context, p auth.Principal, a Agreement) (workflow.Item, []workflow.Record, error) {
	if a.Item == 0 {
		return workflow.Item{}, []workflow.Record{}, nil
	}
	it, err := s.wf.Item(ctx, p.County, a.Item)
	if err != nil {
		return workflow.Item{}, nil, err
	}
	h, err := s.wf.History(ctx, p.County, a.Item)
	return it, h, err
}

// Notes are the agreement's follow-up notes, oldest first.
func (s *Service) Notes(ctx context.Context, p auth.Principal, id int64) ([]Note, error) {
	if _, err := s.get(ctx, s.db, p, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT seq, note, at, by_user FROM ag_notes WHERE county = ? AND agreement = ? ORDER BY seq`, p.County, id)
	if err != nil {
		return nil, errs.Wrap(err, "agreements: notes")
	}
	defer rows.Close()
	out := []Note{}
	for rows.Next() {
		var n Note
		var at int64
		if err := rows.Scan(&n.Seq, &n.Note, &at, &n.By); err != nil {
			return nil, errs.Wrap(err, "agreements: notes")
		}
		n.At = clock.FromMicros(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Filter selects agreements.
type Filter struct {
	Kind, State string
	Township    place.Code
	Household   string // the agreements naming this household
	Entity      string // the agreements of this entity
	Limit       int
	Offset      int
}

// List is one page of the agreements in p's area matching f (newest
// first) and their total.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Agreement, int, error) {
	lo, hi := place.Range(p.Prefix())
	if f.Township != "" {
		if !p.Sees(f.Township) && !f.Township.Contains(p.Place) {
			return nil, 0, errs.F(errs.Invalid, "invalid_query", "township", "the township is outside your area")
		}
		tlo, thi := place.Range(f.Township.Prefix())
		lo, hi = max(lo, tlo), min(hi, thi)
	}
	w := `a.county = ? AND a.place BETWEEN ? AND ?`
	args := []any{p.County, lo, hi}
	if f.Kind != "" {
		if !slices.Contains(Kinds, f.Kind) {
			return nil, 0, errs.F(errs.Invalid, "invalid_query", "kind", "the kind must be one of %s", strings.Join(Kinds, ", "))
		}
		w += ` AND a.kind = ?`
		args = append(args, f.Kind)
	}
	if f.State != "" {
		if !slices.Contains(States, f.State) {
			return nil, 0, errs.F(errs.Invalid, "invalid_query", "state", "the state must be one of %s", strings.Join(States, ", "))
		}
		w += ` AND a.state = ?`
		args = append(args, f.State)
	}
	if f.Entity != "" {
		w += ` AND a.entity = ?`
		args = append(args, f.Entity)
	}
	if f.Household != "" {
		w += ` AND a.id IN (SELECT agreement FROM ag_households WHERE county = ? AND household = ?)`
		args = append(args, p.County, f.Household)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit, offset := min(limit, 1000), max(f.Offset, 0)
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ag_agreements a WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "agreements: count")
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM ag_agreements a WHERE %s ORDER BY a.id DESC LIMIT %d OFFSET %d`,
		"a."+strings.ReplaceAll(strings.ReplaceAll(agCols, "\n\t", " "), ", ", ", a."), w, limit, offset), args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "agreements: list")
	}
	out := []Agreement{}
	for rows.Next() {
		a, err := scan(p.County, rows)
		if err != nil {
			rows.Close()
			return nil, 0, errs.Wrap(err, "agreements: list")
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, errs.Wrap(err, "agreements: list")
	}
	for i := range out {
		if err := s.parties(ctx, s.db, &out[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// ForHousehold lists the agreements naming a household p sees (also the
// township's entity agreements above a village cadre's area: the
// household is theirs). Errors: NotFound (unknown_household).
func (s *Service) ForHousehold(ctx context.Context, p auth.Principal, code string) ([]Agreement, error) {
	vil, _, err := household(ctx, s.db, p, code)
	if err != nil {
		return nil, err
	}
	q := p
	q.Place = vil.Township() // the household's township: its entity agreements are placed there
	as, _, err := s.List(ctx, q, Filter{Household: code, Limit: 1000})
	return as, err
}

// Chain is an agreement's review chain: step 0 the negotiation, taken by
// whoever records it (its role and level); then the profile's
// agreement_review.steps (default: the township's review; the signature,
// recorded by the rural-revitalization bureau at the county). The engine
// snapshots it when the review starts.
func Chain(prof policy.Profile, p auth.Principal) []workflow.Step {
	lvl := "county"
	switch p.Place.Level() {
	case place.Village:
		lvl = "village"
	case place.Township:
		lvl = "township"
	}
	steps := []workflow.Step{{Name: "协商（民生监督员、群众代表在场）", Role: string(p.Role), Level: lvl, Checks: []string{"协议条款", "在场人员"}}}
	return append(steps, workflow.FromPolicy(prof.AgreementSteps())...)
}

// change runs f on the agreement inside a write transaction after
// checking its state, and records the new state, who and the audit
// entry.
func (s *Service) change(ctx context.Context, p auth.Principal, id int64, action string, from []string, f func(tx *store.Tx, a *Agreement) error) (Agreement, error) {
	if err := mayWrite(p); err != nil {
		return Agreement{}, err
	}
	var out Agreement
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		a, err := s.get(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !slices.Contains(from, a.State) {
			return errs.F(errs.RuleBroken, "wrong_state", "state", "agreement %d is %s: it cannot be %s", a.ID, a.State, action)
		}
		before := a.State
		if err := f(tx, &a); err != nil {
			return err
		}
		a.UpdatedBy, a.UpdatedAt = p.Username, tx.Now
		if _, err := tx.ExecContext(ctx, `UPDATE ag_agreements SET state = ?, item = ?, witnesses = ?, accepted_at = ?, accepted_by = ?, reason = ?, updated_at = ?, updated_by = ? WHERE county = ? AND id = ?`,
			a.State, a.Item, a.Witnesses, micros(a), a.AcceptedBy, a.Reason, clock.Micros(tx.Now), p.Username, p.County, a.ID); err != nil {
			return errs.Wrap(err, "agreements: update")
		}
		out = a
		return s.audit(ctx, tx, p, a, "agreements."+action, map[string]any{"from": before, "state": a.State, "witnesses": a.Witnesses, "reason": a.Reason})
	})
	return out, err
}

func micros(a Agreement) int64 {
	if a.AcceptedAt.IsZero() {
		return 0
	}
	return clock.Micros(a.AcceptedAt)
}

// Negotiate records the negotiation with the 民生监督员/群众代表 present,
// by name, and submits the agreement to its review (the workflow's step
// 0, taken by p). The drafter, if another person, counts as a maker too:
// neither takes a later step. Errors: Invalid (witnesses_required),
// RuleBroken (wrong_state, subsidy_cap).
func (s *Service) Negotiate(ctx context.Context, p auth.Principal, id int64, witnesses, opinion string) (Agreement, error) {
	witnesses = strings.TrimSpace(witnesses)
	if witnesses == "" {
		return Agreement{}, errs.F(errs.Invalid, "witnesses_required", "witnesses", "name the 民生监督员 or 群众代表 present at the negotiation")
	}
	if err := checkText(&witnesses, true, "witnesses", "the people present"); err != nil {
		return Agreement{}, err
	}
	prof, _, err := s.counties.Current(ctx, p.County)
	if err != nil {
		return Agreement{}, err
	}
	r := prof.AgreementRules()
	return s.change(ctx, p, id, "negotiate", []string{Drafted}, func(tx *store.Tx, a *Agreement) error {
		if err := checkCap(ctx, tx, r, *a); err != nil {
			return err
		}
		it, err := s.wf.StartTx(ctx, tx, p, p.County, workflow.NewItem{Kind: WorkflowKind, Subject: strconv.FormatInt(a.ID, 10),
			Title: fmt.Sprintf("协议 %d", a.ID), Place: a.Place, Amount: a.Amount, Chain: Chain(prof, p), Opinion: strings.TrimSpace("在场：" + witnesses + "。" + opinion)})
		if err != nil {
			return err
		}
		if a.CreatedBy != p.Username {
			if _, _, err := s.wf.TouchTx(ctx, tx, p.County, WorkflowKind, strconv.FormatInt(a.ID, 10), a.CreatedBy); err != nil {
				return err
			}
		}
		a.Item, a.State, a.Witnesses = it.ID, Review, witnesses
		return nil
	})
}

// Decide takes the current step of an agreement's review (approve,
// return, reject; a returned one is resubmitted by its negotiator). The
// chain approved, the agreement is signed; a renewal signed marks the
// agreement it renews renewed. The subsidy cap is checked again at every
// approval. Errors: the workflow's (maker_checker, already_signed,
// wrong_step_role, …), RuleBroken (wrong_state, subsidy_cap).
func (s *Service) Decide(ctx context.Context, p auth.Principal, id int64, d workflow.Decision) (Agreement, error) {
	r, err := s.rules(ctx, p.County)
	if err != nil {
		return Agreement{}, err
	}
	return s.change(ctx, p, id, "decide", []string{Review}, func(tx *store.Tx, a *Agreement) error {
		if d.Action == workflow.Approve || d.Action == workflow.Submit {
			if err := checkCap(ctx, tx, r, *a); err != nil {
				return err
			}
		}
		it, err := s.wf.DecideTx(ctx, tx, p, p.County, a.Item, d)
		if err != nil {
			return err
		}
		switch it.State {
		case workflow.Approved:
			a.State = Signed
			if a.Renews != 0 {
				if _, err := tx.ExecContext(ctx, `UPDATE ag_agreements SET state = 'renewed', updated_at = ?, updated_by = ? WHERE county = ? AND id = ? AND state IN ('active', 'ended')`,
					clock.Micros(tx.Now), p.Username, p.County, a.Renews); err != nil {
					return errs.Wrap(err, "agreements: renewed")
				}
			}
		case workflow.Rejected:
			a.State = Rejected
		}
		return nil
	})
}

// Activate puts a signed agreement into force.
func (s *Service) Activate(ctx context.Context, p auth.Principal, id int64) (Agreement, error) {
	return s.change(ctx, p, id, "activate", []string{Signed}, func(tx *store.Tx, a *Agreement) error {
		a.State = Active
		return nil
	})
}

// Accept records the acceptance of a direct subsidy's result (验收), the
// step after which it is paid. Whoever drafted or negotiated the
// agreement does not accept it. Errors: RuleBroken (wrong_state,
// maker_checker, already_accepted), Invalid (not_subsidy).
func (s *Service) Accept(ctx context.Context, p auth.Principal, id int64, opinion string) (Agreement, error) {
	return s.change(ctx, p, id, "accept", []string{Active}, func(tx *store.Tx, a *Agreement) error {
		if a.Kind != Subsidy {
			return errs.F(errs.Invalid, "not_subsidy", "id", "only a direct subsidy's result is accepted")
		}
		if !a.AcceptedAt.IsZero() {
			return errs.F(errs.RuleBroken, "already_accepted", "id", "agreement %d was accepted by %s", a.ID, a.AcceptedBy)
		}
		it, err := s.wf.Item(ctx, p.County, a.Item)
		if err != nil {
			return err
		}
		if it.MadeBy(p.Username) || a.CreatedBy == p.Username {
			return errs.F(errs.RuleBroken, "maker_checker", "", "you drafted or negotiated agreement %d: another person accepts its result", a.ID)
		}
		a.AcceptedAt, a.AcceptedBy, a.Reason, a.PayStatus = tx.Now, p.Username, strings.TrimSpace(opinion), PayWaiting
		// Accepted, it waits for a payout batch (payout.go).
		if _, err := tx.ExecContext(ctx, `UPDATE ag_agreements SET pay_status = 'waiting' WHERE county = ? AND id = ?`, p.County, a.ID); err != nil {
			return errs.Wrap(err, "agreements: to pay")
		}
		return nil
	})
}

// End closes an active agreement at the end of its term.
func (s *Service) End(ctx context.Context, p auth.Principal, id int64, reason string) (Agreement, error) {
	return s.change(ctx, p, id, "end", []string{Active}, func(tx *store.Tx, a *Agreement) error {
		a.State, a.Reason = Ended, strings.TrimSpace(reason)
		return nil
	})
}

// Terminate ends a signed or active agreement early; the reason is
// required. Errors: Invalid (reason_required), RuleBroken (wrong_state).
func (s *Service) Terminate(ctx context.Context, p auth.Principal, id int64, reason string) (Agreement, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Agreement{}, errs.F(errs.Invalid, "reason_required", "reason", "say why the agreement is terminated")
	}
	if err := checkText(&reason, true, "reason", "the reason"); err != nil {
		return Agreement{}, err
	}
	return s.change(ctx, p, id, "terminate", []string{Signed, Active}, func(tx *store.Tx, a *Agreement) error {
		a.State, a.Reason = Terminated, reason
		return nil
	})
}

// Renew drafts the renewal of an active or ended agreement: a new
// agreement with the parties of the old and the terms given (checked
// against the rules like any other), linked to it; signed, it marks the
// old renewed. Errors: Create's, RuleBroken (wrong_state, already_renewed).
func (s *Service) Renew(ctx context.Context, p auth.Principal, id int64, terms Agreement) (Agreement, error) {
	old, err := s.Get(ctx, p, id)
	if err != nil {
		return Agreement{}, err
	}
	if old.State != Active && old.State != Ended {
		return Agreement{}, errs.F(errs.RuleBroken, "wrong_state", "state", "agreement %d is %s: it cannot be renewed", old.ID, old.State)
	}
	if old.RenewedBy != 0 {
		return Agreement{}, errs.F(errs.RuleBroken, "already_renewed", "id", "agreement %d is already renewed by agreement %d", old.ID, old.RenewedBy)
	}
	n := old
	n.ID, n.Renews, n.Start, n.TermYears, n.Rates, n.Witnesses = 0, old.ID, terms.Start, terms.TermYears, terms.Rates, ""
	if terms.Amount != 0 && old.Kind != Entity {
		n.Amount = terms.Amount
	}
	if terms.Collateral != 0 {
		n.Collateral, n.CollateralKind = terms.Collateral, terms.CollateralKind
	}
	if terms.HouseholdsShare != 0 {
		n.HouseholdsShare = terms.HouseholdsShare
	}
	if terms.Purpose != "" {
		n.Purpose = terms.Purpose
	}
	return s.Create(ctx, p, n)
}

// AddNote appends a follow-up note (a loan's follow-up, or any
// agreement's).
func (s *Service) AddNote(ctx context.Context, p auth.Principal, id int64, note string) error {
	if err := checkText(&note, true, "note", "the note"); err != nil {
		return err
	}
	_, err := s.change(ctx, p, id, "note", States, func(tx *store.Tx, a *Agreement) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ag_notes (county, agreement, seq, note, at, by_user)
			VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ag_notes WHERE county = ? AND agreement = ?), ?, ?, ?)`,
			p.County, a.ID, p.County, a.ID, note, clock.Micros(tx.Now), p.Username)
		if err != nil {
			return errs.Wrap(err, "agreements: note")
		}
		return nil
	})
	return err
}
