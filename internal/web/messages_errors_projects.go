package web

// Chinese for the refusals of internal/projects (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"status %q cannot be set by hand":                                                               "“%s”状态不能手工设定",
		"at most 2000 characters":                                                                       "最多 2000 字",
		"say which assets were handed over to whom (资产移交)":                                              "请说明哪些资产移交给了谁（资产移交）",
		"your role (%s) may not mark a project %s":                                                      "您的角色（%s）不能将项目标记为“%s”",
		"project %s is %s; it becomes %s only from %s":                                                  "项目 %s 目前为“%s”；只有处于“%[4]s”状态时才能变为“%[3]s”",
		"project %s is frozen while it is audited: %s":                                                  "项目 %s 正在审计，已冻结：%s",
		"acceptance (验收) is organised by the county":                                                    "验收由县级组织",
		"your role (%s) does not supervise projects":                                                    "您的角色（%s）不负责项目监督",
		"project %s is %s: performance is tracked once it is approved":                                  "项目 %s 目前为“%s”：批复后才能跟踪绩效",
		"record the value reached":                                                                      "请填写已达到的数值",
		"%q is not one of the project's performance goals":                                              "%s 不是本项目的绩效目标",
		"phase must be early, mid or late (事前、事中、事后)":                                                   "检查阶段须为事前、事中或事后",
		"record the findings, in at most 5000 characters":                                               "请填写检查发现（最多 5000 字）",
		"the score is 0 to 100":                                                                         "评分须在 0 至 100 之间",
		"post-evaluation is by the rural-revitalization or finance bureau, or audit":                    "绩效评价由乡村振兴局、财政局或审计进行",
		"project %s is %s: it is evaluated after acceptance":                                            "项目 %s 目前为“%s”：验收后才能进行绩效评价",
		"name the violation the money is reclaimed for":                                                 "请填写收回资金的违规原因",
		"reclaiming is decided by the township or the county bureaus":                                   "收回资金由乡镇或县级部门决定",
		"switch to another project":                                                                     "请改选另一个项目",
		"a reclaim of project %s is already waiting for approval":                                       "项目 %s 已有一笔收回资金等待审批",
		"project %s no longer holds what the instruction was entered for: reject it and enter it again": "项目 %s 的资金已与提交指令时不同：请退回该指令后重新提交",
		"the plan year must be a year like 2027":                                                        "计划年度须为如 2027 的年份",
		"the budget must be greater than zero":                                                          "预算须大于零",
		"name the implementing unit (实施单位)":                                                             "请填写项目实施单位",
		"name the responsible leader (责任领导)":                                                            "请填写责任领导",
		"the number of households must not be negative":                                                 "带动户数不能为负数",
		"say how the households benefit (联农带农方式)":                                                       "请说明联农带农方式",
		"each performance goal needs an indicator and a target":                                         "每个绩效目标都须填写指标和目标值",
		"projects are entered by village cadres, township officers or the rural-revitalization bureau":  "项目由村干部、乡镇干部或乡村振兴局录入",
		"project %s is %s: only library or returned projects are changed":                               "项目 %s 目前为“%s”：只有项目库中或退回修改的项目才能修改",
		"project %s is %s: only library or returned projects are proposed":                              "项目 %s 目前为“%s”：只有项目库中或退回修改的项目才能申报",
		"your role (%s) does not add documents to a project":                                            "您的角色（%s）不能为项目添加材料",
	})
}
