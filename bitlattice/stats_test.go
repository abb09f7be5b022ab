package bitlattice

import (
	"fmt"
	"math"
	"testing"

	"github.com/isingrbm/isingrbm/asm/ising"
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

// generators lists the kinds of update streams the statistical tests run.
var generators = []ising.Generator{ising.Xoshiro256pp, ising.SFC64}

// TestHistogramsExactL4 compares the histograms of the total energy and of
// |M| of independent replicas at L = 4 with exact enumeration, for each
// generator at a high-temperature, a near-critical and a low-temperature
// coupling. Every replica contributes one sample per round, and rounds are
// 100 sweeps apart (tau_int is a few sweeps at L = 4), so the samples are
// independent and the chi-square statistic follows its distribution: a
// p-value below 1e-4 (about 3.7 standard errors) fails.
func TestHistogramsExactL4(t *testing.T) {
	const L, R, rounds = 4, 16384, 4
	for g, gen := range generators {
		for i, K := range []float64{0.2, 0.4407, 0.6} {
			dist, err := exact.Enumerate(L, K)
			if err != nil {
				t.Fatal(err)
			}
			l, err := NewLatticeGen(L, R, uint64(100+10*g+i), K <= Kc, gen)
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
					if err := l.Sweep(K, 100, 0); err != nil {
						t.Fatal(err)
					}
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
				t.Logf("%v K=%v %s: chi2 = %.1f, dof = %d, p = %.3g", gen, K, c.name, chi2, dof, pv)
				if dof < 1 || pv < 1e-4 {
					t.Errorf("%v K=%v: %s histogram: chi2 = %.1f with %d dof, p = %.3g", gen, K, c.name, chi2, dof, pv)
				}
			}
		}
	}
}

// TestEnergyKaufman checks Sample's mean energy and specific heat against
// the exact finite-lattice values (Kaufman) for each generator, at a
// high-temperature coupling, two near-critical ones and a low-temperature
// one, within 4 of their standard errors. The energy's error is Sample's
// (from the spread of the chains' sums); the specific heat
// K^2 N (<u^2> - <u>^2) is recomputed from the returned configurations,
// must equal Result.SpecificHeat, and has its error from a jackknife over
// the chains.
//
// The error bars the z-tests divide by are checked too (checkErrorBar):
// EnergyErr and AbsMErr against batch means recomputed from the
// configurations, and EnergyErr against its exact floor.
func TestEnergyKaufman(t *testing.T) {
	for g, gen := range generators {
		sizes := []int{16, 40}
		// For emulators the smaller lattice only; under the race detector,
		// which slows the sampler's Go code, SFC64 (whose sampling differs
		// from xoshiro256++'s only in the kernels' streams) too.
		if testing.Short() || raceEnabled && gen != ising.Xoshiro256pp {
			sizes = sizes[:1]
		}
		for _, L := range sizes {
			for i, K := range []float64{0.3, 0.408, 0.4407, 0.5} {
				const R = 512
				res, err := Sample(Options{L: L, K: K, N: 2048, Replicas: R, Seed: uint64(7 + i + L + 1000*g), Generator: gen})
				if err != nil {
					t.Fatal(err)
				}
				want := exact.Energy(L, K)
				z := (res.Energy - want) / res.EnergyErr
				if !(math.Abs(z) < 4) || !res.TauOK {
					t.Errorf("%v L=%d K=%v: u = %.5f +- %.5f, exact %.5f (%.1f sigma), tau ok = %v", gen, L, K, res.Energy, res.EnergyErr, want, z, res.TauOK)
				}
				if res.EquilibrationSweeps < int64(20*math.Max(res.TauEnergy, res.TauAbsM)) || res.EquilibrationSweeps < int64(EquilibrationFloor(L)) {
					t.Errorf("%v L=%d K=%v: %d equilibration sweeps, tau %.1f, floor %d", gen, L, K, res.EquilibrationSweeps, math.Max(res.TauEnergy, res.TauAbsM), EquilibrationFloor(L))
				}
				u, am := sampleObservables(res.Configs, L)
				c, cErr := varianceJackknife(u, R, K*K*float64(L*L))
				wantC := exact.SpecificHeat(L, K)
				zc := (c - wantC) / cErr
				t.Logf("%v L=%d K=%v: u = %.5f +- %.5f, exact %.5f (z = %+.2f); c = %.4f +- %.4f, exact %.4f (z = %+.2f); tau_E = %.1f, tau_|m| = %.1f, eq = %d, spacing = %d",
					gen, L, K, res.Energy, res.EnergyErr, want, z, c, cErr, wantC, zc, res.TauEnergy, res.TauAbsM, res.EquilibrationSweeps, res.Spacing)
				if math.Abs(c-res.SpecificHeat) > 1e-9*c {
					t.Errorf("%v L=%d K=%v: specific heat from the configurations %v, Result.SpecificHeat %v", gen, L, K, c, res.SpecificHeat)
				}
				if !(math.Abs(zc) < 4) {
					t.Errorf("%v L=%d K=%v: c = %.4f +- %.4f, exact %.4f (%.1f sigma)", gen, L, K, c, cErr, wantC, zc)
				}
				label := fmt.Sprintf("%v L=%d K=%v", gen, L, K)
				// Var(u) = Var(E)/N^2 = c/(K^2 N) exactly (Kaufman).
				checkErrorBar(t, label, "u", u, R, res.Energy, res.EnergyErr, wantC/(K*K*float64(L*L)))
				checkErrorBar(t, label, "|m|", am, R, res.AbsM, res.AbsMErr, math.NaN())
			}
		}
	}
}

// errBatches is the number of batch means checkErrorBar estimates a
// standard error from.
const errBatches = 64

// checkErrorBar checks a standard error Sample reported (the mean of x is
// mean +- se; x[i] comes from chain i % R as in Result.Configs, every chain
// with the same number of samples) in two ways, each within 4 relative
// standard errors of the estimates involved.
//
// The relative error of a standard deviation estimated from m independent
// values of kurtosis kappa is sqrt((kappa-1)/(4m)), 1/sqrt(2m) for normal
// ones (kappa = 3). kappa is measured on the R chain sums, since |m| on a
// small lattice is far from normal; a sum of k chains has excess kurtosis
// (kappa-3)/k.
//
// Batch means: the R chains are independent, so the means of errBatches
// batches of R/errBatches consecutive chains are independent and close to
// normal (32 samples each in TestEnergyKaufman, 128 in
// TestSampleSmallExact), and their standard deviation over
// sqrt(errBatches) estimates the standard error with a relative error of
// 1/sqrt(2(B-1)) = 0.089 for B = 64 normal batch means. Sample's own
// estimate (from the R chains' sums, 1/sqrt(2(R-1)) = 0.031 for R = 512)
// is correlated with it, which only narrows the spread of their ratio (var
// ln ratio = 1/(2(B-1)) - 1/(2(R-1)) for normal values). So |ln(se/batch)|
// must stay below 4 batch relative errors: 0.357 for normal batch means,
// the ratio in [0.70, 1.43] (wider for |m|: [0.64, 1.56] at worst in
// these tests), so that an error bar off by a factor of 2 fails.
//
// Exact floor: if varX (the exact variance of one sample) is not NaN, the
// standard error cannot be below that of independent samples,
// sqrt(varX/n) for n samples, since a Metropolis chain's correlations at
// the sampling lags are positive (the ratio is 0.98-1.07 in these tests,
// the samples being 2 tau_int apart or more). Sample's estimate has the
// relative error of a standard deviation of the R chain sums; se must be
// at least 1 - 4 such errors times the floor (0.87 for R = 512 normal
// sums).
//
// Heavy tails would widen both tolerances; a check that has become too
// weak to catch an error bar off by a factor of 2 fails too.
func checkErrorBar(t *testing.T, label, name string, x []float64, R int, mean, se, varX float64) {
	t.Helper()
	n := len(x)
	if R%errBatches != 0 || n%R != 0 {
		t.Fatalf("%s: %d samples of %d chains do not split into %d equal batches", label, n, R, errBatches)
	}
	chains := R / errBatches // a batch
	sums := make([]float64, R)
	var total float64
	for i, v := range x {
		sums[i%R] += v
		total += v
	}
	total /= float64(n)
	if math.Abs(total-mean) > 1e-12 {
		t.Errorf("%s: %s = %v from the configurations, Result %v", label, name, total, mean)
	}
	// The kurtosis of the chain sums.
	var m2, m4 float64
	for _, v := range sums {
		d := v - total*float64(n/R)
		m2 += d * d
		m4 += d * d * d * d
	}
	kappa := m4 * float64(R) / (m2 * m2)
	relErr := func(kappa float64, m int) float64 { return math.Sqrt((kappa - 1) / (4 * float64(m))) }

	var bm [errBatches]float64
	for r, v := range sums {
		bm[r/chains] += v
	}
	var ss float64
	for _, v := range bm {
		d := v/float64(n/errBatches) - total
		ss += d * d
	}
	batch := math.Sqrt(ss / (errBatches - 1) / errBatches)
	tol := 4 * relErr(3+(kappa-3)/float64(chains), errBatches-1)
	if tol > math.Log(1.6) {
		t.Errorf("%s: %s: batch means too few or too heavy-tailed (kurtosis %.1f) to check the error bar", label, name, kappa)
	}
	ratio := se / batch
	msg := fmt.Sprintf("%s: %s error %.3g, batch means %.3g (ratio %.3f, allowed [%.3f, %.3f]; kurtosis of the chain sums %.2f)",
		label, name, se, batch, ratio, math.Exp(-tol), math.Exp(tol), kappa)
	if !(math.Abs(math.Log(ratio)) < tol) {
		t.Error(msg + ": the error bar disagrees with the batch means")
	}
	if math.IsNaN(varX) {
		t.Log(msg)
		return
	}
	floor := math.Sqrt(varX / float64(n))
	low := 1 - 4*relErr(kappa, R)
	if low < 0.75 {
		t.Errorf("%s: %s: chain sums too few or too heavy-tailed (kurtosis %.1f) for the exact floor", label, name, kappa)
	}
	msg += fmt.Sprintf("; exact floor %.3g (ratio %.3f, allowed >= %.3f)", floor, se/floor, low)
	t.Log(msg)
	if !(se >= low*floor) {
		t.Errorf("%s: %s error %.3g below the exact floor %.3g for independent samples (ratio %.3f < %.3f)", label, name, se, floor, se/floor, low)
	}
}

// configEnergy returns the energy per spin of the L x L configuration c
// (1 = up).
func configEnergy(c []uint8, L int) float64 {
	anti := 0
	for y := range L {
		row, down := c[y*L:(y+1)*L], c[(y+1)%L*L:][:L]
		left := row[L-1]
		for x, s := range row {
			anti += int(s^left) + int(s^down[x])
			left = s
		}
	}
	n := L * L
	return float64(2*anti-2*n) / float64(n)
}

// configAbsM returns |m|, the absolute magnetization per spin, of the
// configuration c (1 = up).
func configAbsM(c []uint8) float64 {
	up := 0
	for _, s := range c {
		up += int(s)
	}
	return math.Abs(float64(2*up-len(c))) / float64(len(c))
}

// sampleObservables returns the energy and |m| per spin of each L x L
// configuration of configs, computed directly from the spins.
func sampleObservables(configs []uint8, L int) (u, am []float64) {
	n := L * L
	N := len(configs) / n
	u, am = make([]float64, N), make([]float64, N)
	for i := range N {
		c := configs[i*n : (i+1)*n]
		u[i], am[i] = configEnergy(c, L), configAbsM(c)
	}
	return u, am
}

// varianceJackknife returns v = scale (<x^2> - <x>^2) over the samples x
// (sample i from chain i % R, as Result.Configs) and its standard error
// from the delete-one-chain jackknife, which accounts for the correlation
// of a chain's samples. With x = u and scale = K^2 N it is the specific
// heat, with x = |m| and scale = K N the susceptibility.
func varianceJackknife(x []float64, R int, scale float64) (v, err float64) {
	N := len(x)
	s1, s2, cnt := make([]float64, R), make([]float64, R), make([]float64, R)
	var t1, t2 float64
	for i, xi := range x {
		s1[i%R] += xi
		s2[i%R] += xi * xi
		cnt[i%R]++
		t1 += xi
		t2 += xi * xi
	}
	variance := func(a, b, m float64) float64 { return scale * (b/m - (a/m)*(a/m)) }
	v = variance(t1, t2, float64(N))
	jk := make([]float64, R)
	var mean float64
	for r := range R {
		jk[r] = variance(t1-s1[r], t2-s2[r], float64(N)-cnt[r])
		mean += jk[r] / float64(R)
	}
	var ss float64
	for _, w := range jk {
		ss += (w - mean) * (w - mean)
	}
	return v, math.Sqrt(ss * float64(R-1) / float64(R))
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
		tau, w, ok := integratedTime(series, false)
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
	cold, err := NewLattice(L, R, 9, false)
	if err != nil {
		t.Fatal(err)
	}
	hot, err := NewLattice(L, R, 9, true)
	if err != nil {
		t.Fatal(err)
	}
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

// TestSpacingFollowsSignedM checks that the samples of one chain are spaced
// by the slowest of the three integrated times for K <= K_c, where the
// signed magnetization m relaxes several times slower than |m| and u (at
// L = 16, K = 0.42: about 64 sweeps against 10 and 6), and that two
// consecutive samples of one chain are then nearly uncorrelated in m: for
// samples 2 tau_int apart about exp(-2) = 0.14, where the spacing of |m|
// and u alone left 0.74 here. The bound 0.25 is 6 standard errors of the
// correlation of 3,072 pairs (0.018) above exp(-2), fixed seed. Above K_c a
// chain keeps its starting sign, and the spacing follows u and |m| only.
func TestSpacingFollowsSignedM(t *testing.T) {
	const L, R, rounds = 16, 1024, 4
	res, err := Sample(Options{L: L, K: 0.42, N: R * rounds, Replicas: R, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	slowest := math.Max(res.TauM, math.Max(res.TauEnergy, res.TauAbsM))
	t.Logf("K = 0.42: tau_u %.1f, tau_|m| %.1f, tau_m %.1f, spacing %d", res.TauEnergy, res.TauAbsM, res.TauM, res.Spacing)
	if !res.TauOK || res.TauSpacing != slowest || float64(res.Spacing) < 2*slowest {
		t.Errorf("spacing %d (tau %.2f, ok %v), want at least 2 tau_int of the slowest of u, |m| and m (%.2f)", res.Spacing, res.TauSpacing, res.TauOK, slowest)
	}
	if res.TauM < 2*res.TauAbsM {
		t.Errorf("tau_m %.1f, tau_|m| %.1f: the case no longer tests what it should (m much slower than |m|)", res.TauM, res.TauAbsM)
	}
	n := L * L
	m := make([]float64, R*rounds)
	for i := range m {
		s := 0
		for _, v := range res.Configs[i*n : (i+1)*n] {
			s += 2*int(v) - 1
		}
		m[i] = float64(s) / float64(n)
	}
	// sample i comes from chain i % R, round i / R
	var sa, sb, saa, sbb, sab float64
	pairs := float64(R * (rounds - 1))
	for i := 0; i+R < len(m); i++ {
		a, b := m[i], m[i+R]
		sa, sb, saa, sbb, sab = sa+a, sb+b, saa+a*a, sbb+b*b, sab+a*b
	}
	cov := sab/pairs - sa/pairs*sb/pairs
	corr := cov / math.Sqrt((saa/pairs-sa/pairs*sa/pairs)*(sbb/pairs-sb/pairs*sb/pairs))
	t.Logf("correlation of m between consecutive samples of one chain: %.3f", corr)
	if corr > 0.25 {
		t.Errorf("consecutive samples of one chain correlate %.3f in m, want at most 0.25 (about exp(-2) at 2 tau_int)", corr)
	}

	res, err = Sample(Options{L: L, K: 0.5, N: R, Replicas: R / 4, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := math.Max(res.TauEnergy, res.TauAbsM)
	if res.TauSpacing != want || res.Spacing != max(MinSpacing, int(math.Ceil(2*want))) {
		t.Errorf("K = 0.5 > K_c: spacing %d (tau %.2f), want it to follow u and |m| only (tau %.2f; tau_m %.1f)", res.Spacing, res.TauSpacing, want, res.TauM)
	}
}
