package store

import (
	"context"
	"fmt"
	"time"

	"onepool/internal/errs"
)

// CopyFrom fills db, a freshly migrated database, with every row of src,
// a database of the same dialect at the same schema version: tests build
// a fixture once (the demo counties) and copy it into each test's fresh
// database instead of building it again. The rows of db's tables, if
// any (a migration's seed rows), are replaced. One write transaction.
func (db *DB) CopyFrom(ctx context.Context, src *DB) error {
	if src.Dialect != db.Dialect {
		return fmt.Errorf("store: copy from %s into %s", src.Dialect, db.Dialect)
	}
	var sv, dv int
	if err := src.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&sv); err != nil {
		return errs.Wrap(err, "copy: source schema")
	}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&dv); err != nil {
		return errs.Wrap(err, "copy: target schema")
	}
	if sv != dv {
		return fmt.Errorf("store: copy from schema %d into schema %d", sv, dv)
	}
	tables, err := src.tables(ctx, src.r)
	if err != nil {
		return err
	}
	return db.Write(ctx, time.Now(), func(tx *Tx) error {
		for _, t := range tables {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteIdent(t)).Scan(&n); err != nil {
				return errs.Wrap(err, "copy: count %s", t)
			}
			if n > 0 {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t)); err != nil {
					return errs.Wrap(err, "copy: empty %s", t)
				}
			}
			if err := copyTable(ctx, src, tx, t); err != nil {
				return err
			}
		}
		return nil
	})
}

func copyTable(ctx context.Context, src *DB, tx *Tx, table string) error {
	rows, err := src.r.QueryContext(ctx, `SELECT * FROM `+quoteIdent(table))
	if err != nil {
		return errs.Wrap(err, "copy: read %s", table)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	b := &insertBatch{table: logicalTable{Table: table, Columns: cols}}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		b.add(vals)
		if len(b.rows) >= b.max() {
			if err := b.flush(ctx, tx); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return b.flush(ctx, tx)
}
