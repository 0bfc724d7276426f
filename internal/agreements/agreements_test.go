package agreements_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"onepool/internal/agreements"
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
	"onepool/internal/workflow"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const county = "990101"

var ctx = context.Background()

func who(user string, role auth.Role, pl string) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: place.Code(pl), County: county}
}

var (
	rural    = who("rural", auth.RoleRural, "990101000000")
	rural2   = who("rural2", auth.RoleRural, "990101000000")
	village  = who("cun", auth.RoleVillage, "990101001001")
	township = who("town", auth.RoleTownship, "990101001000")
	town1b   = who("town1b", auth.RoleTownship, "990101001000")
	town2    = who("town2", auth.RoleTownship, "990101002000")
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

func residentID(seq int) string {
	body := fmt.Sprintf("99010119700101%03d", seq)
	return body + string(ident.ResidentIDCheckChar(body))
}

type env struct {
	db   *store.DB
	s    *agreements.Service
	coop string // the cooperative's USCC (600,000 of project P1 on two channels)
}

// newEnv: the Zhijin profile; households 990101001001-01 … -40 (township
// 001) and 990101002001-01 (township 002); a cooperative of village
// 990101001001 into which project P1 paid 500,000 (ZX) + 100,000 (SJ).
func newEnv(t *testing.T, db *store.DB) env {
	t.Helper()
	keys, err := registry.NewKeys([]byte("agreements-test-key-0123456789ab"))
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(db, nil)
	reg := registry.New(db, keys, nil)
	pc := policy.NewCounties(db, nil)
	if _, err := pc.Choose(ctx, "t", county, "zhijin", ""); err != nil {
		t.Fatal(err)
	}
	ents := entities.New(db, l, reg, keys, nil)
	fs := funds.New(db, l, pc, nil)
	codes := []struct{ code, vil string }{{"990101002001-01", "990101002001"}}
	for i := 1; i <= 40; i++ {
		codes = append(codes, struct{ code, vil string }{fmt.Sprintf("990101001001-%02d", i), "990101001001"})
	}
	for i, h := range codes {
		if _, _, err := reg.Save(ctx, rural, registry.Household{County: county, Code: h.code, Village: place.Code(h.vil), Head: "李春生",
			Members: []registry.Member{{Name: "李春生", ResidentID: residentID(100 + i), Relation: "户主", Alive: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	root := place.Code("990101000000")
	if _, err := l.CreateChannels(ctx, "t", county, []ledger.NewChannel{{Code: "ZX", Name: "中央"}, {Code: "SJ", Name: "省级"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.OpenAccounts(ctx, "t", county, []ledger.NewAccount{{Code: "treasury", Kind: ledger.External, Name: "国库", Place: root}}); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.CreateProject(ctx, "t", county, funds.Project{Status: funds.StatusApproved, Code: "P1", Name: "茶园", Place: "990101001001", Purpose: "industry"}); err != nil {
		t.Fatal(err)
	}
	co := uscc("93520000MA0000001")
	if _, _, err := ents.Create(ctx, rural, entities.Entity{USCC: co, Kind: entities.Cooperative, Name: "桃园茶叶专业合作社", Place: "990101001001", LegalRep: "杨文清"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Post(ctx, "t", county, []ledger.TransferRequest{
		{Key: "in1", Kind: "arrival", From: "treasury", To: "prj:P1", Legs: []ledger.Leg{{Channel: "ZX", Amount: 500_000_00}, {Channel: "SJ", Amount: 100_000_00}}},
		{Key: "pay1", Kind: "payment", From: "prj:P1", To: entities.AccountCode(entities.Cooperative, co), Legs: []ledger.Leg{{Channel: "ZX", Amount: 500_000_00}, {Channel: "SJ", Amount: 100_000_00}}},
	}); err != nil {
		t.Fatal(err)
	}
	return env{db: db, s: agreements.New(db, ents, workflow.New(db, nil), pc, nil), coop: co}
}

func forty() []agreements.Party {
	var ps []agreements.Party
	for i := 1; i <= 40; i++ {
		ps = append(ps, agreements.Party{Household: fmt.Sprintf("990101001001-%02d", i), Shares: 1})
	}
	return ps
}

func pct(v ...int64) []policy.Percent {
	out := make([]policy.Percent, len(v))
	for i, x := range v {
		out[i] = policy.Percent(x * 100)
	}
	return out
}

func (e env) guaranteed() agreements.Agreement {
	return agreements.Agreement{Kind: agreements.Entity, Form: agreements.Guaranteed, Township: "990101001000", Entity: e.coop, Project: "P1",
		Start: "2026-01-01", TermYears: 3, Rates: pct(5, 6, 7), CollateralKind: agreements.CollateralAssets, Collateral: 700_000_00, Parties: forty()}
}

func subsidy(h string, amount money.Fen) agreements.Agreement {
	return agreements.Agreement{Kind: agreements.Subsidy, Purpose: "发展养牛", Amount: amount, Start: "2026-03-01", TermYears: 3, Parties: []agreements.Party{{Household: h}}}
}

// TestRulesRefusedWithTheirNumbers: each rule of the Zhijin profile is
// refused where the terms are entered, naming the rule and its numbers,
// and nothing is written.
func TestRulesRefusedWithTheirNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		g := e.guaranteed()
		a, err := e.s.Create(ctx, township, g)
		if err != nil {
			t.Fatal(err)
		}
		if a.Amount != 600_000_00 || fmt.Sprint(a.Legs) != "[{SJ 100,000.00} {ZX 500,000.00}]" {
			t.Fatalf("invested read from the ledger: %v %v", a.Amount, a.Legs)
		}
		if s := a.Schedule(); len(s) != 3 || s[0].Dividend != 30_000_00 || s[2].Dividend != 42_000_00 {
			t.Fatalf("schedule: %+v", s)
		}
		if _, err := e.s.Terminate(ctx, township, a.ID, "重新起草"); errs.CodeOf(err) != "wrong_state" {
			t.Fatalf("a draft is not terminated: %v", err)
		}
		// The same money under a second agreement is refused.
		if _, err := e.s.Create(ctx, township, g); errs.CodeOf(err) != "money_committed" {
			t.Fatalf("overlap: %v", err)
		}
		bad := func(name, code string, want []string, f func(*agreements.Agreement)) {
			t.Helper()
			x := e.guaranteed()
			x.Project = "P-none"
			f(&x)
			_, err := e.s.Create(ctx, township, x)
			if errs.CodeOf(err) != code {
				t.Fatalf("%s: got %v, want %s", name, err, code)
			}
			ee, _ := errs.As(err)
			msg := fmt.Sprintf(ee.Message, ee.Args...)
			for _, w := range want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s: %q does not name %q", name, msg, w)
				}
			}
		}
		real := func(x *agreements.Agreement) { x.Project = "P1"; x.Entity = e.coop }
		// For the rule checks the money must be real: cancel the overlap by
		// terminating is not possible for a draft, so check on a second
		// project-less copy whose amount is read first → no_investment.
		bad("no money", "no_investment", []string{"P-none"}, func(x *agreements.Agreement) {})
		// The rest run against the real money: the overlap check comes after the rules.
		bad("rate 4%", "dividend_too_low", []string{"4%", "5%", "guaranteed_dividend_min"}, func(x *agreements.Agreement) { real(x); x.Rates = pct(4, 6, 7) })
		bad("flat", "dividend_not_rising", []string{"year 2", "5%", "guaranteed_rising"}, func(x *agreements.Agreement) { real(x); x.Rates = pct(5, 5, 5) })
		bad("two years", "term_too_short", []string{"2 years", "3", "min_term_years"}, func(x *agreements.Agreement) { real(x); x.TermYears, x.Rates = 2, pct(5, 6) })
		bad("collateral", "collateral_too_low", []string{"599,999.99", "600,000.00", "100%", "collateral_min"}, func(x *agreements.Agreement) { real(x); x.Collateral = 599_999_99 })
		bad("equity 65%", "equity_share_too_low", []string{"65%", "70%", "equity_dividend_min"}, func(x *agreements.Agreement) {
			real(x)
			x.Form, x.HouseholdsShare, x.Manager = agreements.Equity, 6500, "王建"
		})
		bad("no manager", "manager_required", []string{"manager"}, func(x *agreements.Agreement) { real(x); x.Form, x.HouseholdsShare = agreements.Equity, 7000 })
		bad("household elsewhere", "unknown_household", nil, func(x *agreements.Agreement) {
			real(x)
			x.Parties = append(x.Parties, agreements.Party{Household: "990101002001-01"})
		})
		bad("the same money again", "money_committed", nil, func(x *agreements.Agreement) { real(x) })
		if _, err := e.s.Create(ctx, rural, func() agreements.Agreement {
			x := e.guaranteed()
			x.Parties = append(x.Parties, agreements.Party{Household: "990101002001-01"})
			return x
		}()); errs.CodeOf(err) != "household_elsewhere" {
			t.Fatalf("a household of another township: %v", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ag_agreements`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("only the first agreement is written: %d %v", n, err)
		}
	})
}

// TestLifecycleTwoPeople walks a guaranteed-dividend agreement from draft
// to renewal: the drafter and the negotiator take no later step, every
// step is audited, a renewal signed marks the old one renewed.
func TestLifecycleTwoPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a, err := e.s.Create(ctx, village, e.guaranteed())
		if err == nil {
			t.Fatalf("a village cadre does not see the township's agreement place: created %d", a.ID)
		}
		a, err = e.s.Create(ctx, township, e.guaranteed())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Negotiate(ctx, town1b, a.ID, "", ""); errs.CodeOf(err) != "witnesses_required" {
			t.Fatalf("no witnesses: %v", err)
		}
		if a, err = e.s.Negotiate(ctx, town1b, a.ID, "民生监督员 张明；群众代表 李秀英", "三方协商一致"); err != nil || a.State != agreements.Review {
			t.Fatalf("negotiate: %+v %v", a, err)
		}
		approve := workflow.Decision{Action: workflow.Approve, Opinion: "同意"}
		// The drafter and the negotiator never take the township's review.
		for _, p := range []auth.Principal{township, town1b} {
			if _, err := e.s.Decide(ctx, p, a.ID, approve); errs.CodeOf(err) != "maker_checker" {
				t.Fatalf("%s reviews: %v", p.Username, err)
			}
		}
		if _, err := e.s.Decide(ctx, town2, a.ID, approve); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("another township: %v", err)
		}
		third := who("town1c", auth.RoleTownship, "990101001000")
		if a, err = e.s.Decide(ctx, third, a.ID, approve); err != nil || a.State != agreements.Review {
			t.Fatalf("review: %+v %v", a, err)
		}
		if a, err = e.s.Decide(ctx, rural, a.ID, approve); err != nil || a.State != agreements.Signed {
			t.Fatalf("sign: %+v %v", a, err)
		}
		if a, err = e.s.Activate(ctx, township, a.ID); err != nil || a.State != agreements.Active {
			t.Fatalf("activate: %v %v", a.State, err)
		}
		it, hist, err := e.s.History(ctx, rural, a)
		if err != nil || it.State != workflow.Approved || len(hist) != 3 || !strings.Contains(hist[0].Opinion, "张明") {
			t.Fatalf("history: %+v %+v %v", it, hist, err)
		}
		// Renewal: a new agreement linked to the old, with the same money.
		r, err := e.s.Renew(ctx, township, a.ID, agreements.Agreement{Start: "2029-01-01", TermYears: 3, Rates: pct(7, 8, 9)})
		if err != nil || r.Renews != a.ID || r.Amount != 600_000_00 || r.State != agreements.Drafted {
			t.Fatalf("renew: %+v %v", r, err)
		}
		if _, err := e.s.Renew(ctx, township, a.ID, agreements.Agreement{Start: "2029-01-01", TermYears: 3, Rates: pct(7, 8, 9)}); errs.CodeOf(err) != "already_renewed" {
			t.Fatalf("renew twice: %v", err)
		}
		if _, err := e.s.Negotiate(ctx, township, r.ID, "群众代表 李秀英", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Decide(ctx, town1b, r.ID, approve); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Decide(ctx, rural2, r.ID, approve); err != nil {
			t.Fatal(err)
		}
		if old, _ := e.s.Get(ctx, rural, a.ID); old.State != agreements.Renewed || old.RenewedBy != r.ID {
			t.Fatalf("the old one: %s renewed by %d", old.State, old.RenewedBy)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'agreements.%'`).Scan(&n); err != nil || n < 9 {
			t.Fatalf("audit entries: %d %v", n, err)
		}
		_ = audit.Entry{}
	})
}

// TestSubsidyCapCountsWhatWasGiven: the cumulative cap per household
// counts every live direct subsidy of the household (paid or promised),
// read inside the write transaction; a terminated one frees its part.
func TestSubsidyCapCountsWhatWasGiven(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		h := "990101001001-07"
		a, err := e.s.Create(ctx, village, subsidy(h, 15_000_00))
		if err != nil || a.Place != "990101001001" || a.Township != "990101001000" {
			t.Fatalf("create: %+v %v", a, err)
		}
		_, err = e.s.Create(ctx, village, subsidy(h, 5_000_01))
		if errs.CodeOf(err) != "subsidy_cap" {
			t.Fatalf("past the cap: %v", err)
		}
		ee, _ := errs.As(err)
		if msg := fmt.Sprintf(ee.Message, ee.Args...); !strings.Contains(msg, "15,000.00") || !strings.Contains(msg, "20,000.01") || !strings.Contains(msg, "20,000.00") {
			t.Fatalf("the message names the numbers: %s", msg)
		}
		if _, err := e.s.Create(ctx, village, subsidy(h, 5_000_00)); err != nil {
			t.Fatalf("up to the cap: %v", err)
		}
		if _, err := e.s.Create(ctx, village, agreements.Agreement{Kind: agreements.Subsidy, Purpose: "x", Amount: 1, Start: "2026-03-01", TermYears: 2, Parties: []agreements.Party{{Household: h}}}); errs.CodeOf(err) != "term_too_short" {
			t.Fatalf("2-year subsidy: %v", err)
		}
		// The first one through its life: negotiated, reviewed, signed, accepted.
		if _, err := e.s.Negotiate(ctx, village, a.ID, "民生监督员 张明", ""); err != nil {
			t.Fatal(err)
		}
		for _, p := range []auth.Principal{township, rural} {
			if _, err := e.s.Decide(ctx, p, a.ID, workflow.Decision{Action: workflow.Approve}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.s.Accept(ctx, township, a.ID, ""); errs.CodeOf(err) != "wrong_state" {
			t.Fatalf("accept before active: %v", err)
		}
		if _, err := e.s.Activate(ctx, township, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Accept(ctx, village, a.ID, ""); errs.CodeOf(err) != "maker_checker" {
			t.Fatalf("the drafter accepts: %v", err)
		}
		if a, err = e.s.Accept(ctx, town1b, a.ID, "养牛 5 头，验收合格"); err != nil || a.AcceptedBy != "town1b" {
			t.Fatalf("accept: %+v %v", a, err)
		}
		// The household's agreements, for its page; another township's
		// officer does not see the household.
		list, err := e.s.ForHousehold(ctx, village, h)
		if err != nil || len(list) != 2 {
			t.Fatalf("for household: %d %v", len(list), err)
		}
		if _, err := e.s.ForHousehold(ctx, town2, h); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("outside: %v", err)
		}
		if _, err := e.s.Get(ctx, town2, a.ID); errs.CodeOf(err) != "unknown_agreement" {
			t.Fatalf("outside the subtree is not found: %v", err)
		}
		// Terminating the second frees its part of the cap.
		second := list[0]
		if second.ID == a.ID {
			second = list[1]
		}
		if _, err := e.s.Terminate(ctx, township, second.ID, "x"); errs.CodeOf(err) != "wrong_state" {
			t.Fatalf("terminate a draft: %v", err)
		}
		// Loans: recorded, no rule on the term, notes.
		l, err := e.s.Create(ctx, village, agreements.Agreement{Kind: agreements.Loan, Lender: "青禾农村信用社", Purpose: "购买种牛", Amount: 30_000_00, Start: "2026-04-01", TermYears: 1, Parties: []agreements.Party{{Household: h}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.s.AddNote(ctx, township, l.ID, "已回访，按期还息"); err != nil {
			t.Fatal(err)
		}
		if ns, err := e.s.Notes(ctx, village, l.ID); err != nil || len(ns) != 1 || ns[0].By != "town" {
			t.Fatalf("notes: %+v %v", ns, err)
		}
		all, total, err := e.s.List(ctx, rural, agreements.Filter{Kind: agreements.Subsidy})
		if err != nil || total != 2 || len(all) != 2 {
			t.Fatalf("list: %d %v", total, err)
		}
	})
}
