package web

// Refusals of the big exports, in Chinese.
func init() {
	addErrorFormats(map[string]string{
		"no list %q to export: households, transfers or recipients":         "没有可导出的列表：%s（可选：households、transfers、recipients）",
		"the filters are not a query string":                                "筛选条件格式不正确",
		"the job has no file to download (export files are kept for a day)": "该任务没有可下载的文件（导出文件只保留一天）",
	})
	errorCodesZh["unknown_export"] = "没有这个可导出的列表"
	errorCodesZh["export_gone"] = "导出文件已不存在"
}
