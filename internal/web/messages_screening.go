package web

// Labels of the county-wide relief screening as a job.
func init() {
	for k, v := range map[string]msg{
		"job.kind.relief.screening": {"防返贫全县筛查", "County-wide relief screening"},
		"job.step.screen":           {"正在逐户筛查", "Screening the households"},
		"job.households":            {"户", "households"},
		"job.started_screening":     {"全县筛查已在后台开始，本页显示进度。", "The screening started in the background; this page shows its progress."},
		"job.screened":              {"筛查结果：", "Result: "},
		"relief.screening_running":  {"全县筛查正在进行，", "The county-wide screening is running: "},
		"relief.screening_progress": {"查看进度", "see its progress"},
		"relief.screening_of":       {"全县筛查（后台任务 #%d，%d 年）", "County-wide screening (job #%d, %d)"},
	} {
		messages[k] = v
	}
	addErrorFormats(map[string]string{
		"the county-wide screening is done at the county": "全县筛查由县级用户发起",
	})
}
