package ledger_test

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"testing"
	"time"

	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

const crashBatch = 4000

func crashRequests() []ledger.TransferRequest {
	reqs := make([]ledger.TransferRequest, crashBatch)
	for i := range reqs {
		reqs[i] = ledger.TransferRequest{Key: fmt.Sprintf("crash-%d", i), Kind: "payment", From: "pool", To: fmt.Sprintf("hh:%d", i%50),
			Legs: []ledger.Leg{{Channel: "ZX", Amount: 100}, {Channel: "JT", Amount: 1}}}
	}
	return reqs
}

// TestCrashChild is the child process of TestCrash: it posts the large batch
// and then waits to be killed.
func TestCrashChild(t *testing.T) {
	src := os.Getenv("ONEPOOL_CRASH_DB")
	if src == "" {
		t.Skip("runs only as TestCrash's child")
	}
	db, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db, nil)
	fmt.Println("posting")
	if _, err := l.Post(ctx, "crash", county, crashRequests()); err != nil {
		t.Fatal(err)
	}
	fmt.Println("posted")
	time.Sleep(time.Minute)
}

// TestCrash kills a child process with SIGKILL at random points while it
// posts a large batch. After each kill the ledger verifies, the batch is
// either absent or whole, and re-posting it with the same keys completes it
// exactly once.
func TestCrash(t *testing.T) {
	if os.Getenv("ONEPOOL_CRASH_DB") != "" {
		t.Skip("child")
	}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for _, d := range storetest.Dialects() {
		t.Run(d.String(), func(t *testing.T) {
			whole, absent := 0, 0
			for round := 0; round < 4; round++ {
				src := storetest.Source(t, d)
				db, err := store.Open(ctx, src)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				l := fixture(t, db, 50)
				fund(t, l, "fund", "100000", "100000")
				cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), "ONEPOOL_CRASH_DB="+src)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Kill somewhere between start-up and well after the commit.
				time.Sleep(time.Duration(50+rng.Intn(600)) * time.Millisecond)
				cmd.Process.Kill()
				cmd.Wait()
				rep, err := ledger.Verify(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Problems) > 0 {
					t.Fatalf("round %d: verify after kill: %v", round, rep.Problems)
				}
				var n int
				if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_transfers WHERE county = ? AND idem_key LIKE 'crash-%'`, county).Scan(&n); err != nil {
					t.Fatal(err)
				}
				switch n {
				case 0:
					absent++
				case crashBatch:
					whole++
				default:
					t.Fatalf("round %d: %d of %d transfers survived the kill", round, n, crashBatch)
				}
				ts, err := l.Post(ctx, "crash", county, crashRequests())
				if err != nil {
					t.Fatalf("round %d: re-post: %v", round, err)
				}
				fresh := 0
				for _, tr := range ts {
					if !tr.Replayed {
						fresh++
					}
				}
				if fresh != crashBatch-n {
					t.Fatalf("round %d: re-post wrote %d, want %d", round, fresh, crashBatch-n)
				}
				if got := balance(t, l, "hh:0", "ZX"); got != 100*crashBatch/50 {
					t.Fatalf("round %d: hh:0 holds %d fen, want %d", round, got, 100*crashBatch/50)
				}
				mustVerify(t, db)
				db.Close()
			}
			t.Logf("%s: batch absent after %d kills, whole after %d", d, absent, whole)
		})
	}
}
