package web

// Chinese for the refusals of objection receipts (internal/workflow
// objections.go, web pages_objections.go).

func init() {
	addErrorFormats(map[string]string{
		"no objection with this receipt number": "没有这个受理编号的异议或举报，请核对编号",
	})
}
