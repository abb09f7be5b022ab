//go:build arm64 && gc && !purego

package ising

import "github.com/isingrbm/isingrbm/asm"

// useNEON selects the NEON kernel.
var useNEON = asm.HasNEON

func init() {
	asm.Register("ising", "neon", &useNEON)
}

// sweepNEON is sweepGeneric(spins[:L*L*4], L, state, th, sweeps) in NEON:
// the same Go loops with the four words of a site and the four generator
// streams held in two 128-bit registers each. sweeps must be >= 1 and L >= 2.
//
//go:noescape
func sweepNEON(spins *uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int)

func sweep(spins []uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int) {
	if useNEON {
		raceAccess(spins, state, th)
		sweepNEON(&spins[0], L, state, th, sweeps)
		return
	}
	sweepGeneric(spins, L, state, th, sweeps)
}

func sweep2(spinsA, spinsB []uint64, L int, stateA, stateB *[StateWords]uint64, th *Thresholds, sweeps int) {
	sweep(spinsA, L, stateA, th, sweeps)
	sweep(spinsB, L, stateB, th, sweeps)
}
