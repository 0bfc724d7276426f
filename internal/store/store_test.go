package store_test

import (
	"context"
	"testing"

	"onepool/internal/errs"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestMigrateIsIdempotentAndMapsErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v; want 0, nil", n, err)
		}
		_, err = db.ExecRaw(ctx, `INSERT INTO audit_heads (county, last_id, last_hash) VALUES (?, 0, ?)`, "990101", []byte{0})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.ExecRaw(ctx, `INSERT INTO audit_heads (county, last_id, last_hash) VALUES (?, 0, ?)`, "990101", []byte{0})
		if errs.CodeOf(err) != "unique_violation" {
			t.Fatalf("duplicate insert: got %v, want unique_violation", err)
		}
	})
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := store.Open(context.Background(), "mysql://x")
	if errs.KindOf(err) != errs.Invalid {
		t.Fatalf("got %v", err)
	}
}
