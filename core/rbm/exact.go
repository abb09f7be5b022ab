package rbm

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"

	"github.com/isingrbm/isingrbm/asm/pmath"
)

// MaxExactUnits is the largest layer ExactLogZ enumerates (2^24 states).
const MaxExactUnits = 24

// side describes the layer enumerated by the exact computations: x are the
// enumerated units (bias bx), y the units summed out analytically (bias
// by), coupled by m(y, x).
type side struct {
	nx, ny int
	bx, by []float32
	w      []float32 // the RBM's W
	xIsHid bool      // x are the hidden units (W[y*nx+x]) or the visibles (W[x*ny+y])
}

func (r *RBM) exactSide() (side, error) {
	switch {
	case r.NHidden <= MaxExactUnits && r.NHidden <= r.NVisible:
		return side{r.NHidden, r.NVisible, r.C, r.B, r.W, true}, nil
	case r.NVisible <= MaxExactUnits:
		return side{r.NVisible, r.NHidden, r.B, r.C, r.W, false}, nil
	case r.NHidden <= MaxExactUnits:
		return side{r.NHidden, r.NVisible, r.C, r.B, r.W, true}, nil
	}
	return side{}, fmt.Errorf("exact log Z: %d visible and %d hidden units, want one layer of at most %d units (use AIS)",
		r.NVisible, r.NHidden, MaxExactUnits)
}

// coupling returns the weight between enumerated unit x and summed unit y.
func (s *side) coupling(y, x int) float64 {
	if s.xIsHid {
		return float64(s.w[y*s.nx+x])
	}
	return float64(s.w[x*s.ny+y])
}

// addColumn adds sign * m(:, x) to act.
func (s *side) addColumn(act []float64, x int, sign float64) {
	for y := range act {
		act[y] += float64(sign * s.coupling(y, x))
	}
}

// reset sets act = by + m x for the state bits of x and returns bx.x.
func (s *side) reset(act []float64, state uint64) float64 {
	for y := range act {
		act[y] = float64(s.by[y])
	}
	e := 0.0
	for x := 0; x < s.nx; x++ {
		if state>>x&1 != 0 {
			s.addColumn(act, x, 1)
			e += float64(s.bx[x])
		}
	}
	return e
}

// blocks is the number of blocks enumerate splits the states into.
func (s *side) blocks() int { return 1 << min(s.nx, 6) }

// enumerate calls visit(block, state, logWeight, act) for every state of
// the x units, where logWeight = bx.x + sum_y softplus(act_y) is the log of
// the unnormalized marginal of x and act = by + m x. States are visited in
// Gray-code order within s.blocks() blocks spread over the cores; act is
// updated incrementally in float64 and recomputed every 4096 states. All
// states of one block are visited in order by one goroutine, so callers
// accumulate per block and merge the blocks in order: the result is then
// the same whatever the scheduling and the number of workers.
//
// enumerate stops early, returning ctx.Err(), when ctx is cancelled (checked
// every 4096 states).
func (s *side) enumerate(ctx context.Context, workers int, visit func(block int, state uint64, logWeight float64, act []float64)) error {
	blocks := s.blocks()
	done := ctx.Done()
	low := s.nx - min(s.nx, 6)
	workers = max(1, min(workers, blocks))
	var wg sync.WaitGroup
	next := make(chan int, blocks)
	for b := 0; b < blocks; b++ {
		next <- b
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			act := make([]float64, s.ny)
			for blk := range next {
				prefix := uint64(blk) << low
				var state uint64
				var bxx float64
				for i := uint64(0); i < 1<<low; i++ {
					gray := i ^ i>>1
					if i%4096 == 0 {
						if canceled(done) {
							return
						}
						state = prefix | gray
						bxx = s.reset(act, state)
					} else {
						x := bits.TrailingZeros64(i)
						state ^= 1 << x
						if state>>x&1 != 0 {
							s.addColumn(act, x, 1)
							bxx += float64(s.bx[x])
						} else {
							s.addColumn(act, x, -1)
							bxx -= float64(s.bx[x])
						}
					}
					lw := bxx
					for _, a := range act {
						lw += softplus64(a)
					}
					visit(blk, state, lw, act)
				}
			}
		}(w)
	}
	wg.Wait()
	return ctx.Err()
}

// ExactLogZ returns log Z = log sum_{v,h} exp(-E(v,h)) by enumerating the
// smaller layer (at most MaxExactUnits units) and summing the other out
// analytically, with a stable log-sum-exp in float64.
func (r *RBM) ExactLogZ() (float64, error) {
	return r.ExactLogZContext(context.Background())
}

// ExactLogZContext is ExactLogZ stopping with ctx.Err() when ctx is
// cancelled. Blocks are summed in block order, so the result does not depend
// on the scheduling or the number of cores.
func (r *RBM) ExactLogZContext(ctx context.Context) (float64, error) {
	s, err := r.exactSide()
	if err != nil {
		return 0, err
	}
	acc := make([]lse, s.blocks())
	if err := s.enumerate(ctx, runtime.GOMAXPROCS(0), func(blk int, _ uint64, lw float64, _ []float64) { acc[blk].add(lw) }); err != nil {
		return 0, err
	}
	var tot lse
	for _, a := range acc {
		tot.merge(a)
	}
	return tot.value(), nil
}

// ExactLogLikelihood returns the mean of log p(v) = -F(v) - log Z over d,
// with log Z computed exactly.
func (r *RBM) ExactLogLikelihood(d *Dataset) (float64, error) {
	logZ, err := r.ExactLogZ()
	if err != nil {
		return 0, err
	}
	return -r.freeEnergy64Mean(d) - logZ, nil
}

// freeEnergy64Mean is the mean free energy of d computed in float64 without
// the float32 kernels (for the exact paths and tests).
func (r *RBM) freeEnergy64Mean(d *Dataset) float64 {
	r.checkData(d)
	v := make([]float32, r.NVisible)
	s := 0.0
	for i := 0; i < d.N; i++ {
		d.Row(i, v)
		s += r.freeEnergy64(v)
	}
	return s / float64(d.N)
}

// freeEnergy64 is F(v) in float64.
func (r *RBM) freeEnergy64(v []float32) float64 {
	f := -dot64(r.B, v)
	for j := 0; j < r.NHidden; j++ {
		a := float64(r.C[j])
		for i, x := range v {
			if x != 0 {
				a += float64(float64(x) * float64(r.W[i*r.NHidden+j]))
			}
		}
		f -= softplus64(a)
	}
	return f
}

// Gradient holds the derivatives of a scalar with respect to an RBM's
// parameters, in float64 and the RBM's layout.
type Gradient struct {
	W, B, C []float64
}

// ExactGradient returns the gradient of the mean log-likelihood of d,
// <v p(h|v)^T>_data - <v h^T>_model (and likewise for the biases), with the
// model expectations computed by enumeration (see ExactLogZ).
func (r *RBM) ExactGradient(d *Dataset) (Gradient, error) {
	r.checkData(d)
	s, err := r.exactSide()
	if err != nil {
		return Gradient{}, err
	}
	nv, nh := r.NVisible, r.NHidden
	g := Gradient{W: make([]float64, nv*nh), B: make([]float64, nv), C: make([]float64, nh)}
	// Data term.
	v := make([]float32, nv)
	for n := 0; n < d.N; n++ {
		d.Row(n, v)
		for j := 0; j < nh; j++ {
			a := float64(r.C[j])
			for i := range v {
				a += float64(float64(v[i]) * float64(r.W[i*nh+j]))
			}
			p := sigmoid64(a) / float64(d.N)
			g.C[j] += p
			for i := range v {
				g.W[i*nh+j] += float64(float64(v[i]) * p)
			}
		}
		for i := range v {
			g.B[i] += float64(v[i]) / float64(d.N)
		}
	}
	for _, part := range r.exactModelTerm(&s) {
		for i := range g.W {
			g.W[i] -= part.W[i]
		}
		for i := range g.B {
			g.B[i] -= part.B[i]
		}
		for i := range g.C {
			g.C[i] -= part.C[i]
		}
	}
	return g, nil
}

// exactModelTerm returns the model expectations <v h^T>, <v>, <h> by
// enumeration, one partial sum per block (merged by the caller in block
// order, see enumerate): p(x) = exp(logWeight - logZ), E[y|x] =
// sigmoid(act).
func (r *RBM) exactModelTerm(s *side) []Gradient {
	nv, nh := r.NVisible, r.NHidden
	logZ, _ := r.ExactLogZ()
	parts := make([]Gradient, s.blocks())
	for b := range parts {
		parts[b] = Gradient{W: make([]float64, nv*nh), B: make([]float64, nv), C: make([]float64, nh)}
	}
	_ = s.enumerate(context.Background(), runtime.GOMAXPROCS(0), func(blk int, state uint64, lw float64, act []float64) {
		p := pmath.Exp(lw - logZ)
		if p == 0 {
			return
		}
		part := &parts[blk]
		for y, a := range act {
			ey := float64(p * sigmoid64(a))
			if s.xIsHid {
				part.B[y] += ey
			} else {
				part.C[y] += ey
			}
			for x := 0; x < s.nx; x++ {
				if state>>x&1 != 0 {
					if s.xIsHid {
						part.W[y*nh+x] += ey
					} else {
						part.W[x*nh+y] += ey
					}
				}
			}
		}
		for x := 0; x < s.nx; x++ {
			if state>>x&1 != 0 {
				if s.xIsHid {
					part.C[x] += p
				} else {
					part.B[x] += p
				}
			}
		}
	})
	return parts
}

// lse accumulates log sum exp of a stream of values in float64.
type lse struct {
	max, sum float64 // sum of exp(x - max); max = -Inf when empty
	n        int
}

func (l *lse) add(x float64) {
	if l.n == 0 {
		l.max, l.sum, l.n = x, 1, 1
		return
	}
	l.n++
	if x > l.max {
		l.sum = float64(l.sum*pmath.Exp(l.max-x)) + 1
		l.max = x
	} else {
		l.sum += pmath.Exp(x - l.max)
	}
}

func (l *lse) merge(o lse) {
	if o.n == 0 {
		return
	}
	if l.n == 0 {
		*l = o
		return
	}
	if o.max > l.max {
		l.sum = float64(l.sum*pmath.Exp(l.max-o.max)) + o.sum
		l.max = o.max
	} else {
		l.sum += float64(o.sum * pmath.Exp(o.max-l.max))
	}
	l.n += o.n
}

func (l *lse) value() float64 {
	if l.n == 0 {
		return math.Inf(-1)
	}
	return l.max + pmath.Log(l.sum)
}
