package rbm

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"

	"github.com/isingrbm/isingrbm/asm/f32"
	"github.com/isingrbm/isingrbm/asm/pmath"
	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/core/stats"
)

// evalChunk is the number of samples the evaluation functions process per
// product, bounding their scratch memory.
const evalChunk = 256

// workspaceOr returns ws, or a new workspace using every core when ws is nil.
func workspaceOr(ws *f32.Workspace) *f32.Workspace {
	if ws != nil {
		return ws
	}
	return f32.NewWorkspace(runtime.GOMAXPROCS(0))
}

func (r *RBM) checkData(d *Dataset) {
	if d.D != r.NVisible {
		panic(fmt.Sprintf("core: data has %d units per sample, the RBM %d visible units", d.D, r.NVisible))
	}
}

// The products by 0/1 visibles or hiddens (data on spins, samples) go
// through the Bits products: the same bits with fewer operations. The
// functions below take a Bits buffer for that (nil: the float32 products),
// which holds the operand's bits when they return.

// bitsBuffer returns a Bits buffer for d's rows when d is binary, else nil.
func (d *Dataset) bitsBuffer() *f32.Bits {
	if d.X == nil {
		return nil
	}
	return new(f32.Bits)
}

// hiddenProbs sets p = sigmoid(v W + c) for rows of v, through the Bits
// product when vb is not nil and v is 0/1; it reports whether it did.
func (r *RBM) hiddenProbs(ws *f32.Workspace, v []float32, rows int, p []float32, vb *f32.Bits) bool {
	nv, nh := r.NVisible, r.NHidden
	if vb != nil && vb.Pack(v, rows, nv, nv) {
		ws.SigmoidAffineNNBits(rows, nh, nv, vb, r.W, nh, r.C, p, nh)
		return true
	}
	ws.SigmoidAffineNN(rows, nh, nv, v, nv, r.W, nh, r.C, p, nh)
	return false
}

// visibleProbs sets p = sigmoid(h W^T + b) for rows of h, through the Bits
// product when hb is not nil and h is 0/1.
func (r *RBM) visibleProbs(ws *f32.Workspace, h []float32, rows int, p []float32, hb *f32.Bits) {
	nv, nh := r.NVisible, r.NHidden
	if hb != nil && hb.Pack(h, rows, nh, nh) {
		ws.SigmoidAffineNTBits(rows, nv, nh, hb, r.W, nh, r.B, p, nv)
		return
	}
	ws.SigmoidAffineNT(rows, nv, nh, h, nh, r.W, nh, r.B, p, nv)
}

// hiddenInput sets a[i*NHidden+j] = c_j + (v_i W)_j for rows of v (with
// vb as in hiddenProbs) and reports whether it went through the Bits
// product (vb then holds the bits of v).
func (r *RBM) hiddenInput(ws *f32.Workspace, v []float32, rows int, a []float32, vb *f32.Bits) bool {
	for i := 0; i < rows; i++ {
		copy(a[i*r.NHidden:(i+1)*r.NHidden], r.C)
	}
	return r.timesW(ws, v, rows, a, vb, 1)
}

// timesW sets a = vW + beta*a for rows of v (beta 0: a is not read),
// through the Bits product when vb is not nil and v's rows are 0/1 (as
// hiddenInput, whose result it reports).
func (r *RBM) timesW(ws *f32.Workspace, v []float32, rows int, a []float32, vb *f32.Bits, beta float32) bool {
	if vb != nil && vb.Pack(v, rows, r.NVisible, r.NVisible) {
		ws.GemmNNBits(rows, r.NHidden, r.NVisible, 1, vb, r.W, r.NHidden, beta, a, r.NHidden)
		return true
	}
	ws.GemmNN(rows, r.NHidden, r.NVisible, 1, v, r.NVisible, r.W, r.NHidden, beta, a, r.NHidden)
	return false
}

// rowSoftplus sets dst[i] = sum_j softplus(a[i*n+j]) for i < rows, in
// float64, spreading the rows over threads goroutines.
func rowSoftplus(dst []float64, a []float32, rows, n, threads int) {
	threads = max(1, min(threads, rows*n/8192))
	if threads == 1 {
		for i := 0; i < rows; i++ {
			dst[i] = f32.SoftplusSum(a[i*n : (i+1)*n])
		}
		return
	}
	var wg sync.WaitGroup
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			for i := t; i < rows; i += threads {
				dst[i] = f32.SoftplusSum(a[i*n : (i+1)*n])
			}
		}(t)
	}
	wg.Wait()
}

// FreeEnergy returns F(v) = -b.v - sum_j softplus(c_j + (vW)_j) for every
// sample of d, accumulated in float64 from float32 products. ws may be nil.
func (r *RBM) FreeEnergy(ws *f32.Workspace, d *Dataset) []float64 {
	out, _ := r.FreeEnergyContext(context.Background(), ws, d)
	return out
}

// FreeEnergyContext is FreeEnergy stopping with ctx.Err() when ctx is
// cancelled.
func (r *RBM) FreeEnergyContext(ctx context.Context, ws *f32.Workspace, d *Dataset) ([]float64, error) {
	return r.freeEnergies(ctx, ws, d, false)
}

// GlobalFlipGap returns |F(1 - v) - F(v)| for every sample v of d: how far the
// model breaks the symmetry of flipping every unit. The Ising Hamiltonian
// without a field has that symmetry (a configuration and its flip have the
// same Boltzmann weight), so a faithful model of the first layer's data
// has a gap near 0; the RBM's 0/1 units do not have it built in. ws may be
// nil.
func (r *RBM) GlobalFlipGap(ws *f32.Workspace, d *Dataset) []float64 {
	out, _ := r.GlobalFlipGapContext(context.Background(), ws, d)
	return out
}

// GlobalFlipGapContext is GlobalFlipGap stopping with ctx.Err() when ctx is cancelled.
func (r *RBM) GlobalFlipGapContext(ctx context.Context, ws *f32.Workspace, d *Dataset) ([]float64, error) {
	f, err := r.freeEnergies(ctx, ws, d, false)
	if err != nil {
		return nil, err
	}
	return r.GlobalFlipGapFrom(ctx, ws, d, f)
}

// GlobalFlipGapFrom is GlobalFlipGapContext given f = F(v) for the samples
// of d (FreeEnergyContext's result), so that a caller holding f does not
// compute it again.
func (r *RBM) GlobalFlipGapFrom(ctx context.Context, ws *f32.Workspace, d *Dataset, f []float64) ([]float64, error) {
	g, err := r.freeEnergies(ctx, ws, d, true)
	if err != nil {
		return nil, err
	}
	for i := range g {
		g[i] = math.Abs(g[i] - f[i])
	}
	return g, nil
}

// freeEnergies is FreeEnergyContext of d's samples, or of their flips 1 - v
// when flip is set.
func (r *RBM) freeEnergies(ctx context.Context, ws *f32.Workspace, d *Dataset, flip bool) ([]float64, error) {
	r.checkData(d)
	ws = workspaceOr(ws)
	out := make([]float64, d.N)
	v := make([]float32, evalChunk*r.NVisible)
	vb := d.bitsBuffer()
	a := make([]float32, evalChunk*r.NHidden)
	sp := make([]float64, evalChunk)
	err := forChunks(ctx, d.N, evalChunk, func(lo, hi int) {
		rows := hi - lo
		d.Range(lo, hi, v)
		if flip {
			for i, x := range v[:rows*r.NVisible] {
				v[i] = 1 - x
			}
		}
		r.hiddenInput(ws, v, rows, a, vb)
		rowSoftplus(sp, a, rows, r.NHidden, ws.Threads())
		for i := 0; i < rows; i++ {
			out[lo+i] = -dot64(r.B, v[i*r.NVisible:(i+1)*r.NVisible]) - sp[i]
		}
	})
	return out, err
}

// MeanFreeEnergy is the mean of FreeEnergy over d.
func (r *RBM) MeanFreeEnergy(ws *f32.Workspace, d *Dataset) float64 {
	return stats.Mean(r.FreeEnergy(ws, d))
}

// meanFreeEnergy is MeanFreeEnergy stopping with ctx.Err() when ctx is
// cancelled.
func (r *RBM) meanFreeEnergy(ctx context.Context, ws *f32.Workspace, d *Dataset) (float64, error) {
	f, err := r.FreeEnergyContext(ctx, ws, d)
	return stats.Mean(f), err
}

// PseudoLikelihood returns scikit-learn's stochastic pseudo-likelihood of
// every sample: n_v * log sigmoid(F(v~) - F(v)), where v~ is v with one
// unit, drawn uniformly from a generator seeded with seed, flipped (1 - v
// for probabilities). Same seed, same flips.
func (r *RBM) PseudoLikelihood(ws *f32.Workspace, d *Dataset, seed uint64) []float64 {
	out, _ := r.PseudoLikelihoodContext(context.Background(), ws, d, seed)
	return out
}

// PseudoLikelihoodContext is PseudoLikelihood stopping with ctx.Err() when
// ctx is cancelled.
func (r *RBM) PseudoLikelihoodContext(ctx context.Context, ws *f32.Workspace, d *Dataset, seed uint64) ([]float64, error) {
	r.checkData(d)
	ws = workspaceOr(ws)
	g := rng.New(seed)
	flips := make([]int, d.N)
	for i := range flips {
		flips[i] = g.Intn(r.NVisible)
	}
	out := make([]float64, d.N)
	nv, nh := r.NVisible, r.NHidden
	v := make([]float32, evalChunk*nv)
	vb := d.bitsBuffer()
	a := make([]float32, evalChunk*nh)
	sp := make([]float64, evalChunk)
	tmp := make([]float32, nh)
	err := forChunks(ctx, d.N, evalChunk, func(lo, hi int) {
		rows := hi - lo
		d.Range(lo, hi, v)
		r.hiddenInput(ws, v, rows, a, vb)
		rowSoftplus(sp, a, rows, nh, ws.Threads())
		for i := 0; i < rows; i++ {
			diff := r.flipGap(v[i*nv:(i+1)*nv], a[i*nh:(i+1)*nh], sp[i], flips[lo+i], tmp)
			out[lo+i] = float64(nv) * -softplus64(-diff)
		}
	})
	return out, err
}

// PseudoLikelihoodAll returns the deterministic pseudo-log-likelihood of
// every sample: sum over all n_v units k of log sigmoid(F(v^k) - F(v)), v^k
// being v with unit k flipped. It is the expectation of PseudoLikelihood
// over the flipped unit. The cost is n_v * n_h per sample; samples are
// spread over all cores.
func (r *RBM) PseudoLikelihoodAll(ws *f32.Workspace, d *Dataset) []float64 {
	r.checkData(d)
	ws = workspaceOr(ws)
	out := make([]float64, d.N)
	nv, nh := r.NVisible, r.NHidden
	v := make([]float32, evalChunk*nv)
	vb := d.bitsBuffer()
	a := make([]float32, evalChunk*nh)
	sp := make([]float64, evalChunk)
	workers := max(1, ws.Threads())
	tmps := make([][]float32, workers)
	for w := range tmps {
		tmps[w] = make([]float32, nh)
	}
	for lo := 0; lo < d.N; lo += evalChunk {
		hi := min(lo+evalChunk, d.N)
		rows := hi - lo
		d.Range(lo, hi, v)
		r.hiddenInput(ws, v, rows, a, vb)
		rowSoftplus(sp, a, rows, nh, ws.Threads())
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				tmp := tmps[w]
				for i := w; i < rows; i += workers {
					vi := v[i*nv : (i+1)*nv]
					ai := a[i*nh : (i+1)*nh]
					s := 0.0
					for k := 0; k < nv; k++ {
						s -= softplus64(-r.flipGap(vi, ai, sp[i], k, tmp))
					}
					out[lo+i] = s
				}
			}(w)
		}
		wg.Wait()
	}
	return out
}

// ReconstructionError returns the mean over samples of sum_i (v_i - r_i)^2,
// where r = sigmoid(W p + b) and p = sigmoid(vW + c) (a deterministic
// mean-field pass).
func (r *RBM) ReconstructionError(ws *f32.Workspace, d *Dataset) float64 {
	e, _ := r.ReconstructionErrorContext(context.Background(), ws, d)
	return e
}

// ReconstructionErrorContext is ReconstructionError stopping with
// ctx.Err() when ctx is cancelled.
func (r *RBM) ReconstructionErrorContext(ctx context.Context, ws *f32.Workspace, d *Dataset) (float64, error) {
	r.checkData(d)
	ws = workspaceOr(ws)
	nv, nh := r.NVisible, r.NHidden
	v := make([]float32, evalChunk*nv)
	vb := d.bitsBuffer()
	p := make([]float32, evalChunk*nh)
	rec := make([]float32, evalChunk*nv)
	sum := 0.0
	err := forChunks(ctx, d.N, evalChunk, func(lo, hi int) {
		rows := hi - lo
		d.Range(lo, hi, v)
		r.hiddenProbs(ws, v, rows, p, vb)
		r.visibleProbs(ws, p, rows, rec, nil)
		sum += f32.SquaredDiffSum(v[:rows*nv], rec[:rows*nv])
	})
	return sum / float64(d.N), err
}

// flipGap returns F(v~) - F(v), v~ being the sample vi with unit k flipped
// (1 - v_k for probabilities), from its hidden input ai = c + vi W and
// spi = sum_j softplus(ai_j): -delta b_k - sum_j softplus(ai_j + delta
// W_kj) + spi with delta = 1 - 2 v_k. tmp holds NHidden values of scratch.
// Every pseudo-likelihood of this file goes through it.
func (r *RBM) flipGap(vi, ai []float32, spi float64, k int, tmp []float32) float64 {
	delta := 1 - 2*vi[k] // new value minus old value of unit k
	wk := r.W[k*r.NHidden : (k+1)*r.NHidden]
	for j := range tmp {
		tmp[j] = ai[j] + float32(delta*wk[j])
	}
	return float64(-float64(delta)*float64(r.B[k])) - f32.SoftplusSum(tmp) + spi
}

func dot64(a, b []float32) float64 {
	s := 0.0
	for i, x := range a {
		s += float64(float64(x) * float64(b[i]))
	}
	return s
}

// dot64Bits is dot64(a, v) for a 0/1 vector v given as its bits (words,
// bit j%64 of word j/64): the same sum, since a term a[j]*0 is a zero that
// leaves a sum from +0 unchanged and a[j]*1 is a[j] exactly, added in
// increasing j.
func dot64Bits(a []float32, words []uint64) float64 {
	s := 0.0
	for w, x := range words {
		for ; x != 0; x &= x - 1 {
			s += float64(a[w*64+bits.TrailingZeros64(x)])
		}
	}
	return s
}

// measureBufs holds the buffers of RBM.measures: rows of visible and
// hidden units (float32), a float64 per row, and one row of hidden units.
type measureBufs struct {
	v, a, p, rec, tmp []float32
	sp                []float64
}

// get returns the buffers for chunks of rows rows of nv visible and nh
// hidden units, reusing the ones held when they are large enough.
func (b *measureBufs) get(rows, nv, nh int) (v, a, p, rec []float32, sp []float64, tmp []float32) {
	fit := func(s *[]float32, n int) []float32 {
		if cap(*s) < n {
			*s = make([]float32, n)
		}
		return (*s)[:n]
	}
	if cap(b.sp) < rows {
		b.sp = make([]float64, rows)
	}
	return fit(&b.v, rows*nv), fit(&b.a, rows*nh), fit(&b.p, rows*nh), fit(&b.rec, rows*nv), b.sp[:rows], fit(&b.tmp, nh)
}

// monitorMeasures are the per-epoch measures of training on one set of
// samples (RBM.measures).
type monitorMeasures struct {
	fe, pl, recon float64
	// plIndep is the stochastic pseudo-likelihood, with the same flips, of
	// independent units of log-odds indep (NaN without them), and gainSE
	// the standard error of the mean of the per-sample differences
	// pl - plIndep.
	plIndep, gainSE float64
	// ceiling bounds the mean log-likelihood from above with no
	// statistics: -fe - max -F(s) over the all-0 and all-1 states and, for
	// 0/1 samples, the samples themselves (log Z >= -F(s) for every state).
	ceiling float64
}

// measures returns the mean free energy, the mean stochastic
// pseudo-likelihood (flips seeded by seed, as PseudoLikelihood) and the
// mean-field reconstruction error (as ReconstructionError) of d, sharing
// one product v W between the three: the per-epoch monitor of training.
// With indep (one log-odds per visible unit), it also scores independent
// units of those log-odds: their pseudo-likelihood with the same flips and
// the standard error of the paired difference. The buffers come from buf
// (nil: new ones), which the trainer keeps from epoch to epoch.
func (r *RBM) measures(ctx context.Context, ws *f32.Workspace, d *Dataset, seed uint64, indep []float64, buf *measureBufs) (monitorMeasures, error) {
	r.checkData(d)
	ws = workspaceOr(ws)
	g := rng.New(seed)
	nv, nh := r.NVisible, r.NHidden
	if buf == nil {
		buf = new(measureBufs)
	}
	v, a, p, rec, sp, tmp := buf.get(min(evalChunk, d.N), nv, nh)
	vb := d.bitsBuffer()
	var m monitorMeasures
	var ind, dsum, dsq float64
	// The largest -F(s) of a state s among the samples (only 0/1 samples
	// are states of the model) and the uniform states.
	floor := r.uniformStatesFloor()
	err := forChunks(ctx, d.N, evalChunk, func(lo, hi int) {
		rows := hi - lo
		d.Range(lo, hi, v)
		r.hiddenInput(ws, v, rows, a, vb)
		rowSoftplus(sp, a, rows, nh, ws.Threads())
		for i := 0; i < rows; i++ {
			vi := v[i*nv : (i+1)*nv]
			negF := dot64(r.B, vi) + sp[i]
			m.fe -= negF
			if d.X != nil {
				floor = max(floor, negF)
			}
			k := g.Intn(nv)
			diff := r.flipGap(vi, a[i*nh:(i+1)*nh], sp[i], k, tmp)
			t := float64(float64(nv) * softplus64(-diff))
			m.pl -= t
			if indep != nil {
				// Independent units: F(v) = -indep . v, so flipping unit k
				// changes F by (2 v_k - 1) indep_k.
				ti := float64(float64(nv) * softplus64(-float64((float64(2*float64(vi[k]))-1)*indep[k])))
				ind -= ti
				dd := ti - t
				dsum += dd
				dsq += float64(dd * dd)
			}
		}
		f32.Sigmoid(p[:rows*nh], a[:rows*nh])
		ws.SigmoidAffineNT(rows, nv, nh, p, nh, r.W, nh, r.B, rec, nv)
		m.recon += f32.SquaredDiffSum(v[:rows*nv], rec[:rows*nv])
	})
	n := float64(d.N)
	m.fe, m.pl, m.recon = m.fe/n, m.pl/n, m.recon/n
	m.ceiling = -m.fe - floor
	m.plIndep, m.gainSE = math.NaN(), math.NaN()
	if indep != nil {
		m.plIndep = ind / n
		if d.N > 1 {
			v := (dsq - float64(dsum*dsum)/n) / (n - 1)
			m.gainSE = math.Sqrt(max(v, 0) / n)
		}
	}
	return m, err
}

// IndependentLogLik returns the mean log-likelihood of d's samples under
// independent units of d's own smoothed means (independentLogOdds).
func IndependentLogLik(d *Dataset) float64 { return independentLogLikOf(d, independentLogOdds(d)) }

// independentLogLikOf returns the mean log-likelihood of d's samples under
// independent units of log-odds x: with d's column means m_j,
// sum_j m_j x_j - log(1 + e^x_j), since each sample's is linear in it.
func independentLogLikOf(d *Dataset, x []float64) float64 {
	mean := d.ColumnMeans()
	ll := 0.0
	for j, xj := range x {
		ll += float64(mean[j]*xj) - softplus64(xj)
	}
	return ll
}

// independentLogOdds returns the log-odds of d's unit means, each mean
// smoothed to (sum + 1/2) / (N + 1) (finite for units that never or
// always fire): the parameters of the independent-units model that
// training's monitor scores beside the RBM.
func independentLogOdds(d *Dataset) []float64 {
	mean := d.ColumnMeans()
	n := float64(d.N)
	out := make([]float64, len(mean))
	for j, p := range mean {
		q := (float64(p*n) + 0.5) / (n + 1)
		out[j] = pmath.Log(q / (1 - q))
	}
	return out
}
