// Package jobs runs long work (a 100,000-row import, a big export) in the
// server process, off the request that started it: the request keeps the
// input in a temporary file, records a job row and answers at once; a
// runner works through the jobs with bounded concurrency (one at a time
// per county, two overall), keeps the progress the work reports in memory
// and writes it to the row at most every 500 ms, and records the result
// (row errors bounded by the work) when the work ends. The job page and
// the API read the row, and the live progress while the job runs here.
//
// A job is seen by the user who started it and by their supervisors:
// users whose area holds the job's place above it and who may take the
// kind's action there. Anyone else is answered as for a job that does not
// exist.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/place"
	"onepool/internal/store"
)

// States of a job.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// Interrupted is the reason of a job that was queued or running when the
// server stopped.
const Interrupted = "interrupted"

// Job is one job as its page shows it.
type Job struct {
	ID        int64
	County    string
	Kind      string
	Place     place.Code
	StartedBy string
	Back      string // the page where it began
	State     string
	Step      string // the work's current step (its own names)
	Done      int64
	Total     int64 // 0: not known yet
	Created   time.Time
	Started   time.Time // zero until it runs
	StepAt    time.Time // when the current step began (live jobs; else Started)
	Finished  time.Time // zero until it ends
	Result    json.RawMessage
	Reason    string // why it failed: Interrupted, or the work's own
}

// Ended reports whether the job is done or failed.
func (j Job) Ended() bool { return j.State == Done || j.State == Failed }

// Left is the estimated time until the current step ends, from the rate so
// far; 0 when it cannot be told.
func (j Job) Left(now time.Time) time.Duration {
	from := j.StepAt
	if from.IsZero() {
		from = j.Started
	}
	if j.State != Running || j.Done <= 0 || j.Total <= j.Done || from.IsZero() {
		return 0
	}
	spent := now.Sub(from)
	return time.Duration(float64(spent) / float64(j.Done) * float64(j.Total-j.Done))
}

// Progress is what work reports: its step, rows done of total (0 unknown).
// It only stores numbers; call it as often as is convenient.
type Progress func(step string, done, total int)

// Work is a kind's work: it reads the input, reports progress and returns
// the result to record (marshalled as JSON). An error fails the job with
// the result still recorded (a work that has row errors to show returns
// them as its result and a non-nil error).
type Work func(ctx context.Context, p auth.Principal, input *os.File, progress Progress) (result any, err error)

// Kind is a registered kind of job.
type Kind struct {
	Name   string
	Action auth.Action // what a supervisor must be allowed to see the job
	Work   Work
}

// Runner runs jobs. One per process.
type Runner struct {
	db    *store.DB
	clock clock.Clock
	dir   string
	kinds map[string]Kind

	overall chan struct{} // overall concurrency
	mu      sync.Mutex
	county  map[string]*sync.Mutex
	live    map[key]*live
	wg      sync.WaitGroup
	// Every is how often running progress is written to the row.
	Every time.Duration
}

type key struct {
	county string
	id     int64
}

// live is a running job's progress, in memory.
type live struct {
	step   atomic.Pointer[string]
	done   atomic.Int64
	total  atomic.Int64
	stepAt atomic.Int64 // unix micros: when the step began
}

// New returns a runner on db that keeps inputs in dir (the system's
// temporary directory when empty), running at most overall jobs at once.
func New(db *store.DB, clk clock.Clock, dir string, overall int) *Runner {
	if clk == nil {
		clk = clock.System
	}
	if overall < 1 {
		overall = 2
	}
	return &Runner{db: db, clock: clk, dir: dir, kinds: map[string]Kind{}, overall: make(chan struct{}, overall),
		county: map[string]*sync.Mutex{}, live: map[key]*live{}, Every: 500 * time.Millisecond}
}

// Register adds a kind. Call it before Start.
func (r *Runner) Register(k Kind) { r.kinds[k.Name] = k }

// idKey carries a running job's id in its work's context.
type idKey struct{}

// IDOf is the id of the job whose work runs with ctx (0 outside a job).
func IDOf(ctx context.Context) int64 {
	id, _ := ctx.Value(idKey{}).(int64)
	return id
}

// FileAge is how long the files kinds make (an export's xlsx) are kept.
const FileAge = 24 * time.Hour

// Files is the directory where kinds keep the files they make for the
// user to fetch (an export's xlsx), created when missing. Each file's name
// is chosen by its kind and recorded in the job's result.
func (r *Runner) Files() (string, error) {
	base := r.dir
	if base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "onepool-job-files")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", errs.Wrap(err, "jobs: files")
	}
	return dir, nil
}

// Sweep removes the files older than FileAge from Files and returns how
// many. Ages are the files' own times (the wall clock, whatever the
// runner's clock says). Recover calls it at start-up and the runner as
// each job starts.
func (r *Runner) Sweep() int {
	dir, err := r.Files()
	if err != nil {
		return 0
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || e.IsDir() || time.Since(info.ModTime()) < FileAge {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			n++
		}
	}
	return n
}

// Recover marks every job left queued or running by a stopped server as
// failed with the reason Interrupted, and returns how many. Nothing is
// re-run: the kinds so far write all or nothing in their last
// transaction, so an interrupted job wrote nothing and its input (a
// temporary file) is gone; the user starts it again. It also sweeps the
// files older than FileAge. Call it once at start-up, before any Start.
func (r *Runner) Recover(ctx context.Context) (int, error) {
	r.Sweep()
	now := r.clock()
	n := 0
	err := r.db.Write(ctx, now, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ?, reason = ?, finished_at = ? WHERE state IN (?, ?)`, Failed, Interrupted, clock.Micros(now), Queued, Running)
		if err != nil {
			return errs.Wrap(err, "jobs: recover")
		}
		m, _ := res.RowsAffected()
		n = int(m)
		return nil
	})
	return n, err
}

// Start records a job of kind for p, begun on the page back (where "{id}"
// in back is replaced by the job's id: a page that shows the job's
// result), keeps input in a temporary file and queues it. The work runs on the runner; Start
// returns once the job is recorded.
func (r *Runner) Start(ctx context.Context, p auth.Principal, kind, back string, input io.Reader) (Job, error) {
	k, ok := r.kinds[kind]
	if !ok {
		return Job{}, errs.F(errs.Invalid, "unknown_job_kind", "kind", "no kind of job %q", kind)
	}
	if p.IsPublic() || p.County == "" {
		return Job{}, errs.F(errs.Forbidden, "forbidden", "", "sign in to start a job")
	}
	f, err := os.CreateTemp(r.dir, "onepool-job-*")
	if err != nil {
		return Job{}, errs.Wrap(err, "jobs: keep the input")
	}
	os.Remove(f.Name()) // unlinked: gone with the process, whatever happens
	if input != nil {
		if _, err := io.Copy(f, input); err != nil {
			f.Close()
			return Job{}, errs.Wrap(err, "jobs: keep the input")
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return Job{}, errs.Wrap(err, "jobs: keep the input")
	}
	now := r.clock()
	j := Job{County: p.County, Kind: kind, Place: p.Place, StartedBy: p.Username, Back: back, State: Queued, Created: now}
	err = r.db.Write(ctx, now, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM jobs WHERE county = ?`, p.County).Scan(&j.ID); err != nil {
			return errs.Wrap(err, "jobs: next id")
		}
		j.Back = strings.ReplaceAll(back, "{id}", strconv.FormatInt(j.ID, 10))
		_, err := tx.ExecContext(ctx, `INSERT INTO jobs (county, id, kind, place, started_by, back, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			j.County, j.ID, j.Kind, string(j.Place), j.StartedBy, j.Back, j.State, clock.Micros(now))
		if err != nil {
			return errs.Wrap(err, "jobs: record")
		}
		return nil
	})
	if err != nil {
		f.Close()
		return Job{}, err
	}
	l := &live{}
	r.mu.Lock()
	r.live[key{j.County, j.ID}] = l
	cm := r.county[j.County]
	if cm == nil {
		cm = &sync.Mutex{}
		r.county[j.County] = cm
	}
	r.mu.Unlock()
	r.wg.Add(1)
	go r.run(k, p, j, f, l, cm)
	return j, nil
}

// Wait waits until every started job has ended (tests, shutdown).
func (r *Runner) Wait() { r.wg.Wait() }

func (r *Runner) run(k Kind, p auth.Principal, j Job, f *os.File, l *live, cm *sync.Mutex) {
	defer r.wg.Done()
	defer f.Close()
	defer func() {
		r.mu.Lock()
		delete(r.live, key{j.County, j.ID})
		r.mu.Unlock()
	}()
	ctx := context.WithValue(context.Background(), idKey{}, j.ID)
	cm.Lock()
	defer cm.Unlock()
	r.overall <- struct{}{}
	defer func() { <-r.overall }()

	r.Sweep()
	started := r.clock()
	l.stepAt.Store(clock.Micros(started))
	empty := ""
	l.step.Store(&empty)
	if err := r.db.Write(ctx, started, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ?, started_at = ? WHERE county = ? AND id = ?`, Running, clock.Micros(started), j.County, j.ID)
		return err
	}); err != nil {
		r.finish(ctx, j, nil, err)
		return
	}
	// The progress writer: at most every r.Every, only when it changed,
	// never more than one write in flight (on SQLite the work's own
	// transaction holds the writer; the page reads the live numbers).
	stop := make(chan struct{})
	var writer sync.WaitGroup
	writer.Add(1)
	go func() {
		defer writer.Done()
		t := time.NewTicker(r.Every)
		defer t.Stop()
		var last [2]int64
		lastStep := ""
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			step, d, n := *l.step.Load(), l.done.Load(), l.total.Load()
			if (last == [2]int64{d, n}) && step == lastStep {
				continue
			}
			last, lastStep = [2]int64{d, n}, step
			_ = r.db.Write(ctx, r.clock(), func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE jobs SET step = ?, done = ?, total = ? WHERE county = ? AND id = ? AND state = ?`, step, d, n, j.County, j.ID, Running)
				return err
			})
		}
	}()
	progress := func(step string, done, total int) {
		if cur := l.step.Load(); cur == nil || *cur != step {
			s := step
			l.step.Store(&s)
			l.stepAt.Store(clock.Micros(r.clock()))
		}
		l.done.Store(int64(done))
		l.total.Store(int64(total))
	}
	res, err := safeWork(ctx, k.Work, p, f, progress)
	close(stop)
	writer.Wait()
	j.Step, j.Done, j.Total = *l.step.Load(), l.done.Load(), l.total.Load()
	r.finish(ctx, j, res, err)
}

// safeWork runs work, turning a panic into an internal error.
func safeWork(ctx context.Context, w Work, p auth.Principal, f *os.File, progress Progress) (res any, err error) {
	defer func() {
		if x := recover(); x != nil {
			err = errs.E(errs.Internal, "internal", "the job stopped on an internal error")
		}
	}()
	return w(ctx, p, f, progress)
}

// finish records the job's end.
func (r *Runner) finish(ctx context.Context, j Job, res any, werr error) {
	state, reason := Done, ""
	if werr != nil {
		state, reason = Failed, "internal"
		if e, ok := errs.As(werr); ok {
			reason = e.Code
		}
	}
	body := ""
	if res != nil {
		if b, err := json.Marshal(res); err == nil {
			body = string(b)
		}
	}
	now := r.clock()
	_ = r.db.Write(ctx, now, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ?, reason = ?, step = ?, done = ?, total = ?, result = ?, finished_at = ? WHERE county = ? AND id = ?`,
			state, reason, j.Step, j.Done, j.Total, body, clock.Micros(now), j.County, j.ID)
		return err
	})
}

// Get returns job id of county as p may see it: started by p, or in p's
// area below p's place with the kind's action allowed to p there. Any
// other job is NotFound, as is a missing one.
func (r *Runner) Get(ctx context.Context, p auth.Principal, county string, id int64) (Job, error) {
	missing := errs.F(errs.NotFound, "not_found", "job", "no such job")
	if p.IsPublic() || county != p.County {
		return Job{}, missing
	}
	var j Job
	var pl, result string
	var created, started, finished int64
	err := r.db.QueryRowContext(ctx, `SELECT kind, place, started_by, back, state, step, done, total, created_at, started_at, finished_at, result, reason FROM jobs WHERE county = ? AND id = ?`, county, id).
		Scan(&j.Kind, &pl, &j.StartedBy, &j.Back, &j.State, &j.Step, &j.Done, &j.Total, &created, &started, &finished, &result, &j.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, missing
	}
	if err != nil {
		return Job{}, errs.Wrap(err, "jobs: read")
	}
	j.ID, j.County, j.Place = id, county, place.Code(pl)
	if !r.mayView(p, j) {
		return Job{}, missing
	}
	j.Created = clock.FromMicros(created)
	if started != 0 {
		j.Started = clock.FromMicros(started)
	}
	if finished != 0 {
		j.Finished = clock.FromMicros(finished)
	}
	if result != "" {
		j.Result = json.RawMessage(result)
	}
	if j.State == Running {
		r.mu.Lock()
		l := r.live[key{county, id}]
		r.mu.Unlock()
		if l != nil {
			if s := l.step.Load(); s != nil {
				j.Step = *s
			}
			j.Done, j.Total = l.done.Load(), l.total.Load()
			if at := l.stepAt.Load(); at != 0 {
				j.StepAt = clock.FromMicros(at)
			}
		}
	}
	return j, nil
}

func (r *Runner) mayView(p auth.Principal, j Job) bool {
	if p.Username == j.StartedBy {
		return true
	}
	k, ok := r.kinds[j.Kind]
	if !ok || p.Place == j.Place || !p.Sees(j.Place) {
		return false
	}
	return auth.Authorize(p, k.Action, j.Place) == nil
}
