//go:build race && (amd64 || arm64) && gc && !purego

package f32

import (
	"runtime"
	"unsafe"
)

// raceReadU8 reports the bytes an elementwise assembly kernel reads (only
// the assembly needs it: the Go twins are instrumented).
func raceReadU8(s []uint8) {
	if len(s) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&s[0]), len(s))
	}
}
