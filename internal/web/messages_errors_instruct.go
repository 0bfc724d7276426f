package web

// Chinese for the refusals of internal/instruct (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"an idempotency key of 1–200 characters is required": "缺少业务编号（须为 1 至 200 个字符），请刷新页面后重新提交",
		"no capability posts money of kind %q":               "没有哪项业务办理“%s”类资金",
		"key %q was used for another %s instruction (%d)":    "业务编号 %s 已用于另一条“%s”指令（%d），请勿重复使用",
		"an instruction is approved or rejected":             "指令只能批准或退回",
		"instruction %d is %s":                               "指令 %d 目前为“%s”，不能再处理",
		"no executor for %s":                                 "系统内部错误：没有办理“%s”的程序",
		"no such instruction":                                "指令不存在",
	})
}
