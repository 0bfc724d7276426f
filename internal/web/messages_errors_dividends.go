package web

// The dividend runs' refusals in Chinese (issue 13).
func init() {
	addErrorFormats(map[string]string{
		"no such dividend run": "没有这条分红明细",
		"agreement %d pays no dividend: it is not an entity agreement":                                             "协议 %d 不是经营主体协议，没有分红",
		"the period is a year of the term, 1 to %d":                                                                "年度为协议期内的第 1 至 %d 年",
		"agreement %d is %s: dividends are paid for active agreements":                                             "协议 %d 状态为 %s：只有履行中的协议分红",
		"an operator's returns are entered by the township or the county's rural-revitalization or finance bureau": "经营收益由乡镇或县乡村振兴局、财政局登记",
		"the returns must be more than zero":                                                                       "收益必须大于零",
		"agreement %d is a guaranteed dividend: its dividend is its rate, nothing is declared":                     "协议 %d 为保底分红：按比例分红，无需申报收益",
		"the returns of agreement %d's year %d are already declared":                                               "协议 %d 第 %d 年的收益已申报",
		"key %q was used for another payment (%d)":                                                                 "幂等键 %q 已用于另一笔缴付（%d）",
		"key %q was used for another transfer":                                                                     "幂等键 %q 已用于另一笔转账",
		"the operator's returns of agreement %d's year %d are not declared yet":                                    "协议 %d 第 %d 年的经营收益尚未申报",
		"agreement %d's year %d owes no dividend":                                                                  "协议 %d 第 %d 年没有应分红",
		"agreement %d's year %d has its dividend run already":                                                      "协议 %d 第 %d 年已有分红明细",
		"agreement %d's year %d has a run waiting for approval (instruction %d)":                                   "协议 %d 第 %d 年已有待审批的分红明细（指令 %d）",
		"the operator has paid %s of agreement %d's year-%d dividend of %s into the dividend money":                "经营主体已缴 %s 元，协议 %d 第 %d 年应分红 %s 元",
		"the dividend money holds %s yuan of channel %s beside the lines not yet paid; the run needs %s yuan":      "分红资金扣除未发放明细后，渠道 %[2]s 余额 %[1]s 元，本次分红需要 %[3]s 元",
		"agreement %d's year-%d dividend changed since the run was entered: enter it again":                        "协议 %d 第 %d 年的分红自录入后已变化，请重新录入",
		"the dividend money holds %s yuan; the batch needs %s yuan":                                                "分红资金余额 %s 元，本批次需要 %s 元",
		"no dividend line of an approved run is waiting for payment":                                               "没有已审批待发放的分红明细",
		"the dividend money cannot pay this batch: a payment may not take it below zero (%v)":                      "分红资金不足以支付本批次：支付后余额不得为负（%v）",
		"a share must not be negative":                                                                             "股份不得为负",
		"nothing to split %s yuan over":                                                                            "没有可分配 %s 元的对象",
		"dividends.due_days: %d must be 0 (the default, 90) to 366 days":                                           "分红缴付期限天数 %d 应在 0（默认 90）至 366 之间",
		"the agreement's start date is YYYY-MM-DD":                                                                 "协议起始日期格式为 年-月-日",
		"the date is YYYY-MM-DD":                                                                                   "日期格式为 年-月-日",
	})
	errorCodesZh["dividend_not_paid_in"] = "经营主体尚未缴足分红"
	errorCodesZh["dividend_run_exists"] = "该年度已有分红明细"
	errorCodesZh["dividend_run_pending"] = "该年度已有待审批的分红明细"
	errorCodesZh["not_declared"] = "经营收益尚未申报"
	errorCodesZh["already_declared"] = "收益已申报"
	errorCodesZh["unknown_run"] = "没有这条分红明细"
	errorCodesZh["not_dividend"] = "该协议没有分红"
	errorCodesZh["invalid_period"] = "年度不在协议期内"
	errorCodesZh["not_equity"] = "保底分红协议无需申报收益"
}
