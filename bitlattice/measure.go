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

// sliceCounts holds the small bit-sliced counters of one word: up spins
// (4 bits) and anti-aligned bonds (5 bits), good for 15 sites.
type sliceCounts struct{ u0, u1, u2, u3, a0, a1, a2, a3, a4 uint64 }

// flush adds the small counters into the wide ones and clears them.
func (k *sliceCounts) flush(up, anti *counter) {
	up.addSliced([]uint64{k.u0, k.u1, k.u2, k.u3})
	anti.addSliced([]uint64{k.a0, k.a1, k.a2, k.a3, k.a4})
	*k = sliceCounts{}
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
	// of each site), which are then added into the wide counters. Two words
	// go through the loop together: their counters are independent chains.
	for w := 0; w < W; w += 2 {
		var p, q sliceCounts
		n := 0
		for y := range L {
			row := sp[y*L*W : (y+1)*L*W]
			dn := sp[((y+1)%L)*L*W : ((y+1)%L+1)*L*W]
			for x := range L {
				xr := x + 1
				if xr == L {
					xr = 0
				}
				c, r, d := row[x*W+w:x*W+w+2], row[xr*W+w:xr*W+w+2], dn[x*W+w:x*W+w+2]
				s0, s1 := c[0], c[1]
				ar0, ad0, ar1, ad1 := s0^r[0], s0^d[0], s1^r[1], s1^d[1]
				lo0, hi0, lo1, hi1 := ar0^ad0, ar0&ad0, ar1^ad1, ar1&ad1
				// up += s (4-bit ripple), both words
				c0, c1 := p.u0&s0, q.u0&s1
				p.u0 ^= s0
				q.u0 ^= s1
				d0, d1 := p.u1&c0, q.u1&c1
				p.u1 ^= c0
				q.u1 ^= c1
				e0, e1 := p.u2&d0, q.u2&d1
				p.u2 ^= d0
				q.u2 ^= d1
				p.u3 ^= e0
				q.u3 ^= e1
				// anti += 2*hi + lo (5-bit ripple), both words
				c0, c1 = p.a0&lo0, q.a0&lo1
				p.a0 ^= lo0
				q.a0 ^= lo1
				t0, t1 := p.a1^hi0, q.a1^hi1
				d0, d1 = p.a1&hi0|c0&t0, q.a1&hi1|c1&t1
				p.a1, q.a1 = t0^c0, t1^c1
				e0, e1 = p.a2&d0, q.a2&d1
				p.a2 ^= d0
				q.a2 ^= d1
				f0, f1 := p.a3&e0, q.a3&e1
				p.a3 ^= e0
				q.a3 ^= e1
				p.a4 ^= f0
				q.a4 ^= f1
				if n++; n == 15 {
					p.flush(&cu[w], &ca[w])
					q.flush(&cu[w+1], &ca[w+1])
					n = 0
				}
			}
		}
		p.flush(&cu[w], &ca[w])
		q.flush(&cu[w+1], &ca[w+1])
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
