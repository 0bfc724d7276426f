package web

// Labels of two people on money (资金指令 / 资金审批).
func init() {
	for k, v := range map[string]msg{
		"nav.money":              {"资金审批", "Money approvals"},
		"ins.title":              {"资金审批（两人经手）", "Money approvals (two people)"},
		"ins.intro":              {"每一笔资金拨付、支付、收回、调整、冲销、救助代发和银行回盘，由一人录入、另一人审核后才记账；超过政策配置限额的还需分管领导审批。", "Every allocation, payment, reclaim, adjustment, reversal, relief payout and bank return is entered by one person and posted only after another approves it; above the profile's threshold a second approver signs too."},
		"ins.one":                {"资金指令", "Money instruction"},
		"ins.queue":              {"等我审批", "Waiting for my approval"},
		"ins.queue_none":         {"没有等您审批的资金指令。", "No instruction is waiting for your approval."},
		"ins.all":                {"全部资金指令", "All instructions"},
		"ins.none":               {"暂无资金指令。", "No instructions yet."},
		"ins.kind":               {"类型", "Kind"},
		"ins.summary":            {"内容", "What"},
		"ins.maker":              {"录入人", "Entered by"},
		"ins.approver":           {"审批人", "Approved by"},
		"ins.entered":            {"录入时间", "Entered"},
		"ins.state":              {"状态", "State"},
		"ins.what":               {"资金去向", "What moves"},
		"ins.approval":           {"审批流程", "Approval"},
		"policy.money":           {"资金两人经手", "Two people on money"},
		"policy.money_intro":     {"资金安排、支付、收回、调整项目、冲销、调账、救助代发和银行回盘：一人录入，另一人审核后才记账；录入人和最后修改人不能审批，一人不签两步。", "Allocations, payments, reclaims, switches, reversals, adjustments, relief payouts and bank returns: one person enters, another approves before anything posts; whoever entered or last changed a thing never approves it, and no one signs two steps."},
		"policy.money_maker":     {"经办录入（录入人本人）", "Entered (by the maker)"},
		"ins.next":               {"查看相关记录", "Open the record"},
		"ins.approve":            {"同意并记账", "Approve and post"},
		"ins.posted_as":          {"已记账：", "Posted as:"},
		"ins.waiting_for":        {"等待：", "Waiting for:"},
		"ins.not_you":            {"录入人不能审批自己录入的资金指令", "whoever entered an instruction never approves it"},
		"ins.entered_ok":         {"已提交审批，另一人审核同意后才记账。", "Entered for approval: it posts when another person approves it."},
		"ins.state.all":          {"全部", "All"},
		"ins.state.pending":      {"待审批", "Waiting"},
		"ins.state.posted":       {"已记账", "Posted"},
		"ins.state.rejected":     {"已退回不予记账", "Rejected"},
		"ins.kind.allocation":    {"资金安排（资金池→项目）", "Allocation (pool → project)"},
		"ins.kind.payment":       {"项目支付", "Payment"},
		"ins.kind.reclaim":       {"收回资金", "Reclaim"},
		"ins.kind.switch":        {"调整项目", "Switch project"},
		"ins.kind.reversal":      {"冲销", "Reversal"},
		"ins.kind.adjustment":    {"调账", "Adjustment"},
		"ins.kind.relief_batch":  {"救助金代发批次", "Relief payout batch"},
		"ins.kind.bank_return":   {"银行回盘", "Bank return"},
		"queue.kind.instruction": {"资金审批", "Money approval"},
	} {
		messages[k] = v
	}
}
