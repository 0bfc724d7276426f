package web

// Labels of an asset's leases, income and its distribution (issue 14).
func init() {
	for k, v := range map[string]msg{
		"ins.kind.asset_distribution": {"资产收益分配", "Asset income distribution"},
		"ins.kind.asset_batch":        {"资产收益代发批次", "Asset income payout batch"},
		"tkind.asset_income":          {"资产收益", "Asset income"},
		"tkind.asset_payout":          {"资产收益分配", "Asset income paid out"},
	} {
		if _, ok := messages[k]; !ok {
			messages[k] = v
		}
	}
}
