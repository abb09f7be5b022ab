package asm

import "github.com/klauspost/cpuid/v2"

// L1StrideLimit is the largest stride, in bytes, at which this CPU's L1
// data prefetcher is known to follow a load stream, or 0 when no such
// limit is known. Intel cores prefetch a strided stream into L1 only for
// strides below 2 KB (the IP-based stride prefetcher of the Intel 64 and
// IA-32 Architectures Optimization Reference Manual); no limit is known
// for AMD's. It only chooses whether a product reads an operand in place
// or packs it, which never changes a result.
//
// Measured on an Intel Xeon with AMX under KVM (family 6 model 0xA7,
// 2026-12-06): the A^T*B products that read the columns of a row-major A
// in place, 10 floats per row per step of the depth, ran at 99-117 GFLOP
// per CPU-second with rows 6,400 bytes apart ((1600x1000)^T(1000x400) and
// (1600x100)^T(100x400), one thread, AVX-512, 5 alternations) and at
// 119-143 with A packed; rows 3,072 bytes apart 99-134 against 129-150,
// 2,048 112-129 against 118-133, and 1,600 bytes apart the same either way
// (see asm/f32's colsPacked).
var L1StrideLimit = l1StrideLimit(cpuid.CPU.VendorID)

// l1StrideLimit is the rule of L1StrideLimit.
func l1StrideLimit(vendor cpuid.Vendor) int {
	if vendor == cpuid.Intel {
		return 2048
	}
	return 0
}
