package store

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"onepool/internal/errs"
)

// Backup formats.
const (
	FormatSQLite  = "sqlite"  // a SQLite database file (VACUUM INTO)
	FormatPgDump  = "pg_dump" // pg_dump's custom format
	FormatLogical = "logical" // onepool's own export: gzip'd JSON lines, every table's rows
)

// logicalMagic begins the first line of a logical export.
const logicalMagic = "onepool-backup"

// BackupResult says what Backup wrote.
type BackupResult struct {
	Format string
	Bytes  int64
	Rows   int64 // logical exports only
}

// Backup writes a consistent copy of the database at source to the file
// out, while other processes go on writing:
//
//   - SQLite: VACUUM INTO, which reads one snapshot of the WAL database
//     and writes a compact, self-contained database file;
//   - PostgreSQL: pg_dump --format=custom (one REPEATABLE READ snapshot)
//     when pg_dump is on the PATH, else a logical export of every table
//     read in one Snapshot. format "logical" asks for the export anyway.
//
// The file is created with mode 0600 (it holds personal data, though not
// the data key) and appears under its name only once complete. An
// existing out is refused.
func Backup(ctx context.Context, source, out, format string) (BackupResult, error) {
	var res BackupResult
	if out == "" {
		return res, errs.F(errs.Invalid, "invalid_out", "out", "no backup file given (--out)")
	}
	if _, err := os.Stat(out); err == nil {
		return res, errs.F(errs.Conflict, "backup_exists", "out", "%s already exists: choose a new file name", out)
	}
	db, err := Open(ctx, source)
	if err != nil {
		return res, err
	}
	defer db.Close()
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		return res, errs.Wrap(err, "backup: create directory")
	}
	tmp := out + ".part"
	os.Remove(tmp)
	defer os.Remove(tmp)
	switch {
	case db.Dialect == SQLite:
		if format != "" && format != FormatSQLite {
			return res, errs.F(errs.Invalid, "invalid_format", "format", "a SQLite database is backed up as a SQLite file")
		}
		res.Format = FormatSQLite
		// VACUUM INTO wants a new or empty file: an empty one made 0600 keeps
		// the copy private from its first byte.
		if err := createPrivate(tmp); err != nil {
			return res, err
		}
		if _, err := db.w.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
			return res, errs.Wrap(db.MapError(err), "backup: VACUUM INTO %s", tmp)
		}
	case format == FormatLogical || (format == "" && !havePgDump()):
		res.Format = FormatLogical
		n, err := db.exportLogical(ctx, tmp)
		if err != nil {
			return res, err
		}
		res.Rows = n
	case format == "" || format == FormatPgDump:
		res.Format = FormatPgDump
		if err := createPrivate(tmp); err != nil {
			return res, err
		}
		cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file="+tmp, "--dbname="+source)
		if outb, err := cmd.CombinedOutput(); err != nil {
			return res, errs.Wrap(fmt.Errorf("%v: %s", err, bytes.TrimSpace(outb)), "backup: pg_dump failed")
		}
	default:
		return res, errs.F(errs.Invalid, "invalid_format", "format", "unknown backup format %q: use pg_dump or logical", format)
	}
	if err := syncFile(tmp); err != nil {
		return res, err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return res, errs.Wrap(err, "backup: chmod")
	}
	if err := os.Rename(tmp, out); err != nil {
		return res, errs.Wrap(err, "backup: rename")
	}
	if st, err := os.Stat(out); err == nil {
		res.Bytes = st.Size()
	}
	return res, nil
}

func havePgDump() bool {
	_, err := exec.LookPath("pg_dump")
	return err == nil
}

func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return errs.Wrap(err, "backup: create %s", path)
	}
	return f.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return errs.Wrap(err, "backup: open %s", path)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errs.Wrap(err, "backup: sync %s", path)
	}
	return nil
}

// DetectFormat tells a backup file's format by its first bytes.
func DetectFormat(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", errs.F(errs.Invalid, "invalid_backup", "in", "cannot read the backup: %v", err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return FormatSQLite, nil
	case bytes.HasPrefix(head, []byte("PGDMP")):
		return FormatPgDump, nil
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return FormatLogical, nil
	}
	return "", errs.F(errs.Invalid, "invalid_backup", "in", "%s is not an onepool backup (SQLite file, pg_dump custom format or logical export)", path)
}

// IsEmpty reports whether the database holds no data: no row in any table
// but the migrations' bookkeeping.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	tables, err := db.tables(ctx, db.r)
	if err != nil {
		return false, err
	}
	for _, t := range tables {
		var one int
		err := db.r.QueryRowContext(ctx, `SELECT 1 FROM `+quoteIdent(t)+` LIMIT 1`).Scan(&one)
		if err == nil {
			return false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return false, errs.Wrap(db.MapError(err), "read %s", t)
		}
	}
	return true, nil
}

// tables lists the base tables of the database except schema_migrations,
// sorted.
func (db *DB) tables(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Dialect == Postgres {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, errs.Wrap(db.MapError(err), "list tables")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		if t != "schema_migrations" {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out, rows.Err()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// logicalHeader is the first line of a logical export; each table then
// has a logicalTable line followed by one JSON array per row, and the
// export ends with a logicalEnd line (a truncated file is refused).
type logicalHeader struct {
	Magic   string `json:"magic"`
	Version int    `json:"version"`
	Schema  int    `json:"schema"` // the last migration applied
	Dialect string `json:"dialect"`
	At      string `json:"at"`
}

type logicalTable struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
	Types   []string `json:"types"` // "i" integer, "s" text, "b" bytes
}

type logicalEnd struct {
	End  bool  `json:"end"`
	Rows int64 `json:"rows"`
}

// exportLogical writes every table's rows, read in one snapshot.
func (db *DB) exportLogical(ctx context.Context, path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, errs.Wrap(err, "backup: create %s", path)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := gzip.NewWriter(bw)
	enc := json.NewEncoder(zw)
	var total int64
	err = db.Snapshot(ctx, func(q Querier) error {
		var schema int
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&schema); err != nil {
			return errs.Wrap(err, "backup: schema version")
		}
		if err := enc.Encode(logicalHeader{Magic: logicalMagic, Version: 1, Schema: schema, Dialect: db.Dialect.String(), At: time.Now().UTC().Format(time.RFC3339)}); err != nil {
			return err
		}
		tables, err := db.tables(ctx, q)
		if err != nil {
			return err
		}
		for _, t := range tables {
			n, err := exportTable(ctx, q, enc, t)
			if err != nil {
				return errs.Wrap(err, "backup: table %s", t)
			}
			total += n
		}
		return enc.Encode(logicalEnd{End: true, Rows: total})
	})
	if err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, errs.Wrap(err, "backup: compress")
	}
	if err := bw.Flush(); err != nil {
		return 0, errs.Wrap(err, "backup: write")
	}
	return total, nil
}

func exportTable(ctx context.Context, q Querier, enc *json.Encoder, table string) (int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT * FROM `+quoteIdent(table))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	types := make([]string, len(cols))
	for i, ct := range cts {
		switch tn := strings.ToUpper(ct.DatabaseTypeName()); {
		case strings.Contains(tn, "INT"):
			types[i] = "i"
		case tn == "BYTEA" || tn == "BLOB":
			types[i] = "b"
		default:
			types[i] = "s"
		}
	}
	if err := enc.Encode(logicalTable{Table: table, Columns: cols, Types: types}); err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	out := make([]any, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				out[i] = nil
			case []byte:
				if types[i] == "b" {
					out[i] = base64.StdEncoding.EncodeToString(x)
				} else {
					out[i] = string(x)
				}
			default:
				out[i] = x
			}
		}
		if err := enc.Encode(out); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// Restore brings the backup file in back into the database at target.
// A target that holds data is refused (restore_target_not_empty) unless
// force is set; then its data is dropped first. Stop every server on the
// target before restoring. After the restore the target is migrated to
// this binary's schema.
//
//   - A SQLite file is restored into a SQLite target: checked
//     (PRAGMA quick_check), copied 0600 beside the target and renamed over
//     it, its stale -wal/-shm removed.
//   - A pg_dump file is restored with pg_restore into a PostgreSQL target.
//   - A logical export is restored into either engine: the target is
//     migrated to the backup's schema version, every row is inserted in one
//     transaction, then the later migrations run.
func Restore(ctx context.Context, target, in string, force bool) error {
	format, err := DetectFormat(in)
	if err != nil {
		return err
	}
	db, err := Open(ctx, target)
	if err != nil {
		return err
	}
	empty, err := db.IsEmpty(ctx)
	if err != nil {
		db.Close()
		return err
	}
	if !empty && !force {
		db.Close()
		return errs.F(errs.Conflict, "restore_target_not_empty", "db", "the database %s already holds data: restore into a new database, or give --force to replace it", db.Source)
	}
	switch format {
	case FormatSQLite:
		path := db.Path
		db.Close()
		if path == "" {
			return errs.F(errs.Invalid, "invalid_backup", "in", "%s is a SQLite backup: restore it into a SQLite database (sqlite:PATH)", in)
		}
		return restoreSQLiteFile(ctx, path, in)
	case FormatPgDump:
		defer db.Close()
		if db.Dialect != Postgres {
			return errs.F(errs.Invalid, "invalid_backup", "in", "%s is a pg_dump backup: restore it into a PostgreSQL database", in)
		}
		if _, err := exec.LookPath("pg_restore"); err != nil {
			return errs.F(errs.Invalid, "pg_restore_missing", "in", "%s was made by pg_dump: pg_restore must be on the PATH to restore it", in)
		}
		if err := db.dropAll(ctx); err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname="+target, in)
		if outb, err := cmd.CombinedOutput(); err != nil {
			return errs.Wrap(fmt.Errorf("%v: %s", err, bytes.TrimSpace(outb)), "restore: pg_restore failed")
		}
		_, err := db.Migrate(ctx)
		return err
	default:
		defer db.Close()
		return db.restoreLogical(ctx, in)
	}
}

func restoreSQLiteFile(ctx context.Context, path, in string) error {
	tmp := path + ".restore"
	os.Remove(tmp)
	defer os.Remove(tmp)
	src, err := os.Open(in)
	if err != nil {
		return errs.Wrap(err, "restore: open %s", in)
	}
	defer src.Close()
	dst, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return errs.Wrap(err, "restore: create %s", tmp)
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errs.Wrap(err, "restore: copy")
	}
	// Check the copy before it replaces anything.
	chk, err := Open(ctx, "sqlite:"+tmp)
	if err != nil {
		return err
	}
	var res string
	err = chk.r.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res)
	var n int
	if err == nil && res == "ok" {
		err = chk.r.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n)
	}
	if err == nil {
		_, err = chk.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	chk.Close()
	if err != nil || res != "ok" || n == 0 {
		return errs.F(errs.Invalid, "invalid_backup", "in", "%s is not a sound onepool database (%s %v)", in, res, err)
	}
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	if err := os.Rename(tmp, path); err != nil {
		return errs.Wrap(err, "restore: rename")
	}
	db, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Migrate(ctx)
	return err
}

// dropAll drops every table and onepool's functions (PostgreSQL), so that
// pg_restore or the migrations start from nothing.
func (db *DB) dropAll(ctx context.Context) error {
	query := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	rows, err := db.r.QueryContext(ctx, query)
	if err != nil {
		return errs.Wrap(db.MapError(err), "restore: list tables")
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, quoteIdent(t))
	}
	rows.Close()
	stmt := `DROP FUNCTION IF EXISTS onepool_immutable() CASCADE`
	if len(tables) > 0 {
		stmt = `DROP TABLE IF EXISTS ` + strings.Join(tables, ", ") + ` CASCADE; ` + stmt
	}
	if _, err := db.w.ExecContext(ctx, stmt); err != nil {
		return errs.Wrap(db.MapError(err), "restore: drop the old data")
	}
	return nil
}

func (db *DB) restoreLogical(ctx context.Context, in string) error {
	f, err := os.Open(in)
	if err != nil {
		return errs.Wrap(err, "restore: open %s", in)
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return errs.F(errs.Invalid, "invalid_backup", "in", "%s is not a logical export: %v", in, err)
	}
	dec := json.NewDecoder(zr)
	dec.UseNumber()
	var h logicalHeader
	if err := dec.Decode(&h); err != nil || h.Magic != logicalMagic || h.Version != 1 {
		return errs.F(errs.Invalid, "invalid_backup", "in", "%s is not an onepool logical export", in)
	}
	ms, err := Migrations(db.Dialect)
	if err != nil {
		return err
	}
	if known := ms[len(ms)-1].Version; h.Schema > known {
		return errs.F(errs.Invalid, "backup_too_new", "in", "the backup has schema %d, this onepool knows %d: restore it with a newer onepool", h.Schema, known)
	}
	if db.Dialect == Postgres {
		if err := db.dropAll(ctx); err != nil {
			return err
		}
		if _, err := db.w.ExecContext(ctx, `DROP TABLE IF EXISTS schema_migrations`); err != nil {
			return errs.Wrap(db.MapError(err), "restore: reset")
		}
	} else if err := db.sqliteDropAll(ctx); err != nil {
		return err
	}
	if _, err := db.MigrateTo(ctx, h.Schema); err != nil {
		return err
	}
	var rows int64
	err = db.Write(ctx, time.Now(), func(tx *Tx) error {
		rows = 0
		var cur logicalTable
		var ins *insertBatch
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return errs.F(errs.Invalid, "invalid_backup", "in", "the export ends early (%v): it is incomplete", err)
			}
			if len(raw) > 0 && raw[0] == '{' {
				if ins != nil {
					if err := ins.flush(ctx, tx); err != nil {
						return err
					}
				}
				var end logicalEnd
				if json.Unmarshal(raw, &end) == nil && end.End {
					if end.Rows != rows {
						return errs.F(errs.Invalid, "invalid_backup", "in", "the export says %d rows, it holds %d", end.Rows, rows)
					}
					return nil
				}
				cur = logicalTable{}
				if err := json.Unmarshal(raw, &cur); err != nil || cur.Table == "" || len(cur.Types) != len(cur.Columns) {
					return errs.F(errs.Invalid, "invalid_backup", "in", "a table line of the export is damaged")
				}
				ins = &insertBatch{table: cur}
				continue
			}
			if ins == nil {
				return errs.F(errs.Invalid, "invalid_backup", "in", "the export has a row before any table")
			}
			var vals []any
			d := json.NewDecoder(bytes.NewReader(raw))
			d.UseNumber()
			if err := d.Decode(&vals); err != nil || len(vals) != len(cur.Columns) {
				return errs.F(errs.Invalid, "invalid_backup", "in", "a row of table %s is damaged", cur.Table)
			}
			for i, v := range vals {
				switch x := v.(type) {
				case json.Number:
					n, err := x.Int64()
					if err != nil {
						return errs.F(errs.Invalid, "invalid_backup", "in", "table %s: %v", cur.Table, err)
					}
					vals[i] = n
				case string:
					if cur.Types[i] == "b" {
						b, err := base64.StdEncoding.DecodeString(x)
						if err != nil {
							return errs.F(errs.Invalid, "invalid_backup", "in", "table %s: %v", cur.Table, err)
						}
						vals[i] = b
					}
				}
			}
			ins.add(vals)
			rows++
			if len(ins.rows) >= ins.max() {
				if err := ins.flush(ctx, tx); err != nil {
					return err
				}
			}
		}
	})
	if err != nil {
		return err
	}
	_, err = db.Migrate(ctx)
	return err
}

// sqliteDropAll empties a SQLite target for a logical restore.
func (db *DB) sqliteDropAll(ctx context.Context) error {
	tables, err := db.tables(ctx, db.r)
	if err != nil {
		return err
	}
	tables = append(tables, "schema_migrations")
	for _, t := range tables {
		if _, err := db.w.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(t)); err != nil {
			return errs.Wrap(db.MapError(err), "restore: drop %s", t)
		}
	}
	return nil
}

// insertBatch gathers rows of one table into multi-row INSERTs.
type insertBatch struct {
	table logicalTable
	rows  [][]any
}

func (b *insertBatch) max() int { return max(1, 900/len(b.table.Columns)) }

func (b *insertBatch) add(vals []any) { b.rows = append(b.rows, vals) }

func (b *insertBatch) flush(ctx context.Context, tx *Tx) error {
	if len(b.rows) == 0 {
		return nil
	}
	cols := make([]string, len(b.table.Columns))
	for i, c := range b.table.Columns {
		cols[i] = quoteIdent(c)
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var sb strings.Builder
	sb.WriteString(`INSERT INTO ` + quoteIdent(b.table.Table) + ` (` + strings.Join(cols, ", ") + `) VALUES `)
	args := make([]any, 0, len(b.rows)*len(cols))
	for i, r := range b.rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(one)
		args = append(args, r...)
	}
	if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
		return errs.Wrap(err, "restore: insert into %s", b.table.Table)
	}
	b.rows = b.rows[:0]
	return nil
}
