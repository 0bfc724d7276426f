package assets

// The rows a county run's approval writes besides its postings and audit
// entries: a run per asset, its lines, an event per asset. On SQLite
// multi-row INSERTs whose full chunk is prepared once in the transaction
// (insertMany); on PostgreSQL one statement per arrayChunk rows, the
// columns sent as arrays and unnested (insertArrays, the form of the
// registry import's writeChunkArrays): a multi-row VALUES of 8,000
// parameters is bound, parsed and — under FreshPlans — planned again at
// every chunk, the arrays are one parameter a column.

import (
	"context"

	"onepool/internal/errs"
	"onepool/internal/store"
)

// runEvent is an asset's as_events row of a county run.
type runEvent struct {
	asset, seq int64
	detail     string
}

// runRows is what writeRunRows writes: plans[k] is run runIDs[k] of
// amounts[k], its lines numbered and run set; transfer is each posted
// collective line's transfer by (plan, line); events one per plan.
type runRows struct {
	county, maker, approver string
	instruction, year, at   int64
	plans                   []assetPlan
	runIDs, amounts         []int64
	transfer                map[[2]int]int64
	events                  []runEvent
}

// write writes the runs, their lines and the events, with arrays
// (PostgreSQL only) or multi-row statements; the same rows either way
// (TestRunRowsArraysAsRows).
func (w *runRows) write(ctx context.Context, tx *store.Tx, arrays bool) error {
	if arrays {
		return w.writeArrays(ctx, tx)
	}
	return w.writeRows(ctx, tx)
}

func (w *runRows) writeRows(ctx context.Context, tx *store.Tx) error {
	plans := w.plans
	// The runs and their lines, each row's values appended straight into
	// the multi-row statements' arguments; the values the rows share
	// boxed once.
	cty, madeBy, by, posted := any(w.county), any(w.maker), any(w.approver), any(RunPosted)
	ins, year, when := any(w.instruction), any(w.year), any(w.at)
	if err := store.InsertMany(ctx, tx, `INSERT INTO as_dist_runs (county, id, asset, period, total, lines, shares, digest, instruction, state, created_at, created_by, posted_at, posted_by) VALUES `, "", 14, len(plans), func(args []any, k int) []any {
		ap := &plans[k]
		return append(args, cty, w.runIDs[k], ap.a.ID, year, w.amounts[k], len(ap.lines), ap.sharesJSON, digestLinesLegs(ap.lines, ap.legs), ins, posted, when, madeBy, when, by)
	}); err != nil {
		return errs.Wrap(err, "assets: runs")
	}
	// The lines, in their order (appended to the tables' B-trees), the
	// county (checked by the caller: ledger.ValidCounty) and attempts
	// written in the statement, the values rows share boxed once.
	boxed := func(m map[string]any, s string) any {
		v, ok := m[s]
		if !ok {
			v = s
			m[s] = v
		}
		return v
	}
	strs, places := map[string]any{}, map[string]any{}
	waiting, linePosted, noTransfer := any(LineWaiting), any(LinePosted), any(int64(0))
	nLines := 0
	for k := range plans {
		nLines += len(plans[k].lines)
	}
	k, i := 0, 0
	var runID any
	if err := store.InsertMany(ctx, tx, `INSERT INTO as_dist_lines (county, id, run, share, payee_kind, payee, place, amount, legs, pay_status, attempts, transfer) VALUES `,
		"('"+w.county+"', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)", 10, nLines, func(args []any, _ int) []any {
			for i >= len(plans[k].lines) {
				k, i = k+1, 0
			}
			if i == 0 {
				runID = any(w.runIDs[k])
			}
			l := &plans[k].lines[i]
			st, tr := waiting, noTransfer
			if l.PayeeKind == PayeeCollective {
				st, tr = linePosted, w.transfer[[2]int{k, i}]
			}
			args = append(args, l.ID, runID, boxed(strs, l.Share), boxed(strs, l.PayeeKind), l.Payee, boxed(places, string(l.Place)), int64(l.Amount), plans[k].legs[i], st, tr)
			i++
			return args
		}); err != nil {
		return errs.Wrap(err, "assets: lines")
	}
	distributed := any("distributed")
	if err := store.InsertMany(ctx, tx, `INSERT INTO as_events (county, asset, seq, action, detail, actor, at) VALUES `, "", 7, len(w.events), func(args []any, k int) []any {
		e := &w.events[k]
		return append(args, cty, e.asset, e.seq, distributed, e.detail, by, when)
	}); err != nil {
		return errs.Wrap(err, "assets: events")
	}
	return nil
}

func (w *runRows) writeArrays(ctx context.Context, tx *store.Tx) error {
	plans := w.plans
	n := len(plans)
	asset, nl := make([]int64, n), make([]int64, n)
	shares, digest := make([]string, n), make([]string, n)
	nLines := 0
	for k := range plans {
		ap := &plans[k]
		asset[k], nl[k] = ap.a.ID, int64(len(ap.lines))
		shares[k], digest[k] = ap.sharesJSON, digestLinesLegs(ap.lines, ap.legs)
		nLines += len(ap.lines)
	}
	if err := store.InsertArrays(ctx, tx, arrayChunk, `as_dist_runs (county, period, instruction, state, created_at, created_by, posted_at, posted_by, id, asset, total, lines, shares, digest)`,
		[]any{w.county, w.year, w.instruction, RunPosted, w.at, w.maker, w.at, w.approver},
		[]any{w.runIDs, asset, w.amounts, nl, shares, digest}, n); err != nil {
		return errs.Wrap(err, "assets: runs")
	}
	id, run, amount, tr := make([]int64, nLines), make([]int64, nLines), make([]int64, nLines), make([]int64, nLines)
	share, kind, payee, pl, legs, st := make([]string, nLines), make([]string, nLines), make([]string, nLines), make([]string, nLines), make([]string, nLines), make([]string, nLines)
	j := 0
	for k := range plans {
		for i := range plans[k].lines {
			l := &plans[k].lines[i]
			id[j], run[j], amount[j] = l.ID, w.runIDs[k], int64(l.Amount)
			share[j], kind[j], payee[j], pl[j], legs[j], st[j] = l.Share, l.PayeeKind, l.Payee, string(l.Place), plans[k].legs[i], LineWaiting
			if l.PayeeKind == PayeeCollective {
				st[j], tr[j] = LinePosted, w.transfer[[2]int{k, i}]
			}
			j++
		}
	}
	if err := store.InsertArrays(ctx, tx, arrayChunk, `as_dist_lines (county, attempts, id, run, share, payee_kind, payee, place, amount, legs, pay_status, transfer)`,
		[]any{w.county, int64(0)}, []any{id, run, share, kind, payee, pl, amount, legs, st, tr}, nLines); err != nil {
		return errs.Wrap(err, "assets: lines")
	}
	ne := len(w.events)
	ea, es, ed := make([]int64, ne), make([]int64, ne), make([]string, ne)
	for k, e := range w.events {
		ea[k], es[k], ed[k] = e.asset, e.seq, e.detail
	}
	if err := store.InsertArrays(ctx, tx, arrayChunk, `as_events (county, action, actor, at, asset, seq, detail)`,
		[]any{w.county, "distributed", w.approver, w.at}, []any{ea, es, ed}, ne); err != nil {
		return errs.Wrap(err, "assets: events")
	}
	return nil
}

// arrayChunk is how many rows a store.InsertArrays statement writes at most.
var arrayChunk = 10000
