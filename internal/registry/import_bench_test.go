package registry_test

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onepool/internal/registry"
	"onepool/internal/store/storetest"
)

const progressEvery = 256 // as registry's

// importFile is a household file of rows member rows: households of four
// (head, spouse, child, parent) in 50 villages, the card on the head's row.
func importFile(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("户编号,村代码,户主,姓名,身份证号,与户主关系,是否健在,开户人,开户行,银行卡号\n")
	rel := []string{"户主", "配偶", "子女", "父母"}
	for i := 0; i < rows; i++ {
		h := i / 4
		vil := fmt.Sprintf("990101001%03d", 1+h%50)
		code := fmt.Sprintf("%s-%05d", vil, h)
		head := "户主" + strconv.Itoa(h)
		name := head
		if i%4 != 0 {
			name = rel[i%4] + strconv.Itoa(h)
		}
		day := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/1000)
		id := rid(day.Format("20060102"), i%1000)
		holder, bank, cardNo := "", "", ""
		if i%4 == 0 {
			holder, bank, cardNo = head, "农商银行", card(h)
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,是,%s,%s,%s\n", code, vil, head, name, id, rel[i%4], holder, bank, cardNo)
	}
	return b.Bytes()
}

// BenchmarkImport100k imports a 100,000-row household file (25,000
// households of four) into an empty registry through the shared bounded
// reader, on each store; it reports the peak heap in use (sampled every
// 5 ms) beside the time. ONEPOOL_BENCH_ROWS changes the row count.
func BenchmarkImport100k(b *testing.B) { benchImport(b, false) }

// BenchmarkImport100kProgress is BenchmarkImport100k with a progress
// callback that stores its numbers, as the job runner's does: the cost of
// reporting progress is the difference between the two.
func BenchmarkImport100kProgress(b *testing.B) { benchImport(b, true) }

func benchImport(b *testing.B, withProgress bool) {
	rows := 100000
	if v, err := strconv.Atoi(os.Getenv("ONEPOOL_BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	file := importFile(rows)
	for _, d := range storetest.Dialects() {
		b.Run(d.String(), func(b *testing.B) {
			var peakAll uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := storetest.MustOpen(b, d)
				s := setup(b, db)
				runtime.GC()
				stop := samplePeak()
				b.StartTimer()
				var opt registry.ImportOptions
				var calls, last atomic.Int64
				if withProgress {
					opt = registry.ImportOptions{Rows: rows, Progress: func(step string, done, total int) { calls.Add(1); last.Store(int64(done)) }}
				}
				n, err := s.ImportWith(ctx, rural, bytes.NewReader(file), opt)
				b.StopTimer()
				peakAll = max(peakAll, stop())
				if err != nil || n != rows/4 {
					b.Fatalf("import: %d households, %v", n, err)
				}
				if withProgress && (calls.Load() < int64(rows/progressEvery) || last.Load() != int64(rows)) {
					b.Fatalf("progress: %d calls, last %d", calls.Load(), last.Load())
				}
				db.Close()
			}
			b.ReportMetric(float64(peakAll)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

func samplePeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}
