package web

// Chinese for the refusals of interest-linkage tracking (internal/entities
// linkage.go) and the principal returns (internal/agreements principal.go).

func init() {
	addErrorFormats(map[string]string{
		"household %s is not linked to this entity by %s":                                              "农户 %s 与该主体没有“%s”方式的联结",
		"give the day the link ended (YYYY-MM-DD, not before it began on %s, not in the future)":       "请填写联结结束日期（年-月-日），不早于开始日期 %s，不晚于今天",
		"this link already ended on %s":                                                                "该联结已于 %s 结束",
		"%q is not a year like 2026":                                                                   "%s 不是年份（如 2026）",
		"%q is not an amount in yuan":                                                                  "%s 不是以元为单位的金额",
		"the same entity, household and year as row %d":                                                "与第 %d 行的主体、农户和年度相同",
		"no such entity in your area":                                                                  "您的辖区内没有这个经营主体",
		"no such household in your area":                                                               "您的辖区内没有这个农户",
		"household %s was not linked to this entity in %d: add the link first":                         "农户 %s 在 %d 年与该主体没有有效联结，请先添加联结",
		"only an equity agreement's principal goes back to the village collective":                     "只有股权分红协议的本金退回村集体",
		"agreement %d is %s: only a terminated agreement returns its principal":                        "协议 %d 当前为“%s”：只有已终止的协议才退回本金",
		"the principal of agreement %d is already returned or waiting for approval (instruction %d)":   "协议 %d 的本金已退回或正在审批（资金指令 %d）",
		"agreement %d has changed since the principal's return was entered: enter it again":            "本金退回提交后协议 %d 已有变化，请重新提交",
		"the operator's account no longer covers the principal: an account may not go below zero (%v)": "经营主体账户余额已不足以退回本金（账户不得透支）：%v",
		"village %s has no village collective economic organization registered: register it (经营主体, kind collective) before the principal is returned":            "村 %s 尚未登记村集体经济组织：请先在经营主体中登记（类型：村集体经济组织），再退回本金",
		"the operator of agreement %d is not at a village and its households are of %d villages: the village collective to return the principal to is not known": "协议 %d 的经营主体不在某个村，其农户分属 %d 个村：无法确定本金退回哪个村集体",
		"the operator of agreement %d is the village collective itself: its principal is already in the collective's account":                                    "协议 %d 的经营主体就是村集体本身：本金已在村集体账户中",
	})
}

func init() {
	for k, v := range map[string]string{
		"no_collective":             "该村尚未登记村集体经济组织，无法退回本金",
		"principal_with_collective": "经营主体就是村集体本身，本金无需退回",
		"not_equity":                "只有股权分红协议的本金退回村集体",
		"principal_entered":         "本金已退回或正在审批",
		"unknown_link":              "没有这条联结",
		"link_ended":                "该联结已经结束",
	} {
		errorCodesZh[k] = v
	}
}
