package web

// The direct subsidies' payment labels (issue 13).
func init() {
	for k, v := range map[string]msg{
		"subsidy.batch":          {"直补代发批次", "Subsidy payout batch"},
		"subsidy.payment":        {"直补发放", "Subsidy payment"},
		"subsidy.pay":            {"录入代发批次", "Enter a payout batch"},
		"subsidy.pay_hint":       {"验收后的直补进入代发批次：一人录入，另一人审批后发送银行，按回盘入户。", "Accepted subsidies go into a payout batch: one person enters it, another approves; the bank's return pays the household."},
		"subsidy.pay.waiting":    {"已验收，待发放", "Accepted, waiting for payment"},
		"subsidy.pay.sending":    {"已发送银行", "At the bank"},
		"subsidy.pay.paid":       {"已发放到户", "Paid to the household"},
		"subsidy.pay.failed":     {"银行退回：更正银行卡后重新发放", "Returned by the bank: correct the card and pay again"},
		"tkind.subsidy_payout":   {"直补发放", "Subsidy payout"},
		"ins.kind.subsidy_batch": {"直补代发批次", "Subsidy payout batch"},
	} {
		messages[k] = v
	}
}
