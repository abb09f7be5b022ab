// Package fmath holds elementary functions that give the same bits on every
// CPU and architecture, for the float64 code whose results are written out.
//
// The standard library's math.Exp and math.Log are assembly on amd64 and
// pure Go or other assembly elsewhere: on amd64 math.Exp takes a different
// path when the CPU has FMA (so an old CPU, or a VM that hides FMA, rounds
// differently), and arm64 gives other last bits for both. Exp and Log here
// are the amd64 paths (Exp's FMA one) written in Go, with math.FMA where the
// assembly fuses (math.FMA rounds once on every architecture: an
// instruction where there is one, exact software otherwise) and explicit
// conversions wherever the compiler could otherwise fuse a multiply and an
// add (see .ci/nofma). On amd64 CPUs with FMA they return exactly what
// math.Exp and math.Log return, so results made there do not change.
//
// math.Log1p, Expm1, Sin, Cos, Tanh, Cosh, Sinh, Pow and the rest still
// differ in the last bit between amd64 and arm64 (and Tanh, Cosh, Sinh and
// Pow, which call math.Exp, between amd64 CPUs with and without FMA).
package fmath

import "math"

// The argument reduction and Taylor polynomial of Naoki Shibata's SLEEF
// (public domain), as used by the Go standard library on amd64.
const (
	ln2Hi    = 0.69314718055966295651160180568695068359375           // upper part of ln 2
	ln2Lo    = 0.28235290563031577122588448175013436025525412068e-12 // lower part of ln 2
	log2e    = 1.4426950408889634073599246810018920
	overflow = 7.09782712893384e+02
	c2       = 0.5
	c3       = 1.6666666666666666667e-1
	c4       = 4.1666666666666666667e-2
	c5       = 8.3333333333333333333e-3
	c6       = 1.3888888888888888889e-3
	c7       = 1.9841269841269841270e-4
	c8       = 2.4801587301587301587e-5
)

// Exp returns e**x, bit for bit what math.Exp returns on amd64 CPUs with FMA.
// Special cases as math.Exp: Exp(+Inf) = +Inf, Exp(-Inf) = 0, Exp(NaN) = NaN,
// and values above about 709.78 overflow to +Inf.
func Exp(x float64) float64 {
	bits := math.Float64bits(x)
	if bits&^(1<<63) >= 0x7ff<<52 { // infinite or NaN
		if math.IsInf(x, -1) {
			return 0
		}
		return x
	}
	if x > overflow {
		return math.Inf(1)
	}
	// k = round(x / ln 2) as a 32-bit integer, like CVTSD2SL: out of range
	// gives the "integer indefinite" -2^31, which underflows to 0 below.
	t := float64(log2e * x)
	k := int32(math.MinInt32)
	if t >= -(1<<31) && t < 1<<31 {
		k = int32(math.RoundToEven(t))
	}
	kf := float64(k)
	// r = (x - k ln 2) / 16, ln 2 in two parts, each step rounded once.
	r := math.FMA(-kf, ln2Hi, x)
	r = math.FMA(-kf, ln2Lo, r)
	r *= 0.0625
	// e^r - 1 = r (1 + r/2 + r^2/6 + ...), then squared four times:
	// e^(2r) - 1 = (e^r - 1)(e^r - 1 + 2).
	p := math.FMA(c8, r, c7)
	p = math.FMA(p, r, c6)
	p = math.FMA(p, r, c5)
	p = math.FMA(p, r, c4)
	p = math.FMA(p, r, c3)
	p = math.FMA(p, r, c2)
	p = math.FMA(p, r, 1)
	y := float64(r * p)
	y = float64(y * (y + 2))
	y = float64(y * (y + 2))
	y = float64(y * (y + 2))
	y = math.FMA(y, y+2, 1) // e^(16r)
	// Times 2^k; below the normal range in two steps, like the assembly.
	e := int64(k) + 0x3ff
	if e <= 0 {
		if e < -52 {
			return 0
		}
		y = float64(y * math.Float64frombits(uint64(e+0x3fe)<<52))
		e = 1
	} else if e >= 0x7ff {
		return math.Inf(1)
	}
	return float64(y * math.Float64frombits(uint64(e)<<52))
}
