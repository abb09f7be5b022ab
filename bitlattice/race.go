//go:build race

package bitlattice

// raceEnabled reports a -race build: the sample job's scratch then comes from
// the Go heap (hugeAlloc), where the race detector watches it; it ignores
// memory mapped outside the heap.
const raceEnabled = true
