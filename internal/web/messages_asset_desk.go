package web

// The desk's idle asset leads (issue 14).
func init() {
	for k, v := range map[string]msg{
		"assets.idle_leads":  {"闲置资产线索", "Idle assets"},
		"assets.idle_note":   {"经营性资产连续无收益达到县级政策规定的月数，请盘活（出租、入股）或按程序处置。", "Operating assets without income for the county's idle months: lease or invest them, or dispose of them by the procedure."},
		"assets.idle_since":  {"最近收益/租赁/确权", "Last income, lease or 确权"},
		"assets.idle_months": {"%d 个月无收益", "%d months without income"},
	} {
		messages[k] = v
	}
}
