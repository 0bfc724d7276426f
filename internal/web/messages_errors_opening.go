package web

// Chinese for the refusals of internal/adopt (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"an opening set is entered by the county's staff":                                                              "期初余额由县级经办人员导入",
		"the opening set needs its document number (文号)":                                                               "请填写期初余额的文号",
		"the opening set needs its document date (凭证日期)":                                                               "请填写期初余额的凭证日期",
		"the document date %s is after today":                                                                          "凭证日期 %s 晚于今天",
		"account %q is outside the county's books; an opening balance is money an account of the county holds":         "账户 %s 是外部来源账户，期初余额只能记入本县的账户",
		"account %s on channel %s is already on row %d":                                                                "账户 %s 在渠道 %s 上的余额已在第 %d 行填写，不能重复",
		"user %s may not enter money of county %s":                                                                     "用户 %s 不能办理县 %s 的资金业务",
		"the opening set's total is too large":                                                                         "期初余额合计金额过大",
		"the county already has a posted opening set (instruction %d); a second is refused":                            "本县已有一套已记账的期初余额（指令 %d），不能再导入第二套",
		"the county's opening set (instruction %d) is waiting for approval; a second is refused unless it is rejected": "本县的期初余额（指令 %d）正在等待审批，除非被退回，不能再导入第二套",
		"the opening set's rows are not those that were entered":                                                       "期初余额的明细与提交时不一致，请重新提交",
	})
	for k, v := range map[string]string{
		"county_only":    "此项业务由县级办理",
		"invalid_doc_no": "请填写文号",
		"opening_exists": "本县已有期初余额，不能再导入第二套",
	} {
		errorCodesZh[k] = v
	}
}
