package web

// Labels of the big exports that run as a job.
func init() {
	for k, v := range map[string]msg{
		"job.kind.export.households": {"农户台账导出", "Households export"},
		"job.kind.export.transfers":  {"资金流水导出", "Transfers export"},
		"job.kind.export.recipients": {"渠道资金去向导出", "Channel recipients export"},
		"job.step.export":            {"正在生成 Excel 文件", "Writing the xlsx file"},
		"export.job_title":           {"导出 Excel（后台任务）", "Export xlsx (as a job)"},
		"export.job_big":             {"本次导出共 %d 行，超过 %d 行，将作为后台任务生成文件；生成期间可以离开本页，完成后在任务页面下载。", "This export has %d rows, more than %d: the file is made by a job; you may leave meanwhile and download it from the job's page when it is done."},
		"export.job_start":           {"开始导出", "Start the export"},
		"export.job_started":         {"导出已在后台开始，本页显示进度。", "The export started in the background; this page shows its progress."},
		"export.job_rows":            {"导出行数：", "Rows exported: "},
		"export.download":            {"下载 Excel 文件", "Download the xlsx file"},
		"export.kept":                {"文件保留一天，之后请重新导出。", "The file is kept for a day; export again after that."},
		"export.no_filter":           {"（全部）", " (all)"},
		"export.total_row":           {"合计（%d 笔）", "Total (%d transfers)"},
		"export.from":                {"付款方", "From"},
		"export.to":                  {"收款方", "To"},
		"export.memo":                {"摘要", "Memo"},
		"export.threshold_note":      {"超过 %d 行的导出作为后台任务进行。", "Exports over %d rows run as a job."},
	} {
		messages[k] = v
	}
}
