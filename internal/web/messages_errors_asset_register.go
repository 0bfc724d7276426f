package web

// Chinese for the asset register's refusals (issue 14: list, handover,
// upkeep, import, disposal) and their fields.
func init() {
	addErrorFormats(map[string]string{
		"asset %s already has a disposal under review": "资产 %s 已有处置申请在审批中",
		"no such disposal":  "没有这项处置申请",
		"disposal %d is %s": "处置申请 %d 目前为“%s”",
		"asset %s has no channel legs to return its proceeds on":                      "资产 %s 没有资金渠道构成，无法按渠道归还处置收入",
		"the proceeds' legs sum to %s, not %s":                                        "处置收入按渠道拆分合计 %s 元，与 %s 元不符",
		"disposals are not available here":                                            "此处不能办理资产处置",
		"the kind of disposal must be one of %s":                                      "处置方式须为：%s",
		"attach the minutes of the villagers' congress that resolved the disposal":    "请附上作出处置决议的村民代表大会会议纪要",
		"the proceeds cannot be negative":                                             "处置收入不能为负数",
		"%s %q is not a date YYYY-MM-DD":                                              "%s“%s”不是有效日期（年-月-日）",
		"a handover names its document (文号) or attaches it":                           "资产移交须填写移交文件文号或上传移交文件",
		"documents cannot be stored here":                                             "此处不能保存文件",
		"%q is not a type of asset (经营性、公益性、到户类)":                                     "“%s”不是资产类型（经营性、公益性、到户类）",
		"%q is not a category of asset":                                               "“%s”不是资产类别",
		"%q is not an amount in 元 or 万元":                                              "“%s”不是以元或万元表示的金额",
		"%q is not a use (在用、闲置、出租、入股)":                                               "“%s”不是使用状态（在用、闲置、出租、入股）",
		"an owner is confirmed with its document (确权文件)":                              "填写权属主体时须同时填写确权文件",
		"the same asset number as row %d":                                             "资产编号与第 %d 行重复",
		"the channels add up to %s, not the original value %s":                        "资金渠道合计 %s 元，与原值 %s 元不符",
		"the use must be in use, idle, leased or invested":                            "使用状态须为在用、闲置、出租或入股",
		"write each channel as 渠道:金额, not %q":                                         "资金渠道请写成“渠道:金额”，而不是“%s”",
		"no channel %q in the county":                                                 "本县没有资金渠道“%s”",
		"%q is not an amount above zero":                                              "“%s”不是大于零的金额",
		"asset %s has been disposed of: its record is kept, nothing more is recorded": "资产 %s 已处置：记录保留，不再登记新的变动",
		"the place is outside your area":                                              "该地点不在您的辖区内",
		"an inspection has no cost: record a repair":                                  "巡查没有费用：有费用请登记为维修",
		"the cost cannot be negative":                                                 "费用不能为负数",
		"an upkeep record is an inspection or a repair":                               "管护记录须为巡查或维修",
		"asset %s was not built by a project in onepool: its repair is paid outside the register (record the cost without a payee)": "资产 %s 不是由系统内项目形成的：维修费不能从项目资金支付（请只登记费用，不填收款方）",
		"an inspection is planned every 1 to 60 months, not %d":                                                                     "巡查间隔须为 1 至 60 个月，不能为 %d",
		"a file's content_base64 is its content in base64":                                                                          "文件内容须为 Base64 编码",
		"send a keeper, a plan or a record":                                                                                         "请提交管护责任、管护计划或管护记录",
		"place must be a division code":                                                                                             "地点须为行政区划代码",
	})
	for k, v := range map[string]string{
		"no_workflow":           "此处不能办理资产处置",
		"invalid_disposal":      "处置申请填写有误",
		"minutes_required":      "须附村民代表大会会议纪要",
		"disposal_pending":      "已有处置申请在审批中",
		"unknown_disposal":      "没有这项处置申请",
		"disposal_decided":      "处置申请已办结",
		"no_legs":               "资产没有资金渠道构成",
		"split_mismatch":        "处置收入拆分不符",
		"handover_doc_required": "须有移交文件",
		"no_volume":             "此处不能保存文件",
		"invalid_legs":          "资金渠道填写有误",
		"legs_not_value":        "资金渠道合计与原值不符",
		"asset_disposed":        "资产已处置",
		"invalid_plan":          "管护计划填写有误",
		"invalid_upkeep":        "管护记录填写有误",
		"no_project_to_pay":     "该资产不是由系统内项目形成的",
	} {
		if _, ok := errorCodesZh[k]; !ok {
			errorCodesZh[k] = v
		}
	}
	for k, v := range map[string]string{
		"from_unit": "移交单位", "to_unit": "接收单位", "doc_no": "文号", "day": "日期", "keeper_unit": "管护责任单位", "keeper_person": "管护责任人",
		"every_months": "巡查间隔", "next_due": "下次巡查日期", "cost": "费用", "pay_to": "收款方", "reason": "处置理由", "resolution": "村民代表大会决议",
		"minutes": "会议纪要", "proceeds": "处置收入", "legs": "资金渠道", "use_state": "使用状态", "built_on": "建成日期", "village": "所在村", "note": "说明",
	} {
		if _, ok := fieldsZh[k]; !ok {
			fieldsZh[k] = v
		}
	}
}
