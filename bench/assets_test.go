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

// TestAssetsChild is TestAssetsKillResume's child process: it approves
// the county run and sends its payout batch until it is killed.
func TestAssetsChild(t *testing.T) {
	src := os.Getenv("ONEPOOL_ASSETS_CHILD_DB")
	if src == "" {
		t.Skip("runs only as TestAssetsKillResume's child")
	}
	if err := AssetsChild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
}

// TestAssetsKillResume runs the asset income benchmark small (300 assets,
// 20 households each: 6,000 household lines, six payout chunks; under
// the race detector 100 assets, 2,000 lines, two chunks) with the
// approval and the payout batch in a child process killed with SIGKILL —
// once during the approval (the run must be written whole or not at
// all), once half way through the batch; resuming must write each
// asset's run once and send every household line exactly once, the bank
// in transit holding exactly their total and the ledger verifying (the
// benchmark checks and fails otherwise). Then the register's list queries
// run over 2,000 assets (5 runs each: their shapes, not their timing).
func TestAssetsKillResume(t *testing.T) {
	if os.Getenv("ONEPOOL_ASSETS_CHILD_DB") != "" {
		t.Skip("child")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src := "sqlite:" + filepath.Join(t.TempDir(), "assets.db")
	var out bytes.Buffer
	o := AssetsOptions{DB: src, Assets: 300, PerAsset: 20, Register: 2000, ListRuns: 5}
	if raceOn {
		o.Assets = 100
	}
	hh := o.Assets * o.PerAsset
	err = assetsWithChild(context.Background(), o, &out, func(db string) []string {
		return []string{exe, "-test.run=^TestAssetsChild$"}
	}, "ONEPOOL_ASSETS_CHILD_DB="+src)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	if strings.Contains(out.String(), fmt.Sprintf("after %d of %d household lines", hh, hh)) {
		t.Errorf("the child finished before it was killed:\n%s", out.String())
	}
	for _, want := range []string{"killed the approval with SIGKILL", "(nothing or the whole)", "killed the payout run with SIGKILL", fmt.Sprintf("%d assets, %d lines (%d households)", o.Assets, hh*11/10, hh),
		fmt.Sprintf("%d runs, %d run lines", o.Assets, hh*11/10), "exactly once; ledger verified", "2000 assets in the register"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
