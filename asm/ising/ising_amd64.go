//go:build amd64 && gc && !purego

package ising

import "github.com/isingrbm/isingrbm/asm"

// useAVX2 selects the AVX2 kernel.
var useAVX2 = asm.HasAVX2

func init() {
	asm.Register("ising", "avx2", &useAVX2)
}

// sweepAVX2 is sweepGeneric(spins[:L*L*4], L, state, th, sweeps) in AVX2:
// the same Go loops with the four words of a site and the four generator
// streams held in one 256-bit register each. sweeps must be >= 1 and L >= 2.
//
//go:noescape
func sweepAVX2(spins *uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int)

func sweep(spins []uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int) {
	if useAVX2 {
		raceAccess(spins, state, th)
		sweepAVX2(&spins[0], L, state, th, sweeps)
		return
	}
	sweepGeneric(spins, L, state, th, sweeps)
}
