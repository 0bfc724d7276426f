package web

// Chinese for the refusals of the pickers (pick.go).

func init() {
	addErrorFormats(map[string]string{
		"kind must be household, member, payee, entity, household_account, account, project, channel or registered_entity": "查找类型须为农户、家庭成员、收款方、经营主体账户、农户账户、账户、项目、资金渠道或已登记的经营主体",
		"the search is at most %d characters": "搜索内容最多 %d 个字",
	})
}
