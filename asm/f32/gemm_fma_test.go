package f32

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// fmaTestInputs returns triples (a, b, c), a multiple of 16 of them:
// random bit patterns, values in [-1, 1], near-ties (a*b+c within a float64
// rounding of a float32 midpoint, where double rounding goes wrong),
// subnormal products and sums, cancellation, and infinities and NaNs.
func fmaTestInputs(t *testing.T) (a, b, c []float32) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 1 << 18
	if testing.Short() || raceEnabled {
		n = 1 << 15
	}
	add := func(x, y, z float32) { a, b, c = append(a, x), append(b, y), append(c, z) }
	randBits := func(minExp, maxExp int) float32 {
		e := minExp + rng.IntN(maxExp-minExp+1) // biased exponent 0..255
		return math.Float32frombits(rng.Uint32()&0x807fffff | uint32(e)<<23)
	}
	for len(a) < n {
		switch len(a) % 8 {
		case 0: // any finite bits
			add(randBits(0, 254), randBits(0, 254), randBits(0, 254))
		case 1: // ordinary values
			add(float32(rng.Float64()*2-1), float32(rng.Float64()*2-1), float32(rng.Float64()*2-1))
		case 2, 3: // near-ties: a*b within 2^-24 relative of half an ulp of c
			z := randBits(40, 220)
			d := float64(ulp32(z)) / 2
			x := randBits(120, 134)
			y := float32(d / float64(x))
			if rng.IntN(2) == 0 {
				y = -y
			}
			add(x, y, z)
		case 4: // subnormal territory
			add(randBits(40, 90), randBits(40, 90), randBits(0, 3))
		case 5: // cancellation: c = -RN(a*b) (+- an ulp)
			x, y := randBits(60, 190), randBits(60, 190)
			z := -(x * y)
			switch rng.IntN(3) {
			case 1:
				z = math.Nextafter32(z, 0)
			case 2:
				z = math.Nextafter32(z, float32(math.Inf(1)))
			}
			add(x, y, z)
		case 6: // overflow, signed zeros and subnormal outputs
			add(randBits(180, 254), randBits(180, 254), randBits(200, 254))
		case 7:
			add(randBits(0, 30), randBits(100, 140), -randBits(0, 20))
		}
	}
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	max32 := float32(math.MaxFloat32)
	specials := []float32{0, float32(math.Copysign(0, -1)), 1, -1, inf, -inf, nan, max32, -max32,
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 0x1p-126, 1 + 0x1p-23, 1 - 0x1p-24}
	for _, x := range specials {
		for _, y := range specials {
			for _, z := range specials {
				add(x, y, z)
			}
		}
	}
	for len(a)%16 != 0 {
		add(1, 1, 1)
	}
	return a, b, c
}

// ulp32 returns the distance from |x| to the next float32 away from zero.
func ulp32(x float32) float32 {
	x = float32(math.Abs(float64(x)))
	return math.Nextafter32(x, float32(math.Inf(1))) - x
}

// fmaExact returns a*b+c rounded once to float32, from an exact big.Float
// sum (finite inputs).
func fmaExact(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(1100).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetFloat64(float64(c)))
	if x.Sign() == 0 {
		// Exact zero: the sign follows IEEE (-0 only for -0 + -0).
		return float32(float64(a)*float64(b) + float64(c))
	}
	f, _ := x.Float32()
	return f
}

// TestFMA32Exact compares fma32 with an exact big.Float computation on
// every platform (the hardware comparison is in gemm_amd64_test.go).
func TestFMA32Exact(t *testing.T) {
	a, b, c := fmaTestInputs(t)
	hard := 0
	for i := range a {
		x, y, z := a[i], b[i], c[i]
		var want float32
		if isFinite32(x) && isFinite32(y) && isFinite32(z) {
			want = fmaExact(x, y, z)
		} else {
			want = float32(float64(x)*float64(y) + float64(z))
		}
		if got := fma32(x, y, z); !sameFloat(got, want) {
			t.Fatalf("fma32(%g, %g, %g) = %g (%#08x), exact %g (%#08x)", x, y, z,
				got, math.Float32bits(got), want, math.Float32bits(want))
		}
		if dr := float32(math.FMA(float64(x), float64(y), float64(z))); !sameFloat(dr, want) {
			hard++
		}
	}
	// The inputs must contain cases that the naive double rounding gets
	// wrong, or the test proves little.
	if hard < 10 {
		t.Fatalf("only %d inputs where float32(math.FMA(...)) double-rounds wrongly", hard)
	}
	t.Logf("%d of %d inputs double-round wrongly in float32(math.FMA)", hard, len(a))
}

func isFinite32(x float32) bool { return !math.IsInf(float64(x), 0) && !math.IsNaN(float64(x)) }

// sameFloat reports bitwise equality, or both NaN (payloads may differ).
func sameFloat(x, y float32) bool {
	if x != x && y != y {
		return true
	}
	return math.Float32bits(x) == math.Float32bits(y)
}

// TestGemmHardSums runs fmaTestInputs' triples through the products of
// every implementation: A's row i is (z_i, x_i) and B's column j is
// (1, y_j), so C(i, j) = fma(x_i, y_j, z_i) after the exact first step
// z_i*1 + 0 (which turns -0 into +0). The diagonal holds the triples themselves (near-ties where
// double rounding goes wrong, subnormal sums, cancellation), checked
// against the exact big.Float result; the rest against fma32. Random
// operands almost never land a float64 sum on a float32 tie, so without
// this test a micro-kernel that rounded such sums twice would pass.
func TestGemmHardSums(t *testing.T) {
	xs, ys, zs := fmaTestInputs(t)
	var x, y, z []float32 // the finite triples
	for i := range xs {
		if isFinite32(xs[i]) && isFinite32(ys[i]) && isFinite32(zs[i]) {
			// The first step z*1 + 0 is exact but for the sign of zero.
			x, y, z = append(x, xs[i]), append(y, ys[i]), append(z, zs[i]+0)
		}
	}
	const T = 37 // an odd size: edge tiles in both directions
	exact := make([]float32, len(x))
	for i := range x {
		exact[i] = fmaExact(x[i], y[i], z[i])
	}
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		w := newTestWorkspace(2)
		a := make([]float32, T*2)  // T x 2, row-major
		at := make([]float32, 2*T) // its transpose
		b := make([]float32, 2*T)  // 2 x T
		bt := make([]float32, T*2) // its transpose
		c := make([]float32, T*T)
		for _, f := range []form{formNN, formNT, formTN} {
			for lo := 0; lo+T <= len(x); lo += T {
				for i := range T {
					a[2*i], a[2*i+1] = z[lo+i], x[lo+i]
					at[i], at[T+i] = z[lo+i], x[lo+i]
					b[i], b[T+i] = 1, y[lo+i]
					bt[2*i], bt[2*i+1] = 1, y[lo+i]
				}
				switch f {
				case formNN:
					w.GemmNN(T, T, 2, 1, a, 2, b, T, 0, c, T)
				case formNT:
					w.GemmNT(T, T, 2, 1, a, 2, bt, 2, 0, c, T)
				case formTN:
					w.GemmTN(T, T, 2, 1, at, T, b, T, 0, c, T)
				}
				for i := range T {
					for j := range T {
						want := fma32(x[lo+i], y[lo+j], z[lo+i])
						if i == j {
							want = exact[lo+i]
						}
						if got := c[i*T+j]; !sameFloat(got, want) {
							t.Fatalf("form %d: fma(%g, %g, %g) = %g (%#08x), want %g (%#08x)", f,
								x[lo+i], y[lo+j], z[lo+i], got, math.Float32bits(got), want, math.Float32bits(want))
						}
					}
				}
			}
		}
	})
}
