package replicate

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Settings.RAISESamples (replicate -raise) adds reverse AIS on layer 1's
// held-out rows: only the eval stages' keys change, every replica's
// held-out evaluation carries it, summary.json has its spread, and on
// tiny networks whose Gibbs chains mix it agrees with AIS.
func TestReplicateRAISE(t *testing.T) {
	s := tinySettings()
	s.Networks, s.Seeds, s.TestN = []string{"sklearn", "mehta-schwab"}, 2, 300
	plain := Config{Settings: s, Version: "v"}
	with := plain
	with.Settings.RAISESamples = 40
	if stageKeyOf(t, plain, "eval/sklearn/d0-s0") == stageKeyOf(t, with, "eval/sklearn/d0-s0") {
		t.Error("-raise leaves the eval stage's key unchanged")
	}
	if stageKeyOf(t, plain, "train/sklearn/d0-s0") != stageKeyOf(t, with, "train/sklearn/d0-s0") {
		t.Error("-raise changes the training stage's key")
	}
	with.Out = t.TempDir()
	if err := Run(context.Background(), with); err != nil {
		t.Fatal(err)
	}
	sum := readSummary(t, with.Out)
	steps := s.AISSteps[0] + s.AISSteps[1] + s.AISSteps[2]
	for _, n := range s.Networks {
		for _, rep := range sum.Networks[n] {
			te := rep.Layers[0].Test
			if te == nil || te.RAISE == nil {
				t.Fatalf("%s %s: no held-out RAISE in %+v", n, rep.Replica, te)
			}
			ra := te.RAISE
			t.Logf("%s %s: held out AIS %.4f +- %.4f, RAISE %.4f +- %.4f", n, rep.Replica, float64(te.LogLik), float64(te.LogLikErr), float64(ra.LogLik), float64(ra.Err))
			if ra.Samples != 40 || ra.Steps != steps || !(ra.Err > 0) || math.Abs(float64(ra.LogLik+te.FreeEnergy+ra.LogZ)) > 1e-9*math.Abs(float64(ra.LogZ)) {
				t.Errorf("%s %s: RAISE %+v, held-out free energy %v", n, rep.Replica, *ra, te.FreeEnergy)
			}
			if d, tol := math.Abs(float64(ra.LogLik-te.LogLik)), 4*float64(ra.Err+te.LogLikErr)+0.05; d > tol {
				t.Errorf("%s %s: RAISE %v and AIS %v apart by %.3g, more than %.3g", n, rep.Replica, ra.LogLik, te.LogLik, d, tol)
			}
		}
		if sp := sum.Ensemble[n].Layers[0].TestLogLikRAISE; sp.N != 2 {
			t.Errorf("%s: test_loglik_raise %+v", n, sp)
		}
	}
	html, err := os.ReadFile(filepath.Join(with.Out, "report", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "by reverse AIS from 40 configurations") {
		t.Error("the report has no reverse-AIS row")
	}
}
