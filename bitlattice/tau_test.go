package bitlattice

import (
	"math"
	"testing"

	"github.com/isingrbm/isingrbm/asm/rng"
)

// TestAutocorrelationDirect compares Autocorrelation (summed power spectra,
// one inverse transform) with the definition's O(R T^2) sum, over lengths
// whose padded transform is a power of two and whose is not, single and
// many series, and correlated and constant-offset series.
func TestAutocorrelationDirect(t *testing.T) {
	g := rng.New(11)
	for _, c := range [][2]int{{1, 2}, {1, 3}, {3, 5}, {2, 16}, {7, 17}, {5, 100}, {4, 257}, {16, 898}} {
		R, T := c[0], c[1]
		series := make([][]float32, R)
		for r := range series {
			series[r] = make([]float32, T)
			x := g.NormFloat64()
			for i := range series[r] {
				series[r][i] = float32(x + float64(r))
				x = 0.8*x + g.NormFloat64()
			}
		}
		got := Autocorrelation(series)
		var mean float64
		for _, x := range series {
			for _, v := range x {
				mean += float64(v)
			}
		}
		mean /= float64(R * T)
		want := make([]float64, T)
		for lag := range T {
			var s float64
			for _, x := range series {
				for i := range T - lag {
					s += (float64(x[i]) - mean) * (float64(x[i+lag]) - mean)
				}
			}
			want[lag] = s / float64(R*(T-lag))
		}
		if len(got) != T {
			t.Fatalf("R=%d T=%d: %d values, want %d", R, T, len(got), T)
		}
		for lag := range T {
			w := want[lag] / want[0]
			// Relative to C(0): the transform's rounding is absolute, of the
			// order of eps times the sums' size.
			if d := math.Abs(got[lag] - w); d > 1e-12 || math.IsNaN(got[lag]) {
				t.Fatalf("R=%d T=%d: rho(%d) = %.17g, want %.17g (difference %.3g)", R, T, lag, got[lag], w, d)
			}
		}
	}
	if rho := Autocorrelation([][]float32{{2, 2, 2}, {2, 2, 2}}); rho != nil {
		t.Errorf("constant series: rho = %v, want nil", rho)
	}
}

// TestFFTLength checks that fftLength returns the smallest 2,3,5-smooth
// length at or above its argument.
func TestFFTLength(t *testing.T) {
	smooth := func(n int) bool {
		for _, p := range []int{2, 3, 5} {
			for n%p == 0 {
				n /= p
			}
		}
		return n == 1
	}
	want := 1
	for m := 1; m <= 5000; m++ {
		for !smooth(want) || want < m {
			want++
		}
		if got := fftLength(m); got != want {
			t.Fatalf("fftLength(%d) = %d, want %d", m, got, want)
		}
	}
}
