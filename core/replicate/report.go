package replicate

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/klauspost/cpuid/v2"

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
	Eval     rbm.LayerEval `json:"eval"`
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
	return Machine{CPU: cpuid.CPU.BrandName, Cores: runtime.NumCPU(), Go: runtime.Version()}
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
	Data     SampleStats               `json:"data"`
	Sweep    []SampleStats             `json:"sweep"`
	Networks map[string]NetworkSummary `json:"networks"`
	Stages   map[string]StageSummary   `json:"stages"`
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
	sections := []report.Section{overviewSection(sum, nets), dataSection(sum)}
	for _, nd := range nets {
		sections = append(sections, networkSection(nd, sum.Networks[nd.name].Config))
	}
	sections = append(sections, report.Section{Title: "Training", Text: "Per-epoch measures recorded by the trainer (at most 2000 monitored samples per set).", Figures: charts.Training},
		physicsSection(s, nets, charts.Physics))
	sections = append(sections, flowSection(s, nets), stagesSection(sum, stageNames))
	rep := report.Report{
		Title:    "Mehta & Schwab replication: do stacked RBMs learn block spins?",
		Subtitle: fmt.Sprintf("isingrbm %s; L = %d, K = %.3f, %d samples, layers %s, seed %d%s", sum.Program, s.L, s.K, s.N, sizesText(s), s.Seed, quickTag(s)),
		Sections: sections,
	}
	return sum, rep, nil
}

func appendFigFiles(files []string, figs []report.Figure) []string {
	for _, f := range figs {
		files = append(files, "report/"+f.File)
	}
	return files
}

// summary gathers summary.json: settings, exact values, the samples'
// statistics, every stage's key, time and memory, and per network its
// recipe, evaluation, locality, physics and flow.
func (r *replicator) summary(stageNames []string, nets []netData) (*Summary, error) {
	s := r.s
	sum := &Summary{Program: rbm.ProgramVersion(), Version: r.plan.version, Created: time.Now().UTC().Format(time.RFC3339),
		Machine: machine(), Settings: s, Networks: map[string]NetworkSummary{}, Stages: map[string]StageSummary{}}
	sum.Exact.Kc = exact.Kc
	sum.Exact.Energy = exact.Energy(s.L, s.K)
	sum.Exact.SpecificHeat = exact.SpecificHeat(s.L, s.K)
	if err := readJSON(r.path(dataStatsRel(0)), &sum.Data); err != nil {
		return nil, err
	}
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
	for _, nd := range nets {
		sum.Networks[nd.name] = networkSummary(nd)
	}
	return sum, nil
}

// networkSummary is one network's entry of summary.json.
func networkSummary(nd netData) NetworkSummary {
	ns := NetworkSummary{Preset: nd.name, Config: nd.config, Physics: nd.ana.Physics,
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
		ns.Layers = append(ns.Layers, ls)
	}
	return ns
}

// overviewSection is the report's first section: the experiment and one
// table row per network and layer.
func overviewSection(sum *Summary, nets []netData) report.Section {
	s := sum.Settings
	overview := report.Table{
		Caption: fmt.Sprintf("Per network and layer: medians over units of the participation ratio (PR) and of the disk share (radius %.1f sites) of the effective receptive fields, with the same measure on Gaussian noise of the same shape in parentheses; the share of units more local than 95%% of the noise fields (by PR); the median |correlation| of first-layer units with the majority-rule block spin of their block (2x2, 4x4; noise in parentheses); evaluation on %s samples (layer k > 1 on the hidden probabilities of layer k-1): reconstruction error (sum over units), pseudo-log-likelihood (scikit-learn's one-flip form) and log-likelihood (exact, or AIS with %d runs and %d steps; +- one standard error).",
			analysis.DefaultDiskRadius, evalSamplesText(s), s.AISRuns, s.AISSteps[0]+s.AISSteps[1]+s.AISSteps[2]),
		Header: []string{"network", "layer", "units", "PR (noise)", "disk share (noise)", "local by PR", "|corr| 2x2 (noise)", "|corr| 4x4 (noise)", "recon error", "pseudo-LL", "log-lik", "method"},
	}
	for _, nd := range nets {
		for _, sl := range sum.Networks[nd.name].Layers {
			ls, ev := sl.Locality, sl.Eval
			bs := map[int]string{}
			for _, b := range ls.BlockSpin {
				bs[b.B] = fmt.Sprintf("%s (%s)", numStr(b.AbsCorr.Median), numStr(b.NoiseCorr.Median))
			}
			cell := func(b int) string {
				if v, ok := bs[b]; ok {
					return v
				}
				return "-"
			}
			overview.Rows = append(overview.Rows, []string{nd.name, fmt.Sprint(ls.Layer), fmt.Sprint(ls.Units),
				fmt.Sprintf("%s (%s)", numStr(ls.PR.Median), numStr(ls.NoisePR.Median)),
				fmt.Sprintf("%s (%s)", numStr(ls.Disk.Median), numStr(ls.NoiseDisk.Median)),
				pct(float64(ls.LocalByPR)), cell(2), cell(4),
				numStr(ev.ReconError), numStr(ev.PseudoLL), logLikText(ev), ev.LogLikMethod})
		}
	}
	return report.Section{Title: "Overview",
		Text: fmt.Sprintf("Mehta & Schwab's experiment: %d equilibrium configurations of the %dx%d periodic Ising model at K = %.3f (K_c = %.4f), a stack of RBMs %s trained greedily with three recipes: mehta-schwab (Hinton & Salakhutdinov's CD-1 recipe with an L1 penalty 2e-4, %d epochs), weight-decay (the same with their L2 weight cost 2e-4) and sklearn (scikit-learn BernoulliRBM's defaults, PCD-1, %d epochs). Locality is measured against Gaussian noise of the same shape; a trained field is local when its participation ratio is small and its disk share large compared with the noise.%s",
			s.N, s.L, s.L, s.K, exact.Kc, sizesText(s), s.Epochs, s.SklearnEpochs, quickNote(s)),
		Tables: []report.Table{overview}}
}

// dataSection compares the Monte Carlo samples with the exact values.
func dataSection(sum *Summary) report.Section {
	dataTable := report.Table{Caption: "Monte Carlo samples (multi-spin-coded Metropolis) against the exact finite-lattice values: energy per spin u, |m|, specific heat C (jackknife errors), integrated autocorrelation times in sweeps and the sweeps between stored samples of one chain.",
		Header: []string{"set", "K", "n", "u", "u exact", "|m|", "C", "C exact", "tau_u", "tau_|m|", "sweeps between"}}
	addRow := func(name string, st SampleStats) {
		dataTable.Rows = append(dataTable.Rows, []string{name, fmt.Sprintf("%.4f", st.K), fmt.Sprint(st.N), numErr(st.Energy, st.EnergyErr),
			fmt.Sprintf("%.5f", float64(st.ExactEnergy)), numErr(st.AbsM, st.AbsMErr), numErr(st.SpecificHeat, st.SpecificHeatErr),
			fmt.Sprintf("%.4f", float64(st.ExactSpecificHeat)), numStr(st.TauEnergy), numStr(st.TauAbsM), fmt.Sprint(st.Spacing)})
	}
	addRow("training", sum.Data)
	for _, st := range sum.Sweep {
		addRow("flow sweep", st)
	}
	return report.Section{Title: "Data", Text: fmt.Sprintf("Seed %d. The flow sweep's configurations are independent of the training data.", sum.Settings.Seed), Tables: []report.Table{dataTable}}
}

// networkSection shows one network's figures and locality distributions.
func networkSection(nd netData, config *rbm.Config) report.Section {
	sec := report.Section{Title: "Network " + nd.name, Text: networkText(nd.name, config, nd.sizes)}
	sec.Figures = append(sec.Figures, nd.ana.Figures...)
	locTable := report.Table{Caption: fmt.Sprintf("%s: distributions over units of the locality measures of each layer's ERFs, and of Gaussian noise of the same shape.", nd.name),
		Header: report.SummaryHeader("measure")}
	for _, la := range nd.ana.Layers {
		for _, row := range []struct {
			name string
			d    DistSummary
		}{{"layer %d PR", la.PR}, {"layer %d PR, noise", la.NoisePR}, {"layer %d disk share", la.Disk}, {"layer %d disk share, noise", la.NoiseDisk},
			{"layer %d radius of gyration", la.Rg}, {"layer %d radius of gyration, noise", la.NoiseRg}} {
			locTable.Rows = append(locTable.Rows, distRow(fmt.Sprintf(row.name, la.Layer), row.d))
		}
		for _, b := range la.BlockSpin {
			locTable.Rows = append(locTable.Rows, distRow(fmt.Sprintf("layer 1 |corr| with %dx%d block spin", b.B, b.B), b.AbsCorr),
				distRow(fmt.Sprintf("layer 1 |corr| with %dx%d block spin, noise", b.B, b.B), b.NoiseCorr))
		}
	}
	sec.Tables = append(sec.Tables, locTable)
	return sec
}

// physicsSection tabulates the thermodynamics of the reconstructions.
func physicsSection(s Settings, nets []netData, figs []report.Figure) report.Section {
	physSec := report.Section{Title: "Physics of reconstructions",
		Text: fmt.Sprintf("%d Monte Carlo configurations (depth 0) and their reconstructions through depth d (v up to layer d and back down, mean field; spins drawn with their probabilities), measured at K = %.3f: energy per spin, |m|, specific heat C = K^2 N var(u) and susceptibility chi = K N (<m^2> - <|m|>^2), with jackknife errors; K_eff inverts the exact u(K).",
			min(s.AnalysisSamples, s.N), s.K), Figures: figs}
	physTable := report.Table{Caption: "Thermodynamics of reconstructions (jackknife errors).", Header: []string{"network", "depth", "u", "|m|", "C", "chi", "K_eff"}}
	for _, nd := range nets {
		for _, t := range nd.ana.Physics {
			physTable.Rows = append(physTable.Rows, []string{nd.name, fmt.Sprint(t.Depth), numErr(t.U, t.UErr), numErr(t.AbsM, t.AbsMErr),
				numErr(t.C, t.CErr), numErr(t.Chi, t.ChiErr), numErr(t.KEff, t.KEffErr)})
		}
	}
	physSec.Tables = append(physSec.Tables, physTable)
	return physSec
}

// flowSection tabulates K_eff after each reconstruction step.
func flowSection(s Settings, nets []netData) report.Section {
	flowSec := report.Section{Title: "RG flow", Text: "Iso, Shiba & Yokoo's test: if a layer performed an RG step, repeated reconstruction would carry K_eff away from K_c (towards 0 on the disordered side, towards infinity on the ordered side)."}
	flowTable := report.Table{Caption: "K_eff after each reconstruction step (jackknife errors); '-' where the mean energy cannot be inverted (reasons below the table).", Header: []string{"network", "K"}}
	for t := 0; t <= s.FlowSteps; t++ {
		flowTable.Header = append(flowTable.Header, fmt.Sprintf("step %d", t))
	}
	var reasons []string
	for _, nd := range nets {
		flowSec.Figures = append(flowSec.Figures, nd.flow.Figures...)
		for i, k := range nd.flow.K {
			row := []string{nd.name, fmt.Sprintf("%.4f", k)}
			for t := range nd.flow.KEff {
				v := nd.flow.KEff[t][i]
				if math.IsNaN(float64(v)) {
					row = append(row, "-")
				} else {
					row = append(row, numErr(v, nd.flow.KEffErr[t][i]))
				}
			}
			flowTable.Rows = append(flowTable.Rows, row)
		}
		for _, e := range nd.flow.NullReasons {
			reasons = append(reasons, nd.name+": "+e)
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
	stTable := report.Table{Caption: "Stages of this replication: key (hash of the settings and of the inputs' keys), wall time when computed, and the process's peak resident memory at its end.",
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

func networkText(name string, c *rbm.Config, sizes []int) string {
	if c == nil {
		return name
	}
	reg := "no regularization"
	switch {
	case c.L1 > 0 && c.L2 > 0:
		reg = fmt.Sprintf("L1 %g and L2 %g on the weights", c.L1, c.L2)
	case c.L1 > 0:
		reg = fmt.Sprintf("L1 penalty %g on the weights", c.L1)
	case c.L2 > 0:
		reg = fmt.Sprintf("L2 weight decay %g", c.L2)
	}
	cd := fmt.Sprintf("CD-%d", c.CDK)
	if c.PCD {
		cd = fmt.Sprintf("PCD-%d", c.CDK)
	}
	parts := make([]string, len(sizes))
	for i, n := range sizes {
		parts[i] = fmt.Sprint(n)
	}
	return fmt.Sprintf("Preset %s: layers %s, %s, %d epochs per layer, batch %d, learning rate %g, momentum %g then %g from epoch %d, %s, initial weights %g N(0,1), seed %d. Receptive-field measures use the effective fields r(l) = W(1)...W(l).",
		name, strings.Join(parts, "-"), cd, c.Epochs, c.Batch, c.LR, c.MomentumInitial, c.MomentumFinal, c.MomentumSwitch, reg, c.InitSigma, c.Seed)
}

// logLikText formats a log-likelihood: exact values with 5 significant
// digits, AIS estimates with their standard error.
func logLikText(e rbm.LayerEval) string {
	if e.LogLikMethod == "exact" {
		return fmt.Sprintf("%.5g", float64(e.LogLik))
	}
	return numErr(e.LogLik, e.LogLikErr)
}

// netData is what the chart and report stages read of one network.
type netData struct {
	name   string
	config *rbm.Config
	hist   *rbm.History
	sizes  []int
	ana    analysisResult
	ev     rbm.EvalReport
	flow   flowResult
}

// loadNets reads the outputs of every network's stages (the flow's only
// when withFlow is set).
func (r *replicator) loadNets(withFlow bool) ([]netData, error) {
	var nets []netData
	p := r.s.replicas()[0]
	for _, net := range r.s.Networks {
		nd := netData{name: net}
		dbn, meta, err := rbm.LoadDBN(r.path(modelRel(net, p)))
		if err != nil {
			return nil, err
		}
		nd.config, nd.hist, nd.sizes = meta.Config, meta.History, dbn.Sizes()
		if err := readJSON(r.path(analysisRel(net, p)), &nd.ana); err != nil {
			return nil, err
		}
		if err := readJSON(r.path(evalRel(net, p)), &nd.ev); err != nil {
			return nil, err
		}
		if withFlow {
			if err := readJSON(r.path(flowRel(net, p)), &nd.flow); err != nil {
				return nil, err
			}
		}
		nets = append(nets, nd)
	}
	return nets, nil
}

// chartsResult is analysis/charts.json: the figures of the charts stage.
type chartsResult struct {
	Training []report.Figure `json:"training"`
	Physics  []report.Figure `json:"physics"`
}

// chartFigures are the files of the charts stage, relative to the report
// folder.
var chartFigures = []string{"train_recon.png", "train_pl.png", "train_gap.png", "train_dw.png",
	"physics_u.png", "physics_m.png", "physics_c.png", "physics_chi.png"}

// chartsStage draws the charts that compare the networks: training curves
// and the physics of reconstructions.
func (s Settings) chartsStage(inputs []string) *stageDef {
	settings := struct{ Version int }{2}
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
		for _, nd := range nets {
			if nd.hist == nil {
				continue
			}
			for l, eps := range nd.hist.Layers {
				sr := analysis.Series{Name: fmt.Sprintf("%s L%d", nd.name, l+1)}
				for _, e := range eps {
					sr.X = append(sr.X, float64(e.Epoch))
					sr.Y = append(sr.Y, c.get(e, nd.sizes[l]))
				}
				series = append(series, sr)
			}
		}
		spec := report.ChartSpec{Title: c.title, XLabel: "epoch", YLabel: c.ylabel, LogY: c.file == "train_dw.png", Width: 18, Height: 11}
		if _, err := report.LineChart(r.path("report/"+c.file), spec, series); err != nil {
			return nil, err
		}
		figs = append(figs, report.Figure{File: c.file, Caption: c.caption})
	}
	return figs, nil
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
		for _, nd := range nets {
			sr := analysis.Series{Name: nd.name}
			for _, t := range nd.ana.Physics {
				sr.X = append(sr.X, float64(t.Depth))
				sr.Y = append(sr.Y, p.get(t))
			}
			series = append(series, sr)
		}
		if !math.IsNaN(p.exact) {
			series = append(series, analysis.Series{Name: "exact (Kaufman)", X: []float64{0, float64(len(s.Layers))}, Y: []float64{p.exact, p.exact}})
		}
		if _, err := report.LineChart(r.path("report/"+p.file), report.ChartSpec{Title: p.title, XLabel: "depth (0 = Monte Carlo)", YLabel: p.ylabel, Points: true, Width: 14, Height: 10}, series); err != nil {
			return nil, err
		}
		cap := fmt.Sprintf("%s against the depth of reconstruction, one curve per network; depth 0 is the Monte Carlo sample.", p.title)
		if !math.IsNaN(p.exact) {
			cap += fmt.Sprintf(" The flat line is the exact value of the %dx%d torus at K = %.3f.", s.L, s.L, s.K)
		}
		figs = append(figs, report.Figure{File: p.file, Caption: cap})
	}
	return figs, nil
}
