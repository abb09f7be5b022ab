package bitlattice

import (
	"fmt"
	"math"
	"math/cmplx"
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

// TestFFT compares the transform with the direct sum at every power of two
// up to 512 (odd and even numbers of radix-4 steps), also with its first
// step for an upper half of zeros.
func TestFFT(t *testing.T) {
	g := rng.New(12)
	for n := 4; n <= 512; n *= 2 {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(g.NormFloat64(), g.NormFloat64())
		}
		got := append([]complex128(nil), x...)
		newFFT(n).transform(got, false)
		half := append([]complex128(nil), x...)
		clear(half[n/2:])
		top := append([]complex128(nil), half...)
		newFFT(n).transform(top, true)
		checkDFT(t, fmt.Sprintf("n=%d", n), x, got)
		checkDFT(t, fmt.Sprintf("n=%d, upper half zero", n), half, top)
	}
}

// checkDFT fails t unless got is the discrete Fourier transform of x, by
// the direct sum, within 1e-12 n.
func checkDFT(t *testing.T, name string, x, got []complex128) {
	t.Helper()
	n := len(x)
	for k := range n {
		var want complex128
		for j, v := range x {
			s, c := math.Sincos(-2 * math.Pi * float64(j*k%n) / float64(n))
			want += v * complex(c, s)
		}
		if d := cmplx.Abs(got[k] - want); d > 1e-12*float64(n) {
			t.Fatalf("%s: X(%d) = %v, want %v (difference %.3g)", name, k, got[k], want, d)
		}
	}
}
