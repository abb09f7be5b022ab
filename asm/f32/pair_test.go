package f32

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// TestGemmTNPair: GemmTNPair gives the bits of its two GemmTN calls, one
// after the other, for edge and random shapes (including k = 0 and
// alpha = 0 in either product, depths above one k-block and C taller than
// one row block of pairSerial), at 1, 2 and 3 threads under every
// implementation, and writes nothing outside C's m x n elements (guard
// values in the padding of ldc and past the end).
func TestGemmTNPair(t *testing.T) {
	type shape struct{ m, n, k1, k2 int }
	var shapes []shape
	dims := []int{0, 1, 9, 16, 17, 33}
	for _, m := range dims {
		for _, n := range dims {
			shapes = append(shapes, shape{m, n, 1 + (m+n)%7, (m * n) % 5})
		}
	}
	shapes = append(shapes, shape{1600, 400, 100, 100}, shape{700, 33, 300, 257}, shape{161, 1601, 20, 3}, shape{41, 17, 0, 5})
	alphas := []float32{1, -0.01, 0, 2}
	betas := []float32{0, 1, -0.5}
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		for _, th := range []int{1, 2, 3} {
			w, ref := newTestWorkspace(th), newTestWorkspace(1)
			for q, s := range shapes {
				if (testing.Short() || raceEnabled) && s.m*s.n*(s.k1+s.k2) > 1<<22 {
					continue
				}
				m, n, k1, k2 := s.m, s.n, s.k1, s.k2
				lda1, lda2, ldb1, ldb2, ldc := max(1, m)+q%3, max(1, m)+1, max(1, n)+q%2, max(1, n), max(1, n)+3
				fill := func(l int) []float32 {
					x := make([]float32, l)
					for i := range x {
						x[i] = float32(rng.NormFloat64())
					}
					return x
				}
				a1, b1 := fill(max(1, k1*lda1)), fill(max(1, k1*ldb1))
				a2, b2 := fill(max(1, k2*lda2)), fill(max(1, k2*ldb2))
				alpha1, alpha2, beta := alphas[q%4], alphas[(q/4+1)%4], betas[q%3]
				c0 := fill(max(1, m*ldc) + 16)
				got, want := append([]float32(nil), c0...), append([]float32(nil), c0...)
				w.GemmTNPair(m, n, k1, alpha1, a1, lda1, b1, ldb1, beta, k2, alpha2, a2, lda2, b2, ldb2, got, ldc)
				ref.GemmTN(m, n, k1, alpha1, a1, lda1, b1, ldb1, beta, want, ldc)
				ref.GemmTN(m, n, k2, alpha2, a2, lda2, b2, ldb2, 1, want, ldc)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("threads=%d %dx%d k=%d,%d alpha=%v,%v beta=%v: element %d (row %d col %d) %v, want %v",
							th, m, n, k1, k2, alpha1, alpha2, beta, i, i/ldc, i%ldc, got[i], want[i])
					}
				}
			}
		}
	})
}

// TestGemmTNPairUpdate: the bits of GemmTNPair followed by Update or
// UpdateProximal, for C, W and Vel, and for W and Vel with no C (the
// gradient not kept), at 1, 2 and 3 threads under every implementation,
// on shapes with several row blocks per thread, an edge of one row, k = 0
// in a product, and no allocation.
func TestGemmTNPairUpdate(t *testing.T) {
	shapes := [][4]int{{1, 1, 1, 1}, {5, 0, 3, 2}, {0, 4, 3, 2}, {17, 9, 3, 0}, {33, 16, 5, 7}, {1600, 400, 100, 100}, {701, 33, 20, 300}}
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(23, 24))
		fill := func(l int) []float32 {
			x := make([]float32, l)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
				if i%7 == 0 {
					x[i] = 0 // sign(0) = 0 and the proximal step's zero
				}
			}
			return x
		}
		for _, th := range []int{1, 2, 3} {
			w, ref := newTestWorkspace(th), newTestWorkspace(1)
			for q, s := range shapes {
				if (testing.Short() || raceEnabled) && s[0]*s[1]*(s[2]+s[3]) > 1<<22 {
					continue
				}
				m, n, k1, k2 := s[0], s[1], s[2], s[3]
				lda, ldb := max(1, m), max(1, n) // n = 0: strides of 1, C of no elements
				a1, b1, a2, b2 := fill(max(1, k1*m)), fill(max(1, k1*n)), fill(max(1, k2*m)), fill(max(1, k2*n))
				for _, prox := range []bool{false, true} {
					c0, w0, v0 := fill(m*n), fill(m*n), fill(m*n)
					clone := func(x []float32) []float32 { return append([]float32(nil), x...) }
					// run checks GemmTNPairUpdate into c (nil: the gradient
					// not kept, with beta 0) against GemmTNPair then
					// Update, and that it allocates nothing.
					run := func(c []float32, beta float32) {
						rc, rw, rv := clone(c0), clone(w0), clone(v0)
						u := UpdateRule{W: clone(w0), Vel: clone(v0), LR: 0.01, Momentum: 0.9, L1: 1e-3 * float32(q%2), L2: 2e-4, Proximal: prox}
						w.GemmTNPairUpdate(m, n, k1, 0.5, a1, lda, b1, ldb, beta, k2, -0.5, a2, lda, b2, ldb, c, u)
						ref.GemmTNPair(m, n, k1, 0.5, a1, lda, b1, ldb, beta, k2, -0.5, a2, lda, b2, ldb, rc, ldb)
						if prox {
							UpdateProximal(rw, rv, rc, u.LR, u.Momentum, u.L1, u.L2)
						} else {
							Update(rw, rv, rc, u.LR, u.Momentum, u.L1, u.L2)
						}
						type pair struct {
							name      string
							got, want []float32
						}
						pairs := []pair{{"W", u.W, rw}, {"Vel", u.Vel, rv}}
						if c != nil {
							pairs = append(pairs, pair{"C", c, rc})
						}
						for _, x := range pairs {
							for i := range x.got {
								if math.Float32bits(x.got[i]) != math.Float32bits(x.want[i]) {
									t.Fatalf("threads=%d %dx%d k=%d,%d prox=%v c nil=%v: %s[%d] = %v, want %v", th, m, n, k1, k2, prox, c == nil, x.name, i, x.got[i], x.want[i])
								}
							}
						}
						if allocs := testing.AllocsPerRun(3, func() {
							w.GemmTNPairUpdate(m, n, k1, 0.5, a1, lda, b1, ldb, 0, k2, -0.5, a2, lda, b2, ldb, c, u)
						}); allocs != 0 {
							t.Errorf("threads=%d %dx%d c nil=%v: %v allocations", th, m, n, c == nil, allocs)
						}
					}
					run(clone(c0), float32(q%2))
					run(nil, 0)
				}
			}
		}
	})
}
