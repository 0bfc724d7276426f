package web

// Labels of API tokens, rate limits and sign-in edges.
func init() {
	for k, v := range map[string]msg{
		"tokens.lifetime":        {"令牌默认 90 天后失效（可设 1–365 天）；修改或重置密码、账号停用时，该用户的全部令牌立即作废。", "A token expires after 90 days by default (1–365 days); changing or resetting the password, or disabling the account, revokes all of the user's tokens at once."},
		"tokens.days":            {"有效天数", "Valid for (days)"},
		"tokens.mine":            {"我的令牌", "My tokens"},
		"tokens.others":          {"本辖区其他用户的令牌", "Tokens of other users in my place"},
		"tokens.created":         {"创建时间", "Created"},
		"tokens.last_used":       {"最近使用", "Last used"},
		"tokens.expires":         {"到期时间", "Expires"},
		"tokens.never":           {"从未使用", "never"},
		"tokens.none":            {"暂无令牌。", "No tokens."},
		"tokens.revoke":          {"作废", "Revoke"},
		"tokens.revoked_done":    {"令牌已作废。", "The token is revoked."},
		"tokens.not_found":       {"没有这个令牌。", "No such token."},
		"tokens.state.active":    {"有效", "active"},
		"tokens.state.expired":   {"已过期", "expired"},
		"tokens.state.revoked":   {"已作废", "revoked"},
		"tokens.reason.owner":    {"本人作废", "by its owner"},
		"tokens.reason.admin":    {"管理员作废", "by an administrator"},
		"tokens.reason.password": {"密码已修改", "password changed"},
		"tokens.reason.disabled": {"账号已停用", "account disabled"},
		"ratelimit.wait":         {"请求过于频繁，请 %d 秒后再试。", "Too many requests; try again in %d s."},
		"ratelimit.login":        {"登录尝试过于频繁，请 %d 秒后再试。", "Too many sign-in attempts; try again in %d s."},
		"login.err.too_many":     {"登录尝试过于频繁，请稍后再试。", "Too many sign-in attempts; try again later."},
	} {
		messages[k] = v
	}
	funcs["tokenTable"] = func(v tokensView, id string, rows []tokenRow, users bool) map[string]any {
		return map[string]any{"Page": v.Page, "ID": id, "Rows": rows, "Users": users}
	}
}
