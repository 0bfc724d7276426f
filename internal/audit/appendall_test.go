package audit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"onepool/internal/audit"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestAppendAllIsAppendOneByOne: a batch of entries written with AppendAll
// (across two counties, after entries already chained, more than one
// INSERT's worth) holds exactly the records — ids, times, contents and
// hashes — that Append one after the other writes, and verifies.
func TestAppendAllIsAppendOneByOne(t *testing.T) {
	ctx := context.Background()
	entries := func() []audit.Entry {
		var es []audit.Entry
		for i := 0; i < 900; i++ {
			c := "990101"
			if i%3 == 0 {
				c = "990102"
			}
			es = append(es, audit.Entry{County: c, Actor: "rural", Action: "funds.project", Object: fmt.Sprintf("project P%d", i), Place: c + "001000",
				Before: map[string]int{"n": i}, After: map[string]any{"status": "reserve", "i": i}})
		}
		es = append(es, audit.Entry{Actor: "system", Action: "auth.login", Object: "nobody", Outcome: "denied"})
		return es
	}
	lists := map[string][]audit.Record{}
	for _, bulk := range []bool{false, true} {
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			appendAll(t, db, audit.Entry{County: "990101", Actor: "admin", Action: "auth.login", Object: "admin"})
			err := db.Write(ctx, t0.Add(time.Hour), func(tx *store.Tx) error {
				es := entries()
				if bulk {
					ids, err := audit.AppendAll(ctx, tx, es)
					if err == nil && (len(ids) != len(es) || ids[0] != 1 || ids[1] != 2 || ids[2] != 3) {
						return fmt.Errorf("ids %v…", ids[:3])
					}
					return err
				}
				for _, e := range es {
					if _, err := audit.Append(ctx, tx, e); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if problems, err := audit.Verify(ctx, db); err != nil || len(problems) != 0 {
				t.Fatalf("verify: %v %v", problems, err)
			}
			var all []audit.Record
			for _, c := range []string{"990101", "990102", audit.SystemCounty} {
				rs, err := audit.List(ctx, db, audit.Filter{County: c, Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, rs...)
			}
			key := fmt.Sprintf("%s/%v", db.Dialect, bulk)
			lists[key] = all
			if len(all) != 902 {
				t.Fatalf("%d records, want 902", len(all))
			}
		})
	}
	for _, d := range []string{"sqlite", "postgres"} {
		one, all := lists[d+"/false"], lists[d+"/true"]
		if one == nil || all == nil {
			continue
		}
		for i := range one {
			if one[i] != all[i] {
				t.Fatalf("%s: record %d differs:\none by one %+v\nAppendAll  %+v", d, i, one[i], all[i])
			}
		}
	}
}
