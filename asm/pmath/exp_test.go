package pmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns how many float64 values lie between a and b (0 when they
// are the same bits; NaN against NaN counts as the same; a sign or NaN
// mismatch counts as MaxInt64).
func ulps(a, b float64) int64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.MaxInt64
	}
	if a == b {
		if math.Signbit(a) != math.Signbit(b) {
			return math.MaxInt64
		}
		return 0
	}
	if math.Signbit(a) != math.Signbit(b) {
		return math.MaxInt64
	}
	ia, ib := int64(math.Float64bits(math.Abs(a))), int64(math.Float64bits(math.Abs(b)))
	if ia > ib {
		return ia - ib
	}
	return ib - ia
}

// randIn returns a value uniform in [lo, hi).
func randIn(r *rand.Rand, lo, hi float64) float64 {
	return lo + float64((hi-lo)*r.Float64())
}

// randLog returns a value of random sign whose magnitude is log-uniform in
// [2^lo, 2^hi).
func randLog(r *rand.Rand, lo, hi int) float64 {
	x := math.Ldexp(1+r.Float64(), lo+r.IntN(hi-lo))
	if r.IntN(2) == 0 {
		return -x
	}
	return x
}

type fn1 struct {
	name string
	ours func(float64) float64
	std  func(float64) float64
}

var expFuncs = []fn1{
	{"Exp", Exp, math.Exp},
	{"Expm1", Expm1, math.Expm1},
	{"Log", Log, math.Log},
	{"Log1p", Log1p, math.Log1p},
	{"Sinh", Sinh, math.Sinh},
	{"Cosh", Cosh, math.Cosh},
	{"Tanh", Tanh, math.Tanh},
}

// expBound is each function's error bound in ulps of the exact result,
// as its documentation states it.
var expBound = map[string]float64{"Exp": 1, "Expm1": 1, "Log": 1, "Log1p": 1, "Sinh": 1, "Cosh": 1, "Tanh": 1}

func TestExpLogSpecial(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	negZero := math.Copysign(0, -1)
	// The special values of the math package's documentation, bit for bit
	// (signs of zero included).
	for _, f := range expFuncs {
		for _, x := range []float64{0, negZero, inf, -inf, nan, -1, -2, 1e300, -1e300, math.MaxFloat64, -math.MaxFloat64} {
			got, want := f.ours(x), f.std(x)
			special := x != x || math.IsInf(x, 0) || x == 0 || want == 0 || math.IsInf(want, 0) || want != want
			if special && ulps(got, want) != 0 {
				t.Errorf("%s(%v) = %v, math gives %v", f.name, x, got, want)
			}
		}
	}
	// The edges of the ranges and of overflow and underflow, against the
	// exact values (where math.Exp(709.782712893384) on amd64 is +Inf, the
	// exact value 1.797693134862273e308 being finite, and math.Log of a
	// subnormal on amd64 is wrong).
	edges := []float64{1, -1, 0.5, math.SmallestNonzeroFloat64, 0x1p-1022, 0x1p-1030, 1e-310, 0x1p-60, -0x1p-60,
		0x1p-54, -0x1p-54, 0x1p-28, 0x1p-27, -0x1p-28, 0.5 * math.Ln2, -0.5 * math.Ln2, math.Nextafter(0.5*math.Ln2, 1),
		expOver, math.Nextafter(expOver, 0), expUnder, math.Nextafter(expUnder, 0), -708.5, -720, -740, -744.4,
		-38, -37.5, -37.4, -2, 2, 0.55, 0.5499999, 21.9, 22, -22, 40, 54 * math.Ln2, 57 * math.Ln2, 709, 710, -710, 710.4, 710.47, 710.4758600739439, math.Nextafter(710.4758600739439, 1000), 710.48, 711, 712,
		-1 + 0x1p-53, -1 + 0x1p-30, math.Sqrt2/2 - 1, math.Sqrt2 - 1, math.Nextafter(math.Sqrt2-1, 0), 0x1p53, 1e300, math.MaxFloat64}
	for _, f := range expFuncs {
		for _, x := range edges {
			logLike := f.name == "Log" || f.name == "Log1p"
			if f.name == "Log" && x <= 0 || f.name == "Log1p" && x <= -1 || !logLike && math.Abs(x) > 1000 {
				continue // the specials above have them
			}
			exact := refFuncs[f.name](x)
			want, _ := exact.Float64()
			got := f.ours(x)
			if math.IsInf(want, 0) || (want == 0 && got == 0) {
				if got != want {
					t.Errorf("%s(%v) = %v, exact value rounds to %v", f.name, x, got, want)
				}
				continue
			}
			if e := errUlps(got, exact); e > expBound[f.name] {
				t.Errorf("%s(%v) = %v, %.3g ulps from the exact %s", f.name, x, got, e, exact.Text('g', 20))
			}
		}
	}
}

// TestExpLogAccuracy measures every function's error against the exact
// value (ref_test.go) over random arguments in several ranges, fixed seed,
// and fails above the bound its documentation states (expBound).
func TestExpLogAccuracy(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	r := rand.New(rand.NewPCG(1, 2))
	type rng struct {
		name string
		gen  func() float64
	}
	for _, f := range expFuncs {
		var ranges []rng
		switch f.name {
		case "Exp", "Expm1", "Sinh", "Cosh", "Tanh":
			ranges = []rng{
				{"tiny", func() float64 { return randLog(r, -70, -20) }},
				{"|x|<1", func() float64 { return randIn(r, -1, 1) }},
				{"|x|<40", func() float64 { return randIn(r, -40, 40) }},
				{"|x|<709", func() float64 { return randIn(r, -709, 709) }},
				{"log-uniform", func() float64 { return randLog(r, -20, 9) }},
			}
			if f.name == "Exp" {
				ranges = append(ranges, rng{"normal, near underflow", func() float64 { return randIn(r, -708.39, -690) }})
			}
		case "Log":
			ranges = []rng{
				{"near 1", func() float64 { return 1 + randIn(r, -0.3, 0.5) }},
				{"(0, 4)", func() float64 { return randIn(r, 0, 4) }},
				{"log-uniform", func() float64 { return math.Abs(randLog(r, -1074, 1024)) }},
				{"1 +- tiny", func() float64 { return 1 + randLog(r, -52, -10) }},
			}
		case "Log1p":
			ranges = []rng{
				{"tiny", func() float64 { return randLog(r, -70, -20) }},
				{"(-1, 1)", func() float64 { return randIn(r, -1, 1) }},
				{"(-1, -0.29)", func() float64 { return randIn(r, -1, -0.29) }},
				{"log-uniform", func() float64 { return math.Abs(randLog(r, -60, 1024)) }},
			}
		}
		for _, g := range ranges {
			worst, worstX := 0.0, 0.0
			for i := 0; i < n; i++ {
				x := g.gen()
				if e := errUlps(f.ours(x), refFuncs[f.name](x)); e > worst {
					worst, worstX = e, x
				}
			}
			t.Logf("%-5s %-22s max %.3f ulp (at %v)", f.name, g.name, worst, worstX)
			if worst > expBound[f.name] {
				t.Errorf("%s over %s: %.3g ulps from the exact value at x = %v, want <= %v",
					f.name, g.name, worst, worstX, expBound[f.name])
			}
		}
	}
}

// TestExpLogIdentities checks relations that hold exactly in real numbers,
// within a few ulps, so a wrong constant shows even where math agrees
// with a same-shaped mistake.
func TestExpLogIdentities(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		x := randIn(r, -700, 700)
		if d := ulps(Log(Exp(x)), x); math.Abs(x) > 1 && d > 2 {
			t.Fatalf("Log(Exp(%v)) = %v, %d ulps off", x, Log(Exp(x)), d)
		}
		y := randIn(r, -5, 5)
		if d := ulps(Exp(y)-1, Expm1(y)); math.Abs(y) > 2 && d > 2 {
			t.Fatalf("Exp(%v)-1 = %v, Expm1 %v", y, Exp(y)-1, Expm1(y))
		}
		if d := ulps(Log1p(y*y), Log(1+y*y)); y*y > 1 && d > 2 {
			t.Fatalf("Log1p(%v) = %v, Log(1+x) %v", y*y, Log1p(y*y), Log(1+y*y))
		}
	}
}

func TestLn2Split(t *testing.T) {
	if b := math.Float64bits(ln2Hi); b&(1<<21-1) != 0 {
		t.Fatalf("ln2Hi %x has nonzero low bits: k*ln2Hi is not exact", b)
	}
	if d := ulps(ln2Hi+ln2Lo, math.Ln2); d != 0 {
		t.Fatalf("ln2Hi + ln2Lo = %v, want ln 2 (%d ulps off)", ln2Hi+ln2Lo, d)
	}
	if math.Abs(ln2Lo) > 0x1p-30 {
		t.Fatalf("ln2Lo = %v: ln2Hi is not ln 2 to 32 bits", ln2Lo)
	}
}

// FuzzExpLog compares every function with the math package's and, where
// they are more than 2 steps apart, with the exact value: math is wrong in
// places (math.Sinh and Cosh overflow from 709.79, math.Exp's overflow
// threshold and math.Log of subnormals on amd64), so the exact value
// decides.
func FuzzExpLog(f *testing.F) {
	for _, x := range []float64{0, 1, -1, 0.5, 700, -740, 1e-300, 3, 710, 5e-324} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		for _, fn := range expFuncs {
			got, std := fn.ours(x), fn.std(x)
			if ulps(got, std) <= 2 {
				continue
			}
			logLike := fn.name == "Log" || fn.name == "Log1p"
			if !logLike && math.Abs(x) > 1000 {
				t.Errorf("%s(%v) = %v, math %v", fn.name, x, got, std)
				continue
			}
			exact := refFuncs[fn.name](x)
			want, _ := exact.Float64()
			if math.IsInf(want, 0) || want == 0 {
				if got != want {
					t.Errorf("%s(%v) = %v, exact value rounds to %v (math %v)", fn.name, x, got, want, std)
				}
				continue
			}
			if e := errUlps(got, exact); e > expBound[fn.name] {
				t.Errorf("%s(%v) = %v, %.3g ulps from the exact value (math %v)", fn.name, x, got, e, std)
			}
		}
	})
}

func BenchmarkExpLog(b *testing.B) {
	for _, f := range expFuncs {
		b.Run(f.name, func(b *testing.B) {
			x, s := 0.37, 0.0
			for i := 0; i < b.N; i++ {
				s += f.ours(x)
				x += 1e-9
			}
			sink = s
		})
		b.Run(fmt.Sprintf("math.%s", f.name), func(b *testing.B) {
			x, s := 0.37, 0.0
			for i := 0; i < b.N; i++ {
				s += f.std(x)
				x += 1e-9
			}
			sink = s
		})
	}
}

var sink float64

// TestExpTable checks Exp's table of 2^(j/64) against e^(j ln2/64) from
// the 160-bit references (Taylor series, not square roots): hi is the
// nearest float64 and hi + lo is within 2^-104 of the value.
func TestExpTable(t *testing.T) {
	for j, e := range expTable {
		x := newRef().Mul(ln2Ref(), newRef().SetInt64(int64(j)))
		x.Quo(x, newRef().SetInt64(expTableSize))
		ref := expRef(x)
		if want, _ := ref.Float64(); e.hi != want {
			t.Errorf("expTable[%d].hi = %v, want %v", j, e.hi, want)
		}
		d := newRef().Sub(ref, newRef().Add(bigOf(e.hi), bigOf(e.lo)))
		d.Quo(d, ref)
		if f, _ := d.Float64(); math.Abs(f) > 0x1p-104 {
			t.Errorf("expTable[%d]: hi + lo is %.3g off relative", j, f)
		}
	}
}
