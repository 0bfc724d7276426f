package ledger_test

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"testing"

	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestConservation drives random concurrent transfers, batches and
// reversals and checks after every step that money is conserved: per channel
// all balances sum to zero, no no-overdraft balance is negative, and stored
// balances equal those recomputed from the postings (ledger.Verify).
// A failure prints its seed; ONEPOOL_SEED=n replays that seed alone.
func TestConservation(t *testing.T) {
	seeds := map[store.Dialect][]int64{store.SQLite: {1, 2, 3, 4, 5, 6}, store.Postgres: {1, 2, 3}}
	if s := os.Getenv("ONEPOOL_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seeds = map[store.Dialect][]int64{store.SQLite: {n}, store.Postgres: {n}}
	}
	for _, d := range storetest.Dialects() {
		for _, seed := range seeds[d] {
			t.Run(fmt.Sprintf("%s/seed=%d", d, seed), func(t *testing.T) {
				db := storetest.MustOpen(t, d)
				conservation(t, db, seed)
			})
		}
	}
}

func conservation(t *testing.T, db *store.DB, seed int64) {
	const accounts, steps = 6, 30
	l := fixture(t, db, accounts)
	rng := rand.New(rand.NewSource(seed))
	fund(t, l, "seed-fund", "500000", "200000")
	chans := []string{"ZX", "JT"}
	acc := func(r *rand.Rand) string {
		switch n := r.Intn(accounts + 2); n {
		case accounts:
			return "pool"
		case accounts + 1:
			return "treasury"
		default:
			return fmt.Sprintf("hh:%d", n)
		}
	}
	randReq := func(r *rand.Rand, key string) ledger.TransferRequest {
		from, to := acc(r), acc(r)
		if r.Intn(2) == 0 { // half of the money leaves the pool, so households have some to move
			from = "pool"
		}
		for to == from {
			to = acc(r)
		}
		var legs []ledger.Leg
		for _, c := range chans {
			if r.Intn(2) == 0 || len(legs) == 0 && c == chans[len(chans)-1] {
				legs = append(legs, ledger.Leg{Channel: c, Amount: money.Fen(1 + r.Int63n(1000000))})
			}
		}
		return ledger.TransferRequest{Key: key, Kind: "transfer", From: from, To: to, Legs: legs}
	}
	var posted []int64
	var mu sync.Mutex
	for step := 0; step < steps; step++ {
		workers := 2 + rng.Intn(3)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			r := rand.New(rand.NewSource(rng.Int63()))
			key := fmt.Sprintf("s%d-w%d", step, w)
			mu.Lock()
			var target int64
			if len(posted) > 0 {
				target = posted[r.Intn(len(posted))]
			}
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ts []ledger.Transfer
				var err error
				switch op := r.Intn(10); {
				case op < 5:
					ts, err = l.Post(ctx, "prop", county, []ledger.TransferRequest{randReq(r, key)})
				case op < 8:
					var batch []ledger.TransferRequest
					for i := 0; i < 1+r.Intn(5); i++ {
						batch = append(batch, randReq(r, fmt.Sprintf("%s-%d", key, i)))
					}
					ts, err = l.Post(ctx, "prop", county, batch)
				default:
					if target == 0 {
						return
					}
					var tr ledger.Transfer
					tr, err = l.Reverse(ctx, "prop", county, target, key, "property test")
					ts = []ledger.Transfer{tr}
				}
				if os.Getenv("ONEPOOL_DEBUG") != "" {
					fmt.Println("op", errs.CodeOf(err), err)
				}
				switch errs.CodeOf(err) {
				case "internal":
					if err != nil {
						t.Errorf("seed %d step %d: %v", seed, step, err)
					}
				case "insufficient_funds", "already_reversed", "cannot_reverse_reversal":
				default:
					t.Errorf("seed %d step %d: unexpected %v", seed, step, err)
				}
				if err == nil {
					mu.Lock()
					for _, tr := range ts {
						posted = append(posted, tr.ID)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.Fatalf("replay with ONEPOOL_SEED=%d", seed)
		}
		rep, err := ledger.Verify(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) > 0 {
			t.Fatalf("seed %d step %d: %v (replay with ONEPOOL_SEED=%d)", seed, step, rep.Problems, seed)
		}
		rows, err := db.QueryContext(ctx, `SELECT channel_id, SUM(balance) FROM ledger_balances WHERE county = ? GROUP BY channel_id`, county)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ch, sum int64
			rows.Scan(&ch, &sum)
			if sum != 0 {
				t.Fatalf("seed %d step %d: channel %d sums to %d (replay with ONEPOOL_SEED=%d)", seed, step, ch, sum, seed)
			}
		}
		rows.Close()
		var neg int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_balances b JOIN ledger_accounts a ON a.county = b.county AND a.id = b.account_id
			WHERE b.county = ? AND a.no_overdraft = 1 AND b.balance < 0`, county).Scan(&neg); err != nil {
			t.Fatal(err)
		}
		if neg > 0 {
			t.Fatalf("seed %d step %d: %d negative no-overdraft balances", seed, step, neg)
		}
		// The place-totals projection agrees with the balances, for the
		// county and for the households' village.
		for _, prefix := range []string{county, county + "100201"} {
			got, err := l.SummaryByKind(ctx, county, prefix)
			if err != nil {
				t.Fatal(err)
			}
			gotM := map[string]int64{}
			for _, k := range got {
				gotM[string(k.Kind)+"/"+k.Channel] += int64(k.Amount)
			}
			rows, err := db.QueryContext(ctx, `SELECT a.kind, c.code, SUM(b.balance) FROM ledger_balances b
				JOIN ledger_accounts a ON a.county = b.county AND a.id = b.account_id
				JOIN ledger_channels c ON c.county = b.county AND c.id = b.channel_id
				WHERE b.county = ? AND a.place LIKE ? GROUP BY a.kind, c.code`, county, prefix+"%")
			if err != nil {
				t.Fatal(err)
			}
			wantM := map[string]int64{}
			for rows.Next() {
				var kind, ch string
				var sum int64
				rows.Scan(&kind, &ch, &sum)
				if sum != 0 {
					wantM[kind+"/"+ch] = sum
				}
			}
			rows.Close()
			if fmt.Sprint(gotM) != fmt.Sprint(wantM) {
				t.Fatalf("seed %d step %d: summary of %s = %v, balances say %v", seed, step, prefix, gotM, wantM)
			}
		}
	}
	if len(posted) < steps {
		t.Fatalf("seed %d: only %d transfers committed; the test exercised too little", seed, len(posted))
	}
}
