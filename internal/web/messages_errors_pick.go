package web

// Chinese for the refusals of the pickers (pick.go).

func init() {
	addErrorFormats(map[string]string{
		"kind must be household, member, payee, entity, household_account, account, project or channel": "查找类型须为农户、家庭成员、收款方、经营主体、农户账户、账户、项目或资金渠道",
		"the search is at most %d characters": "搜索内容最多 %d 个字",
	})
}
