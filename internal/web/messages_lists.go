package web

// Labels of the lists (pager, search, filters) and the queue's "waiting
// for others".
func init() {
	for k, v := range map[string]msg{
		"queue.waiting":       {"等待他人处理", "Waiting for others"},
		"queue.who":           {"待谁处理", "Who must act"},
		"list.search":         {"搜索", "Search"},
		"list.filter":         {"筛选", "Filter"},
		"list.clear":          {"清除条件", "Clear"},
		"list.total":          {"共 %d 条", "%d in all"},
		"registry.leads_more": {"显示前 %d 条线索，共 %d 条（未处理的在前）", "the first %d of %d leads (open ones first)"},
		"registry.count_more": {"超过 %d 户", "more than %d households"},
		"list.total_more":     {"超过 %d 条（请用筛选缩小范围）", "more than %d (narrow the list with the filters)"},
		"list.page":           {"第 %d / %d 页", "Page %d of %d"},
		"list.prev":           {"上一页", "Previous"},
		"list.next":           {"下一页", "Next"},
		"list.first":          {"首页", "First"},
		"list.last":           {"末页", "Last"},
		"list.all":            {"全部", "All"},
		"list.from":           {"起始日期", "From"},
		"list.to":             {"截止日期", "To"},
		"list.q_household":    {"户主姓名或户编码", "Head's name or household code"},
		"list.q_doc":          {"文号", "Document no."},
		"list.status_year":    {"年度", "Year"},
		"list.status":         {"状态", "Status"},
		"list.village":        {"村", "Village"},
		"list.kind":           {"类型", "Kind"},
		"list.channel":        {"资金渠道", "Channel"},
		"list.action":         {"操作", "Action"},
		"list.actor":          {"操作人", "Actor"},
	} {
		messages[k] = v
	}
}
