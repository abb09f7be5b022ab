package exact

import (
	"math"
	"strings"
	"testing"
)

// hugeKs spans every regime of at: Kaufman (K < 2), the switch points, the former NaN band
// (K ~ 180 .. 350, where cosh^2 2K overflowed) and the far end of float64.
var hugeKs = []float64{1, 1.5, 1.999, 2, 2.5, 3, 10.0 / 3, 4, 5, 8, 10, 20, 50, 93, 100, 177, 180, 200,
	250, 300, 350, 355, 360, 1e3, 1e6, 1e100, 1e155, 1e300, math.MaxFloat64 / 1e10}

// naiveMoments is an independent reference from naiveStates: ln Z, <E> and Var(E), with weights
// taken relative to the lowest energy so that huge K neither overflows nor cancels.
func naiveMoments(L int, K float64) (lnZ, meanE, varE float64) {
	counts := map[int]float64{}
	for k, v := range naiveStates(L) {
		counts[k[0]] += float64(v)
	}
	e0 := math.MaxInt
	for e := range counts {
		e0 = min(e0, e)
	}
	var z, m1 float64
	for e, c := range counts {
		z += c * math.Exp(-K*float64(e-e0))
	}
	for e, c := range counts {
		m1 += c * math.Exp(-K*float64(e-e0)) / z * float64(e-e0)
	}
	for e, c := range counts {
		d := float64(e-e0) - m1
		varE += c * math.Exp(-K*float64(e-e0)) / z * d * d
	}
	return -K*float64(e0) + math.Log(z), float64(e0) + m1, varE
}

// TestEveryFiniteK: for every L that can be enumerated and every K up to the float64 limit, the
// exact functions are finite, agree with the independent enumeration (ln Z and u to rounding,
// c to a relative 1e-9 while it is a normal float64) and with the known ground-state limit.
func TestEveryFiniteK(t *testing.T) {
	for _, L := range []int{2, 3, 4} {
		n := float64(L * L)
		for _, K := range append([]float64{0.05, 0.3, Kc, 0.7}, hugeKs...) {
			lz, u, c := LogZ(L, K), Energy(L, K), SpecificHeat(L, K)
			if math.IsNaN(lz) || math.IsInf(lz, 0) || math.IsNaN(u) || math.IsNaN(c) {
				t.Errorf("L=%d K=%v: lnZ=%v u=%v c=%v, want finite", L, K, lz, u, c)
				continue
			}
			wlz, wmean, wvar := naiveMoments(L, K)
			if e := relErr(lz, wlz); e > 1e-13 {
				t.Errorf("L=%d K=%v: LogZ = %.17g, enumeration %.17g (rel %.1e)", L, K, lz, wlz, e)
			}
			if e := math.Abs(u - wmean/n); e > 1e-13 {
				t.Errorf("L=%d K=%v: Energy = %.17g, enumeration %.17g", L, K, u, wmean/n)
			}
			wc := 0.0
			if wvar > 0 {
				wc = math.Exp(2*math.Log(K) + math.Log(wvar/n))
			}
			tol := 1e-9 * wc
			if wc < 1e-300 {
				tol = 1e-300
			}
			if c < 0 || math.Abs(c-wc) > tol {
				t.Errorf("L=%d K=%v: SpecificHeat = %.17g, enumeration %.17g", L, K, c, wc)
			}
			if K >= 20 {
				if u != -2 || relErr(lz, 2*n*K+math.Ln2) > 1e-15 {
					t.Errorf("L=%d K=%v: u = %v, lnZ = %.17g; want -2 and 2NK + ln 2 = %.17g", L, K, u, lz, 2*n*K+math.Ln2)
				}
			}
			if K >= 100 && c != 0 {
				t.Errorf("L=%d K=%v: c = %v, want 0 (64 K^2 e^-8K underflows)", L, K, c)
			}
		}
	}
}

// TestLargeKLargeL: beyond enumeration the low-temperature limit is known analytically:
// u -> -2 + 8 e^{-8K}, c -> 64 K^2 e^{-8K} (single flipped spins) up to a relative
// 4.5 e^{-4K} (flipped pairs), ln Z -> 2NK + ln 2.
func TestLargeKLargeL(t *testing.T) {
	for _, L := range []int{5, 6, 7, 8, 16, 64, 512} {
		n := float64(L * L)
		for _, K := range hugeKs {
			lz, u, c := LogZ(L, K), Energy(L, K), SpecificHeat(L, K)
			if math.IsNaN(lz) || math.IsInf(lz, 0) || math.IsNaN(u) || math.IsNaN(c) || c < 0 {
				t.Errorf("L=%d K=%v: lnZ=%v u=%v c=%v, want finite, c >= 0", L, K, lz, u, c)
				continue
			}
			if K < 5 {
				continue
			}
			if e := math.Abs(u - (-2 + 8*math.Exp(-8*K))); e > 1e-15 {
				t.Errorf("L=%d K=%v: u = %.17g, want -2 + 8e^-8K", L, K, u)
			}
			if e := relErr(lz, 2*n*K+math.Ln2+n*math.Exp(-8*K)); e > 1e-15 {
				t.Errorf("L=%d K=%v: lnZ = %.17g, want 2NK + ln 2 = %.17g", L, K, lz, 2*n*K+math.Ln2)
			}
			want := math.Exp(2*math.Log(K) + math.Log(64) - 8*K)
			if want > 1e-300 {
				if e := relErr(c, want); e > 5*math.Exp(-4*K)+1e-12 {
					t.Errorf("L=%d K=%v: c = %.17g, want ~ 64 K^2 e^-8K = %.17g (rel %.1e)", L, K, c, want, e)
				}
			} else if c > 1e-300 {
				t.Errorf("L=%d K=%v: c = %v, want ~ %v", L, K, c, want)
			}
		}
	}
}

// TestLowTSeriesMatchesKaufman: the series coefficients against the Kaufman formula where both
// are accurate (K = 1.25 ... 1.75; the first omitted term, a_9 u^9, is a relative 2e-10 at
// K = 1.25), on lattices large enough for the torus not to matter; and continuity of c where
// at switches from one form to the other.
func TestLowTSeriesMatchesKaufman(t *testing.T) {
	for _, L := range []int{16, 64, 512} {
		for _, K := range []float64{1.25, 1.5, 1.75} {
			lz, d1, d2 := kaufman(L, K)
			p := lowTSeries(L, K)
			n := float64(L * L)
			tol := 1e5 * math.Exp(-28*K) // omitted terms (u^9 on): a relative 4e-11 at K = 1.25
			if e := relErr(p.d2, d2); e > tol+1e-11 {
				t.Errorf("L=%d K=%v: series d2/N = %.15g, Kaufman %.15g (rel %.1e)", L, K, p.d2/n, d2/n, e)
			}
			if e := math.Abs(p.d1-d1) / n; e > 1e-14 {
				t.Errorf("L=%d K=%v: series d1/N = %.17g, Kaufman %.17g", L, K, p.d1/n, d1/n)
			}
			if e := relErr(p.lnZ, lz); e > 1e-14 {
				t.Errorf("L=%d K=%v: series lnZ = %.17g, Kaufman %.17g", L, K, p.lnZ, lz)
			}
		}
	}
	for _, L := range []int{3, 4, 5, 6, 7, 40} {
		for _, K := range []float64{lowTK, 2.5, 10.0 / 3, 5, 10} {
			below, above := SpecificHeat(L, math.Nextafter(K, 0)), SpecificHeat(L, K)
			if e := relErr(below, above); e > 1e-8 {
				t.Errorf("L=%d: c jumps at K=%v: %.15g below, %.15g above (rel %.1e)", L, K, below, above, e)
			}
		}
	}
}

// TestInfiniteTemperature: K = 0 is exact and trivial: ln Z = N ln 2, u = 0, c = 0.
func TestInfiniteTemperature(t *testing.T) {
	for _, L := range []int{2, 3, 4, 40, 1000} {
		n := float64(L * L)
		th, err := Compute(L, 0)
		if err != nil {
			t.Fatalf("Compute(%d, 0): %v", L, err)
		}
		if relErr(th.LogZ, n*math.Ln2) > 1e-15 || th.Energy != 0 || th.SpecificHeat != 0 {
			t.Errorf("Compute(%d, 0) = %+v, want lnZ = N ln 2 = %v, u = 0, c = 0", L, th, n*math.Ln2)
		}
	}
}

func TestComputeAndValidate(t *testing.T) {
	for _, c := range []struct {
		L    int
		K    float64
		want string // "" for success
	}{
		{4, 0.3, ""},
		{64, 1e300, ""},
		{4, math.MaxFloat64 / 64, ""},
		{4, math.MaxFloat64, "lattice at K = 1.7976931348623157e+308 is +Inf, beyond float64"},
		{4, -0.1, "coupling K = -0.1, want a finite number >= 0"},
		{4, math.NaN(), "coupling K = NaN, want a finite number >= 0"},
		{4, math.Inf(1), "coupling K = +Inf, want a finite number >= 0"},
		{4, math.Inf(-1), "coupling K = -Inf"},
		{1, 0.3, "lattice side L = 1, want L >= 2"},
		{-5, 0.3, "lattice side L = -5"},
		{100000, 1e300, "ln Z of the 100000x100000 lattice at K = 1e+300 is +Inf, beyond float64"},
	} {
		th, err := Compute(c.L, c.K)
		if c.want == "" {
			if err != nil {
				t.Errorf("Compute(%d, %v): %v", c.L, c.K, err)
			} else if math.IsNaN(th.LogZ) || math.IsInf(th.LogZ, 0) || th.Energy > 0 || th.Energy < -2 || th.SpecificHeat < 0 {
				t.Errorf("Compute(%d, %v) = %+v", c.L, c.K, th)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Compute(%d, %v): error %v, want it to contain %q", c.L, c.K, err, c.want)
		}
	}
	for _, K := range []float64{0, 1e-300, Kc, 1e300} {
		if err := ValidateK(K); err != nil {
			t.Errorf("ValidateK(%v): %v", K, err)
		}
	}
	// The float functions keep their NaN contract for invalid input.
	if !math.IsNaN(Energy(1, 0.3)) || !math.IsNaN(SpecificHeat(3, -0.2)) || !math.IsNaN(LogZ(4, math.NaN())) {
		t.Error("invalid input did not give NaN")
	}
}
