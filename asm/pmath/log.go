package pmath

import "math"

// atanhPoly returns R = 2z/3 + 2z^2/5 + ... + 2z^11/23 for z = s^2 <=
// 0.0295 (|s| <= 3 - 2 sqrt 2): 2 atanh s = 2s + s R, and the first term
// left out is below 2^-60 of the result.
func atanhPoly(z float64) float64 {
	p := 2.0 / 23
	p = float64(p*z) + 2.0/21
	p = float64(p*z) + 2.0/19
	p = float64(p*z) + 2.0/17
	p = float64(p*z) + 2.0/15
	p = float64(p*z) + 2.0/13
	p = float64(p*z) + 2.0/11
	p = float64(p*z) + 2.0/9
	p = float64(p*z) + 2.0/7
	p = float64(p*z) + 2.0/5
	p = float64(p*z) + 2.0/3
	return float64(p * z)
}

// log1pCore returns ln(1+f) - f for sqrt(2)/2 - 1 <= f <= sqrt(2) - 1,
// plus the small term c added where it loses nothing: with s = f/(2+f),
// ln(1+f) = 2 atanh s = 2s + s R, and since 2s = f - s f,
// ln(1+f) = f - (f^2/2 - s (f^2/2 + R)). f is exact, so the only error
// that counts is that of the small correction.
func log1pCore(f, c float64) float64 {
	s := f / (2 + f)
	hfsq := float64(float64(0.5*f) * f)
	r := atanhPoly(float64(s * s))
	return -(hfsq - (float64(s*(hfsq+r)) + c))
}

// split returns k and m with x = 2^k m and sqrt(2)/2 <= m < sqrt(2), for a
// finite x > 0.
func split(x float64) (int, float64) {
	k := 0
	if x < 0x1p-1022 { // subnormal: make it normal first
		x *= 0x1p54
		k = -54
	}
	b := math.Float64bits(x)
	k += int(b>>52) - 1023
	m := math.Float64frombits(b&(1<<52-1) | 1023<<52) // [1, 2)
	if m >= math.Sqrt2 {
		m *= 0.5
		k++
	}
	return k, m
}

// Log returns the natural logarithm of x, within 1 ulp of the exact result
// for every x > 0, subnormals included (math.Log on amd64 gives -709.09
// for 5e-324, whose log is -744.44). Log(+Inf) = +Inf,
// Log(+-0) = -Inf, Log(x < 0) = NaN, Log(NaN) = NaN.
func Log(x float64) float64 {
	switch {
	case x != x || x > math.MaxFloat64:
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	k, m := split(x)
	f := m - 1 // exact: m is within a factor 2 of 1
	kf := float64(k)
	// k ln2Hi is exact and carries the leading bits; the rest is added to
	// it in one rounding.
	return float64(kf*ln2Hi) + (f + log1pCore(f, float64(kf*ln2Lo)))
}

// Log1p returns ln(1 + x), accurate also for x near 0: within 1 ulp of the
// exact result. Log1p(+Inf) = +Inf, Log1p(-1) = -Inf, Log1p(x < -1)
// = NaN, Log1p(NaN) = NaN, Log1p(+-0) = +-0.
func Log1p(x float64) float64 {
	switch {
	case x != x || x > math.MaxFloat64:
		return x
	case x < -1:
		return math.NaN()
	case x == -1:
		return math.Inf(-1)
	case -0x1p-54 < x && x < 0x1p-54: // x - x^2/2 + ... rounds to x
		return x
	case math.Sqrt2/2-1 <= x && x < math.Sqrt2-1:
		return x + log1pCore(x, 0)
	}
	// u = 1 + x rounded, and e = (1 + x) - u exactly (the smaller of the
	// two added to the difference of the larger and u).
	u := 1 + x
	var e float64
	if x <= 1 {
		e = (1 - u) + x
	} else {
		e = (x - u) + 1
	}
	k, m := split(u)
	f := m - 1
	kf := float64(k)
	// ln(1+x) = ln u + ln(1 + e/u), the second term e/u to first order.
	return float64(kf*ln2Hi) + (f + log1pCore(f, float64(kf*ln2Lo)+e/u))
}
