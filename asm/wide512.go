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
//   - Intel: false. Its cores with two 512-bit units run simple integer
//     operations on fewer ports at 512 bits than at 256, so the kernels
//     tuned for 256-bit registers stay there (not measured).
//
// Features lists it as "avx512-fullwidth", so `isingrbm version` shows it;
// where it is true, the ising package's AVX-512 kernels are the packed
// 512-bit ones (measured on Zen 5, AMD EPYC family 26 model 2: see
// asm/ising/ising.go).
var HasFullWidth512 = HasAVX512F && fullWidth512(cpuid.CPU.VendorID, cpuid.CPU.Family, cpuid.CPU.Model, cpuid.CPU.Supports(cpuid.FP256))

// fullWidth512 is the rule of HasFullWidth512.
func fullWidth512(vendor cpuid.Vendor, family, model int, fp256 bool) bool {
	if vendor != cpuid.AMD || family < 0x1A || fp256 {
		return false
	}
	if family == 0x1A && (model >= 0x20 && model <= 0x2F || model >= 0x60 && model <= 0x6F) {
		return false
	}
	return true
}
