package web

// The county-wide dividend run's refusals in Chinese (issue 13).
func init() {
	addErrorFormats(map[string]string{
		"the year is a calendar year such as 2026":                                                         "年度为公历年份，例如 2026",
		"%q is not a township's 12-digit code":                                                             "%q 不是乡镇的 12 位区划代码",
		"no active agreement's %d dividend is paid in and not yet run (%d left out)":                       "没有 %d 年度已缴足且尚未分红的履行中协议（未纳入 %d 份）",
		"agreement %d's year-%d dividend can no longer be run as entered (%s): enter the county run again": "协议 %d 第 %d 年的分红已不能按录入时发放（%s），请重新录入全县分红",
	})
	errorCodesZh["nothing_to_run"] = "没有可纳入的协议"
	errorCodesZh["invalid_year"] = "年度无效"
}
