package web

// Labels of the pickers (pick.go, static/pick.js) and the sentences the
// forms they serve say when a write succeeds.
func init() {
	for k, v := range map[string]msg{
		"pick.payee_hint":     {"输入户主姓名、主体名称或编码", "Head's or entity's name, or code"},
		"pick.household_hint": {"输入户主姓名或户编码", "Head's name or household code"},
		"pick.member_hint":    {"输入成员姓名或序号", "Member's name or number"},
		"pick.project_hint":   {"输入项目名称或编码", "Project name or code"},
		"done.minutes":        {"纪要已记录。", "The minutes are recorded."},
		"done.team":           {"驻村工作队已保存。", "The team is saved."},
		"done.pair":           {"结对帮扶已保存。", "The pairing is saved."},
		"done.relief_inflow":  {"资金已记入防返贫基金。", "The money is recorded in the relief fund."},
		"done.relief_applied": {"已为 %s 提交救助申请。", "The relief application for %s is submitted."},
		"done.relief_notices": {"公示已发布。", "The notices are posted."},
		"done.household":      {"农户 %s 已保存。", "Household %s is saved."},
		"done.year":           {"%d 年度记录已保存。", "The %d record is saved."},
		"done.card":           {"银行卡信息已更正。", "The bank card is corrected."},
		"done.alive":          {"%s 的状态已更新。", "The status of %s is updated."},
		"done.user":           {"用户 %s 已创建。", "User %s is created."},
		"done.user_disabled":  {"用户 %s 已停用。", "User %s is disabled."},
		"done.user_enabled":   {"用户 %s 已启用。", "User %s is enabled."},
		"done.password_reset": {"用户 %s 的密码已重置。", "The password of %s is reset."},
		"done.password":       {"密码已修改。", "Your password is changed."},
		"done.policy":         {"政策口径已保存。", "The policy profile is saved."},
	} {
		messages[k] = v
	}
}
