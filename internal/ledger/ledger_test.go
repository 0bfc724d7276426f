package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const county = "990101"

var ctx = context.Background()

// fixture opens a treasury (may go negative), a no-overdraft pool, two
// channels and n no-overdraft households.
func fixture(t testing.TB, db *store.DB, n int) *ledger.Ledger {
	t.Helper()
	l := ledger.New(db, nil)
	if _, err := l.CreateChannels(ctx, "test", county, []ledger.NewChannel{{Code: "ZX", Name: "中央专项扶贫资金"}, {Code: "JT", Name: "交通行业资金"}}); err != nil {
		t.Fatal(err)
	}
	accs := []ledger.NewAccount{
		{Code: "treasury", Kind: ledger.External, Name: "国库", Place: place.Code(county + "000000")},
		{Code: "pool", Kind: ledger.Pool, Name: "资金池", Place: place.Code(county + "000000"), NoOverdraft: true},
	}
	for i := 0; i < n; i++ {
		accs = append(accs, ledger.NewAccount{Code: fmt.Sprintf("hh:%d", i), Kind: ledger.Household, Name: fmt.Sprintf("农户%d", i), Place: place.Code(county + "100201"), NoOverdraft: true})
	}
	if _, err := l.OpenAccounts(ctx, "test", county, accs); err != nil {
		t.Fatal(err)
	}
	return l
}

func yuan(s string) money.Fen {
	f, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return f
}

func fund(t testing.TB, l *ledger.Ledger, key string, zx, jt string) {
	t.Helper()
	legs := []ledger.Leg{{Channel: "ZX", Amount: yuan(zx)}}
	if jt != "" {
		legs = append(legs, ledger.Leg{Channel: "JT", Amount: yuan(jt)})
	}
	if _, err := l.Post(ctx, "test", county, []ledger.TransferRequest{{Key: key, Kind: "arrival", From: "treasury", To: "pool", Legs: legs}}); err != nil {
		t.Fatal(err)
	}
}

func balance(t testing.TB, l *ledger.Ledger, acc, ch string) money.Fen {
	t.Helper()
	bs, err := l.Balances(ctx, county, acc)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Channel == ch {
			return b.Amount
		}
	}
	return 0
}

func mustVerify(t testing.TB, db *store.DB) {
	t.Helper()
	rep, err := ledger.Verify(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("verify: %v", rep.Problems)
	}
}

func TestPostBalancesTraceAndReverse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := fixture(t, db, 3)
		fund(t, l, "arr-1", "1000.00", "500.50")
		ts, err := l.Post(ctx, "officer", county, []ledger.TransferRequest{
			{Key: "pay-0", Kind: "payment", From: "pool", To: "hh:0", Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("300")}, {Channel: "JT", Amount: yuan("0.50")}}},
			{Key: "pay-1", Kind: "payment", From: "pool", To: "hh:1", Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("200")}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if ts[0].ID != 2 || ts[1].ID != 3 || ts[0].Total != yuan("300.50") {
			t.Fatalf("unexpected transfers %+v", ts)
		}
		if got := balance(t, l, "pool", "ZX"); got != yuan("500") {
			t.Fatalf("pool ZX = %s, want 500.00", got)
		}
		if got := balance(t, l, "pool", "JT"); got != yuan("500") {
			t.Fatalf("pool JT = %s, want 500.00", got)
		}
		if got := balance(t, l, "treasury", "ZX"); got != yuan("-1000") {
			t.Fatalf("treasury ZX = %s", got)
		}
		// Trace the channel: treasury → pool → hh:0, hh:1.
		tr, err := l.TraceChannel(ctx, county, "ZX", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Edges) != 3 {
			t.Fatalf("ZX trace edges = %d, want 3: %+v", len(tr.Edges), tr.Edges)
		}
		held := map[string]money.Fen{}
		for _, h := range tr.Holdings {
			held[tr.Nodes[h.Node].Code] += h.Amount
		}
		if held["pool"] != yuan("500") || held["hh:0"] != yuan("300") || held["hh:1"] != yuan("200") {
			t.Fatalf("holdings %v", held)
		}
		// Trace an account back to its channels.
		ta, err := l.TraceAccount(ctx, county, "hh:0", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(ta.Channels) != 2 || len(ta.Edges) != 4 {
			t.Fatalf("hh:0 trace: channels %v edges %+v", ta.Channels, ta.Edges)
		}
		// Reverse the first payment: the money goes back with its legs.
		rv, err := l.Reverse(ctx, "officer", county, ts[0].ID, "rev-pay-0", "wrong household")
		if err != nil {
			t.Fatal(err)
		}
		if rv.From != "hh:0" || rv.To != "pool" || rv.Total != yuan("300.50") || rv.Reverses != ts[0].ID {
			t.Fatalf("reversal %+v", rv)
		}
		if got := balance(t, l, "hh:0", "ZX"); got != 0 {
			t.Fatalf("hh:0 ZX after reversal = %s", got)
		}
		_, err = l.Reverse(ctx, "officer", county, ts[0].ID, "rev-pay-0-again", "")
		if errs.CodeOf(err) != "already_reversed" {
			t.Fatalf("second reversal: %v", err)
		}
		_, err = l.Reverse(ctx, "officer", county, rv.ID, "rev-rev", "")
		if errs.CodeOf(err) != "cannot_reverse_reversal" {
			t.Fatalf("reversing a reversal: %v", err)
		}
		// Same key replays the reversal.
		rv2, err := l.Reverse(ctx, "someone-else", county, ts[0].ID, "rev-pay-0", "wrong household")
		if err != nil || rv2.ID != rv.ID || rv2.Hash != rv.Hash {
			t.Fatalf("replayed reversal %+v, %v", rv2, err)
		}
		st, err := l.Statement(ctx, county, "hh:0", 0, 10)
		if err != nil || len(st) != 2 || st[0].In || !st[1].In {
			t.Fatalf("statement %+v %v", st, err)
		}
		// HistoryTx: oldest first, the projected touches and the transfers
		// after them alike (the assets test reads a fresh tail).
		h, err := l.HistoryTx(ctx, db, county, "hh:0")
		if err != nil || len(h) != 2 || !h[0].In || h[1].In || h[1].ID != rv.ID || h[1].Reverses != ts[0].ID {
			t.Fatalf("history %+v %v", h, err)
		}
		mustVerify(t, db)
	})
}

func TestBalancesAsOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		day := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		now := day
		l := ledger.New(db, func() time.Time { return now })
		fixture(t, db, 1)
		for i := 0; i < 5; i++ {
			now = day.AddDate(0, 0, i)
			fund(t, ledger.New(db, func() time.Time { return now }), fmt.Sprintf("a%d", i), "100", "")
		}
		for _, c := range []struct {
			day  time.Time
			want money.Fen
		}{
			{day.AddDate(0, 0, -1), 0},
			{day, yuan("100")},
			{day.AddDate(0, 0, 2), yuan("300")},
			{day.AddDate(0, 0, 3), yuan("400")},
			{day.AddDate(0, 0, 30), yuan("500")},
		} {
			bs, err := l.BalancesAsOf(ctx, county, "pool", c.day)
			if err != nil {
				t.Fatal(err)
			}
			var got money.Fen
			for _, b := range bs {
				got += b.Amount
			}
			if got != c.want {
				t.Errorf("as of %s: %s, want %s", c.day.Format("2006-01-02"), got, c.want)
			}
		}
	})
}

func TestBadInputWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := fixture(t, db, 2)
		fund(t, l, "arr", "100", "")
		leg := func(ch, amt string) []ledger.Leg {
			a, _ := money.Parse(amt)
			return []ledger.Leg{{Channel: ch, Amount: a}}
		}
		cases := []struct {
			name string
			req  ledger.TransferRequest
			code string
		}{
			{"zero amount", ledger.TransferRequest{Key: "k", From: "pool", To: "hh:0", Legs: leg("ZX", "0")}, "invalid_amount"},
			{"negative amount", ledger.TransferRequest{Key: "k", From: "pool", To: "hh:0", Legs: leg("ZX", "-1")}, "invalid_amount"},
			{"overflowing total", ledger.TransferRequest{Key: "k", From: "treasury", To: "hh:0", Legs: []ledger.Leg{{Channel: "ZX", Amount: 1 << 62}, {Channel: "JT", Amount: 1 << 62}}}, "invalid_amount"},
			{"unknown from", ledger.TransferRequest{Key: "k", From: "nobody", To: "hh:0", Legs: leg("ZX", "1")}, "unknown_account"},
			{"unknown to", ledger.TransferRequest{Key: "k", From: "pool", To: "nobody", Legs: leg("ZX", "1")}, "unknown_account"},
			{"unknown channel", ledger.TransferRequest{Key: "k", From: "pool", To: "hh:0", Legs: leg("NOPE", "1")}, "unknown_channel"},
			{"no legs", ledger.TransferRequest{Key: "k", From: "pool", To: "hh:0"}, "invalid_transfer"},
			{"same account", ledger.TransferRequest{Key: "k", From: "pool", To: "pool", Legs: leg("ZX", "1")}, "invalid_transfer"},
			{"no key", ledger.TransferRequest{From: "pool", To: "hh:0", Legs: leg("ZX", "1")}, "invalid_key"},
			{"bad kind", ledger.TransferRequest{Key: "k", Kind: "gift", From: "pool", To: "hh:0", Legs: leg("ZX", "1")}, "invalid_transfer"},
			{"overdraft", ledger.TransferRequest{Key: "k", From: "pool", To: "hh:0", Legs: leg("ZX", "100.01")}, "insufficient_funds"},
			{"overdraft other channel", ledger.TransferRequest{Key: "k", From: "pool", To: "hh:0", Legs: leg("JT", "0.01")}, "insufficient_funds"},
		}
		for _, c := range cases {
			_, err := l.Post(ctx, "test", county, []ledger.TransferRequest{c.req})
			if errs.CodeOf(err) != c.code {
				t.Errorf("%s: got %v, want %s", c.name, err, c.code)
			}
			e, _ := errs.As(err)
			if e != nil && e.Field == "" {
				t.Errorf("%s: error names no field: %v", c.name, err)
			}
		}
		// A batch with one bad transfer writes none of them.
		_, err := l.Post(ctx, "test", county, []ledger.TransferRequest{
			{Key: "ok-1", From: "pool", To: "hh:0", Legs: leg("ZX", "10")},
			{Key: "bad-2", From: "pool", To: "hh:1", Legs: leg("ZX", "95")},
		})
		if errs.CodeOf(err) != "insufficient_funds" {
			t.Fatalf("batch: %v", err)
		}
		if got := balance(t, l, "hh:0", "ZX"); got != 0 {
			t.Fatalf("partial batch written: hh:0 has %s", got)
		}
		recent, _ := l.RecentTransfers(ctx, county, 0, 10)
		if len(recent) != 1 {
			t.Fatalf("transfers written: %d, want 1", len(recent))
		}
		mustVerify(t, db)
	})
}

func TestIdempotencyParallel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := fixture(t, db, 1)
		fund(t, l, "arr", "1000", "")
		req := ledger.TransferRequest{Key: "same", Kind: "payment", From: "pool", To: "hh:0", Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("12.34")}}}
		var wg sync.WaitGroup
		res := make([]ledger.Transfer, 50)
		errsOut := make([]error, 50)
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ts, err := l.Post(ctx, "test", county, []ledger.TransferRequest{req})
				errsOut[i] = err
				if err == nil {
					res[i] = ts[0]
				}
			}(i)
		}
		wg.Wait()
		for i := range res {
			if errsOut[i] != nil {
				t.Fatalf("post %d: %v", i, errsOut[i])
			}
			a, b := res[i], res[0]
			a.Replayed, b.Replayed = false, false
			if fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", b) {
				t.Fatalf("response %d differs:\n%+v\n%+v", i, res[i], res[0])
			}
		}
		if got := balance(t, l, "hh:0", "ZX"); got != yuan("12.34") {
			t.Fatalf("paid %s, want 12.34 once", got)
		}
		other := req
		other.Legs = []ledger.Leg{{Channel: "ZX", Amount: yuan("12.35")}}
		if _, err := l.Post(ctx, "test", county, []ledger.TransferRequest{other}); errs.CodeOf(err) != "idempotency_conflict" {
			t.Fatalf("same key other body: %v", err)
		}
		mustVerify(t, db)
	})
}

func TestDoubleSpend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n, k = 40, 7
		l := fixture(t, db, n)
		fund(t, l, "arr", fmt.Sprintf("%d", k*100), "")
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, insufficient := 0, 0
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := l.Post(ctx, "test", county, []ledger.TransferRequest{{Key: fmt.Sprintf("spend-%d", i), From: "pool", To: fmt.Sprintf("hh:%d", i), Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("100")}}}})
				mu.Lock()
				defer mu.Unlock()
				switch errs.CodeOf(err) {
				case "":
				}
				if err == nil {
					ok++
				} else if errs.CodeOf(err) == "insufficient_funds" {
					insufficient++
				} else {
					t.Errorf("spend %d: %v", i, err)
				}
			}(i)
		}
		wg.Wait()
		if ok != k || insufficient != n-k {
			t.Fatalf("committed %d, refused %d; want exactly %d and %d", ok, insufficient, k, n-k)
		}
		if got := balance(t, l, "pool", "ZX"); got != 0 {
			t.Fatalf("pool left %s", got)
		}
		mustVerify(t, db)
	})
}

func TestAccountsAreIdempotentByCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := fixture(t, db, 1)
		a := ledger.NewAccount{Code: "hh:0", Kind: ledger.Household, Name: "农户0", Place: place.Code(county + "100201"), NoOverdraft: true}
		got, err := l.OpenAccounts(ctx, "test", county, []ledger.NewAccount{a})
		if err != nil || got[0].Code != "hh:0" {
			t.Fatalf("reopen: %v", err)
		}
		a.Name = "其他"
		if _, err := l.OpenAccounts(ctx, "test", county, []ledger.NewAccount{a}); errs.CodeOf(err) != "account_exists" {
			t.Fatalf("changed attributes: %v", err)
		}
		b := ledger.NewAccount{Code: "x", Kind: ledger.Household, Name: "x", Place: place.Code("990102100201")}
		if _, err := l.OpenAccounts(ctx, "test", county, []ledger.NewAccount{b}); errs.CodeOf(err) != "invalid_place" {
			t.Fatalf("place outside county: %v", err)
		}
	})
}

// TestTraceGroupsHouseholds: a channel that reaches many households is
// traced with them grouped by source and village, each household counted
// once however often it was paid; a place prefix keeps one village and
// merges the rest into the outside node.
func TestTraceGroupsHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := fixture(t, db, 0)
		fund(t, l, "fund", "100000", "")
		villages := []string{county + "100201", county + "100202"}
		var accs []ledger.NewAccount
		var pay1, pay2 []ledger.TransferRequest
		for i := 0; i < 600; i++ {
			code := fmt.Sprintf("g:%d", i)
			accs = append(accs, ledger.NewAccount{Code: code, Kind: ledger.Household, Name: code, Place: place.Code(villages[i%2])})
			pay1 = append(pay1, ledger.TransferRequest{Key: "p1-" + code, Kind: "payment", From: "pool", To: code, Legs: []ledger.Leg{{Channel: "ZX", Amount: 100}}})
			pay2 = append(pay2, ledger.TransferRequest{Key: "p2-" + code, Kind: "payment", From: "pool", To: code, Legs: []ledger.Leg{{Channel: "ZX", Amount: 50}}})
		}
		if _, err := l.OpenAccounts(ctx, "test", county, accs); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Post(ctx, "test", county, pay1); err != nil {
			t.Fatal(err)
		}
		if err := l.RefreshProjections(ctx, county); err != nil { // the second payments in a later chunk
			t.Fatal(err)
		}
		if _, err := l.Post(ctx, "test", county, pay2); err != nil {
			t.Fatal(err)
		}
		tr, err := l.TraceChannel(ctx, county, "ZX", "")
		if err != nil {
			t.Fatal(err)
		}
		groups := map[place.Code]ledger.TraceNode{}
		for _, n := range tr.Nodes {
			if n.Group > 0 {
				groups[n.Place] = n
			}
		}
		if len(groups) != 2 || groups[place.Code(villages[0])].Group != 300 || groups[place.Code(villages[1])].Group != 300 {
			t.Fatalf("groups %+v", groups)
		}
		var toGroups money.Fen
		for _, e := range tr.Edges {
			if tr.Nodes[e.To].Group > 0 {
				toGroups += e.Amount
				if e.Count != 600 {
					t.Errorf("edge to a village group counts %d transfers, want 600", e.Count)
				}
			}
		}
		if toGroups != 600*150 {
			t.Errorf("money to the groups = %d fen, want %d", toGroups, 600*150)
		}
		// One village's view: the other village is outside.
		tv, err := l.TraceChannel(ctx, county, "ZX", villages[0])
		if err != nil {
			t.Fatal(err)
		}
		out, ok := tv.Nodes[ledger.OutsideNode]
		if !ok || out.Group != 300+2 { // the other village's 300 households, the treasury and the pool
			t.Errorf("outside node %+v", out)
		}
		for _, n := range tv.Nodes {
			if n.ID != ledger.OutsideNode && !strings.HasPrefix(string(n.Place), villages[0]) {
				t.Errorf("village trace shows %+v", n)
			}
		}
	})
}

// TestReplayAfterTheMoneyMovedOn: retrying a transfer whose money has been
// spent since returns the original, not insufficient_funds.
func TestReplayAfterTheMoneyMovedOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := fixture(t, db, 2)
		fund(t, l, "fund", "100", "")
		first := ledger.TransferRequest{Key: "pay-0", Kind: "payment", From: "pool", To: "hh:0", Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("100")}}}
		ts, err := l.Post(ctx, "test", county, []ledger.TransferRequest{first})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Post(ctx, "test", county, []ledger.TransferRequest{{Key: "pay-1", Kind: "payment", From: "hh:0", To: "hh:1", Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("100")}}}}); err != nil {
			t.Fatal(err)
		}
		again, err := l.Post(ctx, "test", county, []ledger.TransferRequest{first})
		if err != nil || !again[0].Replayed || again[0].ID != ts[0].ID {
			t.Fatalf("replay after the money moved on: %+v %v", again, err)
		}
		// A new transfer of the same shape is still refused.
		first.Key = "pay-2"
		if _, err := l.Post(ctx, "test", county, []ledger.TransferRequest{first}); errs.CodeOf(err) != "insufficient_funds" {
			t.Fatalf("new transfer without money: %v", err)
		}
	})
}
