package workflow

import (
	"context"
	"strings"
	"testing"

	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestQueuePlan: the review queue reads its index (wf_items_queue), not the
// county's items, with and without statistics, on both engines.
func TestQueuePlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// 100,000 items of a county, most decided; a few hundred pending at
		// each township.
		storetest.Fill(t, db, "wf_items", "county, id, kind, subject, title, place, amount, chain, step, state, cur_role, cur_level, maker, entered_at, due_at, created_at, updated_at",
			`'990101', n, 'relief', 's' || CAST(n AS TEXT), 't', '990101' || CASE WHEN n % 2 = 0 THEN '001' ELSE '002' END || '001000', 0, '[]', 1,
			 CASE WHEN n % 100 = 0 THEN 'pending' ELSE 'approved' END, CASE WHEN n % 3 = 0 THEN 'township' ELSE 'village' END, CASE WHEN n % 3 = 0 THEN 'township' ELSE 'village' END, 'm', n, n, n, n`, storetest.PlanRows(db, 100000))
		for _, stats := range []string{"no statistics", "after ANALYZE"} {
			if stats == "after ANALYZE" {
				if _, err := db.ExecRaw(ctx, `ANALYZE`); err != nil {
					t.Fatal(err)
				}
			}
			for _, withKind := range []bool{false, true} {
				args := []any{"990101", "township", "township", "990101001000", "990101001999"}
				if withKind {
					args = append(args, "relief")
				}
				args = append(args, 50, "990101")
				plan := storetest.Plan(t, db, queueSQL(withKind), args...)
				if !strings.Contains(plan, "wf_items_queue") || strings.Contains(plan, "Seq Scan on wf_items") || strings.Contains(plan, "SCAN wf_items") {
					t.Errorf("queue (kind filter %v), %s: the plan does not use wf_items_queue:\n%s", withKind, stats, plan)
				}
			}
		}
	})
}

// TestWaitingPlan: a maker's items waiting for others read wf_items_maker,
// not the county's items.
func TestWaitingPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		storetest.Fill(t, db, "wf_items", "county, id, kind, subject, title, place, amount, chain, step, state, cur_role, cur_level, maker, entered_at, due_at, created_at, updated_at",
			`'990101', n, 'relief', 's' || CAST(n AS TEXT), 't', '990101001001', 0, '[]', 1,
			 CASE WHEN n % 100 = 0 THEN 'pending' ELSE 'approved' END, 'township', 'township', 'm' || CAST(n % 500 AS TEXT), n, n, n, n`, 100000)
		for _, stats := range []string{"no statistics", "after ANALYZE"} {
			if stats == "after ANALYZE" {
				if _, err := db.ExecRaw(ctx, `ANALYZE`); err != nil {
					t.Fatal(err)
				}
			}
			plan := storetest.Plan(t, db, waitingSQL, "990101", "m7", 100, "990101")
			if !strings.Contains(plan, "wf_items_maker") || strings.Contains(plan, "Seq Scan on wf_items") || strings.Contains(plan, "SCAN wf_items") {
				t.Errorf("waiting, %s: the plan does not use wf_items_maker:\n%s", stats, plan)
			}
		}
	})
}
