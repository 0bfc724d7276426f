package web

// Chinese for the refusals of internal/relief (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"household %s has no record for %d":                                "农户 %s 没有 %d 年度的记录",
		"the %s profile has no relief standard for %d":                     "政策方案“%s”没有 %d 年度的救助标准",
		"%s is recorded as deceased: an application names a living member": "%s 已登记为去世：申请须填写在世的家庭成员",
		"cause %q is not one the fund helps with (%s)":                     "致贫原因“%s”不在防返贫基金救助范围内（救助范围：%s）",
		"the household is stably out of poverty (稳定脱贫) in %d":              "该户 %d 年已稳定脱贫，不在救助范围内",
		"the household is %s in %d; the fund helps %s":                     "该户为%[1]s（%[2]d 年）；防返贫基金只救助%[3]s",
		"per-capita net income %s is not below the %d standard %s":         "人均纯收入 %s 元不低于 %d 年度标准 %s 元",
		"no such household":                                           "农户不存在",
		"household %s already applied for %d":                         "农户 %s 已申请过 %d 年度的救助",
		"no application %d":                                           "申请 %d 不存在",
		"the bank account check failed: %s":                           "银行账户核验未通过：%s",
		"per-capita net income %s is no longer below the standard %s": "人均纯收入 %s 元已不再低于标准 %s 元",
		"the top-up changed after the notice (%s yuan now): the notice is withdrawn; post a new notice before the approval": "公示后补差金额发生变化（现为 %s 元）：原公示已撤回，请重新公示后再审批",
		"you last changed household %s or its year: another person must take this step":                                     "农户 %s 或其年度记录由您最后修改：此环节须由另一人办理",
		"start %q is not a date YYYY-MM-DD":                                                      "开始日期 %s 无效，请按 2026-11-22 的格式填写",
		"no approved application is waiting for payment":                                         "没有已审定待发放的申请",
		"the relief fund holds %s yuan; the batch needs %s yuan":                                 "防返贫基金现有 %s 元，本批发放需要 %s 元",
		"payouts are made by the county's rural-revitalization or finance bureau":                "发放由县乡村振兴局或财政局办理",
		"the relief fund cannot pay this batch: a payment may not take the fund below zero (%v)": "防返贫基金不足以发放本批：发放后余额不能为负（%v）",
		"ledger account %s is a %s account, not a household's":                                   "账户 %s 是%s账户，不是农户账户",
		"money into the fund is recorded by the county's finance or rural-revitalization bureau": "基金收入由县财政局或乡村振兴局录入",
		"name the donor":                      "请填写捐赠人",
		"source must be donation or treasury": "来源须为社会捐赠或财政",
	})
}
