package web

// Labels of interest-linkage tracking (利益联结, M-23), the principal
// returns of equity agreements (M-32) and the subsidy batches' list.
func init() {
	for k, v := range map[string]msg{
		"linkage.title":             {"利益联结增收", "Interest linkage"},
		"linkage.report":            {"利益联结报表", "Linkage report"},
		"linkage.entity":            {"经营主体", "Entity"},
		"linkage.threshold":         {"达标线（元/户·年）", "Threshold (yuan a household a year)"},
		"linkage.threshold_note":    {"带动户年增收达到达标线即计为达标；只统计当年联结有效的农户，且仅限您的辖区。", "A household reached the threshold when its yearly income effect is at least the threshold; only households whose link was live that year, in your area, are counted."},
		"linkage.households":        {"带动户数", "Households driven"},
		"linkage.reached":           {"达标户数", "Reached the threshold"},
		"linkage.total":             {"增收合计（元）", "Total effect (yuan)"},
		"linkage.average":           {"户均增收（元）", "Average effect (yuan)"},
		"linkage.entities":          {"主体数", "Entities"},
		"linkage.total_row":         {"合计（%d 个主体）", "Total (%d entities)"},
		"linkage.by_entity":         {"按经营主体", "By entity"},
		"linkage.by_township":       {"按乡镇（农户所在乡镇）", "By township (the households')"},
		"linkage.area_total":        {"辖区合计", "Total in your area"},
		"linkage.none":              {"该年度没有联结有效的带动农户。", "No household was driven by a live link that year."},
		"linkage.import":            {"导入增收数据", "Import income effects"},
		"linkage.import_note":       {"每行一户一年：统一社会信用代码、户编号、年度、年增收（元）。任何一行有误则全部不导入，并列出每行的错误。", "One household and year a row: USCC, household, year, income effect (yuan). Any bad row and nothing is imported; every row's errors are listed."},
		"linkage.template":          {"下载导入模板", "Download the template"},
		"linkage.show":              {"查看", "Show"},
		"linkage.households_of":     {"带动农户", "Households driven"},
		"linkage.not_recorded":      {"未填报", "not recorded"},
		"linkage.yes":               {"达标", "reached"},
		"linkage.no":                {"未达标", "below"},
		"linkage.all_townships":     {"全部乡镇", "All townships"},
		"entities.ended":            {"结束", "Ended"},
		"entities.live":             {"有效", "live"},
		"entities.end_link":         {"结束联结", "End the link"},
		"entities.end_reason":       {"结束原因", "Reason"},
		"entities.returned":         {"退回的股权本金", "Principal returned"},
		"entities.returned_note":    {"股权分红协议终止后，经营主体按原资金渠道退回村集体的本金。", "What operators returned to the collective when equity agreements were terminated, on the money's channels."},
		"done.link_ended":           {"已结束农户 %s 的联结", "The link of household %s ended"},
		"done.principal_return":     {"本金退回指令已提交，待另一人审批", "The principal return is entered: another person approves it"},
		"principal.title":           {"本金退回村集体", "Principal returned to the village collective"},
		"principal.hint":            {"协议已终止：经营主体按投入时的资金渠道把本金退回村集体账户，由另一人审批后记账。", "The agreement is terminated: the operator returns the principal to the village collective's account on its channels, posted once another person approves."},
		"principal.enter":           {"提交本金退回", "Enter the principal return"},
		"principal.instruction":     {"资金指令", "Money instruction"},
		"principal.from_to":         {"由 → 至", "From → to"},
		"principal.state":           {"状态", "State"},
		"principal.transfer":        {"记账流水", "Ledger transfer"},
		"principal.none":            {"尚未提交本金退回。", "No principal return entered yet."},
		"subsidy.batches":           {"直补代发批次", "Subsidy payout batches"},
		"subsidy.no_batches":        {"还没有直补代发批次。", "No subsidy payout batch yet."},
		"tkind.principal_return":    {"股权本金退回", "Principal return"},
		"ins.kind.principal_return": {"股权本金退回", "Principal return"},
		"excel.linkage.uscc":        {"经营主体的统一社会信用代码（须已登记）", "The entity's unified social credit code (registered)"},
		"excel.linkage.household":   {"农户的户编号（须与该主体在该年度有有效联结）", "The household's code (linked to the entity, live that year)"},
		"excel.linkage.year":        {"年度，如 2025", "The year, e.g. 2025"},
		"excel.linkage.income":      {"该户当年因该主体增收的金额（元）", "The household's income effect from the entity that year (yuan)"},
		"excel.linkage.note":        {"同一主体、农户和年度再次导入则更正为新金额。", "The same entity, household and year imported again corrects the amount."},
	} {
		messages[k] = v
	}
}

func init() {
	for k, v := range map[string]msg{
		"principal.state.pending":  {"待审批", "awaiting approval"},
		"principal.state.posted":   {"已退回", "returned"},
		"principal.state.rejected": {"已驳回", "rejected"},
	} {
		messages[k] = v
	}
}
