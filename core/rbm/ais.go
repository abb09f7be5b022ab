package rbm

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/isingrbm/isingrbm/asm/f32"
	"github.com/isingrbm/isingrbm/asm/pmath"
)

// AISConfig sets up annealed importance sampling (Salakhutdinov & Murray
// 2008).
type AISConfig struct {
	// Runs is the number of independent annealing runs (default 100).
	Runs int
	// Betas is the schedule, increasing from 0 to 1 inclusive; nil means
	// DefaultBetas(): 500 steps on [0, 0.5], 4000 on [0.5, 0.9], 10000 on
	// [0.9, 1].
	Betas []float64
	// BaseVisibleBias is b_A of the base model p_A(v, h) ~ exp(b_A.v +
	// c_A.h) (W = 0); nil means zeros. LogLikelihood sets it to the data's
	// log-odds for its first path and to the model's b for its second.
	BaseVisibleBias []float32
	// BaseHiddenBias is c_A; nil means zeros (hidden units free), the
	// base of Salakhutdinov & Murray (2008). With b_A = b and c_A = c the
	// path scales W from 0 to 1 and starts in the mode the hidden biases
	// make, the all-0 state, which runs from a data base can miss.
	BaseHiddenBias []float32
	Seed           uint64
}

// AISResult is an AIS estimate of log Z with the bounds log(Z^ +/- 3
// sigma^), sigma^ being the standard error of the mean importance weight.
// Lo is -Inf when Z^ - 3 sigma^ <= 0.
//
// Floor is a lower bound of log Z that needs no statistics: the largest
// -F(v) (F computed in float64) over the runs' final state of least free
// energy and the all-0 and all-1 states (log Z >= log sum_h exp(-E(v, h))
// = -F(v) for any v). An estimate d nats below it shows the runs missed at
// least a share 1 - e^-d of Z: AIS's errors mostly understate log Z, so a
// log-likelihood from it is then too high, whatever its bounds say.
type AISResult struct {
	LogZ, Lo, Hi float64
	Floor        float64
	LogZBase     float64   // exact log Z of the base model
	LogWeights   []float64 // log importance weight of every run
	Steps        int       // intermediate distributions
}

// DefaultAISSteps returns Salakhutdinov & Murray's (2008) schedule, the
// default of eval and of the replication: 500 evenly spaced steps on
// [0, 0.5], 4,000 on [0.5, 0.9] and 10,000 on [0.9, 1], 14,500 in all.
func DefaultAISSteps() [3]int { return [3]int{500, 4000, 10000} }

// SplitAISSteps splits a total of intermediate distributions 1:4:10 over
// [0, 0.5], [0.5, 0.9] and [0.9, 1] (the remainder goes to the last).
func SplitAISSteps(total int) [3]int {
	return [3]int{total / 15, 4 * total / 15, total - total/15 - 4*total/15}
}

// DefaultBetas returns the schedule of DefaultAISSteps.
func DefaultBetas() []float64 { return AISBetas(DefaultAISSteps()) }

// LinearBetas returns a piecewise-linear schedule through knots with
// steps[i] evenly spaced steps on [knots[i], knots[i+1]], from knots[0] to
// the last knot inclusive.
func LinearBetas(knots []float64, steps []int) []float64 {
	total := 1
	for _, n := range steps {
		total += max(n, 0)
	}
	// One allocation: growing by append copied the schedule over and over
	// (2.3 s for 10^7 steps on the Zen 5, where touching fresh memory is
	// slow, and no cancellation can interrupt it).
	out := make([]float64, 1, total)
	out[0] = knots[0]
	for i, n := range steps {
		for s := 1; s <= n; s++ {
			out = append(out, knots[i]+(knots[i+1]-knots[i])*float64(s)/float64(n))
		}
	}
	return out
}

// AIS estimates log Z by annealing from the base model (W = 0, biases
// cfg.BaseVisibleBias and cfg.BaseHiddenBias) through the geometric means
// E_k = (1-beta_k) E_A + beta_k E of the energies of the base model and the
// RBM, which share their hidden units: p_k(v) ~ exp((1-beta_k) b_A.v +
// beta_k b.v) prod_j (1 + exp((1-beta_k) c_Aj + beta_k (c_j + (vW)_j))),
// one Gibbs step per beta_k, over cfg.Runs parallel runs. ws may be nil.
func (r *RBM) AIS(ws *f32.Workspace, cfg AISConfig) (AISResult, error) {
	return r.AISContext(context.Background(), ws, cfg)
}

// AISContext is AIS stopping with ctx.Err() when ctx is cancelled (checked
// at every intermediate distribution).
func (r *RBM) AISContext(ctx context.Context, ws *f32.Workspace, cfg AISConfig) (AISResult, error) {
	return r.ais(ctx, ws, cfg, &aisBuffers{})
}

// aisBuffers are the states and scratch of AIS's runs, which the two paths
// of LogLikelihood share: allocated anew, the first path's were still
// garbage, uncollected, when the second allocated its own, and eval's
// peak held both (1.5 times EstimateEvalBytes at 10^5 runs).
type aisBuffers struct {
	v, h, bias []float32 // states, then visible probabilities; hidden states; the visible input's bias
	st         *aisSteps
	hb         f32.Bits // the hidden samples' bits
}

// fit sizes b for m runs of r (keeping its buffers when they have that
// size) and sets the increments' base (see aisSteps). Every buffer is
// written before it is read in a path, so the reused ones give the same
// bits as new ones.
func (b *aisBuffers) fit(r *RBM, m int, db, cA []float32, sameB bool) {
	nv, nh := r.NVisible, r.NHidden
	if b.st == nil || len(b.v) != m*nv || len(b.h) != m*nh || len(b.bias) != nv {
		*b = aisBuffers{v: make([]float32, m*nv), h: make([]float32, m*nh), bias: make([]float32, nv),
			st: newAISSteps(m, nh, nil, nil, false)}
	}
	b.st.db, b.st.cA, b.st.sameB = db, cA, sameB
}

// ais is AISContext with the runs' buffers in buf (sized by fit).
func (r *RBM) ais(ctx context.Context, ws *f32.Workspace, cfg AISConfig, buf *aisBuffers) (AISResult, error) {
	ws = workspaceOr(ws)
	done := ctx.Done()
	betas, bA, cA, err := r.aisSetup(&cfg)
	if err != nil {
		return AISResult{}, err
	}
	nv, nh, m := r.NVisible, r.NHidden, cfg.Runs
	logZA := float64(nh) * math.Ln2 // free hidden units
	if cA != nil {
		logZA = 0
		for _, c := range cA {
			logZA += softplus64(float64(c))
		}
	}
	for _, b := range bA {
		logZA += softplus64(float64(b))
	}
	// db = b - b_A, for the visible part of the weight increments, which is
	// 0 when the base has the RBM's own visible biases (the "biases" path).
	sameB := slices.Equal(bA, r.B)
	db := make([]float32, nv)
	for i := range db {
		db[i] = r.B[i] - bA[i]
	}

	stream := uint64(streamAIS)
	if cA != nil {
		stream = streamAISBiases
	}
	rnd := f32.NewRand(cfg.Seed, stream)
	buf.fit(r, m, db, cA, sameB)
	v, h, st, bias, hb := buf.v, buf.h, buf.st, buf.bias, &buf.hb
	logw := make([]float64, m)
	floor := math.Inf(-1)

	// v_1 ~ p_A.
	pA := make([]float32, nv)
	f32.Sigmoid(pA, bA)
	for i := 0; i < m; i++ {
		copy(v[i*nv:(i+1)*nv], pA)
	}
	rnd.Bernoulli(v, v)

	for k := 1; k < len(betas); k++ {
		if canceled(done) {
			return AISResult{}, ctx.Err()
		}
		binary := r.aisIncrements(ws, st, v, betas, k)
		for i, x := range st.inc {
			logw[i] += x
		}
		spNew, vb := st.spNew, &st.vb
		if k == len(betas)-1 {
			// beta = 1: spNew is sum_j softplus(c_j + (vW)_j); the floor
			// is the least F(v) = -b.v - spNew among the final states.
			best, bestF := 0, math.Inf(1)
			for i := 0; i < m; i++ {
				var bv float64
				if binary {
					bv = dot64Bits(r.B, vb.Words[i*vb.Stride:(i+1)*vb.Stride])
				} else {
					bv = dot64(r.B, v[i*nv:(i+1)*nv])
				}
				if f := -bv - spNew[i]; f < bestF {
					best, bestF = i, f
				}
			}
			floor = max(-r.freeEnergy64(v[best*nv:(best+1)*nv]), r.uniformStatesFloor())
			break
		}
		r.aisGibbs(ws, rnd, float32(betas[k]), bA, sameB, v, st.t, h, bias, m, hb)
	}

	res := AISResult{Floor: floor, LogZBase: logZA, LogWeights: logw, Steps: len(betas) - 1}
	res.LogZ, res.Lo, res.Hi = aisEstimate(logw)
	res.LogZ += logZA
	res.Lo += logZA
	res.Hi += logZA
	return res, nil
}

// aisSteps holds the buffers of the importance-weight increments of m
// runs (aisIncrements), which AIS and RAISE share.
type aisSteps struct {
	a, t         []float32 // vW + c; then the hidden input at beta_k
	spOld, spNew []float64 // sum_j softplus of the hidden input at beta_{k-1}, beta_k
	inc          []float64 // log f_k(v) - log f_{k-1}(v) per run
	vb           f32.Bits  // the states' bits
	db, cA       []float32 // b - b_A; the base's hidden biases (nil: free)
	sameB        bool      // db = 0
}

func newAISSteps(m, nh int, db, cA []float32, sameB bool) *aisSteps {
	return &aisSteps{a: make([]float32, m*nh), t: make([]float32, m*nh), spOld: make([]float64, m),
		spNew: make([]float64, m), inc: make([]float64, m), db: db, cA: cA, sameB: sameB}
}

// aisIncrements sets st.inc[i] to log f_k(v_i) - log f_{k-1}(v_i) for the
// m = len(st.inc) states v (f_k the unnormalized marginal of the k-th
// intermediate distribution, AIS's geometric path at betas[k]), leaving
// st.a = vW + c and st.t the hidden input at betas[k], and reports whether
// the states went through their bits (st.vb).
func (r *RBM) aisIncrements(ws *f32.Workspace, st *aisSteps, v []float32, betas []float64, k int) bool {
	nv, nh, m := r.NVisible, r.NHidden, len(st.inc)
	bOld, bNew := float32(betas[k-1]), float32(betas[k])
	binary := r.hiddenInput(ws, v, m, st.a, &st.vb)
	aisHidden(st.t, st.a, st.cA, bOld, nh)
	rowSoftplus(st.spOld, st.t, m, nh, ws.Threads())
	aisHidden(st.t, st.a, st.cA, bNew, nh)
	rowSoftplus(st.spNew, st.t, m, nh, ws.Threads())
	dbeta := betas[k] - betas[k-1]
	for i := range st.inc {
		var dv float64 // db . v_i, over the bits of the samples
		switch {
		case st.sameB: // db = 0
		case binary:
			dv = dot64Bits(st.db, st.vb.Words[i*st.vb.Stride:(i+1)*st.vb.Stride])
		default:
			dv = dot64(st.db, v[i*nv:(i+1)*nv])
		}
		st.inc[i] = float64(dbeta*dv) + st.spNew[i] - st.spOld[i]
	}
	return binary
}

// uniformStatesFloor returns max(-F(0...0), -F(1...1)) in float64: the
// Ising ferromagnet's two ground states, where CD-trained models can keep
// modes that no AIS run reaches (weight decay at K = 0.408 puts e^6000
// on all zeros; its data sit near e^1300).
func (r *RBM) uniformStatesFloor() float64 {
	v := make([]float32, r.NVisible)
	f0 := -r.freeEnergy64(v)
	for i := range v {
		v[i] = 1
	}
	return max(f0, -r.freeEnergy64(v))
}

// aisHidden sets t to the hidden units' input at beta, beta a for a free
// base (cA nil) and (1-beta) c_A + beta a otherwise (a = vW + c, rows of
// n).
func aisHidden(t, a, cA []float32, beta float32, n int) {
	if cA == nil {
		scale(t, a, beta)
		return
	}
	for i := 0; i < len(a); i += n {
		for j, c := range cA {
			// Rounded products, never fused: the same bits on every CPU.
			t[i+j] = float32(beta*a[i+j]) + float32((1-beta)*c)
		}
	}
}

// aisGibbs does one Gibbs step of the m runs at beta: h ~ t = sigmoid(t)
// (t holds the hidden input of aisHidden), then v ~ sigmoid(beta (W h + b)
// + (1 - beta) b_A), which is b itself when b_A = b (sameB); bias is
// scratch of NVisible values.
func (r *RBM) aisGibbs(ws *f32.Workspace, rnd *f32.Rand, beta float32, bA []float32, sameB bool, v, t, h, bias []float32, m int, hb *f32.Bits) {
	nv, nh := r.NVisible, r.NHidden
	f32.Sigmoid(t, t)
	rnd.Bernoulli(h, t)
	if sameB {
		copy(bias, r.B)
	} else {
		for i := range bias {
			bias[i] = float32(beta*r.B[i]) + float32((1-beta)*bA[i])
		}
	}
	for i := 0; i < m; i++ {
		copy(v[i*nv:(i+1)*nv], bias)
	}
	if hb.Pack(h, m, nh, nh) {
		ws.GemmNTBits(m, nv, nh, beta, hb, r.W, nh, 1, v, nv)
	} else {
		ws.GemmNT(m, nv, nh, beta, h, nh, r.W, nh, 1, v, nv)
	}
	f32.Sigmoid(v, v)
	rnd.Bernoulli(v, v)
}

// aisSetup checks cfg (filling in the default runs) and returns the
// schedule and the base model's visible and hidden biases (cA nil: free
// hidden units).
func (r *RBM) aisSetup(cfg *AISConfig) (betas []float64, bA, cA []float32, err error) {
	if cfg.Runs == 0 {
		cfg.Runs = 100
	}
	if cfg.Runs < 2 {
		return nil, nil, nil, fmt.Errorf("ais: %d runs, want at least 2", cfg.Runs)
	}
	betas = cfg.Betas
	if betas == nil {
		betas = DefaultBetas()
	}
	if len(betas) < 2 || betas[0] != 0 || betas[len(betas)-1] != 1 {
		return nil, nil, nil, fmt.Errorf("ais: schedule must run from 0 to 1 with at least 2 values")
	}
	for k := 1; k < len(betas); k++ {
		if !(betas[k] > betas[k-1]) {
			return nil, nil, nil, fmt.Errorf("ais: schedule not increasing at step %d (%v, %v)", k, betas[k-1], betas[k])
		}
	}
	bA = cfg.BaseVisibleBias
	if bA == nil {
		bA = make([]float32, r.NVisible)
	}
	if len(bA) != r.NVisible {
		return nil, nil, nil, fmt.Errorf("ais: base visible bias has %d values, want %d", len(bA), r.NVisible)
	}
	cA = cfg.BaseHiddenBias
	if cA != nil && len(cA) != r.NHidden {
		return nil, nil, nil, fmt.Errorf("ais: base hidden bias has %d values, want %d", len(cA), r.NHidden)
	}
	return betas, bA, cA, nil
}

// aisEstimate returns log mean(w) and log(mean(w) -/+ 3 sd(w)/sqrt(M)) for
// weights given by their logs (sd with M-1 in the denominator).
func aisEstimate(logw []float64) (est, lo, hi float64) {
	mx := math.Inf(-1)
	for _, x := range logw {
		mx = max(mx, x)
	}
	n := float64(len(logw))
	mu := 0.0
	for _, x := range logw {
		mu += pmath.Exp(x - mx)
	}
	mu /= n
	ss := 0.0
	for _, x := range logw {
		d := pmath.Exp(x-mx) - mu
		ss += float64(d * d)
	}
	se := math.Sqrt(ss/(n-1)) / math.Sqrt(n)
	est = mx + pmath.Log(mu)
	hi = mx + pmath.Log(mu+float64(3*se))
	if mu-float64(3*se) > 0 {
		lo = mx + pmath.Log(mu-float64(3*se))
	} else {
		lo = math.Inf(-1)
	}
	return est, lo, hi
}

func scale(dst, src []float32, s float32) {
	for i, x := range src {
		dst[i] = s * x
	}
}

// LogLikelihoodResult is the mean log-likelihood of a data set, with bounds
// for the AIS method (equal to the estimate for the exact method).
//
// LogZFloor is the larger AISResult.Floor of the two paths (log Z itself
// for the exact method) and Ceiling = -MeanFreeEnergy - LogZFloor: the mean
// log p(v) is at most Ceiling, with no statistics involved. Mean > Ceiling
// means both AIS paths missed part of Z (at least 1 - e^-(Mean-Ceiling)).
type LogLikelihoodResult struct {
	Method         string  // "exact" or "ais"
	Mean, Lo, Hi   float64 // mean log p(v) over the samples
	Ceiling        float64
	LogZ           float64
	LogZLo, LogZHi float64
	LogZFloor      float64
	MeanFreeEnergy float64
	// AIS only: the two paths' estimates of log Z, and the path whose
	// estimate is LogZ ("data" or "biases"; see LogLikelihood).
	LogZData, LogZBiases float64
	Path                 string
}

// LogLikelihood returns the mean log p(v) = -F(v) - log Z over d, with log Z
// from ExactLogZ (method "exact") or AIS (method "ais").
//
// AIS runs two paths of ais.Runs runs each and keeps the larger estimate:
//   - "data": Salakhutdinov & Murray's (2008) base model of free hidden
//     units and visible biases ais.BaseVisibleBias (by default the log-odds
//     of d's unit means), on the schedule ais.Betas;
//   - "biases": the RBM's own biases with W = 0 as base, W scaled from 0 to
//     1 in as many evenly spaced steps. It starts in the mode that large
//     hidden biases make at the all-0 state, which CD-trained models keep
//     far from their data (e^6000 against e^2700 for weight decay at
//     K = 0.408) and which runs from the data's density do not reach.
//
// Each estimate of Z is unbiased, so each log estimate exceeds log Z by t
// or more with probability at most e^-t, and their maximum with
// probability at most 2 e^-t: missing a mode only ever lowers them. Lo and
// Hi are the chosen path's bounds.
func (r *RBM) LogLikelihood(ws *f32.Workspace, d *Dataset, method string, ais AISConfig) (LogLikelihoodResult, error) {
	return r.LogLikelihoodContext(context.Background(), ws, d, method, ais)
}

// LogLikelihoodContext is LogLikelihood stopping with ctx.Err() when ctx is
// cancelled.
func (r *RBM) LogLikelihoodContext(ctx context.Context, ws *f32.Workspace, d *Dataset, method string, ais AISConfig) (LogLikelihoodResult, error) {
	return r.logLikelihood(ctx, ws, d, method, ais, nil)
}

// logLikelihood is LogLikelihoodContext given, when meanF is not nil, the
// mean free energy of d (the layer evaluation has it already).
func (r *RBM) logLikelihood(ctx context.Context, ws *f32.Workspace, d *Dataset, method string, ais AISConfig, meanF *float64) (LogLikelihoodResult, error) {
	r.checkData(d)
	res := LogLikelihoodResult{Method: method, LogZData: math.NaN(), LogZBiases: math.NaN()}
	switch method {
	case "exact":
		logZ, err := r.ExactLogZContext(ctx)
		if err != nil {
			return res, err
		}
		res.LogZ, res.LogZLo, res.LogZHi, res.LogZFloor = logZ, logZ, logZ, logZ
	case "ais":
		if ais.BaseVisibleBias == nil {
			base := NewRBM(r.NVisible, 1)
			base.setVisibleLogOdds(d)
			ais.BaseVisibleBias = base.B
		}
		// Both paths run in the same buffers (EstimateEvalBytes counts
		// one set).
		buf := &aisBuffers{}
		a, err := r.ais(ctx, ws, ais, buf)
		if err != nil {
			return res, err
		}
		bias := ais
		bias.BaseVisibleBias, bias.BaseHiddenBias = r.B, r.C
		bias.Betas = LinearBetas([]float64{0, 1}, []int{a.Steps})
		b, err := r.ais(ctx, ws, bias, buf)
		if err != nil {
			return res, err
		}
		res.LogZData, res.LogZBiases, res.Path = a.LogZ, b.LogZ, "data"
		res.LogZFloor = max(a.Floor, b.Floor)
		if b.LogZ > a.LogZ {
			a, res.Path = b, "biases"
		}
		res.LogZ, res.LogZLo, res.LogZHi = a.LogZ, a.Lo, a.Hi
	default:
		return res, fmt.Errorf("log-likelihood method %q, want exact or ais", method)
	}
	if meanF == nil {
		fe, err := r.meanFreeEnergy(ctx, ws, d)
		if err != nil {
			return res, err
		}
		meanF = &fe
	}
	res.MeanFreeEnergy = *meanF
	res.Mean = -res.MeanFreeEnergy - res.LogZ
	res.Lo = -res.MeanFreeEnergy - res.LogZHi
	res.Hi = -res.MeanFreeEnergy - res.LogZLo
	res.Ceiling = -res.MeanFreeEnergy - res.LogZFloor
	return res, nil
}
