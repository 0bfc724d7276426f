package web

// Chinese for the refusals of the diagram's drill-down (pages_diagram.go).

func init() {
	addErrorFormats(map[string]string{
		"no such place": "地区不存在",
	})
}
