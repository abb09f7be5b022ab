package fmath

import "math"

// The reduction and polynomial of math.Log (FreeBSD's e_log.c), in the
// order of operations of the Go standard library's amd64 assembly.
const (
	hSqrt2 = 7.07106781186547524401e-01 // sqrt(2)/2
	ln2Hi2 = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	ln2Lo2 = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
	l1     = 6.666666666666735130e-01   // 0x3FE5555555555593
	l2     = 3.999999999940941908e-01   // 0x3FD999999997FA04
	l3     = 2.857142874366239149e-01   // 0x3FD2492494229359
	l4     = 2.222219843214978396e-01   // 0x3FCC71C51D8E78AF
	l5     = 1.818357216161805012e-01   // 0x3FC7466496CB03DE
	l6     = 1.531383769920937332e-01   // 0x3FC39A09D078C69F
	l7     = 1.479819860511658591e-01   // 0x3FC2F112DF3E5244
)

// Log returns the natural logarithm of x, bit for bit what math.Log returns
// on amd64 (any CPU: that assembly uses no FMA). Special cases as math.Log:
// Log(+Inf) = +Inf, Log(0) = -Inf, Log(x < 0) = NaN, Log(NaN) = NaN. Like
// the amd64 assembly it takes a subnormal x's exponent field as it is.
func Log(x float64) float64 {
	bits := math.Float64bits(x)
	switch {
	case bits&^(1<<63) == 0:
		return math.Inf(-1)
	case int64(bits) < 0:
		return math.Float64frombits(0x7ff8000000000001)
	case bits >= 0x7ff<<52:
		return x // +Inf or NaN
	}
	// x = f1 * 2^k with f1 in [1/2, 1); then f1 in (sqrt(2)/2, sqrt(2)].
	f1 := math.Float64frombits(bits&(1<<52-1) | 0x3fe0000000000000)
	k := float64(int32(bits>>52&0x7ff) - 0x3fe)
	if !(hSqrt2 < f1) {
		k--
		f1 *= 2
	}
	f := f1 - 1
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	R := t1 + t2
	hfsq := float64(0.5 * f * f)
	return float64(k*ln2Hi2) - ((hfsq - (float64(s*(hfsq+R)) + float64(k*ln2Lo2))) - f)
}
