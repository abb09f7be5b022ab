package analysis

import (
	"math"
	"testing"
)

// TestQuantileInfinities: an order statistic is returned as it is, even
// infinite (0 x Inf had made the median of {1, 2, +Inf} NaN), and between
// an infinity and a finite neighbour the type-7 interpolation tends to the
// infinity.
func TestQuantileInfinities(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		xs   []float64
		p    float64
		want float64
	}{
		{[]float64{1, 2, inf}, 0.5, 2}, {[]float64{1, 2, inf}, 1, inf}, {[]float64{1, 2, inf}, 0.75, inf},
		{[]float64{-inf, 1, 2}, 0.5, 1}, {[]float64{-inf, 1, 2}, 0.25, -inf}, {[]float64{inf, inf}, 0.5, inf},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5}, {[]float64{-inf, inf}, 0.5, math.NaN()},
	} {
		got := Quantile(c.xs, c.p)
		if !(got == c.want || math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("Quantile(%v, %v) = %v, want %v", c.xs, c.p, got, c.want)
		}
	}
	if s := Summarize([]float64{1, 2, inf}); s.Median != 2 || s.N != 3 {
		t.Errorf("Summarize({1, 2, +Inf}): median %v, N %d; want 2, 3", s.Median, s.N)
	}
}
