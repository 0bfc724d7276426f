package web

// Refusals of the jobs mechanism, in Chinese.
func init() {
	addErrorFormats(map[string]string{
		"no kind of job %q":                    "没有这种后台任务：%s",
		"sign in to start a job":               "请先登录再发起任务",
		"no such job":                          "没有这个任务",
		"the job stopped on an internal error": "任务因系统内部错误停止",
	})
	errorCodesZh["unknown_job_kind"] = "没有这种后台任务"
}
