package assets_test

import (
	"strings"
	"testing"
	"time"

	"onepool/internal/assets"
	"onepool/internal/auth"
	"onepool/internal/entities"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

var (
	villager  = who("vil", auth.RoleVillage, "990101001001")
	villager2 = who("vil2", auth.RoleVillage, "990101001001")
	county2   = who("rural2", auth.RoleRural, "990101000000")
)

// rig is Env with a clock the test moves and the register's collaborators.
type rig struct {
	Env
	now *time.Time
}

func newRig(t *testing.T, db *store.DB) rig {
	t.Helper()
	e := NewEnv(t, db)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.Local)
	clk := func() time.Time { return now }
	r := rig{Env: e, now: &now}
	wf := workflow.New(db, clk)
	pc := policy.NewCounties(db, clk)
	e.S = assets.New(db, e.L, e.Ents, clk)
	e.S.UseServices(wf, pc, funds.New(db, e.L, pc, clk), volume.New(db, clk), nil)
	r.Env = e
	return r
}

func (r rig) workshop(t *testing.T) assets.Asset {
	t.Helper()
	a, err := r.S.Register(ctx, township, assets.NewAsset{Project: "P1", Name: "扶贫车间", Type: assets.Operating, Category: "workshop", Place: "990101001001", Location: "村委会东侧", Quantity: 1_200_000, Unit: "平方米", Value: 1_000_000_00})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.S.Confirm(ctx, township, a.ID, assets.Confirmation{Doc: "平政确〔2026〕3号"}); err != nil {
		t.Fatal(err)
	}
	return a
}

const importCSV = "资产编号,资产名称,资产类型,资产类别,所在村代码,坐落位置,数量,计量单位,原值,建成日期,资金渠道,使用状态,权属主体,确权文件\n"

// TestRegisterListImportAndUpkeep: imported assets with their legs, the
// list's filters and counts inside the viewer's area, every bad row of an
// import reported in one pass with nothing written, a handover, and an
// inspection plan that becomes overdue.
func TestRegisterListImportAndUpkeep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRig(t, db)
		ws := r.workshop(t)
		bad := importCSV +
			"ZC9001,闲置村小,经营性,房屋,990101001002,老村委旁,1,座,30万元,2012-09-01,ZX:20万元；SJ:9万元,闲置,,\n" + // legs 29万 ≠ 30万
			"ZC9002,饮水管网,公益性,水管,990101001001,,2,公里,50000,,,,,\n" + // category
			"ZC9003,产业路,公益性,道路,990101002001,,1.5,公里,80000,,,,,\n" + // another township
			"ZC9004,光伏电站,经营性,光伏,990101001001,,1,座,abc,,,,,\n" // value
		_, err := r.S.Import(ctx, township, strings.NewReader(bad))
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if errs.KindOf(err) != errs.Invalid || !strings.Contains(msg, "2") || !strings.Contains(msg, "3") || !strings.Contains(msg, "4") || !strings.Contains(msg, "5") {
			t.Fatalf("every bad row in one pass: %v", err)
		}
		if _, n, _ := r.S.List(ctx, rural, assets.Filter{}); n != 1 {
			t.Fatalf("a refused import wrote: %d assets", n)
		}
		good := importCSV +
			"ZC9001,闲置村小,经营性,房屋,990101001002,老村委旁,1,座,30万元,2012-09-01,ZX:20万元；SJ:10万元,闲置,," + "\n" +
			"ZC9002,饮水管网,公益性,饮水,990101001001,,2,公里,50000,,,,,平政确〔2026〕9号\n"
		n, err := r.S.Import(ctx, township, strings.NewReader(good))
		if err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		school, err := r.S.ByCode(ctx, township, "ZC9001")
		if err != nil || school.Project != "" || school.UseState != assets.Idle || len(school.Legs) != 2 || school.Legs[0].Amount != 100_000_00 || school.BuiltOn != "2012-09-01" {
			t.Fatalf("the imported school: %+v %v", school, err)
		}
		water, _ := r.S.ByCode(ctx, township, "ZC9002")
		if water.Status != assets.Confirmed || water.Owner != r.Col1 {
			t.Fatalf("confirmed in the same row: %+v", water)
		}
		// Filters and counts, inside the viewer's area.
		for _, c := range []struct {
			who  auth.Principal
			f    assets.Filter
			want int
		}{
			{rural, assets.Filter{}, 3},
			{rural, assets.Filter{Type: assets.Operating}, 2},
			{rural, assets.Filter{Place: "990101001002"}, 1},
			{rural, assets.Filter{Category: "water"}, 1},
			{rural, assets.Filter{Status: assets.Registered}, 1},
			{rural, assets.Filter{Q: "村小"}, 1},
			{rural, assets.Filter{Q: "zc900"}, 2},
			{town2, assets.Filter{}, 0},
			{villager, assets.Filter{}, 2},
		} {
			rows, n, err := r.S.List(ctx, c.who, c.f)
			if err != nil || n != c.want || len(rows) != c.want {
				t.Errorf("%s %+v: %d (%d rows) %v, want %d", c.who.Username, c.f, n, len(rows), err, c.want)
			}
		}
		// A search with a capped count (the page's: one scan) pages and
		// counts as the plain list does, past its end too.
		all, _, _ := r.S.List(ctx, rural, assets.Filter{Q: "zc900"})
		for _, off := range []int{0, 1, 2, 5} {
			rows, n, err := r.S.List(ctx, rural, assets.Filter{Q: "zc900", Limit: 1, Offset: off, CountCap: 10})
			want := all[min(off, len(all)):min(off+1, len(all))]
			if err != nil || n != len(all) || len(rows) != len(want) || (len(rows) == 1 && rows[0].Code != want[0].Code) {
				t.Errorf("search page at %d: %d %+v %v, want %d %+v", off, n, rows, err, len(all), want)
			}
		}
		if _, n, _ := r.S.List(ctx, rural, assets.Filter{Q: "zc900", Limit: 1, CountCap: 1}); n != 2 {
			t.Errorf("a search past the cap counts cap+1: %d", n)
		}
		if _, _, err := r.S.List(ctx, town2, assets.Filter{Place: "990101001001"}); errs.CodeOf(err) != "invalid_query" {
			t.Fatalf("a place outside the area: %v", err)
		}

		// Handover: the document is required; then recorded.
		if _, err := r.S.RecordHandover(ctx, township, ws.ID, assets.Handover{From: "县住建局", To: "桃园村股份经济合作社", Day: "2026-03-01"}, nil); errs.CodeOf(err) != "handover_doc_required" {
			t.Fatalf("a handover without its document: %v", err)
		}
		if _, err := r.S.RecordHandover(ctx, township, ws.ID, assets.Handover{From: "县住建局", To: "第1村股份经济合作社", Day: "2026-03-01", DocNo: "平住建移〔2026〕2号"}, nil); err != nil {
			t.Fatal(err)
		}
		hs, err := r.S.Handovers(ctx, rural, ws.ID)
		if err != nil || len(hs) != 1 || hs[0].From != "县住建局" || hs[0].DocNo != "平住建移〔2026〕2号" {
			t.Fatalf("handovers: %+v %v", hs, err)
		}

		// Upkeep: a plan every 3 months from today; three months and a
		// week later it is overdue on the township's desk, not another's.
		if _, err := r.S.SetKeeper(ctx, villager, ws.ID, assets.Keeper{Unit: "第1村股份经济合作社", Person: "王明"}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.S.SetPlan(ctx, villager, ws.ID, 3, ""); err != nil {
			t.Fatal(err)
		}
		if od, n, _ := r.S.OverdueUpkeep(ctx, township, 10); n != 0 || len(od) != 0 {
			t.Fatalf("overdue at once: %+v", od)
		}
		*r.now = r.now.AddDate(0, 3, 7)
		od, n, err := r.S.OverdueUpkeep(ctx, township, 10)
		if err != nil || n != 1 || od[0].Code != ws.Code || od[0].DaysLate != 7 || od[0].Keeper != "第1村股份经济合作社 王明" {
			t.Fatalf("overdue: %+v %d %v", od, n, err)
		}
		if _, n, _ := r.S.OverdueUpkeep(ctx, town2, 10); n != 0 {
			t.Fatalf("another township sees the overdue upkeep")
		}
		if _, err := r.S.AddUpkeep(ctx, villager, ws.ID, assets.Upkeep{Kind: assets.Inspection, Day: "2026-06-09", Note: "屋顶完好"}, nil); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := r.S.OverdueUpkeep(ctx, township, 10); n != 0 {
			t.Fatalf("an inspection does not clear the overdue plan")
		}
		// A repair's cost is a payment instruction out of the project,
		// entered through funds: the money moves only when approved.
		if _, err := r.S.AddUpkeep(ctx, township, school.ID, assets.Upkeep{Kind: assets.Repair, Day: "2026-06-09", Cost: 2_000_00, PayTo: "ext:builder", Note: "修缮屋面"}, nil); errs.CodeOf(err) != "no_project_to_pay" {
			t.Fatalf("a repair of an imported asset paid from a project: %v", err)
		}
		ev, _ := r.S.Events(ctx, rural, ws.ID)
		var acts []string
		for _, e := range ev {
			acts = append(acts, e.Action)
		}
		if strings.Join(acts, ",") != "registered,confirmed,handed_over,keeper,upkeep_plan,upkeep" {
			t.Fatalf("history: %v", acts)
		}
	})
}

// TestDisposalOnTheChain: a scrapping without the congress minutes is
// refused with nothing written; with them it goes congress → township →
// county with a notice before the county's step; its requester may not
// approve; on the final approval the asset is disposed — out of the
// register, its history kept — and the salvage proceeds land on the
// collective's account with the asset's legs, summing exactly.
func TestDisposalOnTheChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRig(t, db)
		ws := r.workshop(t)
		req := assets.DisposalRequest{Kind: "scrap", Reason: "厂房主体结构损坏，经鉴定为危房", Resolution: "桃园村村民代表大会决议〔2026〕1号", Proceeds: 10_000_01}
		if _, err := r.S.RequestDisposal(ctx, villager, ws.ID, req); errs.CodeOf(err) != "minutes_required" {
			t.Fatalf("without minutes: %v", err)
		}
		if a, _ := r.S.Get(ctx, rural, ws.ID); a.Status != assets.Confirmed {
			t.Fatalf("a refused request wrote: %s", a.Status)
		}
		req.Minutes = &assets.Upload{Name: "会议纪要.txt", Body: strings.NewReader("2026年3月1日村民代表大会，应到35人，实到31人，同意31人。")}
		if _, err := r.S.RequestDisposal(ctx, township, ws.ID, req); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("the congress step is the village's: %v", err)
		}
		req.Minutes.Body = strings.NewReader("2026年3月1日村民代表大会，应到35人，实到31人，同意31人。")
		d, err := r.S.RequestDisposal(ctx, villager, ws.ID, req)
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := r.S.Get(ctx, rural, ws.ID); a.Status != assets.Disposing {
			t.Fatalf("requested: %s", a.Status)
		}
		if _, err := r.S.DecideDisposal(ctx, villager2, d.ID, assets.DisposalDecision{Action: "approve"}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a village cadre takes the township's step: %v", err)
		}
		if _, err := r.S.DecideDisposal(ctx, township, d.ID, assets.DisposalDecision{Action: "approve", Opinion: "程序合规"}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.S.DecideDisposal(ctx, rural, d.ID, assets.DisposalDecision{Action: "approve"}); errs.CodeOf(err) != "notice_required" {
			t.Fatalf("the county's step before the notice: %v", err)
		}
		if _, err := r.S.DisposalNotice(ctx, rural, d.ID, "2026-03-03", "2026-03-12"); err != nil {
			t.Fatal(err)
		}
		*r.now = r.now.AddDate(0, 0, 11)
		// Maker–checker: the requester never approves (here: a county
		// officer who requested nothing may; the village requester is
		// refused any later step by role and by the engine's rule).
		got, err := r.S.DecideDisposal(ctx, rural, d.ID, assets.DisposalDecision{Action: "approve", Opinion: "同意报废"})
		if err != nil || got.State != "approved" || got.Transfer == 0 {
			t.Fatalf("approved: %+v %v", got, err)
		}
		if _, n, _ := r.S.List(ctx, rural, assets.Filter{}); n != 0 {
			t.Fatalf("a disposed asset is still in the register: %d", n)
		}
		if _, n, _ := r.S.List(ctx, rural, assets.Filter{Status: assets.Disposed}); n != 1 {
			t.Fatalf("the disposed filter: %d", n)
		}
		ev, err := r.S.Events(ctx, rural, ws.ID)
		if err != nil || len(ev) != 4 || ev[2].Action != "disposal_requested" || ev[3].Action != "disposed" {
			t.Fatalf("history kept: %+v %v", ev, err)
		}
		tr, err := r.L.Transfer(ctx, county, got.Transfer)
		if err != nil {
			t.Fatal(err)
		}
		var sum money.Fen
		for _, l := range tr.Legs {
			sum += l.Amount
		}
		_, acct, _, _ := entitiesCollective(t, r, "990101001001")
		if tr.Kind != "asset_proceeds" || tr.To != acct || sum != 10_000_01 || len(tr.Legs) != 2 {
			t.Fatalf("proceeds: %+v", tr)
		}
		// 600,000 : 400,000 of 10,000.01 → SJ 4,000.00, ZX 6,000.01 (largest remainder).
		for _, l := range tr.Legs {
			if (l.Channel == "ZX" && l.Amount != 6_000_01) || (l.Channel == "SJ" && l.Amount != 4_000_00) {
				t.Fatalf("legs pro rata: %+v", tr.Legs)
			}
		}
		if _, err := r.S.SetKeeper(ctx, township, ws.ID, assets.Keeper{Unit: "x", Person: "y"}); errs.CodeOf(err) != "asset_disposed" {
			t.Fatalf("a disposed asset changed: %v", err)
		}
	})
}

// TestDisposalMakerChecker: the requester does not approve their own
// disposal; a rejection puts the asset back as it was.
func TestDisposalMakerChecker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRig(t, db)
		ws := r.workshop(t)
		d, err := r.S.RequestDisposal(ctx, villager, ws.ID, assets.DisposalRequest{Kind: "suspend", Reason: "停产检修", Resolution: "决议〔2026〕2号",
			Minutes: &assets.Upload{Name: "纪要.txt", Body: strings.NewReader("村民代表大会纪要")}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.S.DecideDisposal(ctx, villager, d.ID, assets.DisposalDecision{Action: "approve"}); err == nil {
			t.Fatal("the requester approved their own disposal")
		}
		if _, err := r.S.DecideDisposal(ctx, township, d.ID, assets.DisposalDecision{Action: "reject", Opinion: "决议程序不全"}); err != nil {
			t.Fatal(err)
		}
		if a, _ := r.S.Get(ctx, rural, ws.ID); a.Status != assets.Confirmed {
			t.Fatalf("a rejected disposal leaves the asset as it was: %s", a.Status)
		}
	})
}

func entitiesCollective(t *testing.T, r rig, v string) (string, string, bool, error) {
	t.Helper()
	return entities.CollectiveOfTx(ctx, r.DB, county, place.Code(v))
}
