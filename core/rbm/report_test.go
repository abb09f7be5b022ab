package rbm

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/stats"
)

// IndependentWarning's two triggers, its fallback to the training
// samples, and silence for histories without the measures.
func TestIndependentWarningCases(t *testing.T) {
	nan := stats.Num(math.NaN())
	base := func() LayerSummary {
		return LayerSummary{Layer: 2, Epochs: 7, Last: EpochStats{
			PseudoLLVal: -100, PseudoLLIndepVal: -101, PseudoLLGainSEVal: 2, LogLikIndepVal: -100, LogLikCeilingVal: -50,
			PseudoLLTrain: -90, PseudoLLIndepTrain: -101, PseudoLLGainSETrain: 2, LogLikIndepTrain: -100, LogLikCeilingTrain: -50,
		}}
	}
	for _, tc := range []struct {
		name   string
		edit   func(*EpochStats)
		pcd    bool
		want   []string // substrings; none: no warning
		refute []string
	}{
		{"learned", func(*EpochStats) {}, false, nil, nil},
		{"within 3 SE", func(e *EpochStats) { e.PseudoLLVal = -106.9 }, false, nil, nil},
		{"pseudo-LL", func(e *EpochStats) { e.PseudoLLVal = -108 }, false,
			[]string{"layer 2: after epoch 7, on the validation samples", "7 +/- 2 nats below", "lower -lr"}, []string{"at most", "all-0", "-pcd"}},
		{"ceiling", func(e *EpochStats) { e.LogLikCeilingVal = -100.5 }, true,
			[]string{"at most -100.5", "below -100", "all-0", "bench/pcd"}, []string{"nats below", "lower -lr"}},
		{"both", func(e *EpochStats) { e.LogLikCeilingVal, e.PseudoLLVal = -120, -130 }, false, []string{"at most -120", "; and its pseudo-log-likelihood is 29 +/- 2"}, nil},
		{"no validation", func(e *EpochStats) {
			e.PseudoLLVal, e.PseudoLLIndepVal, e.PseudoLLGainSEVal, e.LogLikIndepVal, e.LogLikCeilingVal = nan, nan, nan, nan, nan
			e.PseudoLLTrain = -110
		}, false, []string{"on the training samples", "9 +/- 2"}, nil},
		{"old file", func(e *EpochStats) { e.PseudoLLVal, e.PseudoLLIndepVal, e.PseudoLLGainSEVal = -200, nan, nan }, false, nil, nil},
	} {
		s := base()
		tc.edit(&s.Last)
		msg := s.IndependentWarning(tc.pcd)
		if (msg != "") != (tc.want != nil) {
			t.Errorf("%s: warning %q", tc.name, msg)
		}
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: warning %q lacks %q", tc.name, msg, w)
			}
		}
		for _, w := range tc.refute {
			if strings.Contains(msg, w) {
				t.Errorf("%s: warning %q has %q", tc.name, msg, w)
			}
		}
	}
	// A history written before the measures existed reads them as NaN.
	var e EpochStats
	if err := json.Unmarshal([]byte(`{"layer":0,"epoch":3,"pseudo_ll_val":-12.5,"pseudo_ll_train":null}`), &e); err != nil {
		t.Fatal(err)
	}
	if e.Epoch != 3 || e.PseudoLLVal != -12.5 || !math.IsNaN(float64(e.PseudoLLTrain)) || !math.IsNaN(float64(e.PseudoLLIndepVal)) ||
		!math.IsNaN(float64(e.LogLikCeilingTrain)) || !math.IsNaN(float64(e.PseudoLLGainSEVal)) || !math.IsNaN(float64(e.LogLikIndepVal)) {
		t.Errorf("decoded %+v", e)
	}
	s := LayerSummary{Layer: 1, Epochs: 3, Last: e}
	if _, ok := s.Independent(); ok {
		t.Error("a history without the measures: Independent ok")
	}
}

// eval's warning when the ceiling is below independent units.
func TestEvalIndependentWarning(t *testing.T) {
	e := LayerEval{Layer: 1, LogLikCeiling: -1447.25, LogLikIndep: -1109.1}
	if msg := e.IndependentWarning(); !strings.Contains(msg, "layer 1: its log-likelihood is at most -1447.25") || !strings.Contains(msg, "338.2 nats below -1109.1") {
		t.Errorf("warning %q", msg)
	}
	for _, c := range []stats.Num{-1109.1, -900, stats.Num(math.NaN())} {
		e.LogLikCeiling = c
		if msg := e.IndependentWarning(); msg != "" {
			t.Errorf("ceiling %v: warning %q", c, msg)
		}
	}
	// A report written before loglik_indep reads it as NaN: no warning.
	var old LayerEval
	if err := json.Unmarshal([]byte(`{"layer":1,"loglik":-2100,"loglik_ceiling":-2000}`), &old); err != nil {
		t.Fatal(err)
	}
	if msg := old.IndependentWarning(); old.LogLikCeiling != -2000 || !math.IsNaN(float64(old.LogLikIndep)) || msg != "" {
		t.Errorf("report without loglik_indep: %+v, warning %q", old, msg)
	}
}

// The progress line shows the pseudo-likelihood's gain over independent
// units when the epoch has it.
func TestProgressString(t *testing.T) {
	pi := ProgressInfo{Layer: 0, Layers: 3, Epoch: 4, Epochs: 200, Stats: EpochStats{ReconTrain: 257.4,
		PseudoLLVal: -812, PseudoLLIndepVal: -1109, PseudoLLGainSEVal: 9.2, LogLikIndepVal: -1109, LogLikCeilingVal: -300}}
	if got, want := pi.String(), "layer 1/3 epoch 4/200 recon 257.4 pseudo-LL vs independent +297 +/- 9.2"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	nan := stats.Num(math.NaN())
	pi.Stats.PseudoLLIndepVal, pi.Stats.PseudoLLIndepTrain = nan, nan
	if got, want := pi.String(), "layer 1/3 epoch 4/200 recon 257.4"; got != want {
		t.Errorf("without the measures: got %q, want %q", got, want)
	}
}
