package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"onepool/internal/app"
	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/demo"
	"onepool/internal/jobs"
	"onepool/internal/ledger"
	"onepool/internal/store"
	"onepool/internal/web"
)

// BenchmarkExportHouseholds runs the whole county's households export
// (every member of every household, one row each) as the export job does:
// POST /api/v1/jobs/{county}/export?list=households as the county's
// rural-revitalization bureau, then waits for the job, which streams the
// xlsx into the runner's files. It reports the rows (households), the
// file's size and the peak heap in use while the job ran (sampled every
// 20 ms). ONEPOOL_BENCH_EXPORT_DB names a copy of the county `onepool
// bench web` builds (the job writes its row and an audit entry):
//
//	cp /tmp/bigcounty.db /tmp/exp.db
//	ONEPOOL_BENCH_EXPORT_DB=sqlite:/tmp/exp.db go test ./bench -run '^$' -bench ExportHouseholds -benchtime 1x
func BenchmarkExportHouseholds(b *testing.B) {
	src := os.Getenv("ONEPOOL_BENCH_EXPORT_DB")
	if src == "" {
		b.Skip("set ONEPOOL_BENCH_EXPORT_DB to a copy of the county `onepool bench web` builds")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, src)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	l := ledger.New(db, clock.System)
	a := auth.New(db, nil, auth.Config{ArgonMemoryKiB: 64, ArgonTime: 1})
	runner := jobs.New(db, clock.System, b.TempDir(), 2)
	h := app.Server(web.Deps{DB: db, Ledger: l, Auth: a, Keys: BenchKeys(), Jobs: runner})
	tok, err := a.IssueToken(ctx, auth.Principal{Username: "demo.rural", Role: auth.RoleRural, Place: "990101000000", County: demo.County}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	var peak atomic.Uint64
	for b.Loop() {
		runtime.GC()
		peak.Store(0)
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var m runtime.MemStats
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		r := httptest.NewRequest("POST", "/api/v1/jobs/"+demo.County+"/export?list=households", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusAccepted {
			b.Fatalf("start: %d %s", w.Code, w.Body)
		}
		var started struct {
			Job struct {
				ID int64 `json:"id"`
			} `json:"job"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &started); err != nil {
			b.Fatal(err)
		}
		runner.Wait()
		close(stop)
		<-sampled
		j, err := runner.Get(ctx, auth.Principal{Username: "demo.rural", Role: auth.RoleRural, Place: "990101000000", County: demo.County}, demo.County, started.Job.ID)
		if err != nil || j.State != jobs.Done {
			b.Fatalf("the export job: %+v %v", j, err)
		}
		var res struct {
			Rows  int   `json:"rows"`
			Bytes int64 `json:"bytes"`
		}
		_ = json.Unmarshal(j.Result, &res)
		b.ReportMetric(float64(j.Done), "households")
		b.ReportMetric(float64(res.Rows), "rows")
		b.ReportMetric(float64(res.Bytes)/(1<<20), "file-MiB")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		b.ReportMetric(j.Finished.Sub(j.Started).Seconds(), "job-s")
	}
}
