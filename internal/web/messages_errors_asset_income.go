package web

// Chinese for the refusals of an asset's leases, income and its
// distribution (issue 14).
func init() {
	addErrorFormats(map[string]string{
		"%s must be a date like 2026-01-01":                                                               "%s须为日期，例如 2026-01-01",
		"a household's weight cannot be negative":                                                         "农户的分配权重不能为负数",
		"a lease is a lease (出租) or an investment (入股)":                                                   "盘活方式须为出租或入股",
		"a share is paid to households or to the collective":                                              "每一份额须分配给农户或村集体",
		"a value cannot be negative":                                                                      "价值不能为负数",
		"an asset's income is recorded by the township, the rural-revitalization or the finance bureau":   "资产收益由乡镇、乡村振兴局或财政局登记",
		"asset %s has no income recorded for %d":                                                          "资产 %s 在 %d 年没有登记收益",
		"asset %s is being disposed of or disposed: it cannot be leased":                                  "资产 %s 正在处置或已处置，不能出租或入股",
		"asset %s is leased or invested already: end that agreement first":                                "资产 %s 已出租或入股：请先终止原协议",
		"asset %s is not an operating asset: only operating assets are leased or invested":                "资产 %s 不是经营性资产：只有经营性资产可以出租、入股并取得收益",
		"asset %s is not confirmed to the village collective yet: confirm its ownership (确权) first":       "资产 %s 尚未确权给村集体：请先确权",
		"document %s was recorded for this asset already with another amount or period":                   "凭证 %s 已为该资产登记过，金额或所属年度不同",
		"each household is named once: %q":                                                                "每户只能列入一次：%s",
		"give the term: 1 to 50 years or the last day":                                                    "请填写期限：1 至 50 年，或填写到期日",
		"household %s is in village %s, not a village owning asset %s":                                    "农户 %s 在村 %s，不属于拥有资产 %s 的村",
		"income arrives from outside the county's books or from an entity, not from a %s account":         "收益只能来自县外账户或经营主体，不能来自“%s”类账户",
		"lease %d has ended already":                                                                      "协议 %d 已终止",
		"name the households the households' share is paid to":                                            "请列出分配给农户部分的受益户",
		"no approved asset income line is waiting for payment":                                            "没有已批准、待代发的资产收益分配明细",
		"no business entity %s in this county's register":                                                 "本县经营主体名录中没有 %s",
		"no such distribution run":                                                                        "没有这次收益分配",
		"no such lease":                                                                                   "没有这份出租（入股）协议",
		"the asset belongs to %s already: a lease is to another entity":                                   "资产已归“%s”所有：只能出租或入股给其他经营主体",
		"the asset income to distribute cannot pay this batch: a payment may not take it below zero (%v)": "待代发的资产收益不足以支付本批次，不能透支（%v）",
		"the asset income to distribute holds %s yuan; the batch needs %s yuan":                           "待代发的资产收益余额 %s 元，本批次需要 %s 元",
		"the asset's value has no channel legs: its income cannot keep the channels that built it":        "资产原值没有资金渠道构成，收益无法保持形成资产的资金渠道",
		"the distribution run changed since it was entered (%s): reject it and enter it again":            "收益分配录入后情况已变化（%s）：请驳回后重新录入",
		"the income is rent, a dividend or sales":                                                         "收益类型须为租金、分红或经营收入",
		"the income of %d of asset %s has a distribution run already (%d)":                                "%d 年资产 %s 的收益已有分配（%d）",
		"the lease ends after it starts":                                                                  "到期日须晚于起始日",
		"the period is a year":                                                                            "所属期间须为年份",
		"the share of an investment is more than 0%% and at most 100%%":                                   "入股分红比例须大于 0%% 且不超过 100%%",
		"the use %q of the share %s is banned by the county's rule (assets.banned_uses: %s)":              "份额用途“%s”（%s）属于本县收益分配办法禁止的用途：%s",
		"the yearly rent must be more than zero":                                                          "年租金须大于零",
		"the shares of the distribution add up to %s, not 100%%":                                          "收益分配各份额合计为 %s，不是 100%%",
	})
	for k, v := range map[string]string{
		"already_leased":      "该资产已出租或入股",
		"asset_disposing":     "该资产正在处置或已处置",
		"banned_use":          "该用途为政策禁止的资产收益用途",
		"households_required": "请列出受益户",
		"income_doc_taken":    "该凭证已登记",
		"invalid_income":      "收益信息有误",
		"invalid_lease":       "出租（入股）协议信息有误",
		"invalid_period":      "所属年度有误",
		"lease_ended":         "协议已终止",
		"lease_to_owner":      "不能出租给资产所有者本身",
		"no_income":           "该年度没有收益",
		"no_legs":             "资产原值没有资金渠道构成",
		"not_confirmed":       "资产尚未确权给村集体",
		"not_operating":       "不是经营性资产",
		"nothing_to_pay":      "没有待代发的明细",
		"run_exists":          "该年度收益已有分配",
		"unknown_lease":       "没有这份协议",
		"unknown_payout_kind": "没有这种代发业务",
		"unknown_run":         "没有这次收益分配",
		"shares_not_100":      "收益分配各份额合计须为 100%",
		"invalid_share":       "份额信息有误",
		"invalid_household":   "受益户信息有误",
	} {
		if _, ok := errorCodesZh[k]; !ok {
			errorCodesZh[k] = v
		}
	}
}
