package bitlattice

import (
	"math/bits"

	"github.com/isingrbm/isingrbm/asm/ising"
)

// counter is a bit-sliced (vertical) counter of 64 lanes: lane q holds
// sum_j bit q of c[j] times 2^j.
type counter [32]uint64

// addSliced adds the bit-sliced numbers v (bit j of lane q in bit q of v[j])
// lane-wise.
func (c *counter) addSliced(v []uint64) {
	var carry uint64
	j := 0
	for ; j < len(v); j++ {
		x := v[j]
		c[j], carry = c[j]^x^carry, c[j]&x|carry&(c[j]^x)
	}
	for ; carry != 0; j++ {
		c[j], carry = c[j]^carry, c[j]&carry
	}
}

// unpack adds lane q's count to out[q].
func (c *counter) unpack(out []int32) {
	for j, word := range c {
		for word != 0 {
			q := bits.TrailingZeros64(word)
			out[q] += 1 << j
			word &= word - 1
		}
	}
}

// blockCounts returns, per lane of block b, the number of anti-aligned bonds
// (the right and the down bond of every site) and of up spins.
func (l *Lattice) blockCounts(b int, anti, up *[ising.BlockReplicas]int32) {
	L := l.L
	sp := l.block(b)
	const W = ising.BlockWords
	var ca, cu [W]counter
	// Per word, sites are summed in chunks of 15 into small bit-sliced
	// counters without branches (4 bits for up spins, 5 for the two bonds
	// of each site), which are then added into the wide counters.
	for w := range W {
		var u0, u1, u2, u3, a0, a1, a2, a3, a4 uint64
		n := 0
		for y := range L {
			row, dn := y*L, ((y+1)%L)*L
			for x := range L {
				xr := x + 1
				if xr == L {
					xr = 0
				}
				s := sp[(row+x)*W+w]
				ar, ad := s^sp[(row+xr)*W+w], s^sp[(dn+x)*W+w]
				lo, hi := ar^ad, ar&ad
				// up += s (4-bit ripple)
				c := u0 & s
				u0 ^= s
				d := u1 & c
				u1 ^= c
				e := u2 & d
				u2 ^= d
				u3 ^= e
				// anti += 2*hi + lo (5-bit ripple)
				c = a0 & lo
				a0 ^= lo
				t := a1 ^ hi
				d = a1&hi | c&t
				a1 = t ^ c
				e = a2 & d
				a2 ^= d
				f := a3 & e
				a3 ^= e
				a4 ^= f
				if n++; n == 15 {
					cu[w].addSliced([]uint64{u0, u1, u2, u3})
					ca[w].addSliced([]uint64{a0, a1, a2, a3, a4})
					u0, u1, u2, u3, a0, a1, a2, a3, a4 = 0, 0, 0, 0, 0, 0, 0, 0, 0
					n = 0
				}
			}
		}
		cu[w].addSliced([]uint64{u0, u1, u2, u3})
		ca[w].addSliced([]uint64{a0, a1, a2, a3, a4})
	}
	*anti, *up = [ising.BlockReplicas]int32{}, [ising.BlockReplicas]int32{}
	for w := range W {
		ca[w].unpack(anti[64*w : 64*w+64])
		cu[w].unpack(up[64*w : 64*w+64])
	}
}

// measure fills e (energy per spin) and m (magnetization per spin) for the
// replicas of blocks [0, nb), each of length at least min(Replicas, 256*nb).
func (l *Lattice) measure(nb, threads int, e, m []float64) {
	parallel(nb, threads, func(b int) {
		r := b * ising.BlockReplicas
		l.measureBlock(b, e[r:], m[r:])
	})
}

// measureBlock fills e[q] and m[q] for replica 256*b+q of block b, for the
// replicas below Replicas.
func (l *Lattice) measureBlock(b int, e, m []float64) {
	N := int32(l.L * l.L)
	n := float64(N)
	var anti, up [ising.BlockReplicas]int32
	l.blockCounts(b, &anti, &up)
	for q := range min(ising.BlockReplicas, l.Replicas-b*ising.BlockReplicas) {
		// sum over the 2N bonds of s_i s_j = 2N - 2*anti.
		e[q] = float64(2*anti[q]-2*N) / n
		m[q] = float64(2*up[q]-N) / n
	}
}

// Observables returns, per replica, the energy per spin
// u = -(1/N) sum_<ij> s_i s_j and the magnetization per spin m, using up to
// threads goroutines. Slices of length Replicas are reused when given.
func (l *Lattice) Observables(e, m []float64, threads int) ([]float64, []float64) {
	if len(e) != l.Replicas {
		e = make([]float64, l.Replicas)
	}
	if len(m) != l.Replicas {
		m = make([]float64, l.Replicas)
	}
	l.measure(l.blocks, threads, e, m)
	return e, m
}

// Energies returns the energy per spin of every replica.
func (l *Lattice) Energies() []float64 {
	e, _ := l.Observables(nil, nil, 0)
	return e
}

// Magnetizations returns the magnetization per spin of every replica.
func (l *Lattice) Magnetizations() []float64 {
	_, m := l.Observables(nil, nil, 0)
	return m
}
