package funds_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"onepool/internal/audit"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const county = "990101"

var ctx = context.Background()

func yuan(s string) money.Fen {
	f, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return f
}

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, clock.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func setup(t *testing.T, db *store.DB, profile string) (*funds.Service, *ledger.Ledger) {
	t.Helper()
	l := ledger.New(db, nil)
	pc := policy.NewCounties(db, nil)
	if _, err := pc.Choose(ctx, "t", county, profile, ""); err != nil {
		t.Fatal(err)
	}
	return funds.New(db, l, pc, nil), l
}

// TestZiguiArrivalsAndIntegration: channels of several departments arrive
// and are integrated; a disaster-relief channel may not be; the year's
// report shows arrival rates per channel and department and the
// integration ratio against the profile's minimum.
func TestZiguiArrivalsAndIntegration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, l := setup(t, db, "zigui")
		chs, err := s.Register(ctx, "fin", county, []funds.NewChannel{
			{Code: "ZX", Name: "中央财政专项扶贫资金", Level: "central", Category: "fiscal", Department: "扶贫", Year: 2026},
			{Code: "FG", Name: "以工代赈资金", Level: "province", Category: "fiscal", Department: "发改", Year: 2026},
			{Code: "JT", Name: "农村公路资金", Level: "province", Category: "sector", Department: "交通", Year: 2026},
			{Code: "FX", Name: "防汛救灾资金", Level: "province", Category: "disaster", Department: "应急", Year: 2026},
		})
		if err != nil {
			t.Fatal(err)
		}
		if chs[3].Integrable || !chs[0].Integrable || strings.Join(chs[2].Purposes, ",") != "infrastructure,industry" {
			t.Fatalf("registered %+v", chs)
		}
		for code, plan := range map[string]string{"ZX": "1,000,000", "FG": "400,000", "JT": "1,500,000"} {
			if err := s.SetPlan(ctx, "fin", county, code, 2026, yuan(plan)); err != nil {
				t.Fatal(err)
			}
		}
		arr := []funds.Movement{
			{Key: "a1", Channel: "ZX", Amount: yuan("1,000,000"), Day: day("2026-03-01"), DocNo: "财农〔2026〕1号"},
			{Key: "a2", Channel: "FG", Amount: yuan("200,000"), Day: day("2026-04-01"), DocNo: "发改〔2026〕3号"},
			{Key: "a3", Channel: "JT", Amount: yuan("1,500,000"), Day: day("2026-05-01"), DocNo: "交〔2026〕8号"},
			{Key: "a4", Channel: "FX", Amount: yuan("300,000"), Day: day("2026-06-01"), DocNo: "应急〔2026〕2号"},
		}
		if _, err := s.Arrive(ctx, "fin", county, arr); err != nil {
			t.Fatal(err)
		}
		// Retrying the same arrivals moves nothing again.
		if _, err := s.Arrive(ctx, "fin", county, arr); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Integrate(ctx, "fin", county, []funds.Movement{
			{Key: "i1", Channel: "ZX", Amount: yuan("900,000"), Day: day("2026-06-10")},
			{Key: "i2", Channel: "JT", Amount: yuan("1,500,000"), Day: day("2026-06-10")},
		}); err != nil {
			t.Fatal(err)
		}
		// Refusals name the rule or field; nothing is written.
		for _, c := range []struct {
			m    funds.Movement
			code string
		}{
			{funds.Movement{Key: "x1", Channel: "FX", Amount: yuan("1"), Day: day("2026-06-10")}, "not_integrable"},
			{funds.Movement{Key: "x2", Channel: "FG", Amount: yuan("200,000.01"), Day: day("2026-06-10")}, "insufficient_funds"},
			{funds.Movement{Key: "x3", Channel: "NOPE", Amount: yuan("1"), Day: day("2026-06-10")}, "unknown_channel"},
			{funds.Movement{Key: "x4", Channel: "ZX", Amount: -1, Day: day("2026-06-10")}, "invalid_amount"},
			{funds.Movement{Key: "", Channel: "ZX", Amount: 1, Day: day("2026-06-10")}, "invalid_key"},
		} {
			_, err := s.Integrate(ctx, "fin", county, []funds.Movement{{Key: "ok", Channel: "ZX", Amount: 1, Day: day("2026-06-10")}, c.m})
			if errs.CodeOf(err) != c.code {
				t.Errorf("integrate %+v: %v, want %s", c.m, err, c.code)
			}
		}
		if _, err := s.Register(ctx, "fin", county, []funds.NewChannel{{Code: "ZZ", Name: "x", Level: "mars", Category: "fiscal", Department: "d", Year: 2026}}); errs.CodeOf(err) != "invalid_channel" || !strings.Contains(err.Error(), "level") {
			t.Errorf("bad level: %v", err)
		}
		if _, err := s.Register(ctx, "fin", county, []funds.NewChannel{{Code: "ZZ", Name: "x", Level: "county", Category: "fiscal", Department: "d", Year: 2026, Purposes: []string{"relief"}}}); errs.CodeOf(err) != "purpose_mismatch" {
			t.Errorf("purpose not allowed by the category: %v", err)
		}
		if _, err := s.Register(ctx, "fin", county, []funds.NewChannel{{Code: "ZX", Name: "x", Level: "county", Category: "fiscal", Department: "d", Year: 2026}}); errs.CodeOf(err) != "channel_exists" {
			t.Errorf("duplicate channel: %v", err)
		}

		bal, err := l.Balances(ctx, county, funds.PoolCode)
		if err != nil {
			t.Fatal(err)
		}
		pool := map[string]money.Fen{}
		for _, b := range bal {
			pool[b.Channel] = b.Amount
		}
		if pool["ZX"] != yuan("900,000") || pool["JT"] != yuan("1,500,000") || len(pool) != 2 {
			t.Errorf("pool holds %v", pool)
		}
		rep, err := s.YearReport(ctx, county, 2026)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range rep.Rows {
			got[r.Channel.Code] = r.ArrivalRate() + " " + r.IntegrationRatio()
		}
		if got["ZX"] != "100.00% 90.00%" || got["FG"] != "50.00% 0.00%" || got["JT"] != "100.00% 100.00%" || got["FX"] != "— 0.00%" {
			t.Errorf("rates %v", got)
		}
		// 2,400,000 of 3,000,000 arrived were integrated: 80% ≥ 60%.
		if rep.Total.Arrived != yuan("3,000,000") || rep.Total.IntegrationRatio() != "80.00%" || !rep.RatioMet {
			t.Errorf("total %+v ratio %s met %v", rep.Total, rep.Total.IntegrationRatio(), rep.RatioMet)
		}
		cats := map[string]string{}
		for _, g := range rep.ByCategory {
			cats[g.Channel.Category] = g.Planned.String() + "/" + g.Arrived.String()
		}
		// fiscal: ZX + FG planned 1,400,000, arrived 1,200,000; sector JT; disaster FX unplanned.
		if cats["fiscal"] != "1,400,000.00/1,200,000.00" || cats["sector"] != "1,500,000.00/1,500,000.00" || cats["disaster"] != "0.00/300,000.00" {
			t.Errorf("by category: %v", cats)
		}
		if len(rep.ByDepartment) != 4 || rep.ByDepartment[0].Channel.Department == "" {
			t.Errorf("by department %+v", rep.ByDepartment)
		}
		recs, _ := audit.List(ctx, db, audit.Filter{County: county, Action: "funds.", Limit: 100})
		if len(recs) < 6 {
			t.Errorf("audit entries for funds: %d", len(recs))
		}
	})
}

// fundedPool registers three channels (two that may pay for
// infrastructure, one for households only), lets them arrive on different
// days and integrates them all.
func fundedPool(t *testing.T, s *funds.Service) {
	t.Helper()
	if _, err := s.Register(ctx, "fin", county, []funds.NewChannel{
		{Code: "ZX", Name: "中央财政专项扶贫资金", Level: "central", Category: "fiscal", Department: "扶贫", Year: 2026},
		{Code: "JT", Name: "农村公路资金", Level: "province", Category: "sector", Department: "交通", Year: 2026},
		{Code: "WF", Name: "危房改造资金", Level: "province", Category: "household", Department: "住建", Year: 2026},
	}); err != nil {
		t.Fatal(err)
	}
	var arr, integ []funds.Movement
	for ch, d := range map[string]string{"JT": "2026-02-01", "ZX": "2026-03-01", "WF": "2026-01-15"} {
		arr = append(arr, funds.Movement{Key: ch, Channel: ch, Amount: yuan("1,000,000"), Day: day(d)})
		integ = append(integ, funds.Movement{Key: ch, Channel: ch, Amount: yuan("1,000,000"), Day: day("2026-04-01")})
	}
	if _, err := s.Arrive(ctx, "fin", county, arr); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Integrate(ctx, "fin", county, integ); err != nil {
		t.Fatal(err)
	}
}

func legsOf(tr ledger.Transfer) string {
	var b []string
	for _, l := range tr.Legs {
		b = append(b, l.Channel+"="+l.Amount.String())
	}
	return strings.Join(b, " ")
}

// TestAllocationStrict (Zigui): an infrastructure project is paid oldest
// channel first and only by channels that may pay for infrastructure; the
// household-only channel is never used, named explicitly it is refused;
// beyond what the eligible channels hold is insufficient_funds naming them.
// A payment keeps the legs and the project's 分头报账 shows each channel.
func TestAllocationStrict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, l := setup(t, db, "zigui")
		fundedPool(t, s)
		if _, err := s.CreateProject(ctx, "rural", county, funds.Project{Status: funds.StatusApproved, Code: "P1", Name: "上坝村产业路", Place: "990101001001", Purpose: "infrastructure", Department: "交通"}); err != nil {
			t.Fatal(err)
		}
		tr, err := s.Allocate(ctx, "fin", county, funds.Allocation{Key: "a1", Project: "P1", Amount: yuan("1,500,000")})
		if err != nil {
			t.Fatal(err)
		}
		if got := legsOf(tr); got != "JT=1,000,000.00 ZX=500,000.00" {
			t.Errorf("oldest first: %s", got)
		}
		_, err = s.Allocate(ctx, "fin", county, funds.Allocation{Key: "a2", Project: "P1", Amount: yuan("600,000")})
		if errs.CodeOf(err) != "insufficient_funds" || !strings.Contains(err.Error(), "ZX 500,000.00") || strings.Contains(err.Error(), "WF") {
			t.Errorf("beyond the eligible channels: %v", err)
		}
		_, err = s.Allocate(ctx, "fin", county, funds.Allocation{Key: "a3", Project: "P1", Legs: []ledger.Leg{{Channel: "WF", Amount: yuan("1")}}})
		if errs.CodeOf(err) != "purpose_mismatch" || !strings.Contains(err.Error(), "用途不变") {
			t.Errorf("household channel for a road: %v", err)
		}
		// Pro rata between what the eligible channels still hold (ZX only).
		tr, err = s.Allocate(ctx, "fin", county, funds.Allocation{Key: "a4", Project: "P1", Amount: yuan("100,000"), Rule: "pro_rata"})
		if err != nil || legsOf(tr) != "ZX=100,000.00" {
			t.Errorf("pro rata: %s %v", legsOf(tr), err)
		}
		// Pay the contractor; the legs follow the project's channels.
		if _, err := l.OpenAccounts(ctx, "t", county, []ledger.NewAccount{{Code: "ent:road", Kind: ledger.Entity, Name: "路桥公司", Place: "990101001001"}}); err != nil {
			t.Fatal(err)
		}
		pay, err := s.Pay(ctx, "fin", county, funds.Payment{Key: "p1", Project: "P1", To: "ent:road", Amount: yuan("1,200,000")})
		if err != nil || legsOf(pay) != "JT=1,000,000.00 ZX=200,000.00" {
			t.Errorf("payment legs: %s %v", legsOf(pay), err)
		}
		rep, err := s.ProjectReport(ctx, county, "P1")
		if err != nil {
			t.Fatal(err)
		}
		lines := map[string]string{}
		for _, ln := range rep.Lines {
			lines[ln.Channel] = ln.Allocated.String() + "/" + ln.Paid.String() + "/" + ln.Held.String()
		}
		if lines["JT"] != "1,000,000.00/1,000,000.00/0.00" || lines["ZX"] != "600,000.00/200,000.00/400,000.00" || rep.Total.Allocated != yuan("1,600,000") {
			t.Errorf("分头报账: %v", lines)
		}
		if len(rep.Payments) != 2 || rep.Payments[0].To != "ent:road" {
			t.Errorf("payments: %+v", rep.Payments)
		}
		// Allocations are not integrations: the year's ratio is unchanged.
		yr, err := s.YearReport(ctx, county, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if yr.Total.Integrated != yuan("3,000,000") || yr.Total.IntegrationRatio() != "100.00%" {
			t.Errorf("after allocations the year report says integrated %s (%s)", yr.Total.Integrated, yr.Total.IntegrationRatio())
		}
	})
}

// TestAllocationPooledAndProRata (Pingli): under the pooled policy any
// integrated channel may pay, pro rata with the fen exact, and the report
// says how much crossed categories.
func TestAllocationPooledAndProRata(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db, "pingli")
		fundedPool(t, s)
		if _, err := s.CreateProject(ctx, "rural", county, funds.Project{Status: funds.StatusApproved, Code: "P2", Name: "茶园基地", Place: "990101001002", Purpose: "industry", Department: "农业"}); err != nil {
			t.Fatal(err)
		}
		tr, err := s.Allocate(ctx, "fin", county, funds.Allocation{Key: "b1", Project: "P2", Amount: yuan("1,000,000.01")})
		if err != nil {
			t.Fatal(err)
		}
		var sum money.Fen
		for _, l := range tr.Legs {
			sum += l.Amount
		}
		if sum != yuan("1,000,000.01") || len(tr.Legs) != 3 {
			t.Errorf("pro rata legs %s sum to %s", legsOf(tr), sum)
		}
		crossed, err := s.CrossedCategories(ctx, county)
		if err != nil {
			t.Fatal(err)
		}
		if len(crossed) != 1 || crossed["WF"] == 0 {
			t.Errorf("crossed categories: %v", crossed)
		}
		// Only approved projects receive money; the first allocation marks
		// an approved project funded.
		if _, err := s.CreateProject(ctx, "rural", county, funds.Project{Code: "LIB", Name: "项目库项目", Place: "990101001002", Purpose: "industry"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Allocate(ctx, "fin", county, funds.Allocation{Key: "lib", Project: "LIB", Amount: yuan("1")}); errs.CodeOf(err) != "project_not_approved" {
			t.Errorf("allocating to a library project: %v", err)
		}
		if p, _ := s.Project(ctx, county, "P2"); p.Status != funds.StatusFunded {
			t.Errorf("after its allocation P2 is %s", p.Status)
		}
		if _, err := s.CreateProject(ctx, "rural", county, funds.Project{Status: funds.StatusApproved, Code: "P3", Name: "x", Place: "990102001001", Purpose: "industry"}); errs.CodeOf(err) != "invalid_place" {
			t.Errorf("a project in another county: %v", err)
		}
		if _, err := s.CreateProject(ctx, "rural", county, funds.Project{Status: funds.StatusApproved, Code: "P3", Name: "x", Place: "990101001001", Purpose: "yachts"}); errs.CodeOf(err) != "unknown_purpose" {
			t.Errorf("unknown purpose: %v", err)
		}
	})
}

// TestVillageChecksAndChannelReport (Zigui): a village's allocations are
// checked against the per-department minimums and the village total —
// shortfalls shown with how much — and each channel is followed to its
// projects and recipients.
func TestVillageChecksAndChannelReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, l := setup(t, db, "zigui")
		fundedPool(t, s)
		for _, p := range []funds.Project{
			{Status: funds.StatusApproved, Code: "R1", Name: "村道", Place: "990101001001", Purpose: "infrastructure"},
			{Status: funds.StatusApproved, Code: "H1", Name: "到户", Place: "990101001001", Purpose: "household"},
			{Status: funds.StatusApproved, Code: "B1", Name: "邻村", Place: "990101001002", Purpose: "infrastructure"},
		} {
			if _, err := s.CreateProject(ctx, "rural", county, p); err != nil {
				t.Fatal(err)
			}
		}
		for _, a := range []funds.Allocation{
			{Key: "1", Project: "R1", Legs: []ledger.Leg{{Channel: "ZX", Amount: yuan("1,000,000")}, {Channel: "JT", Amount: yuan("600,000")}}, Day: day("2026-05-01")},
			{Key: "2", Project: "H1", Legs: []ledger.Leg{{Channel: "WF", Amount: yuan("300,000")}}, Day: day("2026-05-01")},
			{Key: "3", Project: "B1", Legs: []ledger.Leg{{Channel: "JT", Amount: yuan("400,000")}}, Day: day("2026-05-01")},
		} {
			if _, err := s.Allocate(ctx, "fin", county, a); err != nil {
				t.Fatal(err)
			}
		}
		checks, err := s.VillageChecks(ctx, county, "990101001001", 2026)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range checks {
			key, _, _ := strings.Cut(c.Rule, ":")
			state := "unknown"
			if c.Checkable && c.Met {
				state = "met"
			} else if c.Checkable {
				state = "short " + c.Short.String()
			}
			got[key] = state
		}
		// 扶贫 1,000,000 ≥ 1,000,000; 发改 0 < 400,000; 财政 0 < 100,000;
		// 行业 (交通 600,000) < 1,500,000; total 1,600,000 + 住建 300,000.
		want := map[string]string{
			"funds.village_minimums[0]":    "met",
			"funds.village_minimums[1]":    "short 400,000.00",
			"funds.village_minimums[2]":    "short 100,000.00",
			"funds.village_minimums[3]":    "short 900,000.00",
			"funds.village_total_min":      "short 1,100,000.00",
			"funds.annual_growth_min":      "unknown",
			"funds.per_poor_household_min": "unknown",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s, want %s (all: %v)", k, got[k], v, got)
			}
		}
		// Where JT's money went: two projects, and R1 paid a contractor.
		if _, err := l.OpenAccounts(ctx, "t", county, []ledger.NewAccount{{Code: "ent:c", Kind: ledger.Entity, Name: "施工单位", Place: "990101001001"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Pay(ctx, "fin", county, funds.Payment{Key: "p", Project: "R1", To: "ent:c", Legs: []ledger.Leg{{Channel: "JT", Amount: yuan("250,000")}}}); err != nil {
			t.Fatal(err)
		}
		rep, err := s.ChannelReport(ctx, county, "JT")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Arrived != yuan("1,000,000") || rep.Integrated != yuan("1,000,000") || len(rep.Projects) != 2 {
			t.Fatalf("JT report %+v", rep)
		}
		for _, p := range rep.Projects {
			if p.Project == "prj:R1" && (p.Allocated != yuan("600,000") || p.Paid != yuan("250,000") || len(p.Others) != 1 || p.Others[0].To != "ent:c") {
				t.Errorf("JT in R1: %+v", p)
			}
		}
	})
}

// TestMinutesCommitments: a village's minutes record each department's
// commitment; fulfilment comes from allocations by that department's
// channels to the village's projects; unmet past the deadline is overdue.
func TestMinutesCommitments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db, "zigui")
		fundedPool(t, s)
		if _, err := s.CreateProject(ctx, "rural", county, funds.Project{Status: funds.StatusApproved, Code: "R1", Name: "村道", Place: "990101001001", Purpose: "infrastructure"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Allocate(ctx, "fin", county, funds.Allocation{Key: "1", Project: "R1", Legs: []ledger.Leg{{Channel: "JT", Amount: yuan("1,500,000")}}, Day: day("2026-04-20")}); err == nil {
			t.Fatal("JT holds only 1,000,000")
		}
		if _, err := s.Allocate(ctx, "fin", county, funds.Allocation{Key: "2", Project: "R1", Legs: []ledger.Leg{{Channel: "JT", Amount: yuan("1,000,000")}, {Channel: "ZX", Amount: yuan("200,000")}}, Day: day("2026-04-20")}); err != nil {
			t.Fatal(err)
		}
		err := s.RecordMinutes(ctx, "rural", county, funds.Minutes{Village: "990101001001", MinutesNo: "纪要〔2026〕1号", Day: day("2026-03-15"), Commitments: []funds.Commitment{
			{Department: "交通", Amount: yuan("1,000,000"), Deadline: day("2026-06-30")},
			{Department: "扶贫", Amount: yuan("500,000"), Deadline: day("2026-06-30")},
			{Department: "住建", Amount: yuan("100,000"), Deadline: day("2099-12-31")},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RecordMinutes(ctx, "rural", county, funds.Minutes{Village: "990101001000", MinutesNo: "x", Day: day("2026-03-15"), Commitments: []funds.Commitment{{Department: "a", Amount: 1, Deadline: day("2026-04-01")}}}); errs.CodeOf(err) != "invalid_place" {
			t.Errorf("minutes of a township: %v", err)
		}
		cs, err := s.Commitments(ctx, county, "990101001")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range cs {
			got[c.Department] = fmt.Sprintf("%s met=%v overdue=%v", c.Fulfilled, c.Met, c.Overdue)
		}
		// Today (the test clock) is after 2026-06-30.
		if got["交通"] != "1,000,000.00 met=true overdue=false" || got["扶贫"] != "200,000.00 met=false overdue=true" || got["住建"] != "0.00 met=false overdue=false" {
			t.Errorf("commitments: %v", got)
		}
		if !cs[0].Overdue {
			t.Error("overdue commitments come first")
		}
	})
}

// TestTeams: a village's help team and cadre–household pairs.
func TestTeams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, l := setup(t, db, "zigui")
		if _, err := l.OpenAccounts(ctx, "t", county, []ledger.NewAccount{{Code: "hh:1", Kind: ledger.Household, Name: "李春生", Place: "990101001001"},
			{Code: "pool", Kind: ledger.Pool, Name: "池", Place: "990101000000"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Assign(ctx, "rural", county, "990101001001", "leader", []string{"张县长"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Assign(ctx, "rural", county, "990101001001", "member_unit", []string{"交通局", "水利局", "交通局", " "}); err != nil {
			t.Fatal(err)
		}
		if err := s.Assign(ctx, "rural", county, "990101001001", "leader", []string{"甲", "乙"}); errs.CodeOf(err) != "invalid_assignment" {
			t.Errorf("two leaders: %v", err)
		}
		if err := s.Assign(ctx, "rural", county, "990101001000", "leader", []string{"甲"}); errs.CodeOf(err) != "invalid_place" {
			t.Errorf("a township: %v", err)
		}
		if err := s.PairCadre(ctx, "rural", county, "hh:1", "王干部"); err != nil {
			t.Fatal(err)
		}
		if err := s.PairCadre(ctx, "rural", county, "pool", "王干部"); errs.CodeOf(err) != "invalid_account" {
			t.Errorf("pairing the pool: %v", err)
		}
		teams, err := s.Teams(ctx, county, "990101001")
		if err != nil {
			t.Fatal(err)
		}
		if len(teams) != 1 || strings.Join(teams[0].Members["member_unit"], ",") != "交通局,水利局" || teams[0].Members["leader"][0] != "张县长" ||
			len(teams[0].Pairs) != 1 || teams[0].Pairs[0].Name != "李春生" {
			t.Errorf("teams %+v", teams)
		}
	})
}

// TestPingliInputPlan: the "5+3+1+X" lines are compared with the year's
// actuals — arrivals of the matching channels, or integration for the
// "1" line — and a shortfall says by how much.
func TestPingliInputPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db, "pingli")
		if _, err := s.Register(ctx, "fin", county, []funds.NewChannel{
			{Code: "SC", Name: "省级产业帮扶资金", Level: "province", Category: "fiscal", Department: "乡村振兴", Year: 2026},
			{Code: "XJ", Name: "县级产业扶贫奖补资金", Level: "county", Category: "fiscal", Department: "财政", Year: 2026},
			{Code: "JT", Name: "农村公路资金", Level: "province", Category: "sector", Department: "交通", Purposes: []string{"infrastructure"}, Year: 2026},
			{Code: "SH", Name: "社会帮扶资金", Level: "social", Category: "social", Department: "统战", Year: 2026},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Arrive(ctx, "fin", county, []funds.Movement{
			{Key: "a1", Channel: "SC", Amount: yuan("5,000,000"), Day: day("2026-02-01")},
			{Key: "a2", Channel: "XJ", Amount: yuan("12,000,000"), Day: day("2026-02-01")},
			{Key: "a3", Channel: "JT", Amount: yuan("40,000,000"), Day: day("2026-02-01")},
			{Key: "a4", Channel: "SH", Amount: yuan("300,000"), Day: day("2026-02-01")},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Integrate(ctx, "fin", county, []funds.Movement{
			{Key: "i1", Channel: "SC", Amount: yuan("5,000,000"), Day: day("2026-03-01")},
			{Key: "i2", Channel: "JT", Amount: yuan("40,000,000"), Day: day("2026-03-01")},
		}); err != nil {
			t.Fatal(err)
		}
		rep, err := s.YearReport(ctx, county, 2026)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]funds.PlanActual{}
		for _, l := range rep.InputPlan {
			got[l.Line.Name[:1]] = l
		}
		want := []struct {
			line          string
			actual, short string
			met           bool
			chans         string
		}{
			{"5", "5,000,000", "0", true, "SC"},
			{"3", "12,000,000", "18,000,000", false, "XJ"},
			{"1", "45,000,000", "55,000,000", false, "JT,SC"},
			{"X", "300,000", "0", true, "SH"},
		}
		for _, w := range want {
			g := got[w.line]
			if g.Actual != yuan(w.actual) || g.Short != yuan(w.short) || g.Met != w.met || strings.Join(g.Channels, ",") != w.chans {
				t.Errorf("line %s: actual %s short %s met %v channels %v; want %s %s %v %s", w.line, g.Actual, g.Short, g.Met, g.Channels, w.actual, w.short, w.met, w.chans)
			}
		}
	})
}

// TestNanCoFundingAndShares: a collective-run project is co-funded 20% by
// the village's own money (a channel of level "village") — short by how
// much until it is; human settlement must take 30% of last year's funds.
func TestNanCoFundingAndShares(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db, "nan")
		if _, err := s.Register(ctx, "fin", county, []funds.NewChannel{
			{Code: "ZX", Name: "衔接资金", Level: "central", Category: "fiscal", Department: "乡村振兴", Year: 2026},
			{Code: "CJ", Name: "村集体自筹", Level: "village", Category: "social", Department: "村集体", Year: 2026},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Arrive(ctx, "fin", county, []funds.Movement{
			{Key: "a0", Channel: "ZX", Amount: yuan("1,000,000"), Day: day("2025-06-01")},
			{Key: "a1", Channel: "ZX", Amount: yuan("2,000,000"), Day: day("2026-02-01")},
			{Key: "a2", Channel: "CJ", Amount: yuan("50,000"), Day: day("2026-02-01")},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Integrate(ctx, "fin", county, []funds.Movement{
			{Key: "i1", Channel: "ZX", Amount: yuan("3,000,000"), Day: day("2026-03-01")},
			{Key: "i2", Channel: "CJ", Amount: yuan("50,000"), Day: day("2026-03-01")},
		}); err != nil {
			t.Fatal(err)
		}
		const village = "990101001001"
		for _, p := range []funds.Project{
			{Status: funds.StatusApproved, Code: "HZ", Name: "村集体养殖场", Place: village, Purpose: "industry", Department: "农业", Collective: true},
			{Status: funds.StatusApproved, Code: "RJ", Name: "人居环境整治", Place: village, Purpose: "human_settlement", Department: "乡村振兴"},
		} {
			if _, err := s.CreateProject(ctx, "rural", county, p); err != nil {
				t.Fatal(err)
			}
		}
		checks := func() funds.Check {
			t.Helper()
			cs, err := s.VillageChecks(ctx, county, village, 2026)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if strings.HasPrefix(c.Rule, "funds.cofunding") {
					return c
				}
			}
			t.Fatalf("no co-funding check in %+v", cs)
			return funds.Check{}
		}
		if c := checks(); c.Checkable || c.Reason != "no_collective_projects" {
			t.Errorf("before any allocation: %+v", c)
		}
		// The rule split never takes the village's own money.
		tr, err := s.Allocate(ctx, "fin", county, funds.Allocation{Key: "h1", Project: "HZ", Amount: yuan("200,000"), Day: day("2026-04-01")})
		if err != nil {
			t.Fatal(err)
		}
		if legsOf(tr) != "ZX=200,000.00" {
			t.Errorf("oldest-first legs %s", legsOf(tr))
		}
		if c := checks(); !c.Checkable || c.Met || c.Required != yuan("40,000") || c.Short != yuan("40,000") {
			t.Errorf("county money only: %+v", c)
		}
		if _, err := s.Allocate(ctx, "fin", county, funds.Allocation{Key: "h2", Project: "HZ", Legs: []ledger.Leg{{Channel: "CJ", Amount: yuan("50,000")}}, Day: day("2026-04-02")}); err != nil {
			t.Fatal(err)
		}
		// 50,000 of 250,000 = 20%.
		if c := checks(); !c.Met || c.Required != yuan("50,000") || c.Actual != yuan("50,000") {
			t.Errorf("co-funded: %+v", c)
		}

		share := func() funds.Check {
			t.Helper()
			rep, err := s.YearReport(ctx, county, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Shares) != 1 {
				t.Fatalf("shares %+v", rep.Shares)
			}
			return rep.Shares[0]
		}
		// 30% of 2025's 1,000,000 arrivals.
		if c := share(); c.Met || c.Required != yuan("300,000") || c.Short != yuan("300,000") {
			t.Errorf("no human settlement yet: %+v", c)
		}
		if _, err := s.Allocate(ctx, "fin", county, funds.Allocation{Key: "r1", Project: "RJ", Amount: yuan("300,000"), Day: day("2026-05-01")}); err != nil {
			t.Fatal(err)
		}
		if c := share(); !c.Met || c.Actual != yuan("300,000") {
			t.Errorf("human settlement 300,000: %+v", c)
		}
	})
}
