package f32

import (
	"strings"
	"testing"
)

// TestZeroRandRefused: the zero Rand (all-zero xoshiro256++ lanes, whose
// output is 0 forever: Bernoulli gave 1 for every p > 0) panics instead of
// drawing.
func TestZeroRandRefused(t *testing.T) {
	var r Rand
	p := []float32{0.01, 0.5, 0.99}
	dst := make([]float32, 3)
	bits := make([]uint64, 1)
	for name, f := range map[string]func(){
		"Uniform":       func() { r.Uniform(dst) },
		"Bernoulli":     func() { r.Bernoulli(dst, p) },
		"BernoulliBits": func() { r.BernoulliBits(bits, p) },
	} {
		if msg := panicMessage(f); !strings.Contains(msg, "zero Rand") {
			t.Errorf("%s of the zero Rand: panic %q, want one naming the zero Rand", name, msg)
		}
	}
	NewRand(1, 2).Bernoulli(dst, p) // a real one draws
}

// TestNewRandStreamBound: stream*Lanes must not wrap (NewRand(seed, s) and
// NewRand(seed, s+2^61) were one generator): streams above MaxStream are
// refused, MaxStream itself works and differs from stream 0.
func TestNewRandStreamBound(t *testing.T) {
	if msg := panicMessage(func() { NewRand(1, MaxStream+1) }); !strings.Contains(msg, "MaxStream") {
		t.Errorf("NewRand(1, MaxStream+1): panic %q, want one naming MaxStream", msg)
	}
	a, b := NewRand(1, 0), NewRand(1, MaxStream)
	if a.s == b.s {
		t.Errorf("streams 0 and MaxStream have the same state")
	}
}
