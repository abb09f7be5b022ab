package replicate

import (
	"fmt"
	"math"

	"github.com/isingrbm/isingrbm/core/analysis"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/report"
	"github.com/isingrbm/isingrbm/core/stats"
)

// FixedPoint answers, for one recipe's first layer, whether training
// reaches a fixed point and whether it overfits: when the held-out
// pseudo-log-likelihood stops improving, and whether the locality of the
// receptive fields keeps sharpening after that.
type FixedPoint struct {
	// BestEpoch is, per replica, the epoch of the largest held-out
	// pseudo-log-likelihood (the trainer's validation rows, never trained
	// on; scikit-learn's one-flip form with fixed flips).
	BestEpoch  Spread `json:"held_out_best_epoch"`
	LastEpoch  int    `json:"last_epoch"`
	BestPLL    Spread `json:"held_out_best_pll"`
	LastPLL    Spread `json:"held_out_last_pll"`
	LastGapPLL Spread `json:"train_minus_held_out_last_pll"`
	// SnapshotEpochs are the epochs of the weight snapshots; PRMedian and
	// DiskMedian the median participation ratio and disk share of the
	// first-layer weights at each, over the replicas.
	SnapshotEpochs []int    `json:"snapshot_epochs"`
	PRMedian       []Spread `json:"pr_median"`
	DiskMedian     []Spread `json:"disk_share_median"`
	// Live is the share of live units at each snapshot epoch, DeadOn the
	// share of units dead and on; LiveBias and DeadBias the median hidden
	// bias, LiveMaxW and DeadMaxW the median largest |w| of the live and
	// the dead units (snapLocality); their means and ranges over the
	// replicas where the measure is defined, Values NaN for the others.
	Live     []Spread `json:"live_fraction"`
	DeadOn   []Spread `json:"dead_on_fraction"`
	LiveBias []Spread `json:"live_bias_median"`
	DeadBias []Spread `json:"dead_bias_median"`
	LiveMaxW []Spread `json:"live_max_abs_w_median"`
	DeadMaxW []Spread `json:"dead_max_abs_w_median"`
	// AfterOptimum compares the locality at the first snapshot at or
	// after the held-out optimum with the final one.
	AfterOptimum string `json:"after_optimum"`
}

// fixedPointOf gathers the fixed-point measures of one recipe's replicas.
func fixedPointOf(reps []netData) FixedPoint {
	var fp FixedPoint
	var best, bestV, lastV, gap []float64
	for _, nd := range reps {
		if nd.hist == nil || len(nd.hist.Layers) == 0 || len(nd.hist.Layers[0]) == 0 {
			continue
		}
		eps := nd.hist.Layers[0]
		b, bv := 0, math.Inf(-1)
		for _, e := range eps {
			if v := float64(e.PseudoLLVal); v > bv {
				b, bv = e.Epoch, v
			}
		}
		last := eps[len(eps)-1]
		fp.LastEpoch = last.Epoch
		best, bestV = append(best, float64(b)), append(bestV, bv)
		lastV = append(lastV, float64(last.PseudoLLVal))
		gap = append(gap, float64(last.PseudoLLTrain-last.PseudoLLVal))
	}
	fp.BestEpoch, fp.BestPLL, fp.LastPLL, fp.LastGapPLL = SpreadOf(best), SpreadOf(bestV), SpreadOf(lastV), SpreadOf(gap)
	if len(reps) == 0 {
		return fp
	}
	per := []struct {
		dst *[]Spread
		get func(s snapLocality) stats.Num
	}{
		{&fp.PRMedian, func(s snapLocality) stats.Num { return s.PRMedian }},
		{&fp.DiskMedian, func(s snapLocality) stats.Num { return s.DiskMedian }},
		{&fp.Live, func(s snapLocality) stats.Num { return s.Live }},
		{&fp.DeadOn, func(s snapLocality) stats.Num { return s.DeadOn }},
		{&fp.LiveBias, func(s snapLocality) stats.Num { return s.LiveBias }},
		{&fp.DeadBias, func(s snapLocality) stats.Num { return s.DeadBias }},
		{&fp.LiveMaxW, func(s snapLocality) stats.Num { return s.LiveMaxW }},
		{&fp.DeadMaxW, func(s snapLocality) stats.Num { return s.DeadMaxW }},
	}
	for i, sn := range reps[0].ana.Snapshots {
		fp.SnapshotEpochs = append(fp.SnapshotEpochs, sn.Epoch)
		for _, m := range per {
			// Values[r] is replica r's, as in every other Spread: a
			// replica without this snapshot, or whose measure is not
			// defined there (no live or no dead units, or a model file
			// from before the snapshots kept their biases), is NaN and
			// left out of N, the mean and the range (SpreadOf).
			vals := make([]float64, len(reps))
			for r, nd := range reps {
				vals[r] = math.NaN()
				if i < len(nd.ana.Snapshots) && nd.ana.Snapshots[i].Epoch == sn.Epoch {
					vals[r] = float64(m.get(nd.ana.Snapshots[i]))
				}
			}
			*m.dst = append(*m.dst, SpreadOf(vals))
		}
	}
	fp.AfterOptimum = afterOptimum(fp)
	return fp
}

// afterOptimum says whether the locality sharpened from the first snapshot
// at or after the mean held-out optimum to the last snapshot, and whether
// the change exceeds the seed spread.
func afterOptimum(fp FixedPoint) string {
	n := len(fp.SnapshotEpochs)
	if n == 0 || fp.BestEpoch.N == 0 {
		return "not measured"
	}
	opt := float64(fp.BestEpoch.Mean)
	i := n - 1
	for k, e := range fp.SnapshotEpochs {
		if float64(e) >= opt {
			i = k
			break
		}
	}
	if i == n-1 {
		return fmt.Sprintf("not measured: no snapshot between the held-out optimum (epoch %.0f on average) and the last snapshot (epoch %d)", opt, fp.SnapshotEpochs[n-1])
	}
	pr0, pr1, d0, d1 := fp.PRMedian[i], fp.PRMedian[n-1], fp.DiskMedian[i], fp.DiskMedian[n-1]
	// Changes of less than 1% count as none.
	rel := func(a, b Spread) int {
		switch d := (float64(b.Mean) - float64(a.Mean)) / math.Abs(float64(a.Mean)); {
		case d > 0.01:
			return 1
		case d < -0.01:
			return -1
		}
		return 0
	}
	dp, dd := rel(pr0, pr1), rel(d0, d1)
	// what the means do, as a finding and as a mere direction.
	what, mean := "changes in mixed directions", "moves in mixed directions"
	switch {
	case dp <= 0 && dd >= 0 && (dp < 0 || dd > 0):
		what, mean = "keeps sharpening", "sharpens"
	case dp >= 0 && dd <= 0 && (dp > 0 || dd < 0):
		what, mean = "loosens", "loosens"
	case dp == 0 && dd == 0:
		what, mean = "stays put (changes below 1%)", "stays put"
	}
	beyond := pr1.N >= 2 && pr0.N >= 2 && ((pr1.Max < pr0.Min) || (pr1.Min > pr0.Max)) && ((d1.Min > d0.Max) || (d1.Max < d0.Min))
	values := fmt.Sprintf("median PR %s at epoch %d -> %s at epoch %d, disk share %s -> %s",
		pr0.Short(), fp.SnapshotEpochs[i], pr1.Short(), fp.SnapshotEpochs[n-1], d0.Short(), d1.Short())
	switch {
	case pr0.N < 2:
		return fmt.Sprintf("locality %s after the held-out optimum (epoch %.0f on average): %s; one replica: no seed spread", what, opt, values)
	case !beyond:
		// A direction of the means inside the spread is not a finding.
		return fmt.Sprintf("no change of locality beyond the seed spread after the held-out optimum (epoch %.0f on average; the mean %s): %s; ranges overlap",
			opt, mean, values)
	}
	return fmt.Sprintf("locality %s after the held-out optimum (epoch %.0f on average): %s; beyond the seed spread (ranges do not overlap)", what, opt, values)
}

// fixedPointCharts draws the per-epoch pseudo-log-likelihoods of layer 1
// (training and held-out) and the locality per snapshot epoch, with the
// spread over seeds as bands.
func (r *replicator) fixedPointCharts(nets []netData) ([]report.Figure, error) {
	var pll, pr, disk, live []analysis.Series
	for _, name := range r.s.Networks {
		var reps []netData
		for _, nd := range nets {
			if nd.name == name {
				reps = append(reps, nd)
			}
		}
		for _, which := range []struct {
			label string
			get   func(e rbm.EpochStats) float64
		}{{"train", func(e rbm.EpochStats) float64 { return float64(e.PseudoLLTrain) }}, {"held-out", func(e rbm.EpochStats) float64 { return float64(e.PseudoLLVal) }}} {
			var xs []float64
			var vals [][]float64
			for _, nd := range reps {
				if nd.hist == nil || len(nd.hist.Layers) == 0 {
					continue
				}
				var row []float64
				for _, e := range nd.hist.Layers[0] {
					row = append(row, which.get(e)/float64(nd.sizes[0]))
					if len(vals) == 0 {
						xs = append(xs, float64(e.Epoch))
					}
				}
				vals = append(vals, row)
			}
			pll = append(pll, bandSeries(name+" "+which.label, xs, vals))
		}
		var xs []float64
		var prs, disks, lives [][]float64
		for _, nd := range reps {
			var p, d, l []float64
			for _, sn := range nd.ana.Snapshots {
				p, d, l = append(p, float64(sn.PRMedian)), append(d, float64(sn.DiskMedian)), append(l, float64(sn.Live))
				if len(prs) == 0 {
					xs = append(xs, float64(sn.Epoch))
				}
			}
			prs, disks, lives = append(prs, p), append(disks, d), append(lives, l)
		}
		pr, disk, live = append(pr, bandSeries(name, xs, prs)), append(disk, bandSeries(name, xs, disks)), append(live, bandSeries(name, xs, lives))
	}
	rt := replicasText(r.s)
	charts := []struct {
		file, title, ylabel, caption string
		series                       []analysis.Series
		logY                         bool
	}{
		{"fixedpoint_pll.png", "layer 1: pseudo-log-likelihood per unit, training vs held-out", "pseudo-LL / n_v", fmt.Sprintf("Pseudo-log-likelihood per visible unit of the first layer after every epoch on the monitored training rows and on the trainer's validation rows (never trained on); scikit-learn's one-flip form with fixed flips. Mean over %s, band: min to max; one colour per network, training solid, held-out dashed. The epoch where the held-out curve peaks is where training stops improving the model of unseen data.", rt), pll, false},
		{"fixedpoint_pr.png", "layer 1: median participation ratio per snapshot epoch", "median PR (sites)", fmt.Sprintf("Median over units of the participation ratio of the first-layer weights saved during training (smaller is more local). Mean over %s, band: min to max.", rt), pr, true},
		{"fixedpoint_disk.png", "layer 1: median disk share per snapshot epoch", "median disk share", fmt.Sprintf("Median over units of the share of w^2 within %.1f sites of each field's largest weight, for the first-layer weights saved during training (larger is more local). Mean over %s, band: min to max.", analysis.DefaultDiskRadius, rt), disk, false},
		{"fixedpoint_live.png", "layer 1: share of live units per snapshot epoch", "live share", fmt.Sprintf("Share of first-layer units that are live (standard deviation of p(h = 1 | v) of at least %v over the analysed configurations) under the weights and hidden biases saved during training: when units die. Mean over %s, band: min to max.", analysis.LiveSD, rt), live, false},
	}
	var figs []report.Figure
	for _, c := range charts {
		if _, err := report.LineChart(r.path("report/"+c.file), report.ChartSpec{Title: c.title, XLabel: "epoch", YLabel: c.ylabel, LogY: c.logY, Points: c.file != "fixedpoint_pll.png", Pairs: c.file == "fixedpoint_pll.png", Width: 16, Height: 10}, c.series); err != nil {
			return nil, err
		}
		figs = append(figs, report.Figure{File: c.file, Caption: c.caption})
	}
	return figs, nil
}
