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
	if len(in.Chain) < 2 {
		return Item{}, errs.F(errs.Invalid, "invalid_chain", "chain", "a review chain needs a proposing step and at least one review")
	}
	if len(taken) == 0 || len(taken) > len(in.Chain) {
		return Item{}, errs.F(errs.Invalid, "invalid_taken", "steps", "record between 1 and %d steps taken, not %d", len(in.Chain), len(taken))
	}
	for i, t := range taken {
		if strings.TrimSpace(t.By) == "" || utf8.RuneCountInString(t.By) > 50 || t.At.IsZero() {
			return Item{}, errs.F(errs.Invalid, "invalid_taken", fmt.Sprintf("steps[%d]", i), "a step taken on paper needs who took it (at most 50 characters) and when")
		}
		if t.At.After(tx.Now) {
			return Item{}, errs.F(errs.Invalid, "invalid_taken", fmt.Sprintf("steps[%d]", i), "a step taken on paper cannot be in the future")
		}
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
	step, state, role, level := len(taken), Pending, "", ""
	var due int64
	if step >= len(in.Chain) {
		state = Approved
	} else {
		next := in.Chain[step]
		role, level, due = next.Role, next.Level, dueAt(next, tx.Now)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO wf_items (county, id, kind, subject, title, place, amount, chain, step, state, cur_role, cur_level, maker, entered_at, due_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		county, id, in.Kind, in.Subject, in.Title, string(in.Place), int64(in.Amount), string(chain), step, state, role, level, recorder.Username, now, due, now, now); err != nil {
		if errs.KindOf(err) == errs.Conflict {
			return Item{}, errs.F(errs.Conflict, "item_exists", "subject", "%s %s is already under review", in.Kind, in.Subject)
		}
		return Item{}, errs.Wrap(err, "workflow: item")
	}
	type recordedStep struct {
		Step int    `json:"step"`
		Name string `json:"name"`
		By   string `json:"by"`
		Day  string `json:"day"`
	}
	steps := make([]recordedStep, len(taken))
	// One statement for every step (a plan import records thousands).
	var q strings.Builder
	q.WriteString(`INSERT INTO wf_steps (county, item, seq, step, step_name, role, actor, actor_name, decision, to_step, opinion, attachments, at) VALUES `)
	args := make([]any, 0, 12*len(taken))
	for i, t := range taken {
		by := strings.TrimSpace(t.By)
		opinion := strings.TrimSpace(t.Opinion)
		note := fmt.Sprintf("纸质办理，事后补录（录入：%s）", recorder.Username)
		if opinion != "" {
			note = opinion + "；" + note
		}
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?)`)
		args = append(args, county, id, i+1, i, in.Chain[i].Name, in.Chain[i].Role, by, by, Recorded, i+1, note, clock.Micros(t.At))
		steps[i] = recordedStep{Step: i, Name: in.Chain[i].Name, By: by, Day: clock.Day(t.At)}
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return Item{}, errs.Wrap(err, "workflow: recorded steps")
	}
	if _, err := audit.Append(ctx, tx, audit.Entry{County: county, Actor: recorder.Username, Action: "workflow.recorded",
		Object: fmt.Sprintf("%s %s (item %d): %d step(s) taken on paper", in.Kind, in.Subject, id, len(taken)), Place: string(in.Place),
		After: map[string]any{"recorded_after_the_fact": true, "state": state, "steps": steps}}); err != nil {
		return Item{}, err
	}
	it := Item{County: county, ID: id, Kind: in.Kind, Subject: in.Subject, Title: in.Title, Place: in.Place, Amount: in.Amount, Chain: in.Chain,
		Step: step, State: state, Maker: recorder.Username, EnteredAt: clock.FromMicros(now), CreatedAt: clock.FromMicros(now), UpdatedAt: clock.FromMicros(now)}
	if due > 0 {
		it.DueAt = clock.FromMicros(due)
	}
	return it, nil
}
