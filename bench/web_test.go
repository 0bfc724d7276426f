package bench

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/web"
)

// BenchmarkWebPages renders the pages of `onepool bench web` on a small
// enlarged demo county (2,000 households, 20,000 transfers, built once in
// a temp dir), one sub-benchmark per page. ONEPOOL_BENCH_WEB_DB names an
// existing full-size county instead (see `onepool bench web --db`).
func BenchmarkWebPages(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a county; skipped with -short")
	}
	households, transfers := 2000, 20000
	src := "sqlite:" + filepath.Join(b.TempDir(), "web.db")
	if env := os.Getenv("ONEPOOL_BENCH_WEB_DB"); env != "" {
		// An enlarged county built by `onepool bench web --db …` (default
		// sizes), e.g. to take a CPU profile of the pages at full size.
		households, transfers, src = 200_000, 1_000_000, env
	}
	ctx := context.Background()
	db, err := store.Open(ctx, src)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	l := ledger.New(db, clock.System)
	// Cheap password hashing: sign-in speed is not measured here.
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
	if big, err := isBig(ctx, db, a, households, transfers); err != nil {
		b.Fatal(err)
	} else if !big {
		if err := BigCounty(ctx, db, l, a, households, transfers, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	if err := EnsureRegistry(ctx, db, a, BenchKeys(), households, io.Discard); err != nil {
		b.Fatal(err)
	}
	villages, err := villageCodes(ctx, a)
	if err != nil {
		b.Fatal(err)
	}
	var h http.Handler = app.Server(web.Deps{DB: db, Ledger: l, Auth: a, Keys: BenchKeys()})
	tokens := map[string]string{}
	for _, p := range WebPages(households, villages) {
		if tokens[p.User] != "" {
			continue
		}
		tok, _, err := a.Login(ctx, p.User, demo.Password(p.User), "127.0.0.1")
		if err != nil {
			b.Fatal(err)
		}
		tokens[p.User] = tok
	}
	b.ResetTimer()
	for _, p := range WebPages(households, villages) {
		b.Run(p.Name+" "+p.User, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := getPage(ctx, h, p.Path, tokens[p.User]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBigCountyIdempotent builds a tiny enlarged county twice: the second
// run writes no transfer and no account.
func TestBigCountyIdempotent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a county; skipped with -short")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db, clock.System)
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
	count := func() (accounts, transfers int64) {
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_accounts WHERE county = ?`, demo.County).Scan(&accounts); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_transfers WHERE county = ?`, demo.County).Scan(&transfers); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := BigCounty(ctx, db, l, a, 300, 2000, io.Discard); err != nil {
		t.Fatal(err)
	}
	a1, t1 := count()
	if err := BigCounty(ctx, db, l, a, 300, 2000, io.Discard); err != nil {
		t.Fatal(err)
	}
	a2, t2 := count()
	if a1 != a2 || t1 != t2 {
		t.Fatalf("second run wrote: accounts %d → %d, transfers %d → %d", a1, a2, t1, t2)
	}
	big, err := isBig(ctx, db, a, 300, 2000)
	if err != nil || !big {
		t.Fatalf("isBig = %v, %v; want true", big, err)
	}
	rep, err := ledger.Verify(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("verify: %v", rep.Problems)
	}
}
