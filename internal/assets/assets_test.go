package assets_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const county = "990101"

var ctx = context.Background()

func who(user string, role auth.Role, pl string) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: place.Code(pl), County: county}
}

var (
	rural    = who("rural", auth.RoleRural, "990101000000")
	township = who("town", auth.RoleTownship, "990101001000")
	town2    = who("town2", auth.RoleTownship, "990101002000")
	finance  = who("fin", auth.RoleFinance, "990101000000")
)

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

func uscc(body string) string {
	w := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, r := range body {
		sum += strings.IndexRune(usccAlphabet, r) * w[i]
	}
	return body + string(usccAlphabet[(31-sum%31)%31])
}

// Env is a county with an accepted project P1 built from two channels
// (600,000 on ZX, 400,000 on SJ, all paid to the contractor), a project
// P2 still being built, and the village collectives of 990101001001 and
// 990101001002.
type Env struct {
	DB   *store.DB
	L    *ledger.Ledger
	Ents *entities.Service
	S    *assets.Service
	Col1 string // the collective of 990101001001
	Col2 string // the collective of 990101001002
}

func NewEnv(t *testing.T, db *store.DB) Env {
	t.Helper()
	keys, err := registry.NewKeys([]byte("assets-test-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db, nil)
	reg := registry.New(db, keys, nil)
	pc := policy.NewCounties(db, nil)
	if _, err := pc.Choose(ctx, "t", county, "pingli", ""); err != nil {
		t.Fatal(err)
	}
	ents := entities.New(db, l, reg, keys, nil)
	fs := funds.New(db, l, pc, nil)
	root := place.Code("990101000000")
	if _, err := l.CreateChannels(ctx, "t", county, []ledger.NewChannel{{Code: "ZX", Name: "中央衔接资金"}, {Code: "SJ", Name: "省级衔接资金"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.OpenAccounts(ctx, "t", county, []ledger.NewAccount{{Code: "treasury", Kind: ledger.External, Name: "国库", Place: root},
		{Code: "ext:builder", Kind: ledger.External, Name: "施工单位", Place: root}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []funds.Project{{Status: "accepted", Code: "P1", Name: "扶贫车间", Place: "990101001001", Purpose: "industry"},
		{Status: "construction", Code: "P2", Name: "产业路", Place: "990101001001", Purpose: "infrastructure"}} {
		if _, err := fs.CreateProject(ctx, "t", county, p); err != nil {
			t.Fatal(err)
		}
	}
	legs := []ledger.Leg{{Channel: "ZX", Amount: 600_000_00}, {Channel: "SJ", Amount: 400_000_00}}
	if _, err := l.Post(ctx, "t", county, []ledger.TransferRequest{
		{Key: "in1", Kind: "arrival", From: "treasury", To: "prj:P1", Legs: legs},
		{Key: "pay1", Kind: "payment", From: "prj:P1", To: "ext:builder", Legs: legs},
		{Key: "in2", Kind: "arrival", From: "treasury", To: "prj:P2", Legs: legs[:1]},
		{Key: "pay2", Kind: "payment", From: "prj:P2", To: "ext:builder", Legs: legs[:1]},
	}); err != nil {
		t.Fatal(err)
	}
	e := Env{DB: db, L: l, Ents: ents, S: assets.New(db, l, ents, nil), Col1: uscc("N2990101MA0000001"), Col2: uscc("N2990101MA0000002")}
	for i, c := range []string{e.Col1, e.Col2} {
		if _, _, err := ents.Create(ctx, rural, entities.Entity{USCC: c, Kind: entities.Collective, Name: fmt.Sprintf("第%d村股份经济合作社", i+1),
			Place: place.Code(fmt.Sprintf("99010100100%d", i+1)), LegalRep: "王明"}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// TestWorkshopKeepsTheLegsThatBuiltIt: the acceptance scenario's first
// steps — an accepted project built from two channels registers its
// workshop at 1,000,000 with those legs and confirms it to its village's
// collective — and the bad input of the issue, each refused with nothing
// written.
func TestWorkshopKeepsTheLegsThatBuiltIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := NewEnv(t, db)
		ws := assets.NewAsset{Project: "P1", Name: "扶贫车间", Type: assets.Operating, Category: "workshop", Place: "990101001001", Location: "村委会东侧", Quantity: 1_200_000, Unit: "平方米", Value: 1_000_000_00}
		if _, err := e.S.Register(ctx, township, assets.NewAsset{Project: "P2", Name: "产业路", Type: assets.PublicWelfare, Category: "road", Place: "990101001001", Value: 100_00}); errs.CodeOf(err) != "not_accepted" {
			t.Fatalf("a project not yet accepted: %v", err)
		}
		if _, err := e.S.Register(ctx, finance, ws); errs.CodeOf(err) != "forbidden" {
			t.Fatalf("finance does not keep the register: %v", err)
		}
		if _, err := e.S.Register(ctx, town2, ws); errs.CodeOf(err) != "unknown_asset_place" {
			t.Fatalf("another township's village: %v", err)
		}
		over := ws
		over.Value = 1_000_000_01
		if _, err := e.S.Register(ctx, township, over); errs.CodeOf(err) != "value_exceeds_spent" {
			t.Fatalf("more than the project paid: %v", err)
		}
		a, err := e.S.Register(ctx, township, ws)
		if err != nil {
			t.Fatal(err)
		}
		if a.Code != "ZC000001" || a.Status != assets.Registered || a.Value != 1_000_000_00 || a.Account != "ast:1" {
			t.Fatalf("registered: %+v", a)
		}
		if fmt.Sprint(a.Legs) != "[{SJ 400,000.00} {ZX 600,000.00}]" {
			t.Fatalf("legs: %v", a.Legs)
		}
		if assets.QuantityText(a.Quantity) != "1200" {
			t.Fatalf("quantity %d", a.Quantity)
		}
		// The project's money is all in the workshop now.
		if _, err := e.S.Register(ctx, township, assets.NewAsset{Project: "P1", Name: "配电房", Type: assets.Operating, Category: "building", Place: "990101001001", Value: 1}); errs.CodeOf(err) != "value_exceeds_spent" {
			t.Fatalf("a second asset beyond the money: %v", err)
		}
		if _, err := e.S.Get(ctx, town2, a.ID); errs.CodeOf(err) != "unknown_asset" {
			t.Fatalf("outside the area: %v", err)
		}
		if _, err := e.S.Confirm(ctx, township, a.ID, assets.Confirmation{Owner: e.Col2, Doc: "平政确〔2026〕3号"}); errs.CodeOf(err) != "collective_elsewhere" {
			t.Fatalf("a collective of another village: %v", err)
		}
		if _, err := e.S.Confirm(ctx, township, a.ID, assets.Confirmation{Doc: "平政确〔2026〕3号", Shares: []assets.Share{{Village: "990101001001", Share: 6000}, {Village: "990101001002", Share: 3000}}}); errs.CodeOf(err) != "shares_not_whole" {
			t.Fatalf("shares of 90%%: %v", err)
		}
		if _, err := e.S.Confirm(ctx, township, a.ID, assets.Confirmation{}); errs.CodeOf(err) != "invalid_asset" {
			t.Fatalf("no document: %v", err)
		}
		got, err := e.S.Get(ctx, township, a.ID)
		if err != nil || got.Status != assets.Registered || len(got.Shares) != 0 {
			t.Fatalf("a refused confirmation wrote: %+v %v", got, err)
		}
		c, err := e.S.Confirm(ctx, township, a.ID, assets.Confirmation{Doc: "平政确〔2026〕3号", Shares: []assets.Share{{Village: "990101001001", Share: 7000}, {Village: "990101001002", Share: 3000}}})
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != assets.Confirmed || c.OwnerKind != assets.OwnerCollective || c.Owner != e.Col1 || len(c.Shares) != 2 {
			t.Fatalf("confirmed: %+v", c)
		}
		if _, err := e.S.Confirm(ctx, township, a.ID, assets.Confirmation{Doc: "x"}); errs.CodeOf(err) != "already_confirmed" {
			t.Fatalf("confirmed twice: %v", err)
		}
		ev, err := e.S.Events(ctx, rural, a.ID)
		if err != nil || len(ev) != 2 || ev[0].Action != "registered" || ev[1].Action != "confirmed" || ev[0].Detail["leg:ZX"] != "600000.00" {
			t.Fatalf("history: %+v %v", ev, err)
		}
	})
}
