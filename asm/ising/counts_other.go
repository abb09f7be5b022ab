//go:build !(amd64 && gc && !purego) && !(arm64 && gc && !purego)

package ising

func counts(spins []uint64, n int, tab []int32, anti, up *[BlockReplicas]int32) {
	countsGeneric(spins, n, tab, anti, up)
}
