package asm

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
	"golang.org/x/sys/cpu"
)

// Feature flags, read once. Kernel packages copy what they need into their
// own dispatch booleans at init. The x86 flags honour GODEBUG=cpu.avx2=off and
// friends, because golang.org/x/sys/cpu does.
var (
	HasAVX2     = cpu.X86.HasAVX2
	HasFMA      = cpu.X86.HasFMA
	HasBMI1     = cpu.X86.HasBMI1
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
	add(HasBMI1, "bmi1")
	add(HasBMI2, "bmi2")
	add(HasAVX512F, "avx512f")
	add(HasAVX512VL, "avx512vl")
	add(HasAVX512DQ, "avx512dq")
	add(HasAVX512BW, "avx512bw")
	add(HasFullWidth512, "avx512-fullwidth") // not a CPUID flag: see HasFullWidth512
	add(HasNEON, "neon")
	return out
}

// CacheSizes returns the per-core L1 data and L2 cache sizes and the L3
// size in bytes, as the CPU reports them, each 0 when unknown. Only cache
// blocking of products may depend on them (never the order of a sum).
func CacheSizes() (l1d, l2, l3 int) {
	c := cpuid.CPU.Cache
	return max(c.L1D, 0), max(c.L2, 0), max(c.L3, 0)
}

// CPUName returns the CPU's brand string, or "unknown".
func CPUName() string {
	if s := strings.TrimSpace(cpuid.CPU.BrandName); s != "" {
		return s
	}
	return "unknown"
}

// CPUDescription returns the CPU's brand string and, where the CPU reports
// them (x86), its family and model numbers: "AMD EPYC (family 25 model 17)".
// The brand alone does not tell a Zen 4 from a Zen 5.
func CPUDescription() string {
	if f, m := cpuid.CPU.Family, cpuid.CPU.Model; f != 0 || m != 0 {
		return fmt.Sprintf("%s (family %d model %d)", CPUName(), f, m)
	}
	return CPUName()
}
