//go:build race

package bench

// raceOn: the race detector is on (go test -race), where the engine, pure
// Go, runs several times slower: the kill tests run smaller.
const raceOn = true
