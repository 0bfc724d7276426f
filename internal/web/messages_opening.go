package web

// Labels of the opening import (期初导入) of a county adopting onepool
// mid-year.
func init() {
	for k, v := range map[string]msg{
		"opening.title":          {"期初导入", "Opening balances"},
		"opening.intro":          {"年中启用本系统的县，把启用前各账户已有的资金（渠道资金账户、资金池、项目、农户、经营主体等，按渠道分列）作为一套期初余额导入：一个文号、一个凭证日期；经另一人审批同意后一次记账。每个县只能有一套已记账的期初余额。", "A county that starts using onepool mid-year enters what each account already holds (channel accounts, the pool, projects, households, entities…, per channel) as one opening set: one 文号, one document date; it posts at once when another person approves it. A county has one posted opening set."},
		"opening.sets":           {"期初余额", "Opening sets"},
		"opening.none":           {"尚未导入期初余额。", "No opening set has been entered."},
		"opening.instruction":    {"审批指令", "Instruction"},
		"opening.doc_no":         {"文号", "Document number (文号)"},
		"opening.rows":           {"行数", "Rows"},
		"opening.total":          {"合计金额", "Total"},
		"opening.state":          {"状态", "State"},
		"opening.state.pending":  {"待审批", "Waiting for approval"},
		"opening.state.posted":   {"已记账", "Posted"},
		"opening.state.rejected": {"已退回不予记账", "Rejected"},
		"opening.maker":          {"经办人", "Entered by"},
		"opening.import":         {"导入期初余额", "Import the opening balances"},
		"opening.hint":           {"文件每行一个账户在一个渠道上的余额：账户代码、渠道代码、金额（元，可写 12万元、1,200.00）。任何一行有错则整个文件不导入，所有错误一次列出。", "One row per account and channel: account code, channel code, amount (yuan; 12万元, 1,200.00 are accepted). If any row is wrong nothing is imported, and every error is listed at once."},
		"opening.file":           {"期初余额文件（xlsx 或 CSV）", "Opening file (xlsx or CSV)"},
		"opening.submit":         {"提交审批", "Enter for approval"},
		"opening.entered":        {"期初余额已提交审批（指令 %d）：另一人审核同意后才记账。", "The opening set was entered for approval (instruction %d): it posts when another person approves it."},
		"opening.example_name":   {"示例：渠道资金账户", "Example: the channel's account"},
		"opening.note.account":   {"账户代码：ch:渠道代码（渠道资金账户）、pool（资金池）、prj:项目代码、hh:农户代码、ent:经营主体代码、col:村集体代码等，须是本县已开立的账户。", "The account's code: ch:CHANNEL (a channel's account), pool, prj:PROJECT, hh:HOUSEHOLD, ent:ENTITY, col:COLLECTIVE…, an account the county has opened."},
		"opening.note.channel":   {"已登记的资金渠道代码；同一账户在同一渠道只能有一行。", "A registered channel's code; one row per account and channel."},
		"opening.note.amount":    {"启用时该账户在该渠道上的余额，元，必须大于零。", "What the account holds on the channel when the county starts, in yuan, greater than zero."},
		"opening.note.name":      {"账户名称，仅供核对，不导入。", "The account's name, for checking only; not imported."},
		"opening.note.set":       {"整套期初余额共用页面上填写的文号和凭证日期；文件最多 500,000 行。", "The whole set shares the 文号 and the document date typed on the page; at most 500,000 rows."},
		"opening.note.approval":  {"提交后由另一人审批（金额较大时还需第二位审批人），同意后从“期初结存”账户一次记入各账户；退回则不记账，可以重新提交。", "Another person approves it (a second one above the threshold); it then posts at once from the opening account to every account. A rejected set posts nothing and may be entered again."},
		"ins.kind.opening":       {"期初余额（年中启用）", "Opening balances (adopting mid-year)"},
		"tkind.opening":          {"期初余额", "Opening balance"},
	} {
		messages[k] = v
	}
}
