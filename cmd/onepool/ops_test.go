package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onepool/internal/audit"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// poster posts one-fen payments pool → hh:0 (with an audit entry in the
// same transaction) in a goroutine until stopped, refreshing the flows
// projection now and then as serve does. It records the keys it saw
// committed, in order.
type poster struct {
	db   *store.DB
	l    *ledger.Ledger
	mu   sync.Mutex
	keys []string
	err  error
	stop chan struct{}
	done chan struct{}
}

func startPoster(t *testing.T, db *store.DB, max int) *poster {
	t.Helper()
	p := &poster{db: db, l: ledger.New(db, nil), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		ctx := context.Background()
		for i := 0; i < max; i++ {
			select {
			case <-p.stop:
				return
			default:
			}
			key := fmt.Sprintf("load-%d", i)
			err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
				ts, _, err := p.l.PostTx(ctx, tx, "test", county, []ledger.TransferRequest{
					{Key: key, Kind: "payment", From: "pool", To: "hh:0", Legs: []ledger.Leg{{Channel: "ZX", Amount: 1}}},
				})
				if err != nil {
					return err
				}
				_, err = audit.Append(ctx, tx, audit.Entry{County: county, Actor: "test", Action: "ledger.post", Object: fmt.Sprintf("transfer %s/%d", county, ts[0].ID), Outcome: "ok"})
				return err
			})
			if err != nil {
				p.mu.Lock()
				p.err = err
				p.mu.Unlock()
				return
			}
			p.mu.Lock()
			p.keys = append(p.keys, key)
			p.mu.Unlock()
			if i%25 == 0 {
				if err := p.l.RefreshProjections(ctx, county); err != nil {
					p.mu.Lock()
					p.err = err
					p.mu.Unlock()
					return
				}
			}
		}
	}()
	return p
}

// committed returns the keys committed so far.
func (p *poster) committed() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.keys...)
}

// finish stops the poster and fails the test if a posting failed.
func (p *poster) finish(t *testing.T) []string {
	t.Helper()
	close(p.stop)
	<-p.done
	if p.err != nil {
		t.Fatalf("posting while the command ran: %v", p.err)
	}
	return p.committed()
}

// TestVerifyWhileServing runs `onepool verify` 20 times while transfers are
// posted: every run must say ok (it reads one snapshot), none BROKEN.
func TestVerifyWhileServing(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d.String(), func(t *testing.T) {
			src := storetest.Source(t, d)
			db := openLedger(t, src)
			p := startPoster(t, db, 400)
			for run := 0; run < 20; run++ {
				out, _, err := runCmd(t, "verify", "--db", src)
				if err != nil || !strings.HasPrefix(out, "ok: 1 county ledger(s)") || strings.Contains(out, "BROKEN") {
					p.finish(t)
					t.Fatalf("verify run %d under load: %v: %s", run+1, err, out)
				}
			}
			n := len(p.finish(t))
			if n == 0 {
				t.Fatal("nothing was posted while verify ran: the test proves nothing")
			}
			t.Logf("%d transfers posted during 20 verify runs", n)
			verifyAfter, _, err := runCmd(t, "verify", "--db", src)
			if err != nil || !strings.Contains(verifyAfter, fmt.Sprintf("%d transfers", n+3)) {
				t.Fatalf("verify after the load: %v: %s", err, verifyAfter)
			}
		})
	}
}

// TestBackupWhilePostingAndRestore: a backup taken while transfers are
// posted restores into a new database that verifies and holds every
// transfer committed before the backup began; a restore over data is
// refused without --force; serve refuses the restored database with a
// missing or a wrong key and starts with the right one.
func TestBackupWhilePostingAndRestore(t *testing.T) {
	cases := []struct {
		d      store.Dialect
		format string
	}{{store.SQLite, ""}, {store.Postgres, ""}, {store.Postgres, "logical"}}
	for _, c := range cases {
		name := c.d.String()
		if c.format != "" {
			name += "-" + c.format
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			src := storetest.Source(t, c.d)
			db := openLedger(t, src)
			keyFile := filepath.Join(dir, "county.key")
			if _, created, err := registry.BindKeys(ctx, db, keyFile, noEnv); err != nil || !created {
				t.Fatalf("first key use: created=%v %v", created, err)
			}
			p := startPoster(t, db, 300)
			for len(p.committed()) < 30 {
				time.Sleep(2 * time.Millisecond)
			}
			before := p.committed()
			out := filepath.Join(dir, "backup.bin")
			args := []string{"backup", "--db", src, "--out", out}
			if c.format != "" {
				args = append(args, "--format", c.format)
			}
			stdout, stderr, err := runCmd(t, args...)
			if err != nil {
				p.finish(t)
				t.Fatalf("backup: %v: %s %s", err, stdout, stderr)
			}
			after := p.finish(t)
			t.Logf("%s; %d committed before the backup, %d by the end", strings.TrimSpace(stdout), len(before), len(after))
			if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("backup file: %v, mode %v; want 0600", err, st.Mode())
			}
			if _, _, err := runCmd(t, args...); err == nil {
				t.Fatal("a backup over an existing file was not refused")
			}

			dst := storetest.Source(t, c.d)
			if stdout, stderr, err := runCmd(t, "restore", "--db", dst, "--in", out); err != nil {
				t.Fatalf("restore: %v: %s %s", err, stdout, stderr)
			}
			if v, _, err := runCmd(t, "verify", "--db", dst); err != nil || !strings.HasPrefix(v, "ok: 1 county ledger(s)") {
				t.Fatalf("verify the restored database: %v: %s", err, v)
			}
			rdb, err := store.Open(ctx, dst)
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			have := map[string]bool{}
			rows, err := rdb.QueryContext(ctx, `SELECT idem_key FROM ledger_transfers WHERE county = ?`, county)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var k string
				rows.Scan(&k)
				have[k] = true
			}
			rows.Close()
			for _, k := range append([]string{"arr", "p0", "p1"}, before...) {
				if !have[k] {
					t.Fatalf("transfer %q was committed before the backup began and is not in the restored database", k)
				}
			}

			// Restoring over data needs --force.
			_, _, err = runCmd(t, "restore", "--db", dst, "--in", out)
			if errs.CodeOf(err) != "restore_target_not_empty" {
				t.Fatalf("restore over a database with data: %v, want restore_target_not_empty", err)
			}
			if _, _, err := runCmd(t, "restore", "--db", dst, "--in", out, "--force"); err != nil {
				t.Fatalf("restore --force: %v", err)
			}

			// serve: no key file → refused (no new key over encrypted data);
			// another key → refused; the database's own key → serves.
			missing := filepath.Join(dir, "missing.key")
			_, _, err = runCmd(t, "serve", "--db", dst, "--addr", "127.0.0.1:0", "--data-key", missing)
			if errs.CodeOf(err) != "key_missing" || !strings.Contains(err.Error(), missing) {
				t.Fatalf("serve without the key file: %v, want key_missing naming %s", err, missing)
			}
			if _, err := os.Stat(missing); err == nil {
				t.Fatal("serve generated a new key for a database that has one")
			}
			other := filepath.Join(dir, "other.key")
			if _, _, err := registry.LoadKeys(other, noEnv); err != nil {
				t.Fatal(err)
			}
			_, _, err = runCmd(t, "serve", "--db", dst, "--addr", "127.0.0.1:0", "--data-key", other)
			if errs.CodeOf(err) != "key_mismatch" || !strings.Contains(err.Error(), other) || !strings.Contains(err.Error(), "does not match") {
				t.Fatalf("serve with another key: %v, want key_mismatch naming %s", err, other)
			}
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			so, se := &syncBuffer{}, &syncBuffer{}
			done := make(chan error, 1)
			go func() {
				done <- run(sctx, []string{"onepool", "serve", "--db", dst, "--addr", "127.0.0.1:0", "--data-key", keyFile}, noEnv, so, se)
			}()
			deadline := time.Now().Add(30 * time.Second)
			for !urlRe.MatchString(so.String()) {
				select {
				case err := <-done:
					t.Fatalf("serve with the right key ended: %v\n%s\n%s", err, so, se)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatalf("serve with the right key did not start: %s %s", so, se)
				}
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			<-done
		})
	}
}
