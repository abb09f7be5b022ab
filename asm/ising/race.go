//go:build race && (amd64 || arm64) && gc && !purego

package ising

import (
	"runtime"
	"unsafe"
)

// raceAccess tells the race detector what an assembly kernel reads and writes.
func raceAccess(spins []uint64, state *[StateWords]uint64, th *Thresholds) {
	runtime.RaceWriteRange(unsafe.Pointer(&spins[0]), len(spins)*8)
	runtime.RaceWriteRange(unsafe.Pointer(state), StateWords*8)
	runtime.RaceReadRange(unsafe.Pointer(th), int(unsafe.Sizeof(*th)))
}
