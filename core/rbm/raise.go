package rbm

import (
	"context"
	"fmt"
	"math"

	"github.com/isingrbm/isingrbm/asm/f32"
)

// RAISEConfig sets up reverse annealed importance sampling (Burda, Grosse
// and Salakhutdinov, AISTATS 2015).
type RAISEConfig struct {
	// Runs is the number of reverse chains per configuration (default 1);
	// their importance weights are averaged.
	Runs int
	// Betas is the schedule, increasing from 0 to 1 inclusive; nil means
	// DefaultBetas().
	Betas []float64
	// BaseVisibleBias is b_A of the base model (free hidden units, W = 0);
	// nil means the log-odds of the data's unit means, as the "data" path
	// of LogLikelihood.
	BaseVisibleBias []float32
	Seed            uint64
}

// RAISEResult is the mean over configurations of RAISE's estimate of
// log q(v), and its standard error over the configurations. LogZ is the
// mean over configurations of -F(v) - log q^(v), the log Z that the
// reverse chains imply (it errs high), and LogZSE its standard error:
// -mean F - LogZ estimates the mean log q of a larger set from a sample of
// it with the spread of F taken out.
type RAISEResult struct {
	Mean, SE     float64
	LogZ, LogZSE float64
	LogQ         []float64 // per configuration: log of its runs' mean weight
	Steps        int
}

// raiseChunk is the number of configurations annealed together: each chunk
// has its own random stream, so the result does not depend on the threads.
const raiseChunk = 64

// RAISE estimates the log-likelihood of every configuration of d the other
// way round from AIS.
//
// AIS's chain p_A = p_0 -> T_1 -> ... -> T_K (T_k a Gibbs step that leaves
// p_k invariant, the geometric path of AIS, beta_K = 1) is itself a
// generative model q(v) of its last state, close to the RBM's p(v) when
// the chain mixes. Started at v and run backwards (T_K first, T_1 last;
// each T_k is reversible), the chain v = x_K, x_{K-1}, ..., x_0 gives an
// unbiased importance estimate of q(v):
//
//	q^(v) = f_K(v) / Z_A * prod_{k=0}^{K-1} f_k(x_k) / f_{k+1}(x_k)
//
// with f_k the unnormalized marginal of p_k (f_K(v) = exp(-F(v))): the
// same increments as AIS, collected on a chain that starts at the data. So
// E[log q^(v)] <= log q(v): RAISE errs low for q, where AIS errs high for
// p. The two bracket log p only where q is no better a model of the data
// than p (Burda et al.'s assumption, true when the chain mixes). Where p
// has a mode that neither the forward chain from p_A (the data's base) nor
// the reverse chains from the data reach, q leaves it out and puts its mass
// near the data: log q(v) > log p(v). When AIS's "biases" path finds that
// mode (the all-0 state of CD-trained RBMs with dead units), RAISE lands
// above AIS by about what it holds: it measures how well the model fits
// near its data, and p loses the rest to the mode. When no chain finds it,
// AIS and RAISE are wrong alike (TestRAISEFarMode). ws may be nil.
func (r *RBM) RAISE(ctx context.Context, ws *f32.Workspace, d *Dataset, cfg RAISEConfig) (RAISEResult, error) {
	r.checkData(d)
	ws = workspaceOr(ws)
	if cfg.Runs == 0 {
		cfg.Runs = 1
	}
	if cfg.Runs < 1 {
		return RAISEResult{}, fmt.Errorf("raise: %d runs, want at least 1", cfg.Runs)
	}
	if cfg.BaseVisibleBias == nil {
		base := NewRBM(r.NVisible, 1)
		base.setVisibleLogOdds(d)
		cfg.BaseVisibleBias = base.B
	}
	// aisSetup checks the schedule and the base (it wants two runs: RAISE
	// averages over configurations, so one chain each is enough).
	acfg := AISConfig{Runs: 2, Betas: cfg.Betas, BaseVisibleBias: cfg.BaseVisibleBias}
	betas, bA, _, err := r.aisSetup(&acfg)
	if err != nil {
		return RAISEResult{}, fmt.Errorf("raise: %w", err)
	}
	fe, err := r.FreeEnergyContext(ctx, ws, d)
	if err != nil {
		return RAISEResult{}, err
	}
	res := RAISEResult{LogQ: make([]float64, d.N), Steps: len(betas) - 1}
	runs := cfg.Runs
	logw := make([]float64, raiseChunk*runs)
	for lo := 0; lo < d.N; lo += raiseChunk {
		hi := min(lo+raiseChunk, d.N)
		rnd := f32.NewRand(cfg.Seed, streamRAISE|uint64(lo/raiseChunk))
		w := logw[:(hi-lo)*runs]
		if err := r.raiseChains(ctx, ws, rnd, d, lo, hi, runs, betas, bA, w); err != nil {
			return RAISEResult{}, err
		}
		for i := lo; i < hi; i++ {
			est, _, _ := logMeanExp(w[(i-lo)*runs : (i-lo+1)*runs])
			res.LogQ[i] = -fe[i] + est
		}
	}
	res.Mean, res.SE = meanSE(res.LogQ)
	logZ := make([]float64, d.N)
	for i, q := range res.LogQ {
		logZ[i] = -fe[i] - q
	}
	res.LogZ, res.LogZSE = meanSE(logZ)
	return res, nil
}

// raiseChains runs runs reverse chains from each configuration lo..hi-1 of
// d and sets w (runs per configuration, in order) to log Z_A^-1 prod_k
// f_k(x_k) / f_{k+1}(x_k): log q^(v) is -F(v) plus it.
func (r *RBM) raiseChains(ctx context.Context, ws *f32.Workspace, rnd *f32.Rand, d *Dataset, lo, hi, runs int, betas []float64, bA []float32, w []float64) error {
	done := ctx.Done()
	nv, nh := r.NVisible, r.NHidden
	m := (hi - lo) * runs
	row := make([]float32, nv)
	v := make([]float32, m*nv)
	for i := lo; i < hi; i++ {
		d.Row(i, row)
		for j := 0; j < runs; j++ {
			copy(v[((i-lo)*runs+j)*nv:], row)
		}
	}
	h := make([]float32, m*nh)
	bias := make([]float32, nv)
	var hb f32.Bits
	db := make([]float32, nv)
	logZA := float64(nh) * math.Ln2
	for i := range db {
		db[i] = r.B[i] - bA[i]
		logZA += softplus64(float64(bA[i]))
	}
	for i := range w {
		w[i] = -logZA
	}
	st := newAISSteps(m, nh, db, nil, false)
	r.hiddenInput(ws, v, m, st.a, &st.vb)
	for k := len(betas) - 1; k >= 1; k-- {
		if canceled(done) {
			return ctx.Err()
		}
		// x_{k-1} ~ T_k(. | x_k), then the increment at x_{k-1}.
		aisHidden(st.t, st.a, nil, float32(betas[k]), nh)
		r.aisGibbs(ws, rnd, float32(betas[k]), bA, false, v, st.t, h, bias, m, &hb)
		r.aisIncrements(ws, st, v, betas, k)
		for i, x := range st.inc {
			w[i] -= x
		}
	}
	return nil
}

// logMeanExp is aisEstimate for one or more log weights (one: the weight
// itself, with no bounds).
func logMeanExp(logw []float64) (est, lo, hi float64) {
	if len(logw) == 1 {
		return logw[0], math.Inf(-1), math.Inf(1)
	}
	return aisEstimate(logw)
}

// meanSE returns the mean of xs and its standard error (sd with n - 1 over
// sqrt n; 0 for one value).
func meanSE(xs []float64) (mean, se float64) {
	n := float64(len(xs))
	for _, x := range xs {
		mean += x
	}
	mean /= n
	if len(xs) < 2 {
		return mean, 0
	}
	ss := 0.0
	for _, x := range xs {
		d := x - mean
		ss += float64(d * d)
	}
	return mean, math.Sqrt(ss/(n-1)) / math.Sqrt(n)
}
