package web

import "slices"

// FormHas reports whether the refused form id posted value among the
// values of a field (checkboxes sharing one name).
func (p Page) FormHas(id, name, value string) bool {
	return p.form != nil && p.form.Get("form") == id && slices.Contains(p.form[name], value)
}
