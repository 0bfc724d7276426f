package projects_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"onepool/internal/projects"
	"onepool/internal/store/storetest"
	"onepool/internal/workflow"
)

// BenchmarkPlanImport2000 imports an annual plan of 2,000 projects (half
// approved on paper with every step taken, half waiting for their notice)
// on each store and has a second officer approve it, which writes the
// 2,000 projects, their accounts, review items and 11,000 steps taken on
// paper in one transaction. It reports the import (read, check, enter)
// and the approval apart.
func BenchmarkPlanImport2000(b *testing.B) {
	const n = 2000
	var buf bytes.Buffer
	buf.WriteString(planHeader(6))
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			buf.WriteString(planRow(fmt.Sprintf("JH-%04d", i), "300000", "南乡振发〔2026〕1号", "2026-01-20", 6, 6))
		} else {
			buf.WriteString(planRow(fmt.Sprintf("JH-%04d", i), "300000", "", "", 5, 6))
		}
	}
	file := buf.Bytes()
	for _, d := range storetest.Dialects() {
		b.Run(d.String(), func(b *testing.B) {
			var imp, appr time.Duration
			var cpu storetest.CPU
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := storetest.MustOpen(b, d)
				e := setup(b, db, "nan")
				b.StartTimer()
				t0 := time.Now()
				batch, err := e.p.ImportPlan(ctx, rural, "plan.csv", bytes.NewReader(file))
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				c1 := storetest.CPUNow(b, db)
				batch, err = e.p.DecidePlan(ctx, rural2, batch.ID, workflow.Decision{Action: workflow.Approve})
				if err != nil || batch.State != "approved" {
					b.Fatalf("approve: %v %s", err, batch.State)
				}
				t2 := time.Now()
				c := storetest.CPUNow(b, db).Sub(c1)
				cpu.Process, cpu.Server = cpu.Process+c.Process, cpu.Server+c.Server
				b.StopTimer()
				imp, appr = imp+t1.Sub(t0), appr+t2.Sub(t1)
				if ps, total, _ := e.p.Library(ctx, county, projects.Filter{Prefix: county}); total != n || len(ps) == 0 {
					b.Fatalf("library holds %d projects", total)
				}
				db.Close()
			}
			b.ReportMetric(float64(imp.Milliseconds())/float64(b.N), "import-ms")
			b.ReportMetric(float64(appr.Milliseconds())/float64(b.N), "approve-ms")
			b.ReportMetric(n, "projects")
			// The approval's work whatever the load (see storetest.CPU).
			b.ReportMetric(float64(cpu.Process.Milliseconds())/float64(b.N), "approve-cpu-go-ms")
			b.ReportMetric(float64(cpu.Server.Milliseconds())/float64(b.N), "approve-cpu-db-ms")
		})
	}
}
