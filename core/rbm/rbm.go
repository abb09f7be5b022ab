package rbm

import (
	"fmt"
	"math"

	"github.com/isingrbm/isingrbm/asm/pmath"
	"github.com/isingrbm/isingrbm/asm/rng"
)

// RBM is a Bernoulli-Bernoulli restricted Boltzmann machine with energy
//
//	E(v,h) = -b.v - c.h - v.W.h
//
// and free energy F(v) = -b.v - sum_j log(1 + exp(c_j + (vW)_j)), the
// convention of scikit-learn's BernoulliRBM (components_ = W transposed,
// intercept_visible_ = b, intercept_hidden_ = c).
type RBM struct {
	NVisible, NHidden int
	// W is NVisible x NHidden, row-major: W[i*NHidden+j] couples visible i
	// and hidden j.
	W []float32
	B []float32 // visible biases, length NVisible
	C []float32 // hidden biases, length NHidden
}

// NewRBM returns an RBM of the given shape with all parameters zero.
func NewRBM(nVisible, nHidden int) *RBM {
	if nVisible <= 0 || nHidden <= 0 {
		panic(fmt.Sprintf("core: NewRBM(%d, %d): sizes must be positive", nVisible, nHidden))
	}
	return &RBM{
		NVisible: nVisible, NHidden: nHidden,
		W: make([]float32, nVisible*nHidden),
		B: make([]float32, nVisible),
		C: make([]float32, nHidden),
	}
}

// Clone returns a deep copy of r.
func (r *RBM) Clone() *RBM {
	return &RBM{
		NVisible: r.NVisible, NHidden: r.NHidden,
		W: append([]float32(nil), r.W...),
		B: append([]float32(nil), r.B...),
		C: append([]float32(nil), r.C...),
	}
}

// Check reports an error when the slices do not match the declared shape or
// a parameter is not finite.
func (r *RBM) Check() error {
	if r.NVisible <= 0 || r.NHidden <= 0 {
		return fmt.Errorf("rbm: shape %d x %d, want positive sizes", r.NVisible, r.NHidden)
	}
	if len(r.W) != r.NVisible*r.NHidden {
		return fmt.Errorf("rbm: W has %d elements, want %d x %d", len(r.W), r.NVisible, r.NHidden)
	}
	if len(r.B) != r.NVisible {
		return fmt.Errorf("rbm: b has %d elements, want %d", len(r.B), r.NVisible)
	}
	if len(r.C) != r.NHidden {
		return fmt.Errorf("rbm: c has %d elements, want %d", len(r.C), r.NHidden)
	}
	for name, s := range map[string][]float32{"W": r.W, "b": r.B, "c": r.C} {
		for i, x := range s {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("rbm: %s[%d] = %v is not finite", name, i, x)
			}
		}
	}
	return nil
}

// initGaussian sets W to sigma * N(0,1) drawn from g, row-major, and the
// biases to zero.
func (r *RBM) initGaussian(g *rng.Xoshiro256, sigma float32) {
	for i := range r.W {
		r.W[i] = sigma * float32(g.NormFloat64())
	}
	clear(r.B)
	clear(r.C)
}

// setVisibleLogOdds sets b_i = log(p_i / (1 - p_i)) where p_i is the mean of
// visible unit i over d, clipped to [1e-3, 1 - 1e-3] so constant units get a
// finite bias (Hinton's "practical guide", section 8).
func (r *RBM) setVisibleLogOdds(d *Dataset) {
	mean := d.ColumnMeans()
	for i, p := range mean {
		p = min(max(p, 1e-3), 1-1e-3)
		r.B[i] = float32(pmath.Log(p / (1 - p)))
	}
}

// softplus64 is log(1 + exp(x)) evaluated without overflow.
func softplus64(x float64) float64 {
	if x > 0 {
		return x + pmath.Log1p(pmath.Exp(-x))
	}
	return pmath.Log1p(pmath.Exp(x))
}

// sigmoid64 is 1 / (1 + exp(-x)).
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + pmath.Exp(-x))
	}
	e := pmath.Exp(x)
	return e / (1 + e)
}
