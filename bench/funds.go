package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"onepool/internal/clock"
	"onepool/internal/funds"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
)

// FundsOptions size the synthetic county of the funds benchmark.
type FundsOptions struct {
	DB                                                       string // empty: a fresh SQLite file
	Channels, Arrivals, Projects, Payments, Households, Runs int
}

// fundsCounty is the synthetic county's code (fictional, like the demo's).
const fundsCounty = "990103"

// Funds builds a synthetic county (channels, arrivals, integration,
// projects with allocations, payments to households) and measures the
// per-channel "where did it go" report, the per-project 分头报账 report, and
// an oldest-first allocation from the pool of all channels.
func Funds(ctx context.Context, o FundsOptions, w io.Writer) error {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Channels, 200)
	def(&o.Arrivals, 50_000)
	def(&o.Projects, 20_000)
	def(&o.Payments, 1_000_000)
	def(&o.Households, 100_000)
	def(&o.Runs, 100)
	db, done, err := openBenchDB(ctx, o.DB)
	if err != nil {
		return err
	}
	defer done()
	l := ledger.New(db, clock.System)
	pc := policy.NewCounties(db, clock.System)
	fs := funds.New(db, l, pc, clock.System)
	if _, err := fs.Channel(ctx, fundsCounty, "C0001"); err != nil {
		if err := buildFundsCounty(ctx, db, l, pc, fs, o, w); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "synthetic county %s already in %s\n", fundsCounty, db.Source)
	}
	t0 := time.Now()
	if err := l.RefreshProjections(ctx, fundsCounty); err != nil {
		return err
	}
	fmt.Fprintf(w, "projections ready in %v\n", time.Since(t0).Round(time.Millisecond))

	measure := func(name string, f func(i int) error) error {
		for i := 0; i < 3; i++ { // warm up
			if err := f(-1 - i); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		lat := make([]time.Duration, 0, o.Runs)
		for i := 0; i < o.Runs; i++ {
			t := time.Now()
			if err := f(i); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			lat = append(lat, time.Since(t))
		}
		fmt.Fprintf(w, "  %-44s p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms\n", name, ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(lat, 100)))
		return nil
	}
	fmt.Fprintf(w, "funds bench on %s: %d channels, %d arrivals, %d projects, %d payments to %d households; %d runs each\n",
		db.Dialect, o.Channels, o.Arrivals, o.Projects, o.Payments, o.Households, o.Runs)
	var projects int
	if err := measure("channel report (各记其功)", func(i int) error {
		rep, err := fs.ChannelReport(ctx, fundsCounty, chanCode(max(i, 0)%o.Channels))
		projects = len(rep.Projects)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(w, "    (a channel reaches %d projects)\n", projects)
	if err := measure("project report (分头报账)", func(i int) error {
		_, err := fs.ProjectReport(ctx, fundsCounty, projCode(max(i, 0)%o.Projects))
		return err
	}); err != nil {
		return err
	}
	run := time.Now().UnixNano()
	return measure(fmt.Sprintf("allocate oldest-first from %d channels", o.Channels), func(i int) error {
		_, err := fs.Allocate(ctx, "bench", fundsCounty, funds.Allocation{Key: fmt.Sprintf("bench-%d-%d", run, i), Project: projCode((i + o.Projects) % o.Projects),
			Amount: money.Fen(100), Rule: policy.OldestFirst})
		return err
	})
}

func chanCode(i int) string { return fmt.Sprintf("C%04d", i+1) }
func projCode(i int) string { return fmt.Sprintf("P%05d", i+1) }

// village i of the synthetic county: 10 townships × 20 villages.
func benchVillage(i int) place.Code {
	i %= 200
	return place.Code(fmt.Sprintf("%s%03d%03d", fundsCounty, i/20+1, i%20+1))
}

func buildFundsCounty(ctx context.Context, db *store.DB, l *ledger.Ledger, pc *policy.Counties, fs *funds.Service, o FundsOptions, w io.Writer) error {
	start := time.Now()
	step := func(format string, args ...any) {
		fmt.Fprintf(w, "  "+format+" (%v)\n", append(args, time.Since(start).Round(time.Millisecond))...)
	}
	if _, err := pc.Choose(ctx, "bench", fundsCounty, "pingli", ""); err != nil {
		return err
	}
	cats := []string{"fiscal", "sector", "household", "social"}
	depts := []string{"扶贫", "发改", "财政", "交通", "农业", "林业", "水利", "住建", "教育", "卫健"}
	var chans []funds.NewChannel
	for i := 0; i < o.Channels; i++ {
		chans = append(chans, funds.NewChannel{Code: chanCode(i), Name: fmt.Sprintf("渠道%d", i+1), Level: funds.Levels[i%4], Category: cats[i%4], Department: depts[i%10], Year: 2026})
	}
	if _, err := fs.Register(ctx, "bench", fundsCounty, chans); err != nil {
		return err
	}
	step("%d channels", o.Channels)
	// Arrivals: every channel several times in the first half of the year.
	perArrival := money.Fen(200_000_00)
	totals := make([]money.Fen, o.Channels)
	for b := 0; b < o.Arrivals; b += 5000 {
		var ms []funds.Movement
		for i := b; i < min(b+5000, o.Arrivals); i++ {
			ch := i % o.Channels
			totals[ch] += perArrival
			ms = append(ms, funds.Movement{Key: fmt.Sprintf("a%d", i), Channel: chanCode(ch), Amount: perArrival,
				Day: time.Date(2026, time.Month(1+i%6), 1+i%28, 0, 0, 0, 0, clock.Zone)})
		}
		if _, err := fs.Arrive(ctx, "bench", fundsCounty, ms); err != nil {
			return err
		}
	}
	var integ []funds.Movement
	for ch, t := range totals {
		if t > 0 {
			integ = append(integ, funds.Movement{Key: fmt.Sprintf("i%d", ch), Channel: chanCode(ch), Amount: t, Day: time.Date(2026, 7, 1, 0, 0, 0, 0, clock.Zone)})
		}
	}
	if _, err := fs.Integrate(ctx, "bench", fundsCounty, integ); err != nil {
		return err
	}
	step("%d arrivals, integrated", o.Arrivals)
	for b := 0; b < o.Households; b += 10000 {
		var as []ledger.NewAccount
		for i := b; i < min(b+10000, o.Households); i++ {
			as = append(as, ledger.NewAccount{Code: fmt.Sprintf("hh:%06d", i), Kind: ledger.Household, Name: bigName(i), Place: benchVillage(i)})
		}
		if _, err := l.OpenAccounts(ctx, "bench", fundsCounty, as); err != nil {
			return err
		}
	}
	step("%d households", o.Households)
	purposes := []string{"infrastructure", "industry", "household", "training"}
	perLeg := money.Fen(50_000_00)
	for i := 0; i < o.Projects; i++ {
		if _, err := fs.CreateProject(ctx, "bench", fundsCounty, funds.Project{Status: funds.StatusApproved, Code: projCode(i), Name: fmt.Sprintf("项目%d", i+1), Place: benchVillage(i), Purpose: purposes[i%4]}); err != nil {
			return err
		}
		if _, err := fs.Allocate(ctx, "bench", fundsCounty, funds.Allocation{Key: fmt.Sprintf("al%d", i), Project: projCode(i),
			Legs: []ledger.Leg{{Channel: chanCode(i % o.Channels), Amount: perLeg}, {Channel: chanCode((i + 1) % o.Channels), Amount: perLeg}}}); err != nil {
			return err
		}
		if (i+1)%5000 == 0 {
			step("%d projects allocated", i+1)
		}
	}
	for b := 0; b < o.Payments; b += ledger.MaxBatch {
		var reqs []ledger.TransferRequest
		for i := b; i < min(b+ledger.MaxBatch, o.Payments); i++ {
			p := i % o.Projects
			reqs = append(reqs, ledger.TransferRequest{Key: fmt.Sprintf("pay%d", i), Kind: "payment", From: funds.ProjectAccount(projCode(p)),
				To: fmt.Sprintf("hh:%06d", (i*7919)%o.Households), Legs: []ledger.Leg{{Channel: chanCode((p + i%2) % o.Channels), Amount: money.Fen(10_00 + i%9_00)}}})
		}
		if _, err := l.Post(ctx, "bench", fundsCounty, reqs); err != nil {
			return err
		}
		if (b/ledger.MaxBatch)%20 == 19 {
			step("%d payments", b+ledger.MaxBatch)
		}
	}
	step("%d payments", o.Payments)
	return nil
}

// openBenchDB opens and migrates the benchmark's database: src, or a fresh
// SQLite file in a temporary folder that done removes.
func openBenchDB(ctx context.Context, src string) (*store.DB, func(), error) {
	dir := ""
	if src == "" {
		d, err := os.MkdirTemp("", "onepool-bench-")
		if err != nil {
			return nil, nil, err
		}
		dir, src = d, "sqlite:"+filepath.Join(d, "bench.db")
	}
	db, err := store.Open(ctx, src)
	if err == nil {
		_, err = db.Migrate(ctx)
	}
	done := func() {
		if db != nil {
			db.Close()
		}
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	if err != nil {
		done()
		return nil, nil, err
	}
	return db, done, nil
}
