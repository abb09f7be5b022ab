package main

import (
	"os"
	"runtime/debug"

	"github.com/isingrbm/isingrbm/core/rbm"
)

// limitMemory sets the Go runtime's soft memory limit to
// rbm.MemoryLimit(need), need being the command's memory estimate, so that
// the collector keeps the garbage of a long run (a growing history written
// at every checkpoint) from taking the process past its estimate, which
// rbm.EstimateTrainBytes and rbm.EstimateEvalBytes leave uncounted. A
// GOMEMLIMIT in the environment wins: the limit is then left as the
// runtime read it. The function returned puts back the limit before, for
// the commands that tests run in their own process.
func limitMemory(need float64) (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetMemoryLimit(rbm.MemoryLimit(need))
	return func() { debug.SetMemoryLimit(old) }
}
