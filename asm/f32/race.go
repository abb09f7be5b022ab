//go:build race

package f32

import (
	"runtime"
	"unsafe"
)

// Assembly is invisible to the race detector: the exported layer reports
// the ranges each assembly kernel reads and writes.

func raceReadF32(s []float32) {
	if len(s) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&s[0]), 4*len(s))
	}
}

func raceWriteF32(s []float32) {
	if len(s) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&s[0]), 4*len(s))
	}
}

func raceReadU64(s []uint64) {
	if len(s) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&s[0]), 8*len(s))
	}
}

func raceWriteU64(s []uint64) {
	if len(s) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&s[0]), 8*len(s))
	}
}

// raceEnabled reports a -race build (tests shrink their largest cases).
const raceEnabled = true
