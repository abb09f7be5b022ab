package ising

import "math/bits"

// sweepGeneric is the portable kernel and the reference of the others,
// for streams of kind gen.
func sweepGeneric(gen Generator, spins []uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int) {
	unconditional := gen.UnconditionalSteps()
	var s0, s1, s2, s3 [BlockWords]uint64
	for w := range BlockWords {
		s0[w], s1[w], s2[w], s3[w] = state[w], state[4+w], state[8+w], state[12+w]
	}
	for range sweeps {
		for y := range L {
			row := y * L
			up := ((y + L - 1) % L) * L
			dn := ((y + 1) % L) * L
			for pass := range 2 {
				for x := pass; x < L; x += 2 {
					xl, xr := x-1, x+1
					if x == 0 {
						xl = L - 1
					}
					if xr == L {
						xr = 0
					}
					c := (row + x) * BlockWords
					l, r := (row+xl)*BlockWords, (row+xr)*BlockWords
					u, d := (up+x)*BlockWords, (dn+x)*BlockWords
					var is4, is8, und, acc, ge2 [BlockWords]uint64
					for w := range BlockWords {
						s := spins[c+w]
						a1, a2 := s^spins[l+w], s^spins[r+w]
						a3, a4 := s^spins[u+w], s^spins[d+w]
						x1, c1 := a1^a2, a1&a2
						x2, c2 := a3^a4, a3&a4
						one := (x1 ^ x2) &^ (c1 | c2) // exactly one anti-aligned bond
						any := x1 | c1 | x2 | c2      // at least one
						is4[w] = one
						is8[w] = ^any
						ge2[w] = any &^ one
						und[w] = one | ^any
					}
					for k := 0; k < Steps; k++ {
						if k >= unconditional && und[0]|und[1]|und[2]|und[3] == 0 {
							break
						}
						m4, m8 := &th.M4[k], &th.M8[k]
						for w := range BlockWords {
							var rnd uint64
							if gen == SFC64 {
								// SFC64 of stream w: a, b, c, counter.
								rnd = s0[w] + s1[w] + s3[w]
								s3[w]++
								s0[w] = s1[w] ^ s1[w]>>11
								s1[w] = s2[w] + s2[w]<<3
								s2[w] = bits.RotateLeft64(s2[w], 24) + rnd
							} else {
								// xoshiro256++ of stream w.
								rnd = bits.RotateLeft64(s0[w]+s3[w], 23) + s0[w]
								t := s1[w] << 17
								s2[w] ^= s0[w]
								s3[w] ^= s1[w]
								s1[w] ^= s2[w]
								s0[w] ^= s3[w]
								s2[w] ^= t
								s3[w] = bits.RotateLeft64(s3[w], 45)
							}

							thr := is4[w]&m4[w] | is8[w]&m8[w]
							acc[w] |= und[w] & thr &^ rnd
							und[w] &^= rnd ^ thr
						}
					}
					for w := range BlockWords {
						spins[c+w] ^= acc[w] | ge2[w]
					}
				}
			}
		}
	}
	for w := range BlockWords {
		state[w], state[4+w], state[8+w], state[12+w] = s0[w], s1[w], s2[w], s3[w]
	}
}
