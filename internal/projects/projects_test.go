package projects_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/projects"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/volume"
	"onepool/internal/workflow"
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

// who is a principal of the test county.
func who(user string, role auth.Role, pl string) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: place.Code(pl), County: county}
}

var (
	cadre    = who("cadre", auth.RoleVillage, "990101001001")
	cadre2   = who("cadre2", auth.RoleVillage, "990101001002")
	township = who("town", auth.RoleTownship, "990101001000")
	other    = who("town2", auth.RoleTownship, "990101002000")
	rural    = who("rural", auth.RoleRural, "990101000000")
	rural2   = who("rural2", auth.RoleRural, "990101000000")
	finance  = who("fin", auth.RoleFinance, "990101000000")
	sector   = who("sector", auth.RoleSector, "990101000000")
	auditor  = who("audit", auth.RoleAuditor, "990101000000")
)

type env struct {
	ins *instruct.Service
	p   *projects.Service
	f   *funds.Service
	wf  *workflow.Engine
	now *time.Time
}

func setup(t testing.TB, db *store.DB, profile string) env {
	t.Helper()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, clock.Zone)
	clk := func() time.Time { return now }
	l := ledger.New(db, clk)
	pc := policy.NewCounties(db, clk)
	if _, err := pc.Choose(ctx, "t", county, profile, ""); err != nil {
		t.Fatal(err)
	}
	f := funds.New(db, l, pc, clk)
	wf := workflow.New(db, clk)
	p := projects.New(db, f, wf, volume.New(db, clk), pc, clk)
	ins := instruct.NewService(db, wf, pc, clk)
	f.UseInstructions(ins)
	p.UseInstructions(ins)
	if _, err := f.Register(ctx, "fin", county, []funds.NewChannel{{Code: "ZX", Name: "衔接资金", Level: "central", Category: "fiscal", Department: "乡村振兴", Year: 2026}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Arrive(ctx, "fin", county, []funds.Movement{{Key: "a", Channel: "ZX", Amount: yuan("5,000,000"), Day: now}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Integrate(ctx, "fin", county, []funds.Movement{{Key: "i", Channel: "ZX", Amount: yuan("5,000,000"), Day: now}}); err != nil {
		t.Fatal(err)
	}
	return env{ins: ins, p: p, f: f, wf: wf, now: &now}
}

func (e env) advance(d time.Duration) { *e.now = e.now.Add(d) }

func newProject(code string, budget string) projects.Project {
	var p projects.Project
	p.Code, p.Name, p.Place, p.Purpose, p.Department = code, "上坝村产业路", "990101001001", "infrastructure", "交通"
	p.PlanYear, p.Unit, p.Leader, p.Team, p.Budget = 2026, "青禾镇人民政府", "王副镇长", "镇村工作专班", yuan(budget)
	p.Goals = []projects.Goal{{Indicator: "硬化里程", Target: "3.2公里"}, {Indicator: "受益农户", Target: "120户"}}
	p.LinkMode, p.LinkHouseholds, p.LinkDetail = "务工+产业带动", 120, "沿线茶园农户"
	return p
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

func status(t *testing.T, e env, code string) string {
	t.Helper()
	p, err := e.p.Get(ctx, county, code)
	if err != nil {
		t.Fatal(err)
	}
	return p.Status
}

// TestNanChain: a village cadre proposes, the township reviews, the
// bureau, finance and a sector department approve; a notice runs, a member
// of the public objects, the township answers; the project is approved,
// funded, built, inspected, accepted and handed over. Wrong roles, places,
// the maker, a short notice and an unapproved allocation are refused.
func TestNanChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, "nan")
		if _, err := e.p.Create(ctx, finance, newProject("P1", "800,000")); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("finance enters a project: %v", err)
		}
		if _, err := e.p.Create(ctx, cadre2, newProject("P1", "800,000")); errs.KindOf(err) != errs.NotFound {
			t.Errorf("another village's cadre enters it: %v", err)
		}
		bad := newProject("P1", "800,000")
		bad.Goals = append(bad.Goals, projects.Goal{Indicator: "x"})
		wantCode(t, "goal without target", func() error { _, err := e.p.Create(ctx, cadre, bad); return err }(), "invalid_goal")
		if _, err := e.p.Create(ctx, cadre, newProject("P1", "800,000")); err != nil {
			t.Fatal(err)
		}
		_, err := e.f.Allocate(ctx, "fin", county, funds.Allocation{Key: "early", Project: "P1", Amount: yuan("1")})
		wantCode(t, "allocating to a library project", err, "project_not_approved")

		if _, err := e.p.Submit(ctx, cadre, "P1", "村民代表大会通过"); err != nil {
			t.Fatal(err)
		}
		if s := status(t, e, "P1"); s != projects.Proposed {
			t.Errorf("after submission: %s", s)
		}
		approve := workflow.Decision{Action: workflow.Approve, Opinion: "同意"}
		_, err = e.p.Decide(ctx, finance, "P1", approve)
		wantCode(t, "finance takes the township's step", err, "wrong_step_role")
		_, err = e.p.Decide(ctx, other, "P1", approve)
		if errs.KindOf(err) != errs.NotFound {
			t.Errorf("another township's officer: %v", err)
		}
		// The township returns it once; the cadre changes and resubmits.
		if _, err := e.p.Decide(ctx, township, "P1", workflow.Decision{Action: workflow.Return, ToStep: 0}); errs.CodeOf(err) != "opinion_required" {
			t.Errorf("return without reasons: %v", err)
		}
		if _, err := e.p.Decide(ctx, township, "P1", workflow.Decision{Action: workflow.Return, ToStep: 0, Opinion: "补充受益农户名单"}); err != nil {
			t.Fatal(err)
		}
		if s := status(t, e, "P1"); s != projects.Returned {
			t.Errorf("after return: %s", s)
		}
		upd := newProject("P1", "800,000")
		upd.LinkDetail = "沿线茶园农户120户（名单附后）"
		if _, err := e.p.Update(ctx, cadre, upd); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Submit(ctx, cadre, "P1", "已补充"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Update(ctx, cadre, upd); errs.CodeOf(err) != "not_editable" {
			t.Errorf("editing a proposed project: %v", err)
		}
		for _, p := range []auth.Principal{township, rural, finance, sector} {
			e.advance(time.Hour)
			if _, err := e.p.Decide(ctx, p, "P1", approve); err != nil {
				t.Fatalf("%s approves: %v", p.Username, err)
			}
		}
		if s := status(t, e, "P1"); s != projects.Reviewed {
			t.Errorf("after the reviews: %s", s)
		}
		_, err = e.p.Decide(ctx, rural, "P1", approve)
		wantCode(t, "the bureau's reviewer signs the approval too", err, "already_signed")
		_, err = e.p.Decide(ctx, rural2, "P1", approve)
		wantCode(t, "approving before the notice", err, "notice_required")
		today := clock.Day(*e.now)
		in := workflow.NoticeInput{Title: "上坝村产业路项目公示", Body: "项目名称：上坝村产业路；投资80万元；受益农户120户。", Starts: today, Ends: clock.Day(e.now.AddDate(0, 0, 5))}
		_, err = e.p.OpenNotice(ctx, township, "P1", in)
		wantCode(t, "a 6-day notice", err, "notice_too_short")
		in.Body += " 联系人身份证 110101199003074518"
		_, err = e.p.OpenNotice(ctx, township, "P1", in)
		wantCode(t, "an ID number in a notice", err, "personal_data")
		in.Body = "项目名称：上坝村产业路；投资80万元；受益农户120户。"
		in.Ends = clock.Day(e.now.AddDate(0, 0, 9))
		n, err := e.p.OpenNotice(ctx, township, "P1", in)
		if err != nil {
			t.Fatal(err)
		}
		if s := status(t, e, "P1"); s != projects.Noticed {
			t.Errorf("during the notice: %s", s)
		}
		e.advance(48 * time.Hour)
		o, err := e.wf.FileObjection(ctx, "public", county, n.ID, workflow.ObjectionInput{Body: "路线经过基本农田？", Contact: "13800138000"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.p.Decide(ctx, rural2, "P1", approve)
		wantCode(t, "approving during the notice", err, "notice_running")
		if _, err := e.p.Answer(ctx, township, o.ID, false, "经核实不占基本农田，附国土所意见"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Answer(ctx, township, o.ID, true, "again"); errs.CodeOf(err) != "already_answered" {
			t.Errorf("answering twice: %v", err)
		}
		e.advance(9 * 24 * time.Hour)
		if _, err := e.wf.FileObjection(ctx, "public", county, n.ID, workflow.ObjectionInput{Body: "late"}); errs.CodeOf(err) != "notice_closed" {
			t.Errorf("an objection after the notice: %v", err)
		}
		if _, err := e.p.Decide(ctx, rural2, "P1", approve); err != nil {
			t.Fatal(err)
		}
		if s := status(t, e, "P1"); s != projects.Approved {
			t.Errorf("after approval: %s", s)
		}
		if _, err := e.f.Allocate(ctx, "fin", county, funds.Allocation{Key: "p1", Project: "P1", Amount: yuan("800,000")}); err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			who  auth.Principal
			to   string
			note string
		}{{township, projects.Construction, "开工"}, {township, projects.Completed, "完工"}} {
			if _, err := e.p.Advance(ctx, step.who, "P1", step.to, step.note); err != nil {
				t.Fatalf("%s: %v", step.to, err)
			}
		}
		if _, err := e.p.Inspect(ctx, sector, "P1", projects.Inspection{Phase: "late", Findings: "路面平整，符合设计"},
			[]projects.Upload{{Name: "完工.png", R: bytes.NewReader(png())}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Inspect(ctx, sector, "P1", projects.Inspection{Phase: "late", Findings: "x"},
			[]projects.Upload{{Name: "照片.pdf", R: strings.NewReader("\x7fELF\x02\x01\x01")}}); errs.CodeOf(err) != "executable_content" {
			t.Errorf("an executable named .pdf: %v", err)
		}
		ins, _ := e.p.Inspections(ctx, county, "P1")
		if len(ins) != 1 || len(ins[0].Files) != 1 {
			t.Errorf("inspections %+v", ins)
		}
		if err := e.p.Track(ctx, township, "P1", projects.Tracking{Indicator: "硬化里程", Value: "3.2公里"}); err != nil {
			t.Fatal(err)
		}
		if err := e.p.Track(ctx, township, "P1", projects.Tracking{Indicator: "不存在", Value: "1"}); errs.CodeOf(err) != "unknown_goal" {
			t.Errorf("tracking an unknown goal: %v", err)
		}
		if _, err := e.p.Advance(ctx, rural, "P1", projects.Accepted, "验收合格"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Advance(ctx, rural, "P1", projects.HandedOver, ""); errs.CodeOf(err) != "invalid_note" {
			t.Errorf("handover without naming the assets: %v", err)
		}
		if _, err := e.p.Advance(ctx, rural, "P1", projects.HandedOver, "道路3.2公里移交上坝村集体管护"); err != nil {
			t.Fatal(err)
		}
		if err := e.p.Evaluate(ctx, rural, "P1", 92, "达到绩效目标"); err != nil {
			t.Fatal(err)
		}
		p, _ := e.p.Get(ctx, county, "P1")
		if p.Status != projects.HandedOver || p.Score != 92 || p.AssetState == "" {
			t.Errorf("at the end: %+v", p)
		}
		it, _ := e.p.ItemOf(ctx, county, "P1")
		hist, _ := e.wf.History(ctx, county, it.ID)
		var decisions []string
		for _, h := range hist {
			decisions = append(decisions, h.Decision)
		}
		if got := strings.Join(decisions, ","); got != "submit,return,submit,approve,approve,approve,approve,approve" {
			t.Errorf("history %s", got)
		}
	})
}

// TestMakerCheckerThresholdFreeze: the maker cannot approve; a project
// above the profile's threshold needs an extra county signer who signed
// no other step; a frozen item takes no step.
func TestMakerCheckerThresholdFreeze(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, "nan")
		// A township officer proposes for a village (the township may take
		// the proposing step only if the chain says so: Nan's says village).
		if _, err := e.p.Create(ctx, township, newProject("BIG", "1,500,000")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Submit(ctx, township, "BIG", ""); errs.CodeOf(err) != "wrong_step_role" {
			t.Errorf("a township officer takes the village's step: %v", err)
		}
		if _, err := e.p.Submit(ctx, cadre, "BIG", ""); err != nil {
			t.Fatal(err)
		}
		it, _ := e.p.ItemOf(ctx, county, "BIG")
		if n := len(it.Chain); n != 7 || !it.Chain[5].Extra {
			t.Fatalf("a 1.5m project's chain: %+v", it.Chain)
		}
		// The maker is refused even with the right role (a cadre who is
		// also… here: a township-level maker).
		if _, err := e.p.Freeze(ctx, township, "BIG", true, "审计"); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("a township officer freezes: %v", err)
		}
		if _, err := e.p.Freeze(ctx, auditor, "BIG", true, "县审计局专项审计"); err != nil {
			t.Fatal(err)
		}
		approve := workflow.Decision{Action: workflow.Approve, Opinion: "同意"}
		if _, err := e.p.Decide(ctx, township, "BIG", approve); errs.CodeOf(err) != "frozen" {
			t.Errorf("deciding a frozen item: %v", err)
		}
		if _, err := e.p.Freeze(ctx, auditor, "BIG", false, ""); err != nil {
			t.Fatal(err)
		}
		// The township's opinion comes with the site-visit photo.
		if _, err := e.p.Decide(ctx, township, "BIG", approve, projects.Upload{Kind: "inspection", Name: "现场.png", R: bytes.NewReader(png())}); err != nil {
			t.Fatal(err)
		}
		hist, _ := e.wf.History(ctx, county, it.ID)
		files, _ := e.p.Volume(ctx, county, "BIG")
		if last := hist[len(hist)-1]; len(last.Attachments) != 1 || len(files) != 1 || files[0].ID != last.Attachments[0] {
			t.Errorf("the decision's attachment: %+v, volume %+v", last, files)
		}
		for _, p := range []auth.Principal{rural, finance, sector} {
			if _, err := e.p.Decide(ctx, p, "BIG", approve); err != nil {
				t.Fatalf("%s: %v", p.Username, err)
			}
		}
		if _, err := e.p.Decide(ctx, rural, "BIG", approve); errs.CodeOf(err) != "already_signed" {
			t.Errorf("the bureau's reviewer signs as the extra signer too: %v", err)
		}
		if _, err := e.p.Decide(ctx, rural2, "BIG", approve); err != nil {
			t.Fatal(err)
		}

		// Maker–checker: a proposer who holds the role of a later step.
		if _, err := e.p.Create(ctx, rural, newProject("SELF", "100,000")); err != nil {
			t.Fatal(err)
		}
		selfChain := workflow.NewItem{Kind: "credit", Subject: "c1", Title: "x", Place: "990101000000", Amount: 0,
			Chain: []workflow.Step{{Name: "申请", Role: "rural", Level: "county"}, {Name: "审批", Role: "rural", Level: "county"}}}
		err := db.Write(ctx, *e.now, func(tx *store.Tx) error {
			it, err := e.wf.StartTx(ctx, tx, rural, county, selfChain)
			if err != nil {
				return err
			}
			_, err = e.wf.DecideTx(ctx, tx, rural, county, it.ID, approve)
			return err
		})
		wantCode(t, "approve by the maker", err, "maker_checker")
	})
}

// TestReclaimAndSwitch: a violation returns the project's unspent money
// to the pool keeping each channel leg, or moves it to another approved
// project.
func TestReclaimAndSwitch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, "nan")
		for _, c := range []string{"A", "B", "C"} {
			p := newProject(c, "100,000")
			p.Status = funds.StatusApproved
			if _, err := e.f.CreateProject(ctx, "t", county, p.Project); err != nil {
				t.Fatal(err)
			}
			if _, err := e.f.Allocate(ctx, "fin", county, funds.Allocation{Key: c, Project: c, Amount: yuan("100,000")}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.p.Reclaim(ctx, cadre, "A", "", "违规"); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("a village cadre reclaims: %v", err)
		}
		if _, err := e.p.Reclaim(ctx, other, "A", "", "违规"); errs.KindOf(err) != errs.NotFound {
			t.Errorf("another township reclaims: %v", err)
		}
		in, err := e.p.Reclaim(ctx, township, "A", "", "虚报工程量")
		if err != nil {
			t.Fatal(err)
		}
		if in.State != instruct.Pending || status(t, e, "A") == projects.Reclaimed {
			t.Fatalf("a reclaim entered by one person posted at once: %+v", in)
		}
		if _, err := e.ins.Decide(ctx, township, in.ID, workflow.Decision{Action: workflow.Approve}); errs.CodeOf(err) != "maker_checker" && errs.KindOf(err) != errs.Forbidden {
			t.Errorf("the township officer approves their own reclaim: %v", err)
		}
		in, err = e.ins.Decide(ctx, finance, in.ID, workflow.Decision{Action: workflow.Approve})
		if err != nil {
			t.Fatal(err)
		}
		if in.Amount != yuan("100,000") || in.State != instruct.Posted || len(in.Result) != 1 || status(t, e, "A") != projects.Reclaimed {
			t.Errorf("reclaim %+v, status %s", in, status(t, e, "A"))
		}
		if _, err := e.p.Reclaim(ctx, township, "A", "", "again"); errs.CodeOf(err) != "nothing_to_reclaim" {
			t.Errorf("reclaiming twice: %v", err)
		}
		in, err = e.p.Reclaim(ctx, township, "B", "C", "项目无法实施，调整至C")
		if err != nil {
			t.Fatal(err)
		}
		// Money leaves B before the approval: the instruction no longer
		// holds what it was entered for.
		if _, err := e.f.Pay(ctx, "fin", county, funds.Payment{Key: "b1", Project: "B", To: "pool", Amount: yuan("1")}); err == nil {
			t.Errorf("a payment back to the pool is not a payment")
		}
		in, err = e.ins.Decide(ctx, finance, in.ID, workflow.Decision{Action: workflow.Approve})
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Result) != 2 {
			t.Errorf("switch %+v", in)
		}
		rep, _ := e.f.ProjectReport(ctx, county, "C")
		if rep.Total.Held != yuan("200,000") || len(rep.Lines) != 1 || rep.Lines[0].Channel != "ZX" {
			t.Errorf("C after the switch: %+v", rep.Total)
		}
	})
}

func png() []byte {
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
}

// TestEditorsAreMakers: whoever changes a project under review is one of
// its makers: a township officer who raises the budget of a returned
// project does not then approve the township's step; another officer of
// the township does.
func TestEditorsAreMakers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, "nan")
		p := newProject("E1", "300,000")
		if _, err := e.p.Create(ctx, cadre, p); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Submit(ctx, cadre, "E1", "村民代表大会通过"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Decide(ctx, township, "E1", workflow.Decision{Action: workflow.Return, ToStep: 0, Opinion: "预算需核实"}); err != nil {
			t.Fatal(err)
		}
		p.Budget = yuan("900,000")
		if _, err := e.p.Update(ctx, township, p); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Submit(ctx, cadre, "E1", "按乡镇意见调整"); err != nil {
			t.Fatal(err)
		}
		approve := workflow.Decision{Action: workflow.Approve, Opinion: "同意"}
		_, err := e.p.Decide(ctx, township, "E1", approve)
		wantCode(t, "the officer who changed the budget approves it", err, "maker_checker")
		town2 := who("town.b", auth.RoleTownship, "990101001000")
		if _, err := e.p.Decide(ctx, town2, "E1", approve); err != nil {
			t.Fatal(err)
		}
		it, err := e.wf.ItemFor(ctx, db, county, projects.Kind, "E1")
		if err != nil || !it.MadeBy("town") || it.CanTake(township) {
			t.Errorf("the item's makers: %+v %v", it.Editors, err)
		}
	})
}
