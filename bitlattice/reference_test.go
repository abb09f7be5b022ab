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
// generator streams (rng.Xoshiro256 or rng.SFC64, one per word, each a
// state of four words). It follows the documented rules of package
// asm/ising replica by replica, without bit slicing.
type refBlock struct {
	L     int
	gen   ising.Generator
	s     [ising.BlockReplicas][]int8
	g     [ising.BlockWords][4]uint64 // the state of stream w
	p4    uint32
	p8    uint32
	steps int // comparison steps drawn in all
}

// newRefBlock returns the reference of block b of l at coupling K: the
// block's current configurations, and streams seeded as NewLatticeGen
// documents for l's generator (seed and hot as l was made with), not
// copied from l, so that the comparison checks the seeding too. Call it
// before l sweeps.
func newRefBlock(l *Lattice, b int, K float64, seed uint64, hot bool) *refBlock {
	th, _ := ising.NewThresholds(K)
	rb := &refBlock{L: l.L, gen: l.Generator(), p4: th.P4, p8: th.P8}
	for q := range ising.BlockReplicas {
		rb.s[q] = make([]int8, l.L*l.L)
		for site := range rb.s[q] {
			w, bit := q/64, uint(q%64)
			v := l.block(b)[site*ising.BlockWords+w] >> bit & 1
			rb.s[q][site] = int8(2*v) - 1
		}
	}
	for w := range ising.BlockWords {
		// Stream 4b+w first draws the start configuration of word w: one
		// output per site (hot) or one for all sites (cold).
		x := rng.Stream(seed, uint64(ising.BlockWords*b+w))
		draws := 1
		if hot {
			draws = l.L * l.L
		}
		for range draws {
			x.Uint64()
		}
		switch rb.gen {
		case ising.Xoshiro256pp:
			rb.g[w] = x.S
		case ising.SFC64:
			rb.g[w] = rng.NewSFC64(x.Uint64(), x.Uint64(), x.Uint64()).S
		default:
			panic("refBlock: unknown generator")
		}
	}
	return rb
}

// next returns the next output of stream w.
func (rb *refBlock) next(w int) uint64 {
	switch rb.gen {
	case ising.SFC64:
		g := rng.SFC64{S: rb.g[w]}
		r := g.Uint64()
		rb.g[w] = g.S
		return r
	default:
		g := rng.Xoshiro256{S: rb.g[w]}
		r := g.Uint64()
		rb.g[w] = g.S
		return r
	}
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
		if k >= rb.gen.UnconditionalSteps() {
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
			words[w] = rb.next(w)
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
// against the scalar int8 reference, for both generators: the
// configurations and the streams' states must agree bit for bit after
// three sweeps, and the streams must start as NewLatticeGen documents.
func TestKernelMatchesScalarReference(t *testing.T) {
	asmtest.TestAll(t, "ising", func(t *testing.T) {
		for _, gen := range []ising.Generator{ising.Xoshiro256pp, ising.SFC64} {
			seed := uint64(10)
			for _, L := range []int{2, 3, 4, 5, 7, 16} {
				for _, K := range []float64{0, 0.2, 0.4407, 0.6, 2} {
					seed++
					for _, hot := range []bool{true, false} {
						checkKernelAgainstReference(t, gen, L, K, seed, hot)
					}
				}
			}
		}
	})
}

// checkKernelAgainstReference sweeps a lattice of 300 replicas (two blocks,
// the second partly padding) three times and compares it with refBlock.
func checkKernelAgainstReference(t *testing.T, gen ising.Generator, L int, K float64, seed uint64, hot bool) {
	t.Helper()
	l, err := NewLatticeGen(L, 300, seed, hot, gen)
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
	refs := []*refBlock{newRefBlock(l, 0, K, seed, hot), newRefBlock(l, 1, K, seed, hot)}
	for b, rb := range refs {
		for w := range ising.BlockWords {
			for i := range 4 {
				if rb.g[w][i] != l.state[b][4*i+w] {
					t.Fatalf("%v L=%d seed=%d hot=%v: stream %d of block %d is not seeded as documented", gen, L, seed, hot, w, b)
				}
			}
		}
	}
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
					t.Fatalf("%s %v L=%d K=%v hot=%v: replica %d site %d differs from the scalar reference",
						asm.Active("ising"), gen, L, K, hot, r, site)
				}
			}
		}
		for w := range ising.BlockWords {
			for i := range 4 {
				if rb.g[w][i] != l.state[b][4*i+w] {
					t.Fatalf("%s %v L=%d K=%v: stream %d of block %d advanced differently from the reference",
						asm.Active("ising"), gen, L, K, w, b)
				}
			}
		}
	}
}
