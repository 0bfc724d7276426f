package web

// Chinese for refusals that were once built at run time from a lower
// package's English error text (money.Parse, place.Parse and the place
// tree, a form's missing file): each now has a literal format with its
// parameters (see refusals.go), so a Chinese page names what was typed
// instead of the code's generic sentence.

func init() {
	addErrorFormats(map[string]string{
		"the amount %q is too large":                                              "金额 %s 过大，超出可记录的范围",
		"give an amount in yuan, such as 1,234.56":                                "请填写以元为单位的金额，如 1,234.56",
		"%q is not an amount in yuan with at most two decimals, such as 1,234.56": "%s 不是有效金额：请填写以元为单位、最多两位小数的金额，如 1,234.56",
		"amount must be a string in yuan such as \"12.34\", got %s":               "金额须为以元为单位的文字，如 \"12.34\"，收到的是 %s",
		"amount must be a string in yuan":                                         "金额须为以元为单位的文字，如 \"12.34\"",
		"%q is not a division code (12, 9 or 6 digits)":                           "%s 不是有效的行政区划代码（应为 12 位、9 位或 6 位数字）",
		"the places do not form a tree":                                           "文件中的地区不能构成一棵上下级完整的区划树",
		"tree: node %q (%s): invalid code":                                        "%s（%s）的区划代码无效",
		"tree: duplicate code %s":                                                 "区划代码 %s 重复出现",
		"tree: node %s: invalid parent code %q":                                   "%s 的上级代码 %s 无效",
		"tree: node %s: parent %s not found":                                      "%s 的上级 %s 不在文件中，也不在已有区划中",
		"tree: node %s (%s): parent %s (%s) is not of a shallower level":          "%s（%s）的上级 %s（%s）不是更高一级的区划",
		"tree: node %s is not inside parent %s":                                   "%s 不在其上级 %s 的代码范围内",
		"choose a CSV or xlsx file to import":                                     "请选择要导入的 CSV 或 xlsx 文件",
		"send the opening file as the form's file":                                "请选择期初余额文件（CSV 或 xlsx）上传",
		"choose the bank's return file (CSV or xlsx)":                             "请选择银行回盘文件（CSV 或 xlsx）",
	})
}
