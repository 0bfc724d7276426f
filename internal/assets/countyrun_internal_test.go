package assets

import (
	"context"
	"fmt"
	"testing"
	"time"

	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestInsertManyPrepared: store.InsertMany writes every row once and in full —
// two chunks through the statement prepared in the transaction, the rest
// parsed, a value written in the row's text — and a refused row leaves
// nothing of the transaction, on both engines.
func TestInsertManyPrepared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 2*(8000/6) + 17
		head := `INSERT INTO as_events (county, asset, seq, action, detail, actor, at) VALUES `
		err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			return store.InsertMany(ctx, tx, head, "('990101', ?, ?, ?, ?, ?, ?)", 6, n, func(args []any, i int) []any {
				return append(args, int64(i%7), i, "distributed", fmt.Sprintf(`{"i":"%d"}`, i), "x", int64(i))
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		var rows, sum int64
		var last string
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*), SUM(at) FROM as_events WHERE county = '990101'`).Scan(&rows, &sum); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT detail FROM as_events WHERE county = '990101' AND seq = ?`, n-1).Scan(&last); err != nil {
			t.Fatal(err)
		}
		if rows != n || sum != int64(n)*(n-1)/2 || last != fmt.Sprintf(`{"i":"%d"}`, n-1) {
			t.Fatalf("%d rows (want %d), at summing to %d, the last %s", rows, n, sum, last)
		}
		// Every value a placeholder; then a duplicate key in the last
		// chunk: refused, nothing of its transaction kept.
		err = db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			return store.InsertMany(ctx, tx, head, "", 7, n, func(args []any, i int) []any {
				return append(args, "990102", int64(1), n-i, "x", "{}", "x", int64(0))
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM as_events WHERE county = '990102'`).Scan(&rows); err != nil || rows != n {
			t.Fatalf("%d rows of %d (%v)", rows, n, err)
		}
		err = db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			return store.InsertMany(ctx, tx, head, "", 7, n, func(args []any, i int) []any {
				seq := i
				if i == n-1 {
					seq = 0 // the key of the first row, last
				}
				return append(args, "990103", int64(1), seq, "x", "{}", "x", int64(0))
			})
		})
		if err == nil {
			t.Fatal("a duplicate key was written")
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM as_events WHERE county = '990103'`).Scan(&rows); err != nil || rows != 0 {
			t.Fatalf("a refused insert kept %d rows (%v)", rows, err)
		}
	})
}
