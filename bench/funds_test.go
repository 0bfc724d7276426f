package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestFundsBenchSmall runs the funds benchmark on a tiny county, so that
// the generator and the three measured operations keep working.
func TestFundsBenchSmall(t *testing.T) {
	var out bytes.Buffer
	err := Funds(context.Background(), FundsOptions{Channels: 8, Arrivals: 40, Projects: 30, Payments: 600, Households: 50, Runs: 3}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"channel report", "project report", "allocate oldest-first from 8 channels", "(a channel reaches 8 projects)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
