package ledger_test

import (
	"fmt"
	"strings"
	"testing"

	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

// Two townships: A (villages A1, A2) paid through a project, B paid from
// the pool directly.
const (
	townA = county + "100"
	vilA1 = county + "100201"
	vilA2 = county + "100202"
	vilB1 = county + "200201"
)

// recipientsFixture pays ZX (and some JT) to 30 households of A1, 10 of
// A2, 20 of B1 and an entity of A1; one household of A1 passes 1 yuan of
// ZX on to one of B1. It returns the ZX paid to households and entities.
func recipientsFixture(t *testing.T, db *store.DB) (*ledger.Ledger, money.Fen) {
	t.Helper()
	l := fixture(t, db, 0)
	fund(t, l, "fund", "1000000", "1000000")
	accs := []ledger.NewAccount{
		{Code: "prj", Kind: ledger.Project, Name: "A镇道路项目", Place: place.Code(townA + "000")},
		{Code: "ent", Kind: ledger.Entity, Name: "A1合作社", Place: place.Code(vilA1)},
	}
	var pay []ledger.TransferRequest
	var zx money.Fen
	add := func(code, vil string, n int, from string) {
		for i := 0; i < n; i++ {
			c := fmt.Sprintf("hh:%s-%02d", code, i)
			accs = append(accs, ledger.NewAccount{Code: c, Kind: ledger.Household, Name: "户主" + c, Place: place.Code(vil)})
			amt := money.Fen(10000 + 100*i)
			zx += amt
			legs := []ledger.Leg{{Channel: "ZX", Amount: amt}}
			if i%3 == 0 {
				legs = append(legs, ledger.Leg{Channel: "JT", Amount: 777})
			}
			pay = append(pay, ledger.TransferRequest{Key: "pay-" + c, Kind: "payment", From: from, To: c, Legs: legs})
		}
	}
	add("a1", vilA1, 30, "prj")
	add("a2", vilA2, 10, "prj")
	add("b1", vilB1, 20, "pool")
	if _, err := l.OpenAccounts(ctx, "test", county, accs); err != nil {
		t.Fatal(err)
	}
	first := []ledger.TransferRequest{{Key: "to-prj", Kind: "allocation", From: "pool", To: "prj", Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("100000")}}},
		{Key: "to-ent", Kind: "payment", From: "pool", To: "ent", Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("5000")}}}}
	zx += yuan("5000")
	if _, err := l.Post(ctx, "test", county, append(first, pay...)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Post(ctx, "test", county, []ledger.TransferRequest{{Key: "pass-on", Kind: "transfer", From: "hh:a1-00", To: "hh:b1-00", Legs: []ledger.Leg{{Channel: "ZX", Amount: 100}}}}); err != nil {
		t.Fatal(err)
	}
	return l, zx
}

// heldByRecipients is what households and entities under prefix hold of
// ch, from the place-totals projection (a read model the recipients list
// does not use).
func heldByRecipients(t *testing.T, l *ledger.Ledger, prefix, ch string) money.Fen {
	t.Helper()
	ks, err := l.SummaryByKind(ctx, county, prefix)
	if err != nil {
		t.Fatal(err)
	}
	var sum money.Fen
	for _, k := range ks {
		if k.Channel == ch && (k.Kind == ledger.Household || k.Kind == ledger.Entity) {
			sum += k.Amount
		}
	}
	return sum
}

func allRecipients(t *testing.T, l *ledger.Ledger, f ledger.RecipientFilter) (ledger.RecipientPage, []ledger.Recipient) {
	t.Helper()
	var rows []ledger.Recipient
	var first ledger.RecipientPage
	for off := 0; ; off += f.Limit {
		f.Offset = off
		p, err := l.ChannelRecipients(ctx, county, f)
		if err != nil {
			t.Fatal(err)
		}
		if off == 0 {
			first = p
		}
		rows = append(rows, p.Rows...)
		if len(p.Rows) < f.Limit {
			return first, rows
		}
	}
}

func TestChannelRecipientsSumToTheChannelsMoneyInHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, zx := recipientsFixture(t, db)
		p, rows := allRecipients(t, l, ledger.RecipientFilter{Channel: "ZX", Limit: 7})
		if p.Total != 61 || len(rows) != 61 {
			t.Fatalf("recipients: total %d, rows %d, want 61 (60 households and an entity)", p.Total, len(rows))
		}
		if p.Received != zx+100 { // the passed-on yuan is received twice: once by each household
			t.Errorf("received %s, want %s", p.Received, zx+100)
		}
		var recv, holds money.Fen
		seen := map[string]bool{}
		for _, r := range rows {
			if seen[r.Code] {
				t.Errorf("%s on two pages", r.Code)
			}
			seen[r.Code] = true
			recv += r.Received
			holds += r.Holds()
		}
		if recv != p.Received || p.PaidOut != 100 {
			t.Errorf("rows sum %s, page total %s, paid out %s", recv, p.Received, p.PaidOut)
		}
		if want := heldByRecipients(t, l, "", "ZX"); holds != want || holds != zx {
			t.Errorf("held by the recipients %s; place totals say %s; paid %s", holds, want, zx)
		}
		// A household's own amounts.
		for _, r := range rows {
			switch r.Code {
			case "hh:a1-00":
				if r.Received != 10000 || r.PaidOut != 100 || r.Transfers != 1 {
					t.Errorf("a1-00: %+v", r)
				}
			case "hh:b1-00":
				if r.Received != 10100 || r.Holds() != 10100 || r.Transfers != 2 {
					t.Errorf("b1-00: %+v", r)
				}
			}
		}
		// JT is its own channel: 1 in 3 households, 777 fen each.
		jt, _ := allRecipients(t, l, ledger.RecipientFilter{Channel: "JT", Limit: 100})
		if jt.Total != 10+4+7 || jt.Received != 21*777 {
			t.Errorf("JT recipients %d, %s", jt.Total, jt.Received)
		}
		if _, err := l.ChannelRecipients(ctx, county, ledger.RecipientFilter{Channel: "NOPE"}); errs.KindOf(err) != errs.NotFound {
			t.Errorf("unknown channel: %v", err)
		}
	})
}

func TestChannelRecipientsByPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, _ := recipientsFixture(t, db)
		for _, c := range []struct {
			prefix string
			n      int
		}{{townA, 41}, {vilA2, 10}, {vilB1, 20}, {county + "300", 0}} {
			p, rows := allRecipients(t, l, ledger.RecipientFilter{Channel: "ZX", Prefix: c.prefix, Limit: 50})
			if p.Total != c.n || len(rows) != c.n {
				t.Errorf("%s: %d recipients (%d rows), want %d", c.prefix, p.Total, len(rows), c.n)
			}
			var holds money.Fen
			for _, r := range rows {
				if !strings.HasPrefix(string(r.Place), c.prefix) {
					t.Errorf("%s lists %s of %s", c.prefix, r.Code, r.Place)
				}
				holds += r.Holds()
			}
			if want := heldByRecipients(t, l, c.prefix, "ZX"); holds != want {
				t.Errorf("%s: held %s, place totals %s", c.prefix, holds, want)
			}
		}
		p, err := l.ChannelRecipients(ctx, county, ledger.RecipientFilter{Channel: "ZX", Prefix: place.None})
		if err != nil || p.Total != 0 || p.Rows == nil {
			t.Errorf("no place: %+v %v", p, err)
		}
	})
}

// A drill-down: the project's own diagram holds what it paid, and a
// village's the households of that village.
func TestTraceDrillDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l, _ := recipientsFixture(t, db)
		tr, err := l.TraceChannelIn(ctx, county, "ZX", ledger.TraceScope{From: "prj"})
		if err != nil {
			t.Fatal(err)
		}
		var folds []ledger.TraceNode
		for _, n := range tr.Nodes {
			if n.Group > 0 {
				folds = append(folds, n)
			}
			if n.Code == "ent" || n.Code == "hh:b1-01" {
				t.Errorf("the project's diagram shows %s", n.Code)
			}
		}
		// hh:a1-00 passed money on: not a leaf, its own node.
		if len(folds) != 1 || folds[0].Group != 39 || folds[0].Place != place.Code(townA+"000") || folds[0].Source != "prj" {
			t.Fatalf("project's folds %+v", folds)
		}
		var paid money.Fen
		for _, e := range tr.Edges {
			if e.From == tr.Nodes[e.From].ID && tr.Nodes[e.From].Code == "prj" && e.To != folds[0].ID && tr.Nodes[e.To].Code != "hh:a1-00" {
				t.Errorf("the project pays %+v", tr.Nodes[e.To])
			}
			if e.To == folds[0].ID || tr.Nodes[e.To].Code == "hh:a1-00" {
				paid += e.Amount
			}
		}
		if paid != 30*10000+100*29*30/2+10*10000+100*9*10/2 {
			t.Errorf("project paid its households %s", paid)
		}
		// The village A2 within the project: 10 households, each its own node.
		tv, err := l.TraceChannelIn(ctx, county, "ZX", ledger.TraceScope{From: "prj", Prefix: vilA2})
		if err != nil {
			t.Fatal(err)
		}
		hh := 0
		for _, n := range tv.Nodes {
			if n.Kind == ledger.Household && n.Group == 0 {
				hh++
				if n.Place != vilA2 {
					t.Errorf("village diagram shows %+v", n)
				}
			}
		}
		if hh != 10 {
			t.Errorf("village A2 diagram: %d households, want 10", hh)
		}
		if _, err := l.TraceChannelIn(ctx, county, "ZX", ledger.TraceScope{From: "nope"}); errs.KindOf(err) != errs.NotFound {
			t.Errorf("unknown from: %v", err)
		}
	})
}

// At county scale the households come grouped by village, and by
// township when a source pays more than 12 villages; a village's own
// diagram then reads its households one by one.
func TestTraceGroupsByTownshipAndOpensAVillage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := fixture(t, db, 0)
		fund(t, l, "fund", "100000", "")
		var accs []ledger.NewAccount
		var pay []ledger.TransferRequest
		for tw := 1; tw <= 2; tw++ {
			for v := 1; v <= 13; v++ {
				vil := fmt.Sprintf("%s%03d%03d", county, tw*100, 200+v)
				for i := 0; i < 20; i++ {
					code := fmt.Sprintf("g:%s-%d", vil, i)
					accs = append(accs, ledger.NewAccount{Code: code, Kind: ledger.Household, Name: code, Place: place.Code(vil)})
					pay = append(pay, ledger.TransferRequest{Key: "p-" + code, Kind: "payment", From: "pool", To: code, Legs: []ledger.Leg{{Channel: "ZX", Amount: 100}}})
				}
			}
		}
		if _, err := l.OpenAccounts(ctx, "test", county, accs); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Post(ctx, "test", county, pay); err != nil {
			t.Fatal(err)
		}
		tr, err := l.TraceChannel(ctx, county, "ZX", "")
		if err != nil {
			t.Fatal(err)
		}
		groups := map[place.Code]int{}
		for _, n := range tr.Nodes {
			if n.Group > 0 {
				groups[n.Place] = n.Group
			}
		}
		if len(groups) != 2 || groups[place.Code(county+"100000")] != 260 || groups[place.Code(county+"200000")] != 260 {
			t.Fatalf("county diagram groups %v, want two townships of 260", groups)
		}
		vil := county + "100201"
		tv, err := l.TraceChannelIn(ctx, county, "ZX", ledger.TraceScope{Prefix: vil})
		if err != nil {
			t.Fatal(err)
		}
		var fold ledger.TraceNode
		var in money.Fen
		for _, n := range tv.Nodes {
			if n.Group > 0 && n.ID != ledger.OutsideNode {
				fold = n
			}
		}
		for _, e := range tv.Edges {
			if e.To == fold.ID && e.From == ledger.OutsideNode { // the pool is outside the village
				in += e.Amount
			}
		}
		if fold.Group != 20 || fold.Place != place.Code(vil) || fold.Source != "" || in != 20*100 {
			t.Errorf("village diagram: fold %+v with %s", fold, in)
		}
		if out := tv.Nodes[ledger.OutsideNode]; out.Group != 2+500 { // treasury, pool and the other villages' households
			t.Errorf("outside %+v", out)
		}
	})
}
