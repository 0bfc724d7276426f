package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"sort"
	"time"

	"onepool/internal/auth"
	"onepool/internal/demo"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/store"
)

// The enlarged demo county: households, projects and transfers added to
// demo county 990101 by BigCounty. Every code and idempotency key is
// derived from an index, so running BigCounty again with the same sizes
// writes nothing new, and an interrupted run resumes where it stopped.
const (
	bigActor          = "bench"
	bigProjectsPerVil = 20 // extra project accounts per village
	bigTranches       = 2  // allocations pool → project, per project
)

var bigChannels = []string{"ZX", "SJ", "XJ", "JT", "SH"}

// Fictional names: a common surname and a one- or two-character given name.
var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givenM   = []rune("建国明华军伟强德福贵春生志永文长金海平荣发林顺光宝成富祥兴学忠有才根山清正家旺全守开")
	givenF   = []rune("秀英桂兰芳玉梅凤珍淑翠菊琴霞红燕丽花云娟萍莲秋春美彩月香素芬")
)

// Kinds of household-level support a project pays out (到户项目).
var projectTypes = []string{
	"到户产业奖补", "务工就业交通补助", "小额信贷贴息", "农村危房改造补助", "雨露计划教育补助",
	"光伏收益分配", "以工代赈劳务报酬", "庭院经济奖补", "生猪养殖奖补", "中药材种植奖补",
	"茶园管护补助", "公益性岗位补贴", "易地搬迁后续扶持", "技能培训补贴", "农机购置补助",
	"肉牛养殖奖补", "食用菌种植奖补", "电商销售奖补", "村级合作社分红", "防返贫监测帮扶",
}

// mix is splitmix64: a fixed, well-spread hash of an index.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func bigName(i int) string {
	h := mix(uint64(i) ^ 0x5eed)
	n := uint64(len(surnames))
	// Skewed towards the commonest surnames, as in a real village.
	s := surnames[(h%n)*((h>>8)%n)/n]
	given := givenM
	if (h>>16)&1 == 1 {
		given = givenF
	}
	g := uint64(len(given))
	name := string(s) + string(given[(h>>20)%g])
	if (h>>28)%5 != 0 {
		name += string(given[(h>>36)%g])
	}
	return name
}

type bigProject struct {
	code, name, doc string
	village         place.Code
	chans           []string // 1–2 channels
}

// bigPlan is the enlarged county's layout, computed from the sizes alone.
type bigPlan struct {
	villages   []place.Node
	households int
	payments   int
	projects   []bigProject
	stride     int // household permutation: h = (i*stride + 7) mod households
}

func newBigPlan(villages []place.Node, households, transfers int) (*bigPlan, error) {
	if len(villages) == 0 {
		return nil, fmt.Errorf("bench: the demo county has no villages")
	}
	if households <= 0 {
		return nil, fmt.Errorf("bench: households must be positive")
	}
	p := &bigPlan{villages: villages, households: households}
	for vi, v := range villages {
		for j := 0; j < bigProjectsPerVil; j++ {
			k := vi*bigProjectsPerVil + j
			pr := bigProject{
				code:    fmt.Sprintf("big:prj:%s-%02d", v.Code, j+1),
				name:    fmt.Sprintf("%s%s项目（2026）", v.Name, projectTypes[j%len(projectTypes)]),
				doc:     fmt.Sprintf("青禾-2026-%s-%02d（演示）", v.Code[6:], j+1),
				village: v.Code,
			}
			primary := "ZX"
			if k%3 == 2 {
				primary = "SJ"
			}
			pr.chans = []string{primary}
			if k%2 == 0 {
				for _, c := range []string{"SJ", "XJ", "SH", "JT"}[k/2%4:] {
					if c != primary {
						pr.chans = append(pr.chans, c)
						break
					}
				}
				if len(pr.chans) == 1 {
					pr.chans = append(pr.chans, "XJ")
				}
			}
			p.projects = append(p.projects, pr)
		}
	}
	overhead := 2*len(bigChannels) + len(p.projects)*bigTranches
	if transfers <= overhead {
		return nil, fmt.Errorf("bench: transfers must exceed %d (arrivals, integration and allocations)", overhead)
	}
	p.payments = transfers - overhead
	// A stride coprime with households spreads consecutive payments over
	// the villages and visits every household once per round.
	p.stride = households*618/1000 + 1
	for gcd(p.stride, households) != 1 {
		p.stride++
	}
	return p, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// household returns the code and village of household h.
func (p *bigPlan) household(h int) (string, place.Node) {
	v := p.villages[h%len(p.villages)]
	return bigHouseholdCode(string(v.Code), h/len(p.villages)), v
}

// bigHouseholdCode is the code of the n-th (from 0) big household of a village.
func bigHouseholdCode(village string, n int) string {
	return fmt.Sprintf("big:hh:%s-%06d", village, n+1)
}

// payment returns the i-th household payment.
func (p *bigPlan) payment(i int) ledger.TransferRequest {
	h := int((int64(i)*int64(p.stride) + 7) % int64(p.households))
	round := i / p.households
	code, _ := p.household(h)
	vi := h % len(p.villages)
	j := (h/len(p.villages) + round*7) % bigProjectsPerVil
	pr := p.projects[vi*bigProjectsPerVil+j]
	r := mix(uint64(i))
	total := money.Fen(50_000 + (r%251)*1_000) // 500–3,000 yuan, in tens of yuan
	legs := []ledger.Leg{{Channel: pr.chans[0], Amount: total}}
	if len(pr.chans) == 2 && (r>>12)%3 == 0 {
		first := total * 7 / 10
		legs = []ledger.Leg{{Channel: pr.chans[0], Amount: first}, {Channel: pr.chans[1], Amount: total - first}}
	}
	return ledger.TransferRequest{Key: fmt.Sprintf("big:pay:%08d", i), Kind: "payment", From: pr.code, To: code, Legs: legs,
		Memo: projectTypes[j%len(projectTypes)] + "（一卡通）", DocNo: pr.doc}
}

// funding returns the arrivals and integrations, then the allocations,
// each large enough that no payment overdraws a project and no allocation
// overdraws the pool.
func (p *bigPlan) funding() (intake, allocs []ledger.TransferRequest) {
	need := map[string]map[string]money.Fen{} // project → channel → paid out
	for i := 0; i < p.payments; i++ {
		t := p.payment(i)
		m := need[t.From]
		if m == nil {
			m = map[string]money.Fen{}
			need[t.From] = m
		}
		for _, lg := range t.Legs {
			m[lg.Channel] += lg.Amount
		}
	}
	roundUp := func(f, unit money.Fen) money.Fen { return (f + unit - 1) / unit * unit }
	pool := map[string]money.Fen{}
	for _, pr := range p.projects {
		for t := 0; t < bigTranches; t++ {
			var legs []ledger.Leg
			for _, c := range pr.chans {
				// Each tranche covers half the payouts plus 5 %, in whole 100 yuan,
				// at least 10,000 yuan.
				amt := max(roundUp(need[pr.code][c]*105/100/bigTranches, 10_000), 1_000_000)
				legs = append(legs, ledger.Leg{Channel: c, Amount: amt})
				pool[c] += amt
			}
			allocs = append(allocs, ledger.TransferRequest{Key: fmt.Sprintf("big:alloc:%s:%d", pr.code, t+1), Kind: "allocation", From: "pool", To: pr.code,
				Legs: legs, Memo: fmt.Sprintf("项目资金拨付（第%d批）", t+1), DocNo: fmt.Sprintf("青整合〔2026〕%d号（演示）", 10+t)})
		}
	}
	var integ []ledger.TransferRequest
	for n, c := range bigChannels {
		in := max(roundUp(pool[c]*102/100, 1_000_000), 100_000_000) // whole 10,000 yuan, ≥ 1 million yuan
		arr := roundUp(in*103/100, 1_000_000)
		intake = append(intake, ledger.TransferRequest{Key: "big:arrival-" + c, Kind: "arrival", From: "ext:" + c, To: "ch:" + c,
			Legs: []ledger.Leg{{Channel: c, Amount: arr}}, Memo: "资金到位（扩容）", DocNo: fmt.Sprintf("青财农〔2026〕%d号（演示）", 40+n)})
		integ = append(integ, ledger.TransferRequest{Key: "big:integrate-" + c, Kind: "integration", From: "ch:" + c, To: "pool",
			Legs: []ledger.Leg{{Channel: c, Amount: in}}, Memo: "纳入统筹整合（扩容）", DocNo: "青整合〔2026〕9号（演示）"})
	}
	return append(intake, integ...), allocs
}

// demoVillages returns the demo county's villages by code.
func demoVillages(ctx context.Context, a *auth.Service) ([]place.Node, error) {
	t, err := a.Places(ctx, demo.County)
	if err != nil {
		return nil, err
	}
	var vs []place.Node
	for _, n := range t.Descendants(place.Code(demo.County + "000000")) {
		if n.Code.Level() == place.Village {
			vs = append(vs, n)
		}
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Code < vs[j].Code })
	return vs, nil
}

// keyPosted reports whether a transfer with the idempotency key exists.
func keyPosted(ctx context.Context, db *store.DB, key string) (bool, error) {
	var id int64
	err := db.QueryRowContext(ctx, `SELECT id FROM ledger_transfers WHERE county = ? AND idem_key = ?`, demo.County, key).Scan(&id)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

// BigCounty creates the demo county (demo.Run) and enlarges it to
// households household accounts over its villages, 20 more project
// accounts per village, and transfers transfers: arrivals and integration
// into the pool, allocations to the projects and, the bulk, payments from
// projects to households of 500–3,000 yuan in one or two channel legs. It
// posts through ledger.Post in batches of ledger.MaxBatch, prints progress
// to progress, and finally brings the read projections up to date. It is
// idempotent: a second run with the same sizes writes nothing new.
func BigCounty(ctx context.Context, db *store.DB, l *ledger.Ledger, a *auth.Service, households, transfers int, progress io.Writer) error {
	if progress == nil {
		progress = io.Discard
	}
	t0 := time.Now()
	if _, err := demo.Run(ctx, a, l); err != nil {
		return err
	}
	villages, err := demoVillages(ctx, a)
	if err != nil {
		return err
	}
	p, err := newBigPlan(villages, households, transfers)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "big county %s: %d households in %d villages, %d projects, %d transfers (%d payments)\n",
		demo.County, households, len(villages), len(p.projects), transfers, p.payments)

	// Accounts.
	var projects []ledger.NewAccount
	for _, pr := range p.projects {
		projects = append(projects, ledger.NewAccount{Code: pr.code, Kind: ledger.Project, Name: pr.name, Owner: "项目实施单位", Place: pr.village, NoOverdraft: true})
	}
	if _, err := l.OpenAccounts(ctx, bigActor, demo.County, projects); err != nil {
		return fmt.Errorf("big county projects: %w", err)
	}
	start := time.Now()
	for i := 0; i < households; i += ledger.MaxBatch {
		end := min(i+ledger.MaxBatch, households)
		last, _ := p.household(end - 1)
		if err := db.QueryRowContext(ctx, `SELECT 1 FROM ledger_accounts WHERE county = ? AND code = ?`, demo.County, last).Scan(new(int)); err == nil {
			continue // this batch was opened by an earlier run
		}
		accs := make([]ledger.NewAccount, 0, end-i)
		for h := i; h < end; h++ {
			code, v := p.household(h)
			name := bigName(h)
			accs = append(accs, ledger.NewAccount{Code: code, Kind: ledger.Household, Name: name, Owner: name, Place: v.Code, NoOverdraft: true})
		}
		if _, err := l.OpenAccounts(ctx, bigActor, demo.County, accs); err != nil {
			return fmt.Errorf("big county households: %w", err)
		}
		fmt.Fprintf(progress, "  households: %d/%d (%v)\n", end, households, time.Since(start).Round(time.Millisecond))
	}

	// Funding, then payments.
	intake, allocs := p.funding()
	for _, b := range [][]ledger.TransferRequest{intake, allocs} {
		if _, err := l.Post(ctx, bigActor, demo.County, b); err != nil {
			if errs.CodeOf(err) == "idempotency_conflict" {
				return fmt.Errorf("big county funding: %w (the database was enlarged with other sizes; use a fresh database)", err)
			}
			return fmt.Errorf("big county funding: %w", err)
		}
	}
	fmt.Fprintf(progress, "  funding: %d arrivals and integrations, %d allocations\n", len(intake), len(allocs))
	start = time.Now()
	posted := 0
	batch := make([]ledger.TransferRequest, 0, ledger.MaxBatch)
	for i := 0; i < p.payments; i += ledger.MaxBatch {
		end := min(i+ledger.MaxBatch, p.payments)
		// A batch commits whole: if its last key is there, all of it is.
		if ok, err := keyPosted(ctx, db, p.payment(end-1).Key); err != nil {
			return err
		} else if ok {
			continue
		}
		batch = batch[:0]
		for j := i; j < end; j++ {
			batch = append(batch, p.payment(j))
		}
		if _, err := l.Post(ctx, bigActor, demo.County, batch); err != nil {
			return fmt.Errorf("big county payments %d–%d: %w", i, end-1, err)
		}
		posted += end - i
		if n := end / ledger.MaxBatch; n%10 == 0 || end == p.payments {
			el := time.Since(start)
			fmt.Fprintf(progress, "  payments: %d/%d (%v, %.0f/s)\n", end, p.payments, el.Round(time.Millisecond), float64(posted)/el.Seconds())
		}
	}
	start = time.Now()
	if err := l.RefreshProjections(ctx, demo.County); err != nil {
		return fmt.Errorf("big county projections: %w", err)
	}
	fmt.Fprintf(progress, "  projections refreshed in %v; big county ready in %v\n", time.Since(start).Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	return nil
}
