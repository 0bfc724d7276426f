package jobs_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/jobs"
	"onepool/internal/store"
	"onepool/internal/store/storetest"
)

var ctx = context.Background()

var (
	villageA  = auth.Principal{Username: "cadre.a", Role: auth.RoleVillage, Place: "990101001001", County: "990101"}
	townshipA = auth.Principal{Username: "officer.a", Role: auth.RoleTownship, Place: "990101001000", County: "990101"}
	townshipB = auth.Principal{Username: "officer.b", Role: auth.RoleTownship, Place: "990101002000", County: "990101"}
	rural     = auth.Principal{Username: "rural", Role: auth.RoleRural, Place: "990101000000", County: "990101"}
	finance   = auth.Principal{Username: "finance", Role: auth.RoleFinance, Place: "990101000000", County: "990101"}
	colleague = auth.Principal{Username: "cadre.a2", Role: auth.RoleVillage, Place: "990101001001", County: "990101"}
)

type counted struct {
	Lines int `json:"lines"`
}

// lineCount counts the input's lines, reporting each; a line "boom" fails.
func lineCount(gate chan struct{}) jobs.Work {
	return func(ctx context.Context, p auth.Principal, in *os.File, progress jobs.Progress) (any, error) {
		if gate != nil {
			<-gate
		}
		var lines []string
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		for i, l := range lines {
			if l == "boom" {
				return counted{i}, errs.F(errs.Invalid, "boom", "file", "line %d says boom", i+1)
			}
			progress("count", i+1, len(lines))
		}
		return counted{len(lines)}, nil
	}
}

func newRunner(t *testing.T, db *store.DB, gate chan struct{}) *jobs.Runner {
	r := jobs.New(db, nil, t.TempDir(), 2)
	r.Every = 5 * time.Millisecond
	r.Register(jobs.Kind{Name: "count", Action: auth.WriteRegistry, Work: lineCount(gate)})
	return r
}

func waitEnded(t *testing.T, r *jobs.Runner, p auth.Principal, id int64) jobs.Job {
	t.Helper()
	r.Wait()
	j, err := r.Get(ctx, p, p.County, id)
	if err != nil {
		t.Fatalf("get job %d: %v", id, err)
	}
	return j
}

// A job runs to done: every row counted, the result recorded, the times
// set; a failing work is failed with its code and its result kept.
func TestJobRunsToDone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRunner(t, db, nil)
		j, err := r.Start(ctx, villageA, "count", "/registry", strings.NewReader(strings.Repeat("row\n", 5000)))
		if err != nil {
			t.Fatal(err)
		}
		if j.State != jobs.Queued || j.ID == 0 {
			t.Fatalf("started: %+v", j)
		}
		got := waitEnded(t, r, villageA, j.ID)
		if got.State != jobs.Done || got.Done != 5000 || got.Total != 5000 || got.Back != "/registry" || got.Started.IsZero() || got.Finished.IsZero() {
			t.Fatalf("ended: %+v", got)
		}
		var res counted
		if err := json.Unmarshal(got.Result, &res); err != nil || res.Lines != 5000 {
			t.Fatalf("result %s: %v", got.Result, err)
		}
		bad, err := r.Start(ctx, villageA, "count", "/registry", strings.NewReader("a\nboom\n"))
		if err != nil {
			t.Fatal(err)
		}
		got = waitEnded(t, r, villageA, bad.ID)
		if got.State != jobs.Failed || got.Reason != "boom" || string(got.Result) != `{"lines":1}` {
			t.Fatalf("failed job: %+v %s", got, got.Result)
		}
	})
}

// A job that was running when the server stopped is failed as
// interrupted when the next runner recovers; a queued one too.
func TestInterruptedJobIsFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		gate := make(chan struct{})
		r := newRunner(t, db, gate)
		j, err := r.Start(ctx, villageA, "count", "/registry", strings.NewReader("a\nb\n"))
		if err != nil {
			t.Fatal(err)
		}
		// Wait until it runs, then "kill" the process: a new runner on
		// the same database recovers before the old one ends.
		for i := 0; ; i++ {
			got, err := r.Get(ctx, villageA, villageA.County, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State == jobs.Running {
				break
			}
			if i > 2000 {
				t.Fatalf("never running: %+v", got)
			}
			time.Sleep(time.Millisecond)
		}
		r2 := newRunner(t, db, nil)
		n, err := r2.Recover(ctx)
		if err != nil || n != 1 {
			t.Fatalf("recover: %d %v", n, err)
		}
		got, err := r2.Get(ctx, villageA, villageA.County, j.ID)
		if err != nil || got.State != jobs.Failed || got.Reason != jobs.Interrupted || got.Finished.IsZero() {
			t.Fatalf("after recovery: %+v %v", got, err)
		}
		close(gate)
		r.Wait()
		if n, _ := r2.Recover(ctx); n != 0 {
			t.Errorf("a second recovery failed %d more", n)
		}
	})
}

// Only the starter and their supervisors see a job; another township, a
// colleague of the same village and a county role without the kind's
// action get not found, exactly as for a missing job.
func TestJobSeenByStarterAndSupervisors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRunner(t, db, nil)
		j, err := r.Start(ctx, villageA, "count", "/registry", strings.NewReader("a\n"))
		if err != nil {
			t.Fatal(err)
		}
		r.Wait()
		for _, p := range []auth.Principal{villageA, townshipA, rural} {
			if _, err := r.Get(ctx, p, p.County, j.ID); err != nil {
				t.Errorf("%s does not see the job: %v", p.Username, err)
			}
		}
		_, missing := r.Get(ctx, villageA, villageA.County, j.ID+100)
		if !errs.Is(missing, "not_found") {
			t.Fatalf("missing job: %v", missing)
		}
		for _, p := range []auth.Principal{townshipB, colleague, finance} {
			_, err := r.Get(ctx, p, p.County, j.ID)
			if err == nil || err.Error() != missing.Error() || errs.KindOf(err) != errs.NotFound {
				t.Errorf("%s: %v, want as missing: %v", p.Username, err, missing)
			}
		}
		if _, err := r.Get(ctx, villageA, "990102", j.ID); !errs.Is(err, "not_found") {
			t.Errorf("another county: %v", err)
		}
	})
}
