package web

// Chinese for the refusals of the batch paths (internal/funds/alloc.go
// CreateProjectsTx, internal/workflow/recorded.go RecordTakenManyTx):
// a project or review item written meanwhile by another transaction.

func init() {
	addErrorFormats(map[string]string{
		"a project of the batch exists already":        "本批中有项目已存在",
		"an item of the batch is already under review": "本批中有事项已在审核中",
	})
}
