//go:build !race && (amd64 || arm64) && gc && !purego

package ising

func raceAccess(spins []uint64, state *[StateWords]uint64, th *Thresholds) {}
