// Package storetest opens fresh, migrated databases for tests: SQLite always,
// and PostgreSQL whenever server binaries are installed (a throwaway cluster
// started once per test binary) or ONEPOOL_TEST_POSTGRES points at a server.
// With ONEPOOL_REQUIRE_POSTGRES=1 (set by CI) a missing PostgreSQL fails the
// tests instead of skipping them.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"onepool/internal/store"
	"onepool/internal/store/pgcluster"
)

var (
	pgOnce    sync.Once
	pgCluster *pgcluster.Cluster
	pgAdmin   string
	pgErr     error
	dbSeq     atomic.Int64
)

// Main runs the package's tests and stops the throwaway cluster afterwards.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	fixtures.Lock()
	for _, db := range fixtures.dbs {
		db.Close()
	}
	for _, dir := range fixtures.dirs {
		os.RemoveAll(dir)
	}
	fixtures.Unlock()
	if pgCluster != nil {
		pgCluster.Stop()
	}
	os.Exit(code)
}

func postgresAdmin() (string, error) {
	pgOnce.Do(func() {
		if u := os.Getenv("ONEPOOL_TEST_POSTGRES"); u != "" {
			pgAdmin = u
			return
		}
		if pgcluster.FindBin() == "" {
			pgErr = fmt.Errorf("PostgreSQL server binaries not installed")
			return
		}
		pgCluster, pgErr = pgcluster.Start(context.Background(), pgcluster.Options{})
		if pgErr == nil {
			pgAdmin = pgCluster.URL("postgres")
		}
	})
	return pgAdmin, pgErr
}

// Dialects lists the engines the tests run on here.
func Dialects() []store.Dialect { return []store.Dialect{store.SQLite, store.Postgres} }

// Source returns a fresh database source of the dialect: a new SQLite file in
// a test temp dir, or a new PostgreSQL database. It skips (or, when
// ONEPOOL_REQUIRE_POSTGRES=1, fails) when PostgreSQL is unavailable.
func Source(tb testing.TB, d store.Dialect) string {
	tb.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(tb.TempDir(), "onepool.db")
	}
	admin, err := postgresAdmin()
	if err != nil {
		if os.Getenv("ONEPOOL_REQUIRE_POSTGRES") == "1" {
			tb.Fatalf("PostgreSQL required (ONEPOOL_REQUIRE_POSTGRES=1) but unavailable: %v", err)
		}
		tb.Skipf("PostgreSQL unavailable: %v", err)
	}
	name := fmt.Sprintf("onepool_t%d_%d", os.Getpid(), dbSeq.Add(1))
	u, err := pgcluster.CreateDatabase(context.Background(), admin, name)
	if err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	return u
}

// fixtures are the databases Fixture built, by name and dialect: they
// live until the test binary ends.
var fixtures struct {
	sync.Mutex
	built map[string]*store.DB
	dbs   []*store.DB
	dirs  []string
}

// Fixture fills db (fresh and migrated) with the rows of a fixture:
// build runs once per test binary, name and dialect, into a database of
// its own, and every call copies that database's rows into db
// (store.CopyFrom) — a fixture costs its building once, not once a test.
// build must be deterministic enough that a copy serves every caller, and
// idempotent: into a database that already holds rows it runs itself.
func Fixture(tb testing.TB, db *store.DB, name string, build func(ctx context.Context, db *store.DB) error) {
	tb.Helper()
	ctx := context.Background()
	key := name + "/" + db.Dialect.String()
	if empty, err := db.IsEmpty(ctx); err != nil {
		tb.Fatal(err)
	} else if !empty {
		// Built before in this database: build again (a fixture's build
		// is idempotent, as the demo is).
		if err := build(ctx, db); err != nil {
			tb.Fatalf("build fixture %s: %v", key, err)
		}
		return
	}
	fixtures.Lock()
	defer fixtures.Unlock()
	src := fixtures.built[key]
	if src == nil {
		var source string
		if db.Dialect == store.SQLite {
			dir, err := os.MkdirTemp("", "onepool-fixture-")
			if err != nil {
				tb.Fatal(err)
			}
			fixtures.dirs = append(fixtures.dirs, dir)
			source = "sqlite:" + filepath.Join(dir, "fixture.db")
		} else {
			source = Source(tb, db.Dialect)
		}
		fdb, err := store.Open(ctx, source)
		if err != nil {
			tb.Fatalf("open fixture %s: %v", key, err)
		}
		fixtures.dbs = append(fixtures.dbs, fdb)
		if _, err := fdb.Migrate(ctx); err != nil {
			tb.Fatalf("migrate fixture %s: %v", key, err)
		}
		if err := build(ctx, fdb); err != nil {
			tb.Fatalf("build fixture %s: %v", key, err)
		}
		if fixtures.built == nil {
			fixtures.built = map[string]*store.DB{}
		}
		fixtures.built[key] = fdb
		src = fdb
	}
	if err := db.CopyFrom(ctx, src); err != nil {
		tb.Fatalf("copy fixture %s: %v", key, err)
	}
}

// MustOpen opens and migrates a fresh database of the dialect, closed when
// the test ends.
func MustOpen(tb testing.TB, d store.Dialect) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), Source(tb, d))
	if err != nil {
		tb.Fatalf("open %s: %v", d, err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// PlanRows is how many rows a plan test loads: n on PostgreSQL, where a
// small table is rightly scanned, a tenth of it on SQLite, whose planner
// without statistics does not look at the table's size (and whose engine,
// pure Go, runs ten times slower under the race detector).
func PlanRows(db *store.DB, n int) int {
	if db.Dialect == store.SQLite {
		return n / 10
	}
	return n
}

// Each runs fn as a subtest on every dialect, with a fresh database each.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d.String(), func(t *testing.T) {
			fn(t, MustOpen(t, d))
		})
	}
}

// Plan returns the query plan of q (with '?' placeholders) on db: on
// SQLite the details of EXPLAIN QUERY PLAN, one per line; on PostgreSQL
// the text of EXPLAIN. Plan tests check that hot look-ups use their index.
func Plan(tb testing.TB, db *store.DB, q string, args ...any) string {
	tb.Helper()
	ctx := context.Background()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect == store.Postgres {
		prefix = "EXPLAIN "
	}
	rows, err := db.QueryContext(ctx, prefix+q, args...)
	if err != nil {
		tb.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		line := vals[len(vals)-1] // SQLite: id, parent, notused, detail; PostgreSQL: QUERY PLAN
		if b, ok := line.([]byte); ok {
			line = string(b)
		}
		out = append(out, fmt.Sprint(line))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return strings.Join(out, "\n")
}

// Fill inserts n rows into table with INSERT INTO table (cols) SELECT
// exprs FROM a recursive series g(n) = 1..n (both engines accept it): exprs
// may use n, for example "'990101', n, 'k' || CAST(n AS TEXT)".
func Fill(tb testing.TB, db *store.DB, table, cols, exprs string, n int) {
	tb.Helper()
	q := fmt.Sprintf(`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %d) INSERT INTO %s (%s) SELECT %s FROM g`, n, table, cols, exprs)
	if _, err := db.ExecRaw(context.Background(), q); err != nil {
		tb.Fatalf("fill %s: %v", table, err)
	}
}
