package web

// Labels of the money-flow diagram's drill-down and of a channel's
// recipients table.
func init() {
	for k, v := range map[string]msg{
		"unit.wan":                {"%s万元", "%s ×10k yuan"},
		"unit.yuan":               {"%s元", "%s yuan"},
		"recipients.title":        {"到户到主体明细", "Households and entities paid"},
		"recipients.link":         {"到户到主体明细（逐户金额）→", "Each household's and entity's amount →"},
		"recipients.trace":        {"← 资金流向图", "← Money-flow diagram"},
		"recipients.note":         {"每户（每个经营主体）从此渠道收到的资金、转出或退回的资金和现有余额。", "What each household (and entity) received of this channel, what it passed on or returned, and what it holds now."},
		"recipients.received":     {"收到（元）", "Received (yuan)"},
		"recipients.paid_out":     {"转出（元）", "Passed on (yuan)"},
		"recipients.holds":        {"现有（元）", "Holds (yuan)"},
		"recipients.none":         {"此渠道在所选地区没有到户或到主体的资金。", "No money of this channel reached a household or entity here."},
		"recipients.export":       {"导出 Excel", "Export to Excel"},
		"recipients.export_title": {"%s（%s）到户到主体明细 · %s", "%s (%s): households and entities paid · %s"},
		"recipients.total_row":    {"合计 %d 户（个）", "Total: %d"},
		"recipients.place":        {"地区（乡镇/村）", "Place (township/village)"},
		"trace.within":            {"范围", "Within"},
		"trace.from_account":      {"自", "From"},
		"trace.whole":             {"← 整个流向图", "← The whole diagram"},
		"trace.drill_note":        {"点击乡镇、村、项目或合并的农户，查看其下一级流向。", "Click a township, village, project or group of households to open its own diagram."},
	} {
		messages[k] = v
	}
}
