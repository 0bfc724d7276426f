package web

// Labels of the asset pages finished in issue 14: the county-wide
// distribution run's pages, the households kept with an asset, the
// asset's files.
func init() {
	for k, v := range map[string]msg{
		"acrun.title":               {"资产收益分配（全县）", "County-wide asset income distribution"},
		"acrun.link":                {"资产收益分配（全县）", "County-wide income distribution"},
		"acrun.help":                {"一次分配全县（或一个乡镇）所有已确权给村集体、该年度有收益且尚未分配的经营性资产的收益：按本县政策的分配比例，农户部分分给各资产登记的受益户。录入后由另一人审批入账。", "Distributes in one go the year's income of every operating asset of the county (or a township) confirmed to its collective, with income and no distribution yet: by the county's shares, the households' share to each asset's kept households. One person enters it, another approves it."},
		"acrun.whole":               {"本辖区全部", "The whole area"},
		"acrun.preview":             {"分配预览", "Preview"},
		"acrun.assets":              {"资产数", "Assets"},
		"acrun.asset":               {"资产", "Asset"},
		"acrun.household_lines":     {"农户笔数", "Household lines"},
		"acrun.enter":               {"录入全县收益分配（一人录入，另一人审批）", "Enter the county run (one enters, another approves)"},
		"acrun.nothing":             {"该年度没有可分配的资产收益。", "No asset income of the year to distribute."},
		"acrun.left_out":            {"未纳入的资产", "Assets left out"},
		"acrun.run":                 {"资产收益分配（全县）", "County asset income distribution"},
		"acrun.no_batches":          {"尚未录入代发批次。", "No payout batch entered yet."},
		"acrun.why.no_income":       {"该年度没有收益到账", "No income recorded for the year"},
		"acrun.why.run_exists":      {"该年度收益已分配", "Already distributed for the year"},
		"acrun.why.run_pending":     {"该年度已有待审批的收益分配", "A distribution is waiting for approval"},
		"acrun.why.asset_disposing": {"资产正在处置中", "Being disposed of"},
		"acrun.why.not_confirmed":   {"尚未确权给村集体", "Not confirmed to the village collective"},
		"acrun.why.not_operating":   {"不是经营性资产", "Not an operating asset"},
		"acrun.why.other":           {"不符合分配条件", "Cannot be distributed"},
		"done.acrun":                {"全县资产收益分配已录入，待另一人审批", "The county run is entered, waiting for another person's approval"},
		"done.acrun_pay":            {"代发批次已录入，待另一人审批", "The payout batch is entered, waiting for another person's approval"},
		"assethh.title":             {"受益户名单", "Households kept with the asset"},
		"assethh.help":              {"全县收益分配时，本资产收益中农户部分分给以下农户（按份数）；须为本村或共有村的农户。", "In county-wide runs the households' share of this asset's income goes to these households (by weight); they must be of its village or a co-owning one."},
		"assethh.household":         {"户编号", "Household"},
		"assethh.head":              {"户主", "Head"},
		"assethh.weight":            {"份数", "Weight"},
		"assethh.none":              {"尚未设置受益户。", "No households kept yet."},
		"assethh.save":              {"保存受益户名单", "Save the households"},
		"done.asset_households":     {"已保存受益户名单", "Households saved"},
	} {
		messages[k] = v
	}
}
