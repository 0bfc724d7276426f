package auth

// The dividend runs' action beside the agreements' (agreements.pay enters
// operator payments, runs and batches).
const DeclareDividends Action = "agreements.declare" // an equity operator's declared returns

func init() {
	grants[DeclareDividends] = []Role{RoleTownship, RoleRural, RoleFinance}
}
