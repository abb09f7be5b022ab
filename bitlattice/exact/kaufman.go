package exact

import (
	"errors"
	"fmt"
	"math"

	"github.com/isingrbm/isingrbm/asm/pmath"
)

// Kc is the critical coupling of the infinite square lattice, ln(1+sqrt 2)/2.
const Kc = 0.44068679350977151

// LogZ returns ln Z of the L x L torus at coupling K (Kaufman 1949, as written by Ferdinand and
// Fisher 1969). It is NaN for L < 2, for NaN or infinite K, and for K < 0 on odd L (frustrated
// antiferromagnet; for even L the sublattice flip gives Z(-K) = Z(K)). It is +Inf only when
// ln Z itself, about 2 L^2 K, exceeds the float64 range. Compute returns errors instead.
func LogZ(L int, K float64) float64 {
	return at(L, K).lnZ
}

// Energy returns the mean energy per spin u = -(1/N) d lnZ/dK, with the energy counted as
// -sum over the 2N nearest-neighbour bonds of s_i s_j; it is negative for K > 0, 0 at K = 0 and
// -2 (the ground state) to float64 precision for K above about 5.
func Energy(L int, K float64) float64 {
	return -at(L, K).d1 / float64(L*L)
}

// SpecificHeat returns the specific heat per spin c = (K^2/N) d2 lnZ/dK2 = K^2 Var(E)/N. It is
// 0 at K = 0 and decays as 64 K^2 e^{-8K} at large K (exactly 0 in float64 beyond K ~ 95).
func SpecificHeat(L int, K float64) float64 {
	return at(L, K).c
}

// LogZDerivatives returns ln Z, d lnZ/dK = <sum s_i s_j> and d2 lnZ/dK2 = Var(sum s_i s_j) of the
// L x L torus, all computed in log space with signs, so large L (thousands) and any finite K
// neither overflow nor underflow (see at for the three regimes). For L <= 5 and K >= 2 the
// values come from enumerating the 2^(L^2) states, about 0.1 s for L = 5 and 2 <= K < 10/3.
func LogZDerivatives(L int, K float64) (lnZ, d1, d2 float64) {
	p := at(L, K)
	return p.lnZ, p.d1, p.d2
}

// ValidateK checks a coupling K = beta J for the exact functions and the samplers: it must be
// a finite number >= 0. K = 0 (infinite temperature) is valid: ln Z = N ln 2, u = 0, c = 0.
func ValidateK(K float64) error {
	if math.IsNaN(K) || math.IsInf(K, 0) || K < 0 {
		return fmt.Errorf("coupling K = %v, want a finite number >= 0", K)
	}
	return nil
}

// ValidateL checks a lattice side for the exact functions: L >= 2.
func ValidateL(L int) error {
	if L < 2 {
		return fmt.Errorf("lattice side L = %d, want L >= 2", L)
	}
	return nil
}

// Thermo holds the exact thermodynamics of the L x L torus at coupling K.
type Thermo struct {
	L            int
	K            float64
	LogZ         float64 // ln Z
	Energy       float64 // u = <E>/N, in [-2, 0]
	SpecificHeat float64 // c = K^2 Var(E)/N >= 0
}

// Compute returns the exact ln Z, u and c of the L x L torus, 2 <= L, at a finite K >= 0. Every
// value it returns is finite: an invalid L or K is an error naming it, and so is a ln Z beyond
// the float64 range (2 L^2 K > 1.8e308; u and c are still available from Energy and
// SpecificHeat then).
func Compute(L int, K float64) (Thermo, error) {
	if err := ValidateL(L); err != nil {
		return Thermo{}, fmt.Errorf("exact: %w", err)
	}
	if err := ValidateK(K); err != nil {
		return Thermo{}, fmt.Errorf("exact: %w", err)
	}
	p := at(L, K)
	t := Thermo{L: L, K: K, LogZ: p.lnZ, Energy: -p.d1 / float64(L*L), SpecificHeat: p.c}
	if math.IsInf(t.LogZ, 0) || math.IsNaN(t.LogZ) || math.IsNaN(t.Energy) || math.IsNaN(t.SpecificHeat) {
		return t, fmt.Errorf("exact: ln Z of the %dx%d lattice at K = %v is %v, beyond float64", L, L, K, t.LogZ)
	}
	return t, nil
}

// point is ln Z with its first two K-derivatives and the specific heat per spin (computed in log
// space where K^2 d2 would over- or underflow).
type point struct {
	lnZ, d1, d2, c float64
}

func nanPoint() point { return point{math.NaN(), math.NaN(), math.NaN(), math.NaN()} }

// at evaluates every exact function. For K >= lowTK the Kaufman formula still gives ln Z and u
// to full precision, but its d2 lnZ/dK2 is a sum of O(1) terms that cancel down to the true
// Var(E) ~ 64 N e^{-8K}, so its relative error grows like e^{8K}. There, at takes the variance
// (and ln Z and u with it) from the low-temperature series when the torus is large enough for
// it to be exact to float64 precision (seriesValid), and from the enumerated density of
// states for the small lattices where it is not.
func at(L int, K float64) point {
	if L < 2 || math.IsNaN(K) || math.IsInf(K, 0) {
		return nanPoint()
	}
	n := float64(L * L)
	switch {
	case K == 0 || math.Abs(K) < 1e-100:
		// Leading order in K (relative corrections O(K) < 1e-100): independent bonds with
		// Var = 2N for L >= 3; for L = 2 every bond appears twice, so Var = 4 * N pairs = 4N.
		v := 2 * n
		if L == 2 {
			v = 4 * n
		}
		if K < 0 && L%2 != 0 {
			return nanPoint()
		}
		return point{float64(n*math.Ln2) + float64(K*K*v/2), K * v, v, K * K * v / n}
	case K < 0:
		if L%2 != 0 {
			return nanPoint()
		}
		p := at(L, -K)
		p.d1 = -p.d1
		return p
	case K >= lowTK && seriesValid(L, K):
		return lowTSeries(L, K)
	case K >= lowTK && L <= MaxEnumerateL:
		if st, err := CountStates(L); err == nil {
			m := st.moments(K)
			return point{m.lnZ, -m.meanE, m.varE, m.c}
		}
	}
	f, f1, f2 := kaufman(L, K)
	return point{f, f1, f2, K * K * f2 / n}
}

// lowTK is where the variance switches from the Kaufman formula (relative error about 1e-10
// at K = 2, growing like e^{8K}) to the low-temperature forms.
const lowTK = 2

// lowT holds the low-temperature series of the infinite square lattice (Domb 1960),
// ln Z/N = 2K + sum_n a_n u^n with u = e^{-4K}, a_2..a_8. Its tests check it against the Kaufman
// formula at K = 1 ... 1.5, where both are accurate.
var lowT = [...]float64{0, 0, 1, 2, 9.0 / 2, 12, 112.0 / 3, 130, 1927.0 / 4}

// seriesValid reports whether lowTSeries is exact to float64 precision (or, for L = 6 near
// K = 2, to about 1e-13, still a thousand times better than the Kaufman variance there) on the
// L x L torus at K >= lowTK. The torus adds excitations wrapping around it (a flipped band costs
// 4L, i.e. u^L) first at relative order u^(L-2) to the leading u^2 term (3u^4 = 4e-14 for L = 6,
// K = 2); the series truncated after a_8 misses relative u^7 < 1e-24. Smaller lattices qualify
// once 4K(L-2) >= 40, where u^(L-2) < 4e-18; below that at enumerates them.
func seriesValid(L int, K float64) bool {
	return L >= 3 && K >= lowTK && (L >= 6 || 4*K*float64(L-2) >= 40)
}

// lowTSeries returns ln Z = 2NK + ln 2 + N sum a_n u^n (two ground states), its derivatives
// d1 = N (2 - sum 4n a_n u^n), d2 = N sum 16 n^2 a_n u^n, and c = K^2 d2/N computed as
// exp(2 ln K - 8K + ln(sum 16 n^2 a_n u^(n-2))) so it neither overflows nor loses bits to
// subnormals.
func lowTSeries(L int, K float64) point {
	n := float64(L * L)
	u := pmath.Exp(-4 * K)
	var s0, s1, s2 float64 // sum a_n u^(n-2), sum 4n a_n u^(n-2), sum 16 n^2 a_n u^(n-2)
	for i := len(lowT) - 1; i >= 2; i-- {
		fi := float64(i)
		s0 = float64(s0*u) + lowT[i]
		s1 = float64(s1*u) + float64(4*fi*lowT[i])
		s2 = float64(s2*u) + float64(16*fi*fi*lowT[i])
	}
	u2 := u * u // underflows to 0 for K > ~93, where every correction is below float64 resolution
	p := point{
		lnZ: float64(2*n*K) + math.Ln2 + float64(n*s0*u2),
		d1:  n * (2 - float64(s1*u2)),
		d2:  n * s2 * u2,
	}
	p.c = pmath.Exp(float64(2*pmath.Log(K)) - float64(8*K) + pmath.Log(s2))
	return p
}

// factor is one k >= 1 factor of Z_i together with its share (2 sinh 2K)^(L/2) of the
// prefactor: (2 sinh 2K)^(L/2) 2cosh(x) = e^{L q/2} (1 + e^{-2x}) with q = ln(2 sinh 2K) + g_k,
// x = L g_k/2 (and likewise with sinh). q and its derivatives are regular as K -> 0, where
// ln(2 sinh 2K) and g_k each diverge; folding the prefactor in avoids that cancellation.
type factor struct {
	q, q1, q2 float64 // q_k and its K-derivatives
	x, x1, x2 float64 // L g_k / 2 and its K-derivatives
}

// gk returns the factor for k >= 1, from cosh g_k = cosh 2K coth 2K - cos(pi k/L).
// With s = sinh 2K, cosh g_k - 1 is written as (s-1)^2/s + 2 sin^2(pi k/2L), a sum of
// non-negative terms, so g_k keeps full relative precision even when it is small (near Kc at
// large L).
func gk(L, k int, s, c float64) factor {
	h := pmath.Sin(math.Pi * float64(k) / float64(2*L))
	delta := float64((s-1)*((s-1)/s)) + float64(2*h*h)
	sinhg := math.Sqrt(delta * (delta + 2))
	g := pmath.Log1p(delta + sinhg)
	coshg := 1 + delta
	// A = cosh 2K coth 2K = s + 1/s as a function of y = 2K; d/dK = 2 d/dy.
	a1 := 2 * c * (1 - 1/(s*s))
	cs := c / s // c*c and s*s*s overflow beyond K ~ 177; their ratio does not
	a2 := float64(4 * (s - 1/s + 2*cs*cs/s))
	g1 := a1 / sinhg
	g2 := (a2 - float64(coshg*g1*g1)) / sinhg
	half := float64(L) / 2
	f := factor{x: half * g, x1: half * g1, x2: half * g2}
	if s >= 0.5 {
		f.q = pmath.Log(2*s) + g
		f.q1 = 2*c/s + g1
		f.q2 = -4/(s*s) + g2
		return f
	}
	// e^q = 2 s e^g = 2 (B + R), B = c^2 - s cos(pi k/L) = 1 + s^2 - s w, R = sqrt(B^2 - s^2)
	// = s sinh g. As a function of s: q_s = (B_s - s/(B+R))/R = -w + s rho with
	// rho = [2 - 1/(B+R) - w((w-s)(1+B)+s)/(1+R)]/R, and dK = 2c ds.
	// q1 drops the -2c w part: summed over the factors of any Z_i (k odd, or k even including
	// the k = 0 factor, see g0) it is -2c sum_r cos(pi k_r/L) = 0 exactly. What remains is
	// O(K), so d lnZ/dK keeps full relative precision as K -> 0.
	w := 1 - float64(2*h*h)
	b := 1 + float64(s*s) - float64(s*w)
	r := math.Sqrt((float64((1-s)*(1-s)) + float64(2*s*h*h)) * (1 + float64(s*s) + float64(2*s*h*h)))
	bs := 2*s - w
	rs := (float64(b*bs) - s) / r
	rho := (2 - 1/(b+r) - w*(float64((w-s)*(1+b))+s)/(1+r)) / r
	u := bs - s/(b+r)
	us := 2 - (1/(b+r) - s*(bs+rs)/((b+r)*(b+r)))
	qs := u / r
	qss := (float64(us*r) - float64(u*rs)) / (r * r)
	f.q = math.Ln2 + pmath.Log(b+r)
	f.q1 = 2 * c * s * rho
	f.q2 = float64(4*s*qs) + float64(4*c*c*qss)
	return f
}

// g0 returns the k = 0 factor: g_0 = 2K + ln tanh K with its sign (negative for K < Kc), and
// q_0 = ln(2 sinh 2K) + |g_0|, which is 2 ln(1 + e^{-2K}) below Kc and 2 ln(e^{2K} - 1) above.
// Near Kc, g_0 uses e^{g0} - 1 = (sqrt2-1-u)(sqrt2+1+u)/(u(1+u)), u = e^{-2K}, with
// sqrt2-1-u = (sqrt2-1)(1-e^{-2(K-Kc)}), so it keeps relative precision as it crosses zero.
func g0(L int, K, s, c float64) factor {
	g := g0Value(K)
	half := float64(L) / 2
	f := factor{x: half * g, x1: half * (2 + 2/s), x2: half * (-4 * c / (s * s))}
	if g < 0 {
		f.q = 2 * pmath.Log1p(pmath.Exp(-2*K))
		t := pmath.Tanh(K)
		f.q1 = 2 * (t - 1)
		f.q2 = 2 * (1 - float64(t*t))
		if s < 0.5 {
			// As in gk, drop -2c cos(0): q1 + 2c = 2 tanh K + 2(cosh 2K - 1).
			sh := pmath.Sinh(K)
			f.q1 = float64(2*t) + float64(4*sh*sh)
		}
	} else {
		f.q = 2 * (2*K + pmath.Log(-pmath.Expm1(-2*K)))
		sh := pmath.Sinh(K)
		f.q1 = 2*(1/pmath.Tanh(K)) + 2
		f.q2 = -2 / (sh * sh)
	}
	return f
}

// g0Value is g_0 = 2K + ln tanh K, computed near Kc as g0 describes.
func g0Value(K float64) float64 {
	if math.Abs(K-Kc) < 0.2 {
		u := pmath.Exp(-2 * K)
		num := (math.Sqrt2 - 1) * -pmath.Expm1(-2*(K-Kc)) * (math.Sqrt2 + 1 + u)
		return pmath.Log1p(num / (u * (1 + u)))
	}
	return 2*K + pmath.Log(pmath.Tanh(K))
}

// term is one of Z1..Z4 (times the prefactor) written as e^{logScale} * P * phi: P > 0 is the
// product of the regular (k >= 1) factors and of e^{L q_0/2}, all divided by their e^{L q/2},
// with log-derivatives G1 = P'/P and G2 = (ln P)”; phi, phi1, phi2 are the scaled k = 0
// function 2cosh(x0)e^{-|x0|} or 2sinh(x0)e^{-|x0|} and its derivatives (1, 0, 0 for Z1, Z2).
// Keeping phi apart lets Z4 pass through zero at K = Kc without dividing by it.
type term struct {
	logScale        float64
	G1, G2          float64
	phi, phi1, phi2 float64
}

// kaufman evaluates the formula for 0 < K < 2 (at never calls it beyond: its d2 loses
// relative precision there, and cosh 2K overflows from K ~ 355).
func kaufman(L int, K float64) (lnZ, d1, d2 float64) {
	half := float64(L) / 2
	s, c := pmath.Sinh(2*K), pmath.Cosh(2*K)
	var t [4]term // Z1 (odd k, cosh), Z2 (odd k, sinh), Z3 (even k, cosh), Z4 (even k, sinh)
	for i := range t {
		t[i].phi = 1
	}
	for k := 1; k < 2*L; k++ {
		f := gk(L, k, s, c)
		ic, is := 0, 1
		if k%2 == 0 {
			ic, is = 2, 3
		}
		e := pmath.Exp(-2 * f.x) // x > 0 for k >= 1
		lq, lq1, lq2 := float64(half*f.q), float64(half*f.q1), float64(half*f.q2)
		// ln(1 + e) and ln(1 - e), with their derivatives (e' = -2 x' e).
		t[ic].logScale += lq + pmath.Log1p(e)
		t[ic].G1 += lq1 - 2*f.x1*e/(1+e)
		t[ic].G2 += lq2 - 2*f.x2*e/(1+e) + 4*f.x1*f.x1*e/((1+e)*(1+e))
		t[is].logScale += lq + pmath.Log(-pmath.Expm1(-2*f.x))
		t[is].G1 += lq1 + 2*f.x1*e/(1-e)
		t[is].G2 += lq2 + 2*f.x2*e/(1-e) - 4*f.x1*f.x1*e/((1-e)*(1-e))
	}
	f := g0(L, K, s, c)
	sg := 1.0
	if f.x < 0 {
		sg = -1
	}
	e := pmath.Exp(-2 * math.Abs(f.x))
	for _, i := range []int{2, 3} {
		t[i].logScale += float64(half * f.q)
		t[i].G1 += float64(half * f.q1)
		t[i].G2 += float64(half * f.q2)
	}
	t[2].phi, t[2].phi1, t[2].phi2 = 1+e, -2*sg*f.x1*e, float64(-2*sg*f.x2*e)+float64(4*f.x1*f.x1*e)
	t[3].phi, t[3].phi1, t[3].phi2 = sg*-pmath.Expm1(-2*math.Abs(f.x)), 2*f.x1*e, float64(2*f.x2*e)-float64(4*sg*f.x1*f.x1*e)

	ref := math.Inf(-1)
	for i := range t {
		ref = math.Max(ref, t[i].logScale)
	}
	shift := t[0].G1 // close to d ln Z/dK; centring avoids cancellation in the variance
	var m0, m1, m2 float64
	for i := range t {
		w := pmath.Exp(t[i].logScale - ref)
		dg := t[i].G1 - shift
		m0 += float64(w * t[i].phi)
		m1 += float64(w * (float64(dg*t[i].phi) + t[i].phi1))
		m2 += float64(w * (float64((float64(dg*dg)+t[i].G2)*t[i].phi) + float64(2*dg*t[i].phi1) + t[i].phi2))
	}
	lnZ = -math.Ln2 + ref + pmath.Log(m0)
	r1 := m1 / m0
	d1 = shift + r1
	d2 = m2/m0 - float64(r1*r1)
	return lnZ, d1, d2
}

// OnsagerEnergy returns the energy per spin of the infinite lattice,
// u = -coth 2K [1 + (2/pi)(2 tanh^2 2K - 1) K1(kappa)], kappa = 2 sinh 2K / cosh^2 2K,
// with K1 the complete elliptic integral of the first kind. u(Kc) = -sqrt 2.
func OnsagerEnergy(K float64) float64 {
	if K == 0 {
		return 0
	}
	if K < 0 {
		return -OnsagerEnergy(-K)
	}
	s := pmath.Sinh(2 * K)
	if math.IsInf(s, 0) {
		return -2
	}
	t := pmath.Tanh(2 * K)
	kappa := 2 * s / (1 + float64(s*s)) // 2 sinh 2K / cosh^2 2K
	if kappa < 0.5 {
		// 2K1/pi = 1 + e with e = sum_{n>=1} ((2n-1)!!/(2n)!!)^2 kappa^{2n}; then
		// 1 + (2t^2-1)(1+e) = 2t^2 + (2t^2-1) e, free of the cancellation at small K.
		k2 := kappa * kappa
		var e float64
		a, p := 1.0, 1.0
		for n := 1; n < 60; n++ {
			a *= float64(2*n-1) / float64(2*n)
			p *= k2
			term := float64(a * a * p)
			e += term
			if term < 1e-17*e {
				break
			}
		}
		return -(1 / t) * (float64(2*t*t) + float64((float64(2*t*t)-1)*e))
	}
	// Complementary modulus sqrt(1-kappa^2) = |1-s^2|/(1+s^2), exact in this form.
	kp := math.Abs(1-float64(s*s)) / (1 + float64(s*s))
	if kp == 0 {
		return -math.Sqrt2
	}
	k1 := math.Pi / 2 / agm(1, kp)
	return -(1 / t) * (1 + float64(2/math.Pi*(float64(2*t*t)-1)*k1))
}

func agm(a, b float64) float64 {
	for i := 0; i < 64 && math.Abs(a-b) > 1e-16*a; i++ {
		a, b = (a+b)/2, math.Sqrt(a*b)
	}
	return (a + b) / 2
}

// SpontaneousMagnetization returns Onsager-Yang's (1 - sinh(2K)^-4)^(1/8) for K > Kc, else 0.
func SpontaneousMagnetization(K float64) float64 {
	if !(K > Kc) {
		return 0
	}
	s := pmath.Sinh(2 * K)
	v := 1 - 1/(s*s*s*s)
	if v <= 0 {
		return 0
	}
	return math.Sqrt(math.Sqrt(math.Sqrt(v))) // v^(1/8); math.Pow goes through the platform's Exp and Log
}

// ErrEnergyRange is returned (wrapped) by InvertEnergy when u is not reachable with K >= 0.
var ErrEnergyRange = errors.New("energy out of the reachable range")

// InvertEnergy returns the effective coupling K >= 0 with Energy(L, K) = u, for u in (-2, 0].
// Energy is strictly decreasing in K, so a safeguarded Newton iteration on a bracket finds K to
// a relative 1e-13 (limited, at large K where u flattens, by the rounding of u itself). u = 0 gives K = 0. An error names u when it lies
// outside the range the L x L lattice reaches in float64 (u > 0, or u at or below the
// ground-state limit -2 to within rounding).
func InvertEnergy(L int, u float64) (float64, error) {
	if L < 2 {
		return 0, fmt.Errorf("exact: InvertEnergy: L = %d, want L >= 2", L)
	}
	if math.IsNaN(u) || u > 0 || u <= -2 {
		return 0, fmt.Errorf("exact: InvertEnergy: u = %v, want -2 < u <= 0: %w", u, ErrEnergyRange)
	}
	if u == 0 {
		return 0, nil
	}
	n := float64(L * L)
	// f(K) = Energy(L,K) - u, decreasing.
	lo, hi := 0.0, 1.0
	for Energy(L, hi) > u {
		lo = hi
		hi *= 2
		if hi > 256 {
			return 0, fmt.Errorf("exact: InvertEnergy: u = %v is below every reachable energy of the %dx%d lattice: %w", u, L, L, ErrEnergyRange)
		}
	}
	K := (lo + hi) / 2
	for iter := 0; iter < 200; iter++ {
		_, f1, f2 := LogZDerivatives(L, K)
		e := -f1/n - u
		if e == 0 {
			return K, nil
		}
		if e > 0 {
			lo = K
		} else {
			hi = K
		}
		next := K + e/(f2/n) // dE/dK = -f2/n, Newton: K - e/(dE/dK)
		if !(next > lo && next < hi) || f2 <= 0 {
			next = (lo + hi) / 2
		}
		step := math.Abs(next - K)
		K = next
		if step <= 1e-14*K || hi-lo <= 1e-14*K {
			return K, nil
		}
	}
	return K, nil
}
