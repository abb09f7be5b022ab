package exact

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

var testKs = []float64{0.05, 0.2, 0.4, 0.4407, Kc, 0.5, 0.8, 1.5}

func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

// naiveStates enumerates spins as a plain []int lattice with explicit periodic neighbours, an
// implementation independent of the bit tricks in CountStates.
func naiveStates(L int) map[[2]int]uint64 {
	n := L * L
	s := make([]int, n)
	out := map[[2]int]uint64{}
	for x := 0; x < 1<<n; x++ {
		m := 0
		for i := range s {
			s[i] = 2*(x>>i&1) - 1
			m += s[i]
		}
		e := 0
		for r := 0; r < L; r++ {
			for c := 0; c < L; c++ {
				e -= s[r*L+c] * s[r*L+(c+1)%L]
				e -= s[r*L+c] * s[((r+1)%L)*L+c]
			}
		}
		if m < 0 {
			m = -m
		}
		out[[2]int{e, m}]++
	}
	return out
}

func TestCountStatesMatchesNaive(t *testing.T) {
	for _, L := range []int{2, 3, 4} {
		st, err := CountStates(L)
		if err != nil {
			t.Fatal(err)
		}
		want := naiveStates(L)
		got := map[[2]int]uint64{}
		var total uint64
		for i, e := range st.Energies {
			for j, m := range st.AbsMs {
				if c := st.Count[i][j]; c != 0 {
					got[[2]int{e, m}] = c
					total += c
				}
			}
		}
		if total != 1<<(L*L) {
			t.Errorf("L=%d: %d states counted, want %d", L, total, 1<<(L*L))
		}
		if len(got) != len(want) {
			t.Errorf("L=%d: %d (E,|M|) classes, want %d", L, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("L=%d: count(E=%d,|M|=%d) = %d, want %d", L, k[0], k[1], got[k], v)
			}
		}
		for i := 1; i < len(st.Energies); i++ {
			if st.Energies[i] <= st.Energies[i-1] {
				t.Errorf("L=%d: energies not ascending: %v", L, st.Energies)
			}
		}
	}
}

func TestCountStatesKnownValues(t *testing.T) {
	// Ground states: two (all up, all down) at E = -2N with |M| = N.
	for _, L := range []int{2, 3, 4, 5} {
		st, err := CountStates(L)
		if err != nil {
			t.Fatal(err)
		}
		n := L * L
		if st.Energies[0] != -2*n || st.AbsMs[len(st.AbsMs)-1] != n || st.Count[0][len(st.AbsMs)-1] != 2 {
			t.Errorf("L=%d: ground state E=%d count=%d, want E=%d count 2", L, st.Energies[0], st.Count[0][len(st.AbsMs)-1], -2*n)
		}
	}
	for _, L := range []int{1, 6, -3} {
		if _, err := CountStates(L); err == nil {
			t.Errorf("CountStates(%d): no error", L)
		}
	}
}

// TestKaufmanVsEnumeration: the closed form against full enumeration, including L = 2 (where
// every bond is doubled; the formula holds there too) and L = 5.
func TestKaufmanVsEnumeration(t *testing.T) {
	for _, L := range []int{2, 3, 4, 5} {
		st, err := CountStates(L)
		if err != nil {
			t.Fatal(err)
		}
		ks := append([]float64{0}, testKs...)
		if L%2 == 0 {
			ks = append(ks, -0.3, -Kc, -1.2)
		}
		for _, K := range ks {
			d, err := st.Distribution(K)
			if err != nil {
				t.Fatal(err)
			}
			lz, f1, f2 := LogZDerivatives(L, K)
			n := float64(L * L)
			if e := relErr(lz, d.LogZ); e > 1e-12 {
				t.Errorf("L=%d K=%v: LogZ = %.17g, enumeration %.17g (rel %.1e)", L, K, lz, d.LogZ, e)
			}
			if e := math.Abs(Energy(L, K) - d.MeanEnergy); e > 1e-10*math.Max(1e-3, math.Abs(d.MeanEnergy)) {
				t.Errorf("L=%d K=%v: Energy = %.17g, enumeration %.17g (diff %.1e)", L, K, Energy(L, K), d.MeanEnergy, e)
			}
			if e := relErr(SpecificHeat(L, K), d.SpecificHeat); e > 1e-10 && K != 0 {
				t.Errorf("L=%d K=%v: SpecificHeat = %.17g, enumeration %.17g (rel %.1e)", L, K, SpecificHeat(L, K), d.SpecificHeat, e)
			}
			// Variance itself (K=0 included, where c = 0).
			varE := d.SpecificHeat * n / (K * K)
			if K == 0 {
				varE = 0
				for i, e := range d.Energies {
					varE += d.PEnergy[i] * float64(e) * float64(e)
				}
			}
			if e := relErr(f2, varE); e > 1e-10 {
				t.Errorf("L=%d K=%v: d2 lnZ = %.17g, Var(E) by enumeration %.17g (rel %.1e)", L, K, f2, varE, e)
			}
			_ = f1
		}
	}
}

func TestLogZInvalid(t *testing.T) {
	for _, c := range []struct {
		L int
		K float64
	}{{1, 0.3}, {0, 0.3}, {3, -0.2}, {4, math.NaN()}, {4, math.Inf(1)}} {
		if v := LogZ(c.L, c.K); !math.IsNaN(v) {
			t.Errorf("LogZ(%d, %v) = %v, want NaN", c.L, c.K, v)
		}
	}
}

// TestDerivativesVsFiniteDifferences: d lnZ/dK and d2 lnZ/dK2 against central differences of
// LogZ at large L. Step h = 1e-4: truncation ~ h^2 f”'/6, rounding ~ eps |lnZ| / h.
func TestDerivativesVsFiniteDifferences(t *testing.T) {
	for _, L := range []int{16, 40, 64} {
		for _, K := range testKs {
			n := float64(L * L)
			h := 1e-4
			fp, fm, f0 := LogZ(L, K+h), LogZ(L, K-h), LogZ(L, K)
			_, d1, d2 := LogZDerivatives(L, K)
			fd1 := (fp - fm) / (2 * h)
			// Per spin, rounding error of the first difference ~ 1e-16*|lnZ|/h/N ~ 1e-12;
			// truncation ~ h^2 |c'''|, which near Kc at L=64 reaches ~1e-6.
			if e := math.Abs(fd1-d1) / n; e > 1e-6 {
				t.Errorf("L=%d K=%v: dlnZ/dK/N = %.12g, central difference %.12g (diff %.1e)", L, K, d1/n, fd1/n, e)
			}
			h2 := 1e-3
			fd2 := (LogZ(L, K+h2) - 2*f0 + LogZ(L, K-h2)) / (h2 * h2)
			// Second difference: rounding ~ 4e-16 |lnZ| / h^2 / N ~ 1e-9 * lnZ/N; truncation
			// ~ h^2 f''''/12 per spin: up to ~1e-2 of a peak of height ~1 at L=64 near Kc.
			tol := 2e-3 * math.Max(1, d2/n)
			if math.Abs(K-Kc) < 0.01 {
				tol = 2e-2 * math.Max(1, d2/n)
			}
			if e := math.Abs(fd2-d2) / n; e > tol {
				t.Errorf("L=%d K=%v: d2lnZ/dK2/N = %.10g, central difference %.10g (diff %.1e, tol %.1e)", L, K, d2/n, fd2/n, e, tol)
			}
			// Also the derivative of the analytic first derivative (truncation h^2 d4lnZ/6).
			h3 := 1e-5
			_, d1p, _ := LogZDerivatives(L, K+h3)
			_, d1m, _ := LogZDerivatives(L, K-h3)
			if e := math.Abs((d1p-d1m)/(2*h3)-d2) / n; e > 1e-6*math.Max(1, d2/n) {
				t.Errorf("L=%d K=%v: d2lnZ/dK2/N = %.10g, difference of d1 %.10g (diff %.1e)", L, K, d2/n, (d1p-d1m)/(2*h3)/n, e)
			}
		}
	}
}

func TestLargeLatticeApproachesOnsager(t *testing.T) {
	for _, K := range []float64{0.05, 0.2, 0.3, 0.38, 0.5, 0.6, 0.8, 1.5} {
		got := Energy(512, K)
		want := OnsagerEnergy(K)
		// Away from Kc finite-size corrections decay exponentially in L.
		if e := math.Abs(got - want); e > 1e-9 {
			t.Errorf("K=%v: Energy(512) = %.15g, Onsager %.15g (diff %.1e)", K, got, want, e)
		}
	}
	// Near Kc the corrections are O(1/L): check that they shrink.
	prev := math.Inf(1)
	for _, L := range []int{16, 64, 256, 1024} {
		e := math.Abs(Energy(L, Kc) - OnsagerEnergy(Kc))
		if e >= prev {
			t.Errorf("at Kc |u_L - u_inf| = %g for L=%d, not below %g of the smaller lattice", e, L, prev)
		}
		prev = e
	}
	if prev > 2e-3 {
		t.Errorf("L=1024 at Kc: |u_L - u_inf| = %g, want < 2e-3", prev)
	}
	for _, L := range []int{512, 2048} {
		for _, K := range testKs {
			lz, d1, d2 := LogZDerivatives(L, K)
			if math.IsNaN(lz) || math.IsInf(lz, 0) || math.IsNaN(d1) || math.IsNaN(d2) || d2 <= 0 {
				t.Errorf("L=%d K=%v: lnZ=%v d1=%v d2=%v", L, K, lz, d1, d2)
			}
		}
	}
}

func TestOnsager(t *testing.T) {
	if e := math.Abs(OnsagerEnergy(Kc) + math.Sqrt2); e > 1e-14 {
		t.Errorf("OnsagerEnergy(Kc) = %.17g, want -sqrt2", OnsagerEnergy(Kc))
	}
	// Continuous through Kc (the K1 singularity is multiplied by 2 tanh^2 2K - 1 -> 0).
	for _, d := range []float64{1e-12, 1e-8, 1e-5} {
		for _, K := range []float64{Kc - d, Kc + d} {
			if e := math.Abs(OnsagerEnergy(K) + math.Sqrt2); e > 40*d*math.Abs(math.Log(d)) {
				t.Errorf("OnsagerEnergy(Kc%+g) = %.17g, far from -sqrt2", K-Kc, OnsagerEnergy(K))
			}
		}
	}
	// High-temperature series: -beta f = ln 2 + 2 ln cosh K + t^4 + O(t^6), t = tanh K, so
	// u = -2t - 4t^3 + O(t^5).
	for _, K := range []float64{1e-3, 1e-2, 0.05} {
		tk := math.Tanh(K)
		if e := math.Abs(OnsagerEnergy(K) + 2*tk + 4*tk*tk*tk); e > 20*math.Pow(K, 5)+1e-16 {
			t.Errorf("OnsagerEnergy(%v) = %.17g, want ~ -2t-4t^3 = %.17g", K, OnsagerEnergy(K), -2*tk-4*tk*tk*tk)
		}
	}
	// Low temperature: u = -2 + 8 e^{-8K} + O(e^{-12K}).
	for _, K := range []float64{1.5, 3} {
		want := -2 + 8*math.Exp(-8*K)
		if e := math.Abs(OnsagerEnergy(K) - want); e > 100*math.Exp(-12*K) {
			t.Errorf("OnsagerEnergy(%v) = %.17g, want ~ %.17g", K, OnsagerEnergy(K), want)
		}
	}
	if m := SpontaneousMagnetization(Kc); m != 0 {
		t.Errorf("M(Kc) = %v, want 0", m)
	}
	if m := SpontaneousMagnetization(0.3); m != 0 {
		t.Errorf("M(0.3) = %v, want 0", m)
	}
	// sinh(2K) = 2 -> (1 - 1/16)^(1/8).
	K := math.Asinh(2) / 2
	if e := math.Abs(SpontaneousMagnetization(K) - math.Pow(15.0/16, 0.125)); e > 1e-15 {
		t.Errorf("M(asinh(2)/2) = %.17g, want %.17g", SpontaneousMagnetization(K), math.Pow(15.0/16, 0.125))
	}
	// Low temperature: 1 - m ~ 2 e^{-8K}.
	if e := math.Abs(1 - SpontaneousMagnetization(2) - 2*math.Exp(-16)); e > 1e-2*2*math.Exp(-16) {
		t.Errorf("M(2) = %.17g, want 1 - 2e^-16 to leading order", SpontaneousMagnetization(2))
	}
}

func TestInvertEnergyRoundTrip(t *testing.T) {
	for _, L := range []int{2, 3, 4, 16, 40, 64} {
		for _, K := range []float64{1e-200, 1e-20, 1e-3, 0.05, 0.2, 0.408, 0.4407, Kc, 0.5, 0.8, 1.5, 3} {
			u := Energy(L, K)
			got, err := InvertEnergy(L, u)
			if err != nil {
				t.Errorf("L=%d K=%v u=%v: %v", L, K, u, err)
				continue
			}
			// dK = du / (du/dK); du/dK = c/K^2 per spin, so a rounding error eps*|u| in u
			// maps to eps*|u|*K^2/c in K, large at big K where the curve flattens.
			slope := SpecificHeat(L, K) / (K * K)
			tol := 1e-12*K + 4e-16*math.Abs(u)/slope
			if e := math.Abs(got - K); e > tol {
				t.Errorf("L=%d: InvertEnergy(Energy(%v)) = %.17g (diff %.1e, tol %.1e)", L, K, got, e, tol)
			}
		}
	}
	if K, err := InvertEnergy(40, 0); err != nil || K != 0 {
		t.Errorf("InvertEnergy(40, 0) = %v, %v; want 0, nil", K, err)
	}
	for _, u := range []float64{0.1, -2, -2.5, math.NaN(), -2 + 1e-300} {
		if K, err := InvertEnergy(40, u); err == nil {
			t.Errorf("InvertEnergy(40, %v) = %v, want an error", u, K)
		} else if !errors.Is(err, ErrEnergyRange) {
			t.Errorf("InvertEnergy(40, %v): error %v does not wrap ErrEnergyRange", u, err)
		}
	}
	if _, err := InvertEnergy(1, -1); err == nil {
		t.Error("InvertEnergy(1, -1): no error")
	}
}

func TestEnumerateConsistency(t *testing.T) {
	for _, L := range []int{2, 3, 4} {
		for _, K := range testKs {
			d, err := Enumerate(L, K)
			if err != nil {
				t.Fatal(err)
			}
			var se, sm, sj float64
			for _, p := range d.PEnergy {
				se += p
			}
			for _, p := range d.PAbsM {
				sm += p
			}
			for i := range d.PJoint {
				for _, p := range d.PJoint[i] {
					sj += p
				}
			}
			for name, s := range map[string]float64{"PEnergy": se, "PAbsM": sm, "PJoint": sj} {
				if math.Abs(s-1) > 1e-13 {
					t.Errorf("L=%d K=%v: %s sums to %.17g", L, K, name, s)
				}
			}
			if e := math.Abs(d.MeanEnergy - Energy(L, K)); e > 1e-12 {
				t.Errorf("L=%d K=%v: MeanEnergy %v, Energy %v", L, K, d.MeanEnergy, Energy(L, K))
			}
			if d.MeanAbsM <= 0 || d.MeanAbsM > 1 || d.MeanM2 < d.MeanAbsM*d.MeanAbsM-1e-15 || d.Susceptibility < 0 {
				t.Errorf("L=%d K=%v: <|m|>=%v <m^2>=%v chi=%v inconsistent", L, K, d.MeanAbsM, d.MeanM2, d.Susceptibility)
			}
			chi := float64(d.N) * (d.MeanM2 - d.MeanAbsM*d.MeanAbsM)
			if e := math.Abs(chi - d.Susceptibility); e > 1e-12*math.Max(1, chi) {
				t.Errorf("L=%d K=%v: chi = %v, N(<m^2>-<|m|>^2) = %v", L, K, d.Susceptibility, chi)
			}
		}
	}
	// Magnetization approaches 1 deep in the ordered phase and the ground state dominates.
	d, _ := Enumerate(4, 3)
	if d.PEnergy[0] < 0.999 || d.MeanAbsM < 0.999 {
		t.Errorf("L=4 K=3: P(ground) = %v, <|m|> = %v", d.PEnergy[0], d.MeanAbsM)
	}
	if _, err := Enumerate(6, 0.4); err == nil {
		t.Error("Enumerate(6): no error")
	}
	if _, err := Enumerate(4, math.NaN()); err == nil {
		t.Error("Enumerate(4, NaN): no error")
	}
}

// TestSmallKAndNearKc: stability where the formula is delicate. Near Kc, g_0 crosses zero and
// Z4 vanishes; the curves must stay smooth there: a central difference over +-d must match the
// analytic slope (error ~ d^2 times the third derivative, plus rounding), and c must be
// continuous.
func TestSmallKAndNearKc(t *testing.T) {
	for _, L := range []int{4, 40, 256} {
		n := float64(L * L)
		_, _, f2 := LogZDerivatives(L, Kc)
		c0 := SpecificHeat(L, Kc)
		for _, d := range []float64{1e-12, 1e-9, 1e-6} {
			up, um := Energy(L, Kc+d), Energy(L, Kc-d)
			slope := (up - um) / (2 * d)
			tol := 1e-14/d + 1e-3
			if e := math.Abs(slope + f2/n); e > tol*math.Max(1, f2/n) {
				t.Errorf("L=%d: (u(Kc+%g)-u(Kc-%g))/2d = %.12g, analytic du/dK = %.12g", L, d, d, slope, -f2/n)
			}
			for _, K := range []float64{Kc - d, Kc + d} {
				if e := math.Abs(SpecificHeat(L, K) - c0); e > 1e-12+float64(L)*100*d {
					t.Errorf("L=%d: c(Kc%+g) = %.15g, c(Kc) = %.15g", L, K-Kc, SpecificHeat(L, K), c0)
				}
			}
		}
	}
	// K -> 0: u = -2t - 4t^3 + O(t^5) (t = tanh K; the t^3 term is the 4-bond plaquette, present
	// for L >= 3; L >= 6 keeps the t^L loops winding around the torus out of these orders), to
	// full relative precision down to the tiniest K.
	for _, L := range []int{6, 16, 512} {
		for _, K := range []float64{1e-300, 1e-150, 1e-100, 1e-60, 1e-20, 1e-6, 1e-4, 1e-2} {
			tk := math.Tanh(K)
			want := -2*tk - 4*tk*tk*tk
			if e := math.Abs(Energy(L, K) - want); e > 40*math.Pow(K, 5)+1e-14*math.Abs(want) {
				t.Errorf("Energy(%d, %v) = %.17g, want ~ %.17g (rel diff %.1e)", L, K, Energy(L, K), want, e/math.Abs(want))
			}
			// c = K^2 Var/N, Var/N = 2(1 - t^2) + O(t^2) for L >= 3.
			if e := math.Abs(SpecificHeat(L, K)/(K*K) - 2); e > 30*K*K+1e-12 {
				t.Errorf("SpecificHeat(%d, %v)/K^2 = %.17g, want ~ 2", L, K, SpecificHeat(L, K)/(K*K))
			}
			if lz, want := LogZ(L, K), float64(L*L)*(math.Ln2+2*math.Log(math.Cosh(K))); relErr(lz, want) > 1e-14+2*math.Pow(K, 4) {
				t.Errorf("LogZ(%d, %v) = %.17g, want ~ %.17g", L, K, lz, want)
			}
		}
	}
	// L = 2 (doubled bonds): u = -4 tanh(2K)... to leading order u = -4K, Var/N = 4.
	for _, K := range []float64{1e-300, 1e-50, 1e-12} {
		if e := relErr(Energy(2, K), -4*K); e > 1e-11 {
			t.Errorf("Energy(2, %v) = %v, want ~ %v", K, Energy(2, K), -4*K)
		}
	}
}

func TestGroundStateLimit(t *testing.T) {
	for _, L := range []int{3, 4, 40} {
		if u := Energy(L, 20); math.Abs(u+2) > 1e-15 {
			t.Errorf("Energy(%d, 20) = %v, want -2", L, u)
		}
		n := float64(L * L)
		if lz := LogZ(L, 20); relErr(lz, 2*n*20+math.Ln2) > 1e-15 {
			t.Errorf("LogZ(%d, 20) = %v, want %v", L, lz, 2*n*20+math.Ln2)
		}
		if lz := LogZ(L, 400); relErr(lz, 2*n*400+math.Ln2) > 1e-15 {
			t.Errorf("LogZ(%d, 400) = %v, want %v", L, lz, 2*n*400+math.Ln2)
		}
	}
}

func BenchmarkLogZDerivatives(b *testing.B) {
	for _, L := range []int{40, 512} {
		b.Run(fmt.Sprint("L=", L), func(b *testing.B) {
			for b.Loop() {
				LogZDerivatives(L, 0.408)
			}
		})
	}
}

func BenchmarkCountStates5(b *testing.B) {
	for b.Loop() {
		CountStates(5)
	}
}
