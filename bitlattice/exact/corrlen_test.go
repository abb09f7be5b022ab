package exact

import (
	"math"
	"testing"
)

// TestCorrelationLength checks CorrelationLength against the dual form of
// the high-temperature length, 1/xi = 2(K* - K) with tanh K* = e^{-2K}
// (computed here with math's functions, not g_0), and the low-temperature
// one through duality, xi(K) = xi(K*)/2; and the limits.
func TestCorrelationLength(t *testing.T) {
	dual := func(K float64) float64 { return math.Atanh(math.Exp(-2 * K)) }
	high := func(K float64) float64 { return 1 / (2 * (dual(K) - K)) }
	for _, K := range []float64{0.01, 0.1, 0.2, 0.3, 0.38, 0.408, 0.42, 0.43, 0.44} {
		got, want := CorrelationLength(K), high(K)
		if math.Abs(got-want) > 1e-9*want {
			t.Errorf("K = %v: xi = %v, want %v", K, got, want)
		}
	}
	for _, K := range []float64{0.45, 0.5, 0.6, 1, 1.5} {
		got, want := CorrelationLength(K), high(dual(K))/2
		if math.Abs(got-want) > 1e-9*want {
			t.Errorf("K = %v: xi = %v, want %v (the dual's half)", K, got, want)
		}
	}
	// Near Kc: xi (K_c - K) -> 1/4 below, xi (K - K_c) -> 1/8 above.
	for _, d := range []float64{1e-6, 1e-9} {
		if got := CorrelationLength(Kc-d) * d; math.Abs(got-0.25) > 1e-4 {
			t.Errorf("xi(Kc - %g) (Kc - K) = %v, want 1/4", d, got)
		}
		if got := CorrelationLength(Kc+d) * d; math.Abs(got-0.125) > 1e-4 {
			t.Errorf("xi(Kc + %g) (K - Kc) = %v, want 1/8", d, got)
		}
	}
	if xi := CorrelationLength(0); xi != 0 {
		t.Errorf("xi(0) = %v, want 0", xi)
	}
	if xi := CorrelationLength(Kc); !math.IsInf(xi, 1) {
		t.Errorf("xi(Kc) = %v, want +Inf", xi)
	}
	if xi := CorrelationLength(-1); !math.IsNaN(xi) {
		t.Errorf("xi(-1) = %v, want NaN", xi)
	}
}
