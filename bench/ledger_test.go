package bench

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"onepool/internal/store"
)

// BenchmarkLedgerPayouts runs the payout phase of `onepool bench ledger` on
// SQLite; use -cpuprofile to see where the time goes.
func BenchmarkLedgerPayouts(b *testing.B) {
	for i := 0; i < b.N; i++ {
		db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "b.db"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		r, err := RunLedger(context.Background(), db, LedgerOptions{Transfers: 50000}, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.Rate, "transfers/s")
		b.ReportMetric(r.Raw, "raw/s")
		db.Close()
	}
}
