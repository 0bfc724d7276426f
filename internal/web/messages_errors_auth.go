package web

// Chinese for the refusals of internal/auth (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"not found":                           "未找到该记录",
		"please sign in":                      "请先登录",
		"your role (%s) may not do this (%s)": "您的角色（%s）无权进行此操作（%s）",
		"you created or last changed this item, so someone else must approve it":   "此事项由您提交或最后修改，须由另一人审批",
		"a code you create begins with %s, the division code of your area":         "您新建的代码须以本辖区的区划代码 %s 开头",
		"a code that begins with a division code begins with its own place's (%s)": "以区划代码开头的代码，须以其所在地的区划代码（%s）开头",
		"the file has no places":          "文件中没有任何地区",
		"row %d: code %s repeats row %d":  "第 %d 行：代码 %s 与第 %d 行重复",
		"row %d: %s is outside county %s": "第 %d 行：%s 不在本县（%s）范围内",
		"row %d: %s needs a parent":       "第 %d 行：%s 缺少上级地区",
		"%s":                              "%s",
		"the places must form one tree under the county %s (include a row for the county itself)": "各地区须逐级归属于本县 %s（请包含本县自身一行）",
		"row %d: %s": "第 %d 行：%s",
		"wrong username or password (after repeated failures an account is locked for a while)": "用户名或密码错误（多次输错后账号将暂时锁定）",
		"too many failed sign-ins from this address; wait a few minutes":                        "此地址登录失败次数过多，请等几分钟再试",
		"this account is disabled":                                                "该账号已停用",
		"your session has ended; please sign in again":                            "登录已过期，请重新登录",
		"label must be 1–80 characters":                                           "标签须为 1 至 80 个字",
		"a token is valid for 1–%d days":                                          "令牌有效期须为 1 至 %d 天",
		"user %s is disabled":                                                     "用户 %s 已停用",
		"user %s has no token %d":                                                 "用户 %s 没有编号为 %d 的令牌",
		"token %d of %s is already revoked":                                       "令牌 %d（用户 %s）已经吊销",
		"a valid API token is required (Authorization: Bearer …)":                 "须提供有效的接口令牌",
		"this API token has expired; issue a new one under Settings → API tokens": "此接口令牌已过期，请在“系统 → 接口令牌”中重新签发",
		"this API token was revoked; issue a new one under Settings → API tokens": "此接口令牌已吊销，请在“系统 → 接口令牌”中重新签发",
		"password must be at least %d characters":                                 "密码至少须 %d 个字符",
		"password must be at most 256 bytes":                                      "密码过长，最多 256 字节",
		"username must be 2–40 characters":                                        "用户名须为 2 至 40 个字符",
		"username may contain only a–z, 0–9, '.', '-' and '_'":                    "用户名只能由小写字母、数字、点、减号和下划线组成",
		"display name must be 1–40 characters":                                    "姓名须为 1 至 40 个字",
		"unknown role %q":                                                         "没有这个角色：%s",
		"place must be a county, township or village code":                        "所在地须为县(区)、乡镇或村的区划代码",
		"username %q is taken":                                                    "用户名 %s 已被使用",
		"place %s is not in the county's place tree":                              "地区 %s 不在本县的地区列表中",
		"you cannot disable your own account":                                     "不能停用自己的账号",
	})
}
