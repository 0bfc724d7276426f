package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onepool/internal/adopt"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/workflow"
)

// AdoptedCounty is the second demo county's code: a fictional county
// (990102) that started using onepool in October under the Pingli
// profile, its state brought in through the opening import.
const AdoptedCounty = "990102"

var adoptedName = "松岭县（演示·年中启用）"

var adoptedTownships = []township{
	{"990102001000", "松岭镇", []village{
		{"990102001001", "松岭村", []string{"曹德胜", "彭玉兰", "曾广福", "邓秀珍"}},
		{"990102001002", "杉木村", []string{"田长青", "袁桂英", "蒋国华"}},
	}},
	{"990102002000", "竹坪乡", []village{
		{"990102002001", "竹坪村", []string{"许永明", "沈翠花", "卢有才"}},
		{"990102002002", "金溪村", []string{"苏德全", "潘淑兰"}},
	}},
}

var adoptedUsers = []struct {
	username, name string
	role           auth.Role
	place          string
}{
	{"demo2.admin", "松岭县 管理员（演示）", auth.RoleAdmin, "990102000000"},
	{"demo2.rural", "松岭县乡村振兴局 龙飞（演示）", auth.RoleRural, "990102000000"},
	{"demo2.finance", "松岭县财政局 白雪（演示）", auth.RoleFinance, "990102000000"},
	{"demo2.finance2", "松岭县财政局 分管副局长 江涛（演示）", auth.RoleFinance, "990102000000"},
	{"demo2.finance3", "松岭县财政局 局长 方正（演示）", auth.RoleFinance, "990102000000"},
	{"demo2.township", "松岭镇 石磊（演示）", auth.RoleTownship, "990102001000"},
	{"demo2.village", "松岭村 杜娟（演示）", auth.RoleVillage, "990102001001"},
	{"demo2.auditor", "松岭县审计局 文静（演示）", auth.RoleAuditor, "990102000000"},
}

func adoptedPrincipal(username string) auth.Principal {
	for _, u := range adoptedUsers {
		if u.username == username {
			return auth.Principal{Username: u.username, DisplayName: u.name, Role: u.role, Place: place.Code(u.place), County: AdoptedCounty}
		}
	}
	panic("demo: no user " + username)
}

// adoptedDocNo and adoptedDay are the opening set's 文号 and 凭证日期.
const adoptedDocNo = "松财建〔2026〕1号（演示）"

var adoptedDay = time.Date(2026, 9, 30, 0, 0, 0, 0, clock.Zone)

// adoptedCounty creates the second demo county: places, users, the
// Pingli profile, channels, approved projects, accounts — and what they
// held when the county started (30 September), entered by its finance
// bureau as one opening file and approved by two other people. Idempotent:
// once the opening set is posted it does nothing but list the sign-ins.
func adoptedCounty(ctx context.Context, a *auth.Service, l *ledger.Ledger) ([]Credential, error) {
	sys := auth.System(AdoptedCounty)
	root := place.Code(AdoptedCounty + "000000")
	nodes := []place.Node{{Code: root, Name: adoptedName}}
	names := map[string]string{string(root): adoptedName}
	for _, t := range adoptedTownships {
		nodes = append(nodes, place.Node{Code: place.Code(t.code), Name: t.name, Parent: root})
		names[t.code] = t.name
		for _, v := range t.villages {
			nodes = append(nodes, place.Node{Code: place.Code(v.code), Name: v.name, Parent: place.Code(t.code)})
			names[v.code] = v.name
		}
	}
	var creds []Credential
	for _, u := range adoptedUsers {
		creds = append(creds, Credential{County: AdoptedCounty, Username: u.username, Password: Password(u.username), Role: u.role, Place: names[u.place]})
	}
	counties := policy.NewCounties(l.DB(), nil)
	fs := funds.New(l.DB(), l, counties, nil)
	ad := adopt.New(l.DB(), l, fs, nil)
	if sets, err := ad.Sets(ctx, AdoptedCounty); err != nil {
		return nil, err
	} else if len(sets) > 0 && sets[0].State == instruct.Posted {
		return creds, nil // already adopted
	}
	if _, err := a.ImportPlaces(ctx, sys, nodes); err != nil {
		return nil, fmt.Errorf("demo adopted places: %w", err)
	}
	for _, u := range adoptedUsers {
		if _, err := a.User(ctx, sys, u.username); err == nil {
			continue
		}
		if _, err := a.CreateUser(ctx, sys, auth.NewUser{Username: u.username, DisplayName: u.name, Role: u.role, Place: place.Code(u.place), Password: Password(u.username)}); err != nil {
			return nil, fmt.Errorf("demo adopted user %s: %w", u.username, err)
		}
	}
	if _, err := counties.Choice(ctx, AdoptedCounty); errs.CodeOf(err) == "no_profile" {
		if _, err := counties.Choose(ctx, "demo", AdoptedCounty, "pingli", ""); err != nil {
			return nil, fmt.Errorf("demo adopted policy: %w", err)
		}
	} else if err != nil {
		return nil, err
	}
	if chans, err := fs.Channels(ctx, AdoptedCounty); err != nil {
		return nil, err
	} else if len(chans) == 0 {
		if _, err := fs.Register(ctx, "demo", AdoptedCounty, []funds.NewChannel{
			{Code: "ZX", Name: "中央财政衔接推进乡村振兴补助资金", Level: "central", Category: "fiscal", Department: "扶贫", Year: 2026},
			{Code: "SJ", Name: "省级产业帮扶资金", Level: "province", Category: "fiscal", Department: "扶贫", Year: 2026},
			{Code: "XJ", Name: "县级产业扶贫奖补资金", Level: "county", Category: "fiscal", Department: "财政", Year: 2026},
			{Code: "SL", Name: "水利发展资金", Level: "province", Category: "sector", Department: "水利", Year: 2026},
		}); err != nil {
			return nil, fmt.Errorf("demo adopted channels: %w", err)
		}
	}
	for _, p := range []funds.Project{
		{Code: "2026-101", Name: "松岭村猕猴桃产业园（演示）", Place: "990102001001", Purpose: "industry", Department: "农业农村"},
		{Code: "2026-102", Name: "竹坪村安全饮水巩固（演示）", Place: "990102002001", Purpose: "infrastructure", Department: "水利"},
	} {
		if _, err := fs.Project(ctx, AdoptedCounty, p.Code); errs.KindOf(err) == errs.NotFound {
			p.Status = funds.StatusApproved
			if _, err := fs.CreateProject(ctx, "demo", AdoptedCounty, p); err != nil {
				return nil, fmt.Errorf("demo adopted project %s: %w", p.Code, err)
			}
		} else if err != nil {
			return nil, err
		}
	}
	accts := []ledger.NewAccount{{Code: "ent:mihoutao", Kind: ledger.Entity, Name: "松岭猕猴桃专业合作社（演示）", Owner: "松岭猕猴桃专业合作社（演示）", Place: "990102001001"}}
	var file strings.Builder
	file.WriteString("账户代码,渠道代码,金额（元）,账户名称\n")
	for _, r := range []string{"ch:ZX,ZX,80万元,中央衔接资金账户", "ch:SL,SL,\"350,000.00\",水利发展资金账户", "pool,ZX,260万元,资金池", "pool,SJ,120万元,资金池", "pool,XJ,\"600,000\",资金池",
		"prj:2026-101,ZX,90万元,猕猴桃产业园", "prj:2026-101,SJ,40万元,猕猴桃产业园", "prj:2026-102,SL,\"450,000.00元\",安全饮水", "ent:mihoutao,SJ,\"200,000\",猕猴桃合作社"} {
		file.WriteString(r + "\n")
	}
	n := 0
	for _, t := range adoptedTownships {
		for _, v := range t.villages {
			for i, name := range v.heads {
				code := fmt.Sprintf("hh:%s-%02d", v.code, i+1)
				accts = append(accts, ledger.NewAccount{Code: code, Kind: ledger.Household, Name: name, Owner: name, Place: place.Code(v.code)})
				amt := "3,000.00"
				if n%2 == 0 {
					amt = "5,000.00"
				}
				fmt.Fprintf(&file, "%s,ZX,\"%s\",%s（已发放的到户奖补）\n", code, amt, name)
				n++
			}
		}
	}
	if _, err := l.OpenAccounts(ctx, "demo", AdoptedCounty, accts); err != nil {
		return nil, fmt.Errorf("demo adopted accounts: %w", err)
	}
	wf := workflow.New(l.DB(), nil)
	ins := instruct.NewService(l.DB(), wf, counties, nil)
	ad.UseInstructions(ins)
	rows, err := adopt.ReadRows(strings.NewReader(file.String()))
	if err != nil {
		return nil, fmt.Errorf("demo opening file: %w", err)
	}
	in, err := ad.Propose(ctx, adoptedPrincipal("demo2.finance"), adopt.Opening{Key: "demo2:opening", DocNo: adoptedDocNo, Day: adoptedDay, Rows: rows})
	if err != nil {
		return nil, fmt.Errorf("demo opening: %w", err)
	}
	for _, u := range []string{"demo2.finance2", "demo2.finance3"} {
		if in.State != instruct.Pending {
			break
		}
		got, err := ins.Decide(ctx, adoptedPrincipal(u), in.ID, workflow.Decision{Action: workflow.Approve, Opinion: "与启用前账面余额核对一致（演示）"})
		if errs.CodeOf(err) == "already_signed" {
			continue // an earlier run stopped after this approval
		}
		if err != nil {
			return nil, fmt.Errorf("demo opening approval: %w", err)
		}
		in = got
	}
	return creds, nil
}
