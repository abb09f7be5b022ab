package replicate

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"github.com/isingrbm/isingrbm/core/analysis"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/report"
	"github.com/isingrbm/isingrbm/core/stats"
)

// layerSummary is one layer of one network in summary.json: the locality
// and block-spin measures (layerAnalysis) and the evaluation (rbm.LayerEval).
type layerSummary struct {
	Layer    int           `json:"layer"`
	Locality layerAnalysis `json:"locality"`
	Eval     rbm.LayerEval `json:"eval"` // on the training rows
	// Test is the same evaluation on the held-out test set.
	Test *rbm.LayerEval `json:"test_eval,omitempty"`
	// Bound is the variational lower bound on log p(v) of the DBN up to
	// this layer (layers 2 and up).
	Bound *BoundEval `json:"dbn_bound,omitempty"`
	// Training is the layer's last training epoch against independent
	// units (absent from evaluations written before it existed).
	Training *TrainingCheck `json:"training_check,omitempty"`
}

// flowSummary is the RG flow of one network in summary.json.
type flowSummary struct {
	Depth       int           `json:"depth"`
	Steps       int           `json:"steps"`
	K           []float64     `json:"K"`
	KEff        [][]stats.Num `json:"k_eff"` // [step][K], step 0 = the input configurations
	KEffErr     [][]stats.Num `json:"k_eff_err"`
	NullReasons []string      `json:"null_reasons"`
}

// NetworkSummary is one network in summary.json.
type NetworkSummary struct {
	Preset          string         `json:"preset"`
	Replica         string         `json:"replica"` // d<data seed>-s<training seed>
	Config          *rbm.Config    `json:"config"`
	TrainingSeconds float64        `json:"training_seconds"`
	Layers          []layerSummary `json:"layers"`
	Physics         []thermoResult `json:"reconstruction_physics"`
	Flow            flowSummary    `json:"flow"`
}

// Machine describes the computer of a run.
type Machine struct {
	CPU   string `json:"cpu"`
	Cores int    `json:"cores"`
	Go    string `json:"go"`
}

func machine() Machine {
	return Machine{CPU: asm.CPUDescription(), Cores: runtime.NumCPU(), Go: runtime.Version()}
}

// StageSummary is one stage's timing in summary.json.
type StageSummary struct {
	Kind       string    `json:"kind"`
	Key        string    `json:"key"`
	Version    string    `json:"version"` // the program version that computed it
	Inputs     []string  `json:"inputs"`
	Seconds    float64   `json:"seconds"`
	PeakRSSMiB stats.Num `json:"peak_rss_mib"`
}

// Summary is summary.json.
type Summary struct {
	Program string `json:"program"`
	// Version is the program version in every stage key (Config.Version).
	Version string `json:"version"`
	Created string `json:"created"` // when the report stage ran (UTC)
	// Machine is where the report stage ran.
	Machine  Machine  `json:"machine"`
	Settings Settings `json:"settings"`
	Exact    struct {
		Kc           float64 `json:"K_c"`
		Energy       float64 `json:"energy"`
		SpecificHeat float64 `json:"specific_heat"`
	} `json:"exact"`
	Data     SampleStats   `json:"data"`      // the training data of data seed 0
	DataSets []SampleStats `json:"data_sets"` // every data seed's training data
	TestSets []SampleStats `json:"test_sets"` // every data seed's held-out test set
	Sweep    []SampleStats `json:"sweep"`     // the flow sweep of data seed 0
	// Networks lists every replica (data seed, training seed) of every
	// recipe; Ensemble aggregates them with their spread over seeds and
	// Comparisons judges the differences between recipes against it.
	Networks    map[string][]NetworkSummary `json:"networks"`
	Ensemble    map[string]NetworkEnsemble  `json:"ensemble"`
	Comparisons []Comparison                `json:"comparisons"`
	// FixedPoint is the fixed-point question per recipe (first layer).
	FixedPoint map[string]FixedPoint   `json:"fixed_point"`
	Stages     map[string]StageSummary `json:"stages"`
	// StageSeconds is the sum of the stages' seconds (the report stage
	// itself excluded).
	StageSeconds float64   `json:"stage_seconds"`
	PeakRSSMiB   stats.Num `json:"peak_rss_mib"`
}

func (s Settings) reportStage(inputs []string) *stageDef {
	// Every setting appears in the report's text or summary.json.
	settings := struct {
		Version  int
		Settings Settings
	}{2, s}
	st := &stageDef{settings: settings}
	st.Name, st.Kind, st.Inputs = "report", "report", inputs
	st.Outputs = []string{"summary.json", "report/index.html"}
	for _, f := range reportFigures {
		st.Outputs = append(st.Outputs, "report/"+f)
	}
	st.Cores, st.MemMiB, st.Seconds = 1, 128, 2
	st.run = func(r *replicator, _ string) error {
		sum, rep, err := r.buildReport()
		if err != nil {
			return err
		}
		if err := writeJSONAtomic(r.path("summary.json"), sum); err != nil {
			return err
		}
		return report.WriteHTML(r.path("report"), rep)
	}
	return st
}

func numStr(x stats.Num) string { return report.Num(float64(x)) }

func numErr(x, e stats.Num) string { return report.NumErr(float64(x), float64(e)) }

// buildReport reads every stage's output and returns summary.json, the
// report and the figure files it drew (relative to the output folder).
func (r *replicator) buildReport() (*Summary, report.Report, error) {
	s := r.s
	var stageNames []string
	for _, st := range r.plan.stages {
		if st.Kind != "report" {
			stageNames = append(stageNames, st.Name)
		}
	}
	nets, err := r.loadNets(true)
	if err != nil {
		return nil, report.Report{}, err
	}
	sum, err := r.summary(stageNames, nets)
	if err != nil {
		return nil, report.Report{}, err
	}
	var charts chartsResult
	if err := readJSON(r.path("analysis/charts.json"), &charts); err != nil {
		return nil, report.Report{}, err
	}
	ensFigs, err := r.ensembleCharts(sum)
	if err != nil {
		return nil, report.Report{}, err
	}
	sections := []report.Section{overviewSection(sum), comparisonSection(sum), dataSection(sum),
		{Title: "Spread over seeds", Text: "Distributions over units of every replica, side by side, and the RG flow over seeds.", Figures: ensFigs}}
	for _, nd := range nets {
		if nd.rep == (replica{}) {
			sections = append(sections, networkSection(nd, sum.Networks[nd.name]))
		}
	}
	sections = append(sections, report.Section{Title: "Training", Text: fmt.Sprintf("Per-epoch measures recorded by the trainer (at most 2000 monitored samples per set): the line is the mean over the %d replicas of each recipe, the band their range (min to max).", len(s.replicas())), Figures: charts.Training},
		physicsSection(sum, charts.Physics), fixedPointSection(sum, charts.FixedPoint))
	sections = append(sections, flowSection(sum, nets), stagesSection(sum, stageNames))
	// The page's footer gives the time summary.json gives (one clock read).
	created, err := time.Parse(time.RFC3339, sum.Created)
	if err != nil {
		return nil, report.Report{}, fmt.Errorf("summary's created time %q: %w", sum.Created, err)
	}
	rep := report.Report{
		Created:  created,
		Title:    "Mehta & Schwab replication: do stacked RBMs learn block spins?",
		Subtitle: fmt.Sprintf("isingrbm %s; L = %d, K = %.3f, %d samples, layers %s, seed %d%s", sum.Program, s.L, s.K, s.N, sizesText(s), s.Seed, quickTag(s)),
		Sections: sections,
	}
	return sum, rep, nil
}

// summary gathers summary.json: settings, exact values, the samples'
// statistics, every stage's key, time and memory, and per network its
// recipe, evaluation, locality, physics and flow.
func (r *replicator) summary(stageNames []string, nets []netData) (*Summary, error) {
	s := r.s
	sum := &Summary{Program: rbm.ProgramVersion(), Version: r.plan.version, Created: time.Now().UTC().Format(time.RFC3339),
		Machine: machine(), Settings: s, Networks: map[string][]NetworkSummary{}, Ensemble: map[string]NetworkEnsemble{}, Stages: map[string]StageSummary{}}
	sum.Exact.Kc = exact.Kc
	sum.Exact.Energy = exact.Energy(s.L, s.K)
	sum.Exact.SpecificHeat = exact.SpecificHeat(s.L, s.K)
	for d := 0; d < s.DataSeeds; d++ {
		var tr, te SampleStats
		if err := readJSON(r.path(dataStatsRel(d)), &tr); err != nil {
			return nil, err
		}
		if err := readJSON(r.path(testStatsRel(d)), &te); err != nil {
			return nil, err
		}
		sum.DataSets, sum.TestSets = append(sum.DataSets, tr), append(sum.TestSets, te)
	}
	sum.Data = sum.DataSets[0]
	for _, k := range s.SweepKs {
		var st SampleStats
		if err := readJSON(r.path(sweepStatsRel(0, k)), &st); err != nil {
			return nil, err
		}
		sum.Sweep = append(sum.Sweep, st)
	}
	for _, n := range stageNames {
		m := r.readMarker(n)
		if m == nil {
			return nil, fmt.Errorf("stage %s has no marker", n)
		}
		sum.Stages[n] = StageSummary{Kind: m.Kind, Key: m.Key, Version: m.Version, Inputs: m.Inputs, Seconds: m.Seconds, PeakRSSMiB: m.PeakRSSMiB}
		sum.StageSeconds += m.Seconds
		if !math.IsNaN(float64(m.PeakRSSMiB)) && (math.IsNaN(float64(sum.PeakRSSMiB)) || m.PeakRSSMiB > sum.PeakRSSMiB) {
			sum.PeakRSSMiB = m.PeakRSSMiB
		}
	}
	units := map[string][][]layerUnits{}
	for _, nd := range nets {
		sum.Networks[nd.name] = append(sum.Networks[nd.name], networkSummary(nd))
		var lu []layerUnits
		for _, la := range nd.ana.Layers {
			lu = append(lu, layerUnits{pr: nums(la.UnitPR), disk: nums(la.UnitDisk)})
		}
		units[nd.name] = append(units[nd.name], lu)
	}
	for _, n := range s.Networks {
		sum.Ensemble[n] = ensembleOf(sum.Networks[n], units[n])
	}
	sum.Comparisons = comparisons(s.Networks, sum.Ensemble)
	sum.FixedPoint = map[string]FixedPoint{}
	for _, n := range s.Networks {
		var reps []netData
		for _, nd := range nets {
			if nd.name == n {
				reps = append(reps, nd)
			}
		}
		sum.FixedPoint[n] = fixedPointOf(reps)
	}
	return sum, nil
}

// networkSummary is one network's entry of summary.json.
func networkSummary(nd netData) NetworkSummary {
	ns := NetworkSummary{Preset: nd.name, Replica: nd.rep.tag(), Config: nd.config, Physics: nd.ana.Physics,
		Flow: flowSummary{Depth: nd.flow.Depth, Steps: nd.flow.Steps, K: nd.flow.K, KEff: nd.flow.KEff, KEffErr: nd.flow.KEffErr, NullReasons: nd.flow.NullReasons}}
	if nd.hist != nil {
		for _, l := range nd.hist.Layers {
			for _, e := range l {
				ns.TrainingSeconds += float64(e.Seconds)
			}
		}
	}
	for k, la := range nd.ana.Layers {
		ls := layerSummary{Layer: la.Layer, Locality: la}
		if k < len(nd.ev.Layers) {
			ls.Eval = nd.ev.Layers[k]
		}
		if k < len(nd.ev.Test) {
			t := nd.ev.Test[k]
			ls.Test = &t
		}
		for _, b := range nd.ev.Bounds {
			if b.Depth == k+1 {
				b := b
				ls.Bound = &b
			}
		}
		for _, tc := range nd.ev.Training {
			if tc.Layer == la.Layer {
				tc := tc
				ls.Training = &tc
			}
		}
		ns.Layers = append(ns.Layers, ls)
	}
	return ns
}

// replicasText says what the spreads are taken over.
func replicasText(s Settings) string {
	plural := func(n int, one string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	return fmt.Sprintf("%s per recipe (%s x %s)", plural(s.Seeds*s.DataSeeds, "replica"), plural(s.Seeds, "training seed"), plural(s.DataSeeds, "data seed"))
}

// overviewSection is the report's first section: the experiment and one
// table row per network and layer, every number a mean +- standard
// deviation over the seed ensemble.
func overviewSection(sum *Summary) report.Section {
	s := sum.Settings
	overview := report.Table{
		Caption: fmt.Sprintf("Per recipe and layer, mean +- standard deviation over %s (the full ranges are in the next table and summary.json): medians over units of the participation ratio (PR) and disk share (radius %.1f sites) of the effective receptive fields, with Gaussian noise of the same shape in parentheses; the share of units more local than 95%% of the noise fields (by disk share: any smooth or sparse field is); the share of compact units, whose disk share beats all %d phase-randomized copies of their own field (same spatial spectrum: not merely smooth) and all %d permutations of its values over the sites (not merely sparse), which a stationary random field or one with exchangeable values passes with probability 1/%d; the share of live units, whose p(h = 1 | v) (mean-field up the stack) has a standard deviation of at least %g over %d training configurations (the others answer every configuration alike: as features of the data they are constants, whatever their fields look like), and the share of the live units that are compact; the median |correlation| of first-layer units with their 2x2 block spin; reconstruction error (sum over units) and pseudo-log-likelihood (scikit-learn's one-flip form) on the training rows (%s) and on the held-out test set (%d configurations sampled with their own seed, never trained on); the log-likelihood log p(v) of layer 1 (AIS: the larger estimate of log Z of two paths of %d runs and %d steps, one from the data's density and one scaling W from the model's own biases) and, for layer k > 1, the variational lower bound on log p(v) of the DBN of layers 1 to k (Salakhutdinov & Murray 2008: h drawn from q(h|v) up the stack, one draw per row, on %d training rows and the test set; the top RBM's log Z from the same AIS). In parentheses after a log-likelihood or bound: the estimate's own standard error, the largest among the replicas, kept apart from the +- spread over seeds: for layer 1 (AIS) one sigma of the AIS estimate of log Z (a third of the distance from log Z^ to log(Z^ + 3 sigma)); the training-row and held-out values of a replica share their log Z, so this error moves both together and does not blur their difference; for a bound (draws+AIS) the standard error of its one draw of h per row combined with its top RBM's AIS error ('draws' alone where that log Z is exact; 'log Z exact' where there is no AIS). The 3-sigma bounds of every replica are in the next table and summary.json. The per-layer -F - log Z on continuous hidden probabilities is not a log-likelihood and is not shown.",
			replicasText(s), analysis.DefaultDiskRadius, analysis.DefaultSurrogates, analysis.DefaultSurrogates, analysis.DefaultSurrogates+1, analysis.LiveSD, s.AnalysisSamples, evalSamplesText(s), s.TestN, s.AISRuns, s.AISSteps[0]+s.AISSteps[1]+s.AISSteps[2], min(s.TestN, s.N)),
		Header: []string{"network", "layer", "PR (noise)", "disk share (noise)", "local (disk)", "compact", "live", "compact of live", "|corr| 2x2 (noise)", "recon train", "recon held-out", "pseudo-LL train", "pseudo-LL held-out", "log p(v) train", "log p(v) held-out"},
	}
	for _, n := range s.Networks {
		for _, l := range sum.Ensemble[n].Layers {
			bs := "-"
			if len(l.BlockSpin) > 0 {
				bs = fmt.Sprintf("%s (%s)", l.BlockSpin[0].AbsCorrMedian.Short(), l.BlockSpin[0].NoiseMedian.Short())
			}
			llTrain, llTest := "bound "+l.Bound.Short(), "bound "+l.TestBound.Short()
			if l.Layer == 1 {
				llTrain, llTest = l.LogLik.Short(), l.TestLogLik.Short()
			}
			llTrain += estimateNote(sum, n, l.Layer, false)
			llTest += estimateNote(sum, n, l.Layer, true)
			overview.Rows = append(overview.Rows, []string{n, fmt.Sprint(l.Layer),
				fmt.Sprintf("%s (%s)", l.PRMedian.Short(), l.NoisePRMedian.Short()),
				fmt.Sprintf("%s (%s)", l.DiskMedian.Short(), l.NoiseDiskMedian.Short()),
				l.LocalByDisk.Short(), l.Compact.Short(), l.Live.Short(), l.LiveCompact.Short(), bs, l.ReconError.Short(), l.TestReconError.Short(), l.PseudoLL.Short(), l.TestPseudoLL.Short(), llTrain, llTest})
		}
	}
	full := report.Table{Caption: "The same measures with their full spread: mean +- std [min, max] (n replicas) over seeds. After a log-likelihood or DBN bound: every replica's standard error of its own estimate (AIS: of log Z; draws+AIS: of the bound's draws of h and its top log Z), which is not part of the spread over seeds; and, for layer 1, every replica's log-likelihood at the AIS bounds log(Z^ + 3 sigma) and log(Z^ - 3 sigma) of log Z (+Inf when Z^ - 3 sigma <= 0).",
		Header: []string{"network", "layer", "measure", "over seeds"}}
	for _, n := range s.Networks {
		for _, l := range sum.Ensemble[n].Layers {
			for _, m := range []struct {
				name string
				sp   Spread
			}{{"median PR", l.PRMedian}, {"median disk share", l.DiskMedian}, {"local fraction (disk)", l.LocalByDisk}, {"local fraction (PR)", l.LocalByPR},
				{"compact fraction (beyond own phase surrogates and permutations)", l.Compact}, {"local fraction beyond own phase surrogates (disk)", l.BeyondSpectrum}, {"local fraction beyond own permutations (disk)", l.BeyondValues},
				{"live fraction (sd of p(h|v) over the analysed configurations >= " + fmt.Sprint(analysis.LiveSD) + ")", l.Live}, {"median PR of live units", l.LivePRMedian}, {"median disk share of live units", l.LiveDiskMedian}, {"compact fraction of live units", l.LiveCompact},
				{"recon error, training rows", l.ReconError}, {"recon error, held-out", l.TestReconError},
				{"pseudo-LL, training rows", l.PseudoLL}, {"pseudo-LL, held-out", l.TestPseudoLL}} {
				full.Rows = append(full.Rows, []string{n, fmt.Sprint(l.Layer), m.name, m.sp.Text()})
			}
			full.Rows = append(full.Rows, []string{n, fmt.Sprint(l.Layer), "training ended worse than independent units with the training means, as `isingrbm train` warns (last epoch: log-likelihood ceiling below theirs, or pseudo-LL 3 s.e. below theirs; the warnings are in summary.json)",
				trainWarnedText(l.TrainWarned)})
			if l.Layer == 1 {
				full.Rows = append(full.Rows, []string{n, "1", "log-likelihood, training rows (" + l.LogLikMethod + ")", l.LogLik.Text() + estimateList(sum, n, 1, false)},
					[]string{n, "1", "log-likelihood, held-out (" + l.LogLikMethod + ")", l.TestLogLik.Text() + estimateList(sum, n, 1, true)})
				if l.LogLikMethod != "exact" {
					full.Rows = append(full.Rows, []string{n, "1", "log-likelihood's AIS bounds log(Z^ -+ 3 sigma), training rows / held-out, per replica", aisBoundsText(sum, n)})
				}
				if l.TestLogLikRAISE.N > 0 {
					full.Rows = append(full.Rows, []string{n, "1", fmt.Sprintf("log-likelihood, held-out, by reverse AIS from %d configurations (errs low where chains from the data mix; far above AIS: mass they never reach)", sum.Settings.RAISESamples),
						l.TestLogLikRAISE.Text() + fmt.Sprintf(" (s.e. <= %.2g)", float64(l.TestLogLikRAISEErr.Max))})
				}
				full.Rows = append(full.Rows, []string{n, "1", "ceiling of the log-likelihood, training rows (one state's free energy; no statistics)", l.LogLikCeiling.Text()},
					[]string{n, "1", "ceiling of the log-likelihood, held-out", l.TestLogLikCeiling.Text()},
					[]string{n, "1", "log-likelihood of independent units fitted to the held-out rows (their own unit means)", l.TestLogLikIndep.Text() + belowIndependentText(l.TestLogLikCeiling, l.TestLogLikIndep)},
					[]string{n, "1", "flip gap |F(1-v) - F(v)|, training rows (0: spin-flip symmetric)", l.FlipGap.Text()})
			} else {
				full.Rows = append(full.Rows, []string{n, fmt.Sprint(l.Layer), "DBN lower bound on log p(v), training rows", l.Bound.Text() + estimateList(sum, n, l.Layer, false)},
					[]string{n, fmt.Sprint(l.Layer), "DBN lower bound on log p(v), held-out", l.TestBound.Text() + estimateList(sum, n, l.Layer, true)})
			}
		}
	}
	return report.Section{Title: "Overview",
		Text: fmt.Sprintf("Mehta & Schwab's experiment: %d equilibrium configurations of the %dx%d periodic Ising model at K = %.3f (K_c = %.4f), a stack of RBMs %s trained greedily with %s. Every recipe is trained with %s; every number below is a mean over them with its spread. Locality is measured against Gaussian noise of the same shape; a trained field is local when its participation ratio is small and its disk share large compared with the noise. Terms: RBM, restricted Boltzmann machine; DBN, deep belief network (the stack); CD-k and PCD-k, contrastive divergence and its persistent form with k Gibbs steps; ERF, the effective receptive field of a unit of layer l, its column of W(1)...W(l) on the L x L lattice; PR, participation ratio (sum w^2)^2 / sum w^4 of a field (1 for one site, n for n equal sites); disk share, the share of sum w^2 within %.1f sites (on the torus) of the field's largest |w|; K_eff, the coupling at which the exact finite-lattice energy per spin equals a set of configurations' mean energy.%s",
			s.N, s.L, s.L, s.K, exact.Kc, sizesText(s), recipesText(sum), replicasText(s), analysis.DefaultDiskRadius, quickNote(s)),
		Tables: []report.Table{overview, full}}
}

// comparisonSection judges every difference between recipes against the
// spread over seeds.
func comparisonSection(sum *Summary) report.Section {
	t := report.Table{Caption: "Differences between recipes (mean of A - mean of B). A difference is called a finding only when the ranges (min to max) over the seeds of A and of B do not overlap, with at least two replicas each; otherwise it is within the seed spread. After a log-likelihood or DBN bound, in parentheses: the estimate's own standard error (the largest among the replicas; see the overview), which the verdict does not use.",
		Header: []string{"measure", "layer", "A", "B", "A over seeds", "B over seeds", "A - B", "verdict"}}
	for _, c := range sum.Comparisons {
		sa, sb := comparedSpread(sum, c.A, c), comparedSpread(sum, c.B, c)
		ta, tb := sa.Text(), sb.Text()
		switch c.Measure {
		case "held-out log-likelihood", "held-out DBN lower bound on log p(v)":
			ta += estimateNote(sum, c.A, c.Layer, true)
			tb += estimateNote(sum, c.B, c.Layer, true)
		}
		t.Rows = append(t.Rows, []string{c.Measure, fmt.Sprint(c.Layer), c.A, c.B, ta, tb, numStr(c.Diff), c.Verdict})
	}
	return report.Section{Title: "Which differences between recipes survive the seed spread", Tables: []report.Table{t}}
}

// estimateErrs returns, per replica of recipe n (in the order of
// sum.Networks[n]), the standard error of its estimate of layer k's
// log-likelihood (k = 1: rbm.LayerEval.LogLikErr, one sigma of the AIS
// log Z, 0 when exact) or DBN lower bound (k > 1: BoundEval.TrainErr or
// TestErr), on the training rows or, with test, the held-out set; NaN
// where a replica has none.
func estimateErrs(sum *Summary, n string, k int, test bool) []float64 {
	var out []float64
	for _, rs := range sum.Networks[n] {
		e := math.NaN()
		if k >= 1 && k <= len(rs.Layers) {
			l := rs.Layers[k-1]
			switch {
			case k == 1 && !test:
				e = float64(l.Eval.LogLikErr)
			case k == 1 && l.Test != nil:
				e = float64(l.Test.LogLikErr)
			case k > 1 && l.Bound != nil && !test:
				e = float64(l.Bound.TrainErr)
			case k > 1 && l.Bound != nil:
				e = float64(l.Bound.TestErr)
			}
		}
		out = append(out, e)
	}
	return out
}

// estimateKind names the error of estimateErrs: "AIS" for layer 1,
// "draws+AIS" for a bound whose top log Z comes from AIS, "draws" for one
// whose top log Z is exact, and "exact" for an exact layer-1 log Z (no
// error).
func estimateKind(sum *Summary, n string, k int) string {
	ais := false
	for _, rs := range sum.Networks[n] {
		if k >= 1 && k <= len(rs.Layers) && rs.Layers[k-1].Eval.LogLikMethod != "exact" {
			ais = true
		}
	}
	switch {
	case k == 1 && ais:
		return "AIS"
	case k == 1:
		return "exact"
	case ais:
		return "draws+AIS"
	}
	return "draws"
}

// estimateNote is a log-likelihood's or bound's own error for a table cell
// after its spread over seeds: " (AIS ±0.322)", the largest over the
// replicas; " (log Z exact)" for an exact layer-1 log Z; "" when no replica
// has one.
func estimateNote(sum *Summary, n string, k int, test bool) string {
	kind := estimateKind(sum, n, k)
	if kind == "exact" {
		return " (log Z exact)"
	}
	m, ok := estimateMaxErr(sum, n, k, test)
	if !ok {
		return ""
	}
	return fmt.Sprintf(" (%s ±%s)", kind, report.Num(m))
}

// estimateMaxErr is the largest finite error of estimateErrs, and whether
// any replica has one.
func estimateMaxErr(sum *Summary, n string, k int, test bool) (float64, bool) {
	m := math.Inf(-1)
	for _, e := range estimateErrs(sum, n, k, test) {
		if !math.IsNaN(e) && !math.IsInf(e, 0) {
			m = math.Max(m, e)
		}
	}
	return m, !math.IsInf(m, -1)
}

// estimateList is every replica's own error of a log-likelihood or bound,
// for the table of full spreads: "; AIS s.e. per replica 0.322, 0.29".
func estimateList(sum *Summary, n string, k int, test bool) string {
	kind := estimateKind(sum, n, k)
	if kind == "exact" {
		return "; log Z exact"
	}
	errs := estimateErrs(sum, n, k, test)
	if len(errs) == 0 {
		return ""
	}
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = report.Num(e)
	}
	if len(parts) == 1 {
		return fmt.Sprintf("; %s s.e. %s", kind, parts[0])
	}
	return fmt.Sprintf("; %s s.e. per replica %s", kind, strings.Join(parts, ", "))
}

// aisBoundsText lists every replica's layer-1 log-likelihood at the AIS
// bounds of log Z, on the training rows and the held-out set:
// "d0-s0 [-137.1, +Inf) / [-141.6, +Inf)" (LogLikLo is at log(Z^ + 3 sigma), LogLikHi at
// log(Z^ - 3 sigma), +Inf when Z^ - 3 sigma <= 0).
func aisBoundsText(sum *Summary, n string) string {
	interval := func(e *rbm.LayerEval) string {
		if e == nil {
			return "-"
		}
		if math.IsNaN(float64(e.LogLikHi)) {
			return fmt.Sprintf("[%s, +Inf)", report.Num4(float64(e.LogLikLo)))
		}
		return fmt.Sprintf("[%s, %s]", report.Num4(float64(e.LogLikLo)), report.Num4(float64(e.LogLikHi)))
	}
	var parts []string
	for _, rs := range sum.Networks[n] {
		if len(rs.Layers) == 0 {
			continue
		}
		l := rs.Layers[0]
		parts = append(parts, rs.Replica+" "+interval(&l.Eval)+" / "+interval(l.Test))
	}
	return strings.Join(parts, "; ")
}

// comparedSpread returns the spread that comparison c read for network n
// (an empty one for a measure it does not know).
func comparedSpread(sum *Summary, n string, c Comparison) Spread {
	e := sum.Ensemble[n]
	if c.Layer < 1 || c.Layer > len(e.Layers) {
		return Spread{}
	}
	l := e.Layers[c.Layer-1]
	for _, m := range layerMeasures {
		if m.name == c.Measure {
			return m.get(l)
		}
	}
	switch c.Measure {
	case "held-out log-likelihood":
		return l.TestLogLik
	case "held-out DBN lower bound on log p(v)":
		return l.TestBound
	}
	// comparisons names the block-spin measure after its block size; any
	// other measure is one this table does not know ("-", not another
	// measure's spread).
	if strings.HasPrefix(c.Measure, "median |corr| with the ") && len(l.BlockSpin) > 0 {
		return l.BlockSpin[0].AbsCorrMedian
	}
	return Spread{}
}

// dataSection compares the Monte Carlo samples with the exact values.
func dataSection(sum *Summary) report.Section {
	dataTable := report.Table{Caption: "Monte Carlo samples (multi-spin-coded Metropolis) against the exact finite-lattice values: energy per spin u, |m|, specific heat C (jackknife errors), integrated autocorrelation times in sweeps (of u, |m| and the signed m) and the sweeps between stored samples of one chain: at least 2 tau of the slowest of the three for K <= K_c; above K_c of u and |m| only: there the chains start ordered, each with a fair coin for its sign, and m changes sign slowly if at all (tau_m is shown, not followed).",
		Header: []string{"set", "K", "n", "u", "u exact", "|m|", "C", "C exact", "tau_u", "tau_|m|", "tau_m", "sweeps between"}}
	addRow := func(name string, st SampleStats) {
		dataTable.Rows = append(dataTable.Rows, []string{name, fmt.Sprintf("%.4f", st.K), fmt.Sprint(st.N), numErr(st.Energy, st.EnergyErr),
			fmt.Sprintf("%.5f", float64(st.ExactEnergy)), numErr(st.AbsM, st.AbsMErr), numErr(st.SpecificHeat, st.SpecificHeatErr),
			fmt.Sprintf("%.4f", float64(st.ExactSpecificHeat)), numStr(st.TauEnergy), numStr(st.TauAbsM), numStr(st.TauM), fmt.Sprint(st.Spacing)})
	}
	for d, st := range sum.DataSets {
		addRow(fmt.Sprintf("training, data seed %d", d), st)
		addRow(fmt.Sprintf("held-out test, data seed %d", d), sum.TestSets[d])
	}
	for _, st := range sum.Sweep {
		addRow("flow sweep", st)
	}
	return report.Section{Title: "Data", Text: fmt.Sprintf("Seed %d, %s update streams; every set's own seed is derived from it by hashing (seed, purpose, depth, index). The held-out test sets and the flow sweep are sampled independently of the training data.", sum.Settings.Seed, sum.Settings.Generator), Tables: []report.Table{dataTable}}
}

// networkSection shows one network's figures (its first replica) and its
// locality distributions, per replica and pooled over replicas.
func networkSection(nd netData, reps []NetworkSummary) report.Section {
	sec := report.Section{Title: "Network " + nd.name, Text: networkText(nd.name, nd.config, nd.sizes) + " Figures show replica " + nd.rep.tag() + " (data seed 0, training seed 0)."}
	sec.Figures = append(sec.Figures, nd.ana.Figures...)
	locTable := report.Table{Caption: fmt.Sprintf("%s: distributions over units of the locality measures of each layer's ERFs, per replica and pooled over all %d replicas, and of Gaussian noise of the same shape (first replica).", nd.name, len(reps)),
		Header: report.SummaryHeader("measure")}
	for k, la := range nd.ana.Layers {
		for _, rs := range reps {
			if k < len(rs.Layers) {
				l := rs.Layers[k].Locality
				locTable.Rows = append(locTable.Rows, distRow(fmt.Sprintf("layer %d PR, %s", la.Layer, rs.Replica), l.PR),
					distRow(fmt.Sprintf("layer %d disk share, %s", la.Layer, rs.Replica), l.Disk))
			}
		}
		var pr, disk []float64
		for _, rs := range reps {
			if k < len(rs.Layers) {
				pr = append(pr, nums(rs.Layers[k].Locality.UnitPR)...)
				disk = append(disk, nums(rs.Layers[k].Locality.UnitDisk)...)
			}
		}
		locTable.Rows = append(locTable.Rows, distRow(fmt.Sprintf("layer %d PR, pooled", la.Layer), summarize(analysis.Summarize(pr))),
			distRow(fmt.Sprintf("layer %d disk share, pooled", la.Layer), summarize(analysis.Summarize(disk))),
			distRow(fmt.Sprintf("layer %d PR, noise", la.Layer), la.NoisePR), distRow(fmt.Sprintf("layer %d disk share, noise", la.Layer), la.NoiseDisk),
			distRow(fmt.Sprintf("layer %d radius of gyration", la.Layer), la.Rg), distRow(fmt.Sprintf("layer %d radius of gyration, noise", la.Layer), la.NoiseRg))
		for _, b := range la.BlockSpin {
			locTable.Rows = append(locTable.Rows, distRow(fmt.Sprintf("layer 1 |corr| with %dx%d block spin", b.B, b.B), b.AbsCorr),
				distRow(fmt.Sprintf("layer 1 |corr| with %dx%d block spin, noise", b.B, b.B), b.NoiseCorr))
		}
	}
	sec.Tables = append(sec.Tables, locTable)
	return sec
}

// at is s[i], or no spread when a summary from before that measure has
// fewer.
func at(s []Spread, i int) Spread {
	if i < len(s) {
		return s[i]
	}
	return Spread{}
}

// fixedPointSection answers the fixed-point question per recipe.
func fixedPointSection(sum *Summary, figs []report.Figure) report.Section {
	s := sum.Settings
	t := report.Table{Caption: fmt.Sprintf("Per recipe, first layer, over %s: the epoch of the best pseudo-log-likelihood on the trainer's validation rows (held out of training, but not the test set of the other tables), the validation pseudo-LL there and at the last epoch, the training minus validation gap at the last epoch, and whether locality keeps sharpening after the optimum.", replicasText(s)),
		Header: []string{"network", "best validation epoch", "last epoch", "validation PLL at best", "validation PLL at last", "train - validation at last", "locality after the optimum"}}
	for _, n := range s.Networks {
		fp := sum.FixedPoint[n]
		t.Rows = append(t.Rows, []string{n, fp.BestEpoch.Text(), fmt.Sprint(fp.LastEpoch), fp.BestPLL.Short(), fp.LastPLL.Short(), fp.LastGapPLL.Short(), fp.AfterOptimum})
	}
	loc := report.Table{Caption: fmt.Sprintf("The first layer at every snapshot epoch, mean +- std over seeds: median participation ratio and disk share of the weights; the share of live units (sd of p(h = 1 | v) over the analysed configurations >= %v under the saved weights and hidden biases) and of units dead and on (mean p >= 1/2; the other dead units are off); the median hidden bias c and the median largest |w| of the live and of the dead units. A dash: the snapshots did not keep their biases (model files before 2026-12-04).", analysis.LiveSD),
		Header: []string{"network", "epoch", "median PR", "median disk share", "live", "dead and on", "c live / dead", "max |w| live / dead"}}
	for _, n := range s.Networks {
		fp := sum.FixedPoint[n]
		for i, e := range fp.SnapshotEpochs {
			loc.Rows = append(loc.Rows, []string{n, fmt.Sprint(e), fp.PRMedian[i].Short(), fp.DiskMedian[i].Short(), at(fp.Live, i).Short(), at(fp.DeadOn, i).Short(),
				at(fp.LiveBias, i).Short() + " / " + at(fp.DeadBias, i).Short(), at(fp.LiveMaxW, i).Short() + " / " + at(fp.DeadMaxW, i).Short()})
		}
	}
	return report.Section{Title: "Does training reach a fixed point?", Text: "The paper and its critics ask whether the locality of the receptive fields is a fixed point of training or keeps changing, and whether it outlasts the point where the model stops improving on unseen data.", Figures: figs, Tables: []report.Table{t, loc}}
}

// physicsSection tabulates the thermodynamics of the reconstructions over
// the seed ensemble.
func physicsSection(sum *Summary, figs []report.Figure) report.Section {
	s := sum.Settings
	physSec := report.Section{Title: "Physics of reconstructions",
		Text: fmt.Sprintf("The Monte Carlo configurations (depth 0) are %s. They and their reconstructions through depth d (v up to layer d and back down, mean field; spins drawn with their probabilities) are measured at K = %.3f: energy per spin, |m|, specific heat C = K^2 N var(u) and susceptibility chi = K N (<m^2> - <|m|>^2); K_eff inverts the exact u(K). Mean +- standard deviation over %s.",
			physicsRowsText(sum), s.K, replicasText(s)), Figures: figs}
	physTable := report.Table{Caption: "Thermodynamics of reconstructions, mean +- std over seeds (the jackknife errors of single replicas are in summary.json).", Header: []string{"network", "depth", "u", "|m|", "C", "chi", "K_eff"}}
	for _, n := range s.Networks {
		for _, t := range sum.Ensemble[n].Physics {
			physTable.Rows = append(physTable.Rows, []string{n, fmt.Sprint(t.Depth), t.U.Short(), t.AbsM.Short(), t.C.Short(), t.Chi.Short(), t.KEff.Short()})
		}
	}
	physSec.Tables = append(physSec.Tables, physTable)
	return physSec
}

// physicsRowsText says which Monte Carlo configurations the physics of
// reconstructions starts from: the rows the analyse stage takes of the
// replica's training data set (rbm.SeededSubset with a seed derived from
// the replica's analysis seed; the same rows as its block spins).
func physicsRowsText(sum *Summary) string {
	s := sum.Settings
	set := fmt.Sprintf("the training data set of the replica's data seed (the %d configurations given to its trainer%s)", s.N, validationText(sum))
	if s.AnalysisSamples <= 0 || s.AnalysisSamples >= s.N {
		return "all of " + set
	}
	return fmt.Sprintf("%d rows of %s, drawn without replacement by a generator seeded from the replica's own analysis seed (so every replica has its own subset, the same rows as its block-spin correlations) and kept in data order", s.AnalysisSamples, set)
}

// validationText says which share of the training data set the recipes'
// trainers held out for validation ("" when none did).
func validationText(sum *Summary) string {
	var parts []string
	seen := map[float64]bool{}
	for _, n := range sum.Settings.Networks {
		for _, rs := range sum.Networks[n] {
			if c := rs.Config; c != nil && c.ValidationFraction > 0 && !seen[c.ValidationFraction] {
				seen[c.ValidationFraction] = true
				parts = append(parts, fmt.Sprintf("%.3g%%", 100*c.ValidationFraction))
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ", of which the trainer held a seeded " + strings.Join(parts, " or ") + " out for validation, so not every row was trained on"
}

// flowSection tabulates K_eff after each reconstruction step over the
// seed ensemble.
func flowSection(sum *Summary, nets []netData) report.Section {
	s := sum.Settings
	flowSec := report.Section{Title: "RG flow", Text: "Iso, Shiba & Yokoo's test: if a layer performed an RG step, repeated reconstruction would carry K_eff away from K_c (towards 0 on the disordered side, towards infinity on the ordered side). The figures show the first replica of each recipe with jackknife error bars; the table gives mean +- std over " + replicasText(s) + "."}
	flowTable := report.Table{Caption: "K_eff after each reconstruction step, mean +- std over seeds; '-' where the mean energy cannot be inverted (reasons below the table).", Header: []string{"network", "K"}}
	for t := 0; t <= s.FlowSteps; t++ {
		flowTable.Header = append(flowTable.Header, fmt.Sprintf("step %d", t))
	}
	var reasons []string
	for _, nd := range nets {
		if nd.rep == (replica{}) {
			flowSec.Figures = append(flowSec.Figures, nd.flow.Figures...)
		}
		for _, e := range nd.flow.NullReasons {
			reasons = append(reasons, nd.name+" "+nd.rep.tag()+": "+e)
		}
	}
	for _, n := range s.Networks {
		e := sum.Ensemble[n]
		for i, k := range e.FlowK {
			row := []string{n, fmt.Sprintf("%.4f", k)}
			for t := range e.FlowKEff {
				row = append(row, e.FlowKEff[t][i].Short())
			}
			flowTable.Rows = append(flowTable.Rows, row)
		}
	}
	if len(reasons) > 0 {
		flowSec.Text += "\n\nNot invertible: " + strings.Join(reasons, "; ") + "."
	}
	flowSec.Tables = append(flowSec.Tables, flowTable)
	return flowSec
}

// stagesSection lists the stages with their keys, times and memory.
func stagesSection(sum *Summary, stageNames []string) report.Section {
	stTable := report.Table{Caption: "Stages of this replication: key (hash of the settings and of the inputs' keys), wall time when computed, and the process's peak resident memory at its end: in one replicate process the most of every stage run so far (stages may run side by side), one stage's own under study stage, which runs one stage a process.",
		Header: []string{"stage", "key", "seconds", "peak RSS (MiB)"}}
	for _, n := range stageNames {
		st := sum.Stages[n]
		stTable.Rows = append(stTable.Rows, []string{n, st.Key, fmt.Sprintf("%.1f", st.Seconds), numStr(st.PeakRSSMiB)})
	}
	return report.Section{Title: "Stages", Tables: []report.Table{stTable}}
}

func distRow(name string, d DistSummary) []string {
	return []string{name, fmt.Sprint(d.N), numStr(d.Min), numStr(d.Q05), numStr(d.Q25), numStr(d.Median), numStr(d.Q75), numStr(d.Q95), numStr(d.Max), numStr(d.Mean)}
}

func sizesText(s Settings) string {
	parts := []string{fmt.Sprint(s.L * s.L)}
	for _, h := range s.Layers {
		parts = append(parts, fmt.Sprint(h))
	}
	return strings.Join(parts, "-")
}

func evalSamplesText(s Settings) string {
	if s.EvalSamples <= 0 || s.EvalSamples >= s.N {
		return fmt.Sprintf("all %d", s.N)
	}
	return fmt.Sprintf("%d seeded", s.EvalSamples)
}

func quickNote(s Settings) string {
	if s.Quick {
		return "\n\nThis is a -quick run at reduced sizes: its numbers test the pipeline, not the claim."
	}
	return ""
}

func quickTag(s Settings) string {
	if s.Quick {
		return " (quick)"
	}
	return ""
}

// recipesText lists the recipes of the run for the overview, each with
// its learning algorithm, regularization and epochs as its first replica
// was trained (every replica of a recipe has the same recipe but its seed).
func recipesText(sum *Summary) string {
	nets := sum.Settings.Networks
	parts := make([]string, len(nets))
	for i, n := range nets {
		parts[i] = n
		if reps := sum.Networks[n]; len(reps) > 0 && reps[0].Config != nil {
			c := reps[0].Config
			parts[i] = fmt.Sprintf("%s (%s, %s, %d epochs)", n, chainText(c), regText(c), c.Epochs)
		}
	}
	switch n := len(parts); n {
	case 0:
		return "no recipe"
	case 1:
		return "one recipe: " + parts[0]
	default:
		return fmt.Sprintf("%d recipes: %s; and %s", n, strings.Join(parts[:n-1], "; "), parts[n-1])
	}
}

// chainText names a recipe's learning algorithm: CD-k or PCD-k, what the
// visible step of its negative phase keeps, centering and the flip move.
func chainText(c *rbm.Config) string {
	cd := fmt.Sprintf("CD-%d", c.CDK)
	switch {
	case c.PCD && c.SampleVisibles:
		cd = fmt.Sprintf("PCD-%d with Gibbs chains (visibles sampled)", c.CDK)
	case c.PCD:
		cd = fmt.Sprintf("PCD-%d whose chains keep the visible probabilities P(v|h) (a mean-field step, not a Gibbs chain of the model)", c.CDK)
	case c.SampleVisibles:
		cd += " with sampled visible reconstructions"
	}
	switch {
	case c.Center && c.CenterSlide > 0:
		cd = fmt.Sprintf("the centered RBM with running hidden offsets (sliding factor %g), %s", c.CenterSlide, cd)
	case c.Center:
		cd = "the centered RBM, " + cd
	}
	if c.FlipMove {
		cd += " with the flip move (each chain may move to its mirror image 1 - v)"
	}
	return cd
}

// regText names a recipe's penalty on the weights.
func regText(c *rbm.Config) string {
	reg := "no regularization"
	switch {
	case c.L1 > 0 && c.L2 > 0:
		reg = fmt.Sprintf("L1 %g and L2 %g on the weights", c.L1, c.L2)
	case c.L1 > 0:
		reg = fmt.Sprintf("L1 penalty %g on the weights", c.L1)
	case c.L2 > 0:
		reg = fmt.Sprintf("L2 weight decay %g", c.L2)
	}
	if c.L1 > 0 && c.L1Proximal {
		reg += " (L1 as a soft threshold after each step)"
	}
	return reg
}

func networkText(name string, c *rbm.Config, sizes []int) string {
	if c == nil {
		return name
	}
	lr := fmt.Sprintf("learning rate %g", c.LR)
	if c.LRLinearDecay {
		lr += " decayed linearly over the epochs"
	}
	parts := make([]string, len(sizes))
	for i, n := range sizes {
		parts[i] = fmt.Sprint(n)
	}
	mom := fmt.Sprintf("momentum %g then %g from epoch %d", c.MomentumInitial, c.MomentumFinal, c.MomentumSwitch)
	switch {
	case c.MomentumInitial == c.MomentumFinal && c.MomentumFinal == 0:
		mom = "no momentum"
	case c.MomentumInitial == c.MomentumFinal || c.MomentumSwitch == 0:
		mom = fmt.Sprintf("momentum %g", c.MomentumFinal)
	}
	batches := "the same batches every epoch"
	if c.Shuffle {
		batches = "batches reshuffled every epoch"
	}
	var extra []string
	if c.ValidationFraction > 0 {
		extra = append(extra, fmt.Sprintf("%g of the rows held out of training to monitor it", c.ValidationFraction))
	}
	if c.VisibleBiasLogOdds {
		extra = append(extra, "visible biases started at the data's log-odds")
	}
	if c.NextLayerSamples {
		extra = append(extra, "each upper layer trained on sampled hidden states of the layer below")
	}
	more := ""
	if len(extra) > 0 {
		more = ", " + strings.Join(extra, ", ")
	}
	return fmt.Sprintf("Preset %s: layers %s, %s, %d epochs per layer, batch %d (%s), %s, %s, %s, initial weights %g N(0,1)%s, seed %d. Receptive-field measures use the effective fields r(l) = W(1)...W(l).",
		name, strings.Join(parts, "-"), chainText(c), c.Epochs, c.Batch, batches, lr, mom, regText(c), c.InitSigma, more, c.Seed)
}

// netData is what the chart and report stages read of one network.
type netData struct {
	name   string
	rep    replica
	config *rbm.Config
	hist   *rbm.History
	sizes  []int
	ana    analysisResult
	ev     evalResult
	flow   flowResult
}

// loadNets reads the outputs of every network's stages (the flow's only
// when withFlow is set).
func (r *replicator) loadNets(withFlow bool) ([]netData, error) {
	var nets []netData
	for _, net := range r.s.Networks {
		for _, p := range r.s.replicas() {
			nd, err := r.loadNet(net, p, withFlow)
			if err != nil {
				return nil, err
			}
			nets = append(nets, nd)
		}
	}
	return nets, nil
}

// loadNet reads the outputs of one replica of one network.
func (r *replicator) loadNet(net string, p replica, withFlow bool) (netData, error) {
	nd := netData{name: net, rep: p}
	dbn, meta, err := rbm.LoadDBNLayers(r.path(modelRel(net, p)))
	if err != nil {
		return nd, err
	}
	nd.config, nd.hist, nd.sizes = meta.Config, meta.History, dbn.Sizes()
	if err := readJSON(r.path(analysisRel(net, p)), &nd.ana); err != nil {
		return nd, err
	}
	if withFlow {
		if err := readJSON(r.path(evalRel(net, p)), &nd.ev); err != nil {
			return nd, err
		}
		if err := readJSON(r.path(flowRel(net, p)), &nd.flow); err != nil {
			return nd, err
		}
	}
	return nd, nil
}

func nums(x []stats.Num) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// chartsResult is analysis/charts.json: the figures of the charts stage.
type chartsResult struct {
	Training   []report.Figure `json:"training"`
	Physics    []report.Figure `json:"physics"`
	FixedPoint []report.Figure `json:"fixed_point"`
}

// chartFigures are the files of the charts stage, relative to the report
// folder.
var chartFigures = []string{"train_recon.png", "train_pl.png", "train_gap.png", "train_dw.png",
	"physics_u.png", "physics_m.png", "physics_c.png", "physics_chi.png",
	"fixedpoint_pll.png", "fixedpoint_pr.png", "fixedpoint_disk.png", "fixedpoint_live.png"}

// chartsStage draws the charts that compare the networks: training curves
// and the physics of reconstructions.
func (s Settings) chartsStage(inputs []string) *stageDef {
	settings := struct{ Version int }{4}
	st := &stageDef{settings: settings}
	st.Name, st.Kind, st.Inputs = "charts", "charts", inputs
	st.Outputs = []string{"analysis/charts.json"}
	for _, f := range chartFigures {
		st.Outputs = append(st.Outputs, "report/"+f)
	}
	st.Cores, st.MemMiB, st.Seconds = 1, 128, 2
	st.run = func(r *replicator, _ string) error {
		nets, err := r.loadNets(false)
		if err != nil {
			return err
		}
		var res chartsResult
		if res.Training, err = r.trainingCharts(nets); err != nil {
			return err
		}
		if res.Physics, err = r.physicsCharts(nets); err != nil {
			return err
		}
		if res.FixedPoint, err = r.fixedPointCharts(nets); err != nil {
			return err
		}
		return writeJSONAtomic(r.path("analysis/charts.json"), res)
	}
	return st
}

// trainingCharts draws the per-epoch training curves of every network and
// layer.
func (r *replicator) trainingCharts(nets []netData) ([]report.Figure, error) {
	var figs []report.Figure
	type curve struct {
		file, title, ylabel, caption string
		get                          func(e rbm.EpochStats, nv int) float64
	}
	curves := []curve{
		{"train_recon.png", "reconstruction error per unit (training samples)", "mean (v - v')^2 per unit",
			"Mean-field reconstruction error per visible unit on the monitored training samples after every epoch; one curve per network and layer.",
			func(e rbm.EpochStats, nv int) float64 { return float64(e.ReconTrain) / float64(nv) }},
		{"train_pl.png", "pseudo-log-likelihood per unit (training samples)", "pseudo-LL / n_v",
			"scikit-learn's pseudo-log-likelihood (one seeded flip per sample) divided by the number of visible units, after every epoch.",
			func(e rbm.EpochStats, nv int) float64 { return float64(e.PseudoLLTrain) / float64(nv) }},
		{"train_gap.png", "free-energy gap: validation - training", "mean F(val) - mean F(train)",
			"Mean free energy of held-out samples minus that of training samples after every epoch; it grows when a layer overfits.",
			func(e rbm.EpochStats, nv int) float64 { return float64(e.FreeEnergyGap) }},
		{"train_dw.png", "weight change per epoch", "||W(end) - W(start)||_F",
			"Frobenius norm of the change of W over each epoch (log scale).",
			func(e rbm.EpochStats, nv int) float64 { return float64(e.WeightChange) }},
	}
	for _, c := range curves {
		var series []analysis.Series
		var colours, dashes []int // a colour per network, a dash pattern per layer
		for ni, name := range r.s.Networks {
			var reps []netData
			for _, nd := range nets {
				if nd.name == name && nd.hist != nil {
					reps = append(reps, nd)
				}
			}
			if len(reps) == 0 {
				continue
			}
			for l := range reps[0].hist.Layers {
				var vals [][]float64 // [replica][epoch]
				var xs []float64
				for ri, nd := range reps {
					if l >= len(nd.hist.Layers) {
						continue
					}
					var row []float64
					for _, e := range nd.hist.Layers[l] {
						row = append(row, c.get(e, nd.sizes[l]))
						if ri == 0 {
							xs = append(xs, float64(e.Epoch))
						}
					}
					vals = append(vals, row)
				}
				series = append(series, bandSeries(fmt.Sprintf("%s L%d", name, l+1), xs, vals))
				colours, dashes = append(colours, ni), append(dashes, l)
			}
		}
		spec := report.ChartSpec{Title: c.title, XLabel: "epoch", YLabel: c.ylabel, LogY: c.file == "train_dw.png", Width: 18, Height: 11,
			Colours: colours, Dashes: dashes, Points: true}
		if _, err := report.LineChart(r.path("report/"+c.file), spec, series); err != nil {
			return nil, err
		}
		figs = append(figs, report.Figure{File: c.file, Caption: c.caption + " One colour per network, one line style per layer (solid: layer 1)."})
	}
	return figs, nil
}

// noiseRefLabel names the noise medians marked on the box plots.
const noiseRefLabel = "noise median"

// reportFigures are the figures the report stage draws from every
// replica (relative to the report folder).
var reportFigures = []string{"box_pr_l1.png", "box_disk_l1.png", "flow_ensemble.png"}

// ensembleCharts draws box plots of the first layer's locality per replica
// and the mean RG flow (one step) with its range over seeds.
func (r *replicator) ensembleCharts(sum *Summary) ([]report.Figure, error) {
	s := r.s
	var pr, disk []report.BoxGroup
	for _, n := range s.Networks {
		// The noise medians of the first layer, one per replica in the
		// order of sum.Networks[n] (as ensembleOf gathers them).
		var noisePR, noiseDisk []float64
		if e := sum.Ensemble[n]; len(e.Layers) > 0 {
			noisePR, noiseDisk = nums(e.Layers[0].NoisePRMedian.Values), nums(e.Layers[0].NoiseDiskMedian.Values)
		}
		ref := func(v []float64, i int) []float64 {
			if i < len(v) {
				return v[i : i+1]
			}
			return nil
		}
		var poolPR, poolDisk, poolNoisePR, poolNoiseDisk []float64
		reps := 0
		for ri, rs := range sum.Networks[n] {
			if len(rs.Layers) == 0 {
				continue
			}
			l := rs.Layers[0].Locality
			pr = append(pr, report.BoxGroup{Name: n + " " + rs.Replica, Values: nums(l.UnitPR), Colour: n, Refs: ref(noisePR, ri), RefLabel: noiseRefLabel})
			disk = append(disk, report.BoxGroup{Name: n + " " + rs.Replica, Values: nums(l.UnitDisk), Colour: n, Refs: ref(noiseDisk, ri), RefLabel: noiseRefLabel})
			poolPR, poolDisk = append(poolPR, nums(l.UnitPR)...), append(poolDisk, nums(l.UnitDisk)...)
			poolNoisePR, poolNoiseDisk = append(poolNoisePR, ref(noisePR, ri)...), append(poolNoiseDisk, ref(noiseDisk, ri)...)
			reps++
		}
		if reps > 1 {
			pr = append(pr, report.BoxGroup{Name: n + " pooled", Values: poolPR, Colour: n, Refs: poolNoisePR, RefLabel: noiseRefLabel})
			disk = append(disk, report.BoxGroup{Name: n + " pooled", Values: poolDisk, Colour: n, Refs: poolNoiseDisk, RefLabel: noiseRefLabel})
		}
	}
	w := max(12, 4+float64(1.2*float64(len(pr)))) // at least wide enough for the title
	if err := report.BoxChart(r.path("report/box_pr_l1.png"), report.ChartSpec{Title: "layer 1: participation ratio per unit, every replica", YLabel: "participation ratio (sites)", LogY: true, Width: w, Height: 12}, pr); err != nil {
		return nil, err
	}
	if err := report.BoxChart(r.path("report/box_disk_l1.png"), report.ChartSpec{Title: "layer 1: disk share per unit, every replica", YLabel: "disk share", Width: w, Height: 12}, disk); err != nil {
		return nil, err
	}
	var flow []analysis.Series
	for _, n := range s.Networks {
		e := sum.Ensemble[n]
		if len(e.FlowKEff) < 2 {
			continue
		}
		sr := analysis.Series{Name: fmt.Sprintf("%s, 1 step", n), X: e.FlowK}
		for _, sp := range e.FlowKEff[1] {
			sr.Y = append(sr.Y, float64(sp.Mean))
			sr.Lo, sr.Hi = append(sr.Lo, float64(sp.Min)), append(sr.Hi, float64(sp.Max))
		}
		flow = append(flow, sr)
	}
	if _, err := report.RGFlowChart(r.path("report/flow_ensemble.png"), report.ChartSpec{Title: "K -> K_eff after one reconstruction step, over seeds", Width: 16, Height: 12}, flow, exact.Kc); err != nil {
		return nil, err
	}
	rt := replicasText(s)
	return []report.Figure{
		{File: "box_pr_l1.png", Caption: fmt.Sprintf("First-layer participation ratio of every unit, one box per replica (data seed d, training seed s) and, with several replicas, one of all units pooled over them, one colour per network: median, quartiles, whiskers to 1.5 IQR, outliers as points; %s. Log scale. The black dashed mark (%s) is the median participation ratio of that replica's Gaussian noise fields (same shape and RMS as its first-layer fields); the pooled box carries one mark per replica. A box well below its mark is more local than noise.", rt, noiseRefLabel)},
		{File: "box_disk_l1.png", Caption: fmt.Sprintf("First-layer disk share (radius %.1f) of every unit, one box per replica and one pooled over them, as above; the dashed mark (%s) is the median disk share of the replica's Gaussian noise fields. A box well above its mark is more local than noise.", analysis.DefaultDiskRadius, noiseRefLabel)},
		{File: "flow_ensemble.png", Caption: fmt.Sprintf("RG flow: K_eff after one reconstruction step (depth %d), mean over %s, band: min to max over seeds. The grey diagonal is no flow; the dashed lines mark K_c.", s.FlowDepth, rt)},
	}, nil
}

// bandSeries is the mean over replicas of vals ([replica][point]) with the
// range as a band (no band for one replica).
func bandSeries(name string, xs []float64, vals [][]float64) analysis.Series {
	sr := analysis.Series{Name: name, X: xs}
	for i := range xs {
		var col []float64
		for _, row := range vals {
			if i < len(row) {
				col = append(col, row[i])
			}
		}
		sp := SpreadOf(col)
		sr.Y = append(sr.Y, float64(sp.Mean))
		sr.Lo, sr.Hi = append(sr.Lo, float64(sp.Min)), append(sr.Hi, float64(sp.Max))
	}
	if len(vals) < 2 {
		sr.Lo, sr.Hi = nil, nil
	}
	return sr
}

// physicsCharts draws the thermodynamics of the reconstructions against
// their depth, with the exact values where known.
func (r *replicator) physicsCharts(nets []netData) ([]report.Figure, error) {
	s := r.s
	var figs []report.Figure
	phys := []struct {
		file, title, ylabel string
		get                 func(t thermoResult) float64
		exact               float64
	}{
		{"physics_u.png", "energy per spin of reconstructions", "u", func(t thermoResult) float64 { return float64(t.U) }, exact.Energy(s.L, s.K)},
		{"physics_m.png", "|m| of reconstructions", "<|m|>", func(t thermoResult) float64 { return float64(t.AbsM) }, math.NaN()},
		{"physics_c.png", "specific heat of reconstructions", "C per spin", func(t thermoResult) float64 { return float64(t.C) }, exact.SpecificHeat(s.L, s.K)},
		{"physics_chi.png", "susceptibility of reconstructions", "chi per spin", func(t thermoResult) float64 { return float64(t.Chi) }, math.NaN()},
	}
	for _, p := range phys {
		var series []analysis.Series
		for _, name := range s.Networks {
			var vals [][]float64
			var xs []float64
			for _, nd := range nets {
				if nd.name != name {
					continue
				}
				var row []float64
				for _, t := range nd.ana.Physics {
					row = append(row, p.get(t))
					if len(vals) == 0 {
						xs = append(xs, float64(t.Depth))
					}
				}
				vals = append(vals, row)
			}
			series = append(series, bandSeries(name, xs, vals))
		}
		if !math.IsNaN(p.exact) {
			series = append(series, analysis.Series{Name: "exact (Kaufman)", X: []float64{0, float64(len(s.Layers))}, Y: []float64{p.exact, p.exact}})
		}
		if _, err := report.LineChart(r.path("report/"+p.file), report.ChartSpec{Title: p.title, XLabel: "depth (0 = Monte Carlo)", YLabel: p.ylabel, Points: true, Width: 14, Height: 10}, series); err != nil {
			return nil, err
		}
		cap := fmt.Sprintf("%s against the depth of reconstruction, one curve per network (mean over %s, band: min to max); depth 0 is the Monte Carlo sample.", p.title, replicasText(s))
		if !math.IsNaN(p.exact) {
			cap += fmt.Sprintf(" The flat line is the exact value of the %dx%d torus at K = %.3f.", s.L, s.L, s.K)
		}
		figs = append(figs, report.Figure{File: p.file, Caption: cap})
	}
	return figs, nil
}
