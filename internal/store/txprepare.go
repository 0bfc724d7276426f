package store

import (
	"context"
	"database/sql"
)

// PrepareContext prepares a statement on the transaction's connection,
// to be run many times inside it (a bulk write of many chunks: SQLite
// then parses the statement once, not once per chunk). Close it before
// the transaction ends.
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	st, err := tx.tx.PrepareContext(ctx, tx.db.Rebind(query))
	return st, tx.db.MapError(err)
}

// ExecPrepared runs a statement from tx.PrepareContext (not ExecStmt's:
// database/sql would prepare a transaction's own statement again).
func (tx *Tx) ExecPrepared(ctx context.Context, st *sql.Stmt, args ...any) (sql.Result, error) {
	res, err := st.ExecContext(ctx, args...)
	return res, tx.db.MapError(err)
}
