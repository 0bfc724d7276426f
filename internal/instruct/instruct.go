// Package instruct is two people on money (两人经手): a money instruction
// (资金指令) is a money move entered by one person and approved by another
// before anything is posted. The capability that owns the kind of money
// checks the instruction when it is entered (inside the entering
// transaction), freezes what it will post in the payload, and posts it at
// the last approval — checking everything again inside the approving
// transaction, against the balances as they are then. The approval is a
// review on the one workflow engine (kind "instruction"): the county's
// profile names the approver (money.approval) and, above
// money.second_above, a second approver (money.second); the maker takes
// no step, and no one signs two.
//
// This package is a shared mechanism: it never imports a capability. A
// capability registers an Executor per kind it owns.
package instruct

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/workflow"
)

// WorkflowKind is the kind of the instructions' workflow items.
const WorkflowKind = "instruction"

// The kinds of money moves under two-person control.
const (
	Allocation   = "allocation"    // pool → project (funds)
	Payment      = "payment"       // project → recipient (funds)
	Reclaim      = "reclaim"       // project → pool (projects, 收回)
	Switch       = "switch"        // project → pool → another project (projects, 调整项目)
	Reversal     = "reversal"      // the reversal of a transfer (ledger)
	Adjustment   = "adjustment"    // a transfer no capability owns (ledger)
	ReliefBatch  = "relief_batch"  // a relief payout batch (relief)
	BankReturn   = "bank_return"   // the bank's return file of a payout (relief, subsidies)
	SubsidyBatch = "subsidy_batch" // a payout batch of direct subsidies (agreements)
	Correction   = "correction"    // the reversal of a wrong arrival, integration or allocation (funds)
	Opening      = "opening"       // a county's opening balances when it adopts onepool mid-year (adopt)
	// AssetDistribution is a distribution run of an asset's income (assets).
	AssetDistribution = "asset_distribution"
	// AssetCountyRun is one year's distribution runs of every operating
	// asset of the county (or a township) with income and no run yet (assets).
	AssetCountyRun = "asset_county_run"
	// AssetBatch is a payout batch of asset income to households (assets).
	AssetBatch = "asset_batch"
	// PrincipalReturn: an equity agreement terminated, the operator
	// returns the principal to the village collective (agreements).
	PrincipalReturn = "principal_return"
)

// The dividend runs' kinds (agreements).
const (
	DividendRun   = "dividend_run"   // a dividend run of an entity agreement's period, its lines frozen
	DividendBatch = "dividend_batch" // a payout batch of dividend run lines
	// DividendCountyRun is one year's runs of every active entity
	// agreement of the county (or a township) paid in and not yet run.
	DividendCountyRun = "dividend_county_run"
)

// Kinds lists every kind, in display order.
var Kinds = []string{Allocation, Payment, Reclaim, Switch, Reversal, Adjustment, ReliefBatch, BankReturn, Correction, Opening, SubsidyBatch, DividendRun, DividendBatch, DividendCountyRun, AssetDistribution, AssetCountyRun, AssetBatch, PrincipalReturn}

// States of an instruction.
const (
	Pending  = "pending"  // waiting for its approvers
	Posted   = "posted"   // approved and posted
	Rejected = "rejected" // refused by an approver; nothing was posted
)

// Instruction is a money move waiting for, or past, its approval.
type Instruction struct {
	County    string
	ID        int64
	Kind      string
	Key       string
	Place     place.Code
	Amount    money.Fen
	Summary   string
	Subject   string
	Payload   json.RawMessage
	State     string
	Item      int64
	Maker     string
	Approver  string
	Result    []int64 // the transfers posted
	CreatedAt time.Time
	DecidedAt time.Time
	Replayed  bool // Propose found the same instruction already entered
}

// New is what a capability enters for its maker.
type New struct {
	Kind    string
	Key     string     // the maker's idempotency key
	Place   place.Code // where the money belongs: who may see and approve it
	Amount  money.Fen
	Summary string // what the approver reads: amount, from, to, why
	Subject string // the record whose money moves
	Payload any    // what will be posted, frozen now (JSON)
}

// Executor posts an approved instruction inside the approving
// transaction: it checks the capability's rules again, reading what it
// checks through tx, posts with the approver as actor, writes the
// capability's rows and audit entry, and returns the transfers posted.
// Its errors (insufficient_funds, project_not_approved, …) refuse the
// approval: nothing of it is written.
type Executor func(ctx context.Context, tx *store.Tx, approver auth.Principal, in Instruction) ([]int64, error)

// Service keeps instructions and their executors.
type Service struct {
	db       *store.DB
	wf       *workflow.Engine
	counties *policy.Counties
	now      clock.Clock
	execs    map[string]Executor
	after    map[string]func(ctx context.Context, p auth.Principal, in Instruction) error
	l        *ledger.Ledger // UseLedger
}

// NewService returns the service; capabilities Register their executors.
func NewService(db *store.DB, wf *workflow.Engine, counties *policy.Counties, now clock.Clock) *Service {
	if now == nil {
		now = clock.System
	}
	return &Service{db: db, wf: wf, counties: counties, now: now, execs: map[string]Executor{}, after: map[string]func(context.Context, auth.Principal, Instruction) error{}}
}

// Register sets the executor of a kind (at wiring time, before serving).
func (s *Service) Register(kind string, ex Executor) { s.execs[kind] = ex }

// After sets what runs once an instruction of kind has posted, after its
// transaction committed (a payout batch sends its remaining chunks, each
// in a transaction of its own, resumable). Its error is the caller's to
// show; the posting stands.
func (s *Service) After(kind string, fn func(ctx context.Context, p auth.Principal, in Instruction) error) {
	s.after[kind] = fn
}

// Registered reports whether kind has an executor.
func (s *Service) Registered(kind string) bool { return s.execs[kind] != nil }

// Chain is the approval chain of an instruction of amount entered by p:
// p's own step, the profile's approver and, above money.second_above,
// the second approver.
func Chain(prof policy.Profile, p auth.Principal, amount money.Fen) []workflow.Step {
	level := "county"
	switch p.Place.Level() {
	case place.Township:
		level = "township"
	case place.Village:
		level = "village"
	}
	steps := []workflow.Step{{Name: "经办录入", Role: string(p.Role), Level: level}}
	steps = append(steps, workflow.FromPolicy([]policy.Step{prof.Money.Approval})...)
	if amount > prof.Money.SecondAbove {
		second := workflow.FromPolicy([]policy.Step{prof.Money.Second})[0]
		second.Extra = true
		steps = append(steps, second)
	}
	for i := range steps {
		steps[i].MayReturn = false // an approver approves or rejects; the maker enters anew
	}
	return steps
}

// ProposeTx enters an instruction inside the capability's transaction
// (which has checked it). The same key with the same payload returns the
// instruction already entered (Replayed); with another payload it is
// Conflict (idempotency_conflict). Errors: Invalid (invalid_key),
// Conflict, and the engine's.
func (s *Service) ProposeTx(ctx context.Context, tx *store.Tx, p auth.Principal, in New) (Instruction, error) {
	in.Key = strings.TrimSpace(in.Key)
	if in.Key == "" || len(in.Key) > 200 {
		return Instruction{}, errs.F(errs.Invalid, "invalid_key", "key", "an idempotency key of 1–200 characters is required")
	}
	if s.execs[in.Kind] == nil {
		return Instruction{}, errs.F(errs.Invalid, "invalid_instruction", "kind", "no capability posts money of kind %q", in.Kind)
	}
	payload, err := json.Marshal(in.Payload)
	if err != nil {
		return Instruction{}, errs.Wrap(err, "instruct: payload")
	}
	if old, err := s.byKey(ctx, tx, p.County, in.Kind, in.Key); err == nil {
		if !bytes.Equal(old.Payload, payload) || old.Place != in.Place {
			return Instruction{}, errs.F(errs.Conflict, "idempotency_conflict", "key", "key %q was used for another %s instruction (%d)", in.Key, in.Kind, old.ID)
		}
		old.Replayed = true
		return old, nil
	} else if errs.KindOf(err) != errs.NotFound {
		return Instruction{}, err
	}
	prof, _, err := s.counties.Current(ctx, p.County)
	if errs.CodeOf(err) == "no_profile" {
		prof, err = policy.Profile{Money: policy.DefaultMoney()}, nil
	}
	if err != nil {
		return Instruction{}, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM money_instructions WHERE county = ?`, p.County).Scan(&id); err != nil {
		return Instruction{}, errs.Wrap(err, "instruct: next id")
	}
	it, err := s.wf.StartTx(ctx, tx, p, p.County, workflow.NewItem{Kind: WorkflowKind, Subject: fmt.Sprint(id), Title: in.Summary, Place: in.Place,
		Amount: in.Amount, Chain: Chain(prof, p, in.Amount)})
	if err != nil {
		return Instruction{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO money_instructions (county, id, kind, ikey, place, amount, summary, subject, payload, state, item, maker, approver, result, created_at, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, '', '[]', ?, 0)`,
		p.County, id, in.Kind, in.Key, string(in.Place), int64(in.Amount), in.Summary, in.Subject, string(payload), it.ID, p.Username, clock.Micros(tx.Now)); err != nil {
		return Instruction{}, errs.Wrap(err, "instruct: insert")
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "instruction.enter", Object: fmt.Sprintf("instruction %d (%s)", id, in.Kind),
		Place: string(in.Place), After: map[string]any{"kind": in.Kind, "key": in.Key, "amount": in.Amount.String(), "summary": in.Summary, "payload": json.RawMessage(payload)}}); err != nil {
		return Instruction{}, err
	}
	return s.get(ctx, tx, p.County, id, false)
}

// Propose is ProposeTx in a transaction of its own, after check has run
// in it (the capability's checks, reading inside the transaction).
func (s *Service) Propose(ctx context.Context, p auth.Principal, check func(tx *store.Tx) (New, error)) (Instruction, error) {
	var out Instruction
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		in, err := check(tx)
		if err != nil {
			return err
		}
		out, err = s.ProposeTx(ctx, tx, p, in)
		return err
	})
	return out, err
}

// Decide takes the current step of an instruction's approval: approve,
// or reject with a reason. At the last approval the kind's executor posts
// it in the same transaction; if it refuses (the account no longer covers
// it, the project is no longer approved, …) nothing is written and the
// instruction stays pending. Errors: NotFound (outside p's subtree, or no
// such instruction), RuleBroken (maker_checker, already_signed,
// not_pending), Forbidden (wrong_step_role, wrong_step_level), Invalid,
// and the executor's.
func (s *Service) Decide(ctx context.Context, p auth.Principal, id int64, d workflow.Decision) (Instruction, error) {
	if d.Action != workflow.Approve && d.Action != workflow.Reject {
		return Instruction{}, errs.F(errs.Invalid, "invalid_decision", "action", "an instruction is approved or rejected")
	}
	var out Instruction
	err := s.db.Write(ctx, s.now(), func(tx *store.Tx) error {
		in, err := s.get(ctx, tx, p.County, id, true)
		if err != nil {
			return err
		}
		if !p.Sees(in.Place) {
			return NotFound()
		}
		if in.State != Pending {
			return errs.F(errs.RuleBroken, "not_pending", "", "instruction %d is %s", id, in.State)
		}
		it, err := s.wf.DecideTx(ctx, tx, p, p.County, in.Item, d)
		if err != nil {
			return err
		}
		now := clock.Micros(tx.Now)
		switch it.State {
		case workflow.Approved:
			ex := s.execs[in.Kind]
			if ex == nil {
				return errs.F(errs.Internal, "internal", "", "no executor for %s", in.Kind)
			}
			ids, err := ex(ctx, tx, p, in)
			if err != nil {
				return err
			}
			res, _ := json.Marshal(ids)
			if _, err := tx.ExecContext(ctx, `UPDATE money_instructions SET state = 'posted', approver = ?, result = ?, decided_at = ? WHERE county = ? AND id = ?`,
				p.Username, string(res), now, p.County, id); err != nil {
				return errs.Wrap(err, "instruct: posted")
			}
			if _, err := audit.Append(ctx, tx, audit.Entry{County: p.County, Actor: p.Username, Action: "instruction.post", Object: fmt.Sprintf("instruction %d (%s)", id, in.Kind),
				Place: string(in.Place), After: map[string]any{"maker": in.Maker, "approver": p.Username, "transfers": ids, "amount": in.Amount.String()}}); err != nil {
				return err
			}
		case workflow.Rejected:
			// A rejected instruction frees its key: the maker may enter the
			// move again (corrected, or as it was) under the same key.
			if _, err := tx.ExecContext(ctx, `UPDATE money_instructions SET state = 'rejected', approver = ?, decided_at = ?, ikey = ? WHERE county = ? AND id = ?`,
				p.Username, now, fmt.Sprintf("%s#rejected-%d", in.Key, id), p.County, id); err != nil {
				return errs.Wrap(err, "instruct: rejected")
			}
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE money_instructions SET approver = ? WHERE county = ? AND id = ?`, p.Username, p.County, id); err != nil {
				return errs.Wrap(err, "instruct: approver")
			}
		}
		out, err = s.get(ctx, tx, p.County, id, false)
		return err
	})
	if err == nil && out.State == Posted && s.after[out.Kind] != nil {
		err = s.after[out.Kind](ctx, p, out)
	}
	return out, err
}

// NotFound is the answer for an instruction that does not exist or lies
// outside the viewer's subtree: the same in both cases.
func NotFound() error {
	return errs.F(errs.NotFound, "not_found", "instruction", "no such instruction")
}

const cols = `id, kind, ikey, place, amount, summary, subject, payload, state, item, maker, approver, result, created_at, decided_at`

func scan(county string, sc interface{ Scan(...any) error }) (Instruction, error) {
	in := Instruction{County: county}
	var pl, payload, result string
	var amt, created, decided int64
	if err := sc.Scan(&in.ID, &in.Kind, &in.Key, &pl, &amt, &in.Summary, &in.Subject, &payload, &in.State, &in.Item, &in.Maker, &in.Approver, &result, &created, &decided); err != nil {
		return in, err
	}
	in.Place, in.Amount, in.Payload = place.Code(pl), money.Fen(amt), json.RawMessage(payload)
	_ = json.Unmarshal([]byte(result), &in.Result)
	in.CreatedAt = clock.FromMicros(created)
	if decided > 0 {
		in.DecidedAt = clock.FromMicros(decided)
	}
	return in, nil
}

func (s *Service) get(ctx context.Context, q store.Querier, county string, id int64, lock bool) (Instruction, error) {
	query := `SELECT ` + cols + ` FROM money_instructions WHERE county = ? AND id = ?`
	if tx, ok := q.(*store.Tx); ok && lock && tx.Dialect() == store.Postgres {
		query += ` FOR UPDATE`
	}
	in, err := scan(county, q.QueryRowContext(ctx, query, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, NotFound()
	}
	if err != nil {
		return in, errs.Wrap(err, "instruct: read")
	}
	return in, nil
}

func (s *Service) byKey(ctx context.Context, q store.Querier, county, kind, key string) (Instruction, error) {
	in, err := scan(county, q.QueryRowContext(ctx, `SELECT `+cols+` FROM money_instructions WHERE county = ? AND kind = ? AND ikey = ?`, county, kind, key))
	if errors.Is(err, sql.ErrNoRows) {
		return in, NotFound()
	}
	if err != nil {
		return in, errs.Wrap(err, "instruct: read")
	}
	return in, nil
}

// Get returns an instruction p may see. Errors: NotFound.
func (s *Service) Get(ctx context.Context, p auth.Principal, id int64) (Instruction, error) {
	in, err := s.get(ctx, s.db, p.County, id, false)
	if err != nil {
		return in, err
	}
	if !p.Sees(in.Place) {
		return Instruction{}, NotFound()
	}
	return in, nil
}

// Item is the instruction's approval (chain, current step, who may take it).
func (s *Service) Item(ctx context.Context, in Instruction) (workflow.Item, error) {
	return s.wf.Item(ctx, in.County, in.Item)
}

// Filter selects instructions for a list.
type Filter struct {
	State   string // "" for all
	Kind    string // "" for all
	Subject string // "" for all
	Limit   int
}

// List lists the instructions under p's subtree, newest first.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Instruction, error) {
	lo, hi := place.Range(p.Prefix())
	q := `SELECT ` + cols + ` FROM money_instructions WHERE county = ? AND place BETWEEN ? AND ?`
	args := []any{p.County, lo, hi}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, f.State)
	}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.Subject != "" {
		q += ` AND subject = ?`
		args = append(args, f.Subject)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "instruct: list")
	}
	defer rows.Close()
	var out []Instruction
	for rows.Next() {
		in, err := scan(p.County, rows)
		if err != nil {
			return nil, errs.Wrap(err, "instruct: list")
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// Queue is the instructions waiting for p's decision (the approver's
// 待办), oldest deadline first.
func (s *Service) Queue(ctx context.Context, p auth.Principal, limit int) ([]Instruction, []workflow.Item, error) {
	items, err := s.wf.Queue(ctx, p, WorkflowKind, limit)
	if err != nil {
		return nil, nil, err
	}
	var ins []Instruction
	var its []workflow.Item
	for _, it := range items {
		if !it.CanTake(p) {
			continue
		}
		var id int64
		if _, err := fmt.Sscan(it.Subject, &id); err != nil {
			continue
		}
		in, err := s.get(ctx, s.db, p.County, id, false)
		if err != nil {
			return nil, nil, err
		}
		ins, its = append(ins, in), append(its, it)
	}
	return ins, its, nil
}

// Decode unmarshals an instruction's frozen payload.
func Decode(in Instruction, v any) error {
	if err := json.Unmarshal(in.Payload, v); err != nil {
		return errs.Wrap(err, "instruct: payload of instruction %d", in.ID)
	}
	return nil
}
