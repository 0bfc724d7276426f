package web

// Chinese for the refusals of internal/tabular (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"the workbook's first sheet is missing":                                      "工作簿缺少第一个工作表",
		"not a readable xlsx or CSV file":                                            "不是可以读取的 xlsx 或 CSV 文件",
		"the workbook's first sheet is not readable":                                 "工作簿的第一个工作表无法读取",
		"row %d: %q is not a cell name":                                              "第 %d 行：%s 不是有效的单元格位置",
		"row %d, column %s: a file holds at most %d columns":                         "第 %d 行第 %s 列：文件最多 %d 列",
		"the file needs a header row and at least one data row":                      "文件须有一行表头和至少一行数据",
		"the header lacks column(s) %s":                                              "表头缺少以下列：%s",
		"row %d: a file holds at most %d rows after the header":                      "第 %d 行：文件表头以下最多 %d 行",
		"row %d, column %s: not UTF-8 or GB18030 text: save the file as “CSV UTF-8”": "第 %d 行第 %s 列：文字编码无法识别，请另存为“CSV UTF-8”格式",
		"row %d, column %s: a cell holds at most %d characters":                      "第 %d 行第 %s 列：每个单元格最多 %d 个字",
		"row %d is longer than %d KiB":                                               "第 %d 行内容超过 %d KB",
		"a file holds at most %d rows after the header":                              "文件表头以下最多 %d 行",
		"CSV row %d: %v": "CSV 文件第 %d 行无法读取%.0v",
		"row %d cannot be read: not a readable xlsx or CSV file":               "第 %d 行无法读取：不是可以读取的 xlsx 或 CSV 文件",
		"the file is larger than %d MiB":                                       "文件超过 %d MB",
		"the file could not be read":                                           "文件无法读取",
		"the workbook has no sheet":                                            "工作簿中没有工作表",
		"cannot read sheet %s":                                                 "无法读取工作表 %s",
		"the workbook unzips to more than %d MiB":                              "工作簿解压后超过 %d MB",
		"the workbook's parts other than its sheets unzip to more than %d MiB": "工作簿中工作表以外的部分解压后超过 %d MB",
	})
}
