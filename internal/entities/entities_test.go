package entities_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"onepool/internal/audit"
	"onepool/internal/auth"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/ident"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/registry"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/tabular"
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

// uscc makes a valid unified social credit code from a 17-character body.
func uscc(body string) string {
	w := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, r := range body {
		sum += strings.IndexRune(usccAlphabet, r) * w[i]
	}
	return body + string(usccAlphabet[(31-sum%31)%31])
}

func usccN(n int) string { return uscc(fmt.Sprintf("93520000MA%07d", n)) }

func residentID(seq int) string {
	body := fmt.Sprintf("99010119700101%03d", seq)
	return body + string(ident.ResidentIDCheckChar(body))
}

type env struct {
	db  *store.DB
	l   *ledger.Ledger
	reg *registry.Service
	s   *entities.Service
	fs  *funds.Service
}

func newEnv(t *testing.T, db *store.DB) env {
	t.Helper()
	keys, err := registry.NewKeys([]byte("entities-test-key-0123456789abcd"))
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db, nil)
	reg := registry.New(db, keys, nil)
	pc := policy.NewCounties(db, nil)
	if _, err := pc.Choose(ctx, "t", county, "zigui", ""); err != nil {
		t.Fatal(err)
	}
	return env{db: db, l: l, reg: reg, s: entities.New(db, l, reg, keys, nil), fs: funds.New(db, l, pc, nil)}
}

func coop(n int, pl string) entities.Entity {
	return entities.Entity{USCC: usccN(n), Kind: entities.Cooperative, Name: fmt.Sprintf("桃园茶叶专业合作社%d", n), Place: place.Code(pl), LegalRep: "杨文清",
		RepID: residentID(n), Bank: entities.Bank{Holder: fmt.Sprintf("桃园茶叶专业合作社%d", n), Bank: "青禾农商银行", Number: "3301 2345 6789 0123 45"}}
}

func TestCreateChecksAndScopes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// A wrong check character is refused, naming the field.
		bad := coop(1, "990101001001")
		bad.USCC = bad.USCC[:17] + map[bool]string{true: "1", false: "0"}[bad.USCC[17] == '0']
		if _, _, err := e.s.Create(ctx, rural, bad); errs.CodeOf(err) != "invalid_uscc" {
			t.Fatalf("wrong check character: %v", err)
		}
		// A village collective belongs to a village.
		col := coop(2, "990101001000")
		col.Kind = entities.Collective
		if _, _, err := e.s.Create(ctx, rural, col); errs.CodeOf(err) != "invalid_place" {
			t.Fatalf("collective at a township: %v", err)
		}
		// Created: its ledger account is opened, of kind entity, at its place.
		c, replayed, err := e.s.Create(ctx, township, coop(3, "990101001001"))
		if err != nil || replayed {
			t.Fatalf("create: %v %v", replayed, err)
		}
		a, err := e.l.Account(ctx, county, c.Account)
		if err != nil || a.Kind != ledger.Entity || a.Place != "990101001001" || c.Account != "ent:"+usccN(3) {
			t.Fatalf("account %q: %+v %v", c.Account, a, err)
		}
		if c.Bank.Masked != "3301****2345" || strings.Contains(fmt.Sprint(c), "6789") || c.RepIDMasked == "" || strings.Contains(fmt.Sprint(c), residentID(3)) {
			t.Fatalf("read not masked: %+v", c)
		}
		// The same again is a replay; other content with the same code a conflict.
		if _, replayed, err := e.s.Create(ctx, township, coop(3, "990101001001")); err != nil || !replayed {
			t.Fatalf("replay: %v %v", replayed, err)
		}
		other := coop(3, "990101001001")
		other.Name = "另一个名称"
		if _, _, err := e.s.Create(ctx, rural, other); errs.CodeOf(err) != "entity_exists" {
			t.Fatalf("duplicate: %v", err)
		}
		// Another township's officer: the entity is not found, exactly as a missing one.
		_, err1 := e.s.Get(ctx, town2, usccN(3))
		_, err2 := e.s.Get(ctx, town2, usccN(99))
		if errs.KindOf(err1) != errs.NotFound || err1.Error() != err2.Error() {
			t.Fatalf("outside the area: %v / missing: %v", err1, err2)
		}
		if _, err := e.s.Invested(ctx, town2, usccN(3)); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("invested outside: %v", err)
		}
		if _, err := e.s.Reveal(ctx, town2, usccN(3), entities.FieldBank); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("reveal outside: %v", err)
		}
		// Nor may they create one there, nor list it.
		if _, _, err := e.s.Create(ctx, town2, coop(4, "990101001001")); errs.CodeOf(err) != "outside_area" {
			t.Fatalf("create outside: %v", err)
		}
		list, total, err := e.s.List(ctx, town2, entities.Filter{})
		if err != nil || total != 0 || len(list) != 0 {
			t.Fatalf("town2 list: %v %d %v", list, total, err)
		}
		list, total, err = e.s.List(ctx, township, entities.Filter{Q: "茶叶"})
		if err != nil || total != 1 || list[0].USCC != usccN(3) {
			t.Fatalf("township search: %v %d %v", list, total, err)
		}
		if _, total, _ := e.s.List(ctx, township, entities.Filter{Kind: entities.Leading}); total != 0 {
			t.Fatalf("kind filter: %d", total)
		}
		// The finance bureau reads but does not write; the clear view is audited.
		if _, _, err := e.s.Create(ctx, finance, coop(5, "990101001001")); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("finance create: %v", err)
		}
		if _, err := e.s.Reveal(ctx, finance, usccN(3), entities.FieldBank); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("finance reveal: %v", err)
		}
		clear, err := e.s.Reveal(ctx, township, usccN(3), entities.FieldBank)
		if err != nil || clear != "330123456789012345" {
			t.Fatalf("reveal: %q %v", clear, err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE county = ? AND action = 'entities.reveal'`, county).Scan(&n); err != nil || n != 1 {
			t.Fatalf("reveal audited %d times: %v", n, err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE county = ? AND action = 'entities.create'`, county).Scan(&n); err != nil || n != 1 {
			t.Fatalf("create audited %d times (the replay writes nothing): %v", n, err)
		}
		// The database holds the number only sealed.
		var raw string
		if err := db.QueryRowContext(ctx, `SELECT bank_enc || rep_id_enc || bank_hash || bank_mask FROM ent_entities WHERE county = ?`, county).Scan(&raw); err != nil || strings.Contains(raw, "330123456789012345") || strings.Contains(raw, residentID(3)) {
			t.Fatalf("stored in clear: %v", err)
		}
		if probs, err := audit.Verify(ctx, db); err != nil || len(probs) > 0 {
			t.Fatal(probs, err)
		}
	})
}

func TestLinkExistingAccountAndInvested(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		root := place.Code("990101000000")
		if _, err := e.l.CreateChannels(ctx, "t", county, []ledger.NewChannel{{Code: "ZX", Name: "中央"}, {Code: "SJ", Name: "省级"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.l.OpenAccounts(ctx, "t", county, []ledger.NewAccount{
			{Code: "treasury", Kind: ledger.External, Name: "国库", Place: root},
			{Code: "col:taoyuan", Kind: ledger.Collective, Name: "桃园村股份经济合作社", Place: "990101001002"},
			{Code: "ent:b", Kind: ledger.Entity, Name: "乙", Place: "990101002001"},
		}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"P1", "P2"} {
			if _, err := e.fs.CreateProject(ctx, "t", county, funds.Project{Status: funds.StatusApproved, Code: p, Name: "项目" + p, Place: "990101001002", Purpose: "industry"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.l.Post(ctx, "t", county, []ledger.TransferRequest{
			{Key: "in1", Kind: "arrival", From: "treasury", To: "prj:P1", Legs: []ledger.Leg{{Channel: "ZX", Amount: 500_000_00}, {Channel: "SJ", Amount: 100_000_00}}},
			{Key: "in2", Kind: "arrival", From: "treasury", To: "prj:P2", Legs: []ledger.Leg{{Channel: "SJ", Amount: 50_000_00}}},
			{Key: "pay1", Kind: "payment", From: "prj:P1", To: "col:taoyuan", Legs: []ledger.Leg{{Channel: "ZX", Amount: 300_000_00}, {Channel: "SJ", Amount: 100_000_00}}},
			{Key: "pay2", Kind: "payment", From: "prj:P2", To: "col:taoyuan", Legs: []ledger.Leg{{Channel: "SJ", Amount: 20_000_00}}},
			{Key: "back", Kind: "refund", From: "col:taoyuan", To: "prj:P1", Legs: []ledger.Leg{{Channel: "ZX", Amount: 1_000_00}}},
		}); err != nil {
			t.Fatal(err)
		}
		col := entities.Entity{USCC: usccN(10), Kind: entities.Collective, Name: "桃园村股份经济合作社", Place: "990101001002", LegalRep: "杨文清", Account: "col:taoyuan"}
		// An account of the wrong kind, or of another township, is refused.
		wrong := col
		wrong.Kind, wrong.Account = entities.Cooperative, "col:taoyuan"
		if _, _, err := e.s.Create(ctx, rural, wrong); errs.CodeOf(err) != "invalid_account" {
			t.Fatalf("wrong kind: %v", err)
		}
		far := col
		far.Account = "ent:b"
		if _, _, err := e.s.Create(ctx, township, far); errs.CodeOf(err) != "unknown_account" {
			t.Fatalf("account outside the area: %v", err)
		}
		c, _, err := e.s.Create(ctx, township, col)
		if err != nil || c.Account != "col:taoyuan" {
			t.Fatalf("link: %+v %v", c, err)
		}
		// One account, one entity.
		again := col
		again.USCC = usccN(11)
		if _, _, err := e.s.Create(ctx, rural, again); errs.CodeOf(err) != "account_linked" {
			t.Fatalf("second entity on the account: %v", err)
		}
		inv, err := e.s.Invested(ctx, township, usccN(10))
		if err != nil {
			t.Fatal(err)
		}
		want := []entities.Investment{
			{Project: "P1", From: "prj:P1", Channel: "SJ", Amount: 100_000_00},
			{Project: "P1", From: "prj:P1", Channel: "ZX", Amount: 299_000_00},
			{Project: "P2", From: "prj:P2", Channel: "SJ", Amount: 20_000_00},
		}
		if fmt.Sprint(inv) != fmt.Sprint(want) {
			t.Fatalf("invested:\n got %v\nwant %v", inv, want)
		}
	})
}

func TestLinksAndEffects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for i, h := range []struct{ code, vil string }{{"990101001001-01", "990101001001"}, {"990101001001-02", "990101001001"}, {"990101002001-01", "990101002001"}} {
			if _, _, err := e.reg.Save(ctx, rural, registry.Household{County: county, Code: h.code, Village: place.Code(h.vil), Head: "李春生",
				Members: []registry.Member{{Name: "李春生", ResidentID: residentID(100 + i), Relation: "户主", Alive: true}}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := e.s.Create(ctx, rural, coop(20, "990101001001")); err != nil {
			t.Fatal(err)
		}
		u := usccN(20)
		eff := entities.Effect{Year: 2025, Income: money.Fen(1_200_00)}
		if _, err := e.s.AddLink(ctx, township, u, entities.Link{Household: "990101001001-01", Type: entities.Employment, Since: "2024-03-01"}, &eff); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.AddLink(ctx, township, u, entities.Link{Household: "990101001001-01", Type: entities.LandTransfer, Since: "2024-03-01"}, nil); err != nil {
			t.Fatal(err)
		}
		if rep, err := e.s.AddLink(ctx, township, u, entities.Link{Household: "990101001001-01", Type: entities.Employment, Since: "2024-03-01"}, &eff); err != nil || !rep {
			t.Fatalf("the same link again is a replay: %v %v", rep, err)
		}
		if _, err := e.s.AddLink(ctx, township, u, entities.Link{Household: "990101001001-01", Type: entities.Employment, Since: "2024-05-01"}, nil); errs.CodeOf(err) != "link_exists" {
			t.Fatalf("twice: %v", err)
		}
		// A household of another township is, for this officer, missing.
		_, err1 := e.s.AddLink(ctx, township, u, entities.Link{Household: "990101002001-01", Type: entities.Order, Since: "2024-03-01"}, nil)
		_, err2 := e.s.AddLink(ctx, township, u, entities.Link{Household: "no-such", Type: entities.Order, Since: "2024-03-01"}, nil)
		if errs.KindOf(err1) != errs.NotFound || err1.Error() != err2.Error() {
			t.Fatalf("household outside: %v / %v", err1, err2)
		}
		if _, err := e.s.AddLink(ctx, township, u, entities.Link{Household: "990101001001-02", Type: "charity", Since: "2024-03-01"}, nil); errs.CodeOf(err) != "invalid_link" {
			t.Fatalf("bad type: %v", err)
		}
		if err := e.s.SetEffect(ctx, township, u, entities.Effect{Household: "990101001001-02", Year: 2025, Income: 100}); errs.CodeOf(err) != "not_linked" {
			t.Fatalf("effect without link: %v", err)
		}
		if err := e.s.SetEffect(ctx, township, u, entities.Effect{Household: "990101001001-01", Year: 2025, Income: 1_500_00}); err != nil {
			t.Fatal(err)
		}
		// The county links a household of the other township: the
		// township officer counts it, never sees it.
		if _, err := e.s.AddLink(ctx, rural, u, entities.Link{Household: "990101002001-01", Type: entities.Order, Since: "2025-01-01"}, nil); err != nil {
			t.Fatal(err)
		}
		ls, n, err := e.s.Links(ctx, township, u)
		if err != nil || n != 2 || len(ls) != 2 {
			t.Fatalf("links: %v %d %v", ls, n, err)
		}
		for _, l := range ls {
			if l.Household != "990101001001-01" || len(l.Effects) != 1 || l.Effects[0].Income != 1_500_00 {
				t.Fatalf("link %+v", l)
			}
		}
		got, _ := e.s.Get(ctx, township, u)
		if got.Households != 2 {
			t.Fatalf("households driven: %d", got.Households)
		}
	})
}

func TestImportAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if _, _, err := e.s.Create(ctx, rural, coop(30, "990101001001")); err != nil {
			t.Fatal(err)
		}
		head := "统一社会信用代码,名称,类型,所在地代码,法定代表人,开户名,开户银行,银行账号\n"
		bad := head +
			usccN(31) + ",清溪镇甲合作社,合作社,990101001001,张三,清溪镇甲合作社,农商行,6222000011112222\n" + // fine
			usccN(32)[:17] + "X,乙公司,龙头企业,990101000000,李四,,,\n" + // wrong check character
			usccN(33) + ",丙农场,渔场,990101001001,王五,,,\n" + // no such kind
			usccN(30) + ",已有合作社,农民专业合作社,990101001001,赵六,,,\n" + // already registered
			usccN(31) + ",重复,家庭农场,990101001001,钱七,,,\n" + // twice in the file
			usccN(34) + ",丁村集体,村集体经济组织,990101001000,孙八,,,\n" + // a collective at a township
			usccN(35) + ",戊园区,农业园区,990101001001,周九,开户人,银行,12ab\n" // a bad account number
		n, err := e.s.Import(ctx, rural, strings.NewReader(bad))
		var ie *tabular.ImportError
		if n != 0 || !errors.As(err, &ie) {
			t.Fatalf("import: %d %v", n, err)
		}
		rows := map[int]string{}
		for _, r := range ie.Rows {
			rows[r.Row] = r.Column
		}
		want := map[int]string{3: "uscc", 4: "kind", 5: "uscc", 6: "uscc", 7: "place", 8: "bank_account"}
		if fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Fatalf("row errors %v, want %v (%v)", rows, want, ie.Rows)
		}
		var count int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ent_entities WHERE county = ?`, county).Scan(&count); err != nil || count != 1 {
			t.Fatalf("after a refused import %d entities: %v", count, err)
		}
		if _, err := e.l.Account(ctx, county, "ent:"+usccN(31)); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("a refused import opened an account: %v", err)
		}
		good := head + usccN(31) + ",清溪镇甲合作社,合作社,990101001001,张三,清溪镇甲合作社,农商行,6222000011112222\n" +
			usccN(36) + ",青禾县绿源农业科技有限公司,龙头企业,990101000000,李四,,,\n" +
			usccN(37) + ",上坝村股份经济合作社,村集体经济组织,990101001001,孙八,,,\n"
		if n, err := e.s.Import(ctx, rural, strings.NewReader(good)); err != nil || n != 3 {
			t.Fatalf("good import: %d %v", n, err)
		}
		a, err := e.l.Account(ctx, county, "col:"+usccN(37))
		if err != nil || a.Kind != ledger.Collective {
			t.Fatalf("collective's account: %+v %v", a, err)
		}
		// A township officer may import only inside the area.
		if _, err := e.s.Import(ctx, town2, strings.NewReader(head+usccN(38)+",某社,合作社,990101001001,张三,,,\n")); err == nil || !errors.As(err, &ie) || ie.Rows[0].Column != "place" {
			t.Fatalf("import outside: %v", err)
		}
	})
}
