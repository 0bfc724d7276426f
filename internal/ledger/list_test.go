package ledger_test

import (
	"fmt"
	"testing"

	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// TestTransfersListByPlace: a township's and a village's transfers list
// holds exactly the transfers that touched an account of theirs — the
// ones posted before and after a projection catch-up alike — newest
// first, a page at a time, with the filters; a count past CountCap says
// "more".
func TestTransfersListByPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := fixture(t, db, 0)
		fund(t, l, "fund", "1000000", "1000")
		villages := []string{county + "001001", county + "001002", county + "002001"}
		var accs []ledger.NewAccount
		for i, v := range villages {
			accs = append(accs, ledger.NewAccount{Code: fmt.Sprintf("v%d", i), Kind: ledger.Household, Name: "农户", Place: place.Code(v)})
		}
		accs = append(accs, ledger.NewAccount{Code: "twp1", Kind: ledger.Collective, Name: "乡镇", Place: place.Code(county + "001000")})
		if _, err := l.OpenAccounts(ctx, "test", county, accs); err != nil {
			t.Fatal(err)
		}
		var batch []ledger.TransferRequest
		want := map[string]int{}
		for i := 0; i < 30; i++ {
			to := fmt.Sprintf("v%d", i%3)
			if i%10 == 9 {
				to = "twp1"
			}
			batch = append(batch, ledger.TransferRequest{Key: fmt.Sprint("p", i), Kind: "payment", From: "pool", To: to, Legs: []ledger.Leg{{Channel: "ZX", Amount: 100}}})
			switch to {
			case "v0":
				want["990101001"]++
				want["990101001001"]++
			case "v1":
				want["990101001"]++
				want["990101001002"]++
			case "v2":
				want["990101002"]++
				want["990101002001"]++
			case "twp1":
				want["990101001"]++
			}
			if i == 14 {
				if _, err := l.Post(ctx, "test", county, batch); err != nil {
					t.Fatal(err)
				}
				if err := l.RefreshProjections(ctx, county); err != nil {
					t.Fatal(err)
				}
				batch = nil
			}
		}
		if _, err := l.Post(ctx, "test", county, batch); err != nil {
			t.Fatal(err)
		}
		// A transfer between two places of township 1: listed once for it.
		if _, err := l.Post(ctx, "test", county, []ledger.TransferRequest{{Key: "v0v1", Kind: "adjustment", From: "v0", To: "v1", Legs: []ledger.Leg{{Channel: "ZX", Amount: 1}}}}); err != nil {
			t.Fatal(err)
		}
		want["990101001"]++
		want["990101001001"]++
		want["990101001002"]++
		for prefix, n := range want {
			ts, total, err := l.ListTransfers(ctx, county, ledger.TransferFilter{Prefix: prefix, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			if total != n || len(ts) != n {
				t.Errorf("%s: %d listed, total %d, want %d", prefix, len(ts), total, n)
			}
			for i := 1; i < len(ts); i++ {
				if ts[i].ID >= ts[i-1].ID {
					t.Errorf("%s: not newest first at %d", prefix, i)
				}
			}
		}
		// Filters and pages on a township's list.
		ts, total, err := l.ListTransfers(ctx, county, ledger.TransferFilter{Prefix: "990101001", Kind: "adjustment"})
		if err != nil || total != 1 || len(ts) != 1 || ts[0].Key != "v0v1" {
			t.Errorf("township adjustments: %d %v %v", total, ts, err)
		}
		page, total, err := l.ListTransfers(ctx, county, ledger.TransferFilter{Prefix: "990101001", Limit: 5, Offset: 5})
		if err != nil || total != want["990101001"] || len(page) != 5 {
			t.Errorf("township page 2: %d rows of %d, %v", len(page), total, err)
		}
		if _, total, _ := l.ListTransfers(ctx, county, ledger.TransferFilter{Prefix: "990101003"}); total != 0 {
			t.Errorf("a township with no account: %d", total)
		}
		// The whole county: every transfer (the fund, 30 payments, 1).
		if _, total, _ := l.ListTransfers(ctx, county, ledger.TransferFilter{Prefix: county}); total != 32 {
			t.Errorf("county: %d", total)
		}
		// The desk's recent transfers of a place: the same transfers, newest
		// first, before an id.
		for prefix, n := range want {
			recent, err := l.RecentTransfersIn(ctx, county, prefix, 0, 500)
			if err != nil || len(recent) != n {
				t.Errorf("recent in %s: %d, want %d (%v)", prefix, len(recent), n, err)
				continue
			}
			older, err := l.RecentTransfersIn(ctx, county, prefix, recent[0].ID, 500)
			if err != nil || len(older) != n-1 || (len(older) > 0 && older[0].ID != recent[1].ID) {
				t.Errorf("recent in %s before %d: %d, want %d (%v)", prefix, recent[0].ID, len(older), n-1, err)
			}
		}

		// Past the cap the count says more.
		defer func(n int) { ledger.CountCap = n }(ledger.CountCap)
		ledger.CountCap = 40
		var many []ledger.TransferRequest
		for i := 0; i <= ledger.CountCap; i++ {
			many = append(many, ledger.TransferRequest{Key: fmt.Sprint("m", i), Kind: "payment", From: "pool", To: "v2", Legs: []ledger.Leg{{Channel: "JT", Amount: 0 + 1}}})
			if len(many) == ledger.MaxBatch {
				if _, err := l.Post(ctx, "test", county, many); err != nil {
					t.Fatal(err)
				}
				many = many[:0]
			}
		}
		if _, err := l.Post(ctx, "test", county, many); err != nil {
			t.Fatal(err)
		}
		ts, total, err = l.ListTransfers(ctx, county, ledger.TransferFilter{Prefix: "990101002", Limit: 10, Offset: 20})
		if err != nil || total != ledger.CountCap+1 || len(ts) != 10 {
			t.Errorf("past the cap: total %d, %d rows, %v", total, len(ts), err)
		}
	})
}

// TestReadModels: each channel's money by where it sits sums to what
// arrived; the public payouts leave out a payment that was reversed.
func TestReadModels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := fixture(t, db, 2)
		fund(t, l, "fund", "1000", "500")
		if _, err := l.Post(ctx, "test", county, []ledger.TransferRequest{
			{Key: "p0", Kind: "payment", From: "pool", To: "hh:0", Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("100")}, {Channel: "JT", Amount: yuan("50")}}},
			{Key: "p1", Kind: "payment", From: "pool", To: "hh:1", Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("30")}}},
		}); err != nil {
			t.Fatal(err)
		}
		ts, _, err := l.ListTransfers(ctx, county, ledger.TransferFilter{Kind: "payment"})
		if err != nil || len(ts) != 2 {
			t.Fatal(ts, err)
		}
		var p1 int64
		for _, tr := range ts {
			if tr.Key == "p1" {
				p1 = tr.ID
			}
		}
		if _, err := l.Post(ctx, "test", county, []ledger.TransferRequest{{Key: "r1", Kind: "reversal", Reverses: p1}}); err != nil {
			t.Fatal(err)
		}
		rows, total, err := l.ChannelSummary(ctx, county, county)
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]ledger.ChannelWhere{}
		for _, r := range rows {
			by[r.Code] = r
		}
		if zx := by["ZX"]; len(rows) != 2 || zx.Arrived != yuan("1000") || zx.Households != yuan("100") || zx.InPool != yuan("900") {
			t.Errorf("ZX (the reversed 30 back in the pool): %+v", zx)
		}
		if total.Arrived != yuan("1500") || total.PaidOut() != yuan("150") || total.InPool+total.Households != total.Arrived {
			t.Errorf("total: %+v", total)
		}
		ps, err := l.RecentPayouts(ctx, county, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 2 || ps[0].Account.Code != "hh:0" || ps[0].Amount+ps[1].Amount != yuan("150") {
			t.Errorf("payouts (the reversed one left out): %+v", ps)
		}
	})
}
