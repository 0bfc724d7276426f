package web

// Chinese for the refusals of internal/entities (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"entities are registered by village cadres, township officers or the rural-revitalization bureau": "经营主体由村干部、乡镇干部或乡村振兴局登记",
		"the row could not be checked":                                          "该行无法核对，请检查各列内容",
		"the unified social credit code is required":                            "请填写统一社会信用代码",
		"the unified social credit code is not valid: %s":                       "统一社会信用代码无效，请核对位数和校验位%.0s",
		"the kind must be one of %s":                                            "主体类型须为以下之一：%s",
		"%q is not a place of county %s":                                        "%s 不是本县（%s）的区划代码",
		"a village collective economic organization belongs to a village":       "村集体经济组织的所在地须为村",
		"place %s is outside your area":                                         "地点 %s 不在您的辖区内",
		"the bank account number is 8–32 digits":                                "银行账号须为 8 至 32 位数字",
		"name the holder of the bank account":                                   "请填写银行账户的开户名",
		"name the bank of the account":                                          "请填写银行账户的开户银行",
		"no such entity":                                                        "没有这个经营主体",
		"the unified social credit code %s is already registered in the county": "统一社会信用代码 %s 在本县已经登记",
		"account %s exists with another kind or place":                          "台账账户 %s 已存在，但类型或地点不同",
		"account %s is of kind %s; this entity needs one of kind %s":            "台账账户 %s 的类型为 %s，本主体须使用 %s 类账户",
		"account %s is at place %s, the entity at %s":                           "台账账户 %s 属于 %s，而本主体在 %s",
		"account %s is already the account of entity %s":                        "台账账户 %s 已是经营主体 %s 的账户",
		"an entity's place is its ledger account's and does not change":         "经营主体的所在地与其台账账户一致，不能修改",
		"a village collective stays a village collective, and another entity does not become one (their ledger accounts differ)": "村集体经济组织与其他类型的主体不能互相改换（台账账户类型不同）",
		"give the bank account number":                                  "请填写银行账号",
		"field must be bank_account or rep_id":                          "只能查看银行账号或法定代表人身份证号",
		"the entity has no %s on record":                                "该主体未登记%s",
		"the township is outside your area":                             "该乡镇不在您的辖区内",
		"the same ledger account as row %d":                             "与第 %d 行使用同一个台账账户",
		"%q is not a kind of entity (%s)":                               "%s 不是有效的主体类型（可选：%s）",
		"the same unified social credit code as row %d":                 "与第 %d 行的统一社会信用代码相同",
		"household %s is already linked to this entity by %s":           "农户 %s 已以 %s 方式与本主体联结",
		"household %s is not linked to this entity: add the link first": "农户 %s 尚未与本主体联结：请先添加带动农户",
		"the link type must be one of %s":                               "联结方式须为以下之一：%s",
		"give the date the link began (YYYY-MM-DD, not in the future)":  "请填写联结起始日期（年-月-日，不晚于今天）",
		"the year must be a year like 2026, not in the future":          "年度须为如 2026 的年份，且不晚于今年",
		"the income effect must not be negative":                        "年增收不能为负数",
		"township must be a division code":                              "乡镇须为区划代码",
	})
	for k, v := range map[string]string{
		"invalid_entity":       "经营主体信息有误",
		"invalid_uscc":         "统一社会信用代码无效",
		"outside_area":         "不在您的辖区内",
		"invalid_bank_account": "银行账户信息有误",
		"unknown_entity":       "没有这个经营主体",
		"entity_exists":        "该经营主体已经登记",
		"account_linked":       "该台账账户已属于其他经营主体",
		"place_fixed":          "所在地不能修改",
		"kind_fixed":           "主体类型不能这样修改",
		"no_value":             "未登记该信息",
		"invalid_link":         "带动农户信息有误",
		"link_exists":          "该农户已以此方式联结",
		"not_linked":           "该农户尚未与本主体联结",
	} {
		errorCodesZh[k] = v
	}
}
