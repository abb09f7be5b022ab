//go:build !race

package ising

func raceAccess(spins []uint64, state *[StateWords]uint64, th *Thresholds) {}
