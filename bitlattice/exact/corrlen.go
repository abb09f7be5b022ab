package exact

import "math"

// CorrelationLength returns the exact correlation length of the infinite
// square lattice at coupling K >= 0, in lattice spacings along an axis: the
// decay length of the connected spin-spin correlation, <s_0 s_r> - <s>^2 ~
// e^{-r/xi}. With g_0 = 2K + ln tanh K (negative below Kc), 1/xi = -g_0
// below Kc (Onsager; equal to 2(K* - K) with the dual coupling
// tanh K* = e^{-2K}) and 1/xi = 2 g_0 above (the duality xi(K) = xi(K*)/2,
// the two-particle decay of the ordered phase). It is 0 at K = 0, +Inf at
// Kc, and keeps relative precision near Kc, where xi ~ 1/(4 |K - Kc|)
// below and 1/(8 |K - Kc|) above. NaN for K < 0 or NaN.
func CorrelationLength(K float64) float64 {
	if !(K >= 0) {
		return math.NaN()
	}
	g := g0Value(K)
	if g < 0 {
		return -1 / g
	}
	return 1 / (2 * g)
}
