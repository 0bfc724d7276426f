package web

// Chinese for the refusals of adopting onepool mid-year: the annual
// plan's import (internal/projects/adopt.go) and what the workflow
// records after the fact (internal/workflow/recorded.go, paper.go).

func init() {
	addErrorFormats(map[string]string{
		"record between 1 and %d steps taken, not %d":                                              "已办理的步骤应为 1 至 %d 步，而不是 %d 步",
		"a step taken on paper needs who took it (at most 50 characters) and when":                 "纸质办理的步骤须填写经办人（最多 50 字）和办理日期",
		"a step taken on paper cannot be in the future":                                            "纸质办理的步骤日期不能晚于今天",
		"the notice ends (%s) before it starts (%s)":                                               "公示结束日期（%s）早于开始日期（%s）",
		"a notice held on paper is recorded once it has ended: it ends %s, today is %s":            "纸质公示须在公示期结束后补录：公示到 %s 结束，今天是 %s",
		"the notice on paper ran %d days (%s to %s); the profile requires at least %d (公示期不少于%d天)": "纸质公示期为 %d 天（%s 至 %s）；政策规定公示期不少于 %d 天%.0d",
		"a notice held on paper is recorded with a photo of the board":                             "补录纸质公示须附公示栏照片",
		"say how the objection was answered, in at most 2000 characters":                           "请填写异议的处理结果（最多 2000 字）",
		"the annual plan is imported by the rural-revitalization bureau of the county":             "年度计划由县乡村振兴局导入和审核",
		"project %s is on row %d already":                                                          "项目 %s 已在第 %d 行出现",
		"at most %d characters":                                                                    "最多 %d 个字",
		"%q is not 是 or 否":                                                                         "%s 无效，请填写“是”或“否”",
		"%q is not a number of households":                                                         "%s 不是有效的户数",
		"the review of this project has %d steps: step %d does not exist":                          "该项目的审核共 %d 步：没有第 %d 步",
		"step %d is recorded but step %d before it is not":                                         "填写了第 %d 步，但之前的第 %d 步没有填写：请按顺序连续填写",
		"%s is in the future":                                                                      "%s 晚于今天",
		"%s is before the step before it (%s)":                                                     "%s 早于上一步的日期（%s）",
		"every step was taken: give the approval document (批复文号)":                                  "所有审核步骤均已办理：请填写批复文号",
		"every step was taken: give the approval date (批复日期)":                                      "所有审核步骤均已办理：请填写批复日期",
		"only a project whose every step (%d) was taken has an approval document; %d recorded":     "只有全部 %d 个审核步骤都已办理的项目才有批复文号；现只填写了 %d 步",
		"no plan import %d": "没有第 %d 批年度计划导入",
		"the photo of the board must be an image (JPEG, PNG, GIF or WebP), not %s": "公示栏照片须是图片（JPEG、PNG、GIF 或 WebP），而不是 %s",
		"no such file in the project's volume":                                     "项目档案中没有该文件",
		"choose the plan's CSV or xlsx file":                                       "请选择年度计划的 CSV 或 xlsx 文件",
		"no such plan import":                                                      "没有该批年度计划导入",
	})
	for k, v := range map[string]string{
		"invalid_taken":   "纸质办理的步骤填写有误",
		"notice_not_over": "纸质公示须在公示期结束后补录",
		"photo_required":  "请附公示栏照片",
		"photo_not_image": "公示栏照片须是图片",
	} {
		errorCodesZh[k] = v
	}
}
