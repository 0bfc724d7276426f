package web

// Chinese for the asset register's refusals (issue 14) and its fields.
func init() {
	addErrorFormats(map[string]string{
		"account %s has more than %d transfers": "账户 %s 的划转超过 %d 笔，无法逐笔核对",
		"the asset register is kept by village cadres, township officers or the rural-revitalization bureau": "资产台账由村干部、乡镇干部或乡村振兴局登记",
		"no such asset":                        "没有这项资产",
		"%s is required":                       "请填写%s",
		"%s: at most %d characters":            "%s最多 %d 个字",
		"%s holds an ID, card or phone number": "%s中含有身份证号、银行卡号或电话号码：请不要填在这里",
		"the quantity %q is not a number with at most three decimals":                                                 "数量 %s 不是有效数字（最多三位小数）",
		"the type must be one of %s":                                                                                  "资产类型须为：%s",
		"the category must be one of %s":                                                                              "资产类别须为：%s",
		"an asset is registered at a village of the county":                                                           "资产须登记在本县的某个行政村",
		"the quantity cannot be negative":                                                                             "数量不能为负数",
		"the original value must be more than zero":                                                                   "资产原值须大于零",
		"no such village in your area":                                                                                "您的辖区内没有这个村",
		"name the project that built the asset":                                                                       "请填写形成该资产的项目",
		"project %s is %s: its assets are registered once it is accepted":                                             "项目 %s 目前为“%s”：项目验收后才能登记其形成的资产",
		"the original value %s is more than the project paid and its other assets do not hold: %s":                    "资产原值 %s 元超过了项目已支付且尚未登记为其他资产的金额 %s 元",
		"asset number %s is already registered":                                                                       "资产编号 %s 已被登记",
		"asset %s is %s: its ownership is confirmed once":                                                             "资产 %s 目前为“%s”：权属只确认一次",
		"a household asset is confirmed to a household":                                                               "到户类资产只能确权给农户",
		"an operating or public-welfare asset is confirmed to its village's collective":                               "经营性、公益性资产只能确权给所在村的村集体经济组织",
		"village %s has no village collective economic organization registered: register it among the entities first": "村 %s 尚未登记村集体经济组织：请先在经营主体中登记",
		"the asset is in village %s: it is confirmed to that village's collective, not to %s":                         "资产位于村 %s，只能确权给该村的村集体经济组织，不能确权给“%s”",
		"the asset is in village %s and the household in %s":                                                          "资产位于村 %s，而该户在 %s：到户类资产只能确权给本村农户",
		"each share names a different village of the county":                                                          "每一份额须对应本县不同的行政村",
		"each village's share is more than zero":                                                                      "每个村的份额须大于零",
		"the shares must include the asset's own village %s":                                                          "量化份额须包括资产所在村 %s",
		"the villages' shares add up to %s, not 100%%":                                                                "各村份额合计为 %s，应为 100%%",
	})
	for k, v := range map[string]string{
		"invalid_asset":        "资产信息填写有误",
		"unknown_asset":        "没有这项资产",
		"unknown_asset_place":  "您的辖区内没有这个村",
		"value_exceeds_spent":  "资产原值超过项目已支付的金额",
		"asset_code_taken":     "资产编号已被登记",
		"already_confirmed":    "该资产已确权",
		"owner_kind":           "权属类型不符",
		"no_collective":        "该村尚未登记村集体经济组织",
		"collective_elsewhere": "只能确权给资产所在村的村集体经济组织",
		"household_elsewhere":  "到户类资产只能确权给本村农户",
		"shares_not_whole":     "各村量化份额合计须为 100%",
		"history_too_long":     "账户划转笔数过多，无法逐笔核对",
	} {
		if _, ok := errorCodesZh[k]; !ok {
			errorCodesZh[k] = v
		}
	}
	for k, v := range map[string]string{
		"quantity": "数量", "category": "资产类别", "location": "坐落位置", "unit": "计量单位", "confirm_doc": "确权文件", "owner": "权属主体",
		"owner_kind": "权属类型", "shares": "量化份额",
	} {
		if _, ok := fieldsZh[k]; !ok {
			fieldsZh[k] = v
		}
	}
}
