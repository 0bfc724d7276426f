package registry_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestHotQueryPlans: the registry's look-ups use their index on both
// engines, with and without statistics: a household by code (loadStored,
// the primary key) and the households of an ID hash (duplicate leads and
// reveal: reg_members_id). The queries are the ones in registry.go,
// leads.go and reveal.go.
func TestHotQueryPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		storetest.Fill(t, db, "reg_households", "county, code, village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, created_at, updated_at, updated_by",
			`'990101', 'H' || CAST(n AS TEXT), '99010100' || CAST(n % 10 AS TEXT) || '00' || CAST(n % 7 AS TEXT), 'h', 'h', 'b', '', 'c' || CAST(n AS TEXT), '', 3, n, n, 'u'`, storetest.PlanRows(db, 100000))
		storetest.Fill(t, db, "reg_members", "county, household, seq, name, id_enc, id_hash, id_mask, relation, birth, alive",
			`'990101', 'H' || CAST((n + 2) / 3 AS TEXT), n % 3, 'm', '', 'i' || CAST(n AS TEXT), '', '', '', 1`, storetest.PlanRows(db, 200000))
		storetest.Fill(t, db, "reg_years", "county, year, household, village, members_alive, status, stable, causes_enc, income, expenses, updated_at, updated_by",
			`'990101', 2026, 'H' || CAST(n AS TEXT), '99010100' || CAST(n % 10 AS TEXT) || '00' || CAST(n % 7 AS TEXT), 3, CASE WHEN n % 5 = 0 THEN 'poor' ELSE 'non_poor' END, 0, '', 0, 0, n, 'u'`, storetest.PlanRows(db, 100000))
		pk := "PRIMARY KEY"
		if db.Dialect == store.Postgres {
			pk = "reg_households_pkey"
		}
		hot := []struct {
			name, query string
			args        []any
			index       string
		}{
			{"household by code", `SELECT village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, updated_at, updated_by
		FROM reg_households WHERE county = ? AND code = ?`, []any{"990101", "H777"}, pk},
			{"households of an ID hash", `SELECT DISTINCT household FROM reg_members WHERE county = ? AND id_hash = ? ORDER BY household`, []any{"990101", "i777"}, "reg_members_id"},
			{"households of a card hash", `SELECT code FROM reg_households WHERE county = ? AND card_hash = ? ORDER BY code`, []any{"990101", "c777"}, "reg_households_card"},
		}
		// The households list of a township or a village, with its search
		// and year filters (List and its count).
		for _, f := range []registry.HouseholdFilter{
			{Prefix: "990101001"},
			{Prefix: "990101001", Q: "张"},
			{Prefix: "990101001", Q: "H12"},
			{Prefix: "990101001", Village: "990101001001", Year: 2026, Status: "poor"},
			{Prefix: "990101001", Year: 2026, Status: "poor"},
		} {
			from, counted, where, order, args := registry.HouseholdsFrom("990101", f)
			index := "reg_households_list"
			if f.Status != "" {
				index = "reg_years_status"
			}
			hot = append(hot, struct {
				name, query string
				args        []any
				index       string
			}{"households list " + fmt.Sprintf("%+v", f), `SELECT h.code, h.card_mask FROM ` + from + ` WHERE ` + where + ` ORDER BY ` + order + ` LIMIT 50 OFFSET 100`, args, index},
				struct {
					name, query string
					args        []any
					index       string
				}{"households count " + fmt.Sprintf("%+v", f), `SELECT COUNT(*) FROM (SELECT 1 FROM ` + counted + ` WHERE ` + where + ` LIMIT 10001) c`, args, index})
		}
		for _, stats := range []string{"no statistics", "after ANALYZE"} {
			if stats == "after ANALYZE" {
				if _, err := db.ExecRaw(ctx, `ANALYZE`); err != nil {
					t.Fatal(err)
				}
			}
			for _, h := range hot {
				plan := storetest.Plan(t, db, h.query, h.args...)
				if !strings.Contains(plan, h.index) || (strings.Contains(h.query, "reg_years") && strings.Contains(plan, "Seq Scan on reg_years")) || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN reg_") || strings.Contains(plan, "(county=?)") {
					t.Errorf("%s, %s: the plan does not use %s:\n%s", h.name, stats, h.index, plan)
				}
			}
		}
	})
}
