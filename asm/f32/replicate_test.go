package f32

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// TestReplicate: fill runs once per thread, on the caller for the caller's
// slice; the products that follow read, on goroutine i, the copy that
// goroutine wrote (copies made to differ here, to see which one is read:
// A with copy-dependent rows gives per-thread outputs that reveal it);
// with equal copies every form gives the one-thread bits; Unreplicate and
// a different A operand fall back to the caller's slice; and nothing
// allocates once the copies exist.
func TestReplicate(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		ref := newTestWorkspace(1)
		for _, th := range []int{1, 2, 3} {
			w := newTestWorkspace(th)
			for _, s := range [][3]int{{1, 1, 1}, {7, 33, 17}, {100, 400, 300}, {31, 1601, 9}, {64, 16, 257}} {
				m, n, k := s[0], s[1], s[2]
				src := make([]float32, m*k)
				for i := range src {
					src[i] = float32(rng.NormFloat64())
				}
				b := make([]float32, max(k, m)*max(n, k))
				for i := range b {
					b[i] = float32(rng.NormFloat64())
				}
				bias := make([]float32, max(n, k))
				a := make([]float32, len(src)+5) // A is a prefix: the replicated slice may be longer
				var mu sync.Mutex
				calls := 0
				w.Replicate(a, func(dst []float32) {
					mu.Lock()
					calls++
					mu.Unlock()
					clear(dst[copy(dst, src):])
				})
				if calls != th {
					t.Fatalf("threads=%d: fill ran %d times", th, calls)
				}
				for f := formNN; f <= formSigNT; f++ {
					got, want := make([]float32, max(m, k)*max(n, k)), make([]float32, max(m, k)*max(n, k))
					runReplicaForm(w, f, m, n, k, a, b, bias, got)
					runReplicaForm(ref, f, m, n, k, src, b, bias, want)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("threads=%d %dx%dx%d form %d: element %d %v, want %v", th, m, n, k, f, i, got[i], want[i])
						}
					}
				}
				allocs := testing.AllocsPerRun(5, func() { w.Replicate(a, func(dst []float32) { clear(dst[copy(dst, src):]) }) })
				if allocs > 1 { // the closure literal itself may escape
					t.Errorf("threads=%d: Replicate allocates %v times per call", th, allocs)
				}
				w.Unreplicate()
			}
			if th == 1 {
				continue
			}
			// Copies that differ: thread i's copy is all i+1. An NN
			// product with B all ones split by columns gives column block
			// j of C the value k*(i+1) of the thread that computed it.
			// Two operands at once: a's copies hold i+1, a2's 10*(i+1).
			m, n, k := 4, 64*th, 3
			a, a2 := make([]float32, m*k), make([]float32, m*k)
			for _, x := range []struct {
				a     []float32
				scale float32
			}{{a, 1}, {a2, 10}} {
				w.Replicate(x.a, func(dst []float32) {
					v := float32(1)
					for i := 1; i < th; i++ {
						for r := range w.nrep {
							if &dst[0] == &w.reps[r][i][0] {
								v = float32(i + 1)
							}
						}
					}
					for j := range dst {
						dst[j] = x.scale * v
					}
				})
			}
			b := make([]float32, k*n)
			for i := range b {
				b[i] = 1
			}
			c := make([]float32, m*n)
			if raceEnabled {
				// Race builds check every copy against the operand.
				func() {
					defer func() {
						if recover() == nil {
							t.Errorf("threads=%d: copies that differ from the operand did not panic in a race build", th)
						}
					}()
					w.GemmNN(m, n, k, 1, a, k, b, n, 0, c, n)
				}()
				w.Unreplicate()
				continue
			}
			for _, x := range []struct {
				a     []float32
				scale float32
			}{{a, 1}, {a2, 10}} {
				w.GemmNN(m, n, k, 1, x.a, k, b, n, 0, c, n)
				seen := map[float32]bool{}
				for _, v := range c {
					seen[v] = true
				}
				if len(seen) != th || !seen[x.scale*float32(k)] {
					t.Fatalf("threads=%d: the split product read copies %v, want one value per thread (%v*k*(i+1))", th, seen, x.scale)
				}
			}
			// A sub-slice starting elsewhere, and after Unreplicate: the
			// caller's slice on every thread.
			w.GemmNN(m-1, n, k, 1, a[k:], k, b, n, 0, c, n)
			for i, v := range c[:(m-1)*n] {
				if v != float32(k) {
					t.Fatalf("threads=%d: offset A: element %d = %v, want %d", th, i, v, k)
				}
			}
			w.Unreplicate()
			w.GemmNN(m, n, k, 1, a, k, b, n, 0, c, n)
			for i, v := range c {
				if v != float32(k) {
					t.Fatalf("threads=%d: after Unreplicate: element %d = %v, want %d", th, i, v, k)
				}
			}
		}
	})
}

func runReplicaForm(w *Workspace, f form, m, n, k int, a, b, bias, c []float32) {
	switch f {
	case formNN:
		w.GemmNN(m, n, k, 1, a, k, b, n, 0, c, n)
	case formNT:
		w.GemmNT(m, n, k, 1, a, k, b, k, 0, c, n)
	case formTN:
		w.GemmTN(k, n, m, 1, a, k, b[:m*n], n, 0, c[:k*n], n)
	case formSigNN:
		w.SigmoidAffineNN(m, n, k, a, k, b, n, bias[:n], c, n)
	case formSigNT:
		w.SigmoidAffineNT(m, n, k, a, k, b, k, bias[:n], c, n)
	}
}
