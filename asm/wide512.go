package asm

import "github.com/klauspost/cpuid/v2"

// HasFullWidth512 reports whether this CPU runs AVX-512 and executes a
// 512-bit vector operation as one full-width operation, at the cost of a
// 256-bit one, rather than as two 256-bit halves. No CPUID flag says so; it
// is decided by vendor, family and model, and only chooses between kernels
// that give identical results:
//
//   - AMD family 0x1A (Zen 5) and later: true, except the client models
//     whose Zen 5 cores have 256-bit data paths (Strix Point, models
//     0x20-0x2F; Krackan Point, 0x60-0x6F), and except a CPU that sets
//     the FP256 bit of CPUID 0x8000001A (data path at most 256 bits wide).
//     Zen 4 (family 0x19) splits 512-bit operations: false.
//   - Intel: true where the CPU has AMX tiles (Sapphire Rapids and later
//     Xeons, whose cores have two 512-bit FMA units and run 512-bit integer
//     operations on two ports); false on the others (client cores with one
//     512-bit unit, and Xeons before Sapphire Rapids: not measured). Measured
//     on an Intel Xeon with AMX under KVM (reported as family 6 model 0xA7,
//     2026-12-05): bitlattice's BenchmarkSweep at K = 0.408, SFC64, one
//     thread, 15.3-15.4 flips/cpu-ns with the 256-bit kernels and
//     19.5 with the packed 512-bit ones (3 alternations); two threads 30.2-30.8
//     and 38.2-38.5 flips/ns (xoshiro256++ 29.7 and 36.1). The model number
//     a hypervisor reports cannot be trusted (0xA7 is Rocket Lake, a client
//     core without AMX), so the rule asks for the feature.
//
// Features lists it as "avx512-fullwidth", so `isingrbm version` shows it;
// where it is true, the ising package's AVX-512 kernels are the packed
// 512-bit ones (measured on Zen 5, AMD EPYC family 26 model 2: see
// asm/ising/ising.go).
var HasFullWidth512 = HasAVX512F && fullWidth512(cpuid.CPU.VendorID, cpuid.CPU.Family, cpuid.CPU.Model,
	cpuid.CPU.Supports(cpuid.FP256), cpuid.CPU.Supports(cpuid.AMXTILE))

// fullWidth512 is the rule of HasFullWidth512.
func fullWidth512(vendor cpuid.Vendor, family, model int, fp256, amx bool) bool {
	if vendor == cpuid.Intel {
		return amx
	}
	if vendor != cpuid.AMD || family < 0x1A || fp256 {
		return false
	}
	if family == 0x1A && (model >= 0x20 && model <= 0x2F || model >= 0x60 && model <= 0x6F) {
		return false
	}
	return true
}
