package web

// Chinese for the refusals of internal/store (see messages_errors.go).

func init() {
	addErrorFormats(map[string]string{
		"no backup file given (--out)":                                                                   "没有指定备份文件",
		"%s already exists: choose a new file name":                                                      "%s 已存在：请换一个文件名",
		"a SQLite database is backed up as a SQLite file":                                                "SQLite 数据库只能备份为 SQLite 文件",
		"unknown backup format %q: use pg_dump or logical":                                               "没有这种备份格式：%s",
		"cannot read the backup: %v":                                                                     "无法读取备份文件%.0v",
		"%s is not an onepool backup (SQLite file, pg_dump custom format or logical export)":             "%s 不是本系统的备份文件",
		"the database %s already holds data: restore into a new database, or give --force to replace it": "数据库 %s 中已有数据：请恢复到一个新的数据库，或确认要覆盖现有数据",
		"%s is a SQLite backup: restore it into a SQLite database (sqlite:PATH)":                         "%s 是 SQLite 备份：只能恢复到 SQLite 数据库",
		"%s is a pg_dump backup: restore it into a PostgreSQL database":                                  "%s 是 PostgreSQL 备份：只能恢复到 PostgreSQL 数据库",
		"%s was made by pg_dump: pg_restore must be on the PATH to restore it":                           "%s 是 PostgreSQL 备份：服务器须安装 PostgreSQL 恢复工具才能恢复",
		"%s is not a sound onepool database (%s %v)":                                                     "%s 不是完好的本系统数据库%.0s%.0v",
		"%s is not a logical export: %v":                                                                 "%s 不是本系统的导出文件%.0v",
		"%s is not an onepool logical export":                                                            "%s 不是本系统的导出文件",
		"the backup has schema %d, this onepool knows %d: restore it with a newer onepool":               "备份的数据结构版本为 %d，本系统只支持到 %d：请用更新版本的系统恢复",
		"the export ends early (%v): it is incomplete":                                                   "导出文件不完整%.0v",
		"the export says %d rows, it holds %d":                                                           "导出文件声明有 %d 行，实际只有 %d 行",
		"a table line of the export is damaged":                                                          "导出文件中有一个数据表的标题行已损坏",
		"the export has a row before any table":                                                          "导出文件在数据表之前出现了数据行",
		"a row of table %s is damaged":                                                                   "数据表 %s 中有一行已损坏",
		"table %s: %v":                                                                                   "数据表 %s 有误%.0v",
		"no database given":                                                                              "没有指定数据库",
		"unsupported database %q: use sqlite:PATH, a file path or postgres://":                           "不支持的数据库地址：%s",
		"empty SQLite path":                                                                              "没有指定 SQLite 数据库文件",
	})
}
