package replicate

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/stats"
)

// estimateSummary is a summary of one recipe "a" with two replicas of
// three layers: layer 1's log Z from AIS (standard errors 0.3 and 0.1; the
// first replica's Z^ - 3 sigma <= 0), layer 2's exact (its DBN bound's
// error from the draws only), layer 3's from AIS.
func estimateSummary() *Summary {
	s := QuickSettings()
	s.Networks = []string{"a"}
	s.Seeds = 2
	sum := &Summary{Settings: s, Networks: map[string][]NetworkSummary{}, Ensemble: map[string]NetworkEnsemble{}}
	nan := stats.Num(math.NaN())
	for i, e := range []float64{0.3, 0.1} {
		ns := NetworkSummary{Preset: "a", Replica: []string{"d0-s0", "d0-s1"}[i], Config: &rbm.Config{ValidationFraction: 0.1}}
		l1 := rbm.LayerEval{LogLikMethod: "ais", LogLik: -136, LogLikErr: stats.Num(e), LogLikLo: -137, LogLikHi: -135.5}
		if i == 0 {
			l1.LogLikHi = nan
		}
		t1 := l1
		t1.LogLik, t1.LogLikLo = -140, -141
		ns.Layers = append(ns.Layers, layerSummary{Layer: 1, Eval: l1, Test: &t1})
		for k, method := range []string{"exact", "ais"} {
			ev := rbm.LayerEval{LogLikMethod: method, LogLik: -30}
			ns.Layers = append(ns.Layers, layerSummary{Layer: k + 2, Eval: ev, Test: &ev,
				Bound: &BoundEval{Depth: k + 2, Train: -124, TrainErr: stats.Num(0.5 + float64(i)), Test: -128, TestErr: stats.Num(0.6 + float64(i))}})
		}
		sum.Networks["a"] = append(sum.Networks["a"], ns)
	}
	sum.Ensemble["a"] = ensembleOf(sum.Networks["a"], nil)
	return sum
}

// TestEstimateErrors: the report shows every log-likelihood and DBN bound
// with its own standard error (the largest over the replicas in the
// overview and the comparisons, every replica's in the full table), kept
// apart from the spread over seeds and named by its source.
func TestEstimateErrors(t *testing.T) {
	sum := estimateSummary()
	for _, c := range []struct {
		k    int
		test bool
		want string
	}{
		{1, false, " (AIS ±0.3)"}, {1, true, " (AIS ±0.3)"},
		{2, false, " (draws ±1.5)"}, {2, true, " (draws ±1.6)"},
		{3, false, " (draws+AIS ±1.5)"},
	} {
		if got := estimateNote(sum, "a", c.k, c.test); got != c.want {
			t.Errorf("layer %d test %v: note %q, want %q", c.k, c.test, got, c.want)
		}
	}
	if got, want := estimateList(sum, "a", 1, false), "; AIS s.e. per replica 0.3, 0.1"; got != want {
		t.Errorf("list %q, want %q", got, want)
	}
	if got, want := aisBoundsText(sum, "a"), "d0-s0 [-137, +Inf) / [-141, +Inf); d0-s1 [-137, -135.5] / [-141, -135.5]"; got != want {
		t.Errorf("bounds %q, want %q", got, want)
	}
	// An exact layer-1 log Z says so instead of an error.
	exact := estimateSummary()
	for i := range exact.Networks["a"] {
		exact.Networks["a"][i].Layers[0].Eval.LogLikMethod = "exact"
	}
	if got := estimateNote(exact, "a", 1, false); got != " (log Z exact)" {
		t.Errorf("exact: note %q", got)
	}
	// The README block: layer 1's one log Z error once, a bound's training
	// and held-out errors both, an exact log Z named.
	for _, c := range []struct {
		sum  *Summary
		k    int
		want string
	}{
		{sum, 1, " (AIS s.e. <= 0.3)"}, {sum, 2, " (draws s.e. <= 1.5 / 1.6)"}, {sum, 3, " (draws+AIS s.e. <= 1.5 / 1.6)"},
		{exact, 1, " (log Z exact)"},
	} {
		if got := readmeEstimateErr(c.sum, "a", c.k); got != c.want {
			t.Errorf("README layer %d: %q, want %q", c.k, got, c.want)
		}
	}

	sec := overviewSection(sum)
	over := sec.Tables[0]
	ll := len(over.Header) - 2
	if over.Header[ll] != "log p(v) train" {
		t.Fatalf("overview header %q", over.Header)
	}
	l := sum.Ensemble["a"].Layers[0]
	if got, want := over.Rows[0][ll], l.LogLik.Short()+" (AIS ±0.3)"; got != want {
		t.Errorf("overview layer 1 log p(v): %q, want %q (the seed spread, then the AIS error)", got, want)
	}
	if !strings.Contains(over.Rows[0][ll], " +- ") {
		t.Errorf("overview layer 1 log p(v) %q: the spread over seeds is gone", over.Rows[0][ll])
	}
	if got := over.Rows[1][ll+1]; !strings.HasPrefix(got, "bound ") || !strings.HasSuffix(got, " (draws ±1.6)") {
		t.Errorf("overview layer 2 held-out bound %q", got)
	}
	if !strings.Contains(over.Caption, "one sigma of the AIS estimate of log Z") {
		t.Error("the overview's caption does not say what the ± after a log-likelihood is")
	}
	full := sec.Tables[1]
	found := false
	for _, r := range full.Rows {
		if strings.HasPrefix(r[2], "log-likelihood, training rows") {
			found = true
			if want := l.LogLik.Text() + "; AIS s.e. per replica 0.3, 0.1"; r[3] != want {
				t.Errorf("full table: %q, want %q", r[3], want)
			}
		}
	}
	if !found {
		t.Error("the full table has no training-row log-likelihood")
	}
	cmp := comparisonSection(&Summary{Settings: sum.Settings, Networks: sum.Networks, Ensemble: sum.Ensemble,
		Comparisons: []Comparison{{Measure: "held-out log-likelihood", Layer: 1, A: "a", B: "a"}}})
	if got := cmp.Tables[0].Rows[0][4]; got != l.TestLogLik.Text()+" (AIS ±0.3)" {
		t.Errorf("comparison cell %q", got)
	}
}

// TestComparedSpread: the comparison table shows, for every measure that
// comparisons compares, that measure's spread (the surrogate local
// fraction showed the block spin's), and for a measure it does not know
// none, not the block spin's.
func TestComparedSpread(t *testing.T) {
	bs := Spread{N: 1, Mean: 0.5}
	sum := &Summary{Settings: Settings{Networks: []string{"a", "b"}}, Ensemble: map[string]NetworkEnsemble{}}
	for i, n := range sum.Settings.Networks {
		var e NetworkEnsemble
		for k := 1; k <= 2; k++ {
			// Every spread its own value, b's twice a's, so that every
			// measure's a - b differs and a spread read for the wrong
			// measure shows.
			l := LayerEnsemble{Layer: k}
			v := reflect.ValueOf(&l).Elem()
			for f := 0; f < v.NumField(); f++ {
				if sp, ok := v.Field(f).Addr().Interface().(*Spread); ok {
					*sp = SpreadOf([]float64{float64((i + 1) * (10*k + f + 1))})
				}
			}
			if k == 1 {
				l.BlockSpin = []BlockSpinEnsemble{{B: 2, AbsCorrMedian: bs}}
			}
			e.Layers = append(e.Layers, l)
		}
		sum.Ensemble[n] = e
	}
	for _, c := range comparisons(sum.Settings.Networks, sum.Ensemble) {
		sa := comparedSpread(sum, c.A, c)
		sb := comparedSpread(sum, c.B, c)
		if float64(c.Diff) != float64(sa.Mean)-float64(sb.Mean) {
			t.Errorf("%s, layer %d: the table shows %s and %s, the comparison's difference is %v", c.Measure, c.Layer, sa.Text(), sb.Text(), c.Diff)
		}
	}
	if got := comparedSpread(sum, "a", Comparison{Measure: "a measure added later", Layer: 1}); got.N != 0 {
		t.Errorf("unknown measure: %+v, want no spread", got)
	}
}

// TestPhysicsRowsText: the physics section says which configurations
// depth 0 is: a seeded subset of each replica's training data set, or all
// of it.
func TestPhysicsRowsText(t *testing.T) {
	sum := estimateSummary()
	sum.Settings.N, sum.Settings.AnalysisSamples = 2000, 1000
	got := physicsRowsText(sum)
	for _, want := range []string{"1000 rows of the training data set of the replica's data seed", "the 2000 configurations given to its trainer",
		"a seeded 10% out for validation", "without replacement", "seeded from the replica's own analysis seed", "kept in data order"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	sum.Settings.AnalysisSamples = 5000
	if got := physicsRowsText(sum); !strings.HasPrefix(got, "all of the training data set") || strings.Contains(got, "without replacement") {
		t.Errorf("all rows: %q", got)
	}
	if got := physicsSection(sum, nil).Text; !strings.HasPrefix(got, "The Monte Carlo configurations (depth 0) are all of the training data set") {
		t.Errorf("section text %q", got)
	}
}

// The report's recipe line names what sets a preset apart: persistent CD
// and its decaying step, the centered RBM, the flip move.
func TestNetworkTextNamesRecipe(t *testing.T) {
	for name, want := range map[string][]string{
		"mehta-schwab":                  {"CD-1, ", "learning rate 0.1, ", "L1 penalty 0.0002"},
		"mehta-schwab-pcd":              {"PCD-1 whose chains keep the visible probabilities P(v|h) (a mean-field step, not a Gibbs chain of the model), ", "learning rate 0.01 decayed linearly over the epochs", "L1 penalty 0.0002"},
		"weight-decay-pcd":              {"PCD-1 whose chains keep the visible probabilities", "learning rate 0.01 decayed linearly over the epochs", "L2 weight decay 0.0002"},
		"mehta-schwab-centered":         {"the centered RBM, CD-1"},
		"mehta-schwab-centered-running": {"the centered RBM with running hidden offsets (sliding factor 0.01), CD-1"},
		"mehta-schwab-flip":             {"CD-1 with the flip move"},
		"sklearn":                       {"PCD-1 with Gibbs chains (visibles sampled), ", "(the same batches every epoch)", "no regularization"},
	} {
		c, err := rbm.Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		got := networkText(name, &c, []int{1600, 400})
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q does not say %q", name, got, w)
			}
		}
		if name == "mehta-schwab" && (strings.Contains(got, "flip") || strings.Contains(got, "decayed") || strings.Contains(got, "centered")) {
			t.Errorf("mehta-schwab: %q names a setting it does not have", got)
		}
	}
}
