package web

// Labels of the county's settings (系统 → 设置).
func init() {
	for k, v := range map[string]msg{
		"settings.title":           {"设置", "Settings"},
		"settings.public_url":      {"公开访问地址", "Public address"},
		"settings.public_url_hint": {"群众从村务公开栏扫码或输入网址时访问的地址（外网或政务网），用于打印公示上的网址和二维码；不填则用工作人员当前访问的地址。", "The address villagers reach the public portal at (internet or government network), printed with a QR code on notices; empty: the address the clerk is using."},
		"settings.example":         {"打印公示上的网址示例：", "A printed notice's address:"},
		"settings.save":            {"保存", "Save"},
		"settings.saved":           {"已保存。", "Saved."},
		"registry.died_on":         {"死亡日期", "Date of death"},
		"registry.confirm_death":   {"确认已去世", "Confirm the death"},
		"settings.unset":           {"未设置（使用当前访问地址）", "Not set (the address in use)"},
	} {
		messages[k] = v
	}
}

func init() {
	for k, v := range map[string]msg{
		"relief.filter_village": {"村（区划代码）", "Village (division code)"},
		"done.saved":            {"已保存。", "Saved."},
		"done.instruction":      {"已提交资金审批：另一人审核同意后才记账。", "Entered for approval: it posts when another person approves it."},
		"done.approved":         {"已审批。", "Approved."},
		"done.posted":           {"已审批并记账。", "Approved and posted."},
		"done.rejected":         {"已退回，不予记账。", "Rejected: nothing was posted."},
		"done.arrival":          {"资金到位已记录。", "The arrival is recorded."},
		"done.integration":      {"已整合入资金池。", "Integrated into the pool."},
		"done.imported":         {"文件已导入。", "The file is imported."},
	} {
		messages[k] = v
	}
}
