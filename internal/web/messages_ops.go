package web

// Labels of the operations work: storage errors.
func init() {
	for k, v := range map[string]msg{
		"error.storage_full": {"数据库存储空间已满，本次操作未保存。查询仍可使用；请联系管理员释放磁盘空间后重试。", "The database storage is full: nothing was saved. Reading still works; ask the administrator to free disk space, then try again."},
	} {
		messages[k] = v
	}
}
