package replicate

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/stats"
)

func TestSpread(t *testing.T) {
	s := SpreadOf([]float64{1, 2, math.NaN(), 3})
	if s.N != 3 || s.Mean != 2 || s.Std != 1 || s.Min != 1 || s.Max != 3 || len(s.Values) != 4 {
		t.Errorf("spread %+v", s)
	}
	if one := SpreadOf([]float64{5}); one.N != 1 || !math.IsNaN(float64(one.Std)) || !strings.Contains(one.Text(), "n = 1") {
		t.Errorf("one value: %+v %q", one, one.Text())
	}
	a, b := SpreadOf([]float64{1, 2, 3}), SpreadOf([]float64{3.5, 4, 5})
	if c := compare("m", 1, "a", "b", a, b); !c.Finding || !strings.HasPrefix(c.Verdict, "finding") {
		t.Errorf("disjoint ranges: %+v", c)
	}
	if c := compare("m", 1, "a", "b", a, SpreadOf([]float64{2.5, 4, 5})); c.Finding {
		t.Errorf("overlapping ranges: %+v", c)
	}
	if c := compare("m", 1, "a", "b", SpreadOf([]float64{1}), SpreadOf([]float64{9})); c.Finding {
		t.Errorf("one replica each: %+v", c)
	}
}

// TestEnsembleRun runs a tiny three-seed replication of one recipe and
// checks that summary.json carries every replica and the spread over them.
func TestEnsembleRun(t *testing.T) {
	s := tinySettings()
	s.Networks, s.Seeds, s.TestN = []string{"weight-decay", "sklearn"}, 3, 300
	dir := t.TempDir()
	if err := Run(context.Background(), Config{Out: dir, Settings: s, Version: "test"}); err != nil {
		t.Fatal(err)
	}
	sum := readSummary(t, dir)
	for _, n := range s.Networks {
		reps, e := sum.Networks[n], sum.Ensemble[n]
		if len(reps) != 3 || len(e.Replicas) != 3 || reps[2].Replica != "d0-s2" {
			t.Fatalf("%s: %d replicas %v", n, len(reps), e.Replicas)
		}
		if reps[0].Config.Seed == reps[1].Config.Seed {
			t.Errorf("%s: two replicas trained with seed %d", n, reps[0].Config.Seed)
		}
		l1 := e.Layers[0]
		for what, sp := range map[string]Spread{"PR": l1.PRMedian, "held-out PLL": l1.TestPseudoLL, "held-out LL": l1.TestLogLik, "train PLL": l1.PseudoLL} {
			if sp.N != 3 || !(sp.Std > 0) || !(sp.Min <= sp.Mean && sp.Mean <= sp.Max) {
				t.Errorf("%s layer 1 %s: %+v", n, what, sp)
			}
		}
		if l1.PooledPR.N != 3*s.Layers[0] {
			t.Errorf("%s: pooled PR over %d units, want %d", n, l1.PooledPR.N, 3*s.Layers[0])
		}
		if ts := reps[0].Layers[0].Test; ts == nil || ts.Samples != s.TestN {
			t.Errorf("%s: held-out evaluation %+v", n, ts)
		}
		if len(e.FlowKEff) != s.FlowSteps+1 || len(e.FlowKEff[1][0].Values) != 3 {
			t.Errorf("%s: flow %+v", n, e.FlowKEff)
		}
	}
	if len(sum.Comparisons) == 0 || len(sum.TestSets) != 1 || sum.TestSets[0].N != s.TestN {
		t.Errorf("comparisons %d, test sets %+v", len(sum.Comparisons), sum.TestSets)
	}
	if sum.TestSets[0].Seed == sum.DataSets[0].Seed {
		t.Error("the test set shares the training data's seed")
	}
}

// Held-out log-likelihoods whose ranges do not overlap are a finding, unless
// an estimate and its 3-sigma lower bound are above its ceiling (then AIS
// missed part of Z beyond its error bars); an estimate above within its
// bounds leaves the verdict with a note.
func TestLogLikComparisonCeiling(t *testing.T) {
	// Estimates, their 3-sigma lower bounds (the estimate - 1) and ceilings.
	layer := func(ll, ceiling []float64) LayerEnsemble {
		lo := make([]float64, len(ll))
		for i, x := range ll {
			lo[i] = x - 1
		}
		return LayerEnsemble{Layer: 1, TestLogLik: SpreadOf(ll), TestLogLikLo: SpreadOf(lo), TestLogLikCeiling: SpreadOf(ceiling)}
	}
	find := func(a, b LayerEnsemble) Comparison {
		for _, c := range comparisons([]string{"a", "b"}, map[string]NetworkEnsemble{"a": {Layers: []LayerEnsemble{a}}, "b": {Layers: []LayerEnsemble{b}}}) {
			if c.Measure == "held-out log-likelihood" {
				return c
			}
		}
		t.Fatal("no log-likelihood comparison")
		return Comparison{}
	}
	below := layer([]float64{-960, -950}, []float64{-900, -900})
	if c := find(below, layer([]float64{-1100, -1090}, []float64{-1000, -1000})); !c.Finding || strings.Contains(c.Verdict, "ceiling") {
		t.Errorf("separated estimates below their ceilings: %+v", c)
	}
	c := find(below, layer([]float64{-1100, -1090}, []float64{-1000, -4000}))
	if c.Finding || !strings.Contains(c.Verdict, "1 of the 4 estimates is above its ceiling beyond its 3-sigma bounds") {
		t.Errorf("one estimate above its ceiling by 2910 nats: %+v", c)
	}
	// 0.5 nats above, the lower bound 0.5 below: the verdict stands, with
	// a note.
	c = find(below, layer([]float64{-1100, -1090}, []float64{-1000, -1090.5}))
	if !c.Finding || !strings.HasPrefix(c.Verdict, "finding") || !strings.Contains(c.Verdict, "1 of the 4 estimates is above its ceiling, within its 3-sigma bounds") {
		t.Errorf("one estimate above its ceiling within its bounds: %+v", c)
	}
	// A summary without lower bounds (lo empty) still counts the estimates
	// above their ceilings, none of them as beyond their bounds; one
	// without a ceiling for a replica does not count that replica.
	noLo := layer([]float64{-1100, -1090}, []float64{-1000, -1095})
	noLo.TestLogLikLo = Spread{}
	c = find(below, noLo)
	if !c.Finding || !strings.Contains(c.Verdict, "1 of the 4 estimates is above its ceiling, within its 3-sigma bounds") {
		t.Errorf("one estimate above its ceiling, no lower bounds: %+v", c)
	}
	short := layer([]float64{-1100, -1090}, []float64{-1000})
	if c := find(below, short); !c.Finding || strings.Contains(c.Verdict, "ceiling") {
		t.Errorf("the second replica has no ceiling: %+v", c)
	}
}

// TestCeilingWording: the verdict's verb and possessive follow the count.
func TestCeilingWording(t *testing.T) {
	if got := fmt.Sprintf("1 of the 4 estimates %s, within %s 3-sigma bounds", aboveCeilings(1), itsTheir(1)); got != "1 of the 4 estimates is above its ceiling, within its 3-sigma bounds" {
		t.Error(got)
	}
	if got := fmt.Sprintf("2 of the 4 estimates %s, within %s 3-sigma bounds", aboveCeilings(2), itsTheir(2)); got != "2 of the 4 estimates are above their ceilings, within their 3-sigma bounds" {
		t.Error(got)
	}
}

// belowIndependent pairs each replica's held-out ceiling with its own
// independent units' log-likelihood: as at K = 0.6 in bench/pcd (two of
// three persistent-CD models below -1109), and not across replicas.
func TestBelowIndependent(t *testing.T) {
	for _, c := range []struct {
		ceiling, indep []float64
		want           int
	}{
		{[]float64{-145.7, -2270.3, -2933.9}, []float64{-1108.9, -1108.8, -1109.0}, 2},
		{[]float64{-108.6, -106.8, -136.5}, []float64{-1108.9, -1108.8, -1109.0}, 0},
		// Replica 2's ceiling (-600) is below replica 1's indep (-400) but
		// not its own (-700): only replica 1 counts.
		{[]float64{-500, -600}, []float64{-400, -700}, 1},
		{[]float64{math.NaN(), -2000}, []float64{-1000, math.NaN()}, 0},
		{[]float64{-2000, -2000}, []float64{-1000}, 1},
	} {
		ceiling, indep := SpreadOf(c.ceiling), SpreadOf(c.indep)
		if got := belowIndependent(ceiling, indep); got != c.want {
			t.Errorf("ceilings %v, independent %v: %d below, want %d", c.ceiling, c.indep, got, c.want)
		}
		text := belowIndependentText(ceiling, indep)
		if want := fmt.Sprintf("%d of the %d replicas'", c.want, len(c.ceiling)); c.want > 0 && !strings.Contains(text, want) || c.want == 0 && text != "" {
			t.Errorf("ceilings %v, independent %v: text %q, want it to say %q (nothing when none)", c.ceiling, c.indep, text, want)
		}
	}
}

// trainingChecks reads every layer's last epoch as `isingrbm train` does
// (rbm.LayerSummary.IndependentWarning, with persistent CD's hint under
// PCD), leaves a layer without the measures unchecked, and the ensemble
// counts the warned replicas of each layer over the checked ones.
func TestTrainingChecks(t *testing.T) {
	nan := stats.Num(math.NaN())
	learned := rbm.EpochStats{PseudoLLVal: -100, PseudoLLIndepVal: -101, PseudoLLGainSEVal: 2, LogLikIndepVal: -100, LogLikCeilingVal: -50}
	worse := learned
	worse.LogLikCeilingVal = -120 // provably below independent units
	old := learned
	old.PseudoLLIndepVal, old.PseudoLLGainSEVal, old.LogLikIndepVal = nan, nan, nan
	old.PseudoLLIndepTrain, old.PseudoLLGainSETrain, old.LogLikIndepTrain, old.LogLikCeilingTrain = nan, nan, nan, nan
	h := &rbm.History{Layers: [][]rbm.EpochStats{{worse, learned}, {learned, worse}, {old}}}
	sizes := []int{16, 8, 4, 2}
	got := trainingChecks(h, sizes, &rbm.Config{PCD: true})
	if len(got) != 3 {
		t.Fatalf("%d checks, want 3: %+v", len(got), got)
	}
	if c := got[0]; c.Layer != 1 || !c.Checked || c.Set != "validation" || c.Warned || c.Warning != "" {
		t.Errorf("layer 1 (learned at its last epoch): %+v", c)
	}
	if c := got[1]; c.Layer != 2 || !c.Checked || !c.Warned || !strings.Contains(c.Warning, "layer 2: after epoch 2") || !strings.Contains(c.Warning, "-pcd") {
		t.Errorf("layer 2 (worse at its last epoch, PCD): %+v", c)
	}
	if c := got[2]; c.Layer != 3 || c.Checked || c.Warned {
		t.Errorf("layer 3 (a history without the measures): %+v", c)
	}
	if c := trainingChecks(h, sizes, &rbm.Config{}); strings.Contains(c[1].Warning, "-pcd") {
		t.Errorf("CD: %q names persistent CD", c[1].Warning)
	}
	if c := trainingChecks(nil, sizes, nil); c != nil {
		t.Errorf("no history: %+v", c)
	}

	// Three replicas: warned, not warned, unchecked (an old evaluation).
	rep := func(tc *TrainingCheck) NetworkSummary {
		return NetworkSummary{Layers: []layerSummary{{Layer: 1, Training: tc}}}
	}
	e := ensembleOf([]NetworkSummary{rep(&got[1]), rep(&got[0]), rep(nil)}, nil)
	w := e.Layers[0].TrainWarned
	if w.N != 2 || float64(w.Mean) != 0.5 || float64(w.Values[0]) != 1 || float64(w.Values[1]) != 0 || !math.IsNaN(float64(w.Values[2])) {
		t.Errorf("TrainWarned = %+v, want values 1, 0, NaN", w)
	}
	if s := trainWarnedText(w); s != "1 of 2 replicas (1 not checked: their histories lack the measures)" {
		t.Errorf("text %q", s)
	}
	if s := trainWarnedText(SpreadOf([]float64{0, 1, 1})); s != "2 of 3 replicas" {
		t.Errorf("text %q", s)
	}
}
