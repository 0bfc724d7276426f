// Package bench holds onepool's benchmarks that need a whole system: the
// ledger throughput run behind `onepool bench ledger`, and the synthetic
// county generator.
package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/web"
)

// LedgerOptions configure the ledger benchmark.
type LedgerOptions struct {
	DB        string        // database source; empty for a fresh SQLite file
	Transfers int           // payout transfers
	API       int           // single transfers through the HTTP API
	Hot       time.Duration // duration of the hot-account phase
}

// LedgerResult is what the benchmark measured.
type LedgerResult struct {
	Rate, Raw, Replay float64 // transfers per second
	APIRate           float64
	APIP50, APIP99    time.Duration
	HotP99            time.Duration
	HotOK, HotErrors  int64
	HotInsufficient   int64
}

// Ledger runs the ledger benchmark and prints a report ending with the
// one-line summary.
func Ledger(ctx context.Context, o LedgerOptions, w io.Writer) error {
	if o.Transfers <= 0 {
		return fmt.Errorf("--transfers must be positive")
	}
	db, done, err := openBenchDB(ctx, o.DB)
	if err != nil {
		return err
	}
	defer done()
	r, err := RunLedger(ctx, db, o, w)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "ledger: %.0f transfers/s, raw: %.0f transfers/s, ratio: %.2f, api p99: %.2f ms, hot p99: %.2f ms, hot errors: %d\n",
		r.Rate, r.Raw, r.Rate/r.Raw, ms(r.APIP99), ms(r.HotP99), r.HotErrors)
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// RunLedger runs the benchmark phases on an open, migrated database.
func RunLedger(ctx context.Context, db *store.DB, o LedgerOptions, w io.Writer) (LedgerResult, error) {
	var res LedgerResult
	const batch = 1000
	n, _ := rand.Int(rand.Reader, big.NewInt(9000))
	county := fmt.Sprintf("98%04d", 1000+n.Int64()%9000)
	l := ledger.New(db, clock.System)
	root := place.Code(county + "000000")
	fmt.Fprintf(w, "bench ledger on %s (county %s): %d payout transfers, batches of %d\n", db.Dialect, county, o.Transfers, batch)
	if _, err := l.CreateChannels(ctx, "bench", county, []ledger.NewChannel{{Code: "ZX", Name: "中央财政专项扶贫资金"}, {Code: "SJ", Name: "省级财政衔接资金"}}); err != nil {
		return res, err
	}
	if _, err := l.OpenAccounts(ctx, "bench", county, []ledger.NewAccount{
		{Code: "treasury", Kind: ledger.External, Name: "国库", Place: root},
		{Code: "pool", Kind: ledger.Pool, Name: "统筹整合资金池", Place: root, NoOverdraft: true},
	}); err != nil {
		return res, err
	}
	start := time.Now()
	for i := 0; i < o.Transfers; i += batch {
		var accs []ledger.NewAccount
		for j := i; j < min(i+batch, o.Transfers); j++ {
			accs = append(accs, ledger.NewAccount{Code: fmt.Sprintf("hh:%07d", j), Kind: ledger.Household, Name: fmt.Sprintf("农户%07d", j),
				Place: place.Code(fmt.Sprintf("%s1%02d2%02d", county, (j/1000)%100, j%100)), NoOverdraft: true})
		}
		if _, err := l.OpenAccounts(ctx, "bench", county, accs); err != nil {
			return res, err
		}
	}
	fmt.Fprintf(w, "  opened %d household accounts in %v\n", o.Transfers, time.Since(start).Round(time.Millisecond))
	big := ledger.MaxLeg
	if _, err := l.Post(ctx, "bench", county, []ledger.TransferRequest{{Key: "fund", Kind: "arrival", From: "treasury", To: "pool",
		Legs: []ledger.Leg{{Channel: "ZX", Amount: big}, {Channel: "SJ", Amount: big}}}}); err != nil {
		return res, err
	}
	batches := make([][]ledger.TransferRequest, 0, o.Transfers/batch+1)
	for i := 0; i < o.Transfers; i += batch {
		var b []ledger.TransferRequest
		for j := i; j < min(i+batch, o.Transfers); j++ {
			b = append(b, ledger.TransferRequest{Key: fmt.Sprintf("pay:%07d", j), Kind: "payment", From: "pool", To: fmt.Sprintf("hh:%07d", j),
				Legs: []ledger.Leg{{Channel: "ZX", Amount: 80000 + money.Fen(j%100)}, {Channel: "SJ", Amount: 20000}}})
		}
		batches = append(batches, b)
	}
	// Phase 1: payouts, durably, in batches.
	start = time.Now()
	for _, b := range batches {
		if _, err := l.Post(ctx, "bench", county, b); err != nil {
			return res, err
		}
	}
	el := time.Since(start)
	res.Rate = float64(o.Transfers) / el.Seconds()
	fmt.Fprintf(w, "  posted %d transfers in %v: %.0f transfers/s\n", o.Transfers, el.Round(time.Millisecond), res.Rate)
	// Phase 1b: the same batches again write nothing.
	var before int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_transfers WHERE county = ?`, county).Scan(&before); err != nil {
		return res, err
	}
	start = time.Now()
	for _, b := range batches {
		ts, err := l.Post(ctx, "bench", county, b)
		if err != nil {
			return res, err
		}
		for _, t := range ts {
			if !t.Replayed {
				return res, fmt.Errorf("re-posting key %s wrote a new transfer", t.Key)
			}
		}
	}
	el = time.Since(start)
	var after int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_transfers WHERE county = ?`, county).Scan(&after); err != nil {
		return res, err
	}
	if after != before {
		return res, fmt.Errorf("re-posting wrote %d transfers", after-before)
	}
	res.Replay = float64(o.Transfers) / el.Seconds()
	fmt.Fprintf(w, "  re-posted the same %d: nothing new written (%d transfers before and after), %.0f replays/s\n", o.Transfers, after, res.Replay)
	// Phase 2: the same rows by plain SQL, same indexes.
	raw, err := rawRate(ctx, db, county, o.Transfers, batch)
	if err != nil {
		return res, err
	}
	res.Raw = raw
	fmt.Fprintf(w, "  raw SQL, same rows and indexes: %.0f transfers/s (ratio %.2f)\n", raw, res.Rate/raw)
	// Phase 3: the HTTP API on loopback.
	if o.API > 0 || o.Hot > 0 {
		if err := apiPhases(ctx, db, l, county, o, &res, w); err != nil {
			return res, err
		}
	}
	return res, nil
}

// rawRate writes n transfer rows (unique idempotency key, the same columns
// and indexes as ledger_transfers) and their balance upserts with plain
// multi-row SQL, batch rows per durable commit, into scratch tables.
func rawRate(ctx context.Context, db *store.DB, county string, n, batch int) (float64, error) {
	ws := ""
	if db.Dialect == store.SQLite {
		ws = " WITHOUT ROWID"
	}
	setup := []string{
		`DROP TABLE IF EXISTS bench_raw_transfers`, `DROP TABLE IF EXISTS bench_raw_balances`,
		`CREATE TABLE bench_raw_transfers (county TEXT NOT NULL, id BIGINT NOT NULL, idem_key TEXT NOT NULL, kind TEXT NOT NULL,
			from_account BIGINT NOT NULL, to_account BIGINT NOT NULL, legs TEXT NOT NULL, total BIGINT NOT NULL, memo TEXT NOT NULL,
			doc_no TEXT NOT NULL, reverses BIGINT, posted_at BIGINT NOT NULL, actor TEXT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (county, id))` + ws,
		`CREATE UNIQUE INDEX bench_raw_key ON bench_raw_transfers (county, idem_key)`,
		`CREATE INDEX bench_raw_from ON bench_raw_transfers (county, from_account, id)`,
		`CREATE INDEX bench_raw_to ON bench_raw_transfers (county, to_account, id)`,
		`CREATE TABLE bench_raw_balances (county TEXT NOT NULL, account_id BIGINT NOT NULL, channel_id BIGINT NOT NULL, balance BIGINT NOT NULL,
			last_transfer_id BIGINT NOT NULL, PRIMARY KEY (county, account_id, channel_id))` + ws,
	}
	for _, q := range setup {
		if _, err := db.ExecRaw(ctx, q); err != nil {
			return 0, err
		}
	}
	defer db.ExecRaw(ctx, `DROP TABLE IF EXISTS bench_raw_transfers`)
	defer db.ExecRaw(ctx, `DROP TABLE IF EXISTS bench_raw_balances`)
	hash := make([]byte, 32)
	const insT = `INSERT INTO bench_raw_transfers (county, id, idem_key, kind, from_account, to_account, legs, total, memo, doc_no, reverses, posted_at, actor, hash) VALUES `
	const insB = `INSERT INTO bench_raw_balances (county, account_id, channel_id, balance, last_transfer_id) VALUES `
	const upsB = ` ON CONFLICT (county, account_id, channel_id) DO UPDATE SET balance = excluded.balance, last_transfer_id = excluded.last_transfer_id`
	prepared := map[string]*sql.Stmt{}
	for _, p := range []struct {
		head, suffix string
		cols         int
	}{{insT, "", 14}, {insB, upsB, 5}} {
		q := rawChunk(p.head, p.cols, 4000/p.cols, p.suffix)
		st, err := db.PrepareWriter(ctx, q)
		if err != nil {
			return 0, err
		}
		defer st.Close()
		prepared[q] = st
	}
	start := time.Now()
	for i := 0; i < n; i += batch {
		end := min(i+batch, n)
		err := db.Write(ctx, time.Now(), func(tx *store.Tx) error {
			var tr, br [][]any
			for j := i; j < end; j++ {
				id := int64(j + 1)
				tr = append(tr, []any{county, id, fmt.Sprintf("pay:%07d", j), "payment", int64(2), int64(j + 3), fmt.Sprintf("1:%d;2:20000", 80000+j%100),
					int64(100000 + j%100), "", "", nil, time.Now().UnixMicro(), "bench", hash})
				br = append(br, []any{county, int64(j + 3), int64(1), int64(80000 + j%100), id}, []any{county, int64(j + 3), int64(2), int64(20000), id})
			}
			br = append(br, []any{county, int64(2), int64(1), int64(1 << 46), int64(end)}, []any{county, int64(2), int64(2), int64(1 << 46), int64(end)})
			if err := multiInsert(ctx, tx, prepared, insT, 14, tr, ""); err != nil {
				return err
			}
			return multiInsert(ctx, tx, prepared, insB, 5, br, upsB)
		})
		if err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// multiInsert writes rows with multi-row INSERTs; full chunks use a
// statement prepared once, as the ledger's posting path does.
func multiInsert(ctx context.Context, tx *store.Tx, prepared map[string]*sql.Stmt, head string, cols int, rows [][]any, suffix string) error {
	per := max(1, 4000/cols)
	for s := 0; s < len(rows); s += per {
		e := min(s+per, len(rows))
		var args []any
		for _, r := range rows[s:e] {
			args = append(args, r...)
		}
		q := rawChunk(head, cols, e-s, suffix)
		var err error
		if st := prepared[q]; st != nil {
			_, err = tx.ExecStmt(ctx, st, args...)
		} else {
			_, err = tx.ExecContext(ctx, q, args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func rawChunk(head string, cols, n int, suffix string) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return head + strings.TrimSuffix(strings.Repeat(one+",", n), ",") + suffix
}

func apiPhases(ctx context.Context, db *store.DB, l *ledger.Ledger, county string, o LedgerOptions, res *LedgerResult, w io.Writer) error {
	a := auth.New(db, nil, auth.Config{})
	token, err := BenchToken(ctx, a, county)
	if err != nil {
		return err
	}
	// Two people on money: a second finance officer approves what the
	// first enters; the transfer posts at the approval.
	token2, err := benchToken(ctx, a, county, "bench.finance2")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app.Server(web.Deps{DB: db, Ledger: l, Auth: a})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/api/v1/ledger/" + county + "/transfers"
	decide := "http://" + ln.Addr().String() + "/api/v1/instructions/" + county + "/"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	call := func(url, tok string, body []byte) (int, []byte, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, b, nil
	}
	// post enters one adjustment and has the second officer approve it;
	// the duration is the approval's (the posting), the status the
	// approval's (200) or the entry's when it was refused.
	post := func(key, to string) (time.Duration, int, error) {
		body, _ := json.Marshal(map[string]any{"key": key, "kind": "adjustment", "from": "pool", "to": to,
			"legs": []map[string]string{{"channel": "ZX", "amount": "1.00"}, {"channel": "SJ", "amount": "0.50"}}})
		code, b, err := call(base, token, body)
		if err != nil || code != http.StatusAccepted {
			return 0, code, err
		}
		var in struct {
			Instruction struct {
				ID int64 `json:"id"`
			} `json:"instruction"`
		}
		if err := json.Unmarshal(b, &in); err != nil {
			return 0, 0, err
		}
		t0 := time.Now()
		code, _, err = call(fmt.Sprintf("%s%d/decide", decide, in.Instruction.ID), token2, []byte(`{"action":"approve"}`))
		return time.Since(t0), code, err
	}
	if o.API > 0 {
		lat := make([]time.Duration, 0, o.API)
		start := time.Now()
		for i := 0; i < o.API; i++ {
			d, code, err := post(fmt.Sprintf("api:%d", i), fmt.Sprintf("hh:%07d", i%o.Transfers))
			if err != nil {
				return err
			}
			if code != http.StatusOK {
				return fmt.Errorf("API transfer %d: status %d", i, code)
			}
			lat = append(lat, d)
		}
		res.APIRate = float64(o.API) / time.Since(start).Seconds()
		res.APIP50, res.APIP99 = pct(lat, 50), pct(lat, 99)
		fmt.Fprintf(w, "  API: %d single adjustments one by one, each entered and approved by a second officer: %.0f/s; the approval (which posts) p50 %.2f ms, p99 %.2f ms\n", o.API, res.APIRate, ms(res.APIP50), ms(res.APIP99))
	}
	if o.Hot > 0 {
		var mu sync.Mutex
		var lat []time.Duration
		var okN, errN atomic.Int64
		var wg sync.WaitGroup
		deadline := time.Now().Add(o.Hot)
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				var mine []time.Duration
				for i := 0; time.Now().Before(deadline); i++ {
					d, code, err := post(fmt.Sprintf("hot:%d:%d", c, i), fmt.Sprintf("hh:%07d", (c*7919+i)%o.Transfers))
					if err != nil || code != http.StatusOK {
						errN.Add(1)
						continue
					}
					okN.Add(1)
					mine = append(mine, d)
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}(c)
		}
		wg.Wait()
		res.HotOK, res.HotErrors = okN.Load(), errN.Load()
		res.HotP99 = pct(lat, 99)
		fmt.Fprintf(w, "  hot account: 8 clients for %v: %d transfers (%.0f/s), %d errors, p50 %.2f ms, p99 %.2f ms\n",
			o.Hot, res.HotOK, float64(res.HotOK)/o.Hot.Seconds(), res.HotErrors, ms(pct(lat, 50)), ms(res.HotP99))
	}
	return nil
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return s[min(i, len(s)-1)]
}

// BenchToken creates (once) a finance-bureau user at the county's root and
// returns a new API token for it.
func BenchToken(ctx context.Context, a *auth.Service, county string) (string, error) {
	return benchToken(ctx, a, county, "bench.finance")
}

func benchToken(ctx context.Context, a *auth.Service, county, username string) (string, error) {
	root := place.Code(county + "000000")
	u, err := a.FindUser(ctx, username)
	if err != nil {
		if u, err = a.CreateUser(ctx, auth.System(county), auth.NewUser{Username: username, DisplayName: "bench", Role: auth.RoleFinance, Place: root, Password: "bench-password-" + county}); err != nil {
			return "", err
		}
	}
	return a.IssueToken(ctx, u.Principal(), "bench")
}
