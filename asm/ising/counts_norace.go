//go:build !race

package ising

func raceCounts(spins []uint64, tab []int32, anti, up *[BlockReplicas]int32) {}
