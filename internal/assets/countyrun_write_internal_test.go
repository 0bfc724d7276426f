package assets

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// testRunRows is a county run's rows for county: 9 assets of 1–5 lines
// (the last of each a collective line with its transfer), legs' JSON with
// quotes and Chinese, numbered from line+1.
func testRunRows(county string, line int64) runRows {
	w := runRows{county: county, maker: "maker", approver: "approver 审批", instruction: 77, year: 2026, at: 1_700_000_000_123_456, transfer: map[[2]int]int64{}}
	for k := range 9 {
		ap := assetPlan{a: Asset{ID: int64(100 + k), Code: fmt.Sprintf("ZC%04d", k)}, sharesJSON: fmt.Sprintf(`[{"key":"households","use":"脱贫户 \"%d\""}]`, k)}
		for i := range 1 + k%5 {
			line++
			l := RunLine{ID: line, Run: int64(k + 1), Share: "households", PayeeKind: PayeeHousehold, Payee: fmt.Sprintf("99010100100%05d", line), Place: place.Code("990101001001"), Amount: money.Fen(1000*k + i)}
			if i == k%5 {
				l.Share, l.PayeeKind, l.Payee = "collective", PayeeCollective, "91990101MA0000000X"
				w.transfer[[2]int{k, i}] = 5000 + line
			}
			ap.lines = append(ap.lines, l)
			ap.legs = append(ap.legs, fmt.Sprintf(`[{"channel":"中央 \"%d\"","amount":%d}]`, i, l.Amount))
		}
		w.plans = append(w.plans, ap)
		w.runIDs = append(w.runIDs, int64(k+1))
		w.amounts = append(w.amounts, int64(10_000*k+7))
		w.events = append(w.events, runEvent{asset: ap.a.ID, seq: int64(k%3 + 1), detail: fmt.Sprintf(`{"run":"%d","maker":"maker"}`, k+1)})
	}
	return w
}

// dumpRunRows is every row the county has in as_dist_runs, as_dist_lines
// and as_events (county left out), in key order, as text.
func dumpRunRows(t *testing.T, db *store.DB, county string) [][]string {
	t.Helper()
	var out [][]string
	for _, q := range []string{
		`SELECT id, asset, period, total, lines, shares, digest, instruction, state, created_at, created_by, posted_at, posted_by FROM as_dist_runs WHERE county = ? ORDER BY id`,
		`SELECT id, run, share, payee_kind, payee, place, amount, legs, pay_status, attempts, transfer FROM as_dist_lines WHERE county = ? ORDER BY id`,
		`SELECT asset, seq, action, detail, actor, at FROM as_events WHERE county = ? ORDER BY asset, seq`,
	} {
		rows, err := db.QueryContext(context.Background(), q, county)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := []string{q[:30]}
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				row = append(row, fmt.Sprint(v))
			}
			out = append(out, row)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestRunRowsArraysAsRows: a county run's runs, lines and events written
// as on PostgreSQL (arrays, unnested, in chunks of 7 rows here) are row for
// row those of the multi-row statements; and a chunk refused (a line's key
// taken, in the last chunk) leaves nothing of its transaction in any of
// the three tables. Both engines run the same assertions (on SQLite both
// writes are the multi-row path's).
func TestRunRowsArraysAsRows(t *testing.T) {
	old := arrayChunk
	arrayChunk = 7
	defer func() { arrayChunk = old }()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		arrays := db.Dialect == store.Postgres
		write := func(w runRows, arrays bool) error {
			return db.Write(ctx, time.Now(), func(tx *store.Tx) error { return w.write(ctx, tx, arrays) })
		}
		if err := write(testRunRows("990201", 0), false); err != nil {
			t.Fatal(err)
		}
		if err := write(testRunRows("990202", 0), arrays); err != nil {
			t.Fatal(err)
		}
		want, got := dumpRunRows(t, db, "990201"), dumpRunRows(t, db, "990202")
		if len(want) != 9+25+9 {
			t.Fatalf("%d rows written by the multi-row path, want 43", len(want))
		}
		if len(got) != len(want) {
			t.Fatalf("%d rows written (arrays %v), want %d", len(got), arrays, len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("row %d (arrays %v):\n got %q\nwant %q", i, arrays, got[i], want[i])
			}
		}
		// A line's key repeated in the last chunk of lines: refused whole.
		w := testRunRows("990203", 0)
		last := &w.plans[len(w.plans)-1]
		last.lines[len(last.lines)-1].ID = 1
		if err := write(w, arrays); err == nil {
			t.Fatal("a line's key taken twice was written")
		}
		if rows := dumpRunRows(t, db, "990203"); len(rows) != 0 {
			t.Fatalf("a refused chunk kept %d rows: %q", len(rows), rows[0])
		}
	})
}
