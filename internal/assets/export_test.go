package assets

// SetKeptScanMin sets from how many kept households a county run reads
// the registry's villages by one scan (0: always; a large number:
// never, by code), and returns the previous value.
func SetKeptScanMin(n int) int {
	old := keptScanMin
	keptScanMin = n
	return old
}
