package rbm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/isingrbm/isingrbm/asm/f32"
)

// TestDot64Bits checks that the sum over the bits of a 0/1 vector is
// dot64's, bit for bit, at lengths around the 64-bit words and densities
// from no ones to all ones, with signed and zero weights.
func TestDot64Bits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 129, 400, 1600} {
		for _, q := range []float64{0, 0.1, 0.5, 0.9, 1} {
			a := make([]float32, n)
			v := make([]float32, n)
			for j := range a {
				a[j] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
				if rng.IntN(10) == 0 {
					a[j] = float32(math.Copysign(0, -1))
				}
				if rng.Float64() < q {
					v[j] = 1
				}
			}
			var b f32.Bits
			if !b.Pack(v, 1, n, max(n, 1)) {
				t.Fatal("Pack refused 0/1 values")
			}
			want, got := dot64(a, v), dot64Bits(a, b.Words)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("n %d q %v: dot64Bits = %v (%#x), dot64 = %v (%#x)", n, q, got, math.Float64bits(got), want, math.Float64bits(want))
			}
		}
	}
}
