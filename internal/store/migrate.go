package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"onepool/internal/errs"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one step of the schema.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// dialectTokens is the whole, reviewed set of differences between the SQL
// the two engines accept, applied to every migration. Files named
// NNNN_name.sqlite.sql / NNNN_name.postgres.sql hold the rare statements that
// cannot be written once (triggers).
var dialectTokens = map[Dialect]map[string]string{
	SQLite:   {"{{WITHOUT_ROWID}}": "WITHOUT ROWID", "{{BLOB}}": "BLOB"},
	Postgres: {"{{WITHOUT_ROWID}}": "", "{{BLOB}}": "BYTEA"},
}

// Migrations returns the ordered migrations for the dialect.
func Migrations(d Dialect) ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]Migration{}
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".sql")
		switch {
		case strings.HasSuffix(base, ".sqlite"):
			if d != SQLite {
				continue
			}
			base = strings.TrimSuffix(base, ".sqlite")
		case strings.HasSuffix(base, ".postgres"):
			if d != Postgres {
				continue
			}
			base = strings.TrimSuffix(base, ".postgres")
		}
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		if _, dup := byVersion[v]; dup {
			return nil, fmt.Errorf("migration %s: version %d twice", name, v)
		}
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		text := string(body)
		for tok, rep := range dialectTokens[d] {
			text = strings.ReplaceAll(text, tok, rep)
		}
		byVersion[v] = Migration{Version: v, Name: base, SQL: text}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	// Versions are handed out ahead to work done in parallel, so a tree may
	// hold a gap until the versions between are merged: each version is
	// applied once, in order, whatever comes before it.
	for i, m := range out {
		if m.Version < i+1 {
			return nil, fmt.Errorf("migration versions must increase; found %d at position %d", m.Version, i+1)
		}
	}
	return out, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction, and returns how many it applied. Concurrent migrators are
// serialized (SQLite: one writer; PostgreSQL: an advisory lock).
func (db *DB) Migrate(ctx context.Context) (int, error) {
	return db.MigrateTo(ctx, 1<<30)
}

// MigrateTo is Migrate up to and including version upTo (a restore brings
// a logical export back at its own schema version, then migrates on).
func (db *DB) MigrateTo(ctx context.Context, upTo int) (int, error) {
	ms, err := Migrations(db.Dialect)
	if err != nil {
		return 0, errs.Wrap(err, "load migrations")
	}
	for i, m := range ms {
		if m.Version > upTo {
			ms = ms[:i]
			break
		}
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return 0, errs.Wrap(db.MapError(err), "create schema_migrations")
	}
	applied := 0
	for _, m := range ms {
		n, err := db.applyOne(ctx, m)
		if err != nil {
			return applied, err
		}
		applied += n
	}
	return applied, nil
}

func (db *DB) applyOne(ctx context.Context, m Migration) (int, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, errs.Wrap(db.MapError(err), "begin migration")
	}
	defer tx.Rollback()
	if db.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7160525)`); err != nil {
			return 0, errs.Wrap(err, "lock migrations")
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.Rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&n); err != nil {
		return 0, errs.Wrap(err, "read schema_migrations")
	}
	if n > 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return 0, errs.Wrap(err, "apply migration %04d_%s", m.Version, m.Name)
	}
	if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, CURRENT_TIMESTAMP)`), m.Version, m.Name); err != nil {
		return 0, errs.Wrap(err, "record migration %d", m.Version)
	}
	if err := tx.Commit(); err != nil {
		return 0, errs.Wrap(db.MapError(err), "commit migration %d", m.Version)
	}
	return 1, nil
}
