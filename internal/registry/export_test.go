package registry

// HouseholdsFrom is the households list's tables and condition, for the plan test.
var HouseholdsFrom = householdsFrom
