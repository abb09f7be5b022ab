package asm

import (
	"runtime"

	"golang.org/x/sys/cpu"
)

// Feature flags, read once. Kernel packages copy what they need into their
// own dispatch booleans at init. The x86 flags honour GODEBUG=cpu.avx2=off and
// friends, because golang.org/x/sys/cpu does.
var (
	HasAVX2     = cpu.X86.HasAVX2
	HasFMA      = cpu.X86.HasFMA
	HasBMI2     = cpu.X86.HasBMI2
	HasAVX512F  = cpu.X86.HasAVX512F
	HasAVX512VL = cpu.X86.HasAVX512VL
	HasAVX512DQ = cpu.X86.HasAVX512DQ
	HasAVX512BW = cpu.X86.HasAVX512BW
	// HasNEON is true on every arm64 CPU Go supports (ASIMD is mandatory).
	HasNEON = runtime.GOARCH == "arm64" && cpu.ARM64.HasASIMD
)

// Features lists the SIMD features of this CPU that kernels can use, as
// `isingrbm version` prints them.
func Features() []string {
	var out []string
	add := func(ok bool, name string) {
		if ok {
			out = append(out, name)
		}
	}
	add(HasAVX2, "avx2")
	add(HasFMA, "fma")
	add(HasBMI2, "bmi2")
	add(HasAVX512F, "avx512f")
	add(HasAVX512VL, "avx512vl")
	add(HasAVX512DQ, "avx512dq")
	add(HasAVX512BW, "avx512bw")
	add(HasNEON, "neon")
	return out
}
