package web

// Labels of the assets' county-wide distribution run (issue 14).
func init() {
	for k, v := range map[string]msg{
		"ins.kind.asset_county_run": {"资产收益分配（全县）", "County asset income distribution"},
	} {
		messages[k] = v
	}
}
