package policy_test

import (
	"strings"
	"testing"

	"onepool/internal/policy"
)

// The disposal chain: the seed profiles get the default (congress →
// township → county); a county's own chain is taken as written; one that
// does not start with the village's congress is refused naming its key.
func TestDisposalChain(t *testing.T) {
	p, err := policy.Resolve("zigui", "")
	if err != nil {
		t.Fatal(err)
	}
	st := p.DisposalSteps()
	if len(st) != 3 || st[0].Level != "village" || st[1].Role != "township" || st[2].Role != "rural" || st[2].Level != "county" {
		t.Fatalf("default chain: %+v", st)
	}
	own := `
[[assets.disposal_chain]]
name = "村民代表大会决议"
role = "village"
level = "village"

[[assets.disposal_chain]]
name = "县级审批"
role = "rural"
level = "county"
`
	p, err = policy.Resolve("zigui", own)
	if err != nil {
		t.Fatal(err)
	}
	if st := p.DisposalSteps(); len(st) != 2 || st[1].Name != "县级审批" {
		t.Fatalf("the county's chain: %+v", st)
	}
	if _, err := policy.Resolve("zigui", strings.Replace(own, `role = "village"`, `role = "township"`, 1)); err == nil || !strings.Contains(err.Error(), "assets.disposal_chain[0]") {
		t.Fatalf("a chain not starting at the congress: %v", err)
	}
}
