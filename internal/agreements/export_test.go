package agreements

// Split and LineLegs expose the dividend split to the tests.
var (
	Split    = split
	LineLegs = lineLegs
)
