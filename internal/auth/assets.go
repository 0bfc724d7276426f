package auth

// The assets capability's actions (kept in a file of their own; their
// rules join grants at init).
const (
	ViewAssets  Action = "assets.view"  // the asset register, asset cards, their income and upkeep
	WriteAssets Action = "assets.write" // register assets, confirm ownership (确权), record handovers and upkeep
)

func init() {
	grants[ViewAssets] = staff
	grants[WriteAssets] = []Role{RoleVillage, RoleTownship, RoleRural}
}
