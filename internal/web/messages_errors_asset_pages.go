package web

// Chinese for the refusals of the asset income pages' forms (issue 14).
func init() {
	addErrorFormats(map[string]string{
		"the share %q is a percentage between 0 and 100":        "股比“%s”须为 0 到 100 之间的百分数",
		"the weight of household %s is a positive whole number": "农户 %s 的份数须为正整数",
	})
}
