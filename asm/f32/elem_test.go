package f32

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// vecLens are the edges of the kernels' vectors and unrolled turns: NEON 4,
// AVX2 8, AVX-512 16 floats, and 2 or 4 vectors a turn.
var vecLens = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 96, 100, 127, 128, 129, 193, 1000}

// guarded returns a vector of n values from gen inside NaN guards, starting
// at offset off, and the whole buffer.
func guarded(n, off int, gen func(i int) float32) (v, buf []float32) {
	buf = make([]float32, guard+off+n+guard)
	for i := range buf {
		buf[i] = guardNaN
	}
	v = buf[guard+off : guard+off+n : guard+off+n]
	for i := range v {
		v[i] = gen(i)
	}
	return v, buf
}

func checkVecGuards(t *testing.T, name string, buf []float32, off, n int) {
	t.Helper()
	for i, x := range buf {
		if i >= guard+off && i < guard+off+n {
			continue
		}
		if math.Float32bits(x) != math.Float32bits(guardNaN) {
			t.Fatalf("%s: guard %d overwritten with %v", name, i, x)
		}
	}
}

func sameBits(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func sigmoid64(x float32) float64 { return 1 / (1 + math.Exp(-float64(x))) }

// sigmoidErr returns |got-want| - 1e-6*want: positive is a failure. Below
// the floor 2^-63 the sigmoid is 0 (got itself is the error), and within
// 2e-6 of the floor either 0 or a value within the bound will do.
func sigmoidErr(got float32, x float32) float64 {
	want := sigmoid64(x)
	if want < 0x1p-63*(1+2e-6) && got == 0 {
		return -1
	}
	if want < 0x1p-63*(1-2e-6) {
		return float64(got)
	}
	return math.Abs(float64(got)-want) - 1e-6*want
}

// TestSigmoidSweep checks the error bound over a dense sweep of all float32
// bit patterns (every 509th), the special values, the region where
// exp(-|x|) is subnormal and the floor, and reports the largest relative
// error where the result is not 0.
func TestSigmoidSweep(t *testing.T) {
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5, 16.6, 17, 20, -20, 87, -87, 87.3, -87.3,
		88.7, -88.7, 100, -100, 103, -103, 103.97, -103.97, 104, -104, 110, -110, 1e4, -1e4, math.MaxFloat32, -math.MaxFloat32,
		float32(math.Inf(1)), float32(math.Inf(-1)), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 0x1p-126, -0x1p-126}
	for x := float32(-104); x <= -85; x += 1.0 / 64 {
		special = append(special, x) // where exp(-|x|) is subnormal
	}
	for x := float32(-44); x <= -43.3; x += 1.0 / 4096 {
		special = append(special, x) // across the floor 2^-63 at -43.668
	}
	const stride = 509
	n := (1<<32)/stride + 1
	if testing.Short() || raceEnabled {
		n /= 8
	}
	xs := make([]float32, 0, n+len(special))
	for i := 0; i < n; i++ {
		xs = append(xs, math.Float32frombits(uint32(i*stride)))
	}
	xs = append(xs, special...)
	got := make([]float32, len(xs))
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		Sigmoid(got, xs)
		var maxRel float64
		var worst float32
		for i, x := range xs {
			g := got[i]
			if x != x {
				if g == g {
					t.Fatalf("sigmoid(NaN) = %v", g)
				}
				continue
			}
			if g != g {
				t.Fatalf("sigmoid(%v) = NaN", x)
			}
			if e := sigmoidErr(g, x); e > 0 {
				t.Fatalf("sigmoid(%v) = %v, want %v", x, g, sigmoid64(x))
			}
			if want := sigmoid64(x); g != 0 {
				if r := math.Abs(float64(g)-want) / want; r > maxRel {
					maxRel, worst = r, x
				}
			}
			if (x >= 20 && g != 1) || (x <= -44 && g != 0) || (x >= -43.6 && g == 0) {
				t.Fatalf("sigmoid(%v) = %v, want exactly %v", x, g, math.Round(sigmoid64(x)))
			}
		}
		t.Logf("max relative error %.3g (at x = %v) over %d inputs", maxRel, worst, len(xs))
	})
}

func TestSigmoidGuards(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, n := range vecLens {
			for off := 0; off < 2; off++ {
				x, xbuf := guarded(n, off, func(int) float32 { return float32(rng.NormFloat64() * 10) })
				x0 := append([]float32(nil), x...)
				d, dbuf := guarded(n, 1-off, func(int) float32 { return -7 })
				Sigmoid(d, x)
				checkVecGuards(t, "x", xbuf, off, n)
				checkVecGuards(t, "dst", dbuf, 1-off, n)
				if !sameBits(x, x0) {
					t.Fatal("x changed")
				}
				for i := range x {
					if sigmoidErr(d[i], x[i]) > 0 {
						t.Fatalf("n=%d: sigmoid(%v) = %v", n, x[i], d[i])
					}
				}
				Sigmoid(x, x) // in place
				if !sameBits(x, d) {
					t.Fatalf("n=%d: in-place result differs", n)
				}
			}
		}
	})
}

func TestReductions(t *testing.T) {
	eps := float64(0x1p-23)
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, n := range vecLens {
			for off := 0; off < 2; off++ {
				a, abuf := guarded(n, off, func(int) float32 { return float32(rng.Float64()*2 - 1) })
				b, bbuf := guarded(n, 1-off, func(int) float32 { return float32(rng.Float64()*2 - 1) })
				a0, b0 := append([]float32(nil), a...), append([]float32(nil), b...)
				var dot, sabs, sq float64
				for i := range a {
					dot += float64(a[i]) * float64(b[i])
					sabs += math.Abs(float64(a[i]) * float64(b[i]))
					d := float64(a[i]) - float64(b[i])
					sq += d * d
				}
				if got := float64(Dot(a, b)); math.Abs(got-dot) > 2*eps*float64(n+2)*sabs {
					t.Errorf("n=%d: Dot = %v, want %v", n, got, dot)
				}
				if got := SquaredDiffSum(a, b); math.Abs(got-sq) > 1e-13*(sq+1) {
					t.Errorf("n=%d: SquaredDiffSum = %v, want %v", n, got, sq)
				}
				checkVecGuards(t, "a", abuf, off, n)
				checkVecGuards(t, "b", bbuf, 1-off, n)
				if !sameBits(a, a0) || !sameBits(b, b0) {
					t.Fatal("input changed")
				}
			}
		}
	})
}

func TestColSums(t *testing.T) {
	eps := float64(0x1p-23)
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		q := 0
		for _, m := range []int{0, 1, 3, 17, 100} {
			for _, n := range []int{0, 1, 4, 5, 7, 8, 9, 16, 17, 20, 31, 32, 33, 40, 65, 400} {
				q++
				alpha, beta := scalars[q%4], scalars[(q/4)%4]
				A := newPadded(rng, m, n, max(n, 1)+q%3, q%2)
				A0 := A.clone()
				d, dbuf := guarded(n, (q+1)%2, func(int) float32 { return float32(rng.Float64()) })
				d0 := append([]float32(nil), d...)
				if beta == 0 {
					for j := 0; j < n; j += 2 {
						d[j] = float32(math.NaN())
					}
				}
				ColSums(d, A.mat(), m, n, A.ld, alpha, beta)
				A.checkGuards(t, "a", A0, true)
				checkVecGuards(t, "dst", dbuf, (q+1)%2, n)
				for j := 0; j < n; j++ {
					var s, sabs float64
					for i := 0; i < m; i++ {
						s += float64(A.at(i, j))
						sabs += math.Abs(float64(A.at(i, j)))
					}
					want := float64(alpha) * s
					tol := 2 * eps * (float64(m+2)*sabs*math.Abs(float64(alpha)) + math.Abs(want))
					if beta != 0 {
						want += float64(beta) * float64(d0[j])
						tol += 2 * eps * math.Abs(float64(beta)*float64(d0[j]))
					}
					if math.Abs(float64(d[j])-want) > tol {
						t.Fatalf("m=%d n=%d alpha=%v beta=%v: dst[%d] = %v, want %v", m, n, alpha, beta, j, d[j], want)
					}
				}
			}
		}
	})
}

// TestColSumsSignedZero: the sums start from -0 (ColSums), so a column of
// -0 sums to -0 over one row or more, as the rows' own sum does, and to +0
// over none; in every implementation, at every width (n = 1..40 covers the
// 4-register blocks and the masked tails).
func TestColSumsSignedZero(t *testing.T) {
	neg := float32(math.Copysign(0, -1))
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		for _, m := range []int{0, 1, 2, 5} {
			for n := 1; n <= 40; n++ {
				a := make([]float32, max(m, 1)*n)
				for i := range a {
					a[i] = neg
				}
				for _, beta := range []float32{0, 1} {
					d := make([]float32, n)
					for j := range d {
						d[j] = neg
					}
					ColSums(d, a, m, n, n, 1, beta)
					// beta 1: -0 + -0 is -0; m = 0: 1 * +0 (+ -0) is +0.
					want := neg
					if m == 0 {
						want = 0
					}
					for j, v := range d {
						if math.Float32bits(v) != math.Float32bits(want) {
							t.Fatalf("m %d n %d beta %v: dst[%d] = %#08x, want %#08x", m, n, beta, j, math.Float32bits(v), math.Float32bits(want))
						}
					}
				}
			}
		}
	})
}

// softplusRef is softplus in float64, accurate for every x.
func softplusRef(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func TestSoftplus(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 10))
		special := []float32{0, 1, -1, 10, -10, 17, -17, 30, -30, 88, -88, 100, -100, 104, -104, 1e4, -1e4, 1e-3, -1e-3, 1e-30, 0x1p-140}
		for _, n := range vecLens {
			x := make([]float32, n)
			for i := range x {
				if i < len(special) && n < 100 {
					x[i] = special[i]
				} else {
					x[i] = float32(rng.NormFloat64() * float64(1+i%40))
				}
			}
			var want, sabs float64
			for _, v := range x {
				want += softplusRef(float64(v))
				sabs += softplusRef(float64(v))
			}
			if got := SoftplusSum(x); math.Abs(got-want) > 1e-6*sabs {
				t.Errorf("n=%d: SoftplusSum = %v, want %v", n, got, want)
			}
		}
		inf := float32(math.Inf(1))
		if got := SoftplusSum([]float32{inf, 1}); !math.IsInf(got, 1) {
			t.Errorf("SoftplusSum(+Inf) = %v", got)
		}
		if got := SoftplusSum([]float32{-inf, 0}); math.Abs(got-math.Ln2) > 1e-7 {
			t.Errorf("SoftplusSum(-Inf, 0) = %v, want ln 2", got)
		}
		if got := SoftplusSum([]float32{float32(math.NaN()), 0}); !math.IsNaN(got) {
			t.Errorf("SoftplusSum(NaN) = %v", got)
		}
		for _, n := range []int{0, 1, 7, 8, 9, 17, 100} {
			for _, withBias := range []bool{false, true} {
				m, ldx := 5, n+3
				X := newPadded(rng, m, n, ldx, n%2)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						X.buf[X.off+i*ldx+j] *= 20
					}
				}
				X0 := X.clone()
				var bias []float32
				if withBias {
					bias = make([]float32, n)
					for j := range bias {
						bias[j] = float32(rng.NormFloat64() * 3)
					}
				}
				dst, dbuf := guarded(m, 1, func(int) float32 { return -1 })
				SoftplusRowSums(dst, X.mat(), m, n, ldx, bias)
				X.checkGuards(t, "x", X0, true)
				checkVecGuards(t, "dst", dbuf, 1, m)
				for i := 0; i < m; i++ {
					var s float64
					for j := 0; j < n; j++ {
						v := X.at(i, j)
						if bias != nil {
							v += bias[j]
						}
						s += softplusRef(float64(v))
					}
					if math.Abs(float64(dst[i])-s) > 1e-6*s {
						t.Errorf("n=%d bias=%v row %d: %v, want %v", n, withBias, i, dst[i], s)
					}
				}
			}
		}
	})
}

func TestUpdate(t *testing.T) {
	eps := float64(0x1p-23)
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for _, proximal := range []bool{false, true} {
			for _, n := range vecLens {
				off := n % 2
				gen := func(i int) float32 {
					if i%5 == 0 {
						return 0 // sign(0) = 0
					}
					return float32(rng.NormFloat64() * 0.1)
				}
				w, wbuf := guarded(n, off, gen)
				v, vbuf := guarded(n, 1-off, gen)
				g, gbuf := guarded(n, off, gen)
				w0, v0, g0 := append([]float32(nil), w...), append([]float32(nil), v...), append([]float32(nil), g...)
				lr, mom, l1, l2 := float32(0.1), float32(0.9), float32(0.01), float32(0.002)
				if proximal {
					UpdateProximal(w, v, g, lr, mom, l1, l2)
				} else {
					Update(w, v, g, lr, mom, l1, l2)
				}
				checkVecGuards(t, "w", wbuf, off, n)
				checkVecGuards(t, "vel", vbuf, 1-off, n)
				checkVecGuards(t, "grad", gbuf, off, n)
				if !sameBits(g, g0) {
					t.Fatal("grad changed")
				}
				for i := range w {
					x, gi := float64(w0[i]), float64(g0[i])
					l1t := float64(l1) * float64(sign(w0[i]))
					if proximal {
						l1t = 0
					}
					vel := float64(mom)*float64(v0[i]) + float64(lr)*(gi-float64(l2)*x-l1t)
					y := x + vel
					tol := 4 * eps * (math.Abs(x) + math.Abs(float64(mom)*float64(v0[i])) + float64(lr)*(math.Abs(gi)+math.Abs(float64(l2)*x)+float64(l1)))
					wantW := y
					if proximal {
						th := float64(lr) * float64(l1)
						wantW = y - min(max(y, -th), th)
						tol += 2 * eps * math.Abs(y)
						vel = wantW - x // the step the weight took
					}
					if math.Abs(float64(v[i])-vel) > tol || math.Abs(float64(w[i])-wantW) > 2*tol {
						t.Fatalf("proximal=%v n=%d i=%d: w=%v vel=%v, want %v %v", proximal, n, i, w[i], v[i], wantW, vel)
					}
				}
			}
		}
	})
}

// sign is the L1 subgradient of Update's contract (sign(0) = 0).
func sign(x float32) float32 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func TestElementwisePanics(t *testing.T) {
	a := make([]float32, 4)
	for name, f := range map[string]func(){
		"Sigmoid":        func() { Sigmoid(a[:3], a) },
		"Dot":            func() { Dot(a, a[:3]) },
		"SquaredDiffSum": func() { SquaredDiffSum(a, a[:3]) },
		"ColSums":        func() { ColSums(a[:1], a, 2, 2, 2, 1, 0) },
		"ColSums lda":    func() { ColSums(a, a, 2, 2, 1, 1, 0) },
		"Update":         func() { Update(a, a[:3], a, 1, 1, 1, 1) },
		"Proximal":       func() { UpdateProximal(a, a, a[:2], 1, 1, 1, 1) },
		"RowSums":        func() { SoftplusRowSums(a[:1], a, 2, 2, 2, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// FuzzSigmoid checks every implementation against float64 on fuzzed inputs.
func FuzzSigmoid(f *testing.F) {
	f.Add(uint32(0), uint32(0x7f800000), uint32(0xc2d00000), uint8(9))
	f.Add(uint32(0x42b00000), uint32(0x80000001), uint32(0x7fc00000), uint8(17))
	f.Fuzz(func(t *testing.T, b0, b1, b2 uint32, n uint8) {
		xs := make([]float32, int(n)%40+3)
		for i := range xs {
			xs[i] = math.Float32frombits([]uint32{b0, b1, b2}[i%3] + uint32(i/3)*0x1000)
		}
		got := make([]float32, len(xs))
		asmtest.TestAll(t, pkgName, func(t *testing.T) {
			Sigmoid(got, xs)
			for i, x := range xs {
				if x != x {
					if got[i] == got[i] {
						t.Fatalf("sigmoid(NaN) = %v", got[i])
					}
				} else if !(sigmoidErr(got[i], x) <= 0) {
					t.Fatalf("sigmoid(%v) = %v, want %v", x, got[i], sigmoid64(x))
				}
			}
		})
	})
}

// TestUpdateProximalFixedPoint: with the proximal step a weight stands
// still where |gradient| <= l1 at w = 0, whatever the momentum, as with
// the subgradient (Update). Before vel became the step taken, momentum
// 0.9 let a gradient of half the penalty carry a zero weight to 0.159 in
// 2,000 steps (lr 0.1, l1 2e-4): an L1 ten times weaker than asked.
func TestUpdateProximalFixedPoint(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		const lr, l1 = 0.1, 2e-4
		for _, mom := range []float32{0, 0.5, 0.9} {
			// 33 weights: vector widths and a tail; every one starts at 0.
			n := 33
			w, vel, g := make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range g {
				g[i] = float32(0.5 * l1 * float64(1-2*(i%2))) // +- half the penalty
			}
			for range 2000 {
				UpdateProximal(w, vel, g, lr, mom, l1, 0)
			}
			for i, x := range w {
				if x != 0 {
					t.Fatalf("momentum %v: weight %d at %v after 2000 steps of gradient %v, want 0 (|gradient| < l1 = %v)", mom, i, x, g[i], l1)
				}
			}
			// A gradient above the penalty moves the weight, at the rate
			// (g - l1)*lr/(1 - momentum) once the velocity has built up.
			for i := range g {
				g[i] = float32(2 * l1)
			}
			for range 200 {
				UpdateProximal(w, vel, g, lr, mom, l1, 0)
			}
			want := 200 * lr * l1 / (1 - float64(mom)) // (2 l1 - l1) lr per step, times 1/(1-mu) in steady state
			if got := float64(w[0]); got < 0.5*want || got > 1.01*want {
				t.Errorf("momentum %v: weight %v after 200 steps of gradient 2*l1, want about %v", mom, got, want)
			}
		}
	})
}
