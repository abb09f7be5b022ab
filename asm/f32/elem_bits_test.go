package f32

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// The elementwise kernels promise the same bits in every implementation:
// these tests run each kernel under every implementation the CPU has and
// require byte-identical output to the portable Go twin, and a SHA-256 of a
// fixed workload that is the same on every CPU and GOARCH.

var bitLens = []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1600}

// crossLens adds to bitLens (whose workload has the golden hash) lengths
// through every block of the AVX-512 sigmoid's row: 64-element loop, pair
// of 32, single 16, masked tail (127 = all four; 193 = three loop turns
// and a one-element tail).
var crossLens = append(append([]int(nil), bitLens...), 48, 96, 111, 127, 128, 129, 193)

// extremeF32 draws a float32 from a mix meant to reach every branch of the
// kernels: ordinary values at several scales, the sigmoid/exp range
// boundaries, huge values, subnormals, zeros of both signs, infinities and
// NaNs with assorted payloads.
func extremeF32(rng *rand.Rand) float32 {
	switch rng.IntN(16) {
	case 0:
		return float32(rng.NormFloat64() * 1e30)
	case 1:
		return math.Float32frombits(rng.Uint32() & 0x807fffff) // subnormal or zero
	case 2:
		return []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
			math.MaxFloat32, -math.MaxFloat32, 110, -110, 103.97, -103.97, 87.3, -87.3}[rng.IntN(12)]
	case 3:
		return math.Float32frombits([]uint32{0x7fc00000, 0xffc00000, 0x7f800001, 0xff812345, 0x7fc0dead}[rng.IntN(5)])
	case 4, 5, 6:
		return float32((rng.Float64()*2 - 1) * 120)
	case 7:
		return float32(rng.NormFloat64() * 1e-3)
	default:
		return float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(4))-1))
	}
}

// finiteF32 draws ordinary values only.
func finiteF32(rng *rand.Rand) float32 { return float32(rng.NormFloat64() * 3) }

// bitsRecorder collects the bytes an implementation produced.
type bitsRecorder struct{ b []byte }

func (r *bitsRecorder) f32s(v []float32) {
	for _, x := range v {
		r.b = binary.LittleEndian.AppendUint32(r.b, math.Float32bits(x))
	}
}
func (r *bitsRecorder) f32(x float32) { r.f32s([]float32{x}) }
func (r *bitsRecorder) f64(x float64) {
	r.b = binary.LittleEndian.AppendUint64(r.b, math.Float64bits(x))
}
func (r *bitsRecorder) u64s(v []uint64) {
	for _, x := range v {
		r.b = binary.LittleEndian.AppendUint64(r.b, x)
	}
}

// sameAcrossImpls runs work once per implementation of the package (the
// portable one first) and fails unless every run records the same bytes.
// work must be deterministic (it builds its own inputs).
func sameAcrossImpls(t *testing.T, what string, work func(t *testing.T, r *bitsRecorder)) []byte {
	t.Helper()
	defer asm.Reset(pkgName)
	if !asm.Select(pkgName, asm.Generic) {
		t.Fatal("cannot select the generic implementation")
	}
	var want bitsRecorder
	work(t, &want)
	for _, name := range asm.Available(pkgName) {
		if !asm.Select(pkgName, name) {
			t.Fatalf("%s is available but cannot be selected", name)
		}
		var got bitsRecorder
		work(t, &got)
		if len(got.b) != len(want.b) {
			t.Fatalf("%s: %s recorded %d bytes, generic %d", what, name, len(got.b), len(want.b))
		}
		for i := range want.b {
			if got.b[i] != want.b[i] {
				t.Fatalf("%s: %s differs from generic at byte %d (%#x, want %#x)", what, name, i, got.b[i], want.b[i])
			}
		}
	}
	return want.b
}

// elemWorkload runs every elementwise kernel on inputs drawn from seed and
// records the outputs. It also checks guard bands and read-only inputs.
func elemWorkload(t *testing.T, r *bitsRecorder, seed uint64, lens []int, gen func(*rand.Rand) float32) {
	rng := rand.New(rand.NewPCG(seed, 99))
	for _, n := range lens {
		for off := 0; off < 2; off++ {
			x, xbuf := guarded(n, off, func(int) float32 { return gen(rng) })
			y, ybuf := guarded(n, 1-off, func(int) float32 { return gen(rng) })
			x0, y0 := append([]float32(nil), x...), append([]float32(nil), y...)

			d, dbuf := guarded(n, 1-off, func(int) float32 { return -7 })
			Sigmoid(d, x)
			checkVecGuards(t, "Sigmoid dst", dbuf, 1-off, n)
			r.f32s(d)
			r.f64(SoftplusSum(x))
			r.f64(SquaredDiffSum(x, y))
			r.f32(Dot(x, y))
			checkVecGuards(t, "x", xbuf, off, n)
			checkVecGuards(t, "y", ybuf, 1-off, n)
			if !sameBits(x, x0) || !sameBits(y, y0) {
				t.Fatalf("n=%d: a read-only input changed", n)
			}

			// Rows with a bias: sigmoidBias (the products' write-back) and
			// SoftplusRowSums, 3 rows of stride n+off+1.
			const m = 3
			ld := n + off + 1
			c := make([]float32, m*ld)
			for i := range c {
				c[i] = gen(rng)
			}
			bias := make([]float32, n)
			for i := range bias {
				bias[i] = gen(rng)
			}
			rs := make([]float32, m)
			SoftplusRowSums(rs, c, m, n, ld, bias)
			r.f32s(rs)
			SoftplusRowSums(rs, c, m, n, ld, nil)
			r.f32s(rs)
			c0 := append([]float32(nil), c...)
			sigmoidBias(c, ld, m, n, bias)
			r.f32s(c)
			for i := 0; i < m; i++ { // the padding is not touched
				for j := n; j < ld && i*ld+j < len(c); j++ {
					if math.Float32bits(c[i*ld+j]) != math.Float32bits(c0[i*ld+j]) {
						t.Fatalf("sigmoidBias wrote padding (%d, %d)", i, j)
					}
				}
			}
			copy(c, c0)
			sigmoidBias(c, ld, m, n, nil)
			r.f32s(c)

			// ColSums over m rows, both beta cases.
			for q, mm := range []int{0, 1, 3} {
				alpha, beta := scalars[(q+n)%4], scalars[(q+off)%4]
				cs, cbuf := guarded(n, off, func(int) float32 { return gen(rng) })
				ColSums(cs, c, mm, n, ld, alpha, beta)
				checkVecGuards(t, "ColSums dst", cbuf, off, n)
				r.f32s(cs)
			}

			// Update and UpdateProximal, with and without penalties.
			for q, hp := range [][4]float32{{0.1, 0.9, 0.01, 0.002}, {0.05, 0.5, 0, 0}, {1, 0, 0.3, 0.1}} {
				w := append([]float32(nil), x...)
				v := append([]float32(nil), y...)
				for i := range w {
					if i%5 == 0 {
						w[i] = 0
					}
				}
				g, gbuf := guarded(n, off, func(int) float32 { return gen(rng) })
				g0 := append([]float32(nil), g...)
				if q%2 == 0 {
					Update(w, v, g, hp[0], hp[1], hp[2], hp[3])
				} else {
					UpdateProximal(w, v, g, hp[0], hp[1], hp[2], hp[3])
				}
				checkVecGuards(t, "grad", gbuf, off, n)
				if !sameBits(g, g0) {
					t.Fatal("grad changed")
				}
				r.f32s(w)
				r.f32s(v)
				UpdateProximal(w, v, g, hp[0], hp[1], hp[2], hp[3])
				r.f32s(w)
				r.f32s(v)
			}

			// The sampler, with probabilities outside [0, 1] and NaN.
			rnd := NewRand(seed, uint64(n*2+off))
			u := make([]float32, n)
			rnd.Uniform(u)
			r.f32s(u)
			rnd.Bernoulli(u, x)
			r.f32s(u)
			bits := make([]uint64, (n+63)/64)
			rnd.BernoulliBits(bits, y)
			r.u64s(bits)
		}
	}
}

func TestElemBitsIdentical(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		sameAcrossImpls(t, "extreme inputs", func(t *testing.T, r *bitsRecorder) {
			elemWorkload(t, r, seed, crossLens, extremeF32)
		})
		sameAcrossImpls(t, "finite inputs", func(t *testing.T, r *bitsRecorder) {
			elemWorkload(t, r, seed, crossLens, finiteF32)
		})
	}
}

// elemGolden is the SHA-256 of goldenWorkload's output. Every implementation
// on every CPU and GOARCH must reproduce it; it changes only when a kernel's
// operation sequence is changed on purpose.
const elemGolden = "e2f227194ae374f38edf26f80492d2442863c2f23e6621dbb783eb97fd50f331"

func goldenWorkload(t *testing.T, r *bitsRecorder) {
	elemWorkload(t, r, 2026, bitLens, extremeF32)
	elemWorkload(t, r, 1130, bitLens, finiteF32)
}

func TestElemGolden(t *testing.T) {
	var h hash.Hash = sha256.New()
	b := sameAcrossImpls(t, "golden workload", goldenWorkload)
	h.Write(b)
	if got := hex.EncodeToString(h.Sum(nil)); got != elemGolden {
		t.Errorf("SHA-256 of the elementwise workload = %s, want %s", got, elemGolden)
	}
}

// TestSigmoidBitsSweep compares every implementation with the Go twin over
// a sweep of all float32 bit patterns (every 1021st in -short mode, every
// 101st otherwise), for Sigmoid and for single-element softplus terms.
func TestSigmoidBitsSweep(t *testing.T) {
	stride := 101
	if testing.Short() || raceEnabled {
		stride = 1021
	}
	xs := make([]float32, 0, int(uint64(1<<32)/uint64(stride))+1)
	for b := uint64(0); b < 1<<32; b += uint64(stride) {
		xs = append(xs, math.Float32frombits(uint32(b)))
	}
	run := func() (sig []float32, sp []float64) {
		sig = make([]float32, len(xs))
		Sigmoid(sig, xs)
		sp = make([]float64, len(xs)/64)
		for i := range sp {
			sp[i] = SoftplusSum(xs[64*i : 64*i+1+i%64])
		}
		return sig, sp
	}
	defer asm.Reset(pkgName)
	asm.Select(pkgName, asm.Generic)
	wantSig, wantSp := run()
	for _, name := range asm.Available(pkgName) {
		if !asm.Select(pkgName, name) {
			t.Fatalf("%s is available but cannot be selected", name)
		}
		sig, sp := run()
		for i := range sig {
			if math.Float32bits(sig[i]) != math.Float32bits(wantSig[i]) {
				t.Fatalf("%s: sigmoid(%v) = %v (%#x), generic %v (%#x)", name, xs[i], sig[i],
					math.Float32bits(sig[i]), wantSig[i], math.Float32bits(wantSig[i]))
			}
		}
		for i := range sp {
			if math.Float64bits(sp[i]) != math.Float64bits(wantSp[i]) {
				t.Fatalf("%s: SoftplusSum of %d values from %v = %v, generic %v", name, 1+i%64, xs[64*i], sp[i], wantSp[i])
			}
		}
	}
}

// TestSoftplusAccuracy checks the float32 terms of SoftplusSum (one element
// at a time) against float64 over a sweep: relative error 1e-6, plus two
// subnormal steps where the result is subnormal (e/(2+e) halves it there).
func TestSoftplusAccuracy(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		var maxRel float64
		var worst float32
		for x := float32(-120); x <= 120; x += 1.0 / 256 {
			got := SoftplusSum([]float32{x})
			want := softplusRef(float64(x))
			e := math.Abs(got-want) - 1e-6*want - 0x1p-148
			if e > 0 {
				t.Fatalf("softplus(%v) = %v, want %v", x, got, want)
			}
			if want > 0x1p-126 {
				if r := math.Abs(got-want) / want; r > maxRel {
					maxRel, worst = r, x
				}
			}
		}
		t.Logf("max relative error %.3g at x = %v", maxRel, worst)
	})
}

// FuzzElemBits compares every implementation with the Go twins byte for
// byte on fuzzed values and lengths.
func FuzzElemBits(f *testing.F) {
	f.Add([]byte{0, 0, 0x80, 0x7f, 1, 0, 0x80, 0xff, 0, 0, 0xc0, 0x7f}, uint8(17), uint8(3))
	f.Add([]byte{0x42, 0xdc, 0x00, 0x00, 0xc2, 0xdc, 0, 0}, uint8(33), uint8(64))
	f.Fuzz(func(t *testing.T, data []byte, n1, n2 uint8) {
		if len(data) < 4 {
			return
		}
		pool := make([]float32, len(data)/4)
		for i := range pool {
			pool[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		k := 0
		gen := func(*rand.Rand) float32 { k++; return pool[k%len(pool)] }
		sameAcrossImpls(t, "fuzz", func(t *testing.T, r *bitsRecorder) {
			k = 0
			elemWorkload(t, r, uint64(n2), []int{int(n1) % 80, int(n2)}, gen)
		})
	})
}

// lanesThenTree is an independent statement of the reduction order: lane l
// sums the terms l, l+16, l+32, ... in order, then
// ((L0+L8)+(L4+L12)) + ((L2+L10)+(L6+L14)) is added to the same with every
// lane index plus one, as ((c0) + (c1)).
func lanesThenTree[T float32 | float64](terms []T) T {
	var l [16]T
	for i, v := range terms {
		l[i%16] += v
	}
	c := func(o int) T {
		return ((l[o] + l[o+8]) + (l[o+4] + l[o+12])) + ((l[o+2] + l[o+10]) + (l[o+6] + l[o+14]))
	}
	return c(0) + c(1)
}

// TestReductionOrder pins the summation order of Dot, SquaredDiffSum and
// SoftplusSum in every implementation to lanesThenTree, on inputs whose sums
// depend on the order (magnitudes spread over 2^±40).
func TestReductionOrder(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		for _, n := range bitLens {
			a := make([]float32, n)
			b := make([]float32, n)
			for i := range a {
				a[i] = float32(rng.NormFloat64() * math.Ldexp(1, rng.IntN(80)-40))
				b[i] = float32(rng.NormFloat64() * math.Ldexp(1, rng.IntN(80)-40))
			}
			prods := make([]float32, n)
			sq := make([]float64, n)
			sp := make([]float64, n)
			for i := range a {
				prods[i] = a[i] * b[i]
				d := float64(a[i]) - float64(b[i])
				sq[i] = d * d
				sp[i] = float64(softplus32(a[i]))
			}
			if got, want := Dot(a, b), lanesThenTree(prods); math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("n=%d: Dot = %v, want %v", n, got, want)
			}
			if got, want := SquaredDiffSum(a, b), lanesThenTree(sq); math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("n=%d: SquaredDiffSum = %v, want %v", n, got, want)
			}
			if got, want := SoftplusSum(a), lanesThenTree(sp); math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("n=%d: SoftplusSum = %v, want %v", n, got, want)
			}
		}
	})
}

// TestUpdateZeros runs Update and UpdateProximal over every combination of
// signed zeros and small values of the weight, velocity, gradient and
// hyper-parameters, where min/max and sign conventions differ between
// instruction sets, and requires the same bits in every implementation.
func TestUpdateZeros(t *testing.T) {
	nz := float32(math.Copysign(0, -1))
	vals := []float32{0, nz, 1e-3, -1e-3, 1, -1, float32(math.Inf(1)), float32(math.NaN())}
	params := []float32{0, nz, 0.5, -0.5}
	var w, v, g []float32
	for _, a := range vals {
		for _, b := range vals {
			for _, c := range vals {
				w, v, g = append(w, a), append(v, b), append(g, c)
			}
		}
	}
	sameAcrossImpls(t, "update zeros", func(t *testing.T, r *bitsRecorder) {
		for _, lr := range params {
			for _, mom := range params {
				for _, l1 := range params {
					for _, l2 := range params[:2] {
						for _, prox := range []bool{false, true} {
							ww, vv := append([]float32(nil), w...), append([]float32(nil), v...)
							if prox {
								UpdateProximal(ww, vv, g, lr, mom, l1, l2)
							} else {
								Update(ww, vv, g, lr, mom, l1, l2)
							}
							r.f32s(ww)
							r.f32s(vv)
						}
					}
				}
			}
		}
	})
}

// softplusBigModel is what the AVX2 and AVX-512 kernels compute where
// min(|x|, 110) >= 40 (softplusSlow in _gen/elem): x for x > 0, else
// Y = 2 RN(e/2) from e = expNegAbs32(x) in integer arithmetic: e's bit
// pattern E when e >= 2^-125, else E rounded to even.
func softplusBigModel(x float32) float32 {
	if x != x {
		return nan32
	}
	if x > 0 {
		return x
	}
	e := math.Float32bits(expNegAbs32(x))
	if e < 1<<24 {
		e = (e + ((e >> 1) & 1)) &^ 1
	}
	return math.Float32frombits(e)
}

// softplusBigFrom is the magnitude from which the kernels use
// softplusBigModel (the constant spthr of _gen/elem).
const softplusBigFrom = 40

// TestSoftplusBig checks the premise of the kernels' slow path: for every
// float32 of magnitude 40 to 110 (and beyond, where |x| is clamped to 110),
// softplus32 is softplusBigModel, bit for bit.
func TestSoftplusBig(t *testing.T) {
	lo, hi := math.Float32bits(softplusBigFrom), math.Float32bits(expClamp)
	step := uint32(1)
	if testing.Short() {
		step = 7
	}
	check := func(x float32) {
		if got, want := softplus32(x), softplusBigModel(x); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("softplus32(%v) = %v (%#x), the slow path's model gives %v (%#x)", x, got,
				math.Float32bits(got), want, math.Float32bits(want))
		}
	}
	for b := lo; b <= hi; b += step {
		x := math.Float32frombits(b)
		check(x)
		check(-x)
	}
	for _, x := range []float32{110.5, 111, 200, 1e10, math.MaxFloat32, float32(math.Inf(1))} {
		check(x)
		check(-x)
	}
}

// TestSoftplusBitsSweep compares every implementation of SoftplusSum with
// the Go twin over every float32 of magnitude 38 to 111 (the range of the
// slow path's threshold 40, of the first subnormal step at 41.6, the
// underflow of q2 at 43, of e at 86.6-87.3, and the clamp at 110; in
// -short mode only around those), some of 38 to 111 of either sign mixed,
// and a sweep of all bit patterns (every 101st; every 1021st in -short
// mode), which takes in zeros, subnormals, both signs, infinities and NaNs. The values are summed in runs of 1 to 64
// consecutive ones (every code path of the kernels), and the terms of a run
// are close in magnitude and non-negative, so the float64 sum is exact and
// shows a difference in any term; a differing run is redone term by term.
func TestSoftplusBitsSweep(t *testing.T) {
	stride := uint32(101)
	ranges := [][2]float32{{38, 111}}
	if testing.Short() || raceEnabled {
		stride = 1021
		ranges = [][2]float32{{39.9, 40.1}, {41.5, 43.1}, {86.5, 87.5}, {109.9, 110.1}}
	}
	size := int(uint64(1<<32)/uint64(stride)) + 1 + int(math.Float32bits(111)-math.Float32bits(38))/int(4*stride) + 1
	for _, r := range ranges {
		size += 2 * int(math.Float32bits(r[1])-math.Float32bits(r[0])+1)
	}
	xs := make([]float32, 0, size)
	for b := uint64(0); b < 1<<32; b += uint64(stride) {
		xs = append(xs, math.Float32frombits(uint32(b)))
	}
	for _, r := range ranges {
		for b := math.Float32bits(r[0]); b <= math.Float32bits(r[1]); b++ {
			xs = append(xs, math.Float32frombits(b))
		}
		for b := math.Float32bits(-r[0]); b <= math.Float32bits(-r[1]); b++ {
			xs = append(xs, math.Float32frombits(b))
		}
	}
	// Both signs in one vector (the positive terms are x exactly, so the
	// sums still show a term that takes the wrong sign's value).
	for b := math.Float32bits(38); b <= math.Float32bits(111); b += 4 * stride {
		x := math.Float32frombits(b)
		if b%3 == 0 {
			x = -x
		}
		xs = append(xs, x)
	}
	type run struct{ i, n int }
	runs := make([]run, 0, len(xs)/32+1)
	for i, n := 0, 1; i < len(xs); i, n = i+n, n%64+1 {
		runs = append(runs, run{i, min(n, len(xs)-i)})
	}
	sums := func() []float64 {
		s := make([]float64, len(runs))
		for j, r := range runs {
			s[j] = SoftplusSum(xs[r.i : r.i+r.n])
		}
		return s
	}
	defer asm.Reset(pkgName)
	asm.Select(pkgName, asm.Generic)
	want := sums()
	for _, name := range asm.Available(pkgName) {
		if !asm.Select(pkgName, name) {
			t.Fatalf("%s is available but cannot be selected", name)
		}
		got := sums()
		for j, r := range runs {
			if math.Float64bits(got[j]) == math.Float64bits(want[j]) {
				continue
			}
			for _, x := range xs[r.i : r.i+r.n] {
				g, w := SoftplusSum([]float32{x}), float64(softplus32(x))
				if math.Float64bits(g) != math.Float64bits(w) {
					t.Fatalf("%s: softplus(%v) = %v, generic %v", name, x, g, w)
				}
			}
			t.Fatalf("%s: SoftplusSum of the %d values from %v = %v, generic %v", name, r.n, xs[r.i], got[j], want[j])
		}
	}
}
