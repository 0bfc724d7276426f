package auth

// The agreements capability's actions (kept in a file of their own; their
// rules join grants at init).
const (
	ViewAgreements  Action = "agreements.view"  // benefit agreements, their terms, review and schedule
	WriteAgreements Action = "agreements.write" // draft, negotiate, review, sign, activate, accept, end, terminate, renew, notes
	PaySubsidies    Action = "agreements.pay"   // direct subsidies' payout batches and the bank's files
)

func init() {
	grants[ViewAgreements] = staff
	grants[WriteAgreements] = []Role{RoleVillage, RoleTownship, RoleRural}
	grants[PaySubsidies] = []Role{RoleFinance, RoleRural}
}
