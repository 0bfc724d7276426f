package adopt_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"onepool/internal/adopt"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/instruct"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
	"onepool/internal/tabular"
	"onepool/internal/workflow"
)

const county = "990101"

var ctx = context.Background()

func TestMain(m *testing.M) { storetest.Main(m) }

func person(user string, role auth.Role, pl string) auth.Principal {
	return auth.Principal{Username: user, DisplayName: user, Role: role, Place: place.Code(pl), County: county}
}

var (
	ruralP   = person("rural", auth.RoleRural, "990101000000")
	financeP = person("fin", auth.RoleFinance, "990101000000")
	headP    = person("fin.head", auth.RoleFinance, "990101000000")
	fin2P    = person("fin2", auth.RoleFinance, "990101000000")
	townP    = person("town", auth.RoleTownship, "990101001000")
)

type env struct {
	l   *ledger.Ledger
	fs  *funds.Service
	ins *instruct.Service
	ad  *adopt.Service
}

// setup is a county with two registered channels, an approved project,
// households and an entity — but no money yet: it starts mid-year.
func setup(t testing.TB, db *store.DB, households int) env {
	t.Helper()
	l := ledger.New(db, nil)
	pc := policy.NewCounties(db, nil)
	if _, err := pc.Choose(ctx, "t", county, "zigui", ""); err != nil {
		t.Fatal(err)
	}
	fs := funds.New(db, l, pc, nil)
	ins := instruct.NewService(db, workflow.New(db, nil), pc, nil)
	fs.UseInstructions(ins)
	ad := adopt.New(db, l, fs, nil)
	ad.UseInstructions(ins)
	if _, err := fs.Register(ctx, "fin", county, []funds.NewChannel{
		{Code: "ZX", Name: "中央衔接资金", Level: "central", Category: "fiscal", Department: "扶贫", Year: 2026},
		{Code: "SJ", Name: "省级衔接资金", Level: "province", Category: "fiscal", Department: "扶贫", Year: 2026}}); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.CreateProject(ctx, "t", county, funds.Project{Code: "P1", Name: "产业路", Place: "990101001001", Purpose: "infrastructure", Department: "扶贫", Status: funds.StatusApproved}); err != nil {
		t.Fatal(err)
	}
	accts := []ledger.NewAccount{{Code: "ent:road", Kind: ledger.Entity, Name: "路桥公司", Place: "990101001001"}}
	for i := 0; i < households; i++ {
		accts = append(accts, ledger.NewAccount{Code: hh(i), Kind: ledger.Household, Name: "农户", Place: "990101001001"})
	}
	for start := 0; start < len(accts); start += 5000 {
		if _, err := l.OpenAccounts(ctx, "t", county, accts[start:min(start+5000, len(accts))]); err != nil {
			t.Fatal(err)
		}
	}
	return env{l, fs, ins, ad}
}

func hh(i int) string { return "hh:990101001001-" + itoa(i) }

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

var oct = time.Date(2026, 9, 30, 0, 0, 0, 0, clock.Zone)

const goodCSV = "账户代码,渠道代码,金额（元）\n" +
	"ch:ZX,ZX,\"1,200,000.00\"\n" +
	"pool,ZX,300万元\n" +
	"pool,SJ,50万\n" +
	"prj:P1,ZX,\"800,000元\"\n" +
	"prj:P1,SJ,120000\n" +
	"hh:990101001001-0,ZX,5000\n" +
	"ent:road,SJ,\"30,000\"\n"

func balance(t *testing.T, l *ledger.Ledger, code, channel string) money.Fen {
	t.Helper()
	bs, err := l.Balances(ctx, county, code)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Channel == channel {
			return b.Amount
		}
	}
	return 0
}

func yuan(s string) money.Fen {
	f, err := money.ParseWritten(s)
	if err != nil {
		panic(err)
	}
	return f
}

func approve() workflow.Decision {
	return workflow.Decision{Action: workflow.Approve, Opinion: "核对无误"}
}

// TestOpeningPostsOnlyAfterApproval: a good file is entered as one
// instruction; nothing moves until another person approves (the maker
// cannot; above the threshold a second approver signs too); then every
// account holds its amount on each channel, dated by the set's document.
func TestOpeningPostsOnlyAfterApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, 3)
		rows, err := adopt.ReadRows(strings.NewReader(goodCSV))
		if err != nil {
			t.Fatal(err)
		}
		in, err := e.ad.Propose(ctx, financeP, adopt.Opening{Key: "open-1", DocNo: "青财建〔2026〕1号", Day: oct, Rows: rows})
		if err != nil {
			t.Fatal(err)
		}
		if in.State != instruct.Pending || in.Amount != yuan("5,655,000") {
			t.Fatalf("instruction %+v, want pending 5,655,000", in)
		}
		if got := balance(t, e.l, "pool", "ZX"); got != 0 {
			t.Fatalf("pool holds %s before approval", got)
		}
		// A replay of the same set is the same instruction.
		again, err := e.ad.Propose(ctx, financeP, adopt.Opening{Key: "open-1", DocNo: "青财建〔2026〕1号", Day: oct, Rows: rows})
		if err != nil || !again.Replayed || again.ID != in.ID {
			t.Fatalf("replay: %+v %v", again, err)
		}
		if _, err := e.ins.Decide(ctx, financeP, in.ID, approve()); errs.CodeOf(err) != "maker_checker" {
			t.Fatalf("maker approving: %v, want maker_checker", err)
		}
		got, err := e.ins.Decide(ctx, fin2P, in.ID, approve())
		if err != nil {
			t.Fatal(err)
		}
		if got.State != instruct.Pending { // above money.second_above: a second approver
			t.Fatalf("after one approval: %s", got.State)
		}
		if _, err := e.ins.Decide(ctx, fin2P, in.ID, approve()); err == nil {
			t.Fatal("one person signed two steps")
		}
		got, err = e.ins.Decide(ctx, headP, in.ID, approve())
		if err != nil {
			t.Fatal(err)
		}
		if got.State != instruct.Posted || len(got.Result) != 5 {
			t.Fatalf("posted %+v, want 5 transfers (one per account)", got)
		}
		for _, c := range []struct {
			acct, ch, want string
		}{{"ch:ZX", "ZX", "1,200,000"}, {"pool", "ZX", "3,000,000"}, {"pool", "SJ", "500,000"}, {"prj:P1", "ZX", "800,000"}, {"prj:P1", "SJ", "120,000"},
			{"hh:990101001001-0", "ZX", "5,000"}, {"ent:road", "SJ", "30,000"}, {"ent:road", "ZX", "0"}} {
			if b := balance(t, e.l, c.acct, c.ch); b != yuan(c.want) {
				t.Errorf("%s on %s holds %s, want %s", c.acct, c.ch, b, c.want)
			}
		}
		tr, err := e.l.Transfer(ctx, county, got.Result[0])
		if err != nil {
			t.Fatal(err)
		}
		if tr.Kind != "opening" || tr.From != adopt.OpeningAccount || tr.DocNo != "青财建〔2026〕1号" || !strings.Contains(tr.Memo, "2026-09-30") || tr.Actor != "fin.head" {
			t.Fatalf("transfer %+v", tr)
		}
		sets, err := e.ad.Sets(ctx, county)
		if err != nil || len(sets) != 1 || sets[0].State != instruct.Posted || sets[0].Day != "2026-09-30" || sets[0].Rows != 7 {
			t.Fatalf("sets %+v %v", sets, err)
		}
		// A second opening set is refused.
		_, err = e.ad.Propose(ctx, financeP, adopt.Opening{Key: "open-2", DocNo: "青财建〔2026〕2号", Day: oct, Rows: rows[:1]})
		if errs.CodeOf(err) != "opening_exists" {
			t.Fatalf("second set: %v, want opening_exists", err)
		}
	})
}

// TestBadOpeningFileWritesNothing: an unknown account, a bad amount, an
// unknown channel, a duplicate row and an outside account are all
// reported in one pass, and nothing is entered.
func TestBadOpeningFileWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, 1)
		file := "account,channel,amount\n" +
			"pool,ZX,100\n" +
			"hh:nobody,ZX,100\n" +
			"pool,SJ,12.345\n" +
			"prj:P1,XX,100\n" +
			"pool,ZX,200\n" +
			"ext:ZX,ZX,100\n" +
			"ent:road,ZX,-5\n"
		rows, err := adopt.ReadRows(strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.ad.Propose(ctx, ruralP, adopt.Opening{Key: "bad", DocNo: "青财建〔2026〕1号", Day: oct, Rows: rows})
		var ie *tabular.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("got %v, want row errors", err)
		}
		want := map[int]string{3: "account", 4: "amount", 5: "channel", 6: "account", 7: "account", 8: "amount"}
		if len(ie.Rows) != len(want) {
			t.Fatalf("errors %v, want one on each of rows 3–8", ie.Rows)
		}
		for _, r := range ie.Rows {
			if want[r.Row] != r.Column {
				t.Errorf("unexpected error %v", r)
			}
		}
		if strings.Contains(ie.Error(), "row 6") && !strings.Contains(ie.Error(), "already on row 2") {
			t.Errorf("the duplicate does not name its first row: %v", ie)
		}
		if list, err := e.ins.List(ctx, ruralP, instruct.Filter{}); err != nil || len(list) != 0 {
			t.Fatalf("instructions entered: %v %v", list, err)
		}
		if sets, _ := e.ad.Sets(ctx, county); len(sets) != 0 {
			t.Fatalf("sets %v", sets)
		}
		// Without its 文号 or date, or from a township, nothing either.
		if _, err := e.ad.Propose(ctx, ruralP, adopt.Opening{Key: "k", Day: oct, Rows: rows[:1]}); errs.CodeOf(err) != "invalid_doc_no" {
			t.Errorf("no doc: %v", err)
		}
		if _, err := e.ad.Propose(ctx, ruralP, adopt.Opening{Key: "k", DocNo: "d", Rows: rows[:1]}); errs.CodeOf(err) != "invalid_date" {
			t.Errorf("no day: %v", err)
		}
		if _, err := e.ad.Propose(ctx, townP, adopt.Opening{Key: "k", DocNo: "d", Day: oct, Rows: rows[:1]}); errs.CodeOf(err) != "county_only" {
			t.Errorf("township: %v", err)
		}
	})
}

// TestSecondOpeningAfterRejection: while a set waits a second is
// refused; once the first is rejected (nothing posted), a new one may be
// entered and posted.
func TestSecondOpeningAfterRejection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, 1)
		rows := []adopt.Row{{Line: 2, Account: "pool", Channel: "ZX", Amount: "1000"}}
		first, err := e.ad.Propose(ctx, ruralP, adopt.Opening{Key: "a", DocNo: "d1", Day: oct, Rows: rows})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.ad.Propose(ctx, ruralP, adopt.Opening{Key: "b", DocNo: "d2", Day: oct, Rows: rows}); errs.CodeOf(err) != "opening_exists" {
			t.Fatalf("second while pending: %v", err)
		}
		if _, err := e.ins.Decide(ctx, financeP, first.ID, workflow.Decision{Action: workflow.Reject, Opinion: "金额有误"}); err != nil {
			t.Fatal(err)
		}
		if b := balance(t, e.l, "pool", "ZX"); b != 0 {
			t.Fatalf("rejected set posted %s", b)
		}
		rows[0].Amount = "2000"
		second, err := e.ad.Propose(ctx, ruralP, adopt.Opening{Key: "b", DocNo: "d2", Day: oct, Rows: rows})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.ins.Decide(ctx, financeP, second.ID, approve()); err != nil {
			t.Fatal(err)
		}
		if b := balance(t, e.l, "pool", "ZX"); b != yuan("2000") {
			t.Fatalf("pool holds %s, want 2,000", b)
		}
	})
}

// BenchmarkOpening200k: the opening import of a county of 200,000
// households (one row each, and the pool's and a project's): read from
// CSV, checked, entered, approved and posted.
func BenchmarkOpening200k(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("ONEPOOL_BENCH_ROWS")); err == nil && v > 0 {
		n = v
	}
	var file strings.Builder
	file.WriteString("账户代码,渠道代码,金额（元）\npool,ZX,1000万元\nprj:P1,SJ,200万元\n")
	for i := 0; i < n; i++ {
		ch := "ZX"
		if i%3 == 0 {
			ch = "SJ"
		}
		file.WriteString(hh(i) + "," + ch + ",\"1,500.00\"\n")
	}
	for _, d := range storetest.Dialects() {
		b.Run(d.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := storetest.MustOpen(b, d)
				ts := time.Now()
				e := setup(b, db, n)
				// Not timed, but reported: setting up opens the county's
				// accounts through ledger.OpenAccountsTx.
				b.ReportMetric(time.Since(ts).Seconds(), "setup-s")
				if os.Getenv("ONEPOOL_BENCH_ANALYZE") != "" {
					if _, err := db.ExecRaw(ctx, "ANALYZE"); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				t0 := time.Now()
				c0 := storetest.CPUNow(b, db)
				rows, err := adopt.ReadRows(strings.NewReader(file.String()))
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				c1 := storetest.CPUNow(b, db)
				in, err := e.ad.Propose(ctx, ruralP, adopt.Opening{Key: "bench", DocNo: "bench", Day: oct, Rows: rows})
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				c2 := storetest.CPUNow(b, db)
				if _, err := e.ins.Decide(ctx, financeP, in.ID, approve()); err != nil {
					b.Fatal(err)
				}
				t3 := time.Now()
				c3 := storetest.CPUNow(b, db)
				got, err := e.ins.Decide(ctx, headP, in.ID, approve())
				if err != nil || got.State != instruct.Posted {
					b.Fatalf("%+v %v", got, err)
				}
				t4 := time.Now()
				c4 := storetest.CPUNow(b, db)
				b.ReportMetric(t1.Sub(t0).Seconds(), "read-s")
				b.ReportMetric(t2.Sub(t1).Seconds(), "enter-s")
				b.ReportMetric(t3.Sub(t2).Seconds(), "approve1-s")
				b.ReportMetric(t4.Sub(t3).Seconds(), "post-s")
				// The work, whatever the machine's load: CPU time of this
				// process and of the database server (see storetest.CPU).
				enter, post := c2.Sub(c1), c4.Sub(c3)
				b.ReportMetric(enter.Process.Seconds(), "enter-cpu-go-s")
				b.ReportMetric(enter.Server.Seconds(), "enter-cpu-db-s")
				b.ReportMetric(post.Process.Seconds(), "post-cpu-go-s")
				b.ReportMetric(post.Server.Seconds(), "post-cpu-db-s")
				all := c4.Sub(c0)
				b.ReportMetric((all.Process + all.Server).Seconds(), "cpu-s")
			}
		})
	}
}
