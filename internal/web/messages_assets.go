package web

// The asset register's labels (issue 14): types, categories, statuses and
// uses (also the label families a refusal's codes are rendered from).
func init() {
	for k, v := range map[string]msg{
		"asset.type.operating":      {"经营性资产", "operating asset"},
		"asset.type.public_welfare": {"公益性资产", "public-welfare asset"},
		"asset.type.household":      {"到户类资产", "household asset"},
		"kind.collective":           {"村集体经济组织", "village collective"},
		"status.registered":         {"待确权", "registered"},
		"status.confirmed":          {"已确权", "confirmed"},
		"status.disposing":          {"处置中", "being disposed of"},
		"status.disposed":           {"已处置", "disposed of"},
		"asset.cat.road":            {"道路桥梁", "road or bridge"},
		"asset.cat.water":           {"饮水及管网", "water supply"},
		"asset.cat.workshop":        {"厂房车间", "workshop"},
		"asset.cat.greenhouse":      {"温室大棚", "greenhouse"},
		"asset.cat.building":        {"房屋建筑", "building"},
		"asset.cat.equipment":       {"设施设备", "equipment"},
		"asset.cat.livestock":       {"牲畜", "livestock"},
		"asset.cat.plantation":      {"种植林果", "plantation"},
		"asset.cat.pv":              {"光伏电站", "photovoltaic plant"},
		"asset.cat.other":           {"其他", "other"},
		"asset.use.leased":          {"出租", "leased"},
		"asset.use.invested":        {"入股", "invested"},
		"asset.use.idle":            {"闲置", "idle"},
		"asset.use.":                {"在用", "in use"},
		"tkind.asset_income":        {"资产收益到账", "Asset income"},
		"tkind.asset_payout":        {"资产收益分配", "Asset income distributed"},
		"tkind.asset_proceeds":      {"资产处置收入", "Asset disposal proceeds"},
	} {
		if _, ok := messages[k]; !ok {
			messages[k] = v
		}
	}
}
