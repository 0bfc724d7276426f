package registry

// HouseholdsWhere is the households list's condition, for the plan test.
var HouseholdsWhere = householdsWhere
