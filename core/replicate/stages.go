package replicate

import (
	"errors"
	"fmt"
	"github.com/isingrbm/isingrbm/asm/pmath"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/isingrbm/isingrbm/asm/f32"
	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"github.com/isingrbm/isingrbm/core/analysis"
	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/report"
	"github.com/isingrbm/isingrbm/core/stats"
)

// SampleStats describes one set of Monte Carlo samples.
type SampleStats struct {
	L                   int       `json:"L"`
	K                   float64   `json:"K"`
	N                   int       `json:"n"`
	Seed                uint64    `json:"seed"`
	Generator           string    `json:"generator"` // the update streams (Settings.Generator)
	File                string    `json:"file"`      // relative to the output folder
	Energy              stats.Num `json:"energy"`
	EnergyErr           stats.Num `json:"energy_err"`
	ExactEnergy         stats.Num `json:"exact_energy"`
	AbsM                stats.Num `json:"abs_m"`
	AbsMErr             stats.Num `json:"abs_m_err"`
	SpecificHeat        stats.Num `json:"specific_heat"`
	SpecificHeatErr     stats.Num `json:"specific_heat_err"`
	ExactSpecificHeat   stats.Num `json:"exact_specific_heat"`
	Susceptibility      stats.Num `json:"susceptibility"`
	SusceptibilityErr   stats.Num `json:"susceptibility_err"`
	TauEnergy           stats.Num `json:"tau_int_energy"`
	TauAbsM             stats.Num `json:"tau_int_abs_m"`
	TauM                stats.Num `json:"tau_int_m"` // the signed magnetization's (bitlattice.Result.TauM)
	TauOK               bool      `json:"tau_ok"`
	Spacing             int       `json:"sweeps_between_samples"`
	EquilibrationSweeps int64     `json:"equilibration_sweeps"`
	TotalSweeps         int64     `json:"total_sweeps"`
	Replicas            int       `json:"replicas"`
	Seconds             float64   `json:"seconds"`
}

// sample runs the Metropolis sampler in a goroutine so an interrupt ends
// the stage at once (nothing is written for an unfinished sample).
func (r *replicator) sample(label string, L int, K float64, n int, seed uint64) (*bitlattice.Result, error) {
	bar := r.task(label)
	res, err := bitlattice.SampleContext(r.ctx, bitlattice.Options{L: L, K: K, N: n, Seed: seed, Generator: r.s.Generator, Threads: r.s.Threads, Progress: bar.Update})
	bar.Done()
	return res, err
}

// writeSamples writes res's configurations to rel and returns their stats.
func (r *replicator) writeSamples(rel string, res *bitlattice.Result, n int, seed uint64) (SampleStats, error) {
	L := res.L
	if err := WriteSamples(r.path(rel), res, npy.WriteOptions{}); err != nil {
		return SampleStats{}, err
	}
	st := SampleStats{L: L, K: res.K, N: n, Seed: seed, Generator: r.s.Generator.String(), File: rel,
		Energy: stats.Num(res.Energy), EnergyErr: stats.Num(res.EnergyErr), ExactEnergy: stats.Num(exact.Energy(L, res.K)),
		AbsM: stats.Num(res.AbsM), AbsMErr: stats.Num(res.AbsMErr), ExactSpecificHeat: stats.Num(exact.SpecificHeat(L, res.K)),
		TauEnergy: stats.Num(res.TauEnergy), TauAbsM: stats.Num(res.TauAbsM), TauM: stats.Num(res.TauM), TauOK: res.TauOK, Spacing: res.Spacing,
		EquilibrationSweeps: res.EquilibrationSweeps, TotalSweeps: res.TotalSweeps, Replicas: res.Replicas, Seconds: res.Seconds}
	if th, err := analysis.Thermodynamics(res.Configs, L, res.K, 0); err == nil {
		st.SpecificHeat, st.SpecificHeatErr = stats.Num(th.C), stats.Num(th.CErr)
		st.Susceptibility, st.SusceptibilityErr = stats.Num(th.Chi), stats.Num(th.ChiErr)
	}
	return st, nil
}

// Rough costs on one Zen 3/4 core for the schedulers' estimates.
const (
	// flipsPerSecond is the sampler's attempted flips a second per core
	// (bitlattice.Work.Flips): 1.16e10 measured at L = 64, K = 0.43, one
	// thread, AVX-512 (Intel Xeon family 6 model 167); the AVX2 kernel on
	// Zen 3 and 5 ran 1.1e10 a core (shared/PERF.md); halved for the work
	// around the kernel.
	flipsPerSecond = 5e9
	macsPerSecond  = 4e9 // multiply-adds in training and AIS per core
	// surrogateUnitSeconds is the surrogate test of one L = 40 field
	// (analysis.SurrogateLocality: 19 + 19 surrogates, L^3 per transform);
	// 5.7 ms on the Zen 5 (BenchmarkSurrogateLocality at 4bbe2c0), 3.5x
	// that here, as the other rates allow for a slower core.
	surrogateUnitSeconds = 0.02
)

func mib(bytes float64) int { return int(math.Ceil(bytes / (1 << 20))) }

// parallelCores is the cores estimate of a stage that uses every thread.
func (s Settings) parallelCores() int {
	if s.Threads > 0 {
		return s.Threads
	}
	return 2
}

// macsPerSample is one up-and-down pass of the stack per configuration.
func (s Settings) macsPerSample() float64 {
	sizes := append([]int{s.L * s.L}, s.Layers...)
	m := 0.0
	for i := 0; i+1 < len(sizes); i++ {
		m += float64(float64(sizes[i]) * float64(sizes[i+1]))
	}
	return m
}

// sizes is the stack's units, visible first.
func (s Settings) sizes() []int { return append([]int{s.L * s.L}, s.Layers...) }

// modelBytes is a trained stack without its snapshots: weights and biases,
// float32.
func (s Settings) modelBytes() float64 {
	sizes := s.sizes()
	b := 0.0
	for i := 0; i+1 < len(sizes); i++ {
		b += float64(4 * (float64(float64(sizes[i])*float64(sizes[i+1])) + float64(sizes[i]+sizes[i+1])))
	}
	return b
}

func (s Settings) dataStage(d int) *stageDef {
	st := s.samplingStage(s.K, s.N, s.dataSeed(d), dataRel(d), dataStatsRel(d),
		fmt.Sprintf("sample L=%d K=%.4f (data %d)", s.L, s.K, d))
	st.Name, st.Kind = fmt.Sprintf("data/d%d", d), "data"
	return st
}

// testStage samples the held-out test set of data seed d: the training
// coupling, its own seed, never trained on.
func (s Settings) testStage(d int) *stageDef {
	st := s.samplingStage(s.K, s.TestN, s.testSeed(d), testRel(d), testStatsRel(d),
		fmt.Sprintf("test set L=%d K=%.4f (data %d)", s.L, s.K, d))
	st.Name, st.Kind = fmt.Sprintf("testdata/d%d", d), "testdata"
	return st
}

// samplingStage samples n configurations at coupling k with seed and writes
// them to rel and their statistics to statsRel; its key settings are
// (L, k, n, seed).
func (s Settings) samplingStage(k float64, n int, seed uint64, rel, statsRel, label string) *stageDef {
	settings := struct {
		L    int
		K    float64
		N    int
		Seed uint64
		// omitted for xoshiro256++, so those stages keep their keys
		Generator ising.Generator `json:",omitempty"`
	}{s.L, k, n, seed, s.Generator}
	st := &stageDef{settings: settings}
	st.Outputs = []string{rel, statsRel}
	st.Cores = s.parallelCores()
	st.MemMiB = 48 + mib(float64(3*float64(n*s.L*s.L))+bitlattice.MemoryEstimate(s.L, n, 0).Scratch)
	st.Seconds = 1 + bitlattice.WorkEstimate(s.L, k, n, 0, 0).Flips/(flipsPerSecond*float64(st.Cores))
	st.run = func(r *replicator, _ string) error {
		res, err := r.sample(label, s.L, k, n, seed)
		if err != nil {
			return err
		}
		sst, err := r.writeSamples(rel, res, n, seed)
		if err != nil {
			return err
		}
		return writeJSONAtomic(r.path(statsRel), sst)
	}
	return st
}

func (s Settings) sweepStage(d int, k float64) *stageDef {
	st := s.samplingStage(k, s.SweepN, s.sweepSeed(d, k), sweepRel(d, k), sweepStatsRel(d, k),
		fmt.Sprintf("sweep K=%.4f (data %d)", k, d))
	st.Name, st.Kind = fmt.Sprintf("sweep/d%d/K%.4f", d, k), "sweep"
	return st
}

// loadConfigs reads a uint8 configuration file of the output folder.
func (r *replicator) loadConfigs(rel string) (*rbm.Dataset, error) {
	a, err := npy.ReadFile(r.path(rel))
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 3 || a.Shape[1] != a.Shape[2] || a.Descr != "|u1" {
		return nil, fmt.Errorf("%s: shape %v dtype %s, want (n, L, L) |u1", rel, a.Shape, a.Descr)
	}
	d, err := rbm.DatasetFromArray(r.path(rel), a)
	if err != nil {
		return nil, err
	}
	if !d.Binary() {
		return nil, fmt.Errorf("%s: not binary configurations", rel)
	}
	return d, nil
}

func (s Settings) trainStage(net string, p replica, dataKey string) (*stageDef, error) {
	cfg, err := s.networkConfig(net, p)
	if err != nil {
		return nil, err
	}
	settings := struct {
		Config rbm.Config
		Layers []int
	}{cfg, s.Layers}
	rel := modelRel(net, p)
	st := &stageDef{settings: settings}
	st.Name, st.Kind, st.Inputs, st.Outputs = "train/"+net+"/"+p.tag(), "train", []string{dataKey}, []string{rel}
	st.Cores = s.parallelCores()
	// The data file as read, and what training holds (rbm.EstimateTrainBytes:
	// the data and its copies, every layer with its snapshots, the trainer,
	// the monitor, the history) on the stage's cores.
	ecfg := cfg
	ecfg.Threads = st.Cores
	st.MemMiB = 64 + mib(float64(float64(s.N)*float64(s.L*s.L))+rbm.EstimateTrainBytes(s.N, false, s.sizes(), ecfg))
	// Calibrated on Zen 3 at the paper's sizes (batch 100: 310 s; scikit-learn's
	// batch 10 runs about sqrt(10) times slower per sample).
	st.Seconds = float64(cfg.Epochs) * float64(s.N) * s.macsPerSample() * math.Sqrt(100/float64(max(1, cfg.Batch))) / (macsPerSecond * float64(st.Cores))
	ckptGlob := "models/" + net + "/" + p.tag() + "-*.ckpt"
	st.run = func(r *replicator, key string) error {
		data, err := r.loadConfigs(dataRel(p.D))
		if err != nil {
			return err
		}
		c := cfg
		c.Threads = r.s.Threads // the stage's share of the cores, not the run's setting
		c.CheckpointPath = r.path("models/" + net + "/" + p.tag() + "-" + key + ".ckpt")
		c.CheckpointEvery = max(1, c.Epochs/10)
		sizes := append([]int{data.D}, s.Layers...)
		total := int64(len(s.Layers) * c.Epochs)
		bar := r.task("train " + net + " " + p.tag())
		progress := func(pi rbm.ProgressInfo) {
			bar.SetExtra(pi.String())
			bar.Update(int64(pi.Layer*pi.Epochs+pi.Epoch), total)
			if r.onEpoch != nil {
				r.onEpoch(net, pi)
			}
		}
		dbn, hist, err := r.trainOrResume(net, ckptGlob, data, sizes, c, progress)
		bar.Done()
		if err != nil {
			return err
		}
		saved := cfg
		meta := rbm.Meta{Config: &saved, History: hist, Extra: map[string]any{"data": dataRel(p.D), "lattice_L": s.L, "K": s.K, "stage_key": key}}
		if err := dbn.Save(r.path(rel), meta); err != nil {
			return err
		}
		os.Remove(c.CheckpointPath)
		// What `isingrbm train` would warn of; the eval stage records the
		// same (evalResult.Training), and the report counts it.
		for _, tc := range trainingChecks(hist, sizes, &saved) {
			if tc.Warned {
				fmt.Fprintf(r.stderr, "train %s %s: %s\n", net, p.tag(), tc.Warning)
			}
		}
		return nil
	}
	return st, nil
}

// trainOrResume trains network net, or resumes it from the checkpoint
// c.CheckpointPath when one is there (starting afresh when it cannot be
// resumed); checkpoints of other settings are removed.
func (r *replicator) trainOrResume(net, ckptGlob string, data *rbm.Dataset, sizes []int, c rbm.Config, progress func(rbm.ProgressInfo)) (*rbm.DBN, *rbm.History, error) {
	ckpt := c.CheckpointPath
	if _, statErr := os.Stat(ckpt); statErr != nil {
		// Checkpoints of other settings are stale.
		if old, _ := filepath.Glob(r.path(ckptGlob)); len(old) > 0 {
			for _, o := range old {
				os.Remove(o)
			}
		}
		return rbm.TrainDBN(r.ctx, data, sizes, c, progress)
	}
	fmt.Fprintf(r.stderr, "train %s: resuming from %s\n", net, ckpt)
	dbn, hist, err := rbm.ResumeDBN(r.ctx, ckpt, data, progress)
	if err != nil && !errors.Is(err, r.ctx.Err()) {
		fmt.Fprintf(r.stderr, "train %s: cannot resume (%v); starting afresh\n", net, err)
		os.Remove(ckpt)
		return rbm.TrainDBN(r.ctx, data, sizes, c, progress)
	}
	return dbn, hist, err
}

// evalResult is eval/<net>/<replica>.json: the evaluation on the training
// rows (rbm.EvalReport's fields) and on the held-out test set.
type evalResult struct {
	rbm.EvalReport
	TestData    string          `json:"test_data"`
	TestSamples int             `json:"test_samples"`
	Test        []rbm.LayerEval `json:"test_layers"`
	// Bounds are the DBN's variational lower bounds on log p(v) for the
	// stacks of depth 2 and more (the honest measure above layer 1).
	Bounds []BoundEval `json:"dbn_bounds"`
	// Training is what each layer's last training epoch said against
	// independent units (trainingChecks); absent from outputs written
	// before 2026-12-05.
	Training []TrainingCheck `json:"training_checks,omitempty"`
}

// TrainingCheck is a layer's last training epoch against independent
// units with its training means, as `isingrbm train` checks it
// (rbm.LayerSummary.IndependentWarning): Warned when its log-likelihood
// ceiling is below theirs or its pseudo-log-likelihood three standard
// errors below, with the warning train prints; Set is the samples of the
// check ("validation", else "training"). A layer whose history lacks the
// measures has Checked false.
type TrainingCheck struct {
	Layer   int    `json:"layer"`
	Checked bool   `json:"checked"`
	Set     string `json:"set,omitempty"`
	Warned  bool   `json:"warned"`
	Warning string `json:"warning,omitempty"`
}

// trainingChecks are the TrainingChecks of every layer of a model trained
// with c (nil when h is nil: a model saved without its history).
func trainingChecks(h *rbm.History, sizes []int, c *rbm.Config) []TrainingCheck {
	if h == nil {
		return nil
	}
	var out []TrainingCheck
	for _, ls := range h.Summarize(sizes) {
		tc := TrainingCheck{Layer: ls.Layer}
		if ic, ok := ls.Independent(); ok {
			tc.Checked, tc.Set = true, ic.Set
			tc.Warning = ls.IndependentWarning(c != nil && c.PCD)
			tc.Warned = tc.Warning != ""
		}
		out = append(out, tc)
	}
	return out
}

// BoundEval is the variational lower bound on log p(v) of the DBN made of
// the first Depth layers (Salakhutdinov & Murray 2008, sec. 4): h drawn
// from q(h|v) up the stack, the top RBM's log Z from AIS. Train is on a
// seeded subset of the training rows, Test on the held-out test set; the
// errors combine the draws of h and log Z's AIS error.
type BoundEval struct {
	Depth     int       `json:"depth"`
	Draws     int       `json:"draws_per_row"`
	TrainRows int       `json:"train_rows"`
	Train     stats.Num `json:"train"`
	TrainErr  stats.Num `json:"train_err"`
	TestRows  int       `json:"test_rows"`
	Test      stats.Num `json:"test"`
	TestErr   stats.Num `json:"test_err"`
	LogZ      stats.Num `json:"log_z_top"`
}

func (s Settings) evalStage(net string, p replica, trainKey, dataKey, testKey string) *stageDef {
	seed := s.replicaSeed(p, "eval")
	settings := struct {
		AISRuns      int
		AISSteps     [3]int
		EvalSamples  int
		Seed         uint64
		RAISESamples int `json:",omitempty"` // without -raise, the key of before it
	}{s.AISRuns, s.AISSteps, s.EvalSamples, seed, s.RAISESamples}
	rel := evalRel(net, p)
	st := &stageDef{settings: settings}
	st.Name, st.Kind, st.Inputs, st.Outputs = "eval/"+net+"/"+p.tag(), "eval", []string{trainKey, dataKey, testKey}, []string{rel}
	st.Cores = s.parallelCores()
	steps := float64(s.AISSteps[0] + s.AISSteps[1] + s.AISSteps[2])
	// The data and held-out sets as read (and float copies), or what
	// rbm.EstimateEvalBytes counts (the model without its snapshots, AIS's
	// chains, the propagated inputs) with the held-out set beside it,
	// whichever is more.
	sites := float64(s.L * s.L)
	est := rbm.EstimateEvalBytes(s.N+s.TestN, s.sizes(), s.AISRuns, int(steps)) + float64(float64(s.TestN)*sites)
	st.MemMiB = 64 + mib(max(float64(float64(s.N+s.TestN)*sites*5)+float64(float64(s.N)*float64(s.Layers[0])*8), est))
	// AIS: two paths (rbm.LogLikelihood) of two products per step.
	// RAISE: one chain of two products per step for each of its samples.
	raise := float64(2 * float64(min(s.RAISESamples, s.TestN)) * steps * s.macsPerSample())
	st.Seconds = (float64(4*float64(s.AISRuns)*steps*s.macsPerSample()) + float64(8*float64(s.N+s.TestN)*s.macsPerSample()) + raise) / (4 * macsPerSecond * float64(st.Cores))
	st.run = func(r *replicator, _ string) error {
		dbn, meta, err := rbm.LoadDBNLayers(r.path(modelRel(net, p)))
		if err != nil {
			return err
		}
		data, err := r.loadConfigs(dataRel(p.D))
		if err != nil {
			return err
		}
		test, err := r.loadConfigs(testRel(p.D))
		if err != nil {
			return err
		}
		set := rbm.SeededSubset(data, s.EvalSamples, DeriveSeed(seed, "subset", 0, 0))
		bar := r.task("eval " + net + " " + p.tag())
		res, err := rbm.EvaluateDBN(r.ctx, dbn, set, rbm.EvalOptions{AISRuns: s.AISRuns, AISSteps: s.AISSteps, Seed: seed, Threads: r.s.Threads, Progress: bar.Update})
		bar.Done()
		if err != nil {
			return err
		}
		tres, err := evaluateHeldOut(r, dbn, test, res, DeriveSeed(seed, "test-pll", 0, 0), DeriveSeed(seed, "raise", 0, 0))
		if err != nil {
			return err
		}
		trainRows := rbm.SeededSubset(data, test.N, DeriveSeed(seed, "bound-subset", 0, 0))
		var bounds []BoundEval
		for depth := 2; depth <= len(dbn.Layers); depth++ {
			logZ, zErr := float64(res[depth-1].LogZ), float64(res[depth-1].LogLikErr)
			b := BoundEval{Depth: depth, Draws: 1, TrainRows: trainRows.N, TestRows: test.N, LogZ: stats.Num(logZ)}
			for _, x := range []struct {
				set      *rbm.Dataset
				val, err *stats.Num
				purpose  string
			}{{trainRows, &b.Train, &b.TrainErr, "bound-train"}, {test, &b.Test, &b.TestErr, "bound-test"}} {
				br, err := dbn.VariationalBound(r.ctx, x.set, depth, logZ, b.Draws, DeriveSeed(seed, x.purpose, depth, 0))
				if err != nil {
					return err
				}
				*x.val, *x.err = stats.Num(br.Mean), stats.Num(pmath.Hypot(br.StdErr, zErr))
			}
			bounds = append(bounds, b)
		}
		return writeJSONAtomic(r.path(rel), evalResult{EvalReport: rbm.EvalReport{Model: modelRel(net, p), Data: dataRel(p.D),
			Samples: set.N, SamplesTotal: data.N, Seed: seed, Layers: res}, TestData: testRel(p.D), TestSamples: test.N, Test: tres, Bounds: bounds,
			Training: trainingChecks(meta.History, dbn.Sizes(), meta.Config)})
	}
	return st
}

// evaluateHeldOut measures every layer of d on the held-out test set with
// the log Z that the training-set evaluation train estimated (the same
// model, so the same partition function): layer l > 1 on the hidden
// probabilities of layer l-1, as on the training rows. With
// Settings.RAISESamples, layer 1 (when its log-likelihood needs AIS) also
// gets reverse AIS from that many held-out configurations (seeded by
// raiseSeed).
func evaluateHeldOut(r *replicator, d *rbm.DBN, test *rbm.Dataset, train []rbm.LayerEval, seed, raiseSeed uint64) ([]rbm.LayerEval, error) {
	ws := f32.NewWorkspace(r.s.Threads)
	cur := test
	var out []rbm.LayerEval
	for l, layer := range d.Layers {
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
		tr := train[l]
		e := rbm.LayerEval{Layer: l + 1, Visible: layer.NVisible, Hidden: layer.NHidden, Input: tr.Input, Samples: cur.N,
			LogLikMethod: tr.LogLikMethod, LogZ: tr.LogZ, LogZFloor: tr.LogZFloor, LogLikErr: tr.LogLikErr, AISRuns: tr.AISRuns, AISSteps: tr.AISSteps,
			LogZData: tr.LogZData, LogZBiases: tr.LogZBiases, AISPath: tr.AISPath,
			GlobalFlipGap: stats.Num(math.NaN())}
		t0 := time.Now()
		f, err := layer.FreeEnergyContext(r.ctx, ws, cur)
		if err != nil {
			return nil, err
		}
		pl, err := layer.PseudoLikelihoodContext(r.ctx, ws, cur, DeriveSeed(seed, "layer", l, 0))
		if err != nil {
			return nil, err
		}
		recon, err := layer.ReconstructionErrorContext(r.ctx, ws, cur)
		if err != nil {
			return nil, err
		}
		e.FreeEnergy, e.PseudoLL, e.ReconError = stats.Num(stats.Mean(f)), stats.Num(stats.Mean(pl)), stats.Num(recon)
		e.LogLikIndep = stats.Num(rbm.IndependentLogLik(cur))
		shift := float64(e.FreeEnergy) - float64(tr.FreeEnergy) // log p = -F - log Z
		e.LogLik = stats.Num(float64(tr.LogLik) - shift)
		e.LogLikLo = stats.Num(float64(tr.LogLikLo) - shift)
		e.LogLikHi = stats.Num(float64(tr.LogLikHi) - shift)
		e.LogLikCeiling = stats.Num(float64(tr.LogLikCeiling) - shift)
		if l == 0 {
			g, err := layer.GlobalFlipGapFrom(r.ctx, ws, cur, f)
			if err != nil {
				return nil, err
			}
			e.GlobalFlipGap = stats.Num(stats.Mean(g))
			if r.s.RAISESamples > 0 && tr.LogLikMethod == "ais" {
				if e.RAISE, err = layer.RAISEEval(r.ctx, ws, cur, float64(e.FreeEnergy), r.s.RAISESamples, rbm.AISBetas(r.s.AISSteps),
					DeriveSeed(raiseSeed, "subset", 0, 0), DeriveSeed(raiseSeed, "chains", 0, 0)); err != nil {
					return nil, err
				}
			}
		}
		e.Seconds = time.Since(t0).Seconds()
		out = append(out, e)
		if l+1 < len(d.Layers) {
			if cur, err = layer.HiddenProbabilitiesContext(r.ctx, ws, cur); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// minHistogramUnits is the fewest units whose locality histograms are drawn.
const minHistogramUnits = 16

// DistSummary is a distribution over units.
type DistSummary struct {
	N      int       `json:"n"`
	Mean   stats.Num `json:"mean"`
	Min    stats.Num `json:"min"`
	Q05    stats.Num `json:"q05"`
	Q25    stats.Num `json:"q25"`
	Median stats.Num `json:"median"`
	Q75    stats.Num `json:"q75"`
	Q95    stats.Num `json:"q95"`
	Max    stats.Num `json:"max"`
}

func summarize(s analysis.Summary) DistSummary {
	return DistSummary{N: s.N, Mean: stats.Num(s.Mean), Min: stats.Num(s.Min), Q05: stats.Num(s.Q05), Q25: stats.Num(s.Q25),
		Median: stats.Num(s.Median), Q75: stats.Num(s.Q75), Q95: stats.Num(s.Q95), Max: stats.Num(s.Max)}
}

// blockSpinResult is the block-spin correspondence for one block size.
type blockSpinResult struct {
	B          int         `json:"block"`
	AbsCorr    DistSummary `json:"abs_corr"`       // |corr| over units
	NoiseCorr  DistSummary `json:"noise_abs_corr"` // the same with Gaussian-noise weights
	Undefined  int         `json:"undefined_units"`
	Configs    int         `json:"configs"`
	TieRule    string      `json:"tie_rule"`
	CentreRule string      `json:"centre_rule"`
}

// layerAnalysis holds the locality and block-spin measures of one layer's
// effective receptive fields.
type layerAnalysis struct {
	Layer      int         `json:"layer"`
	Units      int         `json:"units"`
	PR         DistSummary `json:"participation_ratio"`
	NoisePR    DistSummary `json:"noise_participation_ratio"`
	Disk       DistSummary `json:"disk_share"`
	NoiseDisk  DistSummary `json:"noise_disk_share"`
	Rg         DistSummary `json:"radius_of_gyration"`
	NoiseRg    DistSummary `json:"noise_radius_of_gyration"`
	DiskRadius float64     `json:"disk_radius"`
	// DiskUniform is the disk share of a uniform field (disk sites / L^2).
	DiskUniform float64 `json:"disk_share_uniform"`
	// Units more local than 95% of the noise fields, by PR (below the
	// noise's 5% quantile) and by disk share (above its 95% quantile).
	LocalByPR   stats.Num `json:"local_fraction_pr"`
	LocalByDisk stats.Num `json:"local_fraction_disk"`
	// The surrogate test (analysis.SurrogateLocality): the share of units
	// whose disk share exceeds that of every one of Surrogates
	// phase-randomized copies of themselves (same spatial spectrum, random
	// phases: not merely smooth), of every one of Surrogates permutations
	// of their values over the sites (not merely sparse), and of both
	// (compact); and the disk shares of all those surrogates.
	Surrogates     int               `json:"surrogates"`
	BeyondSpectrum stats.Num         `json:"local_fraction_beyond_spectrum"`
	BeyondValues   stats.Num         `json:"local_fraction_beyond_values"`
	Compact        stats.Num         `json:"compact_fraction"`
	SpectrumDisk   DistSummary       `json:"phase_surrogate_disk_share"`
	ValuesDisk     DistSummary       `json:"permuted_disk_share"`
	BlockSpin      []blockSpinResult `json:"block_spin"`
	BlockNote      string            `json:"block_spin_note,omitempty"`
	// The live units: those whose p(h = 1 | v), mean-field up the stack,
	// has a standard deviation of at least LiveSD over the analysed
	// configurations (analysis.Activity, analysis.LiveSD); a unit below
	// it answers every configuration alike, a constant as a feature of
	// the data whatever its field. Live is their share, LivePR and
	// LiveDisk the locality of their fields alone, LiveCompact the share
	// of them that are compact (NaN without live units).
	LiveSD      float64     `json:"live_sd"`
	Live        stats.Num   `json:"live_fraction"`
	LivePR      DistSummary `json:"live_participation_ratio"`
	LiveDisk    DistSummary `json:"live_disk_share"`
	LiveCompact stats.Num   `json:"live_compact_fraction"`
	// UnitActivity is every unit's standard deviation of p(h = 1 | v).
	UnitActivity []stats.Num `json:"unit_activity"`
	// UnitPR and UnitDisk are every unit's participation ratio and disk
	// share (pooled over seeds in the ensemble).
	UnitPR   []stats.Num `json:"unit_pr"`
	UnitDisk []stats.Num `json:"unit_disk"`
}

// thermoResult is the physics of one set of configurations.
type thermoResult struct {
	Depth   int       `json:"depth"` // 0: the Monte Carlo configurations themselves
	Source  string    `json:"source"`
	Samples int       `json:"samples"`
	U       stats.Num `json:"energy"`
	UErr    stats.Num `json:"energy_err"`
	AbsM    stats.Num `json:"abs_m"`
	AbsMErr stats.Num `json:"abs_m_err"`
	C       stats.Num `json:"specific_heat"`
	CErr    stats.Num `json:"specific_heat_err"`
	Chi     stats.Num `json:"susceptibility"`
	ChiErr  stats.Num `json:"susceptibility_err"`
	KEff    stats.Num `json:"k_eff"`
	KEffErr stats.Num `json:"k_eff_err"`
}

// snapLocality is the locality of the first-layer weights saved after one
// training epoch and, from the hidden biases saved with them, which units
// were live then (p(h = 1 | v) on the analysed configurations, as for the
// trained layer). The live measures are NaN for a model file written
// before the snapshots kept the biases (2026-12-04).
type snapLocality struct {
	Epoch       int       `json:"epoch"`
	PRMedian    stats.Num `json:"pr_median"`
	DiskMedian  stats.Num `json:"disk_share_median"`
	LocalByDisk stats.Num `json:"local_fraction_disk"`
	// Live is the share of live units; LivePRMedian their median PR.
	Live         stats.Num `json:"live_fraction"`
	LivePRMedian stats.Num `json:"live_pr_median"`
	// DeadOn is the share of all units that are dead and on (mean
	// p(h = 1 | v) of at least 1/2): the rest of the dead are off.
	DeadOn stats.Num `json:"dead_on_fraction"`
	// The medians of the hidden bias c and of the largest |w| of each
	// unit's field, over the live and over the dead units.
	LiveBias stats.Num `json:"live_bias_median"`
	DeadBias stats.Num `json:"dead_bias_median"`
	LiveMaxW stats.Num `json:"live_max_abs_w_median"`
	DeadMaxW stats.Num `json:"dead_max_abs_w_median"`
}

// analysisResult is analysis/<net>.json.
type analysisResult struct {
	Network string          `json:"network"`
	Layers  []layerAnalysis `json:"layers"`
	// Snapshots is the locality of layer 1's W at every snapshot epoch
	// (the final weights are Layers[0]).
	Snapshots []snapLocality  `json:"snapshot_locality"`
	Physics   []thermoResult  `json:"reconstruction_physics"`
	Binarize  string          `json:"binarize"`
	Figures   []report.Figure `json:"figures"`
}

// reconstructor returns the analysis.Reconstructor of d: v up to depth and
// back down (mean-field), for any whole number of configurations.
func reconstructor(d *rbm.DBN, threads int) analysis.Reconstructor {
	ws := f32.NewWorkspace(threads)
	nv := d.Layers[0].NVisible
	return func(v []float32, depth int) []float32 {
		return d.Reconstruct(ws, v, len(v)/nv, depth)
	}
}

func toNums(x [][]float64) [][]stats.Num {
	out := make([][]stats.Num, len(x))
	for i, row := range x {
		out[i] = make([]stats.Num, len(row))
		for j, v := range row {
			out[i][j] = stats.Num(v)
		}
	}
	return out
}

func weightMatrix(l *rbm.RBM) analysis.Matrix {
	return analysis.Matrix{Rows: l.NVisible, Cols: l.NHidden, Data: l.W}
}

// analyseFigures are the figures the analyse stage of net draws, relative
// to the report folder.
func (s Settings) analyseFigures(net string, p replica) []string {
	files := []string{fmt.Sprintf("weights_%s.png", net)}
	for k, h := range s.Layers {
		files = append(files, fmt.Sprintf("erf_%s_l%d.png", net, k+1))
		if h >= minHistogramUnits {
			files = append(files, fmt.Sprintf("pr_%s_l%d.png", net, k+1), fmt.Sprintf("disk_%s_l%d.png", net, k+1))
		}
	}
	files = append(files, fmt.Sprintf("recon_%s.png", net), fmt.Sprintf("snapshots_%s.png", net))
	for i, f := range files {
		files[i] = figRel(p, f)
	}
	return files
}

func (s Settings) analyseStage(net string, p replica, trainKey, dataKey string) *stageDef {
	seed := s.replicaSeed(p, "analyse")
	settings := struct {
		AnalysisSamples int
		Seed            uint64
		Version         int
	}{s.AnalysisSamples, seed, 5}
	rel := analysisRel(net, p)
	st := &stageDef{settings: settings}
	st.Name, st.Kind, st.Inputs = "analyse/"+net+"/"+p.tag(), "analyse", []string{trainKey, dataKey}
	st.Outputs = []string{rel}
	for _, f := range s.analyseFigures(net, p) {
		st.Outputs = append(st.Outputs, "report/"+f)
	}
	st.Cores = 1
	// The data, the analysed samples' copies, and the model with its
	// snapshots (the receptive fields' evolution reads them).
	snaps := 0.0
	if cfg, err := s.networkConfig(net, p); err == nil {
		snaps = rbm.SnapshotBytes(s.sizes(), cfg)
	}
	st.MemMiB = 96 + mib(float64(2*float64(s.N)*float64(s.L*s.L))+float64(float64(s.AnalysisSamples)*float64(s.L*s.L)*12)+s.modelBytes()+snaps)
	units := 0
	for _, n := range s.Layers {
		units += n
	}
	l40 := float64(s.L) / 40
	st.Seconds = 2 + 4*float64(s.AnalysisSamples)*s.macsPerSample()/macsPerSecond + float64(float64(units)*surrogateUnitSeconds*l40*l40*l40)
	st.run = func(r *replicator, _ string) error {
		dbn, _, err := rbm.LoadDBN(r.path(modelRel(net, p)))
		if err != nil {
			return err
		}
		data, err := r.loadConfigs(dataRel(p.D))
		if err != nil {
			return err
		}
		if L := s.L; data.D != L*L || dbn.Layers[0].NVisible != L*L {
			return fmt.Errorf("data and model have %d and %d visible units, want L*L = %d", data.D, dbn.Layers[0].NVisible, L*L)
		}
		bar := r.task("analyse " + net + " " + p.tag())
		defer bar.Done()
		as := s
		as.Threads = r.s.Threads
		a := &analyser{net: net, rep: p, seed: seed, s: as, dir: r.path("report"), dbn: dbn,
			sub:   rbm.SeededSubset(data, s.AnalysisSamples, DeriveSeed(seed, "subset", 0, 0)),
			steps: int64(3*len(dbn.Layers) + 3), bar: bar}
		res, err := a.run()
		if err != nil {
			return err
		}
		return writeJSONAtomic(r.path(rel), res)
	}
	return st
}

// analyser is the analyse stage of one network: its inputs, the figures it
// has drawn and its progress.
type analyser struct {
	net   string
	rep   replica
	seed  uint64 // base of the analysis seeds
	s     Settings
	dir   string // the report folder
	dbn   *rbm.DBN
	sub   *rbm.Dataset // the analysed configurations
	res   analysisResult
	files []string // figures drawn, relative to the output folder
	done  int64
	steps int64
	bar   Task
}

// noiseSeed is the seed of the Gaussian noise fields of layer k.
func (a *analyser) noiseSeed(k int) uint64 { return DeriveSeed(a.seed, "noise-locality", k, 0) }

// surrogateSeed is the seed of the surrogates (phase-randomized copies and
// permutations) of layer k.
func (a *analyser) surrogateSeed(k int) uint64 {
	return DeriveSeed(a.seed, "surrogate-locality", k, 0)
}

func (a *analyser) tick() { a.done++; a.bar.Update(a.done, a.steps) }

func (a *analyser) path(file string) string {
	return filepath.Join(a.dir, filepath.FromSlash(figRel(a.rep, file)))
}

func (a *analyser) addFig(file, caption string) {
	a.files = append(a.files, "report/"+figRel(a.rep, file))
	a.res.Figures = append(a.res.Figures, report.Figure{File: figRel(a.rep, file), Caption: caption})
}

// run computes the locality of every layer, the reconstructions, their
// physics and the training snapshots, drawing their figures.
func (a *analyser) run() (analysisResult, error) {
	a.res = analysisResult{Network: a.net, Binarize: analysis.Sample.String()}
	ws := make([]analysis.Matrix, len(a.dbn.Layers))
	for k, l := range a.dbn.Layers {
		ws[k] = weightMatrix(l)
	}
	erfs, err := analysis.ERF(ws)
	if err != nil {
		return a.res, err
	}
	if err := a.weightsFigure(erfs[0]); err != nil {
		return a.res, err
	}
	_, act, err := a.response(a.dbn.Layers)
	if err != nil {
		return a.res, err
	}
	for k := range a.dbn.Layers {
		la, err := a.layer(k, erfs[k], ws[0], act[k])
		if err != nil {
			return a.res, err
		}
		a.res.Layers = append(a.res.Layers, la)
	}
	rec := reconstructor(a.dbn, a.s.Threads)
	if err := a.reconstructionFigure(rec); err != nil {
		return a.res, err
	}
	a.tick()
	if err := a.physics(rec); err != nil {
		return a.res, err
	}
	a.tick()
	if err := a.snapshotsFigure(); err != nil {
		return a.res, err
	}
	if err := a.snapshotLocality(); err != nil {
		return a.res, err
	}
	a.tick()
	return a.res, nil
}

// activityChunk is the number of configurations activity passes up the
// stack at a time (their float32 copy is 6.4 MB at L = 40).
const activityChunk = 1000

// response returns the mean and the standard deviation (analysis.Response)
// of every unit's p(h = 1 | v), mean-field up the stack of layers from the
// analysed configurations, layer by layer. Each row's probabilities are the
// same bits however many rows a product takes (the kernels' rounding
// contract), so the chunks change no value.
func (a *analyser) response(layers []*rbm.RBM) (mean, sd [][]float64, err error) {
	ws := f32.NewWorkspace(a.s.Threads)
	rows, nv := a.sub.N, a.sub.D
	hs := make([][]float32, len(layers))
	for k, l := range layers {
		hs[k] = make([]float32, rows*l.NHidden)
	}
	for lo := 0; lo < rows; lo += activityChunk {
		n := min(activityChunk, rows-lo)
		in := analysis.ToFloat32(a.sub.X[lo*nv : (lo+n)*nv])
		for k, l := range layers {
			out := hs[k][lo*l.NHidden : (lo+n)*l.NHidden]
			ws.SigmoidAffineNN(n, l.NHidden, l.NVisible, in, l.NVisible, l.W, l.NHidden, l.C, out, l.NHidden)
			in = out
		}
	}
	mean, sd = make([][]float64, len(layers)), make([][]float64, len(layers))
	for k, l := range layers {
		if mean[k], sd[k], err = analysis.Response(hs[k], rows, l.NHidden); err != nil {
			return nil, nil, err
		}
	}
	return mean, sd, nil
}

// weightsFigure draws the first-layer weights in index order.
func (a *analyser) weightsFigure(erf analysis.Matrix) error {
	s, L := a.s, a.s.L
	nShow := min(64, a.dbn.Layers[0].NHidden)
	cols := make([][]float64, nShow)
	for j := range cols {
		cols[j] = erf.Column(j)
	}
	file := fmt.Sprintf("weights_%s.png", a.net)
	if _, err := report.FieldGrid(a.path(file), cols, L, report.GridOptions{Cols: 8, Title: a.net + ": W of layer 1, units 1-" + fmt.Sprint(nShow)}); err != nil {
		return err
	}
	a.addFig(file, fmt.Sprintf("%s: the first %d columns of the first-layer weight matrix W (units in index order), each reshaped to the %dx%d lattice; blue negative, red positive, one symmetric colour scale for the grid (colour bar). Trained on %d configurations at K = %.3f.",
		a.net, nShow, L, L, s.N, s.K))
	return nil
}

// layer measures the locality of layer k's receptive fields against noise,
// draws their figures and, for the first layer, the block-spin correlations.
func (a *analyser) layer(k int, erf analysis.Matrix, w0 analysis.Matrix, act []float64) (layerAnalysis, error) {
	L := a.s.L
	model, noise, err := analysis.LocalityVsNoise(erf, L, 0, a.noiseSeed(k))
	if err != nil {
		return layerAnalysis{}, err
	}
	a.tick()
	la := layerAnalysis{Layer: k + 1, Units: erf.Cols, PR: summarize(model.PR), NoisePR: summarize(noise.PR),
		Disk: summarize(model.Disk), NoiseDisk: summarize(noise.Disk), Rg: summarize(model.Rg), NoiseRg: summarize(noise.Rg),
		DiskRadius: model.Radius, DiskUniform: float64(analysis.DiskArea(L, model.Radius)) / float64(L*L)}
	nPR, nDisk := 0, 0
	for _, u := range model.Units {
		la.UnitPR = append(la.UnitPR, stats.Num(u.PR))
		la.UnitDisk = append(la.UnitDisk, stats.Num(u.DiskShare))
		if u.PR < noise.PR.Q05 {
			nPR++
		}
		if u.DiskShare > noise.Disk.Q95 {
			nDisk++
		}
	}
	la.LocalByPR = stats.Num(float64(nPR) / float64(len(model.Units)))
	la.LocalByDisk = stats.Num(float64(nDisk) / float64(len(model.Units)))
	sur, err := analysis.SurrogateLocality(erf, L, model.Radius, 0, a.surrogateSeed(k), a.s.Threads)
	if err != nil {
		return la, err
	}
	la.Surrogates, la.SpectrumDisk, la.ValuesDisk = sur.Surrogates, summarize(sur.SpectrumDisk), summarize(sur.ValuesDisk)
	la.BeyondSpectrum, la.BeyondValues, la.Compact = stats.Num(sur.BeyondSpectrum), stats.Num(sur.BeyondValues), stats.Num(sur.Compact)
	liveUnits(&la, act, model, sur)
	if err := a.erfFigure(k, erf, model, act); err != nil {
		return la, err
	}
	a.tick()
	// A histogram of fewer units says nothing; the tables give their values.
	if len(model.Units) >= minHistogramUnits {
		if err := a.localityHistograms(k, model, noise, la); err != nil {
			return la, err
		}
	}
	a.tick()
	return la, a.blockSpins(k, w0, &la)
}

// liveUnits fills la's measures of the live units from every unit's
// activity and the layer's locality and surrogate test.
func liveUnits(la *layerAnalysis, act []float64, model analysis.Locality, sur analysis.SurrogateResult) {
	la.LiveSD = analysis.LiveSD
	var pr, disk []float64
	compact := 0
	la.UnitActivity = make([]stats.Num, len(act))
	for j, sd := range act {
		la.UnitActivity[j] = stats.Num(sd)
		if sd < analysis.LiveSD {
			continue
		}
		pr, disk = append(pr, model.Units[j].PR), append(disk, model.Units[j].DiskShare)
		if sur.Units[j].Compact() {
			compact++
		}
	}
	la.Live = stats.Num(float64(len(pr)) / float64(len(act)))
	la.LivePR, la.LiveDisk = summarize(analysis.Summarize(pr)), summarize(analysis.Summarize(disk))
	la.LiveCompact = stats.Num(math.NaN())
	if len(pr) > 0 {
		la.LiveCompact = stats.Num(float64(compact) / float64(len(pr)))
	}
}

// erfFigure draws fields of layer k sorted by participation ratio, most
// local first: all of them when there are at most 64, else 64 at evenly
// spaced ranks of the participation ratio (the most and the least local
// and 62 between), so that the grid shows the layer's typical fields and
// not its most local tail.
func (a *analyser) erfFigure(k int, erf analysis.Matrix, model analysis.Locality, act []float64) error {
	order := make([]int, len(model.Units))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return model.Units[order[x]].PR < model.Units[order[y]].PR })
	n := min(erfGridUnits, len(order))
	fields, labels := make([][]float64, n), make([]string, n)
	for i := range n {
		u := order[evenRank(i, n, len(order))]
		fields[i] = erf.Column(u)
		labels[i] = "PR " + report.Num(model.Units[u].PR)
		if act[u] < analysis.LiveSD {
			labels[i] += ", dead"
		}
	}
	bar := report.DefaultBarLabel // w
	if k > 0 {
		bar = fmt.Sprintf("r(%d) (one symmetric scale)", k+1)
	}
	file := fmt.Sprintf("erf_%s_l%d.png", a.net, k+1)
	which, title := fmt.Sprintf("all %d units", n), fmt.Sprintf("all %d units", n)
	if n < len(order) {
		which = fmt.Sprintf("%d of the %d units, at evenly spaced ranks of the participation ratio (the most local, the least local and %d between)", n, len(order), n-2)
		title = fmt.Sprintf("%d of %d units, evenly spaced in PR rank", n, len(order))
	}
	if _, err := report.FieldGrid(a.path(file), fields, a.s.L, report.GridOptions{Cols: 8, TileLabels: labels, BarLabel: bar,
		Title: fmt.Sprintf("%s: ERF of layer %d, %s", a.net, k+1, title)}); err != nil {
		return err
	}
	what := "first-layer weights r(1) = W(1)"
	if k > 0 {
		what = fmt.Sprintf("effective receptive fields r(%d) = W(1)...W(%d) (plain products, no biases)", k+1, k+1)
	}
	a.addFig(file, fmt.Sprintf("%s, layer %d: %s of %s, sorted by participation ratio (most local first, row by row), each tile labelled with its PR and, for a dead unit, 'dead' (its p(h = 1 | v) has a standard deviation below %g over the %d analysed configurations: as a feature of the data it is a constant); each tile is the %dx%d periodic lattice; one colour scale for the grid.",
		a.net, k+1, what, which, analysis.LiveSD, a.sub.N, a.s.L, a.s.L))
	return nil
}

// erfGridUnits is the most fields an ERF figure shows.
const erfGridUnits = 64

// evenRank is the rank shown at position i of n out of total (n <= total):
// round(i (total-1) / (n-1)), from the first rank to the last.
func evenRank(i, n, total int) int {
	if n <= 1 {
		return 0
	}
	return (2*i*(total-1) + (n - 1)) / (2 * (n - 1))
}

// localityHistograms draws the participation-ratio and disk-share
// histograms of layer k against noise.
func (a *analyser) localityHistograms(k int, model, noise analysis.Locality, la layerAnalysis) error {
	L, net := a.s.L, a.net
	prs, disks := make([]float64, len(model.Units)), make([]float64, len(model.Units))
	for i, u := range model.Units {
		prs[i], disks[i] = u.PR, u.DiskShare
	}
	nprs, ndisks := make([]float64, len(noise.Units)), make([]float64, len(noise.Units))
	for i, u := range noise.Units {
		nprs[i], ndisks[i] = u.PR, u.DiskShare
	}
	file := fmt.Sprintf("pr_%s_l%d.png", net, k+1)
	if err := report.HistogramChart(a.path(file), report.ChartSpec{Title: fmt.Sprintf("%s layer %d: participation ratio", net, k+1),
		XLabel: "participation ratio (sites)", Width: 14, Height: 9, LogX: true}, prs, nprs, 30, 0, 0); err != nil {
		return err
	}
	a.addFig(file, fmt.Sprintf("%s, layer %d: distribution over units of the participation ratio (sum w^2)^2 / sum w^4 of the ERFs (solid) and of Gaussian noise of the same shape and RMS (dashed, %d fields, seed %d); 30 log-spaced bins on a log axis (participation ratios span 1 to the lattice's %d sites), heights the share of fields per decade. Median %s vs noise %s; %s of the units lie below the noise's 5%% quantile.",
		net, k+1, len(noise.Units), a.noiseSeed(k), L*L, report.Num(model.PR.Median), report.Num(noise.PR.Median), pct(float64(la.LocalByPR))))
	file = fmt.Sprintf("disk_%s_l%d.png", net, k+1)
	if err := report.HistogramChart(a.path(file), report.ChartSpec{Title: fmt.Sprintf("%s layer %d: share of w^2 within %.1f sites of the peak", net, k+1, model.Radius),
		XLabel: "disk share", Width: 14, Height: 9}, disks, ndisks, 30, 0, 1); err != nil {
		return err
	}
	a.addFig(file, fmt.Sprintf("%s, layer %d: share of sum w^2 within torus distance %.1f of the site of the largest |w| (%d sites; a uniform field gives %.3f), ERFs (solid) against Gaussian noise (dashed, %d fields); 30 bins on [0, 1]. White noise is a weak baseline here: any smooth or sparse field beats it; %s of the units are compact, beating their own phase-randomized copies and permutations (the overview's compact column). Median %s vs noise %s; %s of the units lie above the noise's 95%% quantile.",
		net, k+1, model.Radius, analysis.DiskArea(L, model.Radius), la.DiskUniform, len(noise.Units), pct(float64(la.Compact)), report.Num(model.Disk.Median), report.Num(noise.Disk.Median), pct(float64(la.LocalByDisk))))
	return nil
}

// blockSpins fills la's block-spin correlations (first layer only; block
// sides 2 and 4 where they divide L) or the note saying why there are none.
func (a *analyser) blockSpins(k int, w0 analysis.Matrix, la *layerAnalysis) error {
	L := a.s.L
	if k > 0 {
		la.BlockNote = "block-spin correlation is measured for first-layer units only (their activation is a function of single spins)"
		return nil
	}
	var bs []int
	for _, b := range []int{2, 4} {
		if L%b == 0 {
			bs = append(bs, b)
		}
	}
	if len(bs) == 0 {
		la.BlockNote = fmt.Sprintf("L = %d is not a multiple of 2 or 4", L)
		return nil
	}
	m, nz, err := analysis.BlockSpinVsNoise(w0, a.dbn.Layers[0].C, a.sub.X, L, bs, DeriveSeed(a.seed, "noise-blockspin", 0, 0))
	if err != nil {
		return err
	}
	for i := range m {
		la.BlockSpin = append(la.BlockSpin, blockSpinResult{B: m[i].B, AbsCorr: summarize(m[i].AbsCorr), NoiseCorr: summarize(nz[i].AbsCorr),
			Undefined: m[i].AbsCorr.NaN, Configs: m[i].NSamples, TieRule: m[i].TieRule, CentreRule: m[i].CentreRule})
	}
	return nil
}

// reconstructionFigure draws four configurations reconstructed at every
// depth.
func (a *analyser) reconstructionFigure(rec analysis.Reconstructor) error {
	nl, sub := len(a.dbn.Layers), a.sub
	depths := make([]int, nl)
	labels := []string{"original"}
	for k := range depths {
		depths[k] = k + 1
		labels = append(labels, fmt.Sprintf("depth %d", k+1))
	}
	idx := []int{0, sub.N / 3, 2 * sub.N / 3, sub.N - 1}
	rows, err := analysis.Reconstructions(sub.X, a.s.L, idx, depths, rec)
	if err != nil {
		return err
	}
	file := fmt.Sprintf("recon_%s.png", a.net)
	if _, err := report.ReconstructionGrid(a.path(file), rows, a.s.L, labels, 0); err != nil {
		return err
	}
	a.addFig(file, fmt.Sprintf("%s: four Monte Carlo configurations (K = %.3f; white up, black down) and their mean-field reconstructions v -> h(1) -> ... -> h(d) -> ... -> v' at depths 1 to %d, shown as probabilities (grey levels).", a.net, a.s.K, nl))
	return nil
}

// physics measures the thermodynamics of the configurations and of their
// binarized reconstructions at every depth.
func (a *analyser) physics(rec analysis.Reconstructor) error {
	s, L, sub := a.s, a.s.L, a.sub
	for d := 0; d <= len(a.dbn.Layers); d++ {
		cfgs := sub.X
		source := "Monte Carlo configurations"
		if d > 0 {
			source = fmt.Sprintf("reconstructions at depth %d, %s", d, analysis.Sample)
			cfgs = make([]uint8, len(sub.X))
			N := L * L
			for lo := 0; lo < sub.N; lo += 1000 {
				hi := min(lo+1000, sub.N)
				p := rec(analysis.ToFloat32(sub.X[lo*N:hi*N]), d)
				copy(cfgs[lo*N:hi*N], analysis.Binarize(p, analysis.Sample, DeriveSeed(a.seed, "binarize", d, uint64(lo))))
			}
		}
		th, err := analysis.Thermodynamics(cfgs, L, s.K, 0)
		if err != nil {
			return err
		}
		tr := thermoResult{Depth: d, Source: source, Samples: th.Samples, U: stats.Num(th.U), UErr: stats.Num(th.UErr),
			AbsM: stats.Num(th.AbsM), AbsMErr: stats.Num(th.AbsMErr), C: stats.Num(th.C), CErr: stats.Num(th.CErr),
			Chi: stats.Num(th.Chi), ChiErr: stats.Num(th.ChiErr), KEff: stats.Num(math.NaN()), KEffErr: stats.Num(math.NaN())}
		if k, kErr, _, _, err := analysis.KEffJackknife(cfgs, L, nil, 0); err == nil {
			tr.KEff, tr.KEffErr = stats.Num(k), stats.Num(kErr)
		}
		a.res.Physics = append(a.res.Physics, tr)
	}
	return nil
}

// snapshotsFigure draws the first-layer receptive fields saved during
// training, if any.
func (a *analyser) snapshotsFigure() error {
	var snaps []rbm.Snapshot
	for _, sn := range a.dbn.Snapshots {
		if sn.Layer == 0 {
			snaps = append(snaps, sn)
		}
	}
	if len(snaps) == 0 {
		return nil
	}
	nu := min(16, a.dbn.Layers[0].NHidden)
	nv, nh := a.dbn.Layers[0].NVisible, a.dbn.Layers[0].NHidden
	var fields [][]float64
	var epochs []string
	for _, sn := range snaps {
		epochs = append(epochs, fmt.Sprint(sn.Epoch))
		for j := 0; j < nu; j++ {
			col := make([]float64, nv)
			for i := range col {
				col[i] = float64(sn.W[i*nh+j])
			}
			fields = append(fields, col)
		}
	}
	file := fmt.Sprintf("snapshots_%s.png", a.net)
	if _, err := report.FieldGrid(a.path(file), fields, a.s.L, report.GridOptions{Cols: nu,
		Title: fmt.Sprintf("%s: W of layer 1 during training, units 1-%d", a.net, nu)}); err != nil {
		return err
	}
	a.addFig(file, fmt.Sprintf("%s: the first %d first-layer receptive fields (columns) after epochs %s (rows, top to bottom), one colour scale for the whole grid.",
		a.net, nu, joinComma(epochs)))
	return nil
}

// snapshotLocality measures the locality of every first-layer snapshot
// against noise of the same shape (the seed of the final layer's noise).
func (a *analyser) snapshotLocality() error {
	l0 := a.dbn.Layers[0]
	for _, sn := range a.dbn.Snapshots {
		if sn.Layer != 0 {
			continue
		}
		m := analysis.Matrix{Rows: l0.NVisible, Cols: l0.NHidden, Data: sn.W}
		model, noise, err := analysis.LocalityVsNoise(m, a.s.L, 0, a.noiseSeed(0))
		if err != nil {
			return fmt.Errorf("snapshot of epoch %d: %w", sn.Epoch, err)
		}
		n := 0
		for _, u := range model.Units {
			if u.DiskShare > noise.Disk.Q95 {
				n++
			}
		}
		sl := snapLocality{Epoch: sn.Epoch, PRMedian: stats.Num(model.PR.Median),
			DiskMedian: stats.Num(model.Disk.Median), LocalByDisk: stats.Num(float64(n) / float64(len(model.Units)))}
		if err := a.snapshotLive(&sl, sn, model); err != nil {
			return fmt.Errorf("snapshot of epoch %d: %w", sn.Epoch, err)
		}
		a.res.Snapshots = append(a.res.Snapshots, sl)
	}
	return nil
}

// snapshotLive fills sl's live measures from the first-layer snapshot sn
// (NaN when sn has no biases) and the locality of its fields (model, whose
// peak sites give each field's largest |w|).
func (a *analyser) snapshotLive(sl *snapLocality, sn rbm.Snapshot, model analysis.Locality) error {
	nan := stats.Num(math.NaN())
	sl.Live, sl.LivePRMedian, sl.DeadOn, sl.LiveBias, sl.DeadBias, sl.LiveMaxW, sl.DeadMaxW = nan, nan, nan, nan, nan, nan, nan
	if sn.C == nil {
		return nil
	}
	l0 := a.dbn.Layers[0]
	mean, sd, err := a.response([]*rbm.RBM{{NVisible: l0.NVisible, NHidden: l0.NHidden, W: sn.W, C: sn.C}})
	if err != nil {
		return err
	}
	var livePR, liveC, deadC, liveW, deadW []float64
	on := 0
	for j, u := range model.Units {
		// The locality found each field's largest |w| at its peak site.
		mw := math.Abs(float64(sn.W[(u.PeakY*model.L+u.PeakX)*l0.NHidden+j]))
		if sd[0][j] >= analysis.LiveSD {
			livePR, liveC, liveW = append(livePR, model.Units[j].PR), append(liveC, float64(sn.C[j])), append(liveW, mw)
			continue
		}
		deadC, deadW = append(deadC, float64(sn.C[j])), append(deadW, mw)
		if mean[0][j] >= 0.5 {
			on++
		}
	}
	med := func(x []float64) stats.Num { return stats.Num(analysis.Summarize(x).Median) }
	sl.Live, sl.DeadOn = stats.Num(float64(len(livePR))/float64(len(sd[0]))), stats.Num(float64(on)/float64(len(sd[0])))
	sl.LivePRMedian, sl.LiveBias, sl.DeadBias, sl.LiveMaxW, sl.DeadMaxW = med(livePR), med(liveC), med(deadC), med(liveW), med(deadW)
	return nil
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "NaN"
	}
	return fmt.Sprintf("%.0f%%", 100*x)
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// flowResult is flow/<net>.json.
type flowResult struct {
	Network     string          `json:"network"`
	Depth       int             `json:"depth"`
	Steps       int             `json:"steps"`
	Binarize    string          `json:"binarize"`
	K           []float64       `json:"K"`
	U           [][]stats.Num   `json:"energy"`     // [step][K]
	UErr        [][]stats.Num   `json:"energy_err"` // jackknife
	KEff        [][]stats.Num   `json:"k_eff"`      // [step][K]; null when the energy cannot be inverted
	KEffErr     [][]stats.Num   `json:"k_eff_err"`
	NullReasons []string        `json:"null_reasons"`
	Figures     []report.Figure `json:"figures"`
}

func (s Settings) flowStage(net string, p replica, trainKey string, sweepKeys []string) *stageDef {
	seed := s.replicaSeed(p, "flow")
	settings := struct {
		Steps, Depth int
		Seed         uint64
	}{s.FlowSteps, s.FlowDepth, seed}
	rel := flowRel(net, p)
	file := figRel(p, fmt.Sprintf("flow_%s.png", net))
	st := &stageDef{settings: settings}
	st.Name, st.Kind = "flow/"+net+"/"+p.tag(), "flow"
	st.Inputs = append([]string{trainKey}, sweepKeys...)
	st.Outputs = []string{rel, "report/" + file}
	st.Cores = 1
	st.MemMiB = 64 + mib(float64(len(s.SweepKs)*s.SweepN*s.L*s.L)+float64(float64(min(s.SweepN, 1000)*s.L*s.L)*16)+s.modelBytes())
	st.Seconds = 1 + 2*float64(s.FlowSteps*len(s.SweepKs)*s.SweepN)*s.macsPerSample()/macsPerSecond
	st.run = func(r *replicator, _ string) error {
		dbn, _, err := rbm.LoadDBNLayers(r.path(modelRel(net, p)))
		if err != nil {
			return err
		}
		var inputs []analysis.FlowInput
		for _, k := range s.SweepKs {
			d, err := r.loadConfigs(sweepRel(p.D, k))
			if err != nil {
				return err
			}
			if d.D != dbn.Layers[0].NVisible {
				return fmt.Errorf("%s has %d units per sample, the model %d", sweepRel(p.D, k), d.D, dbn.Layers[0].NVisible)
			}
			inputs = append(inputs, analysis.FlowInput{K: k, Configs: d.X})
		}
		bar := r.task("flow " + net + " " + p.tag())
		rec := reconstructor(dbn, r.s.Threads)
		calls, total := int64(0), int64(s.FlowSteps*len(inputs)*((s.SweepN+999)/1000))
		counted := func(v []float32, depth int) []float32 {
			out := rec(v, depth)
			calls++
			bar.Update(calls, total)
			return out
		}
		f, err := analysis.RGFlow(inputs, s.L, counted, analysis.FlowOptions{Depth: s.FlowDepth, Iterations: s.FlowSteps, Seed: seed})
		bar.Done()
		if err != nil {
			return err
		}
		res := flowResult{Network: net, Depth: s.FlowDepth, Steps: s.FlowSteps, Binarize: f.Mode.String(), K: f.K,
			U: toNums(f.U), UErr: toNums(f.UErr), KEff: toNums(f.KEff), KEffErr: toNums(f.KEffErr), NullReasons: f.Errors}
		if res.NullReasons == nil {
			res.NullReasons = []string{}
		}
		if _, err := report.RGFlowChart(r.path("report/"+file), report.ChartSpec{Title: fmt.Sprintf("%s: K -> K_eff under repeated reconstruction (depth %d)", net, s.FlowDepth),
			Width: 16, Height: 12}, f.Series(), exact.Kc); err != nil {
			return err
		}
		res.Figures = []report.Figure{{File: file, Caption: fmt.Sprintf("%s (%s): RG flow. Monte Carlo configurations at each K of the sweep (%d per K, L = %d) are reconstructed %d times through depth %d of the network trained at K = %.3f (v -> h -> v', spins %s each step); K_eff is the coupling whose exact finite-lattice energy u(K) equals the configurations' mean energy. The grey diagonal is no flow; the dashed lines mark K_c = %.4f. An RG step would move K_eff away from K_c.",
			net, p.tag(), s.SweepN, s.L, s.FlowSteps, s.FlowDepth, s.K, f.Mode, exact.Kc)}}
		return writeJSONAtomic(r.path(rel), res)
	}
	return st
}
