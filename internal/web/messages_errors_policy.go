package web

// Chinese for the refusals of internal/policy (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"county %s has not chosen a policy profile yet":                        "县(区) %s 尚未选择政策方案",
		"no policy profile %q (built in: %s)":                                  "没有政策方案 %s（内置方案：%s）",
		"%s.level: %q must be village, township or county":                     "%s 的层级 %s 须为村、乡镇或县(区)",
		"%s.name: must not be empty":                                           "%s 的名称不能为空",
		"%s.role: %q is not a role":                                            "%s 的角色 %s 不是有效的角色",
		"%s.sla_days: must not be negative":                                    "%s 的办理时限不能为负数",
		"%s: %q is not a percentage like \"60%%\" or \"12.5%%\"":               "%s：%s 不是有效的百分比（如 60%% 或 12.5%%）",
		"%s: %q is not an amount in yuan (at most two decimals, not negative)": "%s：%s 不是有效的元金额（不能为负数，最多两位小数）",
		"%s: %s": "%s：%s",
		"%s: a percentage like \"60%%\" is required": "%s：请填写百分比，如 60%%",
		"%s: an amount in yuan is required":          "%s：请填写以元为单位的金额",
		"%s: at least one step is required":          "%s：至少须有一个环节",
		"%s: unknown key %s":                         "%s：不认识的配置项 %s",
		"%v":                                         "%v",
		"missing key %s":                             "缺少配置项 %s",
		"overrides: %v":                              "调整项有误：%v",
		"profile %s: %v":                             "政策方案 %s：%v",
	})
}
