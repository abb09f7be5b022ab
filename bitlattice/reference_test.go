package bitlattice

import (
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/asm/rng"
)

// refBlock is a plain scalar Metropolis simulation of the 256 replicas of
// one block: int8 spins +-1 per replica and site, and the block's four
// generator streams. It follows the documented rules of package asm/ising
// replica by replica, without bit slicing.
type refBlock struct {
	L     int
	s     [ising.BlockReplicas][]int8
	g     [ising.BlockWords]rng.Xoshiro256
	p4    uint32
	p8    uint32
	steps int // comparison steps drawn in all
}

func newRefBlock(l *Lattice, b int, K float64) *refBlock {
	th, _ := ising.NewThresholds(K)
	rb := &refBlock{L: l.L, p4: th.P4, p8: th.P8}
	for q := range ising.BlockReplicas {
		rb.s[q] = make([]int8, l.L*l.L)
		r := b*ising.BlockReplicas + q
		for site := range rb.s[q] {
			w, bit := q/64, uint(q%64)
			v := l.block(b)[site*ising.BlockWords+w] >> bit & 1
			_ = r
			rb.s[q][site] = int8(2*v) - 1
		}
	}
	for w := range ising.BlockWords {
		for i := range 4 {
			rb.g[w].S[i] = l.state[b][4*i+w]
		}
	}
	return rb
}

func (rb *refBlock) sweep() {
	L := rb.L
	for y := range L {
		for _, start := range []int{0, 1} {
			for x := start; x < L; x += 2 {
				rb.update(x, y)
			}
		}
	}
}

func (rb *refBlock) update(x, y int) {
	L := rb.L
	site := y*L + x
	nbs := [4]int{y*L + (x+L-1)%L, y*L + (x+1)%L, ((y+L-1)%L)*L + x, ((y+1)%L)*L + x}
	var threshold [ising.BlockReplicas]uint32
	var eligible, decided, accept [ising.BlockReplicas]bool
	for q := range ising.BlockReplicas {
		h := 0
		for _, nb := range nbs {
			h += int(rb.s[q][nb])
		}
		dE := 2 * int(rb.s[q][site]) * h
		switch dE {
		case 4:
			eligible[q], threshold[q] = true, rb.p4
		case 8:
			eligible[q], threshold[q] = true, rb.p8
		}
	}
	for k := 0; k < ising.Steps; k++ {
		if k >= ising.Unconditional {
			all := true
			for q := range ising.BlockReplicas {
				if eligible[q] && !decided[q] {
					all = false
				}
			}
			if all {
				break
			}
		}
		var words [ising.BlockWords]uint64
		for w := range words {
			words[w] = rb.g[w].Uint64()
		}
		rb.steps++
		for q := range ising.BlockReplicas {
			if !eligible[q] || decided[q] {
				continue
			}
			u := uint32(words[q/64] >> uint(q%64) & 1)
			p := threshold[q] >> uint(ising.Steps-1-k) & 1
			if u != p {
				decided[q], accept[q] = true, u < p
			}
		}
	}
	for q := range ising.BlockReplicas {
		if !eligible[q] || accept[q] {
			rb.s[q][site] = -rb.s[q][site]
		}
	}
}

// TestKernelMatchesScalarReference runs every kernel through Lattice.Sweep
// against the scalar int8 reference with the same streams.
func TestKernelMatchesScalarReference(t *testing.T) {
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		seed := uint64(10)
		for _, L := range []int{2, 3, 4, 5, 7, 16} {
			for _, K := range []float64{0, 0.2, 0.4407, 0.6, 2} {
				seed++
				for _, hot := range []bool{true, false} {
					l, err := NewLattice(L, 300, seed, hot)
					if err != nil {
						t.Fatal(err)
					}
					if !hot {
						// A cold start has no anti-aligned bonds; perturb it.
						for r := 0; r < l.Replicas; r += 7 {
							c := l.Config(r, nil)
							c[r%len(c)] ^= 1
							l.SetConfig(r, c)
						}
					}
					refs := []*refBlock{newRefBlock(l, 0, K), newRefBlock(l, 1, K)}
					sweeps := 3
					if err := l.Sweep(K, sweeps, 2); err != nil {
						t.Fatal(err)
					}
					for _, rb := range refs {
						for range sweeps {
							rb.sweep()
						}
					}
					for b, rb := range refs {
						for q := range ising.BlockReplicas {
							r := b*ising.BlockReplicas + q
							if r >= l.Replicas {
								break
							}
							c := l.Config(r, nil)
							for site, v := range c {
								if int8(2*v)-1 != rb.s[q][site] {
									t.Fatalf("%s L=%d K=%v hot=%v: replica %d site %d differs from the scalar reference",
										asm.Active("ising"), L, K, hot, r, site)
								}
							}
						}
						for w := range ising.BlockWords {
							for i := range 4 {
								if rb.g[w].S[i] != l.state[b][4*i+w] {
									t.Fatalf("L=%d K=%v: stream %d of block %d advanced differently from the reference", L, K, w, b)
								}
							}
						}
					}
				}
			}
		}
	})
}
