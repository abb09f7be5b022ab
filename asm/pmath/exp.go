package pmath

import (
	"math"
	"math/big"
)

// ln2Hi + ln2Lo = ln 2 to about 2^-85: ln2Hi is ln 2 cut to 32 significant
// bits (the low 21 bits of its significand are zero), so k*ln2Hi is exact
// for |k| < 2^21, and ln2Lo is the rest (a constant expression, which Go
// evaluates exactly before rounding it to float64).
const (
	ln2Hi  = 0x1.62e42fee00000p-1
	ln2Lo  = math.Ln2 - ln2Hi
	invLn2 = 1 / math.Ln2
	// expOver: above it exp overflows (ln of the largest float64, rounded
	// down); expUnder: below it exp rounds to zero (ln 2^-1075).
	expOver  = 709.782712893383973096
	expUnder = -745.1332191019411
)

// expm1Poly returns e^r - 1 - r - r*r/2 divided by r*r*r, for |r| <=
// ln2/2 + 2^-40: the Taylor series to r^17 (the first term left out is
// below 2^-70 of the result).
func expm1Poly(r float64) float64 {
	p := 1.0 / 355687428096000 // 1/17!
	p = float64(p*r) + 1.0/20922789888000
	p = float64(p*r) + 1.0/1307674368000
	p = float64(p*r) + 1.0/87178291200
	p = float64(p*r) + 1.0/6227020800
	p = float64(p*r) + 1.0/479001600
	p = float64(p*r) + 1.0/39916800
	p = float64(p*r) + 1.0/3628800
	p = float64(p*r) + 1.0/362880
	p = float64(p*r) + 1.0/40320
	p = float64(p*r) + 1.0/5040
	p = float64(p*r) + 1.0/720
	p = float64(p*r) + 1.0/120
	p = float64(p*r) + 1.0/24
	return float64(p*r) + 1.0/6
}

// reduce returns k and r + c = x - k ln 2 with |r| <= ln2/2 (about):
// hi = x - k*ln2Hi is exact, r = hi - k*ln2Lo is rounded and c is its
// rounding error.
func reduce(x float64) (k int, r, c float64) { return reduceBy(x, invLn2, ln2Hi, ln2Lo) }

// reduceBy returns k and r + c = x - k (hi + lo), k = round(x * inv), for
// a step hi + lo whose hi has at most 32 significant bits (so k*hi is
// exact) and inv = 1/(hi + lo) rounded: x - k*hi is exact, r = that
// minus k*lo rounded, and c its rounding error.
func reduceBy(x, inv, hi, lo float64) (k int, r, c float64) {
	kf := math.Round(float64(x * inv))
	h := x - float64(kf*hi)
	l := float64(kf * lo)
	r = h - l
	c = (h - r) - l
	return int(kf), r, c
}

// em1 returns e^(r+c) - 1 for a reduced r (|r| <= ln2/2) and its small
// correction c as hi + lo: hi = r exactly, and lo the rest, rounded. The
// callers add hi to a larger term first, with its exact rounding error,
// so that the result rounds once more at most.
func em1(r, c float64) (hi, lo float64) {
	r2 := float64(r * r)
	// e^(r+c) - 1 = r + c + r^2/2 + r^3 P(r), to first order in c.
	tail := float64(float64(r2*r)*expm1Poly(r)) + float64(0.5*r2)
	return r, c + tail
}

// add returns a + hi + lo for |a| >= |hi|: a + hi rounded, its exact error
// added to lo, and the two added.
func add(a, hi, lo float64) float64 {
	s, e := fastTwoSum(a, hi)
	return s + (e + lo)
}

// expParts returns k, y and yl with e^x = 2^k (y + yl), y the rounded sum
// and yl the rest (|yl| <= half an ulp of y): e^x to about 2^-100
// relative.
func expParts(x float64) (k int, y, yl float64) {
	k, r, c := reduce(x)
	hi, lo := em1(r, c)
	y, yl = fastTwoSum(1, hi)
	y, yl = fastTwoSum(y, yl+lo)
	return k, y, yl
}

// fastTwoSum returns s = a + b rounded and its exact error, for |a| >=
// |b| (Dekker).
func fastTwoSum(a, b float64) (s, e float64) {
	s = a + b
	return s, (a - s) + b
}

// expm1Parts returns n + nl = e^x - 1 for 0 <= x < 36 (k <= 52), n the
// rounded sum and nl the rest (|nl| <= half an ulp of n).
func expm1Parts(x float64) (n, nl float64) {
	k, r, c := reduce(x)
	hi, lo := em1(r, c)
	if k == 0 {
		return fastTwoSum(hi, lo)
	}
	// 2^k (1 - 2^-k + hi + lo), with 1 - 2^-k exact and the sum's
	// rounding error kept; the scaling by 2^k is exact.
	a := 1 - pow2(-k)
	s, e := fastTwoSum(a, hi)
	s, e = fastTwoSum(s, e+lo)
	p := pow2(k)
	return float64(s * p), float64(e * p)
}

// twoSum returns s = a + b rounded and its exact error (Knuth).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	return s, (a - (s - bb)) + (b - bb)
}

// pow2 returns 2^k for -1022 <= k <= 1023.
func pow2(k int) float64 { return math.Float64frombits(uint64(k+1023) << 52) }

// scale2 returns y * 2^k for a y in [0.5, 2] and any k, rounding once
// when the result is subnormal.
func scale2(y float64, k int) float64 {
	switch {
	case k > 1023:
		if k > 2100 {
			return math.Inf(1)
		}
		return y * pow2(1023) * pow2(k-1023)
	case k < -1022:
		if k < -2200 {
			return 0
		}
		// y * 2^(k+1000) is exact and normal; the second product rounds
		// once into the subnormals.
		return float64(y*pow2(max(k+1000, -1022))) * pow2(-1000)
	}
	return y * pow2(k)
}

// Exp returns e^x, within 1 ulp of the exact result where e^x is normal
// (subnormal results round twice). Exp(+Inf) = +Inf, Exp(-Inf) = 0,
// Exp(NaN) = NaN; it overflows to +Inf above 709.78 and is 0 below
// -745.14.
//
// x = (64m + j) ln2/64 + r with |r| <= ln2/128 (Cody-Waite, r carried with
// its rounding error c), and e^x = 2^m 2^(j/64) e^(r+c): 2^(j/64) comes
// from a table of double-doubles (expTable) and e^r - 1 from its Taylor
// series to r^6 (r^7/7! < 2^-64). The result rounds once, in the last
// addition, after terms whose errors add up to a few hundredths of an ulp.
func Exp(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > expOver:
		return math.Inf(1)
	case x < expUnder:
		return 0
	case -0x1p-54 < x && x < 0x1p-54:
		return 1 + x
	}
	n, r, c := reduceBy(x, invLn2N, ln2NHi, ln2NLo) // r + c = x - n ln2/64 to about 2^-100
	q := 1.0 / 720
	q = float64(q*r) + 1.0/120
	q = float64(q*r) + 1.0/24
	q = float64(q*r) + 1.0/6
	q = float64(q*r) + 0.5
	tail := float64(float64(r*r)*q) + c // e^(r+c) - 1 = r + tail
	t := &expTable[n&(expTableSize-1)]
	// 2^(j/64) e^(r+c) = hi + (lo + hi (r + tail)), to about 2^-60 before
	// the last rounding (lo (r + tail) is below 2^-60 of it and left out).
	y := t.hi + (t.lo + float64(t.hi*(r+tail)))
	return scale2(y, n>>expTableBits)
}

const (
	expTableBits = 6
	expTableSize = 1 << expTableBits
	invLn2N      = expTableSize / math.Ln2
	// ln2NHi + ln2NLo = ln2/64 to about 2^-91: ln2Hi/64 keeps ln2Hi's 32
	// significant bits, so n*ln2NHi is exact for |n| < 2^21 (|n| <= 69,000
	// for the x that Exp reduces).
	ln2NHi = ln2Hi / expTableSize
	ln2NLo = ln2Lo / expTableSize
)

// expTable holds 2^(j/64) for j = 0..63 as double-doubles hi + lo (hi the
// float64 nearest to it, lo the nearest to the rest), computed at start-up
// in 256-bit math/big arithmetic: integer operations, so the same bits on
// every architecture. TestExpTable checks them against an independent
// computation.
var expTable = func() (t [expTableSize]struct{ hi, lo float64 }) {
	const prec = 256
	root := new(big.Float).SetPrec(prec).SetInt64(2)
	for i := 0; i < expTableBits; i++ {
		root.Sqrt(root) // 2^(1/64) after six square roots
	}
	v := new(big.Float).SetPrec(prec).SetInt64(1)
	rest := new(big.Float).SetPrec(prec)
	for j := range t {
		t[j].hi, _ = v.Float64()
		rest.Sub(v, new(big.Float).SetPrec(prec).SetFloat64(t[j].hi))
		t[j].lo, _ = rest.Float64()
		v.Mul(v, root)
	}
	return t
}()

// Expm1 returns e^x - 1, accurate also for x near 0: within 1 ulp of the
// exact result. Expm1(+Inf) = +Inf, Expm1(-Inf) = -1,
// Expm1(NaN) = NaN, Expm1(+-0) = +-0; it overflows to +Inf above 709.78.
func Expm1(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > expOver:
		return math.Inf(1)
	case x < -38: // e^x < 2^-54: e^x - 1 rounds to -1
		return -1
	case -0x1p-54 < x && x < 0x1p-54: // e^x - 1 = x (1 + x/2 + ...) rounds to x
		return x
	case -0.5*math.Ln2 <= x && x <= 0.5*math.Ln2:
		hi, lo := em1(x, 0)
		return hi + lo
	}
	k, r, c := reduce(x)
	hi, lo := em1(r, c) // e^x - 1 = 2^k (1 + hi + lo) - 1
	switch {
	case k > 53: // 2^k (1 + hi + lo - 2^-k), the last term below 2^-54
		if k < 64 {
			lo -= pow2(-k)
		}
		return scale2(add(1, hi, lo), k)
	case k >= 1: // 2^k (1 - 2^-k + hi + lo); 1 - 2^-k is exact for k <= 53
		return add(1-pow2(-k), hi, lo) * pow2(k)
	default: // k <= -1: (2^k - 1) + 2^k hi + 2^k lo, the first two exact
		p := pow2(k)
		return add(p-1, float64(p*hi), float64(p*lo))
	}
}

// expPlus returns e^a + sign e^-a for 0 < a < 22 and sign +-1, e^a to
// twice float64's precision and e^-a corrected by its exact residual, so
// that the sum rounds about once.
func expPlus(a, sign float64) float64 {
	k, y, yl := expParts(a)
	p := pow2(k)
	y, yl = float64(y*p), float64(yl*p) // e^a = y + yl
	q := 1 / y
	res := math.FMA(-q, y, 1)            // 1 - q y, exact
	ql := float64(res-float64(q*yl)) / y // e^-a = q + ql to first order
	s, e := twoSum(y, float64(sign*q))
	return s + (e + (yl + float64(sign*ql)))
}

// Sinh returns the hyperbolic sine of x, within 1 ulp of the exact result
// (it overflows only where the result does, from 710.48; math.Sinh from
// 709.79). Sinh(+-0) = +-0, Sinh(+-Inf) = +-Inf, Sinh(NaN) = NaN.
func Sinh(x float64) float64 {
	a := math.Abs(x)
	var s float64
	switch {
	case a != a || a < 0x1p-28: // NaN; sinh x = x (1 + x^2/6 + ...) rounds to x
		return x
	case a < 1:
		// x + x^3/3! + ... + x^19/19!: the first term left out is below
		// 2^-60 of the result, and x carries the leading bits exactly.
		z := float64(a * a)
		p := 1.0 / 121645100408832000 // 1/19!
		p = float64(p*z) + 1.0/355687428096000
		p = float64(p*z) + 1.0/1307674368000
		p = float64(p*z) + 1.0/6227020800
		p = float64(p*z) + 1.0/39916800
		p = float64(p*z) + 1.0/362880
		p = float64(p*z) + 1.0/5040
		p = float64(p*z) + 1.0/120
		p = float64(p*z) + 1.0/6
		s = a + float64(float64(a*z)*p)
	case a < 22:
		s = 0.5 * expPlus(a, -1)
	default:
		s = halfExp(a) // e^-a < 2^-63 e^a
	}
	return math.Copysign(s, x)
}

// Cosh returns the hyperbolic cosine of x, within 1 ulp of the exact
// result (overflowing from 710.48, as the result does). Cosh(+-0) = 1,
// Cosh(+-Inf) = +Inf, Cosh(NaN) = NaN.
func Cosh(x float64) float64 {
	a := math.Abs(x)
	switch {
	case a != a:
		return a
	case a < 0x1p-27: // cosh x = 1 + x^2/2 + ... rounds to 1
		return 1
	case a < 0.5*math.Ln2:
		// cosh a - 1 = (e^a + e^-a - 2)/2 = E^2 / (2 (E + 1)), E = e^a - 1.
		e := Expm1(a)
		return 1 + float64(e*e)/(2*(e+1))
	case a < 22:
		return 0.5 * expPlus(a, 1)
	}
	return halfExp(a)
}

// halfExp returns e^a / 2 for a >= 22 in one rounding (finite up to
// 710.47, above the 709.78 where e^a overflows).
func halfExp(a float64) float64 {
	if a > 711 {
		return math.Inf(1)
	}
	k, y, yl := expParts(a)
	return scale2(y+yl, k-1)
}

// Tanh returns the hyperbolic tangent of x, within 1 ulp of the exact
// result. Tanh(+-0) = +-0, Tanh(+-Inf) = +-1, Tanh(NaN) = NaN.
func Tanh(x float64) float64 {
	a := math.Abs(x)
	var t float64
	switch {
	case a != a || a < 0x1p-28: // NaN; tanh x = x (1 - x^2/3 + ...) rounds to x
		return x
	case a < 1.1:
		// tanh a = (e^2a - 1)/(e^2a + 1) = E/(E + 2), E = e^2a - 1 < 8.1,
		// with E and E + 2 to twice float64's precision and the quotient
		// corrected by its exact residual, so it rounds about once.
		n, nl := expm1Parts(2 * a)
		d, dl := twoSum(n, 2)
		dl += nl
		q := n / d
		res := math.FMA(-q, d, n) // n - q d, exact
		t = q + ((res+nl)-float64(q*dl))/d
	case a < 22:
		// 1 - 2/(E + 2): the error of the small quotient does not grow.
		t = 1 - 2/(Expm1(2*a)+2)
	default: // 1 - tanh a < 2 e^-44, below half an ulp of 1
		t = 1
	}
	return math.Copysign(t, x)
}
