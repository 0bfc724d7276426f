package policy_test

import (
	"strings"
	"testing"

	"onepool/internal/policy"
)

// TestLinkageAndAgreementChainKeys: the linkage threshold and the
// agreements' review chain are profile keys with defaults; a county's
// overrides change them, and a bad value names its key.
func TestLinkageAndAgreementChainKeys(t *testing.T) {
	zj, err := policy.Resolve("zhijin", "")
	if err != nil {
		t.Fatal(err)
	}
	if zj.LinkageRules().IncomeEffectMin != 1_000_00 {
		t.Fatalf("zhijin's threshold: %v", zj.LinkageRules())
	}
	steps := zj.AgreementSteps()
	if len(steps) != 2 || steps[0].Role != "township" || steps[1].Role != "rural" || steps[1].Level != "county" {
		t.Fatalf("the default chain: %+v", steps)
	}
	if (policy.Profile{}).LinkageRules() != policy.DefaultLinkage() || len((policy.Profile{}).AgreementSteps()) != 2 {
		t.Fatal("a profile without the sections has no defaults")
	}
	p, err := policy.Resolve("zigui", `
[linkage]
income_effect_min = "1,500"

[[agreement_review.steps]]
name = "乡镇审核"
role = "township"
level = "township"

[[agreement_review.steps]]
name = "县农业农村局审核"
role = "sector"
level = "county"

[[agreement_review.steps]]
name = "签订（乡村振兴局）"
role = "rural"
level = "county"
`)
	if err != nil {
		t.Fatal(err)
	}
	if p.LinkageRules().IncomeEffectMin != 1_500_00 || len(p.AgreementSteps()) != 3 || p.AgreementSteps()[1].Role != "sector" {
		t.Fatalf("overridden: %v %+v", p.LinkageRules(), p.AgreementSteps())
	}
	if _, err := policy.Resolve("zigui", "[linkage]\nincome_effect_min = \"-5\"\n"); err == nil || !strings.Contains(err.Error(), "linkage.income_effect_min") {
		t.Fatalf("a bad threshold: %v", err)
	}
	if _, err := policy.Resolve("zigui", "[[agreement_review.steps]]\nname = \"x\"\nrole = \"nobody\"\nlevel = \"county\"\n"); err == nil || !strings.Contains(err.Error(), "agreement_review.steps[0].role") {
		t.Fatalf("a bad step: %v", err)
	}
}
