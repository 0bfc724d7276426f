package web

// Labels of the masks work: birth year instead of the birth date, and the
// mark of a sensitive value hidden from the viewer's role.
func init() {
	for k, v := range map[string]msg{
		"registry.birth_year":       {"出生年份", "Born (year)"},
		"registry.sensitive_hidden": {"（敏感，已隐藏）", "(sensitive, hidden)"},
	} {
		messages[k] = v
	}
}
