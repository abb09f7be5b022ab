package ising

import (
	"fmt"
	"math/bits"
)

// Counting the observables of a block.
//
// Counts gives, per replica of a block, the number of anti-aligned bonds
// and of up spins, from which the energy and the magnetization follow. Both
// are bit-sliced sums over the L*L sites: a Harley-Seal carry-save tree adds
// eight sites at a time (the 16 bond bits into ones, twos, fours and eights
// with a carry of weight 16, the 8 spin bits into ones, twos and fours with
// a carry of weight 8); the carries go to 4-bit counters, flushed into wide
// bit-sliced counters every 15 groups, and the counters are finally
// transposed into one integer per replica.
//
// Implementations: countsGeneric (portable Go, 64 lanes at a time) and the
// kernels written by the generator (go run ./_gen -kernel counts >
// counts_amd64.s, and -arch arm64 > counts_arm64.s; see _gen/counts.go):
// on amd64 countsAVX512 (AVX-512 F and VL: the four words of a site in one
// ymm register, each carry-save adder two VPTERNLOGQ, the transposition by
// masked VPADDD) and countsAVX2 (the same tree with five-instruction
// adders, one pass for the bonds and one for the spins to fit 16 registers,
// the transposition by byte broadcasts and compares); on arm64 countsNEON
// (a site's four words in two 128-bit registers, one pass for the bonds and
// one for the spins as with AVX2, four-instruction adders with BSL, the
// transposition by halfword broadcasts and VCMTST). purego builds and other
// architectures use countsGeneric. The kernels' flushes ripple a carry
// only up to plane nbits-1, which no count exceeds. A block at L = 40 on a
// Zen 5 (AMD family 26 model 2, BenchmarkCounts): 1.7 us with AVX-512, 3.4
// us with AVX2, 21-24 us in Go; countsNEON has been run under qemu-user
// only (correct, not timed).

// SiteTable is the site table that Counts reads for an L x L block
// (CountTable): per site, the word offsets (site * BlockWords) of the site
// itself, of its right neighbour and of its down neighbour on the torus;
// the sites are padded to a multiple of eight with entries naming site 0
// three times. Its entries are unexported and never change after
// CountTable, so Counts trusts them (the kernels read them without bounds
// checks) once it has checked the table's side: a table of another side
// names words outside the block even when it is as long (CountTable(4)
// has as many entries as CountTable(3)).
type SiteTable struct {
	l   int
	tab []int32
}

// L is the side of the blocks the table is for.
func (t *SiteTable) L() int { return t.l }

// CountTable returns the site table of an L x L block. The offsets are
// int32: L is at most MaxCountL (bitlattice's 8 GiB bound on a lattice
// keeps its blocks far below that: L <= 16384).
func CountTable(L int) *SiteTable {
	if L < 2 || L > MaxCountL {
		panic(fmt.Sprintf("ising: CountTable: L = %d, want 2..%d", L, MaxCountL))
	}
	n := L * L
	tab := make([]int32, 3*countSites(n))
	for y := range L {
		for x := range L {
			s := y*L + x
			tab[3*s] = int32(s * BlockWords)
			tab[3*s+1] = int32((y*L + (x+1)%L) * BlockWords)
			tab[3*s+2] = int32(((y+1)%L*L + x) * BlockWords)
		}
	}
	return &SiteTable{l: L, tab: tab}
}

// MaxCountL is the largest side whose word offsets (site * BlockWords,
// below L*L*BlockWords) fit the int32 entries of CountTable, and whose
// counts (at most 2*L*L anti-aligned bonds) fit an int32.
const MaxCountL = 23170

// countSites is n rounded up to a multiple of eight.
func countSites(n int) int { return (n + 7) &^ 7 }

// Counts sets, for every lane q of the block spins[:L*L*BlockWords] (bit
// q%64 of word q/64 of each site), anti[q] to its number of anti-aligned
// bonds (the right and the down bond of every site) and up[q] to its number
// of up spins; tab is CountTable(L). As a plain loop:
//
//	for q := range BlockReplicas {
//		anti[q], up[q] = 0, 0
//		for i := range L * L {
//			bit := func(site int32) int32 { return int32(spins[int(site)+q/64] >> (q % 64) & 1) }
//			s, r, d := bit(tab[3*i]), bit(tab[3*i+1]), bit(tab[3*i+2])
//			anti[q] += (s ^ r) + (s ^ d)
//			up[q] += s
//		}
//	}
//
// It panics unless 2 <= L <= MaxCountL, len(spins) = L*L*BlockWords and
// tab is CountTable(L)'s (tab.L() == L).
func Counts(spins []uint64, L int, tab *SiteTable, anti, up *[BlockReplicas]int32) {
	if L < 2 || L > MaxCountL {
		panic(fmt.Sprintf("ising: Counts: L = %d, want 2..%d", L, MaxCountL))
	}
	n := L * L
	if len(spins) != n*BlockWords {
		panic(fmt.Sprintf("ising: Counts: len(spins) = %d, want L*L*%d = %d", len(spins), BlockWords, n*BlockWords))
	}
	if tab == nil || tab.l != L {
		got := "nil"
		if tab != nil {
			got = fmt.Sprintf("CountTable(%d)", tab.l)
		}
		panic(fmt.Sprintf("ising: Counts: tab is %s, want CountTable(%d)", got, L))
	}
	counts(spins, n, tab.tab, anti, up)
}

// countPlanes is the number of bit planes of the kernels' wide counters:
// counts below 2^32.
const countPlanes = 32

// counter is a bit-sliced (vertical) counter of 64 lanes: lane q holds
// sum_j bit q of c[j] times 2^j.
type counter [countPlanes]uint64

// unpack sets out[q] to lane q's count.
func (c *counter) unpack(out []int32) {
	clear(out[:64])
	for j, word := range c {
		for word != 0 {
			q := bits.TrailingZeros64(word)
			out[q] += 1 << j
			word &= word - 1
		}
	}
}

// addSlicedAt adds the bit-sliced numbers v times 2^off lane-wise.
func (c *counter) addSlicedAt(v []uint64, off int) {
	var carry uint64
	j := off
	for _, x := range v {
		c[j], carry = c[j]^x^carry, c[j]&x|carry&(c[j]^x)
		j++
	}
	for ; carry != 0; j++ {
		c[j], carry = c[j]^carry, c[j]&carry
	}
}

// csa is a carry-save adder of 64 lanes: a+b+c = sum + 2 carry lane-wise.
func csa(a, b, c uint64) (sum, carry uint64) {
	u := a ^ b
	return u ^ c, a&b | u&c
}

// add4 adds the one-bit lanes x to the 4-bit lanes (c0..c3), which must not
// overflow (at most 15 calls between two flushes).
func add4(c *[4]uint64, x uint64) {
	c[0], x = c[0]^x, c[0]&x
	c[1], x = c[1]^x, c[1]&x
	c[2], x = c[2]^x, c[2]&x
	c[3] ^= x
}

// siteBits returns lane word w of site i (its spins) and whether each lane's
// right and down bonds are anti-aligned.
func siteBits(sp []uint64, tab []int32, i, w int) (s, ar, ad uint64) {
	s = sp[int(tab[3*i])+w]
	return s, s ^ sp[int(tab[3*i+1])+w], s ^ sp[int(tab[3*i+2])+w]
}

// countsGeneric is Counts for the n = L*L sites in portable Go, one lane
// word at a time: about 18 word operations a site, against 29 for a
// ripple-carry counter.
func countsGeneric(sp []uint64, n int, tab []int32, anti, up *[BlockReplicas]int32) {
	for w := range BlockWords {
		var ca, cu counter
		var oA, tA, fA, eA, oU, tU, fU uint64
		var c16, c8 [4]uint64
		groups := 0
		i := 0
		for ; i+8 <= n; i += 8 {
			s0, a0, d0 := siteBits(sp, tab, i, w)
			s1, a1, d1 := siteBits(sp, tab, i+1, w)
			s2, a2, d2 := siteBits(sp, tab, i+2, w)
			s3, a3, d3 := siteBits(sp, tab, i+3, w)
			var t0, t1, f0, f1, e0, e1, x uint64
			oA, t0 = csa(oA, a0, d0)
			oA, t1 = csa(oA, a1, d1)
			tA, f0 = csa(tA, t0, t1)
			oA, t0 = csa(oA, a2, d2)
			oA, t1 = csa(oA, a3, d3)
			tA, f1 = csa(tA, t0, t1)
			fA, e0 = csa(fA, f0, f1)
			var u0, u1, g0, g1 uint64
			oU, u0 = csa(oU, s0, s1)
			oU, u1 = csa(oU, s2, s3)
			tU, g0 = csa(tU, u0, u1)

			s4, a4, d4 := siteBits(sp, tab, i+4, w)
			s5, a5, d5 := siteBits(sp, tab, i+5, w)
			s6, a6, d6 := siteBits(sp, tab, i+6, w)
			s7, a7, d7 := siteBits(sp, tab, i+7, w)
			oA, t0 = csa(oA, a4, d4)
			oA, t1 = csa(oA, a5, d5)
			tA, f0 = csa(tA, t0, t1)
			oA, t0 = csa(oA, a6, d6)
			oA, t1 = csa(oA, a7, d7)
			tA, f1 = csa(tA, t0, t1)
			fA, e1 = csa(fA, f0, f1)
			eA, x = csa(eA, e0, e1)
			add4(&c16, x)
			oU, u0 = csa(oU, s4, s5)
			oU, u1 = csa(oU, s6, s7)
			tU, g1 = csa(tU, u0, u1)
			fU, x = csa(fU, g0, g1)
			add4(&c8, x)
			if groups++; groups == 15 {
				ca.addSlicedAt(c16[:], 4)
				cu.addSlicedAt(c8[:], 3)
				c16, c8, groups = [4]uint64{}, [4]uint64{}, 0
			}
		}
		ca.addSlicedAt(c16[:], 4)
		cu.addSlicedAt(c8[:], 3)
		// The last n%8 sites, one at a time.
		for ; i < n; i++ {
			s, a, d := siteBits(sp, tab, i, w)
			ca.addSlicedAt([]uint64{a}, 0)
			ca.addSlicedAt([]uint64{d}, 0)
			cu.addSlicedAt([]uint64{s}, 0)
		}
		ca.addSlicedAt([]uint64{oA, tA, fA, eA}, 0)
		cu.addSlicedAt([]uint64{oU, tU, fU}, 0)
		ca.unpack(anti[64*w : 64*w+64])
		cu.unpack(up[64*w : 64*w+64])
	}
}
