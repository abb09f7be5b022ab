package bitlattice

import (
	"math"
	"testing"
)

// TestWorkEstimate runs Sample on a grid of L and K (both sides of Kc, and
// Kc itself) and requires the model to bound what Sample measured and did:
// TauEstimate >= the time the spacing followed, WorkEstimate's spacing,
// equilibration and sweeps >= Sample's. Sample is deterministic for a
// seed, so the test is too; a model that errs low anywhere on the grid
// fails it (tauModelBelow = 0.75 fails at L = 32, K = Kc, tauModelAbove =
// 0.02 at L = 32, K = 0.45, tauModelFloor = 1 at L = 16, K = 0.25).
func TestWorkEstimate(t *testing.T) {
	Ls := []int{8, 16, 24, 32}
	if testing.Short() {
		Ls = Ls[:1]
	}
	Ks := []float64{0.25, 0.38, 0.408, 0.42, 0.43, 0.436, Kc, 0.445, 0.45, 0.47, 0.5, 0.6}
	for _, L := range Ls {
		for _, K := range Ks {
			const n, replicas = 600, 300
			res, err := Sample(Options{L: L, K: K, N: n, Replicas: replicas, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			w := WorkEstimate(L, K, n, replicas, 0)
			t.Logf("L = %2d K = %.4f: tau %7.1f model %7.1f (%.2fx); sweeps %6d model %6d (%.2fx)", L, K, res.TauSpacing, w.Tau, w.Tau/res.TauSpacing,
				res.TotalSweeps, w.Sweeps, float64(w.Sweeps)/float64(res.TotalSweeps))
			if !(w.Tau >= res.TauSpacing) || w.Spacing < int64(res.Spacing) || w.Equilibration < res.EquilibrationSweeps || w.Sweeps < res.TotalSweeps {
				t.Errorf("L = %d, K = %v: estimate %+v below the run's tau %.1f, spacing %d, equilibration %d, sweeps %d",
					L, K, w, res.TauSpacing, res.Spacing, res.EquilibrationSweeps, res.TotalSweeps)
			}
			if lanes := math.Ceil(replicas/256.0) * 256; w.Flips != float64(w.Sweeps)*lanes*float64(L*L) {
				t.Errorf("L = %d, K = %v: flips %v, want sweeps x %v lanes x sites", L, K, w.Flips, lanes)
			}
		}
	}
}

// TestTauEstimateCap: the model follows min(L, xi)^2.17 up to what the
// pilot can measure, 1/2 + 2^15/4 sweeps (the Sokal window is at most a
// quarter of the series, and rho <= 1), and no further.
func TestTauEstimateCap(t *testing.T) {
	if got := TauEstimate(100, Kc); got != 0.5+maxPilot/4 {
		t.Errorf("TauEstimate(100, Kc) = %v, want the cap %v", got, 0.5+maxPilot/4)
	}
	if got, want := TauEstimate(32, Kc), tauModel(32, Kc); got != want || want >= 0.5+maxPilot/4 {
		t.Errorf("TauEstimate(32, Kc) = %v, want the model's %v below the cap", got, want)
	}
	rho := make([]float64, 4*maxPilot)
	for i := range rho {
		rho[i] = 1
	}
	if tau, _, _ := IntegratedTime(rho[:maxPilot], SokalC); tau > TauEstimate(1000, Kc) {
		t.Errorf("IntegratedTime of a constant series of 2^15 = %v, above the cap %v", tau, TauEstimate(1000, Kc))
	}
}
