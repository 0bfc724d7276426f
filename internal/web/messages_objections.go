package web

// Labels of public objections with receipts and replies, and of the one
// print frame (pages_objections.go, print.go).
func init() {
	for k, v := range map[string]msg{
		"obj.office.township": {"%s人民政府", "%s township government"},
		"obj.office.rural":    {"%s乡村振兴局", "%s rural revitalization bureau"},
		"obj.office":          {"答复单位", "Answered by"},
		"obj.lookup":          {"异议办理查询", "Follow an objection"},
		"obj.filed":           {"已受理。受理编号：%s（请记下，凭此查询办理结果）", "Received. Receipt number: %s (keep it to follow the answer)"},
		"obj.answered":        {"已答复异议（受理编号 %s）", "Objection answered (receipt %s)"},
		"obj.queue":           {"待答复的异议与举报", "Objections and reports to answer"},
		"obj.receipt":         {"受理编号", "Receipt number"},
		"obj.filed_at":        {"提出时间", "Filed"},
		"obj.due":             {"答复期限", "Answer due"},
		"obj.public_title":    {"异议、举报及答复", "Objections, reports and replies"},
		"obj.text_hidden":     {"（按本县规定，异议内容不公开）", "(by the county's rule, the text is not published)"},
		"obj.reply":           {"答复", "Reply"},
		"obj.waiting":         {"待答复：", "Awaiting the answer of"},
		"obj.none":            {"本公示尚未收到异议或举报。", "No objection or report to this notice yet."},
		"obj.keep_receipt":    {"请记下受理编号：凭编号可随时查询办理状态和答复，他人无法查到您的信息。", "Keep the receipt number: it shows the status and the reply at any time; nobody else sees your details."},
		"obj.find":            {"查询", "Find"},
		"obj.objector":        {"提出人", "Filed by"},
		"obj.anonymous":       {"匿名", "anonymous"},
		"obj.reply_public":    {"答复将公开显示在公示页面上，并可凭受理编号查询；提出人的姓名和联系方式不公开。", "The reply is published beneath the notice and under the receipt number; the objector's name and contact are not."},
		"print.seal":          {"（盖章处）", "(Seal)"},
		"print.date_line":     {"年　　月　　日", "Date: ____ / __ / __"},
		"print.printed":       {"打印日期", "Printed"},
	} {
		messages[k] = v
	}
}
