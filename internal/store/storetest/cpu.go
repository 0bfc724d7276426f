package storetest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"onepool/internal/store"
)

// CPU is the processor time used so far by this process and by the
// database server's processes (PostgreSQL: every child of the cluster's
// postmaster on this machine; zero for SQLite, which runs in-process).
// Benchmarks on a shared, loaded machine report the CPU time of a phase
// beside its wall time: the wall time is mostly waiting for a core, the
// CPU time is the work (about what the phase takes on a quiet machine
// with a core for each).
type CPU struct{ Process, Server time.Duration }

// Sub is c − d.
func (c CPU) Sub(d CPU) CPU { return CPU{c.Process - d.Process, c.Server - d.Server} }

// CPUNow reads the CPU times (Linux; zero where /proc is unreadable).
func CPUNow(tb testing.TB, db *store.DB) CPU {
	tb.Helper()
	var c CPU
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		c.Process = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if db.Dialect != store.Postgres {
		return c
	}
	var dir string
	if err := db.QueryRowContext(context.Background(), `SHOW data_directory`).Scan(&dir); err != nil {
		return c
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return c
	}
	postmaster := strings.SplitN(string(b), "\n", 2)[0]
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:]) // state ppid … utime(12) stime(13)
		if len(f) < 13 || (f[1] != postmaster && p != "/proc/"+postmaster+"/stat") {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		c.Server += time.Duration(ut+st) * (time.Second / 100) // USER_HZ
	}
	return c
}
