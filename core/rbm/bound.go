package rbm

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/isingrbm/isingrbm/asm/rng"
)

// BoundResult is the variational lower bound on log p(v) of a DBN, one
// Monte Carlo estimate per sample of the data.
type BoundResult struct {
	Depth   int       // layers of the DBN whose bound it is
	Samples int       // draws of h ~ q(h|v) per data sample
	Mean    float64   // mean over data samples of the estimated bound
	StdErr  float64   // standard error of Mean from the draws of h (log Z's error not included)
	PerRow  []float64 // the estimate for every data sample
}

// VariationalBound estimates, for every configuration of data, the lower
// bound on log p(v) of the DBN made of the first depth layers of d
// (Hinton, Osindero & Teh 2006; Salakhutdinov & Murray 2008, sec. 4):
//
//	log p(v) >= E_q[ sum_{l=1}^{depth-1} (log p(h_{l-1}|h_l) - log q(h_l|h_{l-1}))
//	                 - F_depth(h_{depth-1}) ] - log Z_depth
//
// with h_0 = v, q(h_l|h_{l-1}) = prod_j sigmoid(c_l + h_{l-1} W_l)_j the
// recognition pass up the stack, p(h_{l-1}|h_l) = prod_i sigmoid(b_l +
// W_l h_l)_i the generative (directed) layers, and the top RBM's free energy
// F_depth and log partition function logZTop (exact or from AIS). The
// expectation is estimated with samples binary draws of the h's per
// configuration; every configuration's draws come from its own stream of
// seed, so the result does not depend on the number of cores. For depth 1
// the bound is log p(v) = -F_1(v) - log Z_1 itself. Sums are in float64.
func (d *DBN) VariationalBound(ctx context.Context, data *Dataset, depth int, logZTop float64, samples int, seed uint64) (BoundResult, error) {
	if depth < 1 || depth > len(d.Layers) {
		return BoundResult{}, fmt.Errorf("VariationalBound: depth %d, want 1..%d", depth, len(d.Layers))
	}
	if samples < 1 {
		return BoundResult{}, fmt.Errorf("VariationalBound: %d samples, want >= 1", samples)
	}
	if data.D != d.Layers[0].NVisible {
		return BoundResult{}, fmt.Errorf("VariationalBound: data has %d units per sample, the DBN %d visible units", data.D, d.Layers[0].NVisible)
	}
	if !data.Binary() {
		// log p(v) of a Bernoulli RBM is defined for v in {0,1}^D; the
		// recognition pass and the free energy below read v as binary.
		return BoundResult{}, fmt.Errorf("VariationalBound: the data are probabilities in [0,1], want binary (0 or 1) configurations")
	}
	res := BoundResult{Depth: depth, Samples: samples, PerRow: make([]float64, data.N)}
	variances := make([]float64, data.N)
	workers := min(runtime.GOMAXPROCS(0), max(1, data.N))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := 0
	const chunk = 64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBoundWork(d, depth)
			for {
				mu.Lock()
				if firstErr == nil {
					if err := ctx.Err(); err != nil {
						firstErr = err
					}
				}
				lo := next
				next += chunk
				stop := firstErr != nil
				mu.Unlock()
				if stop || lo >= data.N {
					return
				}
				for i := lo; i < min(lo+chunk, data.N); i++ {
					data.Row(i, b.v)
					g := rng.Stream(seed, uint64(i))
					s, s2 := 0.0, 0.0
					for k := 0; k < samples; k++ {
						x := b.draw(&g)
						s += x
						s2 += float64(x * x)
					}
					m := s / float64(samples)
					res.PerRow[i] = m - logZTop
					if samples > 1 {
						variances[i] = math.Max(0, s2/float64(samples)-float64(m*m)) * float64(samples) / float64(samples-1) / float64(samples)
					}
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return BoundResult{}, firstErr
	}
	sum, sum2 := 0.0, 0.0
	for _, x := range res.PerRow {
		sum += x
		sum2 += float64(x * x)
	}
	n := float64(data.N)
	res.Mean = sum / n
	// The draws are independent across rows, so the mean's error from the
	// draws is sqrt(sum of per-row variances)/n; with one draw per row the
	// per-row variances are unknown and the spread over rows (which also
	// holds the rows' own variation) bounds it from above.
	if samples > 1 {
		v := 0.0
		for _, x := range variances {
			v += x
		}
		res.StdErr = math.Sqrt(v) / n
	} else if data.N > 1 {
		res.StdErr = math.Sqrt(math.Max(0, (sum2-sum*sum/n)/(n-1)) / n)
	}
	return res, nil
}

// boundWork holds one worker's buffers.
type boundWork struct {
	d     *DBN
	depth int
	v     []float32
	h     [][]float64 // h[l]: the state of layer l (h[0] = v)
	act   []float64
}

func newBoundWork(d *DBN, depth int) *boundWork {
	b := &boundWork{d: d, depth: depth, v: make([]float32, d.Layers[0].NVisible)}
	b.h = make([][]float64, depth)
	b.h[0] = make([]float64, d.Layers[0].NVisible)
	n := d.Layers[0].NVisible
	for l := 1; l < depth; l++ {
		b.h[l] = make([]float64, d.Layers[l-1].NHidden)
		n = max(n, d.Layers[l-1].NHidden)
	}
	for _, r := range d.Layers[:depth] {
		n = max(n, r.NHidden)
	}
	b.act = make([]float64, n)
	return b
}

// logBernoulli returns log sigmoid(a) for x = 1 and log(1 - sigmoid(a)) for
// x = 0, stably.
func logBernoulli(x, a float64) float64 {
	if x != 0 {
		return -softplus64(-a)
	}
	return -softplus64(a)
}

// draw samples h_1..h_{depth-1} from q given b.v and returns the bound's
// integrand without -log Z.
func (b *boundWork) draw(g *rng.Xoshiro256) float64 {
	for i, x := range b.v {
		b.h[0][i] = float64(x)
	}
	total := 0.0
	for l := 1; l < b.depth; l++ {
		r := b.d.Layers[l-1]
		below, up := b.h[l-1], b.h[l]
		// q(h_l | h_{l-1}): sample and add -log q.
		act := b.hiddenInput(r, below)
		for j, a := range act {
			p := sigmoid64(a)
			x := 0.0
			if g.Float64() < p {
				x = 1
			}
			up[j] = x
			total -= logBernoulli(x, a)
		}
		// p(h_{l-1} | h_l) through layer l's generative weights.
		for i := 0; i < r.NVisible; i++ {
			a := float64(r.B[i])
			row := r.W[i*r.NHidden : (i+1)*r.NHidden]
			for j, x := range up {
				if x != 0 {
					a += float64(row[j])
				}
			}
			total += logBernoulli(below[i], a)
		}
	}
	// The top RBM's unnormalized log marginal of its visible layer.
	top := b.d.Layers[b.depth-1]
	in := b.h[b.depth-1]
	f := 0.0
	for i, x := range in {
		f += float64(float64(top.B[i]) * x)
	}
	for _, a := range b.hiddenInput(top, in) {
		f += softplus64(a)
	}
	return total + f
}

// hiddenInput returns c + x W of r for a binary x, in float64 (b.act).
func (b *boundWork) hiddenInput(r *RBM, x []float64) []float64 {
	act := b.act[:r.NHidden]
	for j := range act {
		act[j] = float64(r.C[j])
	}
	for i, xi := range x {
		if xi != 0 {
			for j, w := range r.W[i*r.NHidden : (i+1)*r.NHidden] {
				act[j] += float64(w)
			}
		}
	}
	return act
}
