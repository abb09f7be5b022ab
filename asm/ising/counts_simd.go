//go:build (amd64 || arm64) && gc && !purego

package ising

// unpad removes from up the spins of site 0 that the kernels counted once
// for each of the table's padding entries.
func unpad(spins []uint64, n int, up *[BlockReplicas]int32) {
	pad := int32(countSites(n) - n)
	if pad == 0 {
		return
	}
	for q := range up {
		up[q] -= pad * int32(spins[q/64]>>(q%64)&1)
	}
}
