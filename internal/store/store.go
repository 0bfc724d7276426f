// Package store opens onepool's database — SQLite (the embedded default,
// through the pure-Go modernc.org/sqlite) or PostgreSQL (through pgx) — applies
// the one ordered set of embedded migrations, and runs use cases in
// transactions.
//
// SQL is written once with '?' placeholders; the store rebinds them to $n for
// PostgreSQL. Driver errors are mapped here, by code, to neutral error kinds
// (unique violation → errs.Conflict, busy or serialization failure →
// errs.Unavailable), so nothing above this package sees a driver type.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"onepool/internal/errs"
)

// Dialect names the SQL engine behind a DB.
type Dialect int

// The two supported engines.
const (
	SQLite Dialect = iota
	Postgres
)

// String returns "sqlite" or "postgres".
func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// DB is an open database. For SQLite, writes go through a single connection
// that begins transactions with BEGIN IMMEDIATE (one writer at a time, no
// SQLITE_BUSY between our own goroutines) and reads through a pool; for
// PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	// Source is the data source as given (sqlite:PATH or postgres://…), with
	// any password removed.
	Source string
	// Path is the SQLite file path; empty for PostgreSQL.
	Path string

	w *sql.DB
	r *sql.DB

	// storageFull is set when a write failed for want of space and
	// cleared by the next write that commits (see StorageFull).
	storageFull atomic.Bool
}

// Open opens the database named by source: "sqlite:PATH", a bare PATH, or a
// postgres:// (postgresql://) URL. It does not migrate; call Migrate.
func Open(ctx context.Context, source string) (*DB, error) {
	switch {
	case strings.HasPrefix(source, "postgres://"), strings.HasPrefix(source, "postgresql://"):
		return openPostgres(ctx, source)
	case strings.HasPrefix(source, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(source, "sqlite:"))
	case source == "":
		return nil, errs.F(errs.Invalid, "invalid_db", "db", "no database given")
	default:
		if strings.Contains(source, "://") {
			return nil, errs.F(errs.Invalid, "invalid_db", "db", "unsupported database %q: use sqlite:PATH, a file path or postgres://", source)
		}
		return openSQLite(ctx, source)
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errs.F(errs.Invalid, "invalid_db", "db", "empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, errs.Wrap(err, "create database directory")
		}
	}
	// The database holds personal data: create it readable by its owner
	// only, like its key. SQLite creates the -wal and -shm files with the
	// mode of the database file.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, errs.Wrap(err, "create database %s", path)
	}
	// WAL lets readers run beside the one writer; synchronous=FULL makes every
	// acknowledged commit survive a power cut, which a ledger needs.
	common := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)"
	u := "file:" + (&url.URL{Path: path}).EscapedPath()
	w, err := sql.Open("sqlite", u+"?"+common+"&_txlock=immediate")
	if err != nil {
		return nil, errs.Wrap(err, "open sqlite")
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, errs.Wrap(err, "open sqlite %s", path)
	}
	r, err := sql.Open("sqlite", u+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, errs.Wrap(err, "open sqlite")
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{Dialect: SQLite, Source: "sqlite:" + path, Path: path, w: w, r: r}, nil
}

func openPostgres(ctx context.Context, source string) (*DB, error) {
	db, err := sql.Open("pgx", source)
	if err != nil {
		return nil, errs.Wrap(err, "open postgres")
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, errs.Wrap(err, "connect to postgres")
	}
	clean := source
	if u, err := url.Parse(source); err == nil {
		if u.User != nil {
			u.User = url.User(u.User.Username())
		}
		clean = u.String()
	}
	return &DB{Dialect: Postgres, Source: clean, w: db, r: db}, nil
}

// Close closes the database.
func (db *DB) Close() error {
	err := db.w.Close()
	if db.r != db.w {
		if e := db.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Querier runs read queries with '?' placeholders. Both *Tx and DB (for
// reads outside a transaction) implement it.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// QueryContext runs a read query on the reader pool.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := db.r.QueryContext(ctx, db.Rebind(query), args...)
	return rows, db.MapError(err)
}

// QueryRowContext runs a single-row read query on the reader pool.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return db.r.QueryRowContext(ctx, db.Rebind(query), args...)
}

// Snapshot runs fn with a read-only transaction on one connection, so that
// every query fn makes sees the same committed state however much is
// written meanwhile: on SQLite a read transaction on one reader connection
// of the WAL (its snapshot is taken by the first read and held to the end);
// on PostgreSQL BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY. Writers
// are not blocked. Verify and backups read through it.
func (db *DB) Snapshot(ctx context.Context, fn func(q Querier) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	sqlTx, err := db.r.BeginTx(ctx, opts)
	if err != nil && db.Dialect == SQLite {
		// The driver may not take options; the reader is query_only anyway.
		sqlTx, err = db.r.BeginTx(ctx, nil)
	}
	if err != nil {
		return db.MapError(err)
	}
	defer sqlTx.Rollback()
	if db.Dialect == SQLite {
		// Take the snapshot now, not at fn's first query.
		var n int
		if err := sqlTx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			return db.MapError(err)
		}
	}
	return fn(&readTx{tx: sqlTx, db: db})
}

// ReadFresh runs fn with a read-only transaction on one reader
// connection whose statements PostgreSQL plans afresh each time
// (plan_cache_mode = force_custom_plan, as Tx.FreshPlans for writes):
// for a read whose best plan depends on its arguments — a substring
// search, where a generic plan made after five runs walks an index in
// order and visits the table row by row instead of scanning it once.
// On SQLite it is a plain read transaction.
func (db *DB) ReadFresh(ctx context.Context, fn func(q Querier) error) error {
	sqlTx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.Dialect == Postgres})
	if err != nil {
		return db.MapError(err)
	}
	defer sqlTx.Rollback()
	if db.Dialect == Postgres {
		if _, err := sqlTx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
			return db.MapError(err)
		}
	}
	return fn(&readTx{tx: sqlTx, db: db})
}

// readTx is a Snapshot's transaction.
type readTx struct {
	tx *sql.Tx
	db *DB
}

func (r *readTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := r.tx.QueryContext(ctx, r.db.Rebind(query), args...)
	return rows, r.db.MapError(err)
}

func (r *readTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return r.tx.QueryRowContext(ctx, r.db.Rebind(query), args...)
}

// StorageFull reports whether the last write that finished failed because
// the storage is full (errs.StorageFull): set by that failure, cleared by
// the next write that commits. /healthz reports not ready meanwhile.
func (db *DB) StorageFull() bool { return db.storageFull.Load() }

// Optimize refreshes the query planner's statistics where they are stale.
// On SQLite that is PRAGMA optimize (without statistics SQLite guesses that
// "county = ?" selects ten rows and scans whole counties instead of using
// secondary indexes); PostgreSQL's autovacuum analyzes by itself.
func (db *DB) Optimize(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	_, err := db.w.ExecContext(ctx, `PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002`)
	return db.MapError(err)
}

// ExecRaw runs a statement outside any transaction on the writer. It exists
// for tests and tools (for example, to simulate tampering); use cases use Write.
func (db *DB) ExecRaw(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := db.w.ExecContext(ctx, db.Rebind(query), args...)
	return res, db.MapError(err)
}

// Tx is a write transaction.
type Tx struct {
	tx *sql.Tx
	db *DB
	// Now is the one timestamp of this transaction.
	Now   time.Time
	after []func()
}

// Dialect returns the engine of the transaction.
func (tx *Tx) Dialect() Dialect { return tx.db.Dialect }

// ExecContext runs a statement.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := tx.tx.ExecContext(ctx, tx.db.Rebind(query), args...)
	return res, tx.db.MapError(err)
}

// QueryContext runs a query inside the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := tx.tx.QueryContext(ctx, tx.db.Rebind(query), args...)
	return rows, tx.db.MapError(err)
}

// QueryRowContext runs a single-row query inside the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.db.Rebind(query), args...)
}

// PrepareWriter prepares a statement once on the writer connection(s), to
// be run in write transactions with ExecStmt (SQLite parses nothing again).
// Call it outside any transaction: the SQLite writer has one connection.
func (db *DB) PrepareWriter(ctx context.Context, query string) (*sql.Stmt, error) {
	st, err := db.w.PrepareContext(ctx, db.Rebind(query))
	return st, db.MapError(err)
}

// ExecStmt runs a statement from PrepareWriter inside the transaction.
func (tx *Tx) ExecStmt(ctx context.Context, st *sql.Stmt, args ...any) (sql.Result, error) {
	res, err := tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	return res, tx.db.MapError(err)
}

// AfterCommit registers fn to run once the transaction has committed.
func (tx *Tx) AfterCommit(fn func()) { tx.after = append(tx.after, fn) }

// Write runs fn in a write transaction stamped with now, committing when fn
// returns nil and rolling back otherwise. A retryable failure (busy,
// serialization, deadlock) is retried a few times with backoff.
func (db *DB) Write(ctx context.Context, now time.Time, fn func(tx *Tx) error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = db.writeOnce(ctx, now, fn)
		switch k := errs.KindOf(err); {
		case err == nil:
			db.storageFull.Store(false)
		case k == errs.StorageFull:
			db.storageFull.Store(true)
		}
		if errs.KindOf(err) != errs.Unavailable || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(5<<attempt) * time.Millisecond)
	}
	return err
}

func (db *DB) writeOnce(ctx context.Context, now time.Time, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.MapError(err)
	}
	tx := &Tx{tx: sqlTx, db: db, Now: now.UTC()}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return db.MapError(err)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// Rebind turns '?' placeholders into $1, $2 … for PostgreSQL. Question marks
// inside single-quoted literals are left alone.
func (db *DB) Rebind(q string) string {
	if db.Dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, inStr := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func itoa(n int) string { return fmt.Sprintf("%d", n) }

// MapError maps driver errors to neutral kinds: unique violations become
// errs.Conflict with code "unique_violation"; busy, locked, serialization
// failures and deadlocks become errs.Unavailable; a full disk (SQLITE_FULL,
// PostgreSQL 53100 disk_full) becomes errs.StorageFull with code
// "storage_full"; sql.ErrNoRows becomes errs.NotFound. Other errors are
// returned unchanged.
func (db *DB) MapError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &errs.Error{Kind: errs.NotFound, Code: "not_found", Message: "not found", Err: err}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &errs.Error{Kind: errs.Conflict, Code: "unique_violation", Message: "already exists", Err: err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_BUSY_SNAPSHOT:
			return &errs.Error{Kind: errs.Unavailable, Code: "busy", Message: "database busy, try again", Err: err}
		}
		if se.Code()&0xff == sqlite3.SQLITE_FULL {
			return errStorageFull(err)
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &errs.Error{Kind: errs.Conflict, Code: "unique_violation", Message: "already exists", Err: err}
		case "40001", "40P01", "55P03":
			return &errs.Error{Kind: errs.Unavailable, Code: "busy", Message: "database busy, try again", Err: err}
		case "53100":
			return errStorageFull(err)
		}
	}
	return err
}

func errStorageFull(cause error) error {
	return &errs.Error{Kind: errs.StorageFull, Code: "storage_full",
		Message: "the database storage is full: nothing was saved; free disk space (or ask the administrator) and try again", Err: cause}
}
