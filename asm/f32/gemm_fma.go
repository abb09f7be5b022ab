package f32

import "math"

// fma32 returns a*b + c rounded once to float32 (round to nearest even),
// bit for bit what VFMADD231SS/PS and FMLA compute (without flush to zero).
//
// Go has no float32 FMA, and float32(math.FMA(a, b, c)) in float64 rounds
// twice, which differs from one rounding when the float64 result lies
// exactly halfway between two float32 values. The float64 product of two
// float32s is exact (48 significant bits), so only the addition rounds; if
// that rounding were done to odd (inexact results get an odd last bit), the
// second rounding to float32, 29 bits shorter, would be correct (Boldo and
// Melquiond, "Emulation of FMA and correctly rounded sums: proved
// algorithms using rounding to odd", 2008). A round-to-nearest sum differs
// from the round-to-odd one only when inexact with an even last bit, and
// then only matters when it lies on a float32 tie (its low 29 bits are
// 1<<28) or in the float32 subnormal range (where float32 keeps fewer
// bits): there the exact error of the sum (TwoSum) decides the direction.
func fma32(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b)) // exact; the conversion keeps arm64 from fusing it into s
	s := p + float64(c)
	if fma32Hard(s) {
		return fma32Slow(p, float64(c), s)
	}
	return float32(s)
}

// fma32Hard reports whether the float64 sum s may round to float32
// differently from the exact sum: it lies on a float32 tie (low 29 bits
// 1<<28) or below the float32 normal range but not zero (exponent field
// 1..1023-127), where float32 keeps fewer bits. A zero sum is exact (the
// sum of a product of two float32s and a float32 is a multiple of 2^-298,
// so it is never a float64 subnormal), and zeros are common (binary data,
// fresh accumulators), so they stay on the fast path. Infinities and NaNs
// may report true.
func fma32Hard(s float64) bool {
	bits := math.Float64bits(s)
	return bits&(1<<29-1) == 1<<28 || (bits>>52&0x7ff)-1 < 1023-127
}

// fma32Slow rounds s = p + c (float64, round to nearest) to odd from the
// exact error of the sum, then to float32. Most sums that fma32Hard flags
// are exact ties (two float32s of similar size, as 0/1 data give, often
// add to 25 bits), which float32(s) rounds correctly as they are.
func fma32Slow(p, c, s float64) float32 {
	// TwoSum: s + e == p + c exactly (e is NaN when s is not finite).
	bb := s - p
	e := (p - (s - bb)) + (c - bb)
	if e == 0 {
		return float32(s) // s is exact: one rounding
	}
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return float32(s)
	}
	bits := math.Float64bits(s)
	if bits&1 == 0 {
		if (e > 0) == (s > 0) {
			bits++ // the odd neighbour away from zero
		} else {
			bits-- // the odd neighbour towards zero
		}
	}
	return float32(math.Float64frombits(bits))
}
