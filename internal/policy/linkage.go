package policy

import (
	"strings"

	"onepool/internal/money"
)

// Linkage are the interest-linkage rules (利益联结, M-23): the yearly
// income effect a household driven by an entity should reach (seed 000's
// "户均年增收 1000 元以上"). Key linkage.income_effect_min; default 1,000
// yuan.
type Linkage struct {
	IncomeEffectMin money.Fen `json:"income_effect_min"`
}

// DefaultLinkage is the linkage rule of a profile that says nothing of
// it: 1,000 yuan a year (seeds 000 and 002).
func DefaultLinkage() Linkage { return Linkage{IncomeEffectMin: 1_000_00} }

// AgreementReview is the review chain of a benefit agreement after its
// negotiation (step 0, taken by whoever records it): key
// [[agreement_review.steps]]; default DefaultAgreementSteps.
type AgreementReview struct {
	Steps []Step `json:"steps"`
}

// DefaultAgreementSteps are the township's review and the signature by
// the rural-revitalization bureau at the county.
func DefaultAgreementSteps() []Step {
	return []Step{
		{Name: "乡镇审核", Role: "township", Level: "township", Checks: []string{"协议条款", "政策规则"}, MayReturn: true, SLADays: 7},
		{Name: "签订（乡村振兴局）", Role: "rural", Level: "county", Checks: []string{"签订"}, MayReturn: true, SLADays: 7},
	}
}

// AgreementSteps are the profile's agreement review steps, or the default.
func (p Profile) AgreementSteps() []Step {
	if len(p.AgreementReview.Steps) == 0 {
		return DefaultAgreementSteps()
	}
	return p.AgreementReview.Steps
}

// LinkageRules are the profile's linkage rules, the default for a key
// not given.
func (p Profile) LinkageRules() Linkage {
	l := p.Linkage
	if l.IncomeEffectMin == 0 {
		l.IncomeEffectMin = DefaultLinkage().IncomeEffectMin
	}
	return l
}

// validateLinkage converts the [linkage] and [agreement_review] sections.
func (r rawProfile) validateLinkage(p *Profile) error {
	p.Linkage = DefaultLinkage()
	if s := strings.TrimSpace(r.Linkage.IncomeEffectMin); s != "" {
		f, err := money.Parse(s)
		if err != nil || f <= 0 {
			return invalid("linkage.income_effect_min: %q must be a positive amount in yuan", s)
		}
		p.Linkage.IncomeEffectMin = f
	}
	p.AgreementReview = AgreementReview{Steps: DefaultAgreementSteps()}
	if len(r.AgreementReview.Steps) > 0 {
		steps, err := convertSteps("agreement_review.steps", r.AgreementReview.Steps)
		if err != nil {
			return err
		}
		p.AgreementReview.Steps = steps
	}
	return nil
}
