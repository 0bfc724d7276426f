package web

// Chinese for the refusals of the assets' county-wide distribution run and
// of the households kept with an asset (issue 14).
func init() {
	addErrorFormats(map[string]string{
		"the income of %d of asset %s is in a county-wide distribution run waiting for approval (instruction %d)":                 "资产 %[2]s %[1]d 年的收益已列入一次待审批的全县收益分配（指令 %[3]d）",
		"the income of %d of asset %s has a distribution run already":                                                             "资产 %[2]s %[1]d 年的收益已有收益分配",
		"the income of %d of asset %s has a distribution run waiting for approval":                                                "资产 %[2]s %[1]d 年的收益已有一次待审批的收益分配",
		"asset %s has no households named for the households' share: name them with the asset first":                              "资产 %s 没有列出农户部分的受益户：请先为该资产设置受益户名单",
		"asset %s: one of its households is no longer in the registry or not of a village owning it (%s): correct its households": "资产 %s 的受益户名单中有农户已不在户籍库中或不属于拥有该资产的村（%s）：请更正其受益户名单",
		"no operating asset has income of %d without a distribution run (%d left out)":                                            "没有 %d 年有收益且尚未分配的经营性资产（%d 项未列入）",
		"asset %s's income of %d can no longer be distributed as entered (%s): enter the county run again":                        "资产 %s %d 年的收益已不能按录入时分配（%s）：请重新录入全县收益分配",
		"asset %s's distribution of %d changed since the county run was entered: enter it again":                                  "资产 %s %d 年的收益分配在录入后已有变化：请重新录入",
	})
	for k, v := range map[string]string{
		"run_pending": "该资产该年度的收益已有待审批的收益分配",
	} {
		errorCodesZh[k] = v
	}
}
