package web_test

import (
	"context"
	"testing"

	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/ledger"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// runDemo puts the demo counties (demo.Run) in l's fresh database: built
// once per test binary, engine and registry key (named by keyName, ""
// without keys: no registry, relief or agreements) and copied into every
// later test's database — the web tests build the demo some 80 times,
// which was most of their time.
func runDemo(t testing.TB, l *ledger.Ledger, keyName string, keys ...*registry.Keys) {
	t.Helper()
	storetest.Fixture(t, l.DB(), "demo:"+keyName, func(ctx context.Context, db *store.DB) error {
		a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
		_, err := demo.Run(ctx, a, ledger.New(db, nil), keys...)
		return err
	})
}
