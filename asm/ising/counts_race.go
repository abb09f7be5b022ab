//go:build race && (amd64 || arm64) && gc && !purego

package ising

import (
	"runtime"
	"unsafe"
)

// raceCounts tells the race detector what the counting kernels read and
// write.
func raceCounts(spins []uint64, tab []int32, anti, up *[BlockReplicas]int32) {
	runtime.RaceReadRange(unsafe.Pointer(&spins[0]), len(spins)*8)
	runtime.RaceReadRange(unsafe.Pointer(&tab[0]), len(tab)*4)
	runtime.RaceWriteRange(unsafe.Pointer(anti), BlockReplicas*4)
	runtime.RaceWriteRange(unsafe.Pointer(up), BlockReplicas*4)
}
