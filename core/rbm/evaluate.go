package rbm

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/isingrbm/isingrbm/asm/f32"
	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/core/stats"
)

// EvalOptions control EvaluateDBN.
type EvalOptions struct {
	Layers   []int // layers to evaluate, from 1; nil means all
	AISRuns  int
	AISSteps [3]int // steps on [0, 0.5], [0.5, 0.9], [0.9, 1]
	Seed     uint64
	Threads  int
	// RAISESamples, when positive, adds RAISE (RBM.RAISE) on a seeded
	// subset of this many of layer 1's configurations where its
	// log-likelihood needs AIS, on the schedule of AISSteps.
	RAISESamples int
	// Progress, if set, is called with the measures done and their total.
	Progress func(done, total int64)
}

// LayerEval is the evaluation of one layer of a DBN (the eval command's
// output and the replication's eval stage). Layer l > 1 is evaluated on the hidden probabilities of layer
// l-1 (a deterministic mean-field pass up from the data).
type LayerEval struct {
	Layer      int       `json:"layer"`   // from 1; arrays W<layer-1>, b<layer-1>, c<layer-1>
	Visible    int       `json:"visible"` // units
	Hidden     int       `json:"hidden"`
	Input      string    `json:"input"` // "data" or "hidden probabilities of layer k"
	Samples    int       `json:"samples"`
	FreeEnergy stats.Num `json:"free_energy"`   // mean F(v)
	PseudoLL   stats.Num `json:"pseudo_loglik"` // mean n_v log sigmoid(F(v~) - F(v)), one seeded flip per sample
	ReconError stats.Num `json:"recon_error"`   // mean sum_i (v_i - r_i)^2, mean-field reconstruction
	LogLik     stats.Num `json:"loglik"`        // mean log p(v) = -F(v) - log Z
	LogLikErr  stats.Num `json:"loglik_err"`    // one standard error (0 for exact)
	LogLikLo   stats.Num `json:"loglik_lo"`     // -F - log(Z^ + 3 sigma)
	LogLikHi   stats.Num `json:"loglik_hi"`     // -F - log(Z^ - 3 sigma); null when Z^ - 3 sigma <= 0
	// LogLikCeiling = -F - LogZFloor: the mean log p(v) is at most this,
	// with no statistics involved; LogLik above it means AIS missed most
	// of Z (see AISResult).
	LogLikCeiling stats.Num `json:"loglik_ceiling"`
	// LogLikIndep is the mean log-likelihood of independent units fitted
	// to the samples themselves (each unit's mean smoothed to
	// (sum + 1/2) / (N + 1), in-sample: about D / (2N) nats optimistic): a
	// layer whose LogLik, or LogLikCeiling, is below it is a worse density
	// model of the samples than their own unit means.
	LogLikIndep  stats.Num `json:"loglik_indep"`
	LogLikMethod string    `json:"loglik_method"` // "exact" or "ais"
	LogZ         stats.Num `json:"log_z"`
	LogZFloor    stats.Num `json:"log_z_floor"` // largest -F of the AIS runs' best final state and the all-0 and all-1 states (exact: log Z)
	// AIS only (null for exact): the estimates of log Z of the two paths
	// (see RBM.LogLikelihood), and the path whose estimate is LogZ.
	LogZData   stats.Num `json:"log_z_data"`   // base: the data's density, hidden units free
	LogZBiases stats.Num `json:"log_z_biases"` // base: the model's own biases, W scaled from 0
	AISPath    string    `json:"ais_path,omitempty"`
	// GlobalFlipGap is the mean |F(1-v) - F(v)| (see RBM.GlobalFlipGap),
	// on the first layer only (null above: its input has no such symmetry).
	GlobalFlipGap stats.Num `json:"global_flip_gap"`
	AISRuns       int       `json:"ais_runs,omitempty"`
	AISSteps      int       `json:"ais_steps,omitempty"`
	// RAISE is eval -raise's reverse AIS (layer 1 with AIS only; absent
	// otherwise).
	RAISE   *RAISEEval `json:"raise,omitempty"`
	Seconds float64    `json:"seconds"`
}

// UnmarshalJSON decodes e, leaving LogLikIndep NaN when the report
// predates it (0 would read as a measured value).
func (e *LayerEval) UnmarshalJSON(b []byte) error {
	type plain LayerEval
	p := plain{LogLikIndep: stats.Num(math.NaN())}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = LayerEval(p)
	return nil
}

// RAISEEval is RAISE's side of a layer's log-likelihood (see RBM.RAISE):
// LogLik is the mean log-likelihood of all the samples with the log Z that
// RAISE's reverse chains from Samples of them imply (RAISEResult.LogZ), and
// Err the standard error of that log Z over the configurations. It errs low
// for q, the model of AIS's forward chain from the data's base, which
// equals p where the chains mix; above AIS's LogLik by more than their
// errors, p has mass that chains from the data do not reach.
type RAISEEval struct {
	LogLik  stats.Num `json:"loglik"`
	Err     stats.Num `json:"err"`
	LogZ    stats.Num `json:"log_z"`
	Samples int       `json:"samples"`
	Steps   int       `json:"steps"`
}

// EvalReport is the JSON record of an evaluation: the eval command's output
// and the replication's eval/<network>.json.
type EvalReport struct {
	Model        string      `json:"model"`
	Data         string      `json:"data"`
	Samples      int         `json:"samples"`       // evaluated
	SamplesTotal int         `json:"samples_total"` // in the data file
	Seed         uint64      `json:"seed"`
	Layers       []LayerEval `json:"layers"`
}

// AISBetas returns the piecewise-linear schedule of steps.
func AISBetas(steps [3]int) []float64 {
	return LinearBetas([]float64{0, 0.5, 0.9, 1}, steps[:])
}

// EvaluateDBN evaluates the chosen layers of d on data, each layer on the
// hidden probabilities of the layer below.
func EvaluateDBN(ctx context.Context, d *DBN, data *Dataset, opt EvalOptions) ([]LayerEval, error) {
	ws := f32.NewWorkspace(opt.Threads) // 0: all cores
	want := map[int]bool{}
	maxLayer := 0
	for _, l := range opt.Layers {
		want[l] = true
		maxLayer = max(maxLayer, l)
	}
	if opt.Layers == nil {
		for l := 1; l <= len(d.Layers); l++ {
			want[l] = true
		}
		maxLayer = len(d.Layers)
	}
	total := int64(4 * len(want))
	done := int64(0)
	tick := func() {
		done++
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
	}
	var out []LayerEval
	cur := data
	for l := 1; l <= maxLayer; l++ {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r := d.Layers[l-1]
		if want[l] {
			e, err := evaluateLayer(ctx, ws, r, l, cur, opt, tick)
			if err != nil {
				return out, err
			}
			out = append(out, e)
		}
		if l < maxLayer {
			var err error
			if cur, err = r.HiddenProbabilitiesContext(ctx, ws, cur); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// evaluateLayer measures layer l (from 1), r, on its input cur, calling
// tick after each of its four measures; it stops with ctx.Err() when ctx is
// cancelled.
func evaluateLayer(ctx context.Context, ws *f32.Workspace, r *RBM, l int, cur *Dataset, opt EvalOptions, tick func()) (LayerEval, error) {
	start := time.Now()
	e := LayerEval{Layer: l, Visible: r.NVisible, Hidden: r.NHidden, Input: "data", Samples: cur.N}
	if l > 1 {
		e.Input = fmt.Sprintf("hidden probabilities of layer %d (mean-field pass up from the data)", l-1)
	}
	f, err := r.FreeEnergyContext(ctx, ws, cur)
	if err != nil {
		return e, err
	}
	e.FreeEnergy = stats.Num(stats.Mean(f))
	e.LogLikIndep = stats.Num(IndependentLogLik(cur))
	e.GlobalFlipGap = stats.Num(math.NaN())
	if l == 1 {
		g, err := r.GlobalFlipGapFrom(ctx, ws, cur, f)
		if err != nil {
			return e, err
		}
		e.GlobalFlipGap = stats.Num(stats.Mean(g))
	}
	tick()
	pl, err := r.PseudoLikelihoodContext(ctx, ws, cur, opt.Seed^uint64(l)<<40)
	if err != nil {
		return e, err
	}
	e.PseudoLL = stats.Num(stats.Mean(pl))
	tick()
	rec, err := r.ReconstructionErrorContext(ctx, ws, cur)
	if err != nil {
		return e, err
	}
	e.ReconError = stats.Num(rec)
	tick()
	if err := e.setLogLik(ctx, ws, r, cur, opt); err != nil {
		return e, err
	}
	tick()
	e.Seconds = time.Since(start).Seconds()
	return e, nil
}

// setLogLik fills the log-likelihood fields of e: exact when the smaller
// layer of r has at most MaxExactUnits units, else AIS. e.FreeEnergy must
// hold the mean F(v) over cur.
func (e *LayerEval) setLogLik(ctx context.Context, ws *f32.Workspace, r *RBM, cur *Dataset, opt EvalOptions) error {
	method := "ais"
	if min(r.NVisible, r.NHidden) <= MaxExactUnits {
		method = "exact"
	}
	l := e.Layer
	ais := AISConfig{Runs: opt.AISRuns, Betas: AISBetas(opt.AISSteps), Seed: opt.Seed + uint64(l)}
	meanF := float64(e.FreeEnergy) // mean F(v) over cur, measured by evaluateLayer
	ll, err := r.logLikelihood(ctx, ws, cur, method, ais, &meanF)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("layer %d: log-likelihood: %w", l, err)
	}
	e.LogLikMethod = method
	e.LogLik, e.LogLikLo, e.LogLikHi, e.LogZ = stats.Num(ll.Mean), stats.Num(ll.Lo), stats.Num(ll.Hi), stats.Num(ll.LogZ)
	e.LogLikCeiling, e.LogZFloor = stats.Num(ll.Ceiling), stats.Num(ll.LogZFloor)
	e.LogZData, e.LogZBiases, e.AISPath = stats.Num(ll.LogZData), stats.Num(ll.LogZBiases), ll.Path
	if method == "exact" {
		e.LogLikErr = 0
		return nil
	}
	e.AISRuns = ais.Runs
	e.AISSteps = len(ais.Betas) - 1
	// The +3 sigma bound of Z is always finite: one sigma in log
	// units is a third of its distance from the estimate.
	e.LogLikErr = stats.Num((ll.LogZHi - ll.LogZ) / 3)
	if opt.RAISESamples > 0 && l == 1 {
		ra, err := r.RAISEEval(ctx, ws, cur, meanF, opt.RAISESamples, ais.Betas, opt.Seed^0x7a15e, opt.Seed+uint64(l))
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return fmt.Errorf("layer %d: RAISE: %w", l, err)
		}
		e.RAISE = ra
	}
	return nil
}

// RAISEEval runs RAISE (RBM.RAISE) on the schedule betas from n samples of
// d chosen by SeededSubset(d, n, subsetSeed), chains seeded by seed, and
// returns d's mean log-likelihood with the log Z it implies, given meanF,
// d's mean free energy: eval -raise's measure and the replication's.
func (r *RBM) RAISEEval(ctx context.Context, ws *f32.Workspace, d *Dataset, meanF float64, n int, betas []float64, subsetSeed, seed uint64) (*RAISEEval, error) {
	sub := SeededSubset(d, n, subsetSeed)
	ra, err := r.RAISE(ctx, ws, sub, RAISEConfig{Betas: betas, Seed: seed})
	if err != nil {
		return nil, err
	}
	return &RAISEEval{LogLik: stats.Num(-meanF - ra.LogZ), Err: stats.Num(ra.LogZSE), LogZ: stats.Num(ra.LogZ), Samples: sub.N, Steps: ra.Steps}, nil
}

// SeededSubset returns n samples of d chosen without replacement by a
// generator seeded with seed, kept in data order (d itself when n <= 0 or
// n >= d.N).
func SeededSubset(d *Dataset, n int, seed uint64) *Dataset {
	if n <= 0 || n >= d.N {
		return d
	}
	perm := make([]int, d.N)
	for i := range perm {
		perm[i] = i
	}
	g := rng.Stream(seed, 0x5eb5e7)
	g.Shuffle(perm)
	idx := append([]int(nil), perm[:n]...)
	sort.Ints(idx)
	return d.Subset(idx)
}

// HiddenProbabilities returns p(h=1|v) of r for every sample of d: the
// deterministic mean-field pass up one layer that EvaluateDBN uses, 512
// samples per product (training's pass uses 256; the results differ in the
// last bits).
func (r *RBM) HiddenProbabilities(ws *f32.Workspace, d *Dataset) *Dataset {
	out, _ := r.HiddenProbabilitiesContext(context.Background(), ws, d)
	return out
}

// HiddenProbabilitiesContext is HiddenProbabilities stopping with
// ctx.Err() when ctx is cancelled.
func (r *RBM) HiddenProbabilitiesContext(ctx context.Context, ws *f32.Workspace, d *Dataset) (*Dataset, error) {
	return r.propagateChunked(ctx, workspaceOr(ws), d, &Config{}, 0, 0, 512)
}
