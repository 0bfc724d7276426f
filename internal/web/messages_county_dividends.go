package web

// The county-wide dividend run's labels (issue 13).
func init() {
	for k, v := range map[string]msg{
		"divcounty.title":                    {"录入年度分红（全县）", "Enter the year's dividends (county-wide)"},
		"divcounty.link":                     {"录入年度分红（全县）", "Enter the year's dividends (county-wide)"},
		"divcounty.help":                     {"一次录入全县（或一个乡镇）所有履行中、该年度分红已缴足且尚未发放的协议；另一人审批后生成到户明细。", "Enters in one go every active agreement of the county (or a township) whose dividend for the year is paid in and not yet run; approved by another person, it writes the households' lines."},
		"divcounty.year":                     {"年度", "Year"},
		"divcounty.whole":                    {"全县", "Whole county"},
		"divcounty.preview":                  {"预览", "Preview"},
		"divcounty.agreements":               {"协议数", "Agreements"},
		"divcounty.households":               {"户数", "Households"},
		"divcounty.enter":                    {"录入全县分红（一人录入，另一人审批）", "Enter the county run (one enters, another approves)"},
		"divcounty.left_out":                 {"未纳入的协议", "Agreements left out"},
		"divcounty.reason":                   {"原因", "Reason"},
		"divcounty.run":                      {"年度分红（全县）", "County dividend run"},
		"divcounty.state":                    {"状态", "State"},
		"done.divcounty":                     {"全县分红已录入，待另一人审批", "The county run is entered, waiting for another person's approval"},
		"divcounty.why.":                     {"—", "—"},
		"divcounty.why.dividend_run_exists":  {"该年度已有分红明细", "Already run for the year"},
		"divcounty.why.dividend_run_pending": {"该年度已有待审批的分红明细", "A run is waiting for approval"},
		"divcounty.why.dividend_not_paid_in": {"经营主体尚未缴足分红", "The operator has not paid it in"},
		"divcounty.why.not_declared":         {"经营收益尚未申报", "Returns not declared"},
		"divcounty.why.nothing_to_pay":       {"没有应分红", "Nothing owed"},
		"divcounty.why.invalid_shares":       {"股份无法分配", "Shares cannot be split"},
		"ins.kind.dividend_county_run":       {"年度分红（全县）", "County dividend run"},
	} {
		messages[k] = v
	}
}
