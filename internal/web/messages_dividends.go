package web

// The dividend runs' labels (issue 13, M-31/M-32).
func init() {
	for k, v := range map[string]msg{
		"dividend.title":         {"收益分红", "Dividends"},
		"dividend.schedule":      {"分红计划（按协议年度）", "Dividend schedule (by year of the agreement)"},
		"dividend.period":        {"年度", "Year"},
		"dividend.range":         {"起止", "From – to"},
		"dividend.due_by":        {"缴付期限", "Due by"},
		"dividend.rate":          {"分红比例", "Rate"},
		"dividend.returns":       {"申报收益", "Declared returns"},
		"dividend.owed":          {"应分红", "Owed"},
		"dividend.paid_in":       {"经营主体已缴", "Paid in by the operator"},
		"dividend.run":           {"分红明细", "Dividend run"},
		"dividend.paid_out":      {"已发放到户", "Paid to households"},
		"dividend.late":          {"逾期 %d 天", "%d days late"},
		"dividend.not_declared":  {"未申报", "Not declared"},
		"dividend.payments":      {"经营主体缴付记录", "Operator's payments"},
		"dividend.record":        {"登记经营主体缴付", "Record the operator's payment"},
		"dividend.declare":       {"登记经营收益申报", "Record the declared returns"},
		"dividend.enter_run":     {"录入分红明细（一人录入，另一人审批）", "Enter a dividend run (one enters, another approves)"},
		"dividend.pay":           {"录入分红代发批次", "Enter a dividend payout batch"},
		"dividend.doc_no":        {"凭证号", "Document"},
		"dividend.paid_on":       {"到账日期", "Paid on"},
		"dividend.key":           {"幂等键", "Idempotency key"},
		"dividend.batch":         {"分红代发批次", "Dividend payout batch"},
		"dividend.lines":         {"分红到户明细", "Households' lines"},
		"dividend.shares":        {"股份", "Shares"},
		"dividend.legs":          {"资金渠道", "Channels"},
		"dividend.status":        {"状态", "Status"},
		"dividend.mine":          {"协议分红", "Dividends from agreements"},
		"dividend.overdue":       {"逾期未缴的分红", "Overdue dividends"},
		"dividend.short":         {"欠缴", "Short"},
		"dividend.link":          {"分红", "Dividends"},
		"dividend.pay.waiting":   {"待发放", "Waiting for payment"},
		"dividend.pay.sending":   {"已发送银行", "At the bank"},
		"dividend.pay.paid":      {"已发放到户", "Paid to the household"},
		"dividend.pay.failed":    {"银行退回，待更正银行卡", "Returned by the bank: correct the card"},
		"done.dividend_in":       {"缴付已登记入账", "Payment recorded"},
		"done.dividend_declared": {"收益申报已登记", "Returns recorded"},
		"tkind.dividend_in":      {"分红缴付", "Dividend paid in"},
	} {
		messages[k] = v
	}
}
