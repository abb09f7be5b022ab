package study

import (
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"github.com/isingrbm/isingrbm/core/analysis"
	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/replicate"
	"github.com/isingrbm/isingrbm/core/report"
	"github.com/isingrbm/isingrbm/core/stats"
)

// Agg is one measure over the seeds of one coupling (replicate.Spread: mean,
// sample standard deviation (n-1), min and max over the seeds where it is
// defined, their number N, and the value of every replica in
// Summary.Replicas' order, null where the measure is undefined).
type Agg = replicate.Spread

// CouplingRow is one network at one training coupling: every measure over
// the seeds.
type CouplingRow struct {
	K        float64        `json:"K"`
	Measures map[string]Agg `json:"measures"`
}

// MeasureInfo says what a measure of the summary is.
type MeasureInfo struct {
	Key         string `json:"key"`
	Description string `json:"description"`
}

// Summary is the study's summary.json. It holds no timings, so that the
// same study gives the same bytes wherever its stages ran.
type Summary struct {
	Program   string                   `json:"program"`
	Spec      Spec                     `json:"spec"`
	Runs      []RunInfo                `json:"runs"`
	Replicas  []Replica                `json:"replicas"` // the order of every measure's values
	Measures  []MeasureInfo            `json:"measures"`
	Networks  map[string][]CouplingRow `json:"networks"` // per network, one row per coupling in increasing K
	KCritical float64                  `json:"K_c"`
}

// replicaFiles are the parts of one replica's outputs the study reads:
// analysis/<net>/<tag>.json, eval/<net>/<tag>.json and flow/<net>/<tag>.json.
type replicaAnalysis struct {
	Layers []struct {
		Layer int                        `json:"layer"`
		PR    struct{ Median stats.Num } `json:"participation_ratio"`
		Disk  struct{ Median stats.Num } `json:"disk_share"`
		LPR   stats.Num                  `json:"local_fraction_pr"`
		LD    stats.Num                  `json:"local_fraction_disk"`
		// Absent before the surrogate test (2026-12-04).
		Compact *stats.Num `json:"compact_fraction"`
		// Absent before the live units (2026-12-04).
		Live        *stats.Num                 `json:"live_fraction"`
		LivePR      struct{ Median stats.Num } `json:"live_participation_ratio"`
		LiveCompact *stats.Num                 `json:"live_compact_fraction"`
	} `json:"layers"`
	Physics []struct {
		Depth int       `json:"depth"`
		KEff  stats.Num `json:"k_eff"`
	} `json:"reconstruction_physics"`
}

type evalLayer struct {
	Layer    int       `json:"layer"`
	PseudoLL stats.Num `json:"pseudo_loglik"`
	Recon    stats.Num `json:"recon_error"`
	LogLik   stats.Num `json:"loglik"`
	// Absent from the output of versions before 2026-12-03.
	Ceiling *stats.Num `json:"loglik_ceiling"`
	FlipGap *stats.Num `json:"global_flip_gap"`
	// Absent before the second AIS path (2026-12-03, d3a7903).
	LogZData   *stats.Num `json:"log_z_data"`
	LogZBiases *stats.Num `json:"log_z_biases"`
}

type replicaEval struct {
	Layers     []evalLayer `json:"layers"`
	TestLayers []evalLayer `json:"test_layers"` // on the held-out test set
	// Absent before the training checks (2026-12-05).
	Training []struct {
		Layer   int  `json:"layer"`
		Checked bool `json:"checked"`
		Warned  bool `json:"warned"`
	} `json:"training_checks"`
}

type replicaFlow struct {
	K    []float64     `json:"K"`
	KEff [][]stats.Num `json:"k_eff"`
}

// readMeasures adds the measures of one replica's output file (kind
// analyse, eval or flow) to m.
func readMeasures(path, kind string, m map[string]float64) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	switch kind {
	case "analyse":
		var a replicaAnalysis
		if err := json.Unmarshal(b, &a); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		for _, l := range a.Layers {
			p := fmt.Sprintf("layer%d.", l.Layer)
			m[p+"pr_median"] = float64(l.PR.Median)
			m[p+"disk_median"] = float64(l.Disk.Median)
			m[p+"local_fraction_pr"] = float64(l.LPR)
			m[p+"local_fraction_disk"] = float64(l.LD)
			if l.Compact != nil {
				m[p+"compact_fraction"] = float64(*l.Compact)
			}
			// A layer without live units has no live PR and a null
			// compact share (NaN), which a pointer cannot tell from an
			// absent field: the live share says the fields are there.
			if l.Live != nil {
				m[p+"live_fraction"] = float64(*l.Live)
				m[p+"live_pr_median"], m[p+"live_compact_fraction"] = float64(l.LivePR.Median), math.NaN()
				if l.LiveCompact != nil {
					m[p+"live_compact_fraction"] = float64(*l.LiveCompact)
				}
			}
		}
		for _, ph := range a.Physics {
			m[fmt.Sprintf("k_eff.depth%d", ph.Depth)] = float64(ph.KEff)
		}
	case "eval":
		var e replicaEval
		if err := json.Unmarshal(b, &e); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		for _, set := range []struct {
			prefix string
			layers []evalLayer
		}{{"", e.Layers}, {"test_", e.TestLayers}} {
			for _, l := range set.layers {
				p := fmt.Sprintf("layer%d.%s", l.Layer, set.prefix)
				m[p+"pseudo_loglik"] = float64(l.PseudoLL)
				m[p+"recon_error"] = float64(l.Recon)
				if l.Layer == 1 {
					m[p+"loglik"] = float64(l.LogLik)
					if l.Ceiling != nil {
						m[p+"loglik_ceiling"] = float64(*l.Ceiling)
					}
					if l.FlipGap != nil {
						m[p+"global_flip_gap"] = float64(*l.FlipGap)
					}
					// The held-out set shares log Z: only the training
					// rows' evaluation records the paths.
					if set.prefix == "" && l.LogZData != nil && l.LogZBiases != nil {
						m[p+"log_z_data"] = float64(*l.LogZData)
						m[p+"log_z_biases"] = float64(*l.LogZBiases)
					}
				}
			}
		}
		for _, tc := range e.Training {
			if tc.Checked {
				w := 0.0
				if tc.Warned {
					w = 1
				}
				m[fmt.Sprintf("layer%d.train_warned", tc.Layer)] = w
			}
		}
	case "flow":
		var f replicaFlow
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		if len(f.KEff) > 1 {
			for i, k := range f.K {
				if i < len(f.KEff[1]) {
					m[fmt.Sprintf("flow.k_eff.step1@%.4f", k)] = float64(f.KEff[1][i])
				}
			}
		}
	}
	return nil
}

// describe says what a measure key means.
func describe(key string) string {
	var l int
	var k float64
	switch {
	case strings.HasPrefix(key, "layer"):
		fmt.Sscanf(key, "layer%d.", &l)
		rest := key[strings.IndexByte(key, '.')+1:]
		what := map[string]string{
			"pr_median":             "median over units of the participation ratio of the receptive fields (sites; smaller is more local)",
			"disk_median":           "median over units of the share of w^2 near the peak (larger is more local)",
			"local_fraction_pr":     "share of units more local than 95% of Gaussian-noise fields, by participation ratio",
			"local_fraction_disk":   "share of units more local than 95% of Gaussian-noise fields, by disk share",
			"compact_fraction":      fmt.Sprintf("share of units whose disk share exceeds that of all %d phase-randomized copies (same spatial spectrum) and all %d permutations (same values) of their own field: compact, not merely smooth or sparse", analysis.DefaultSurrogates, analysis.DefaultSurrogates),
			"live_fraction":         fmt.Sprintf("share of live units, whose p(h = 1 | v) has a standard deviation of at least %v over the analysed configurations (the rest answer every configuration alike: as features of the data they are constants, whatever their fields look like)", analysis.LiveSD),
			"live_pr_median":        "median over the live units of the participation ratio of their receptive fields",
			"live_compact_fraction": "share of the live units that are compact (see compact_fraction)",
			"pseudo_loglik":         "pseudo-log-likelihood on the training rows",
			"recon_error":           "mean-field reconstruction error on the training rows",
			"loglik":                "log-likelihood (AIS) of the first layer on the training rows",
			"test_pseudo_loglik":    "pseudo-log-likelihood on the held-out test set",
			"test_recon_error":      "mean-field reconstruction error on the held-out test set",
			"test_loglik":           "log-likelihood (AIS) of the first layer on the held-out test set",
			"loglik_ceiling":        "upper bound of the first layer's log-likelihood on the training rows from one state's free energy (no statistics)",
			"test_loglik_ceiling":   "upper bound of the first layer's log-likelihood on the held-out test set from one state's free energy (no statistics)",
			"global_flip_gap":       "mean |F(1-v) - F(v)| of the first layer on the training rows (0: the Ising spin-flip symmetry)",
			"test_global_flip_gap":  "mean |F(1-v) - F(v)| of the first layer on the held-out test set",
			"log_z_data":            "log Z of the first layer by AIS from the data's density (the loglik uses the larger of the two paths)",
			"log_z_biases":          "log Z of the first layer by AIS from the model's own biases, W scaled from 0",
			"train_warned":          "1 when the layer's last training epoch was worse than independent units with its training means (log-likelihood ceiling below theirs, or pseudo-log-likelihood 3 standard errors below), as `isingrbm train` warns; the mean is the share of replicas",
		}[rest]
		if what == "" {
			what = rest
		}
		return fmt.Sprintf("layer %d: %s", l, what)
	case strings.HasPrefix(key, "k_eff.depth"):
		fmt.Sscanf(key, "k_eff.depth%d", &l)
		if l == 0 {
			return "K_eff of the Monte Carlo training configurations themselves (checks the sampler)"
		}
		return fmt.Sprintf("K_eff of the configurations reconstructed through depth %d (sampled spins): the coupling whose exact energy matches theirs", l)
	case strings.HasPrefix(key, "flow.k_eff.step1@"):
		fmt.Sscanf(key, "flow.k_eff.step1@%g", &k)
		return fmt.Sprintf("RG flow: K_eff after one reconstruction step of sweep configurations at K = %.4f", k)
	}
	return key
}

// Replica is one trained network of the study: a data seed of the study
// and a training replica of replicate's seed ensemble ("d0-s1").
type Replica struct {
	Seed uint64 `json:"seed"`
	Tag  string `json:"replica"`
}

// buildSummary reads every replica's evaluation, analysis and flow.
func (st *Study) buildSummary() (*Summary, error) {
	sum := &Summary{Program: rbm.ProgramVersion(), Spec: st.Spec, Runs: st.Runs(), Networks: map[string][]CouplingRow{}, KCritical: exact.Kc}
	// values[net][K index][measure][replica index]
	type cell map[string]map[int]float64
	values := map[string][]cell{}
	ks := st.sortedCouplings()
	kIndex := map[float64]int{}
	for i, k := range ks {
		kIndex[k] = i
	}
	repIndex := map[Replica]int{}
	for _, r := range st.runs {
		for _, sp := range r.Plan {
			if sp.Kind != "analyse" && sp.Kind != "eval" && sp.Kind != "flow" {
				continue
			}
			for _, o := range sp.Outputs {
				parts := strings.Split(o, "/")
				if len(parts) != 3 || !strings.HasSuffix(o, ".json") {
					continue
				}
				net, tag := parts[1], strings.TrimSuffix(parts[2], ".json")
				rep := Replica{Seed: r.Seed, Tag: tag}
				if _, ok := repIndex[rep]; !ok {
					repIndex[rep] = len(sum.Replicas)
					sum.Replicas = append(sum.Replicas, rep)
				}
				m := map[string]float64{}
				if err := readMeasures(filepath.Join(r.Cfg.Out, filepath.FromSlash(o)), sp.Kind, m); err != nil {
					return nil, err
				}
				if values[net] == nil {
					values[net] = make([]cell, len(ks))
				}
				c := values[net][kIndex[r.K]]
				if c == nil {
					c = cell{}
					values[net][kIndex[r.K]] = c
				}
				for name, v := range m {
					if c[name] == nil {
						c[name] = map[int]float64{}
					}
					c[name][repIndex[rep]] = v
				}
			}
		}
	}
	keys := map[string]bool{}
	for _, net := range st.Spec.Settings.Networks {
		for i, k := range ks {
			row := CouplingRow{K: k, Measures: map[string]Agg{}}
			for name, byRep := range values[net][i] {
				v := make([]float64, len(sum.Replicas))
				for j := range v {
					v[j] = math.NaN()
					if x, ok := byRep[j]; ok {
						v[j] = x
					}
				}
				row.Measures[name] = replicate.SpreadOf(v)
				keys[name] = true
			}
			sum.Networks[net] = append(sum.Networks[net], row)
		}
	}
	for _, k := range sortedKeys(keys) {
		sum.Measures = append(sum.Measures, MeasureInfo{Key: k, Description: describe(k)})
	}
	return sum, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// headline measures are charted against K and tabulated in the report.
var headline = []struct {
	key, title, ylabel string
	diagonal           bool
}{
	{"layer1.pr_median", "Locality of layer 1: median participation ratio", "participation ratio (sites)", false},
	// Sparse is not compact: with L1 the participation ratio is small at
	// every K, but the support of a field lies near its peak only where
	// the data's correlations are short-ranged.
	{"layer1.disk_median", "Locality of layer 1: median share of w^2 within 2.5 sites of the peak", "disk share", false},
	{"layer1.local_fraction_disk", "Layer 1: share of units more local than noise (disk share)", "share of units", false},
	// Any smooth or sparse field beats white noise by disk share; its own
	// phase-randomized surrogates are as smooth and its permutations as
	// sparse, so only compact fields beat both.
	{"layer1.compact_fraction", "Layer 1: share of compact units (beyond their own surrogates)", "share of units", false},
	// Units that answer every configuration alike keep whatever field
	// training left them; only the live ones say what the data taught.
	{"layer1.live_fraction", "Layer 1: share of live units (p(h|v) varies with the data)", "share of units", false},
	{"layer1.live_compact_fraction", "Layer 1: share of the live units that are compact", "share of live units", false},
	{"k_eff.depth1", "K_eff of depth-1 reconstructions against the training K", "K_eff", true},
	{"layer1.test_pseudo_loglik", "Layer 1: held-out pseudo-log-likelihood", "pseudo-log-likelihood", false},
	// Held-out log-likelihoods with the ceiling that needs no AIS
	// statistics, and the flip gap that says why the ordered phase's fall
	// far below fair coins.
	{"layer1.test_loglik", "Layer 1: held-out log-likelihood (AIS)", "log-likelihood (nats)", false},
	{"layer1.test_loglik_ceiling", "Layer 1: ceiling of the held-out log-likelihood (one state's free energy)", "log-likelihood (nats)", false},
	{"layer1.global_flip_gap", "Layer 1: flip gap, mean |F(1-v) - F(v)| on the training rows", "nats", false},
}

// compactNull is the share of units that the surrogate test calls compact
// by chance: one in DefaultSurrogates+1.
const compactNull = 1 / float64(analysis.DefaultSurrogates+1)

// nullRates are the values that headline measures take by chance, drawn
// as a dashed line on their charts and described in the captions.
var nullRates = map[string]struct {
	v    float64
	text string
}{
	"layer1.live_compact_fraction": {compactNull, fmt.Sprintf("the null rate, 1/%d (see the compact share above)", analysis.DefaultSurrogates+1)},
	"layer1.compact_fraction":      {compactNull, fmt.Sprintf("the null rate, 1/%d: a field that is stationary noise, however smooth, or has exchangeable values, however sparse, is compact with at most this probability", analysis.DefaultSurrogates+1)},
}

// writeReport writes summary.json, the charts and report/index.html.
func (st *Study) writeReport() ([]string, error) {
	sum, err := st.buildSummary()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(st.Dir, "report"), 0o755); err != nil {
		return nil, err
	}
	outs := []string{"summary.json", "report/index.html"}
	if err := writeJSON(filepath.Join(st.Dir, "summary.json"), sum); err != nil {
		return nil, err
	}
	nets := st.Spec.Settings.Networks
	seeds := make([]string, len(st.Spec.Seeds))
	for i, s := range st.Spec.Seeds {
		seeds[i] = fmt.Sprint(s)
	}
	s := st.Spec.Settings
	intro := fmt.Sprintf("The replication run for %d training couplings K and %d seeds (%s): %d runs of L = %d, %d samples, layers %v, networks %s%s. "+
		"Each seed draws its own training data and trains its own networks. Every figure gives the mean over the seeds; error bars span min to max over the seeds, and the tables give the standard deviation (n-1) and N. "+
		"A difference between networks or couplings is a finding only when it exceeds this spread.",
		len(st.Spec.Couplings), len(st.Spec.Seeds), strings.Join(seeds, ", "), len(st.runs), s.L, s.N, s.Layers, strings.Join(nets, ", "), quickNote(s.Quick))
	sec := []report.Section{{Title: "Study", Text: intro + "\n\nThe replications' own reports are in runs/K<K>-seed<seed>/report/index.html; summary.json beside this folder has every measure per network, coupling and seed."}}
	for _, h := range headline {
		file := "study_" + strings.ReplaceAll(h.key, ".", "_") + ".png"
		null := nullRates[h.key]
		if err := st.chart(filepath.Join(st.Dir, "report", file), sum, h.key, h.title, h.ylabel, h.diagonal, null.v); err != nil {
			return nil, err
		}
		outs = append(outs, "report/"+file)
		tab := report.Table{Caption: describe(h.key) + ": mean +/- standard deviation over seeds [min, max] (N).", Header: append([]string{"K"}, nets...)}
		for i, k := range st.sortedCouplings() {
			row := []string{fmt.Sprintf("%.4f", k)}
			for _, net := range nets {
				row = append(row, sum.Networks[net][i].Measures[h.key].Text())
			}
			tab.Rows = append(tab.Rows, row)
		}
		cap := fmt.Sprintf("%s against the training coupling K, one line per network: mean over %d seeds, bars from min to max.", describe(h.key), len(st.Spec.Seeds))
		if h.diagonal {
			cap += fmt.Sprintf(" The grey diagonal is K_eff = K; the dashed lines mark K_c = %.4f.", exact.Kc)
		}
		if null.v != 0 {
			cap += fmt.Sprintf(" The dashed line is %s.", null.text)
		}
		sec = append(sec, report.Section{Title: h.title, Figures: []report.Figure{{File: file, Caption: cap}}, Tables: []report.Table{tab}})
	}
	var all report.Table
	all.Caption = "Every measure: mean +/- standard deviation over seeds [min, max] (N)."
	all.Header = []string{"measure", "network", "K", "value"}
	for _, m := range sum.Measures {
		for _, net := range nets {
			for _, row := range sum.Networks[net] {
				if a, ok := row.Measures[m.Key]; ok {
					all.Rows = append(all.Rows, []string{m.Key, net, fmt.Sprintf("%.4f", row.K), a.Text()})
				}
			}
		}
	}
	var desc strings.Builder
	for _, m := range sum.Measures {
		fmt.Fprintf(&desc, "%s: %s.\n\n", m.Key, m.Description)
	}
	sec = append(sec, report.Section{Title: "All measures", Text: desc.String(), Tables: []report.Table{all}})
	rep := report.Report{Title: "Study: the Mehta & Schwab replication over couplings and seeds",
		Subtitle: fmt.Sprintf("isingrbm %s; K = %s; seeds %s", sum.Program, couplingsText(st.sortedCouplings()), strings.Join(seeds, ", ")),
		Sections: sec}
	if err := report.WriteHTML(filepath.Join(st.Dir, "report"), rep); err != nil {
		return nil, err
	}
	return outs, nil
}

func quickNote(q bool) string {
	if q {
		return " (-quick sizes)"
	}
	return ""
}

func couplingsText(ks []float64) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = fmt.Sprintf("%.4f", k)
	}
	return strings.Join(s, ", ")
}

// errPoints are means with min-max bars.
type errPoints struct{ x, y, lo, hi []float64 }

func (e errPoints) Len() int                        { return len(e.x) }
func (e errPoints) XY(i int) (float64, float64)     { return e.x[i], e.y[i] }
func (e errPoints) YError(i int) (float64, float64) { return e.y[i] - e.lo[i], e.hi[i] - e.y[i] }

// chart draws one measure against K for every network.
// A null other than 0 is drawn as a dashed grey line across the couplings.
func (st *Study) chart(path string, sum *Summary, key, title, ylabel string, diagonal bool, null float64) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "training coupling K"
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	lo, hi := math.Inf(1), math.Inf(-1)
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for i, net := range st.Spec.Settings.Networks {
		var e errPoints
		for _, row := range sum.Networks[net] {
			a, ok := row.Measures[key]
			if !ok || a.N == 0 {
				continue
			}
			e.x = append(e.x, row.K)
			e.y = append(e.y, float64(a.Mean))
			e.lo = append(e.lo, float64(a.Min))
			e.hi = append(e.hi, float64(a.Max))
		}
		if e.Len() == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(e)
		if err != nil {
			return err
		}
		l.Color, sc.Color = plotutil.Color(i), plotutil.Color(i)
		sc.Shape = plotutil.Shape(i)
		l.Width = vg.Points(1.5)
		eb, err := plotter.NewYErrorBars(e)
		if err != nil {
			return err
		}
		eb.Color = plotutil.Color(i)
		p.Add(l, sc, eb)
		p.Legend.Add(net, l, sc)
		for j := range e.x {
			lo, hi = min(lo, e.x[j], e.lo[j]), max(hi, e.x[j], e.hi[j])
			xlo, xhi = min(xlo, e.x[j]), max(xhi, e.x[j])
		}
	}
	if diagonal && lo <= hi {
		lo, hi = lo-0.02, hi+0.02
		d, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
		if err != nil {
			return err
		}
		d.Color = color.Gray{Y: 160}
		p.Add(d)
		for _, ln := range []plotter.XYs{{{X: exact.Kc, Y: lo}, {X: exact.Kc, Y: hi}}, {{X: lo, Y: exact.Kc}, {X: hi, Y: exact.Kc}}} {
			l, err := plotter.NewLine(ln)
			if err != nil {
				return err
			}
			l.Color = color.Gray{Y: 120}
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(l)
		}
		p.Legend.Top = false
	}
	if null != 0 && xlo <= xhi {
		l, err := plotter.NewLine(plotter.XYs{{X: xlo, Y: null}, {X: xhi, Y: null}})
		if err != nil {
			return err
		}
		l.Color = color.Gray{Y: 120}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		p.Legend.Add("null rate", l)
	}
	wt, err := p.WriterTo(16*vg.Centimeter, 11*vg.Centimeter, "png")
	if err != nil {
		return err
	}
	return npy.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
