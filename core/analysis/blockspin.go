package analysis

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas32"

	"github.com/isingrbm/isingrbm/asm/pmath"
)

// BlockSpin is the correspondence between first-layer units and Kadanoff block spins for one
// block size B: Corr[j] is the Pearson correlation, over the configurations, of unit j's
// activation P(h_j=1|v) = sigmoid(c_j + sum_i v_i W_ij) with the majority-rule block spin
// (+1/-1) of the B x B block (blocks aligned to the lattice origin) that contains the site of
// unit j's largest |W_ij|. A tie (B*B/2 up spins) is broken by the block's top-left spin, the one
// at (B*bx, B*by); this makes the rule deterministic. Corr[j] is NaN when the activation or the
// block spin does not vary over the configurations.
type BlockSpin struct {
	B          int
	Corr       []float64
	AbsCorr    Summary // distribution of |Corr| over units (NaN dropped and counted)
	BlockX     []int   // block coordinates of each unit's centre
	BlockY     []int
	NSamples   int
	NVisible   int
	NHidden    int
	TieRule    string
	CentreRule string
}

// BlockSpinCorrelation computes BlockSpin for weights W (L*L x n_hidden), hidden biases c
// (n_hidden), both finite, and n configurations (n*L*L bytes, 1 = up, site index y*L+x). L must
// be a multiple of b.
func BlockSpinCorrelation(W Matrix, c []float32, configs []uint8, L, b int) (BlockSpin, error) {
	r, err := BlockSpinCorrelations(W, c, configs, L, []int{b})
	if err != nil {
		return BlockSpin{}, err
	}
	return r[0], nil
}

// blockChunk is the number of configurations whose activations are computed in one product.
const blockChunk = 256

// BlockSpinCorrelations computes BlockSpin for each block size in bs from one pass over the
// configurations. Pre-activations c + vW are accumulated in float32 as c plus the rows of W of
// the up spins (gonum's Saxpy); the correlation sums are accumulated in float64.
func BlockSpinCorrelations(W Matrix, c []float32, configs []uint8, L int, bs []int) ([]BlockSpin, error) {
	if err := W.check("BlockSpinCorrelation: W"); err != nil {
		return nil, err
	}
	N, err := sites("BlockSpinCorrelation", L)
	switch {
	case err != nil:
		return nil, err
	case W.Rows != N:
		return nil, fmt.Errorf("BlockSpinCorrelation: W has %d rows, want L*L = %d", W.Rows, N)
	case len(c) != W.Cols:
		return nil, fmt.Errorf("BlockSpinCorrelation: c has %d elements, want %d (columns of W)", len(c), W.Cols)
	case len(configs)%N != 0:
		return nil, fmt.Errorf("BlockSpinCorrelation: configs has %d bytes, not a multiple of L*L = %d", len(configs), N)
	}
	if err := W.checkFinite("BlockSpinCorrelation: W"); err != nil {
		return nil, err
	}
	for j, x := range c {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("BlockSpinCorrelation: c[%d] = %v, want finite biases", j, x)
		}
	}
	for _, b := range bs {
		if b <= 0 || L%b != 0 {
			return nil, fmt.Errorf("BlockSpinCorrelation: block size %d does not divide L = %d", b, L)
		}
	}
	n, nh := len(configs)/N, W.Cols
	// The sums are of deviations from the first configuration's values (a0, and s0 per block
	// size), which leave every covariance unchanged but keep a unit that is almost always on
	// (activation within 1e-7 of 1) from cancelling its variance away in E[a^2] - E[a]^2.
	type acc struct {
		nb           int
		blockOf      []int
		spins, s0    []float64
		sab, sb, sbb []float64
	}
	out := make([]BlockSpin, len(bs))
	accs := make([]acc, len(bs))
	for k, b := range bs {
		nb := L / b
		out[k] = BlockSpin{B: b, Corr: make([]float64, nh), BlockX: make([]int, nh), BlockY: make([]int, nh),
			NSamples: n, NVisible: N, NHidden: nh,
			TieRule:    "tie (half the block up) broken by the block's top-left spin",
			CentreRule: "block containing the site of the unit's largest |w|"}
		a := acc{nb: nb, blockOf: make([]int, nh), spins: make([]float64, nb*nb), s0: make([]float64, nb*nb),
			sab: make([]float64, nh), sb: make([]float64, nb*nb), sbb: make([]float64, nb*nb)}
		for j := 0; j < nh; j++ {
			p := ArgMaxAbs(W.Column(j))
			bx, by := (p%L)/b, (p/L)/b
			out[k].BlockX[j], out[k].BlockY[j] = bx, by
			a.blockOf[j] = by*nb + bx
		}
		accs[k] = a
	}
	sa, saa, a0 := make([]float64, nh), make([]float64, nh), make([]float64, nh)
	pbuf := make([]float32, blockChunk*nh)
	act := make([]float64, nh)
	for lo := 0; lo < n; lo += blockChunk {
		m := min(blockChunk, n-lo)
		v := configs[lo*N : (lo+m)*N]
		for r := 0; r < m; r++ {
			pre := pbuf[r*nh : (r+1)*nh]
			copy(pre, c)
			y := blas32.Vector{N: nh, Inc: 1, Data: pre}
			for i, s := range v[r*N : (r+1)*N] {
				if s != 0 {
					blas32.Axpy(1, blas32.Vector{N: nh, Inc: 1, Data: W.Data[i*nh : (i+1)*nh]}, y)
				}
			}
		}
		for r := 0; r < m; r++ {
			first := lo == 0 && r == 0
			for j, x := range pbuf[r*nh : (r+1)*nh] {
				a := sigmoid(float64(x))
				if first {
					a0[j] = a
				}
				a -= a0[j]
				act[j] = a
				sa[j] += a
				saa[j] += float64(a * a)
			}
			cfg := v[r*N : (r+1)*N]
			for k := range accs {
				a := &accs[k]
				blockSpins(cfg, L, bs[k], a.spins)
				if first {
					copy(a.s0, a.spins)
				}
				for q, x := range a.spins {
					x -= a.s0[q]
					a.spins[q] = x
					a.sb[q] += x
					a.sbb[q] += float64(x * x)
				}
				for j, x := range act {
					a.sab[j] += float64(x * a.spins[a.blockOf[j]])
				}
			}
		}
	}
	fn := float64(n)
	for k := range out {
		a := &accs[k]
		abs := make([]float64, nh)
		for j := 0; j < nh; j++ {
			q := a.blockOf[j]
			cov := a.sab[j]/fn - float64((sa[j]/fn)*(a.sb[q]/fn))
			va := saa[j]/fn - float64((sa[j]/fn)*(sa[j]/fn))
			vb := a.sbb[q]/fn - float64((a.sb[q]/fn)*(a.sb[q]/fn))
			r := math.NaN()
			if n >= 2 && va > 0 && vb > 0 {
				r = cov / math.Sqrt(va*vb)
				r = math.Max(-1, math.Min(1, r))
			}
			out[k].Corr[j] = r
			abs[j] = math.Abs(r)
		}
		out[k].AbsCorr = Summarize(abs)
	}
	return out, nil
}

// BlockSpins computes the majority-rule block spins (+1/-1, ties broken by the block's top-left
// spin) of one L x L configuration (1 = up) for b x b blocks, into out ((L/b)^2 values, block
// index by*(L/b)+bx). L must be a multiple of b.
func BlockSpins(v []uint8, L, b int) []float64 {
	out := make([]float64, (L/b)*(L/b))
	blockSpins(v, L, b, out)
	return out
}

func blockSpins(v []uint8, L, b int, out []float64) {
	nb := L / b
	half := b * b
	for by := 0; by < nb; by++ {
		for bx := 0; bx < nb; bx++ {
			up := 0
			for y := by * b; y < (by+1)*b; y++ {
				for _, s := range v[y*L+bx*b : y*L+(bx+1)*b] {
					if s != 0 {
						up++
					}
				}
			}
			var spin float64
			switch {
			case 2*up > half:
				spin = 1
			case 2*up < half:
				spin = -1
			case v[by*b*L+bx*b] != 0:
				spin = 1
			default:
				spin = -1
			}
			out[by*nb+bx] = spin
		}
	}
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + pmath.Exp(-x))
	}
	e := pmath.Exp(x)
	return e / (1 + e)
}

// BlockSpinVsNoise computes BlockSpinCorrelations for W and for GaussianLike(W, seed) with the
// same hidden biases c and configurations: the noise baseline of the correspondence.
func BlockSpinVsNoise(W Matrix, c []float32, configs []uint8, L int, bs []int, seed uint64) (model, noise []BlockSpin, err error) {
	if model, err = BlockSpinCorrelations(W, c, configs, L, bs); err != nil {
		return nil, nil, err
	}
	noise, err = BlockSpinCorrelations(GaussianLike(W, seed), c, configs, L, bs)
	return model, noise, err
}
