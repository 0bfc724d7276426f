package registry_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// fill writes n households (four members' worth of columns, no member
// rows) with a 2025 record each, straight into the tables.
func fill(tb testing.TB, db *store.DB, k *registry.Keys, n int) {
	tb.Helper()
	const batch = 400
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			var hv, yv []string
			var ha, ya []any
			for i := lo; i < hi; i++ {
				code := fmt.Sprintf("990101%03d%03d-%04d", 1+i/100000, 1+i/1000%100, i%1000)
				vil := code[:12]
				cardEnc, _ := k.Seal(fmt.Sprintf("6228480%012d", i))
				hv = append(hv, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				ha = append(ha, county, code, vil, "王某某", "王某某", "农商银行", cardEnc, k.Hash(strconv.Itoa(i)), "6228****0000", i%5, 0, 0, "bench")
				causes, _ := k.Seal("illness" + strings.Repeat(" ", 25))
				yv = append(yv, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				ya = append(ya, county, 2025, code, vil, i%5, registry.Poor, 0, causes, 1000000+i, 200000, 0, "bench")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO reg_households (county, code, village, head, card_holder, card_bank, card_enc, card_hash, card_mask, members_alive, created_at, updated_at, updated_by) VALUES `+strings.Join(hv, ","), ha...); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO reg_years (county, year, household, village, members_alive, status, stable, causes_enc, income, expenses, updated_at, updated_by) VALUES `+strings.Join(yv, ","), ya...)
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := db.Optimize(ctx); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkScreen walks a county of ONEPOOL_BENCH_HOUSEHOLDS households
// (default 100,000) on SQLite.
func BenchmarkScreen(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("ONEPOOL_BENCH_HOUSEHOLDS")); err == nil && v > 0 {
		n = v
	}
	k := testKeys(b, 7)
	var db *store.DB
	if path := os.Getenv("ONEPOOL_BENCH_DB"); path != "" {
		// Keep the filled database between runs.
		_, statErr := os.Stat(path)
		var err error
		if db, err = store.Open(ctx, "sqlite:"+path); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		if statErr != nil {
			fill(b, db, k, n)
		}
	} else {
		db = storetest.MustOpen(b, store.SQLite)
		start := time.Now()
		fill(b, db, k, n)
		b.Logf("filled %d households in %v", n, time.Since(start))
	}
	s := registry.New(db, k, nil)
	b.ResetTimer()
	for range b.N {
		seen := 0
		if err := s.Screen(ctx, county, 2025, func(registry.Screened) error { seen++; return nil }); err != nil || seen != n {
			b.Fatalf("screen: %d %v", seen, err)
		}
	}
}
