package web

// Chinese for the refusals of internal/policy (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"county %s has not chosen a policy profile yet": "县(区) %s 尚未选择政策方案",
		"no policy profile %q (built in: %s)":           "没有政策方案 %s（内置方案：%s）",
	})
}
