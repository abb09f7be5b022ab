//go:build !(amd64 && gc && !purego) && !(arm64 && gc && !purego)

package ising

func sweep(gen Generator, spins []uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int) {
	sweepGeneric(gen, spins, L, state, th, sweeps)
}

func sweep2(gen Generator, spinsA, spinsB []uint64, L int, stateA, stateB *[StateWords]uint64, th *Thresholds, sweeps int) {
	sweep(gen, spinsA, L, stateA, th, sweeps)
	sweep(gen, spinsB, L, stateB, th, sweeps)
}

func quadKernel() bool { return false }

func sweep4(gen Generator, spins []uint64, L int, states *[4][StateWords]uint64, th *Thresholds, sweeps int) bool {
	return false
}
