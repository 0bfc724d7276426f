package web

// Chinese for the refusals of internal/payout (see messages_errors.go).

func init() {
	errorCodesZh["card_not_corrected"] = "发放失败的明细须更正银行卡后才能重新发放"
	errorCodesZh["unknown_payout_kind"] = "没有业务发放此类款项"
	addErrorFormats(map[string]string{
		"no capability pays items of kind %q": "没有业务发放“%s”类款项",
		"%d failed line(s) wait for their card to be corrected: a failed line is sent again only once its card was corrected":                  "%d 笔发放失败的明细尚未更正银行卡：失败的明细须更正银行卡后才能重新发放",
		"the lines waiting for payment changed since the batch was entered (%d lines, %s yuan then; %d, %s now): reject it and enter it again": "提交本批后待发放的明细有变化（当时 %d 笔 %s 元，现在 %d 笔 %s 元）：请退回后重新提交",
		"no payout batch %d":              "发放批次 %d 不存在",
		"not a batch number":              "不是有效的批次号",
		"not a line number":               "不是有效的行号",
		"%q must be 成功/paid or 失败/failed": "%s 须填“成功”或“失败”",
		"batch %d has no line %d":         "批次 %d 没有第 %d 行",
	})
}

func init() {
	addErrorFormats(map[string]string{
		"instruction %d is not a payout batch":   "指令 %d 不是代发批次",
		"every line of this batch has been sent": "本批次各行均已发送",
	})
	if _, ok := errorCodesZh["batch_complete"]; !ok {
		errorCodesZh["batch_complete"] = "本批次各行均已发送"
	}
}
