package rbm

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/core/stats"
)

// tinyDBN returns a DBN of the given sizes with N(0, sigma^2) weights and
// biases.
func tinyDBN(sizes []int, sigma float64, seed uint64) *DBN {
	g := rng.Stream(seed, 1)
	norm := func() float32 {
		// Box-Muller from two uniforms.
		u1, u2 := g.Float64(), g.Float64()
		return float32(sigma * math.Sqrt(-2*math.Log(1-u1)) * math.Cos(2*math.Pi*u2))
	}
	d := &DBN{}
	for l := 0; l+1 < len(sizes); l++ {
		r := NewRBM(sizes[l], sizes[l+1])
		for i := range r.W {
			r.W[i] = norm()
		}
		for i := range r.B {
			r.B[i] = norm()
		}
		for i := range r.C {
			r.C[i] = norm()
		}
		d.Layers = append(d.Layers, r)
	}
	return d
}

// bitsOf returns the n low bits of s as 0/1 values.
func bitsOf(s uint64, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(s >> i & 1)
	}
	return x
}

func act64(r *RBM, x []float64) []float64 {
	a := make([]float64, r.NHidden)
	for j := range a {
		a[j] = float64(r.C[j])
		for i, xi := range x {
			a[j] += xi * float64(r.W[i*r.NHidden+j])
		}
	}
	return a
}

// logDown is log p(below | up) through r's generative weights.
func logDown(r *RBM, below, up []float64) float64 {
	s := 0.0
	for i, x := range below {
		a := float64(r.B[i])
		for j, y := range up {
			a += y * float64(r.W[i*r.NHidden+j])
		}
		s += logBernoulli(x, a)
	}
	return s
}

// logUp is log q(up | below) through r's recognition weights.
func logUp(r *RBM, below, up []float64) float64 {
	s := 0.0
	for j, a := range act64(r, below) {
		s += logBernoulli(up[j], a)
	}
	return s
}

// logTopMarginal is log p(x) of the top RBM: -F(x) - log Z.
func logTopMarginal(r *RBM, x []float64, logZ float64) float64 {
	f := 0.0
	for i, xi := range x {
		f += xi * float64(r.B[i])
	}
	for _, a := range act64(r, x) {
		f += softplus64(a)
	}
	return f - logZ
}

// enumerate returns the exact log p(v) and the exact variational bound of
// a two- or three-layer DBN by summing over every hidden state.
func enumerate(t *testing.T, d *DBN, v []float64) (exact, bound float64) {
	t.Helper()
	top := d.Layers[len(d.Layers)-1]
	logZ, err := top.ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	var terms []float64
	bound = 0
	n1 := d.Layers[0].NHidden
	for s1 := uint64(0); s1 < 1<<n1; s1++ {
		h1 := bitsOf(s1, n1)
		lq1 := logUp(d.Layers[0], v, h1)
		lp1 := logDown(d.Layers[0], v, h1)
		if len(d.Layers) == 2 {
			lj := lp1 + logTopMarginal(top, h1, logZ)
			terms = append(terms, lj)
			bound += math.Exp(lq1) * (lj - lq1)
			continue
		}
		n2 := d.Layers[1].NHidden
		for s2 := uint64(0); s2 < 1<<n2; s2++ {
			h2 := bitsOf(s2, n2)
			lq2 := logUp(d.Layers[1], h1, h2)
			lj := lp1 + logDown(d.Layers[1], h1, h2) + logTopMarginal(top, h2, logZ)
			terms = append(terms, lj)
			bound += math.Exp(lq1+lq2) * (lj - lq1 - lq2)
		}
	}
	var acc lse
	for _, x := range terms {
		acc.add(x)
	}
	return acc.value(), bound
}

func TestVariationalBoundExact(t *testing.T) {
	for _, sizes := range [][]int{{5, 4, 3}, {4, 3, 3, 2}} {
		d := tinyDBN(sizes, 1, uint64(len(sizes)))
		depth := len(sizes) - 1
		top := d.Layers[depth-1]
		logZ, err := top.ExactLogZ()
		if err != nil {
			t.Fatal(err)
		}
		for s := uint64(0); s < 1<<sizes[0]; s += 3 {
			v := bitsOf(s, sizes[0])
			exact, bound := enumerate(t, d, v)
			if !(bound <= exact+1e-9) {
				t.Errorf("sizes %v, v %v: bound %.6f above log p(v) %.6f", sizes, v, bound, exact)
			}
			x := make([]uint8, len(v))
			for i := range v {
				x[i] = uint8(v[i])
			}
			data, err := NewBinaryDataset(1, len(x), x)
			if err != nil {
				t.Fatal(err)
			}
			const draws = 40000
			res, err := d.VariationalBound(context.Background(), data, depth, logZ, draws, 7)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.Mean-bound) > 5*res.StdErr+1e-9 || !(res.StdErr > 0) {
				t.Errorf("sizes %v, v %v: Monte Carlo bound %.5f +- %.5f, enumerated %.5f", sizes, v, res.Mean, res.StdErr, bound)
			}
		}
	}
}

// TestVariationalBoundRefusesProbabilities checks that probability data
// (log p(v) is defined for binary v) get an error naming them: they were
// read as binary in the recognition pass and as values in the free energy.
func TestVariationalBoundRefusesProbabilities(t *testing.T) {
	d := tinyDBN([]int{4, 3}, 1, 2)
	data, err := NewProbDataset(1, 4, []float32{0.5, 0.5, 0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.VariationalBound(context.Background(), data, 1, 0, 10, 1)
	if err == nil || !strings.Contains(err.Error(), "probabilities") {
		t.Fatalf("VariationalBound on probabilities: error %v, want one naming them", err)
	}
}

// TestVariationalBoundStdErr checks the Monte Carlo bound's standard error
// against the spread of its means over 40 seeds (one 5-4-3 DBN, 6 rows).
// With 100 draws per row the reported error is from the per-row
// variances, and the ratio of the observed SD to the reported RMS error
// must lie in [0.6, 1.6] (the SD over 40 seeds has a relative error of
// about 1/sqrt(78) = 11%; the ratio catches errors wrong by 2x or more).
// With one draw per row the spread over rows bounds the error from above
// (it holds the rows' own differences too): the ratio must be at most 1.6.
func TestVariationalBoundStdErr(t *testing.T) {
	sizes := []int{5, 4, 3}
	d := tinyDBN(sizes, 1, 5)
	logZ, err := d.Layers[1].ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	data := randomBinary(6, 5, 0.5, 8)
	const seeds = 40
	for _, draws := range []int{100, 1} {
		var means []float64
		ms := 0.0
		for seed := uint64(1); seed <= seeds; seed++ {
			res, err := d.VariationalBound(context.Background(), data, 2, logZ, draws, seed)
			if err != nil {
				t.Fatal(err)
			}
			means = append(means, res.Mean)
			ms += res.StdErr * res.StdErr
		}
		m := stats.Mean(means)
		ss := 0.0
		for _, x := range means {
			ss += (x - m) * (x - m)
		}
		sd, rms := math.Sqrt(ss/(seeds-1)), math.Sqrt(ms/seeds)
		t.Logf("%d draws per row: mean over seeds %.5f, sd %.5f, reported error rms %.5f (ratio %.2f)", draws, m, sd, rms, sd/rms)
		if sd/rms > 1.6 || draws > 1 && sd/rms < 0.6 {
			t.Errorf("%d draws per row: means scatter by %.5f, the reported error is %.5f (ratio %.2f)", draws, sd, rms, sd/rms)
		}
	}
}

// TestVariationalBoundTight checks that the bound equals log p(v) when the
// recognition distribution is the true posterior: a first layer without
// weights (v and h1 independent) under a top RBM without weights whose
// visible biases are the first layer's hidden biases, so that p(h1) is
// q(h1|v).
func TestVariationalBoundTight(t *testing.T) {
	d := tinyDBN([]int{5, 4, 3}, 1, 9)
	for i := range d.Layers[0].W {
		d.Layers[0].W[i] = 0
	}
	for i := range d.Layers[1].W {
		d.Layers[1].W[i] = 0
	}
	copy(d.Layers[1].B, d.Layers[0].C)
	logZ, err := d.Layers[1].ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	x := []uint8{1, 0, 1, 1, 0}
	data, _ := NewBinaryDataset(1, 5, x)
	v := []float64{1, 0, 1, 1, 0}
	exact, bound := enumerate(t, d, v)
	if math.Abs(exact-bound) > 1e-9 {
		t.Errorf("exact posterior: bound %.9f, log p(v) %.9f", bound, exact)
	}
	res, err := d.VariationalBound(context.Background(), data, 2, logZ, 50, 3)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Mean-exact) > 1e-9 {
		t.Errorf("exact posterior: Monte Carlo bound %.9f, log p(v) %.9f", res.Mean, exact)
	}
}

func TestVariationalBoundDepthOne(t *testing.T) {
	d := tinyDBN([]int{6, 4, 3}, 0.7, 5)
	x := []uint8{1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1}
	data, _ := NewBinaryDataset(2, 6, x)
	logZ, _ := d.Layers[0].ExactLogZ()
	res, err := d.VariationalBound(context.Background(), data, 1, logZ, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	ll, _ := d.Layers[0].ExactLogLikelihood(data)
	if math.Abs(res.Mean-ll) > 1e-9 {
		t.Errorf("depth 1: %.9f, log-likelihood %.9f", res.Mean, ll)
	}
	// Reproducible and independent of the cores.
	a, _ := d.VariationalBound(context.Background(), data, 2, 0, 3, 11)
	b, _ := d.VariationalBound(context.Background(), data, 2, 0, 3, 11)
	if a.Mean != b.Mean {
		t.Error("not reproducible")
	}
	for _, bad := range []int{0, 3} {
		if _, err := d.VariationalBound(context.Background(), data, bad, 0, 1, 1); err == nil {
			t.Errorf("depth %d accepted", bad)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.VariationalBound(ctx, data, 2, 0, 1, 1); err == nil {
		t.Error("a cancelled context gave a bound")
	}
}

// TestVariationalBoundTiedWeights checks the bound at a size where the
// hidden layer cannot be enumerated per row: a DBN whose second layer is
// the first one turned upside down (W2 = W1^T, b2 = c1, c2 = b1) has the
// first RBM's marginal as the prior of h1, and q(h1|v) is the RBM's exact
// posterior, so every draw of the bound's integrand equals log p(v) of the
// first RBM.
func TestVariationalBoundTiedWeights(t *testing.T) {
	d := tinyDBN([]int{18, 14, 2}, 0.5, 21)
	r1 := d.Layers[0]
	r2 := NewRBM(r1.NHidden, r1.NVisible)
	for i := 0; i < r1.NVisible; i++ {
		for j := 0; j < r1.NHidden; j++ {
			r2.W[j*r2.NHidden+i] = r1.W[i*r1.NHidden+j]
		}
	}
	copy(r2.B, r1.C)
	copy(r2.C, r1.B)
	d.Layers[1] = r2
	logZ, err := r1.ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	g := rng.Stream(5, 5)
	x := make([]uint8, 40*r1.NVisible)
	for i := range x {
		x[i] = uint8(g.Uint64() & 1)
	}
	data, _ := NewBinaryDataset(40, r1.NVisible, x)
	ll, err := r1.ExactLogLikelihood(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.VariationalBound(context.Background(), data, 2, logZ, 3, 9)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Mean-ll) > 1e-6 || res.StdErr > 1e-6 {
		t.Errorf("tied weights: bound %.9f +- %.2g, log p(v) of the first RBM %.9f", res.Mean, res.StdErr, ll)
	}
}
