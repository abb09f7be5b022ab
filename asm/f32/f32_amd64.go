//go:build amd64 && gc && !purego

package f32

import "github.com/isingrbm/isingrbm/asm"

// The dispatch booleans of the amd64 kernels, tested in this order of
// preference (avx512 > avx2 > generic) by every kernel of the package.
var (
	// useAVX512 selects the AVX-512 kernels (F, VL, DQ, BW, with FMA; and
	// AVX2, whose packing routines the AVX-512 products share; and BMI1,
	// whose TZCNT and BLSR the Bits products' sumBits kernels use).
	useAVX512 = asm.HasAVX512F && asm.HasAVX512VL && asm.HasAVX512DQ && asm.HasAVX512BW && asm.HasFMA && asm.HasAVX2 && asm.HasBMI1
	// useAVX2 selects the AVX2+FMA kernels (and BMI1, as above: a virtual
	// machine may show AVX2 and hide BMI1).
	useAVX2 = asm.HasAVX2 && asm.HasFMA && asm.HasBMI1
)

// useAVX2Build and useAVX512Build report whether this build contains the
// AVX2 and AVX-512 kernels.
const (
	useAVX2Build   = true
	useAVX512Build = true
)

func init() {
	asm.Register("f32", "avx512", &useAVX512)
	asm.Register("f32", "avx2", &useAVX2)
}

// useAVX512Available and useAVX2Available record whether the CPU can run
// the AVX-512 and AVX2 kernels, whichever implementation is selected (for
// tests of the hardware, which call the kernels directly and so run under
// ISINGRBM_KERNELS=generic too).
var (
	useAVX512Available = useAVX512
	useAVX2Available   = useAVX2
)
