package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"onepool/internal/audit"
	"onepool/internal/ledger"
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
