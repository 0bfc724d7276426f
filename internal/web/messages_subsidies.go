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

// Sending an approved payout batch as a job.
func init() {
	for k, v := range map[string]msg{
		"job.kind.payout.send": {"代发批次发送银行", "Sending a payout batch"},
		"job.step.sending":     {"正在发送", "Sending"},
		"job.lines":            {"行", "lines"},
		"job.payout_sent":      {"已发送", "Sent"},
		"done.payout_sending":  {"已批准入账；代发批次的其余各行正在发送银行，可离开本页，进度见下。", "Approved and posted; the batch's remaining lines are being sent to the bank — you may leave this page."},
		"payout.unsent":        {"本批次已批准的 %[2]d 行中还有 %[1]d 行未发送（发送曾中断）。", "%d of the %d approved lines of this batch have not been sent (the sending stopped)."},
		"payout.send_rest":     {"继续发送其余各行", "Send the remaining lines"},
	} {
		messages[k] = v
	}
}
