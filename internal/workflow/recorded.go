package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/store"
)

// Recorded is the decision of a step taken before onepool was used (on
// paper) and recorded after the fact: its actor is the name written on the
// paper, not a user of the server, and it never counts as anyone's online
// signature.
const Recorded = "recorded"

// Taken is one step taken on paper: who took it and when.
type Taken struct {
	By      string    // the name on the paper
	At      time.Time // the day it was taken
	Opinion string
}

// RecordTakenTx enters an item whose first len(taken) steps were already
// taken on paper: they are recorded as decisions "recorded" (who and when
// from the paper, the recorder named in each record and in the audit
// entry, marked recorded_after_the_fact), and the item waits at the next
// step — or is approved when every step was taken. The recorder becomes
// the item's maker (whoever entered a thing never approves it). Errors:
// Invalid (invalid_chain, invalid_taken), Conflict (item_exists).
func (e *Engine) RecordTakenTx(ctx context.Context, tx *store.Tx, recorder auth.Principal, county string, in NewItem, taken []Taken) (Item, error) {
	its, _, err := e.RecordTakenManyTx(ctx, tx, recorder, county, []NewItem{in}, [][]Taken{taken})
	if err != nil {
		return Item{}, err
	}
	return its[0], nil
}

// RecordTakenManyTx is RecordTakenTx for many items (taken[i] the steps
// of items[i]) in a few statements whatever their number — a plan import
// records thousands: the same checks in the same order, the same items,
// step records and audit entries (one workflow.recorded entry per item),
// the items numbered in order. When one is refused nothing of the batch
// may be kept (the caller's transaction rolls back) and bad is its index;
// -1 when the refusal is not one item's. Errors: RecordTakenTx's.
func (e *Engine) RecordTakenManyTx(ctx context.Context, tx *store.Tx, recorder auth.Principal, county string, items []NewItem, taken [][]Taken) (out []Item, bad int, err error) {
	if len(items) != len(taken) {
		return nil, -1, errs.Wrap(fmt.Errorf("%d items, %d lists of steps", len(items), len(taken)), "workflow: recorded")
	}
	if len(items) == 0 {
		return []Item{}, -1, nil
	}
	for k, in := range items {
		if err := checkTaken(tx, in, taken[k]); err != nil {
			return nil, k, err
		}
	}
	// An item exists already, or twice in the batch: refused as the
	// one-row insert refuses it, before anything is written.
	subjects := map[[2]string]bool{}
	if err := store.Chunks(len(items), 3, func(start, end int) error {
		args := make([]any, 0, 3*(end-start))
		for _, in := range items[start:end] {
			args = append(args, county, in.Kind, in.Subject)
		}
		rs, err := tx.QueryContext(ctx, `SELECT i.kind, i.subject FROM (VALUES `+store.ValuesRows([]string{"TEXT", "TEXT", "TEXT"}, end-start)+`) AS k
			CROSS JOIN wf_items i WHERE i.county = k.column1 AND i.kind = k.column2 AND i.subject = k.column3`, args...)
		if err != nil {
			return errs.Wrap(err, "workflow: items taken")
		}
		defer rs.Close()
		for rs.Next() {
			var kind, subject string
			if err := rs.Scan(&kind, &subject); err != nil {
				return errs.Wrap(err, "workflow: items taken")
			}
			subjects[[2]string{kind, subject}] = true
		}
		return rs.Err()
	}); err != nil {
		return nil, -1, err
	}
	for k, in := range items {
		key := [2]string{in.Kind, in.Subject}
		if subjects[key] {
			return nil, k, errs.F(errs.Conflict, "item_exists", "subject", "%s %s is already under review", in.Kind, in.Subject)
		}
		subjects[key] = true
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM wf_items WHERE county = ?`, county).Scan(&id); err != nil {
		return nil, -1, errs.Wrap(err, "workflow: next id")
	}
	now := clock.Micros(tx.Now)
	out = make([]Item, len(items))
	itemRows := make([][]any, 0, len(items))
	var stepRows [][]any
	entries := make([]audit.Entry, len(items))
	type recordedStep struct {
		Step int    `json:"step"`
		Name string `json:"name"`
		By   string `json:"by"`
		Day  string `json:"day"`
	}
	for k, in := range items {
		id := id + int64(k)
		chain, err := json.Marshal(in.Chain)
		if err != nil {
			return nil, -1, errs.Wrap(err, "workflow: chain")
		}
		tk := taken[k]
		step, state, role, level := len(tk), Pending, "", ""
		var due int64
		if step >= len(in.Chain) {
			state = Approved
		} else {
			next := in.Chain[step]
			role, level, due = next.Role, next.Level, dueAt(next, tx.Now)
		}
		itemRows = append(itemRows, []any{county, id, in.Kind, in.Subject, in.Title, string(in.Place), int64(in.Amount), string(chain), step, state, role, level, recorder.Username, now, due, now, now})
		steps := make([]recordedStep, len(tk))
		for i, t := range tk {
			by := strings.TrimSpace(t.By)
			opinion := strings.TrimSpace(t.Opinion)
			note := fmt.Sprintf("纸质办理，事后补录（录入：%s）", recorder.Username)
			if opinion != "" {
				note = opinion + "；" + note
			}
			stepRows = append(stepRows, []any{county, id, i + 1, i, in.Chain[i].Name, in.Chain[i].Role, by, by, Recorded, i + 1, note, clock.Micros(t.At)})
			steps[i] = recordedStep{Step: i, Name: in.Chain[i].Name, By: by, Day: clock.Day(t.At)}
		}
		entries[k] = audit.Entry{County: county, Actor: recorder.Username, Action: "workflow.recorded",
			Object: fmt.Sprintf("%s %s (item %d): %d step(s) taken on paper", in.Kind, in.Subject, id, len(tk)), Place: string(in.Place),
			After: map[string]any{"recorded_after_the_fact": true, "state": state, "steps": steps}}
		it := Item{County: county, ID: id, Kind: in.Kind, Subject: in.Subject, Title: in.Title, Place: in.Place, Amount: in.Amount, Chain: in.Chain,
			Step: step, State: state, Maker: recorder.Username, EnteredAt: clock.FromMicros(now), CreatedAt: clock.FromMicros(now), UpdatedAt: clock.FromMicros(now)}
		if due > 0 {
			it.DueAt = clock.FromMicros(due)
		}
		out[k] = it
	}
	if err := store.InsertRows(ctx, tx, `INSERT INTO wf_items (county, id, kind, subject, title, place, amount, chain, step, state, cur_role, cur_level, maker, entered_at, due_at, created_at, updated_at) VALUES `,
		17, itemRows, ""); err != nil {
		if errs.KindOf(err) == errs.Conflict {
			return nil, -1, errs.F(errs.Conflict, "item_exists", "subject", "an item of the batch is already under review")
		}
		return nil, -1, errs.Wrap(err, "workflow: item")
	}
	// The steps: a statement per few hundred (a plan import records
	// thousands); attachments are none.
	if err := store.InsertRows(ctx, tx, `INSERT INTO wf_steps (county, item, seq, step, step_name, role, actor, actor_name, decision, to_step, opinion, at, attachments) VALUES `,
		13, withEmptyAttachments(stepRows), ""); err != nil {
		return nil, -1, errs.Wrap(err, "workflow: recorded steps")
	}
	if _, err := audit.AppendAll(ctx, tx, entries); err != nil {
		return nil, -1, err
	}
	return out, -1, nil
}

// withEmptyAttachments appends the attachments column ('[]') to every
// step row.
func withEmptyAttachments(rows [][]any) [][]any {
	for i := range rows {
		rows[i] = append(rows[i], "[]")
	}
	return rows
}

// checkTaken checks an item recorded after the fact and its steps.
func checkTaken(tx *store.Tx, in NewItem, taken []Taken) error {
	if len(in.Chain) < 2 {
		return errs.F(errs.Invalid, "invalid_chain", "chain", "a review chain needs a proposing step and at least one review")
	}
	if len(taken) == 0 || len(taken) > len(in.Chain) {
		return errs.F(errs.Invalid, "invalid_taken", "steps", "record between 1 and %d steps taken, not %d", len(in.Chain), len(taken))
	}
	for i, t := range taken {
		if strings.TrimSpace(t.By) == "" || utf8.RuneCountInString(t.By) > 50 || t.At.IsZero() {
			return errs.F(errs.Invalid, "invalid_taken", fmt.Sprintf("steps[%d]", i), "a step taken on paper needs who took it (at most 50 characters) and when")
		}
		if t.At.After(tx.Now) {
			return errs.F(errs.Invalid, "invalid_taken", fmt.Sprintf("steps[%d]", i), "a step taken on paper cannot be in the future")
		}
	}
	return nil
}
