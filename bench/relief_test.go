package bench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReliefSendChild is TestReliefKillResume's child process: it sends
// the payout batch until it is killed.
func TestReliefSendChild(t *testing.T) {
	src := os.Getenv("ONEPOOL_RELIEF_CHILD_DB")
	if src == "" {
		t.Skip("runs only as TestReliefKillResume's child")
	}
	if err := ReliefSend(context.Background(), src); err != nil {
		t.Fatal(err)
	}
}

// TestReliefKillResume runs the relief benchmark small, with its payout
// batch in a child process killed with SIGKILL half way; running the batch
// again must send every approved application exactly once, the ledger
// verifying (the benchmark itself checks and fails otherwise).
func TestReliefKillResume(t *testing.T) {
	if os.Getenv("ONEPOOL_RELIEF_CHILD_DB") != "" {
		t.Skip("child")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src := "sqlite:" + filepath.Join(t.TempDir(), "relief.db")
	var out bytes.Buffer
	err = reliefWithChild(context.Background(), ReliefOptions{DB: src, Households: 3000, Payouts: 6000}, &out, func(db string) []string {
		return []string{exe, "-test.run=^TestReliefSendChild$"}
	}, "ONEPOOL_RELIEF_CHILD_DB="+src)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	if strings.Contains(out.String(), "after 6000 of 6000 lines") {
		t.Errorf("the child finished before it was killed:\n%s", out.String())
	}
	for _, want := range []string{"killed the payout run with SIGKILL", "6000 lines for 6000 applications", "ledger verified"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
