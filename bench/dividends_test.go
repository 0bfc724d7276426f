package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDividendsChild is TestDividendsKillResume's child process: it
// approves the county run and sends its payout batch until it is killed.
func TestDividendsChild(t *testing.T) {
	src := os.Getenv("ONEPOOL_DIVIDENDS_CHILD_DB")
	if src == "" {
		t.Skip("runs only as TestDividendsKillResume's child")
	}
	if err := DividendsChild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
}

// TestDividendsKillResume runs the dividends benchmark small (120
// agreements over 6,000 households; under the race detector 40 over
// 2,000: two payout chunks, not six) with the approval and the payout
// batch in a child process killed with SIGKILL half way through the
// batch; resuming must send every run line exactly once, the bank in
// transit holding exactly their total and the ledger verifying (the
// benchmark checks and fails otherwise).
func TestDividendsKillResume(t *testing.T) {
	if os.Getenv("ONEPOOL_DIVIDENDS_CHILD_DB") != "" {
		t.Skip("child")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src := "sqlite:" + filepath.Join(t.TempDir(), "dividends.db")
	var out bytes.Buffer
	o := DividendsOptions{DB: src, Households: 6000, Agreements: 120}
	if raceOn { // under the race detector: two payout chunks, not six
		o = DividendsOptions{DB: src, Households: 2000, Agreements: 40}
	}
	err = dividendsWithChild(context.Background(), o, &out, func(db string) []string {
		return []string{exe, "-test.run=^TestDividendsChild$"}
	}, "ONEPOOL_DIVIDENDS_CHILD_DB="+src)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	if strings.Contains(out.String(), fmt.Sprintf("after %d of %d lines", o.Households, o.Households)) {
		t.Errorf("the child finished before it was killed:\n%s", out.String())
	}
	for _, want := range []string{"killed the approval and payout run with SIGKILL", fmt.Sprintf("%d agreements, %d households", o.Agreements, o.Households), "exactly once; ledger verified"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
