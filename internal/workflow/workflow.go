// Package workflow is the one review engine (DESIGN principle 2): an item
// — a project proposal, a relief application, a credit rating — moves along
// a chain of steps taken from the county's policy profile; each step names
// the role and the place level that takes it, what it checks, whether it
// may send the item back, and its time limit. A step may require a public
// notice (公示) to have run, with every objection answered, before it is
// decided. Every decision is recorded (who, when, what, why, attachments)
// and audited in the caller's transaction.
package workflow

import (
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
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
)

// Step is one step of a chain.
type Step struct {
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	Level     string   `json:"level"` // village, township, county
	Checks    []string `json:"checks,omitempty"`
	MayReturn bool     `json:"may_return,omitempty"`
	SLADays   int      `json:"sla_days,omitempty"`
	// NoticeBefore: a public notice must have run, and every objection to
	// it been answered, before this step may approve.
	NoticeBefore bool `json:"notice_before,omitempty"`
	// Extra marks a step added because of the amount (an extra signer):
	// it must be taken by someone who approved no other step of the round.
	Extra bool `json:"extra,omitempty"`
}

// FromPolicy converts a profile's chain.
func FromPolicy(steps []policy.Step) []Step {
	out := make([]Step, len(steps))
	for i, s := range steps {
		out[i] = Step{Name: s.Name, Role: s.Role, Level: s.Level, Checks: s.Checks, MayReturn: s.MayReturn, SLADays: s.SLADays}
	}
	return out
}

// States of an item.
const (
	Pending  = "pending"  // awaiting the current step's decision
	Returned = "returned" // sent back to its maker (step 0)
	Approved = "approved" // every step approved
	Rejected = "rejected" // refused; final
)

// Decisions.
const (
	Submit  = "submit"
	Approve = "approve"
	Return  = "return"
	Reject  = "reject"
)

// Item is something under review.
type Item struct {
	County       string
	ID           int64
	Kind         string // project, relief, credit
	Subject      string // the project code, application id, …
	Title        string
	Place        place.Code
	Amount       money.Fen
	Chain        []Step
	Step         int // index of the step awaiting a decision
	State        string
	Frozen       bool
	FrozenReason string
	Maker        string
	Editors      []string // who changed the subject after it was submitted: makers too
	NoticeID     int64    // the notice of the current round (0: none)
	EnteredAt    time.Time
	DueAt        time.Time // zero: no time limit
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Current is the step awaiting a decision (ok false once decided).
func (it Item) Current() (Step, bool) {
	if it.State != Pending && it.State != Returned || it.Step < 0 || it.Step >= len(it.Chain) {
		return Step{}, false
	}
	return it.Chain[it.Step], true
}

// Overdue reports whether the current step is past its time limit.
func (it Item) Overdue(now time.Time) bool {
	return (it.State == Pending) && !it.DueAt.IsZero() && now.After(it.DueAt)
}

// CanTake reports whether p may take the item's current step now (for
// showing the decision form; DecideTx checks everything again): the step's
// role and level inside p's subtree, not frozen, and — except for its maker
// resubmitting a returned item — not the item's maker.
func (it Item) CanTake(p auth.Principal) bool {
	cur, ok := it.Current()
	if !ok || it.Frozen || mayTake(p, cur, it.Place) != nil {
		return false
	}
	if it.State == Returned {
		return p.Username == it.Maker
	}
	return !it.MadeBy(p.Username)
}

// MadeBy reports whether user made the item: submitted it, or changed its
// subject since (whoever created or last changed a thing never approves it).
func (it Item) MadeBy(user string) bool {
	if user == it.Maker {
		return true
	}
	for _, e := range it.Editors {
		if e == user {
			return true
		}
	}
	return false
}

// Record is one decision in an item's history.
type Record struct {
	Seq         int
	Step        int
	StepName    string
	Role        string
	Actor       string
	ActorName   string
	Decision    string
	ToStep      int
	Opinion     string
	Attachments []int64
	At          time.Time
}

// Engine is the workflow engine.
type Engine struct {
	db  *store.DB
	now clock.Clock
}

// New returns the engine.
func New(db *store.DB, now clock.Clock) *Engine {
	if now == nil {
		now = clock.System
	}
	return &Engine{db: db, now: now}
}

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.now() }

// NewItem is what a maker submits.
type NewItem struct {
	Kind, Subject, Title string
	Place                place.Code
	Amount               money.Fen
	Chain                []Step
	Opinion              string
	Attachments          []int64
}

func levelOf(l string) place.Level {
	switch l {
	case "village":
		return place.Village
	case "township":
		return place.Township
	default:
		return place.County
	}
}

// mayTake checks that p may take step s of an item at pl: the step's role,
// a place of the step's level, the item inside p's subtree.
func mayTake(p auth.Principal, s Step, pl place.Code) error {
	if !p.Sees(pl) {
		return auth.NotFound()
	}
	if string(p.Role) != s.Role {
		return errs.F(errs.Forbidden, "wrong_step_role", "step", "step %q is taken by the %s role, not %s", s.Name, s.Role, p.Role)
	}
	if p.Place.Level() != levelOf(s.Level) {
		return errs.F(errs.Forbidden, "wrong_step_level", "step", "step %q is taken at %s level; your place %s is not", s.Name, s.Level, p.Place)
	}
	return nil
}

func dueAt(s Step, from time.Time) int64 {
	if s.SLADays <= 0 {
		return 0
	}
	return clock.Micros(from.AddDate(0, 0, s.SLADays))
}

// StartTx submits an item: its maker takes step 0 (the proposing step)
// and the item waits for step 1. Errors: Forbidden (the maker may not
// take step 0), Invalid, Conflict (item_exists).
func (e *Engine) StartTx(ctx context.Context, tx *store.Tx, p auth.Principal, county string, in NewItem) (Item, error) {
	if len(in.Chain) < 2 {
		return Item{}, errs.F(errs.Invalid, "invalid_chain", "chain", "a review chain needs a proposing step and at least one review")
	}
	if in.Amount < 0 {
		return Item{}, errs.F(errs.Invalid, "invalid_amount", "amount", "amount must not be negative")
	}
	if err := mayTake(p, in.Chain[0], in.Place); err != nil {
		return Item{}, err
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM wf_items WHERE county = ?`, county).Scan(&id); err != nil {
		return Item{}, errs.Wrap(err, "workflow: next id")
	}
	chain, err := json.Marshal(in.Chain)
	if err != nil {
		return Item{}, errs.Wrap(err, "workflow: chain")
	}
	now := clock.Micros(tx.Now)
	next := in.Chain[1]
	if _, err := tx.ExecContext(ctx, `INSERT INTO wf_items (county, id, kind, subject, title, place, amount, chain, step, state, cur_role, cur_level, maker, entered_at, due_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 'pending', ?, ?, ?, ?, ?, ?, ?)`,
		county, id, in.Kind, in.Subject, in.Title, string(in.Place), int64(in.Amount), string(chain), next.Role, next.Level, p.Username, now, dueAt(next, tx.Now), now, now); err != nil {
		if errs.KindOf(err) == errs.Conflict {
			return Item{}, errs.F(errs.Conflict, "item_exists", "subject", "%s %s is already under review", in.Kind, in.Subject)
		}
		return Item{}, errs.Wrap(err, "workflow: item")
	}
	it, err := e.item(ctx, tx, county, id)
	if err != nil {
		return Item{}, err
	}
	if err := e.record(ctx, tx, p, it, 0, Submit, 1, in.Opinion, in.Attachments); err != nil {
		return Item{}, err
	}
	return it, nil
}

// Decision is a decision on the current step.
type Decision struct {
	Action      string // submit (a returned item, by its maker), approve, return, reject
	ToStep      int    // return: the step it goes back to (0: the maker)
	Opinion     string
	Attachments []int64
	// Shown is the digest of what the subject's notice would show now
	// (see NoticeInput.Shown); compared at a NoticeBefore step.
	Shown string
}

// DecideTx takes the current step of an item. Errors: NotFound (outside
// p's subtree or no such item), Forbidden (wrong_step_role,
// wrong_step_level), RuleBroken (maker_checker, already_signed (an extra
// signer who signed another step), frozen,
// notice_required, notice_running, open_objection, not_pending,
// may_not_return), Invalid (invalid_decision, invalid_return,
// opinion_required).
func (e *Engine) DecideTx(ctx context.Context, tx *store.Tx, p auth.Principal, county string, id int64, d Decision) (Item, error) {
	it, err := e.item(ctx, tx, county, id)
	if err != nil {
		return Item{}, err
	}
	if !p.Sees(it.Place) {
		return Item{}, auth.NotFound()
	}
	if it.Frozen {
		return Item{}, errs.F(errs.RuleBroken, "frozen", "", "%s %s is frozen while it is audited: %s", it.Kind, it.Subject, it.FrozenReason)
	}
	cur, ok := it.Current()
	if !ok {
		return Item{}, errs.F(errs.RuleBroken, "not_pending", "", "%s %s is %s: there is no step to take", it.Kind, it.Subject, it.State)
	}
	d.Opinion = strings.TrimSpace(d.Opinion)
	if len([]rune(d.Opinion)) > 2000 {
		return Item{}, errs.F(errs.Invalid, "invalid_opinion", "opinion", "an opinion has at most 2000 characters")
	}
	if it.State == Returned {
		if d.Action != Submit {
			return Item{}, errs.F(errs.RuleBroken, "not_pending", "action", "the item was returned to its maker, who resubmits it")
		}
		if p.Username != it.Maker {
			if err := mayTake(p, cur, it.Place); err != nil {
				return Item{}, err
			}
			return Item{}, errs.F(errs.Forbidden, "not_maker", "", "only %s, who proposed it, resubmits it", it.Maker)
		}
		return e.move(ctx, tx, p, it, Submit, 1, d)
	}
	if err := mayTake(p, cur, it.Place); err != nil {
		return Item{}, err
	}
	if err := auth.CheckMakerChecker(p, it.Maker); err != nil {
		return Item{}, err
	}
	if it.MadeBy(p.Username) {
		return Item{}, errs.F(errs.RuleBroken, "maker_checker", "", "you changed %s %s after it was submitted: another person must take this step", it.Kind, it.Subject)
	}
	var signed int
	// One person signs one step of a round (since the last submission);
	// re-taking the same step after a return is not a second signature.
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM wf_steps WHERE county = ? AND item = ? AND actor = ? AND decision = 'approve' AND step <> ?
		AND seq > COALESCE((SELECT MAX(seq) FROM wf_steps WHERE county = ? AND item = ? AND decision = 'submit'), 0)`, county, id, p.Username, it.Step, county, id).Scan(&signed); err != nil {
		return Item{}, errs.Wrap(err, "workflow: signers")
	}
	switch d.Action {
	case Approve:
		// One person never signs two steps of one chain.
		if signed > 0 {
			return Item{}, errs.F(errs.RuleBroken, "already_signed", "", "you approved an earlier step of this item: another person must take %q", cur.Name)
		}
		if cur.NoticeBefore {
			if err := e.noticeGate(ctx, tx, it, d.Shown); err != nil {
				return Item{}, err
			}
		}
		return e.move(ctx, tx, p, it, Approve, it.Step+1, d)
	case Return:
		if !cur.MayReturn {
			return Item{}, errs.F(errs.RuleBroken, "may_not_return", "action", "step %q may not return the item", cur.Name)
		}
		if d.ToStep < 0 || d.ToStep >= it.Step {
			return Item{}, errs.F(errs.Invalid, "invalid_return", "to_step", "return to an earlier step: 0 … %d", it.Step-1)
		}
		if d.Opinion == "" {
			return Item{}, errs.F(errs.Invalid, "opinion_required", "opinion", "say why the item is returned")
		}
		return e.move(ctx, tx, p, it, Return, d.ToStep, d)
	case Reject:
		if d.Opinion == "" {
			return Item{}, errs.F(errs.Invalid, "opinion_required", "opinion", "say why the item is rejected")
		}
		return e.move(ctx, tx, p, it, Reject, -1, d)
	}
	return Item{}, errs.F(errs.Invalid, "invalid_decision", "action", "decision must be approve, return or reject, got %q", d.Action)
}

// move records the decision and puts the item at step to (-1: rejected;
// len(chain): approved).
func (e *Engine) move(ctx context.Context, tx *store.Tx, p auth.Principal, it Item, decision string, to int, d Decision) (Item, error) {
	from := it.Step
	state, role, level := Pending, "", ""
	var due int64
	switch {
	case to < 0:
		state, to = Rejected, from
	case to >= len(it.Chain):
		state, to = Approved, len(it.Chain)
	case to == 0:
		state, role, level = Returned, it.Chain[0].Role, it.Chain[0].Level
	default:
		role, level, due = it.Chain[to].Role, it.Chain[to].Level, dueAt(it.Chain[to], tx.Now)
	}
	notice := it.NoticeID
	if to == 0 {
		notice = 0 // a resubmitted item is noticed afresh
	}
	now := clock.Micros(tx.Now)
	if _, err := tx.ExecContext(ctx, `UPDATE wf_items SET step = ?, state = ?, cur_role = ?, cur_level = ?, entered_at = ?, due_at = ?, notice_id = ?, updated_at = ? WHERE county = ? AND id = ?`,
		to, state, role, level, now, due, notice, now, it.County, it.ID); err != nil {
		return Item{}, errs.Wrap(err, "workflow: move")
	}
	if err := e.record(ctx, tx, p, it, from, decision, to, d.Opinion, d.Attachments); err != nil {
		return Item{}, err
	}
	return e.item(ctx, tx, it.County, it.ID)
}

// record appends a decision to the item's history and the audit log.
func (e *Engine) record(ctx context.Context, tx *store.Tx, p auth.Principal, it Item, step int, decision string, to int, opinion string, att []int64) error {
	if att == nil {
		att = []int64{}
	}
	attJSON, _ := json.Marshal(att)
	name := ""
	if step >= 0 && step < len(it.Chain) {
		name = it.Chain[step].Name
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO wf_steps (county, item, seq, step, step_name, role, actor, actor_name, decision, to_step, opinion, attachments, at)
		VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM wf_steps WHERE county = ? AND item = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		it.County, it.ID, it.County, it.ID, step, name, string(p.Role), p.Username, p.DisplayName, decision, to, opinion, string(attJSON), clock.Micros(tx.Now)); err != nil {
		return errs.Wrap(err, "workflow: record")
	}
	_, err := audit.Append(ctx, tx, audit.Entry{County: it.County, Actor: p.Username, Action: "workflow." + decision,
		Object: fmt.Sprintf("%s %s (item %d) step %d %s", it.Kind, it.Subject, it.ID, step, name), Place: string(it.Place),
		After: map[string]any{"decision": decision, "to_step": to, "opinion": opinion, "attachments": att}})
	return err
}

// TouchTx records that user changed the subject of an item of kind under
// review (a project's budget, the household year behind an application):
// from now on user counts as one of its makers and takes none of its
// steps. A subject not under review is a no-op. Usernames never contain
// a comma (auth validates them).
func (e *Engine) TouchTx(ctx context.Context, tx *store.Tx, county, kind, subject, user string) (Item, bool, error) {
	it, err := e.ItemFor(ctx, tx, county, kind, subject)
	if errs.KindOf(err) == errs.NotFound {
		return Item{}, false, nil
	}
	if err != nil {
		return Item{}, false, err
	}
	if it.State != Pending && it.State != Returned {
		return it, false, nil
	}
	if !it.MadeBy(user) {
		it.Editors = append(it.Editors, user)
		if _, err := tx.ExecContext(ctx, `UPDATE wf_items SET editors = ?, updated_at = ? WHERE county = ? AND id = ?`,
			strings.Join(it.Editors, ","), clock.Micros(tx.Now), county, it.ID); err != nil {
			return Item{}, false, errs.Wrap(err, "workflow: editors")
		}
	}
	return it, true, nil
}

// FreezeTx freezes (or thaws) an item while it is audited: no step can be
// taken meanwhile. Only auditors. Errors: Forbidden, NotFound, Invalid.
func (e *Engine) FreezeTx(ctx context.Context, tx *store.Tx, p auth.Principal, county string, id int64, frozen bool, reason string) (Item, error) {
	it, err := e.item(ctx, tx, county, id)
	if err != nil {
		return Item{}, err
	}
	if !p.Sees(it.Place) {
		return Item{}, auth.NotFound()
	}
	if p.Role != auth.RoleAuditor {
		return Item{}, errs.F(errs.Forbidden, "forbidden", "", "only auditors freeze an item while it is audited")
	}
	reason = strings.TrimSpace(reason)
	if frozen && reason == "" {
		return Item{}, errs.F(errs.Invalid, "opinion_required", "reason", "say why the item is frozen")
	}
	if it.Frozen == frozen {
		return it, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE wf_items SET frozen = ?, frozen_reason = ?, updated_at = ? WHERE county = ? AND id = ?`,
		b2i(frozen), reason, clock.Micros(tx.Now), county, id); err != nil {
		return Item{}, errs.Wrap(err, "workflow: freeze")
	}
	decision := "unfreeze"
	if frozen {
		decision = "freeze"
	}
	if err := e.record(ctx, tx, p, it, it.Step, decision, it.Step, reason, nil); err != nil {
		return Item{}, err
	}
	return e.item(ctx, tx, county, id)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

const itemCols = `id, kind, subject, title, place, amount, chain, step, state, frozen, frozen_reason, maker, notice_id, entered_at, due_at, created_at, updated_at, editors`

func scanItem(county string, sc interface{ Scan(...any) error }) (Item, error) {
	it := Item{County: county}
	var pl, chain, editors string
	var amt, entered, due, created, updated int64
	var frozen int
	if err := sc.Scan(&it.ID, &it.Kind, &it.Subject, &it.Title, &pl, &amt, &chain, &it.Step, &it.State, &frozen, &it.FrozenReason, &it.Maker, &it.NoticeID, &entered, &due, &created, &updated, &editors); err != nil {
		return it, err
	}
	if editors != "" {
		it.Editors = strings.Split(editors, ",")
	}
	if err := json.Unmarshal([]byte(chain), &it.Chain); err != nil {
		return it, errs.Wrap(err, "workflow: chain of item %d", it.ID)
	}
	it.Place, it.Amount, it.Frozen = place.Code(pl), money.Fen(amt), frozen != 0
	it.EnteredAt, it.CreatedAt, it.UpdatedAt = clock.FromMicros(entered), clock.FromMicros(created), clock.FromMicros(updated)
	if due > 0 {
		it.DueAt = clock.FromMicros(due)
	}
	return it, nil
}

func (e *Engine) item(ctx context.Context, q store.Querier, county string, id int64) (Item, error) {
	it, err := scanItem(county, q.QueryRowContext(ctx, `SELECT `+itemCols+` FROM wf_items WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, errs.F(errs.NotFound, "not_found", "item", "no review item %d", id)
	}
	if err != nil {
		return it, errs.Wrap(err, "workflow: item")
	}
	return it, nil
}

// Item returns an item (no authorization: callers check the place).
func (e *Engine) Item(ctx context.Context, county string, id int64) (Item, error) {
	return e.item(ctx, e.db, county, id)
}

// ItemFor returns the item of a subject. Errors: NotFound.
func (e *Engine) ItemFor(ctx context.Context, q store.Querier, county, kind, subject string) (Item, error) {
	it, err := scanItem(county, q.QueryRowContext(ctx, `SELECT `+itemCols+` FROM wf_items WHERE county = ? AND kind = ? AND subject = ?`, county, kind, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return it, errs.F(errs.NotFound, "not_found", "item", "%s %s has not been submitted", kind, subject)
	}
	if err != nil {
		return it, errs.Wrap(err, "workflow: item")
	}
	return it, nil
}

// History lists an item's decisions in order.
func (e *Engine) History(ctx context.Context, county string, id int64) ([]Record, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT seq, step, step_name, role, actor, actor_name, decision, to_step, opinion, attachments, at FROM wf_steps WHERE county = ? AND item = ? ORDER BY seq`, county, id)
	if err != nil {
		return nil, errs.Wrap(err, "workflow: history")
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var att string
		var at int64
		if err := rows.Scan(&r.Seq, &r.Step, &r.StepName, &r.Role, &r.Actor, &r.ActorName, &r.Decision, &r.ToStep, &r.Opinion, &att, &at); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(att), &r.Attachments)
		r.At = clock.FromMicros(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Queue lists the items waiting for p: pending at a step of p's role
// inside p's subtree (and, for a maker's role, items returned to them),
// oldest deadline first, at most limit. Frozen items are listed (marked).
func (e *Engine) Queue(ctx context.Context, p auth.Principal, kind string, limit int) ([]Item, error) {
	lo, hi := place.Range(p.Prefix())
	level := "county"
	switch p.Place.Level() {
	case place.Village:
		level = "village"
	case place.Township:
		level = "township"
	}
	args := []any{p.County, string(p.Role), level, lo, hi}
	if kind != "" {
		args = append(args, kind)
	}
	args = append(args, limit, p.County)
	rows, err := e.db.QueryContext(ctx, queueSQL(kind != ""), args...)
	if err != nil {
		return nil, errs.Wrap(err, "workflow: queue")
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(p.County, rows)
		if err != nil {
			return nil, err
		}
		if it.State == Returned && it.Maker != p.Username {
			continue
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// queueSQL is the review queue's query. The sort runs over the narrow
// index columns only (wf_items_queue: county, role, level, state, place,
// due date); the wide rows (with their chains) are read by primary key for
// the page of ids it keeps. Arguments: county, role, level, place range
// (lo, hi), the kind when withKind, the limit, the county again.
func queueSQL(withKind bool) string {
	q := `SELECT id, CASE WHEN due_at = 0 THEN 1 ELSE 0 END AS nodue, due_at FROM wf_items WHERE county = ? AND state IN ('pending', 'returned') AND cur_role = ? AND cur_level = ? AND place BETWEEN ? AND ?`
	if withKind {
		q += ` AND kind = ?`
	}
	q += ` ORDER BY nodue, due_at, id LIMIT ?`
	return `SELECT w.` + strings.ReplaceAll(itemCols, ", ", ", w.") + ` FROM (` + q + `) page JOIN wf_items w ON w.county = ? AND w.id = page.id ORDER BY page.nodue, page.due_at, page.id`
}

// OverdueCount counts pending items past their step's deadline under a
// place prefix (for the dashboard).
func (e *Engine) OverdueCount(ctx context.Context, county, prefix string) (int, error) {
	lo, hi := place.Range(prefix)
	var n int
	err := e.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM wf_items WHERE county = ? AND state = 'pending' AND due_at > 0 AND due_at < ? AND place BETWEEN ? AND ?`,
		county, clock.Micros(e.now()), lo, hi).Scan(&n)
	if err != nil {
		return 0, errs.Wrap(err, "workflow: overdue")
	}
	return n, nil
}

// Waiting lists the items p submitted that wait for someone else: pending
// at a step (not returned to p), newest first, at most limit — for "等待他人
// 处理" beside the queue, so that a maker sees who must act on their item.
func (e *Engine) Waiting(ctx context.Context, p auth.Principal, limit int) ([]Item, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := e.db.QueryContext(ctx, waitingSQL, p.County, p.Username, limit, p.County)
	if err != nil {
		return nil, errs.Wrap(err, "workflow: waiting")
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(p.County, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// waitingSQL reads the maker's pending items on wf_items_maker (county,
// maker, state, id). Arguments: county, maker, limit, county again.
var waitingSQL = `SELECT w.` + strings.ReplaceAll(itemCols, ", ", ", w.") + ` FROM (SELECT id FROM wf_items WHERE county = ? AND maker = ? AND state = 'pending' ORDER BY id DESC LIMIT ?) page
	JOIN wf_items w ON w.county = ? AND w.id = page.id ORDER BY page.id DESC`
