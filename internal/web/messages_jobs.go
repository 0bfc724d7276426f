package web

// Labels of the job page (long work: imports).
func init() {
	for k, v := range map[string]msg{
		"job.title":                    {"后台任务", "Job"},
		"job.kind.registry.households": {"农户信息导入", "Household import"},
		"job.kind.registry.years":      {"年度信息导入", "Year records import"},
		"job.state":                    {"状态", "State"},
		"job.state.queued":             {"排队中", "Queued"},
		"job.state.running":            {"进行中", "Running"},
		"job.state.done":               {"已完成", "Done"},
		"job.state.failed":             {"未完成", "Failed"},
		"job.started_by":               {"发起人", "Started by"},
		"job.created":                  {"发起时间", "Started at"},
		"job.finished":                 {"结束时间", "Ended at"},
		"job.step.check":               {"正在检查文件", "Checking the file"},
		"job.step.write":               {"正在写入", "Writing"},
		"job.rows":                     {"行", "rows"},
		"job.left_seconds":             {"预计还需 %d 秒", "about %d s left"},
		"job.left_minutes":             {"预计还需 %d 分钟", "about %d min left"},
		"job.leave_hint":               {"可以离开本页，任务会在后台继续；稍后从本页地址查看结果。", "You may leave this page: the job goes on, and this page shows its result later."},
		"job.refresh":                  {"刷新", "Refresh"},
		"job.done":                     {"任务已完成。", "The job is done. "},
		"job.imported":                 {"导入户数/记录数：", "Imported:"},
		"job.failed":                   {"任务未完成：", "The job failed: "},
		"job.row_errors":               {"有误的行", "Rows in error"},
		"job.row":                      {"行号", "Row"},
		"job.why":                      {"问题", "Problem"},
		"job.more":                     {"……另有 %d 处错误未列出", "… and %d more not listed"},
		"job.back":                     {"返回发起页面", "Back to where it began"},
		"job.started":                  {"导入已在后台开始，本页显示进度。", "The import started in the background; this page shows its progress."},
		"job.reason.interrupted":       {"服务器在任务进行中停止，没有写入任何数据，请重新导入", "the server stopped while the job ran; nothing was written: start it again"},
		"job.reason.other":             {"任务出错，没有写入任何数据", "the job stopped on an error; nothing was written"},
	} {
		messages[k] = v
	}
}
