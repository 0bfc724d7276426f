package web

// The direct subsidies' refusals in Chinese (issue 13).
func init() {
	addErrorFormats(map[string]string{
		"no accepted direct subsidy is waiting for payment":                                         "没有已验收待发放的直补",
		"the direct subsidy money holds %s yuan; the batch needs %s yuan":                           "直补资金余额 %s 元，本批次需要 %s 元",
		"the direct subsidy money cannot pay this batch: a payment may not take it below zero (%v)": "直补资金不足以支付本批次：支付后余额不得为负（%v）",
	})
	errorCodesZh["nothing_to_pay"] = "没有已验收待发放的直补"
}
