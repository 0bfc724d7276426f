// Package demo creates the demo counties. The first: a clearly fictional county
// (division code 990101, which no real province uses) with townships,
// villages, a user for every role, fund channels and a few ledger
// movements from channel to pool to projects to households. The second
// (990102, adopted.go) started using onepool mid-year: its balances came
// in through the opening import, approved by two people. Every step is
// idempotent, so running it again changes nothing.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/ident"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/projects"
	"onepool/internal/registry"
	"onepool/internal/relief"
	"onepool/internal/volume"
	"onepool/internal/workflow"
)

// County is the demo county's 6-digit code.
const County = "990101"

// Credential is a demo user's sign-in.
type Credential struct {
	County             string // the county's code
	Username, Password string
	Role               auth.Role
	Place              string // place name
}

type village struct {
	code  string
	name  string
	heads []string // household heads (fictional names)
}

type township struct {
	code, name string
	villages   []village
}

var countyName = "青禾县（演示）"

var townships = []township{
	{"990101001000", "清溪镇", []village{
		{"990101001001", "上坝村", []string{"李春生", "王秀英", "张德福", "刘桂兰", "陈有田"}},
		{"990101001002", "桃园村", []string{"杨文清", "赵淑芬", "黄永贵", "周玉梅"}},
		{"990101001003", "河湾村", []string{"吴长根", "徐凤英", "孙明亮"}},
	}},
	{"990101002000", "石门乡", []village{
		{"990101002001", "石门村", []string{"胡志强", "朱翠兰", "高守仁", "林春花"}},
		{"990101002002", "茶山村", []string{"何来福", "郭秋菊", "马建国"}},
		{"990101002003", "龙井村", []string{"罗正清", "梁玉珍"}},
	}},
	{"990101003000", "云岭镇", []village{
		{"990101003001", "云岭村", []string{"宋家旺", "郑兰英", "谢长寿", "韩小燕"}},
		{"990101003002", "松林村", []string{"唐德明", "冯素珍"}},
		{"990101003003", "白岩村", []string{"董开富", "萧桂芳", "程金山"}},
	}},
}

var users = []struct {
	username, name string
	role           auth.Role
	place          string
}{
	{"demo.admin", "管理员（演示）", auth.RoleAdmin, "990101000000"},
	{"demo.rural", "乡村振兴局 李明（演示）", auth.RoleRural, "990101000000"},
	{"demo.rural2", "乡村振兴局 分管副局长 张华（演示）", auth.RoleRural, "990101000000"},
	{"demo.finance", "财政局 王芳（演示）", auth.RoleFinance, "990101000000"},
	{"demo.finance2", "财政局 分管副局长 钱进（演示）", auth.RoleFinance, "990101000000"},
	{"demo.sector", "交通运输局 赵强（演示）", auth.RoleSector, "990101000000"},
	{"demo.township", "清溪镇 陈静（演示）", auth.RoleTownship, "990101001000"},
	{"demo.township2", "石门乡 刘洋（演示）", auth.RoleTownship, "990101002000"},
	{"demo.village", "上坝村 周勇（演示）", auth.RoleVillage, "990101001001"},
	{"demo.village2", "上坝村 会计 吴芳（演示）", auth.RoleVillage, "990101001001"},
	{"demo.village3", "桃园村 杨秀珍（演示）", auth.RoleVillage, "990101001002"},
	{"demo.auditor", "审计局 孙丽（演示）", auth.RoleAuditor, "990101000000"},
}

// Password is the demo password of a demo user: printed, documented, and
// for the demo only.
func Password(username string) string { return username + "-2026" }

var channels = []ledger.NewChannel{
	{Code: "ZX", Name: "中央财政衔接推进乡村振兴补助资金"},
	{Code: "SJ", Name: "省级财政衔接推进乡村振兴补助资金"},
	{Code: "XJ", Name: "县级财政衔接资金"},
	{Code: "JT", Name: "交通部门农村公路资金"},
	{Code: "SH", Name: "社会捐赠资金（东西部协作）"},
}

// channelMeta is what the registry knows of each demo channel under the
// Zigui profile, and its 2026 plan, arrival and integration.
var channelMeta = map[string]struct {
	level, category, department string
	plan, arrive, integrate     string
	doc                         string
	day                         time.Time
}{
	"ZX": {"central", "fiscal", "扶贫", "12,000,000", "12,000,000", "11,000,000", "青财农〔2026〕12号（演示）", time.Date(2026, 3, 2, 0, 0, 0, 0, clock.Zone)},
	"SJ": {"province", "fiscal", "扶贫", "5,000,000", "4,000,000", "4,000,000", "青财农〔2026〕15号（演示）", time.Date(2026, 3, 20, 0, 0, 0, 0, clock.Zone)},
	"XJ": {"county", "fiscal", "财政", "3,000,000", "3,000,000", "2,600,000", "青财预〔2026〕3号（演示）", time.Date(2026, 2, 10, 0, 0, 0, 0, clock.Zone)},
	"JT": {"province", "sector", "交通", "3,000,000", "2,500,000", "2,500,000", "青交发〔2026〕8号（演示）", time.Date(2026, 4, 8, 0, 0, 0, 0, clock.Zone)},
	"SH": {"social", "social", "社会帮扶", "300,000", "300,000", "300,000", "协作捐赠〔2026〕1号（演示）", time.Date(2026, 5, 17, 0, 0, 0, 0, clock.Zone)},
}

// y parses a yuan amount of the demo data.
func y(s string) money.Fen {
	f, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return f
}

type project struct {
	code, name, place, purpose, department string
}

var projects2026 = []project{
	{"prj:2026-001", "上坝村产业路硬化工程", "990101001001", "infrastructure", "交通"},
	{"prj:2026-002", "桃园村茶叶初加工厂建设", "990101001002", "industry", "农业农村"},
	{"prj:2026-003", "石门村饮水安全巩固提升", "990101002001", "infrastructure", "水利"},
	{"prj:2026-004", "全县到户产业奖补", "990101000000", "household", "乡村振兴"},
}

// Run creates (or completes) the demo county and returns the demo
// sign-ins. actor is who the audit log names ("cli").
func Run(ctx context.Context, a *auth.Service, l *ledger.Ledger, keys ...*registry.Keys) ([]Credential, error) {
	sys := auth.System(County)
	root := place.Code(County + "000000")
	nodes := []place.Node{{Code: root, Name: countyName}}
	names := map[string]string{string(root): countyName}
	for _, t := range townships {
		nodes = append(nodes, place.Node{Code: place.Code(t.code), Name: t.name, Parent: root})
		names[t.code] = t.name
		for _, v := range t.villages {
			nodes = append(nodes, place.Node{Code: place.Code(v.code), Name: v.name, Parent: place.Code(t.code)})
			names[v.code] = v.name
		}
	}
	if _, err := a.ImportPlaces(ctx, sys, nodes); err != nil {
		return nil, fmt.Errorf("demo places: %w", err)
	}
	var creds []Credential
	for _, u := range users {
		creds = append(creds, Credential{County: County, Username: u.username, Password: Password(u.username), Role: u.role, Place: names[u.place]})
		if _, err := a.User(ctx, sys, u.username); err == nil {
			continue
		}
		if _, err := a.CreateUser(ctx, sys, auth.NewUser{Username: u.username, DisplayName: u.name, Role: u.role, Place: place.Code(u.place), Password: Password(u.username)}); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", u.username, err)
		}
	}
	// The demo county works under the Zigui profile (seed 001) until an
	// administrator chooses another.
	counties := policy.NewCounties(l.DB(), nil)
	if _, err := counties.Choice(ctx, County); errs.CodeOf(err) == "no_profile" {
		if _, err := counties.Choose(ctx, "demo", County, "zigui", ""); err != nil {
			return nil, fmt.Errorf("demo policy: %w", err)
		}
	} else if err != nil {
		return nil, err
	}
	fs := funds.New(l.DB(), l, counties, nil)
	if err := ledgerMovements(ctx, l, fs); err != nil {
		return nil, err
	}
	wf := workflow.New(l.DB(), nil)
	if err := libraryProjects(ctx, projects.New(l.DB(), fs, wf, volume.New(l.DB(), nil), counties, nil), wf); err != nil {
		return nil, err
	}
	ins := instruct.NewService(l.DB(), wf, counties, nil)
	fs.UseInstructions(ins)
	if err := twoPeople(ctx, fs, ins); err != nil {
		return nil, err
	}
	if len(keys) > 0 && keys[0] != nil {
		reg := registry.New(l.DB(), keys[0], nil)
		if err := reliefFund(ctx, reg, relief.New(l.DB(), l, reg, keys[0], wf, counties, nil)); err != nil {
			return nil, err
		}
		if err := demoEntitiesRun(ctx, l, reg, keys[0], time.Now().In(clock.Zone).Year()); err != nil {
			return nil, err
		}
		if err := demoAgreements(ctx, l, reg, keys[0], wf, counties, fs); err != nil {
			return nil, err
		}
		if err := demoDividends(ctx, l, reg, keys[0], wf, counties, ins); err != nil {
			return nil, err
		}
		if err := demoAssets(ctx, l, reg, keys[0], wf, counties, fs, projects.New(l.DB(), fs, wf, volume.New(l.DB(), nil), counties, nil)); err != nil {
			return nil, err
		}
		if err := demoAssetIncome(ctx, l, reg, keys[0], wf, counties, ins); err != nil {
			return nil, err
		}
		if err := demoAssetsMore(ctx, l, reg, keys[0]); err != nil {
			return nil, err
		}
	}
	// The second county, started mid-year through the opening import.
	more, err := adoptedCounty(ctx, a, l)
	if err != nil {
		return nil, err
	}
	return append(creds, more...), nil
}

// twoPeople shows two people on money: an allocation entered by the
// rural-revitalization bureau and approved (posted) by the finance
// bureau, and one still waiting for the finance bureau's approval.
func twoPeople(ctx context.Context, fs *funds.Service, ins *instruct.Service) error {
	rural, fin := principal("demo.rural"), principal("demo.finance")
	done, err := fs.ProposeAllocation(ctx, rural, funds.Allocation{Key: "demo:two-people-1", Project: "2026-001", Amount: y("100,000"), DocNo: "青财〔2026〕21号（演示）", Memo: "追加安排（演示）"})
	if err != nil {
		return fmt.Errorf("demo instruction: %w", err)
	}
	if done.State == instruct.Pending {
		if _, err := ins.Decide(ctx, fin, done.ID, workflow.Decision{Action: workflow.Approve, Opinion: "资金用途相符，同意拨付（演示）"}); err != nil {
			return fmt.Errorf("demo approval: %w", err)
		}
	}
	if _, err := fs.ProposeAllocation(ctx, rural, funds.Allocation{Key: "demo:two-people-2", Project: "2026-003", Amount: y("50,000"), DocNo: "青财〔2026〕22号（演示）", Memo: "饮水工程追加（演示）"}); err != nil {
		return fmt.Errorf("demo instruction: %w", err)
	}
	return nil
}

// residentID makes a fictional resident ID (area 990101, not a real
// region) with a valid check digit.
func residentID(birth string, seq int) string {
	body := fmt.Sprintf("990101%s%03d", birth, seq%1000)
	return body + string(ident.ResidentIDCheckChar(body))
}

// cardNumber makes a fictional card number with a valid Luhn digit.
func cardNumber(n int) string {
	body := fmt.Sprintf("999901%012d", n)
	return body + string(ident.LuhnDigit(body))
}

// reliefFund puts 上坝村's households in the registry (fictional IDs and
// cards, encrypted like real ones), donations of the 10·17 campaign in the
// relief fund (the floor then asks the treasury for the rest), and two
// applications: one waiting for the village's initial review, one for the
// township.
func reliefFund(ctx context.Context, reg *registry.Service, rs *relief.Service) error {
	if _, err := reg.Household(ctx, County, "990101001001-01"); err == nil {
		return nil
	}
	cadre := principal("demo.village")
	year := time.Now().In(clock.Zone).Year()
	for i, names := range townships[0].villages[0].heads {
		code := fmt.Sprintf("990101001001-%02d", i+1)
		h := registry.Household{County: County, Code: code, Village: "990101001001", Head: names,
			Members: []registry.Member{{Name: names, ResidentID: residentID(fmt.Sprintf("19%02d0%d1%d", 50+i*3, 1+i%9, i%9), 100+i), Relation: "户主", Alive: true},
				{Name: "王" + string([]rune(names)[1:]), ResidentID: residentID(fmt.Sprintf("19%02d0%d2%d", 52+i*3, 1+i%9, i%9), 200+i), Relation: "配偶", Alive: true}},
			Card: registry.Card{Holder: names, Bank: "青禾农商银行（演示）", Number: cardNumber(1000 + i)}}
		if _, _, err := reg.Save(ctx, cadre, h); err != nil {
			return fmt.Errorf("demo registry: %w", err)
		}
		status, income := registry.Exited, "11,000"
		if i >= 3 {
			status, income = registry.NonPoor, "60,000"
		}
		if _, err := reg.SetYear(ctx, cadre, registry.Year{Household: code, Year: year, Status: status, Causes: []string{"illness"}, Income: y(income), Expenses: y("2,000")}); err != nil {
			return fmt.Errorf("demo registry year: %w", err)
		}
	}
	fin := principal("demo.finance")
	if _, err := rs.Receive(ctx, fin, relief.Inflow{Key: "demo-1017", Source: "donation", Donor: "青禾县商会（演示）", Campaign: "10·17 扶贫日", Amount: y("600,000")}); err != nil {
		return fmt.Errorf("demo donation: %w", err)
	}
	for i := 1; i <= 2; i++ {
		a, err := rs.Apply(ctx, cadre, relief.NewApplication{Household: fmt.Sprintf("990101001001-%02d", i), MemberSeq: 1, Year: year, Cause: "illness", Opinion: "农户申请，村干部代为提出（演示）"})
		if err != nil {
			return fmt.Errorf("demo relief application: %w", err)
		}
		if i == 2 {
			if _, err := rs.Decide(ctx, principal("demo.village2"), a.ID, workflow.Decision{Action: workflow.Approve, Opinion: "经村民小组核实（演示）"}); err != nil {
				return fmt.Errorf("demo relief review: %w", err)
			}
		}
	}
	return nil
}

// principal is a demo user acting.
func principal(username string) auth.Principal {
	for _, u := range users {
		if u.username == username {
			return auth.Principal{Username: u.username, DisplayName: u.name, Role: u.role, Place: place.Code(u.place), County: County}
		}
	}
	panic("demo: no user " + username)
}

// libraryProjects puts next year's proposals of 上坝村 in the project
// library at three stages — in the library, waiting for the bureau, and on
// public notice (so the public portal has a notice to read and object to)
// — each taken there by the demo users through the review chain.
func libraryProjects(ctx context.Context, ps *projects.Service, wf *workflow.Engine) error {
	if _, err := ps.Get(ctx, County, "2027-001"); err == nil {
		return nil
	}
	year := time.Now().In(clock.Zone).Year() + 1
	mk := func(code, name, purpose string, budget string, households int, goals ...projects.Goal) error {
		var p projects.Project
		p.Code, p.Name, p.Place, p.Purpose, p.Department = code, name, "990101001001", purpose, "乡村振兴"
		p.PlanYear, p.Unit, p.Leader, p.Team, p.Budget = year, "清溪镇人民政府", "清溪镇副镇长 陈静（演示）", "镇村项目工作专班", y(budget)
		p.LinkMode, p.LinkHouseholds, p.LinkDetail, p.Goals = "务工+产业带动", households, "上坝村脱贫户和监测户优先务工", goals
		_, err := ps.Create(ctx, principal("demo.village"), p)
		return err
	}
	if err := mk("2027-001", "上坝村人居环境整治（演示）", "infrastructure", "300,000", 80, projects.Goal{Indicator: "改厕", Target: "60户"}); err != nil {
		return fmt.Errorf("demo library: %w", err)
	}
	if err := mk("2027-002", "上坝村茶叶加工厂扩建（演示）", "industry", "600,000", 45, projects.Goal{Indicator: "年加工鲜叶", Target: "200吨"}, projects.Goal{Indicator: "带动务工", Target: "45人"}); err != nil {
		return fmt.Errorf("demo library: %w", err)
	}
	if err := mk("2027-003", "上坝村产业路延伸（演示）", "infrastructure", "800,000", 120, projects.Goal{Indicator: "硬化里程", Target: "2.5公里"}); err != nil {
		return fmt.Errorf("demo library: %w", err)
	}
	ok := workflow.Decision{Action: workflow.Approve, Opinion: "同意（演示）"}
	for _, code := range []string{"2027-002", "2027-003"} {
		if _, err := ps.Submit(ctx, principal("demo.village"), code, "经村民代表大会通过（演示）"); err != nil {
			return fmt.Errorf("demo submit: %w", err)
		}
		if _, err := ps.Decide(ctx, principal("demo.township"), code, ok); err != nil {
			return fmt.Errorf("demo review: %w", err)
		}
	}
	for _, u := range []string{"demo.rural", "demo.finance", "demo.sector"} {
		if _, err := ps.Decide(ctx, principal(u), "2027-003", ok); err != nil {
			return fmt.Errorf("demo review: %w", err)
		}
	}
	now := wf.Now()
	if _, err := ps.OpenNotice(ctx, principal("demo.township"), "2027-003", workflow.NoticeInput{Title: "上坝村产业路延伸项目公示（演示）",
		Body:   "项目名称：上坝村产业路延伸\n建设内容：硬化村组道路2.5公里\n投资估算：800,000元\n实施单位：清溪镇人民政府\n受益农户：120户\n公示期内如有异议，请向村委会或镇人民政府反映。",
		Starts: clock.Day(now), Ends: clock.Day(now.AddDate(0, 0, 9))}); err != nil {
		return fmt.Errorf("demo notice: %w", err)
	}
	return nil
}

func ledgerMovements(ctx context.Context, l *ledger.Ledger, fs *funds.Service) error {
	const actor = "demo"
	// The channels, registered with what they are (funds registry), their
	// plans, arrivals and integration into the pool.
	registered, err := fs.Channels(ctx, County)
	if err != nil {
		return err
	}
	if len(registered) == 0 {
		var nc []funds.NewChannel
		for _, ch := range channels {
			m := channelMeta[ch.Code]
			nc = append(nc, funds.NewChannel{Code: ch.Code, Name: ch.Name, Level: m.level, Category: m.category, Department: m.department, Year: 2026})
		}
		if _, err := fs.Register(ctx, actor, County, nc); err != nil {
			return fmt.Errorf("demo channels: %w", err)
		}
	}
	var arrivals, integrations []funds.Movement
	for _, ch := range channels {
		m := channelMeta[ch.Code]
		if err := fs.SetPlan(ctx, actor, County, ch.Code, 2026, y(m.plan)); err != nil {
			return fmt.Errorf("demo plan: %w", err)
		}
		arrivals = append(arrivals, funds.Movement{Key: "demo-" + ch.Code, Channel: ch.Code, Amount: y(m.arrive), Day: m.day, DocNo: m.doc, Memo: "资金到位"})
		integrations = append(integrations, funds.Movement{Key: "demo-" + ch.Code, Channel: ch.Code, Amount: y(m.integrate), Day: m.day.AddDate(0, 1, 0), DocNo: "青整合〔2026〕1号（演示）", Memo: "纳入统筹整合"})
	}
	if _, err := fs.Arrive(ctx, actor, County, arrivals); err != nil {
		return fmt.Errorf("demo arrivals: %w", err)
	}
	if _, err := fs.Integrate(ctx, actor, County, integrations); err != nil {
		return fmt.Errorf("demo integration: %w", err)
	}
	// The projects, as the funds capability records them (their ledger
	// accounts are prj:CODE).
	for _, p := range projects2026 {
		code := strings.TrimPrefix(p.code, "prj:")
		if _, err := fs.Project(ctx, County, code); errs.KindOf(err) == errs.NotFound {
			if _, err := fs.CreateProject(ctx, actor, County, funds.Project{Status: funds.StatusApproved, Code: code, Name: p.name, Place: place.Code(p.place), Purpose: p.purpose, Department: p.department}); err != nil {
				return fmt.Errorf("demo project %s: %w", code, err)
			}
		} else if err != nil {
			return err
		}
	}
	var accts []ledger.NewAccount
	accts = append(accts,
		ledger.NewAccount{Code: "ent:luqiao", Kind: ledger.Entity, Name: "青禾县路桥工程有限公司（演示）", Owner: "青禾县路桥工程有限公司（演示）", Place: "990101001001"},
		ledger.NewAccount{Code: "ent:chaye", Kind: ledger.Entity, Name: "桃园茶叶专业合作社（演示）", Owner: "桃园茶叶专业合作社（演示）", Place: "990101001002"},
		ledger.NewAccount{Code: "ent:shuiwu", Kind: ledger.Entity, Name: "石门供水工程队（演示）", Owner: "石门供水工程队（演示）", Place: "990101002001"},
		ledger.NewAccount{Code: "col:taoyuan", Kind: ledger.Collective, Name: "桃园村股份经济合作社（演示）", Owner: "桃园村", Place: "990101001002"})
	type hh struct{ code, village string }
	var households []hh
	for _, t := range townships {
		for _, v := range t.villages {
			for i, name := range v.heads {
				code := fmt.Sprintf("hh:%s-%02d", v.code, i+1)
				households = append(households, hh{code, v.code})
				accts = append(accts, ledger.NewAccount{Code: code, Kind: ledger.Household, Name: name, Owner: name, Place: place.Code(v.code)})
			}
		}
	}
	if _, err := l.OpenAccounts(ctx, actor, County, accts); err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}

	leg := func(ch, amt string) ledger.Leg { return ledger.Leg{Channel: ch, Amount: y(amt)} }
	var reqs []ledger.TransferRequest
	add := func(key, kind, from, to, memo, doc string, legs ...ledger.Leg) {
		reqs = append(reqs, ledger.TransferRequest{Key: "demo:" + key, Kind: kind, From: from, To: to, Legs: legs, Memo: memo, DocNo: doc})
	}
	// Allocations from the pool to projects, each with its channel legs
	// (explicit here; the profile's purposes are checked).
	for _, a := range []struct {
		key, project, memo string
		legs               []ledger.Leg
	}{
		{"alloc-001", "2026-001", "产业路硬化", []ledger.Leg{leg("ZX", "1,800,000"), leg("JT", "2,200,000")}},
		{"alloc-002", "2026-002", "茶叶初加工厂", []ledger.Leg{leg("ZX", "1,200,000"), leg("SJ", "600,000"), leg("SH", "200,000")}},
		{"alloc-003", "2026-003", "饮水安全巩固", []ledger.Leg{leg("SJ", "900,000"), leg("XJ", "300,000")}},
		{"alloc-004", "2026-004", "到户产业奖补", []ledger.Leg{leg("ZX", "500,000"), leg("SJ", "100,000")}},
	} {
		if _, err := fs.Allocate(ctx, actor, County, funds.Allocation{Key: "demo:" + a.key, Project: a.project, Legs: a.legs, Memo: a.memo,
			DocNo: "青整合〔2026〕2号（演示）", Day: time.Date(2026, 5, 20, 0, 0, 0, 0, clock.Zone)}); err != nil {
			return fmt.Errorf("demo allocation %s: %w", a.key, err)
		}
	}
	// Payments to contractors, the cooperative and households.
	add("pay-001-1", "payment", "prj:2026-001", "ent:luqiao", "工程进度款（第一期）", "青禾-2026-001-01", leg("ZX", "1,200,000"), leg("JT", "1,500,000"))
	add("pay-002-1", "payment", "prj:2026-002", "ent:chaye", "设备购置款", "青禾-2026-002-01", leg("ZX", "800,000"), leg("SH", "150,000"))
	add("pay-002-2", "payment", "prj:2026-002", "col:taoyuan", "村集体入股资金", "青禾-2026-002-02", leg("SJ", "300,000"))
	add("pay-003-1", "payment", "prj:2026-003", "ent:shuiwu", "管网改造款", "青禾-2026-003-01", leg("SJ", "600,000"), leg("XJ", "200,000"))
	n := 0
	for _, h := range households {
		amt := "5,000"
		if n%3 == 0 {
			amt = "8,000"
		}
		ch := "ZX"
		if n%4 == 3 {
			ch = "SJ"
		}
		add(fmt.Sprintf("hh-%s", h.code), "payment", "prj:2026-004", h.code, "到户产业奖补（一卡通）", "青禾-2026-004", leg(ch, amt))
		n++
	}
	// 一村一纪要: the on-site meeting in 上坝村 and its commitments (the
	// 发改 commitment has no channel behind it yet, so it shows overdue).
	cs, err := fs.Commitments(ctx, County, County)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		if err := fs.RecordMinutes(ctx, actor, County, funds.Minutes{Village: "990101001001", MinutesNo: "青纪〔2026〕3号（演示）", Day: time.Date(2026, 3, 12, 0, 0, 0, 0, clock.Zone),
			Commitments: []funds.Commitment{
				{Department: "交通", Amount: y("2,000,000"), Deadline: time.Date(2026, 6, 30, 0, 0, 0, 0, clock.Zone)},
				{Department: "扶贫", Amount: y("1,000,000"), Deadline: time.Date(2026, 6, 30, 0, 0, 0, 0, clock.Zone)},
				{Department: "发改", Amount: y("400,000"), Deadline: time.Date(2026, 8, 31, 0, 0, 0, 0, clock.Zone)},
			}}); err != nil {
			return fmt.Errorf("demo minutes: %w", err)
		}
	}
	// "1119": 上坝村's help team (rewritten each run: Assign replaces a role).
	for role, names := range map[string][]string{"leader": {"县委副书记 赵建华（演示）"}, "lead_unit": {"县交通运输局"}, "member_unit": {"县水利局", "县农业农村局"}, "enterprise": {"青禾县路桥工程有限公司（演示）"}} {
		if err := fs.Assign(ctx, actor, County, "990101001001", role, names); err != nil {
			return fmt.Errorf("demo team: %w", err)
		}
	}
	posted, err := l.Post(ctx, actor, County, reqs)
	if err != nil {
		return fmt.Errorf("demo transfers: %w", err)
	}
	// One correction, as in real life: a payment to the wrong household
	// is reversed (冲正) and paid again.
	var wrong int64
	for _, t := range posted {
		if t.Key == "demo:hh-hh:990101003002-02" {
			wrong = t.ID
		}
	}
	if wrong > 0 {
		if _, err := l.Reverse(ctx, actor, County, wrong, "demo:reverse-wrong-household", "收款账户有误，冲正后重新发放"); err != nil {
			return fmt.Errorf("demo reversal: %w", err)
		}
		if _, err := l.Post(ctx, actor, County, []ledger.TransferRequest{{Key: "demo:hh-repay", Kind: "payment", From: "prj:2026-004", To: "hh:990101003002-01",
			Legs: []ledger.Leg{leg("ZX", "5,000")}, Memo: "到户产业奖补（更正后发放）", DocNo: "青禾-2026-004"}}); err != nil {
			return fmt.Errorf("demo repayment: %w", err)
		}
	}
	return nil
}
