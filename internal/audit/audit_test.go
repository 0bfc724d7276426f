package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"onepool/internal/audit"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func appendAll(t *testing.T, db *store.DB, entries ...audit.Entry) {
	t.Helper()
	for i, e := range entries {
		if err := db.Write(context.Background(), t0.Add(time.Duration(i)*time.Minute), func(tx *store.Tx) error {
			_, err := audit.Append(context.Background(), tx, e)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestChainPerCounty: entries are numbered and chained per county; an
// auditor filters them by actor, action, object, place subtree and time;
// the chain verifies.
func TestChainPerCounty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendAll(t, db,
			audit.Entry{County: "990101", Actor: "rural", Action: "funds.arrival", Object: "transfer 990101/1", Place: "990101000000", After: map[string]any{"amount": "1,000.00"}},
			audit.Entry{County: "990102", Actor: "rural", Action: "funds.arrival", Object: "transfer 990102/1", Place: "990102000000"},
			audit.Entry{County: "990101", Actor: "town", Action: "registry.save", Object: "household 990101001001001", Place: "990101001001", Before: map[string]any{"status": "poor"}, After: map[string]any{"status": "exited"}},
			audit.Entry{County: "990101", Actor: "town2", Action: "registry.save", Object: "household 990101002001001", Place: "990101002001"},
			audit.Entry{County: "990101", Actor: "admin", Action: "auth.login", Object: "admin"},
		)
		all, err := audit.List(ctx, db, audit.Filter{County: "990101"})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4 {
			t.Fatalf("county 990101 has %d entries, want 4", len(all))
		}
		// Newest first, numbered 1… within the county.
		for i, r := range all {
			if want := int64(4 - i); r.ID != want {
				t.Errorf("entry %d has id %d, want %d", i, r.ID, want)
			}
			if r.Outcome != "ok" {
				t.Errorf("entry %d outcome %q, want ok by default", r.ID, r.Outcome)
			}
		}
		if all[3].After != `{"amount":"1,000.00"}` {
			t.Errorf("after = %s", all[3].After)
		}
		check := func(name string, f audit.Filter, want int) {
			t.Helper()
			f.County = "990101"
			got, err := audit.List(ctx, db, f)
			if err != nil {
				t.Fatal(err)
			}
			n, err := audit.Count(ctx, db, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != want || n != want {
				t.Errorf("%s: %d listed, %d counted, want %d", name, len(got), n, want)
			}
		}
		check("actor", audit.Filter{Actor: "town"}, 1)
		check("action prefix", audit.Filter{Action: "registry."}, 2)
		check("object substring", audit.Filter{Object: "990101001001"}, 1)
		// A township's subtree: only its own records, never the county-wide
		// entries without a place.
		check("township subtree", audit.Filter{PlacePrefix: "990101001"}, 1)
		// The county: its records and those without a place.
		check("county subtree", audit.Filter{PlacePrefix: "990101"}, 4)
		check("time window", audit.Filter{From: t0.Add(2 * time.Minute), To: t0.Add(4 * time.Minute)}, 2)
		// A page: the total stays the whole count; the page holds the oldest two.
		page, err := audit.List(ctx, db, audit.Filter{County: "990101", Limit: 2, Offset: 2})
		if err != nil || len(page) != 2 || page[0].ID != 2 || page[1].ID != 1 {
			t.Errorf("second page of two: %+v %v", page, err)
		}
		problems, err := audit.Verify(ctx, db)
		if err != nil || len(problems) != 0 {
			t.Fatalf("verify: %v %v", problems, err)
		}
	})
}

// TestImmutableAndTamperFound: the store refuses to edit or delete an
// entry; one edited or deleted behind the store's back (its guards dropped)
// is found by Verify, naming the entry.
func TestImmutableAndTamperFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 0; i < 4; i++ {
			appendAll(t, db, audit.Entry{County: "990101", Actor: "rural", Action: "funds.arrival", Object: "transfer", After: map[string]any{"n": i}})
		}
		if _, err := db.ExecRaw(ctx, `UPDATE audit_log SET actor = 'nobody' WHERE id = 2`); err == nil {
			t.Fatal("an audit entry was edited")
		}
		if _, err := db.ExecRaw(ctx, `DELETE FROM audit_log WHERE id = 3`); err == nil {
			t.Fatal("an audit entry was deleted")
		}
		drop := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
		if db.Dialect == store.Postgres {
			drop = []string{`DROP TRIGGER audit_log_no_change ON audit_log`}
		}
		for _, q := range drop {
			if _, err := db.ExecRaw(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ExecRaw(ctx, `UPDATE audit_log SET after_json = '{"n":99}' WHERE county = '990101' AND id = 2`); err != nil {
			t.Fatal(err)
		}
		problems, err := audit.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) != 1 || problems[0].ID != 2 || !strings.Contains(problems[0].Reason, "edited") {
			t.Fatalf("edited entry: %v", problems)
		}
		if _, err := db.ExecRaw(ctx, `UPDATE audit_log SET after_json = '{"n":1}' WHERE county = '990101' AND id = 2`); err != nil {
			t.Fatal(err)
		}
		if problems, _ := audit.Verify(ctx, db); len(problems) != 0 {
			t.Fatalf("restored entry still reported: %v", problems)
		}
		if _, err := db.ExecRaw(ctx, `DELETE FROM audit_log WHERE county = '990101' AND id = 3`); err != nil {
			t.Fatal(err)
		}
		problems, err = audit.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) != 1 || problems[0].ID != 3 || !strings.Contains(problems[0].Reason, "deleted") {
			t.Fatalf("deleted entry: %v", problems)
		}
	})
}

// TestTruncatedTail: deleting the newest entries is found too (the head
// remembers the last id and hash).
func TestTruncatedTail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := 0; i < 3; i++ {
			appendAll(t, db, audit.Entry{County: "990101", Actor: "rural", Action: "x", Object: "y"})
		}
		drop := `DROP TRIGGER audit_log_no_delete`
		if db.Dialect == store.Postgres {
			drop = `DROP TRIGGER audit_log_no_change ON audit_log`
		}
		if _, err := db.ExecRaw(ctx, drop); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecRaw(ctx, `DELETE FROM audit_log WHERE county = '990101' AND id = 3`); err != nil {
			t.Fatal(err)
		}
		problems, err := audit.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(problems) != 1 || problems[0].County != "990101" {
			t.Fatalf("truncated tail: %v", problems)
		}
	})
}
