package web

// Chinese for the refusals of internal/volume (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"the PDF contains active content (/%s: scripts, launched programs or attached files), which cannot be kept in a volume: print it to a new PDF": "PDF 文件含有脚本、可启动程序或附件等活动内容（%s），不能存入档案：请另存为新的 PDF 文件",
		"the document contains macros, which cannot be kept in a volume: save it without macros (.xlsx, .docx)":                                        "文档含有宏，不能存入档案：请另存为不含宏的 .xlsx 或 .docx 文件",
		"the document unzips to more than %d MiB":                                                            "文档解压后超过 %d MB",
		"the part %s unzips to %d times its size":                                                            "文档中的 %s 解压后是原大小的 %d 倍",
		"the file is a damaged or unusual zip archive, not an Office document":                               "文件已损坏或不是 Office 文档",
		"the document holds archives inside archives (%s)":                                                   "文档中含有多层压缩包（%s）",
		"the embedded %s is larger than %d MiB":                                                              "文档中嵌入的 %s 超过 %d MB",
		"the file is empty":                                                                                  "文件是空的",
		"the file is a program or script, which cannot be kept in a volume":                                  "文件是程序或脚本，不能存入档案",
		"old binary Office files (.doc, .xls) are not accepted: save the file as .docx or .xlsx, or as PDF":  "不接受旧版 Office 文件（.doc、.xls）：请另存为 .docx、.xlsx 或 PDF",
		"the content (%s) is not an accepted type: PDF, JPEG, PNG, GIF, WebP, UTF-8 text or CSV, xlsx, docx": "文件内容类型（%s）不在接受范围内：只接受 PDF、JPEG、PNG、GIF、WebP、文本、CSV、xlsx、docx",
		"the file is a zip archive, not an xlsx or docx document; archives are not accepted":                 "文件是压缩包，不是 xlsx 或 docx 文档；不接受压缩包",
		"the file needs a name":                                                                              "文件须有名称",
		"the name %q says %s but the content is %s (%s)":                                                     "文件名 %s 表明是 %s 文件，但内容是 %s（%s）",
		"%q is not a record a volume can belong to":                                                          "%s 不是可以建立档案的记录",
		"%q is not a kind of document: use one of %s":                                                        "%s 不是有效的材料类型，可选：%s",
		"there is no file %d":                                                                                "文件 %d 不存在",
		"the file could not be read completely; upload it again":                                             "文件未能完整读取，请重新上传",
		"another upload was saved at the same moment; try again":                                             "另一份文件同时在保存，请重试",
	})
}
