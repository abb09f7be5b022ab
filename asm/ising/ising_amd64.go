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

// sweep2AVX2 is sweepAVX2(spinsA, L, stateA, th, sweeps) followed by
// sweepAVX2(spinsB, L, stateB, th, sweeps), with the generator steps of the
// two blocks interleaved. The blocks must not overlap.
//
//go:noescape
func sweep2AVX2(spinsA, spinsB *uint64, L int, stateA, stateB *[StateWords]uint64, th *Thresholds, sweeps int)

func sweep2(spinsA, spinsB []uint64, L int, stateA, stateB *[StateWords]uint64, th *Thresholds, sweeps int) {
	if useAVX2 {
		raceAccess(spinsA, stateA, th)
		raceAccess(spinsB, stateB, th)
		sweep2AVX2(&spinsA[0], &spinsB[0], L, stateA, stateB, th, sweeps)
		return
	}
	sweepGeneric(spinsA, L, stateA, th, sweeps)
	sweepGeneric(spinsB, L, stateB, th, sweeps)
}
