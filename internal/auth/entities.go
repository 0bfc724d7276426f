package auth

// The entities capability's actions (kept in a file of their own; their
// rules join grants at init).
const (
	ViewEntities  Action = "entities.view"  // business entities, what was invested in them, the households they drive
	WriteEntities Action = "entities.write" // register and edit entities, link households, import
)

func init() {
	grants[ViewEntities] = staff
	grants[WriteEntities] = []Role{RoleVillage, RoleTownship, RoleRural}
}
