package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"onepool/internal/errs"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestSQLiteFileModes: the database and its -wal and -shm files are
// readable by their owner only, like the key, whatever the umask.
func TestSQLiteFileModes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "county.db")
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if m := st.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f), m)
		}
	}
}

// TestStorageFullIsMapped: a write that finds the storage full is refused
// as storage_full (kind StorageFull) on SQLite (SQLITE_FULL, simulated with
// max_page_count) and on PostgreSQL (SQLSTATE 53100); StorageFull reports
// it until the next write commits.
func TestStorageFullIsMapped(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpen(t, store.SQLite)
	var pages int64
	if err := db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecRaw(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_heads (county, last_id, last_hash) VALUES (?, 0, ?)`, "990101", make([]byte, 1<<20))
		if err != nil {
			return errs.Wrap(err, "insert") // services wrap: the kind survives
		}
		return nil
	})
	if errs.KindOf(err) != errs.StorageFull || errs.CodeOf(err) != "storage_full" || !strings.Contains(err.Error(), "storage is full") {
		t.Fatalf("write on a full SQLite database: %v (kind %v), want storage_full", err, errs.KindOf(err))
	}
	if !db.StorageFull() {
		t.Fatal("StorageFull is false after a storage_full write")
	}
	if _, err := db.ExecRaw(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_heads (county, last_id, last_hash) VALUES (?, 0, ?)`, "990101", []byte{1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if db.StorageFull() {
		t.Fatal("StorageFull is still true after a write committed")
	}

	// PostgreSQL: the server says 53100 (disk_full) when it cannot extend a
	// file; a real full disk cannot be made here, so the driver's error is.
	for _, e := range []error{&pgconn.PgError{Code: "53100", Message: "could not extend file"}, fmt.Errorf("insert: %w", &pgconn.PgError{Code: "53100"})} {
		if got := db.MapError(e); errs.KindOf(got) != errs.StorageFull || errs.CodeOf(got) != "storage_full" {
			t.Errorf("MapError(%v) = %v, want storage_full", e, got)
		}
	}
	if got := db.MapError(&pgconn.PgError{Code: "23502"}); errs.KindOf(got) == errs.StorageFull {
		t.Errorf("a not-null violation mapped to storage_full")
	}
}
