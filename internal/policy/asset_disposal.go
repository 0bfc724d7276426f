package policy

// The asset register's profile keys (issue 14).
//
//	[assets]
//	disposal_chain = [ {name, role, level, checks, may_return, sla_days}, … ]
//
// disposal_chain is the review chain of an asset's disposal (拍卖、转让、转产、
// 报停、报损、报废): its first step is the villagers' congress (村民代表大会)
// recorded by a village cadre at the village with the resolution and its
// minutes; the last step is taken after a public notice. A profile without
// the key gets DefaultDisposalChain — the national rule every seed profile
// follows: 村民代表大会 → 乡镇审核 → 县级审批.

// DefaultDisposalChain is the disposal chain of a profile without
// assets.disposal_chain.
func DefaultDisposalChain() []Step {
	return []Step{
		{Name: "村民代表大会决议", Role: "village", Level: "village", Checks: []string{"村民代表大会决议", "会议纪要"}},
		{Name: "乡镇审核", Role: "township", Level: "township", Checks: []string{"处置理由", "决议程序"}, MayReturn: true, SLADays: 10},
		{Name: "县级审批", Role: "rural", Level: "county", Checks: []string{"公示结果", "处置收益"}, MayReturn: true, SLADays: 10},
	}
}

// DisposalSteps is the county's disposal chain: the profile's
// assets.disposal_chain or the default.
func (p Profile) DisposalSteps() []Step {
	if len(p.DisposalChain) == 0 {
		return DefaultDisposalChain()
	}
	return p.DisposalChain
}

// convertDisposalChain checks assets.disposal_chain: at least the
// congress and one review, the first step a village's.
func convertDisposalChain(r rawProfile) ([]Step, error) {
	in := r.Assets.DisposalChain
	if len(in) == 0 {
		return nil, nil
	}
	steps, err := convertSteps("assets.disposal_chain", in)
	if err != nil {
		return nil, err
	}
	if len(steps) < 2 {
		return nil, invalid("assets.disposal_chain: the villagers' congress and at least one review are required")
	}
	if steps[0].Level != "village" || steps[0].Role != "village" {
		return nil, invalid("assets.disposal_chain[0]: the first step is the villagers' congress, recorded by a village cadre at the village")
	}
	return steps, nil
}
