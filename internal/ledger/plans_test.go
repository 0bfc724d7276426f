package ledger

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestHotQueryPlans: the ledger's look-ups by key use their index on both
// engines, with no statistics (a fresh or freshly bulk-loaded database:
// the trap that made a replay read a whole county) and with statistics.
// 200,000 rows (a county's) make a whole-table scan the expensive plan it
// is; on a small table PostgreSQL rightly prefers to scan it for 500 keys.
func TestHotQueryPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := storetest.PlanRows(db, 200000)
		storetest.Fill(t, db, "ledger_transfers", "county, id, idem_key, kind, from_account, to_account, legs, total, memo, doc_no, reverses, posted_at, actor, hash",
			"'990101', n, 'key-' || CAST(n AS TEXT), 'payment', 1, n + 1, '1:100', 100, '', '', NULL, n, 'test', 'h'", n)
		storetest.Fill(t, db, "ledger_accounts", "county, id, code, kind, name, owner, place, no_overdraft, created_at",
			"'990101', n, 'hh:' || CAST(n AS TEXT), 'household', 'h', '', '990101001001', 1, 0", n)
		var keys, ids, codes []any
		for i := 1; i <= 500; i++ {
			keys = append(keys, "990101", fmt.Sprintf("key-%d", i*37))
			ids = append(ids, "990101", int64(i*37))
			codes = append(codes, "990101", fmt.Sprintf("hh:%d", i*37))
		}
		pk := func(table string) string {
			if db.Dialect == store.Postgres {
				return table + "_pkey"
			}
			return "PRIMARY KEY"
		}
		hot := []struct {
			name, query string
			args        []any
			index       string
		}{
			{"transfers by idempotency key (a replayed batch)", keyLookupSQL(500), keys, "ledger_transfers_key"},
			{"account codes by id", accountIDLookupSQL(500), ids, "ledger_accounts_id"},
			{"accounts by code", accountsByCodeSQL(500), codes, pk("ledger_accounts")},
			{"transfer by id", transferByIDSQL, []any{"990101", int64(777)}, pk("ledger_transfers")},
		}
		check := func(stats string) {
			for _, h := range hot {
				plan := storetest.Plan(t, db, h.query, h.args...)
				if !strings.Contains(plan, h.index) || strings.Contains(plan, "Seq Scan on ledger_") || strings.Contains(plan, "SCAN ledger_") || strings.Contains(plan, "SCAN t ") || strings.Contains(plan, "SCAN a ") {
					t.Errorf("%s, %s: the plan does not use %s:\n%s", h.name, stats, h.index, plan)
				}
				if db.Dialect == store.SQLite && strings.Contains(plan, "(county=?)") {
					t.Errorf("%s, %s: the plan reads the whole county:\n%s", h.name, stats, plan)
				}
			}
		}
		check("no statistics")
		if db.Dialect == store.Postgres {
			if _, err := db.ExecRaw(ctx, `ANALYZE`); err != nil {
				t.Fatal(err)
			}
		} else if _, err := db.ExecRaw(ctx, `ANALYZE`); err != nil {
			t.Fatal(err)
		}
		check("after ANALYZE")
	})
}
