package bitlattice

import (
	"math"
	"testing"

	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"gonum.org/v1/gonum/stat/distuv"
)

// chiSquare returns the chi-square statistic and degrees of freedom of the
// observed counts against probabilities p (n samples in all), pooling the
// bins expected to hold fewer than 5 counts.
func chiSquare(obs map[int]int, values []int, p []float64, n int) (chi2 float64, dof int) {
	var poolE, poolO float64
	bins := 0
	for i, v := range values {
		e := p[i] * float64(n)
		o := float64(obs[v])
		delete(obs, v)
		if e < 5 {
			poolE += e
			poolO += o
			continue
		}
		chi2 += (o - e) * (o - e) / e
		bins++
	}
	for _, c := range obs { // values the exact distribution does not have
		poolO += float64(c)
	}
	if poolE > 0 || poolO > 0 {
		if poolE == 0 {
			return math.Inf(1), bins
		}
		chi2 += (poolO - poolE) * (poolO - poolE) / poolE
		bins++
	}
	return chi2, bins - 1
}

// TestHistogramsExactL4 compares the histograms of the total energy and of
// |M| of independent replicas at L = 4 with exact enumeration. Every replica
// contributes one sample per round, and rounds are 100 sweeps apart (tau_int
// is a few sweeps at L = 4), so the samples are independent and the
// chi-square statistic follows its distribution: a p-value below 1e-4 (about
// 3.7 standard errors) fails.
func TestHistogramsExactL4(t *testing.T) {
	const L, R, rounds = 4, 16384, 4
	for i, K := range []float64{0.2, 0.4407, 0.6} {
		dist, err := exact.Enumerate(L, K)
		if err != nil {
			t.Fatal(err)
		}
		l, err := NewLattice(L, R, uint64(100+i), K <= Kc)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Sweep(K, 500, 0); err != nil {
			t.Fatal(err)
		}
		hE, hM := map[int]int{}, map[int]int{}
		var e, m []float64
		for round := range rounds {
			if round > 0 {
				l.Sweep(K, 100, 0)
			}
			e, m = l.Observables(e, m, 0)
			for r := range R {
				hE[int(math.Round(e[r]*L*L))]++
				hM[int(math.Round(math.Abs(m[r])*L*L))]++
			}
		}
		n := R * rounds
		for _, c := range []struct {
			name   string
			h      map[int]int
			values []int
			p      []float64
		}{{"energy", hE, dist.Energies, dist.PEnergy}, {"|M|", hM, dist.AbsMs, dist.PAbsM}} {
			chi2, dof := chiSquare(c.h, c.values, c.p, n)
			pv := distuv.ChiSquared{K: float64(dof)}.Survival(chi2)
			t.Logf("K=%v %s: chi2 = %.1f, dof = %d, p = %.3g", K, c.name, chi2, dof, pv)
			if dof < 1 || pv < 1e-4 {
				t.Errorf("K=%v: %s histogram: chi2 = %.1f with %d dof, p = %.3g", K, c.name, chi2, dof, pv)
			}
		}
	}
}

// TestEnergyKaufman checks Sample's mean energy against the exact finite
// lattice value within 4 of its standard errors.
func TestEnergyKaufman(t *testing.T) {
	sizes := []int{16, 40}
	if testing.Short() { // for emulators: the smaller lattice only
		sizes = sizes[:1]
	}
	for _, L := range sizes {
		for i, K := range []float64{0.3, 0.408, 0.4407, 0.5} {
			res, err := Sample(Options{L: L, K: K, N: 2048, Replicas: 512, Seed: uint64(7 + i + L)})
			if err != nil {
				t.Fatal(err)
			}
			want := exact.Energy(L, K)
			z := (res.Energy - want) / res.EnergyErr
			t.Logf("L=%d K=%v: u = %.5f +- %.5f, exact %.5f (z = %+.2f); tau_E = %.1f, tau_|m| = %.1f, eq = %d, spacing = %d",
				L, K, res.Energy, res.EnergyErr, want, z, res.TauEnergy, res.TauAbsM, res.EquilibrationSweeps, res.Spacing)
			if !(math.Abs(z) < 4) || !res.TauOK {
				t.Errorf("L=%d K=%v: u = %.5f +- %.5f, exact %.5f (%.1f sigma), tau ok = %v", L, K, res.Energy, res.EnergyErr, want, z, res.TauOK)
			}
			if res.EquilibrationSweeps < int64(20*math.Max(res.TauEnergy, res.TauAbsM)) || res.EquilibrationSweeps < int64(EquilibrationFloor(L)) {
				t.Errorf("L=%d K=%v: %d equilibration sweeps, tau %.1f, floor %d", L, K, res.EquilibrationSweeps, math.Max(res.TauEnergy, res.TauAbsM), EquilibrationFloor(L))
			}
		}
	}
}

// TestTauAtCritical checks the premise of the equilibration floor: at K_c
// the measured integrated times stay below FloorA * L^2.17 (and are not
// absurdly small, which would make the check empty).
func TestTauAtCritical(t *testing.T) {
	const L = 16
	res, err := Sample(Options{L: L, K: Kc, N: 1024, Replicas: 1024, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	tau := math.Max(res.TauEnergy, res.TauAbsM)
	bound := FloorA * math.Pow(L, FloorZ)
	t.Logf("L=%d K_c: tau_E = %.2f, tau_|m| = %.2f, bound %.2f", L, res.TauEnergy, res.TauAbsM, bound)
	if !res.TauOK || tau > bound || tau < bound/3 {
		t.Errorf("tau at K_c = %.2f (ok %v), want within [%.2f, %.2f]", tau, res.TauOK, bound/3, bound)
	}
}

// TestIntegratedTimeAR1 checks the windowed estimator on AR(1) series
// x' = phi x + noise, whose integrated time is (1+phi)/(2(1-phi)).
func TestIntegratedTimeAR1(t *testing.T) {
	g := rng.New(5)
	for _, phi := range []float64{0, 0.5, 0.9, 0.97} {
		const R, T = 200, 4000
		series := make([][]float32, R)
		for r := range series {
			x := g.NormFloat64() / math.Sqrt(1-phi*phi)
			series[r] = make([]float32, T)
			for i := range series[r] {
				series[r][i] = float32(x)
				x = phi*x + g.NormFloat64()
			}
		}
		tau, w, ok := integratedTime(series)
		want := (1 + phi) / (2 * (1 - phi))
		// The windowed estimator's bias is about -exp(-c) relative plus the
		// tail; its statistical error here is below 2%. Allow 6%.
		if !ok || math.Abs(tau/want-1) > 0.06 {
			t.Errorf("phi=%v: tau = %.3f (window %d, ok %v), want %.3f", phi, tau, w, ok, want)
		}
	}
}

// TestObservables compares the bit-sliced counts with a direct computation
// from the configurations.
func TestObservables(t *testing.T) {
	for _, L := range []int{2, 3, 5, 16} {
		l, err := NewLattice(L, 700, uint64(L), true)
		if err != nil {
			t.Fatal(err)
		}
		// Bias some replicas towards order so that large counts occur.
		for r := 0; r < l.Replicas; r += 3 {
			c := l.Config(r, nil)
			for s := range c {
				if s%(r%5+1) != 0 {
					c[s] = uint8(r % 2)
				}
			}
			l.SetConfig(r, c)
		}
		e, m := l.Observables(nil, nil, 2)
		for r := range l.Replicas {
			c := l.Config(r, nil)
			spin := func(x, y int) int { return 2*int(c[((y+L)%L)*L+(x+L)%L]) - 1 }
			var bonds, mag int
			for y := range L {
				for x := range L {
					bonds += spin(x, y) * (spin(x+1, y) + spin(x, y+1))
					mag += spin(x, y)
				}
			}
			n := float64(L * L)
			if e[r] != -float64(bonds)/n || m[r] != float64(mag)/n {
				t.Fatalf("L=%d replica %d: (u, m) = (%v, %v), direct (%v, %v)", L, r, e[r], m[r], -float64(bonds)/n, float64(mag)/n)
			}
		}
	}
}

func TestStartConfigurations(t *testing.T) {
	const L, R = 6, 1000
	cold, _ := NewLattice(L, R, 9, false)
	hot, _ := NewLattice(L, R, 9, true)
	_, mc := cold.Observables(nil, nil, 0)
	eh, mh := hot.Observables(nil, nil, 0)
	ups := 0
	var sumE, sumM float64
	for r := range R {
		if math.Abs(mc[r]) != 1 {
			t.Fatalf("cold replica %d has m = %v", r, mc[r])
		}
		if mc[r] > 0 {
			ups++
		}
		sumE += eh[r]
		sumM += mh[r]
	}
	// Binomial(1000, 1/2): sd 15.8; 4 sd.
	if math.Abs(float64(ups)-R/2) > 4*15.8 {
		t.Errorf("cold start: %d of %d replicas up", ups, R)
	}
	// Random start: u and m have mean 0 and sd sqrt(2/N), 1/sqrt(N) per replica.
	n := float64(L * L)
	if math.Abs(sumE/R) > 4*math.Sqrt(2/n/R) || math.Abs(sumM/R) > 4/math.Sqrt(n*R) {
		t.Errorf("hot start: mean u = %v, mean m = %v", sumE/R, sumM/R)
	}
}
