//go:build amd64 && gc && !purego

package ising

import "math/bits"

// countsAVX512 is countsGeneric(spins, n, tab, anti, up) over the
// 8*groups sites of tab (the padding sites included: up counts site 0's
// spins once more per padding entry, which unpad removes), with the wide
// counters in planes (planes[0] the bonds, planes[1] the spins, plane j of
// weight 2^j) and the counts transposed from their first nbits planes;
// groups >= 1, all counts below 2^nbits <= 2^32. It needs AVX-512 F and VL.
//
//go:noescape
func countsAVX512(spins *uint64, tab *int32, groups int, planes *[2][countPlanes][BlockWords]uint64, nbits int, anti, up *[BlockReplicas]int32)

// countsAVX2 is countsAVX512 for AVX2.
//
//go:noescape
func countsAVX2(spins *uint64, tab *int32, groups int, planes *[2][countPlanes][BlockWords]uint64, nbits int, anti, up *[BlockReplicas]int32)

func counts(spins []uint64, n int, tab []int32, anti, up *[BlockReplicas]int32) {
	if !useAVX512 && !useAVX2 {
		countsGeneric(spins, n, tab, anti, up)
		return
	}
	raceCounts(spins, tab, anti, up)
	var planes [2][countPlanes][BlockWords]uint64
	if useAVX512 {
		countsAVX512(&spins[0], &tab[0], len(tab)/24, &planes, bits.Len(uint(2*n)), anti, up)
	} else {
		countsAVX2(&spins[0], &tab[0], len(tab)/24, &planes, bits.Len(uint(2*n)), anti, up)
	}
	unpad(spins, n, up)
}
