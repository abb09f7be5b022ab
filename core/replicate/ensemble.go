package replicate

import (
	"fmt"
	"math"
	"sort"

	"github.com/isingrbm/isingrbm/core/analysis"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/report"
	"github.com/isingrbm/isingrbm/core/stats"
)

// Spread is one measure over the replicas of a seed ensemble: its mean,
// sample standard deviation (null for fewer than two values), range and
// count of finite values, and the value of every replica in replica order
// (null where a replica has none).
type Spread struct {
	N      int         `json:"n"`
	Mean   stats.Num   `json:"mean"`
	Std    stats.Num   `json:"std"`
	Min    stats.Num   `json:"min"`
	Max    stats.Num   `json:"max"`
	Values []stats.Num `json:"values"`
}

// SpreadOf summarizes vals (NaN and infinities count as undefined).
func SpreadOf(vals []float64) Spread {
	s := Spread{Values: make([]stats.Num, len(vals))}
	sum, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
	var fin []float64
	for i, v := range vals {
		s.Values[i] = stats.Num(v)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		fin = append(fin, v)
		sum += v
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	s.N = len(fin)
	nan := stats.Num(math.NaN())
	s.Mean, s.Std, s.Min, s.Max = nan, nan, nan, nan
	if s.N == 0 {
		return s
	}
	m := sum / float64(s.N)
	s.Mean, s.Min, s.Max = stats.Num(m), stats.Num(lo), stats.Num(hi)
	if s.N > 1 {
		ss := 0.0
		for _, v := range fin {
			ss += float64((v - m) * (v - m))
		}
		s.Std = stats.Num(math.Sqrt(ss / float64(s.N-1)))
	}
	return s
}

// aboveCeilings says that k of the estimates are above their ceilings, in
// the number of k: "is above its ceiling", "are above their ceilings".
func aboveCeilings(k int) string {
	if k == 1 {
		return "is above its ceiling"
	}
	return "are above their ceilings"
}

// itsTheir is the possessive for k estimates.
func itsTheir(k int) string {
	if k == 1 {
		return "its"
	}
	return "their"
}

// Text formats a spread as "mean +- std [min, max] (n)", or the single
// value with "(n = 1)".
func (s Spread) Text() string {
	switch s.N {
	case 0:
		return "-"
	case 1:
		return report.Num4(float64(s.Mean)) + " (n = 1)"
	}
	return fmt.Sprintf("%s +- %s [%s, %s] (n = %d)", report.Num4(float64(s.Mean)), report.Num(float64(s.Std)),
		report.Num4(float64(s.Min)), report.Num4(float64(s.Max)), s.N)
}

// Short formats a spread as "mean +- std" (the mean alone for one value).
func (s Spread) Short() string {
	switch s.N {
	case 0:
		return "-"
	case 1:
		return report.Num4(float64(s.Mean))
	}
	return report.Num4(float64(s.Mean)) + " +- " + report.Num(float64(s.Std))
}

// BlockSpinEnsemble is the block-spin correlation of one block size over
// the replicas.
type BlockSpinEnsemble struct {
	B             int    `json:"block"`
	AbsCorrMedian Spread `json:"abs_corr_median"`
	NoiseMedian   Spread `json:"noise_abs_corr_median"`
}

// LayerEnsemble is one layer of one recipe over the replicas: the medians
// over units of each replica as spreads, and the unit distributions pooled
// over every replica.
type LayerEnsemble struct {
	Layer           int    `json:"layer"`
	PRMedian        Spread `json:"pr_median"`
	NoisePRMedian   Spread `json:"noise_pr_median"`
	DiskMedian      Spread `json:"disk_share_median"`
	NoiseDiskMedian Spread `json:"noise_disk_share_median"`
	RgMedian        Spread `json:"rg_median"`
	LocalByPR       Spread `json:"local_fraction_pr"`
	LocalByDisk     Spread `json:"local_fraction_disk"`
	// The surrogate test's fractions (layerAnalysis.BeyondSpectrum, ...).
	BeyondSpectrum Spread `json:"local_fraction_beyond_spectrum"`
	BeyondValues   Spread `json:"local_fraction_beyond_values"`
	Compact        Spread `json:"compact_fraction"`
	// The live units (layerAnalysis.Live, ...): their share, the medians
	// of their fields' locality and the share of them that are compact.
	Live           Spread              `json:"live_fraction"`
	LivePRMedian   Spread              `json:"live_pr_median"`
	LiveDiskMedian Spread              `json:"live_disk_share_median"`
	LiveCompact    Spread              `json:"live_compact_fraction"`
	BlockSpin      []BlockSpinEnsemble `json:"block_spin,omitempty"`
	PooledPR       DistSummary         `json:"pooled_pr"`   // all units of all replicas
	PooledDisk     DistSummary         `json:"pooled_disk"` // all units of all replicas
	// Evaluation (see rbm.LayerEval for the measures): on the training
	// rows the layer was trained on, and on the held-out test set.
	ReconError   Spread `json:"recon_error"`
	PseudoLL     Spread `json:"pseudo_ll"`
	LogLik       Spread `json:"loglik"`
	LogLikMethod string `json:"loglik_method"`
	// LogLikCeiling bounds LogLik from above with no statistics (see
	// rbm.LayerEval); FlipGap is the first layer's mean |F(1-v) - F(v)|.
	LogLikCeiling     Spread `json:"loglik_ceiling"`
	FlipGap           Spread `json:"global_flip_gap,omitzero"`
	TestReconError    Spread `json:"test_recon_error"`
	TestPseudoLL      Spread `json:"test_pseudo_ll"`
	TestLogLik        Spread `json:"test_loglik"`
	TestLogLikCeiling Spread `json:"test_loglik_ceiling"`
	// TestLogLikLo is the held-out log-likelihood's 3-sigma lower bound
	// (rbm.LayerEval.LogLikLo): an estimate whose bound too is above its
	// ceiling missed part of Z beyond its error bars.
	TestLogLikLo Spread `json:"test_loglik_lo"`
	// TestLogLikIndep is the held-out log-likelihood of independent units
	// fitted to the held-out rows (rbm.LayerEval.LogLikIndep): a layer
	// below it is a worse density model than their own unit means.
	TestLogLikIndep Spread `json:"test_loglik_indep"`
	// TestLogLikRAISE is layer 1's held-out log-likelihood by reverse AIS
	// (Settings.RAISESamples; rbm.RAISEEval) and TestLogLikRAISEErr the
	// standard error of each replica's; absent without it.
	TestLogLikRAISE    Spread `json:"test_loglik_raise,omitzero"`
	TestLogLikRAISEErr Spread `json:"test_loglik_raise_err,omitzero"`
	// Bound and TestBound are the DBN's variational lower bound on log p(v)
	// up to this layer (layers 2 and up; see BoundEval).
	Bound     Spread `json:"dbn_bound,omitempty"`
	TestBound Spread `json:"test_dbn_bound,omitempty"`
	// TrainWarned is 1 for a replica whose last training epoch was worse
	// than independent units with its training means (TrainingCheck.Warned:
	// `isingrbm train` would have warned), 0 for one that was not, NaN for
	// one without the check; its mean is the share of replicas warned.
	TrainWarned Spread `json:"train_warned"`
}

// PhysicsEnsemble is the thermodynamics of the reconstructions at one depth
// over the replicas.
type PhysicsEnsemble struct {
	Depth int    `json:"depth"`
	U     Spread `json:"energy"`
	AbsM  Spread `json:"abs_m"`
	C     Spread `json:"specific_heat"`
	Chi   Spread `json:"susceptibility"`
	KEff  Spread `json:"k_eff"`
}

// NetworkEnsemble is one recipe over the replicas of a seed ensemble.
type NetworkEnsemble struct {
	Replicas        []string          `json:"replicas"` // tags, d<data seed>-s<training seed>
	TrainingSeconds Spread            `json:"training_seconds"`
	Layers          []LayerEnsemble   `json:"layers"`
	Physics         []PhysicsEnsemble `json:"reconstruction_physics"`
	FlowK           []float64         `json:"flow_K"`
	FlowKEff        [][]Spread        `json:"flow_k_eff"` // [step][K]
}

// ensembleOf aggregates the replicas of one recipe.
func ensembleOf(reps []NetworkSummary, units [][]layerUnits) NetworkEnsemble {
	var e NetworkEnsemble
	col := func(get func(NetworkSummary) float64) Spread {
		v := make([]float64, len(reps))
		for i, r := range reps {
			v[i] = get(r)
		}
		return SpreadOf(v)
	}
	for _, r := range reps {
		e.Replicas = append(e.Replicas, r.Replica)
	}
	e.TrainingSeconds = col(func(r NetworkSummary) float64 { return r.TrainingSeconds })
	nl := len(reps[0].Layers)
	for k := 0; k < nl; k++ {
		lay := func(get func(layerSummary) float64) Spread {
			return col(func(r NetworkSummary) float64 {
				if k >= len(r.Layers) {
					return math.NaN()
				}
				return get(r.Layers[k])
			})
		}
		le := LayerEnsemble{Layer: k + 1,
			PRMedian:        lay(func(l layerSummary) float64 { return float64(l.Locality.PR.Median) }),
			NoisePRMedian:   lay(func(l layerSummary) float64 { return float64(l.Locality.NoisePR.Median) }),
			DiskMedian:      lay(func(l layerSummary) float64 { return float64(l.Locality.Disk.Median) }),
			NoiseDiskMedian: lay(func(l layerSummary) float64 { return float64(l.Locality.NoiseDisk.Median) }),
			RgMedian:        lay(func(l layerSummary) float64 { return float64(l.Locality.Rg.Median) }),
			LocalByPR:       lay(func(l layerSummary) float64 { return float64(l.Locality.LocalByPR) }),
			LocalByDisk:     lay(func(l layerSummary) float64 { return float64(l.Locality.LocalByDisk) }),
			BeyondSpectrum:  lay(func(l layerSummary) float64 { return float64(l.Locality.BeyondSpectrum) }),
			BeyondValues:    lay(func(l layerSummary) float64 { return float64(l.Locality.BeyondValues) }),
			Compact:         lay(func(l layerSummary) float64 { return float64(l.Locality.Compact) }),
			Live:            lay(func(l layerSummary) float64 { return float64(l.Locality.Live) }),
			LivePRMedian:    lay(func(l layerSummary) float64 { return float64(l.Locality.LivePR.Median) }),
			LiveDiskMedian:  lay(func(l layerSummary) float64 { return float64(l.Locality.LiveDisk.Median) }),
			LiveCompact:     lay(func(l layerSummary) float64 { return float64(l.Locality.LiveCompact) }),
			ReconError:      lay(func(l layerSummary) float64 { return float64(l.Eval.ReconError) }),
			PseudoLL:        lay(func(l layerSummary) float64 { return float64(l.Eval.PseudoLL) }),
			LogLik:          lay(func(l layerSummary) float64 { return float64(l.Eval.LogLik) }),
			LogLikMethod:    reps[0].Layers[k].Eval.LogLikMethod,
			LogLikCeiling:   lay(func(l layerSummary) float64 { return float64(l.Eval.LogLikCeiling) }),
			TestReconError:  lay(func(l layerSummary) float64 { return evalField(l.Test, func(x evalLike) float64 { return x.recon }) }),
			TestPseudoLL:    lay(func(l layerSummary) float64 { return evalField(l.Test, func(x evalLike) float64 { return x.pll }) }),
			TestLogLik:      lay(func(l layerSummary) float64 { return evalField(l.Test, func(x evalLike) float64 { return x.ll }) }),
			TestLogLikCeiling: lay(func(l layerSummary) float64 {
				return evalField(l.Test, func(x evalLike) float64 { return x.ceiling })
			}),
			TestLogLikLo:    lay(func(l layerSummary) float64 { return evalField(l.Test, func(x evalLike) float64 { return x.lo }) }),
			TestLogLikIndep: lay(func(l layerSummary) float64 { return evalField(l.Test, func(x evalLike) float64 { return x.indep }) }),
			TrainWarned: lay(func(l layerSummary) float64 {
				if l.Training == nil || !l.Training.Checked {
					return math.NaN()
				}
				return b2f(l.Training.Warned)
			}),
		}
		if k == 0 {
			le.FlipGap = lay(func(l layerSummary) float64 { return float64(l.Eval.GlobalFlipGap) })
			raise := func(get func(*rbm.RAISEEval) stats.Num) func(layerSummary) float64 {
				return func(l layerSummary) float64 {
					if l.Test == nil || l.Test.RAISE == nil {
						return math.NaN()
					}
					return float64(get(l.Test.RAISE))
				}
			}
			if sp := lay(raise(func(r *rbm.RAISEEval) stats.Num { return r.LogLik })); sp.N > 0 {
				le.TestLogLikRAISE, le.TestLogLikRAISEErr = sp, lay(raise(func(r *rbm.RAISEEval) stats.Num { return r.Err }))
			}
		}
		if k > 0 {
			le.Bound = lay(func(l layerSummary) float64 {
				if l.Bound == nil {
					return math.NaN()
				}
				return float64(l.Bound.Train)
			})
			le.TestBound = lay(func(l layerSummary) float64 {
				if l.Bound == nil {
					return math.NaN()
				}
				return float64(l.Bound.Test)
			})
		}
		for bi, b := range reps[0].Layers[k].Locality.BlockSpin {
			get := func(noise bool) Spread {
				return lay(func(l layerSummary) float64 {
					if bi >= len(l.Locality.BlockSpin) {
						return math.NaN()
					}
					if noise {
						return float64(l.Locality.BlockSpin[bi].NoiseCorr.Median)
					}
					return float64(l.Locality.BlockSpin[bi].AbsCorr.Median)
				})
			}
			le.BlockSpin = append(le.BlockSpin, BlockSpinEnsemble{B: b.B, AbsCorrMedian: get(false), NoiseMedian: get(true)})
		}
		var pr, disk []float64
		for _, u := range units {
			if k < len(u) {
				pr = append(pr, u[k].pr...)
				disk = append(disk, u[k].disk...)
			}
		}
		le.PooledPR, le.PooledDisk = summarize(analysis.Summarize(pr)), summarize(analysis.Summarize(disk))
		e.Layers = append(e.Layers, le)
	}
	for d := range reps[0].Physics {
		ph := func(get func(thermoResult) float64) Spread {
			return col(func(r NetworkSummary) float64 {
				if d >= len(r.Physics) {
					return math.NaN()
				}
				return get(r.Physics[d])
			})
		}
		e.Physics = append(e.Physics, PhysicsEnsemble{Depth: reps[0].Physics[d].Depth,
			U: ph(func(t thermoResult) float64 { return float64(t.U) }), AbsM: ph(func(t thermoResult) float64 { return float64(t.AbsM) }),
			C: ph(func(t thermoResult) float64 { return float64(t.C) }), Chi: ph(func(t thermoResult) float64 { return float64(t.Chi) }),
			KEff: ph(func(t thermoResult) float64 { return float64(t.KEff) })})
	}
	e.FlowK = reps[0].Flow.K
	for t := range reps[0].Flow.KEff {
		var row []Spread
		for i := range e.FlowK {
			row = append(row, col(func(r NetworkSummary) float64 {
				if t >= len(r.Flow.KEff) || i >= len(r.Flow.KEff[t]) {
					return math.NaN()
				}
				return float64(r.Flow.KEff[t][i])
			}))
		}
		e.FlowKEff = append(e.FlowKEff, row)
	}
	return e
}

// layerUnits are the per-unit locality values of one layer of one replica.
type layerUnits struct{ pr, disk []float64 }

// evalLike is the part of an evaluation that the ensemble reads.
type evalLike struct{ recon, pll, ll, lo, ceiling, indep float64 }

func evalField(e *rbm.LayerEval, get func(evalLike) float64) float64 {
	if e == nil {
		return math.NaN()
	}
	return get(evalLike{float64(e.ReconError), float64(e.PseudoLL), float64(e.LogLik), float64(e.LogLikLo), float64(e.LogLikCeiling), float64(e.LogLikIndep)})
}

// Comparison is the difference of one measure between two recipes over
// their seed ensembles. It is a finding only when the two ranges over
// seeds do not overlap and each recipe has at least two replicas.
type Comparison struct {
	Measure string    `json:"measure"`
	Layer   int       `json:"layer"`
	A       string    `json:"a"`
	B       string    `json:"b"`
	Diff    stats.Num `json:"diff"` // mean(A) - mean(B)
	Finding bool      `json:"finding"`
	Verdict string    `json:"verdict"`
}

// compare judges mean(a) - mean(b) against the seed spreads.
func compare(measure string, layer int, na, nb string, a, b Spread) Comparison {
	c := Comparison{Measure: measure, Layer: layer, A: na, B: nb, Diff: stats.Num(float64(a.Mean) - float64(b.Mean))}
	switch {
	case a.N == 0 || b.N == 0:
		c.Verdict = "not measured"
	case a.N < 2 || b.N < 2:
		c.Verdict = "no seed spread (one replica): not a finding"
	case a.Min > b.Max || b.Min > a.Max:
		c.Finding = true
		c.Verdict = fmt.Sprintf("finding: the ranges over %d and %d seeds do not overlap", a.N, b.N)
	default:
		c.Verdict = fmt.Sprintf("within the seed spread (ranges over %d and %d seeds overlap): not a finding", a.N, b.N)
	}
	return c
}

// aboveCeiling counts the replicas whose log-likelihood ll exceeds its
// ceiling, and among them those whose 3-sigma lower bound lo does too
// (rbm.LayerEval.AboveCeiling on each replica). A replica without a
// ceiling is not counted; one without a lower bound (lo shorter than ll)
// counts as above but not beyond.
func aboveCeiling(ll, lo, ceiling Spread) (above, beyond int) {
	at := func(s Spread, i int) stats.Num {
		if i < len(s.Values) {
			return s.Values[i]
		}
		return stats.Num(math.NaN())
	}
	for i, x := range ll.Values {
		e := rbm.LayerEval{LogLik: x, LogLikLo: at(lo, i), LogLikCeiling: at(ceiling, i)}
		if excess, b := e.AboveCeiling(); excess > 0 {
			above++
			if b {
				beyond++
			}
		}
	}
	return above, beyond
}

// belowIndependent counts the replicas whose log-likelihood ceiling is
// below the log-likelihood of independent units fitted to the same rows
// (rbm.LayerEval.IndependentWarning on each replica): with no statistics
// involved, worse density models of those rows than their own unit means.
// A replica missing either value is not counted.
func belowIndependent(ceiling, indep Spread) int {
	k := 0
	for i, c := range ceiling.Values {
		if i < len(indep.Values) && c < indep.Values[i] {
			k++
		}
	}
	return k
}

// b2f is 1 for true and 0 for false.
func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// trainWarnedText says how many replicas' training ended with train's
// warning (LayerEnsemble.TrainWarned), and of how many checked.
func trainWarnedText(sp Spread) string {
	k := 0
	for _, v := range sp.Values {
		if v == 1 {
			k++
		}
	}
	if sp.N < len(sp.Values) {
		return fmt.Sprintf("%d of %d replicas (%d not checked: their histories lack the measures)", k, sp.N, len(sp.Values)-sp.N)
	}
	return fmt.Sprintf("%d of %d replicas", k, sp.N)
}

// belowIndependentText is belowIndependent's count as a clause for the
// report ("" when no replica is below).
func belowIndependentText(ceiling, indep Spread) string {
	k := belowIndependent(ceiling, indep)
	if k == 0 {
		return ""
	}
	return fmt.Sprintf("; %d of the %d replicas' held-out ceilings are below it: provably worse density models of these rows than independent units", k, len(ceiling.Values))
}

// comparisons compares every pair of recipes on the main measures of every
// layer.
// layerMeasures are the measures that comparisons compares between recipes
// at every layer, by the name a Comparison carries (comparedSpread finds
// them again by it).
var layerMeasures = []struct {
	name string
	get  func(LayerEnsemble) Spread
}{
	{"median participation ratio", func(l LayerEnsemble) Spread { return l.PRMedian }},
	{"median disk share", func(l LayerEnsemble) Spread { return l.DiskMedian }},
	{"local fraction (disk)", func(l LayerEnsemble) Spread { return l.LocalByDisk }},
	{"compact fraction (beyond own surrogates)", func(l LayerEnsemble) Spread { return l.Compact }},
	{"live fraction", func(l LayerEnsemble) Spread { return l.Live }},
	{"compact fraction of live units", func(l LayerEnsemble) Spread { return l.LiveCompact }},
	{"held-out pseudo-log-likelihood", func(l LayerEnsemble) Spread { return l.TestPseudoLL }},
	{"held-out reconstruction error", func(l LayerEnsemble) Spread { return l.TestReconError }},
}

func comparisons(names []string, ens map[string]NetworkEnsemble) []Comparison {
	var out []Comparison
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	for i, a := range sorted {
		for _, b := range sorted[i+1:] {
			ea, eb := ens[a], ens[b]
			for k := 0; k < len(ea.Layers) && k < len(eb.Layers); k++ {
				la, lb := ea.Layers[k], eb.Layers[k]
				for _, m := range layerMeasures {
					out = append(out, compare(m.name, k+1, a, b, m.get(la), m.get(lb)))
				}
				if k > 0 {
					out = append(out, compare("held-out DBN lower bound on log p(v)", k+1, a, b, la.TestBound, lb.TestBound))
				}
				if k == 0 {
					c := compare("held-out log-likelihood", 1, a, b, la.TestLogLik, lb.TestLogLik)
					aa, ab := aboveCeiling(la.TestLogLik, la.TestLogLikLo, la.TestLogLikCeiling)
					ba, bb := aboveCeiling(lb.TestLogLik, lb.TestLogLikLo, lb.TestLogLikCeiling)
					n := la.TestLogLik.N + lb.TestLogLik.N
					switch {
					case ab+bb > 0:
						// An estimate above its ceiling is provably too
						// high; with its lower bound too, beyond its
						// error bars.
						c.Finding = false
						c.Verdict = fmt.Sprintf("%d of the %d estimates %s beyond %s 3-sigma bounds (AIS missed part of Z): not a finding", ab+bb, n, aboveCeilings(ab+bb), itsTheir(ab+bb))
					case aa+ba > 0:
						c.Verdict += fmt.Sprintf("; %d of the %d estimates %s, within %s 3-sigma bounds", aa+ba, n, aboveCeilings(aa+ba), itsTheir(aa+ba))
					}
					out = append(out, c)
					if len(la.BlockSpin) > 0 && len(lb.BlockSpin) > 0 {
						out = append(out, compare(fmt.Sprintf("median |corr| with the %dx%d block spin", la.BlockSpin[0].B, la.BlockSpin[0].B), 1, a, b,
							la.BlockSpin[0].AbsCorrMedian, lb.BlockSpin[0].AbsCorrMedian))
					}
				}
			}
		}
	}
	return out
}
