package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestProjectsBenchSmall runs the projects benchmark on a small county,
// so that the generator and the measured queries keep working; the
// township queue must find the projects waiting for its township.
func TestProjectsBenchSmall(t *testing.T) {
	var out bytes.Buffer
	if err := Projects(context.Background(), ProjectsOptions{Projects: 2000, Steps: 6000, Runs: 3}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"township review queue", "library: status × village", "review status per township"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "township review queue (清溪镇-like township)                p50") && strings.Contains(out.String(), "(0 rows)\n  county") {
		t.Errorf("the township queue is empty:\n%s", out.String())
	}
}
