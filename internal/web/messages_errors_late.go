package web

// Chinese for the refusals written while the catalogue was being filled
// (the settings, corrections, lists, imports and templates of this
// session; see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"the public address must be like https://xczx.example.gov.cn (http or https, a host name, nothing after it but a path)": "公开访问地址应形如 https://xczx.example.gov.cn（以 http 或 https 开头，后面是域名，可带路径，不带参数）",
		"only the county administrator changes the county's settings":                                                           "只有县级管理员可以修改本县设置",
		"channel %s is on row %d too": "渠道 %s 在第 %d 行也出现了",
		"key %s is on row %d too":     "编号 %s 在第 %d 行也出现了",
		"%q is not a positive amount in yuan with at most two decimals (write it as %s)": "%s 不是大于零、最多两位小数的金额（可写作 %s）",
		"say why the transfer is reversed":                                               "请填写冲销原因",
		"transfer %d is a %s, not an arrival, integration or allocation of the funds":    "第 %d 笔是%s，不是资金到位、整合或安排，不能在此冲销",
		"%q is not an amount in yuan with at most two decimals (write it as %s)":         "%s 不是最多两位小数的金额（可写作 %s）",
		"%q is not a date (write it as %s)":                                              "%s 不是有效日期（可写作 %s）",
		"no template %q: channels, plans, arrivals or minutes":                           "没有模板 %s：可选资金渠道、计划、资金到位或纪要",
		"no such kind of transfer":                                                       "没有这种资金划转类型",
		"the document number is at most 50 characters":                                   "文号最多 50 个字",
		"no such channel":                  "资金渠道不存在",
		"%s must be a date YYYY-MM-DD":     "%s须按 2026-11-22 的格式填写日期",
		"no such transfer":                 "资金划转记录不存在",
		"year must be a year such as 2026": "年度须为如 2026 的年份",
		"no such status":                   "没有这个状态",
		"give the date of death (YYYY-MM-DD, not in the future)": "请填写死亡日期（如 2026-11-20，不能晚于今天）",
		"tick the box to confirm that %s has died":               "请勾选确认 %s 已去世",
		"the search is at most 50 characters":                    "搜索内容最多 50 个字",
		"village must be a 12-digit division code":               "村须为 12 位行政区划代码",
		"page must be a positive whole number":                   "页码须为正整数",
		"offset must be a non-negative whole number":             "起始位置须为非负整数",
		"limit must be 1–%d":                                     "每页条数须为 1 至 %d",
	})
	for k, v := range map[string]string{
		"invalid_url":      "地址格式有误",
		"unknown_template": "没有这个导入模板",
		"confirm_required": "请勾选确认",
	} {
		errorCodesZh[k] = v
	}
}
