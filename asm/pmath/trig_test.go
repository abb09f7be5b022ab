package pmath

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"
)

// The tests of Sin, Cos, Sincos, Atan2 and Hypot measure two distances:
// to math's result, in float64 steps (ulpsTrig), and to the exact value
// computed with math/big from pi by the Gauss-Legendre AGM (independent of
// the Machin pi in trig.go), in ulps of the exact value (ulpErrTrig).
// The bounds the doc comments state are the ones enforced here.

const (
	// Bounds against the exact value, in ulps. Sin and Cos round a
	// double-double (hi - hi^3/6, or 1 - hi^2/2 + hi^4/24) plus a small
	// polynomial rest once: 0.5 plus about 0.015 at worst. Atan2 rounds
	// once a double-double whose error is that of the tail of atan(u),
	// |u| <= 1/64, below 2^-11.5 ulp. Hypot rounds once a double-double
	// good to about 2^-100.
	sinBoundTrig   = 0.52
	cosBoundTrig   = 0.52
	atan2BoundTrig = 0.5 + 0x1p-10
	hypotBoundTrig = 0.5 + 0x1p-20
	// Bound against math's functions, in float64 steps: math.Sin, Cos,
	// Atan2 and Hypot are themselves up to about 1.5 ulp off (math.Atan2
	// rounds y/x before its atan, math.Hypot computes p*sqrt(1+(q/p)^2)),
	// so two steps. Where math is further off (math.Sin and math.Cos
	// above 2^29, whose reduction keeps too few bits when the result is
	// small; math.Atan2's +Pi for y < 0 when y/x underflows to +0) the
	// tests check the exact value instead, and count those arguments.
	mathBoundTrig = 2

	precTrig = 1700 // bits of pi for the exact reduction of x up to 2^1024
)

var (
	piOnceTrig sync.Once
	piRefTrig  *big.Float
)

func fTrig(prec uint) *big.Float { return new(big.Float).SetPrec(prec) }

// piAGMTrig returns pi to precTrig bits by the Gauss-Legendre iteration.
func piAGMTrig() *big.Float {
	piOnceTrig.Do(func() {
		p := uint(precTrig + 64)
		a := fTrig(p).SetInt64(1)
		b := fTrig(p).Sqrt(fTrig(p).SetFloat64(0.5))
		t := fTrig(p).SetFloat64(0.25)
		pow := fTrig(p).SetInt64(1)
		for i := 0; i < 14; i++ { // quadratic: 2^14 bits
			an := fTrig(p).Add(a, b)
			an.SetMantExp(an, -1)
			b = fTrig(p).Sqrt(fTrig(p).Mul(a, b))
			d := fTrig(p).Sub(a, an)
			t.Sub(t, d.Mul(d.Mul(d, d), pow))
			pow.SetMantExp(pow, 1)
			a = an
		}
		s := fTrig(p).Add(a, b)
		s.Mul(s, s)
		piRefTrig = fTrig(precTrig).Quo(s, fTrig(p).Mul(t, fTrig(p).SetInt64(4)))
	})
	return piRefTrig
}

// ulpsTrig returns the number of float64 steps between a and b (0 when
// both are NaN, +Inf when only one is). -0 and +0 are one step apart, so
// that a wrong sign of zero counts.
func ulpsTrig(a, b float64) float64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.Inf(1)
	}
	ord := func(f float64) int64 {
		u := int64(math.Float64bits(f))
		if u < 0 {
			return -(u & math.MaxInt64) - 1
		}
		return u
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return float64(d)
}

// ulpErrTrig returns |got - exact| in ulps of exact (the spacing of float64
// at its magnitude, 2^-1074 among the subnormals). An infinite got counts
// as exact when the exact value rounds to it.
func ulpErrTrig(got float64, exact *big.Float) float64 {
	if got != got {
		return math.Inf(1)
	}
	if math.IsInf(got, 0) {
		f, _ := exact.Float64() // rounds to nearest, to ±Inf when it must
		if f == got {
			return 0
		}
		return math.Inf(1)
	}
	if exact.Sign() == 0 {
		if got == 0 {
			return 0
		}
		return math.Inf(1)
	}
	d := fTrig(300).Sub(fTrig(300).SetFloat64(got), exact)
	d.Abs(d)
	e := exact.MantExp(nil) // |exact| in [2^(e-1), 2^e)
	d.SetMantExp(d, -max(e-53, -1074))
	f, _ := d.Float64()
	return f
}

// sinCosExactTrig returns sin x and cos x to about 230 bits: x - k pi/2
// with pi to 300 bits more than the exponent of x, then the Taylor series.
func sinCosExactTrig(x float64) (sin, cos *big.Float) {
	const p = 240
	_, ex := math.Frexp(x)
	pr := uint(300 + max(ex, 0))
	ax := fTrig(pr).SetFloat64(math.Abs(x))
	pio2 := fTrig(pr).SetMantExp(piAGMTrig(), -1)
	q := fTrig(pr).Quo(ax, pio2)
	q.Add(q, fTrig(pr).SetFloat64(0.5))
	k, _ := q.Int(nil) // floor, q > 0
	r := fTrig(pr).Mul(fTrig(pr).SetInt(k), pio2)
	r.Sub(ax, r)
	rr := fTrig(p).Set(r)
	r2 := fTrig(p).Mul(rr, rr)
	s, c := fTrig(p), fTrig(p)
	term := fTrig(p).Set(rr) // r^n/n!, n odd for sin, even for cos
	cterm := fTrig(p).SetInt64(1)
	for n := int64(0); cterm.Sign() != 0 && cterm.MantExp(nil) > -p-8; n++ {
		if n%2 == 0 {
			s.Add(s, term)
			c.Add(c, cterm)
		} else {
			s.Sub(s, term)
			c.Sub(c, cterm)
		}
		term.Quo(term.Mul(term, r2), fTrig(p).SetInt64((2*n+2)*(2*n+3)))
		cterm.Quo(cterm.Mul(cterm, r2), fTrig(p).SetInt64((2*n+1)*(2*n+2)))
	}
	switch new(big.Int).And(k, big.NewInt(3)).Int64() {
	case 0:
		sin, cos = s, c
	case 1:
		sin, cos = c, s.Neg(s)
	case 2:
		sin, cos = s.Neg(s), c.Neg(c)
	default:
		sin, cos = c.Neg(c), s
	}
	if x < 0 {
		sin.Neg(sin)
	}
	return sin, cos
}

// atanExactTrig returns atan(t) for t >= 0 (t at any magnitude) to about
// 250 bits: three halvings t -> t/(1 + sqrt(1+t^2)), then the series.
func atanExactTrig(t *big.Float) *big.Float {
	const p = 280
	one := fTrig(p).SetInt64(1)
	t = fTrig(p).Set(t)
	for i := 0; i < 3; i++ {
		d := fTrig(p).Mul(t, t)
		d.Sqrt(d.Add(d, one))
		t.Quo(t, d.Add(d, one))
	}
	t2 := fTrig(p).Mul(t, t)
	sum, pw := fTrig(p), fTrig(p).Set(t)
	for n := int64(0); n < 200; n++ {
		term := fTrig(p).Quo(pw, fTrig(p).SetInt64(2*n+1))
		if n%2 == 0 {
			sum.Add(sum, term)
		} else {
			sum.Sub(sum, term)
		}
		if term.Sign() == 0 || term.MantExp(nil) < sum.MantExp(nil)-p-8 {
			break
		}
		pw.Mul(pw, t2)
	}
	return sum.SetMantExp(sum, 3)
}

// atan2ExactTrig returns atan2(y, x) for finite y != 0 and x (the special
// cases are compared with math.Atan2 instead).
func atan2ExactTrig(y, x float64) *big.Float {
	const p = 280
	ay, ax := math.Abs(y), math.Abs(x)
	pi := fTrig(p).Set(piAGMTrig())
	var r *big.Float
	if x == 0 {
		r = fTrig(p).SetMantExp(pi, -1)
	} else {
		r = atanExactTrig(fTrig(p).Quo(fTrig(p).SetFloat64(ay), fTrig(p).SetFloat64(ax)))
		if x < 0 {
			r.Sub(pi, r)
		}
	}
	if y < 0 {
		r.Neg(r)
	}
	return r
}

func hypotExactTrig(p, q float64) *big.Float {
	const prec = 2400 // the squares and their sum to far more than 53 bits
	a := fTrig(prec).SetFloat64(p)
	b := fTrig(prec).SetFloat64(q)
	s := fTrig(prec).Add(a.Mul(a, a), b.Mul(b, b))
	return fTrig(300).Sqrt(s)
}

func rngTrig(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x7419_c0de)) }

// logUniformTrig returns ±m 2^e with e uniform in [lo, hi) and m uniform
// in [1, 2), sign random: the same values on every architecture (no
// math.Exp2, whose last bits differ).
func logUniformTrig(r *rand.Rand, lo, hi int) float64 {
	x := math.Ldexp(1+r.Float64(), lo+r.IntN(hi-lo))
	if r.IntN(2) == 0 {
		x = -x
	}
	return x
}

// samplesTrig is the number of random arguments per range (fewer with
// -short).
func samplesTrig() int {
	if testing.Short() {
		return 20000
	}
	return 100000
}

// exactSamplesTrig is how many of the samples of each range are also
// compared with the exact value (math/big is slow).
func exactSamplesTrig() int {
	if testing.Short() {
		return 1000
	}
	return 10000
}

// statTrig collects one function's distances over one range of arguments.
type statTrig struct {
	name       string
	bound      float64 // against the exact value
	steps      float64 // largest distance to math, in steps
	stepsArg   [2]float64
	exact      float64 // largest error against the exact value, in ulps
	exactArg   [2]float64
	mathOff    int // arguments where math is more than mathBoundTrig steps away
	mathOffArg [2]float64
}

// check records got (and math's want) for the arguments x, y; exact is
// called on the first exactSamplesTrig samples (always is true) and when
// got is more than mathBoundTrig steps from want.
func (st *statTrig) check(t *testing.T, always bool, x, y, got, want float64, exact func() *big.Float) {
	t.Helper()
	d := ulpsTrig(got, want)
	if d > st.steps {
		st.steps, st.stepsArg = d, [2]float64{x, y}
	}
	if !always && d <= mathBoundTrig {
		return
	}
	e := ulpErrTrig(got, exact())
	if e > st.exact || e != e {
		st.exact, st.exactArg = e, [2]float64{x, y}
	}
	if e > st.bound || e != e {
		t.Errorf("%s(%v, %v) = %v: %.4f ulp from the exact value (math gives %v)", st.name, x, y, got, e, want)
	}
	if d > mathBoundTrig {
		if st.mathOff == 0 {
			st.mathOffArg = [2]float64{x, y}
		}
		st.mathOff++
	}
}

func (st *statTrig) log(t *testing.T, rng string) {
	t.Helper()
	t.Logf("%-18s %-5s: %v steps from math (at %v), %.4f ulp from exact (at %v); math more than %d steps away: %d times (first at %v)",
		rng, st.name, st.steps, st.stepsArg, st.exact, st.exactArg, mathBoundTrig, st.mathOff, st.mathOffArg)
}

func TestSinCosSpecialTrig(t *testing.T) {
	// Bit for bit the same as math: NaN for NaN and infinities, ±0 and
	// the tiny arguments where sin x rounds to x, cos 0 = 1.
	same := []float64{
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		0x1p-1022, -0x1p-1022, 0x1.8p-1040, 1e-300, -1e-20, 0x1p-27, -0x1.fffffffffffffp-27,
	}
	for _, x := range same {
		s, c := Sincos(x)
		for _, v := range []struct {
			name      string
			got, want float64
		}{
			{"Sin", Sin(x), math.Sin(x)}, {"Cos", Cos(x), math.Cos(x)},
			{"Sincos.sin", s, math.Sin(x)}, {"Sincos.cos", c, math.Cos(x)},
		} {
			if math.Float64bits(v.got) != math.Float64bits(v.want) && !(v.got != v.got && v.want != v.want) {
				t.Errorf("%s(%v) = %v (%#x), math gives %v (%#x)", v.name, x, v.got,
					math.Float64bits(v.got), v.want, math.Float64bits(v.want))
			}
		}
	}
	// Within the bounds of the exact value: arguments near multiples of
	// pi/2 (where a short reduction cancels), around the Cody-Waite limit,
	// the largest float64 and the hardest case of the whole range
	// (6381956970095103 * 2^797, about 2^-61 from a multiple of pi/2).
	hard := []float64{
		math.Pi, math.Pi / 2, 3 * math.Pi / 2, 2 * math.Pi, 1e22, 1e300, math.MaxFloat64,
		0x1.6ac5b262ca1ffp+849, 0x1p19, 0x1.fffffffffffffp18, 0x1.0000000000001p19,
		0x1p-26, 0x1.0000000000001p-26, math.Pi / 4, math.Nextafter(math.Pi/4, 1),
		0x1p1023, 0x1p30, 1 << 53, 4.5e15, 5.319372648326541e+255,
		// The eight float64 below 2^19 closest to multiples of pi/2
		// (2^-60.5 to 2^-54.3 away), which trigReduce hands from
		// Cody-Waite to trigReduceBig.
		0x1.6c6cbc45dc8dep+05, 0x1.6c6cbc45dc8dep+06, 0x1.6c6cbc45dc8dep+07,
		0x1.6c6cbc45dc8dep+08, 0x1.6c6cbc45dc8dep+09, 0x1.6c6cbc45dc8dep+10,
		0x1.6c6cbc45dc8dep+11, 0x1.39c6fd67805a7p+18,
	}
	for k := 1.0; k < 3e5; k *= 1.37 {
		kk := math.Round(k)
		hard = append(hard, kk*math.Pi/2, math.Nextafter(kk*math.Pi/2, 0), math.Nextafter(kk*math.Pi/2, math.Inf(1)))
	}
	for _, x0 := range hard {
		for _, x := range []float64{x0, -x0} {
			es, ec := sinCosExactTrig(x)
			s, c := Sincos(x)
			if e := ulpErrTrig(Sin(x), es); e > sinBoundTrig || s != Sin(x) {
				t.Errorf("Sin(%v) = %v: %.3f ulp from the exact %s (Sincos %v)", x, Sin(x), e, es.Text('g', 20), s)
			}
			if e := ulpErrTrig(Cos(x), ec); e > cosBoundTrig || c != Cos(x) {
				t.Errorf("Cos(%v) = %v: %.3f ulp from the exact %s (Sincos %v)", x, Cos(x), e, ec.Text('g', 20), c)
			}
		}
	}
}

// sinRangesTrig: mathOK says that math.Sin and math.Cos are within
// mathBoundTrig steps on every sample (so a difference would be ours).
var sinRangesTrig = []struct {
	name   string
	mathOK bool
	gen    func(r *rand.Rand) float64
}{
	{"tiny 2^-60..2^-5", true, func(r *rand.Rand) float64 { return logUniformTrig(r, -60, -5) }},
	{"|x|<pi/4", true, func(r *rand.Rand) float64 { return (2*r.Float64() - 1) * math.Pi / 4 }},
	{"|x|<2pi", true, func(r *rand.Rand) float64 { return (2*r.Float64() - 1) * 2 * math.Pi }},
	{"|x|<1e5", true, func(r *rand.Rand) float64 { return (2*r.Float64() - 1) * 1e5 }},
	{"2^18..2^20", true, func(r *rand.Rand) float64 { return logUniformTrig(r, 18, 20) }},
	{"1..2^997", false, func(r *rand.Rand) float64 { return logUniformTrig(r, 0, 997) }},
}

func TestSinCosAccuracyTrig(t *testing.T) {
	n, ne := samplesTrig(), exactSamplesTrig()
	for ri, rg := range sinRangesTrig {
		r := rngTrig(uint64(100 + ri))
		ss := statTrig{name: "Sin", bound: sinBoundTrig}
		cs := statTrig{name: "Cos", bound: cosBoundTrig}
		for i := 0; i < n; i++ {
			x := rg.gen(r)
			s, c := Sin(x), Cos(x)
			if s2, c2 := Sincos(x); math.Float64bits(s2) != math.Float64bits(s) || math.Float64bits(c2) != math.Float64bits(c) {
				t.Fatalf("Sincos(%v) = %v, %v; Sin, Cos = %v, %v", x, s2, c2, s, c)
			}
			var es, ec *big.Float
			exact := func() {
				if es == nil {
					es, ec = sinCosExactTrig(x)
				}
			}
			ss.check(t, i < ne, x, 0, s, math.Sin(x), func() *big.Float { exact(); return es })
			cs.check(t, i < ne, x, 0, c, math.Cos(x), func() *big.Float { exact(); return ec })
		}
		for _, st := range []*statTrig{&ss, &cs} {
			st.log(t, rg.name)
			if rg.mathOK && st.mathOff > 0 {
				t.Errorf("%s: %s(%v) is %v steps from math", rg.name, st.name, st.stepsArg[0], st.steps)
			}
		}
	}
}

// TestSinCosKernelTrig looks where the kernels' approximations are worst,
// |r| in [0.70, pi/4]: both kernels, through Sin and Cos of x in [0.70,
// 0.86] (r = x, and r = x - pi/2). It counts the results that are not
// correctly rounded (more than 0.5 ulp off): 23 and 33 of 20000 here, 79
// and 123 if the last Taylor term of cos (r^18/18!, at most 0.03 ulp) is
// left out, so a wrong coefficient shows even where the maximum error
// stays below the bound.
func TestSinCosKernelTrig(t *testing.T) {
	const n, limit = 20000, 60
	r := rngTrig(5)
	ss := statTrig{name: "Sin", bound: sinBoundTrig}
	cs := statTrig{name: "Cos", bound: cosBoundTrig}
	var ns, nc int
	for i := 0; i < n; i++ {
		x := 0.70 + float64(0.16*r.Float64())
		es, ec := sinCosExactTrig(x)
		s, c := Sincos(x)
		ss.check(t, true, x, 0, s, math.Sin(x), func() *big.Float { return es })
		cs.check(t, true, x, 0, c, math.Cos(x), func() *big.Float { return ec })
		if ulpErrTrig(s, es) > 0.5 {
			ns++
		}
		if ulpErrTrig(c, ec) > 0.5 {
			nc++
		}
	}
	ss.log(t, "0.70..0.86")
	cs.log(t, "0.70..0.86")
	t.Logf("not correctly rounded: Sin %d, Cos %d of %d", ns, nc, n)
	if ns > limit || nc > limit {
		t.Errorf("Sin %d and Cos %d of %d results are not correctly rounded (limit %d)", ns, nc, n, limit)
	}
}

// TestReduceTrig checks the Cody-Waite reduction against the exact one
// (which trigReduce falls back to near multiples of pi/2) on random
// arguments below the Cody-Waite limit: the same quadrant and r to 2^-90.
func TestReduceTrig(t *testing.T) {
	r := rngTrig(7)
	n := samplesTrig()
	for i := 0; i < n; i++ {
		x := math.Ldexp(1+r.Float64(), r.IntN(20)-1) // [1/2, 2^19)
		if i%2 == 0 {
			x = r.Float64() * 10
		}
		n1, h1, l1 := trigReduce(x)
		n2, h2, l2 := trigReduceBig(x)
		if x < math.Pi/4*0.99 {
			n2, h2, l2 = 0, x, 0
		}
		d := fTrig(200).Add(fTrig(200).SetFloat64(h1), fTrig(200).SetFloat64(l1))
		d.Sub(d, fTrig(200).SetFloat64(h2))
		d.Sub(d, fTrig(200).SetFloat64(l2))
		rel, _ := d.Quo(d, fTrig(200).SetFloat64(h2)).Float64()
		if n1 != n2 || math.Abs(rel) > 0x1p-90 {
			t.Fatalf("x = %v: Cody-Waite %d %v %v, exact %d %v %v (relative difference %g)", x, n1, h1, l1, n2, h2, l2, rel)
		}
	}
}

// pairTrig is a two-argument function of this package with its math
// package twin, its exact value and its bound in ulps.
type pairTrig struct {
	name   string
	f, g   func(a, b float64) float64
	exact  func(a, b float64) *big.Float
	bound  float64
	mathOK func(a, b, want float64) bool // a known error of g that excuses it (nil: none)
}

var (
	atan2PairTrig = pairTrig{name: "Atan2", f: Atan2, g: math.Atan2, exact: atan2ExactTrig, bound: atan2BoundTrig,
		// math.Atan2(-tiny, -x) is +Pi when y/x underflows to +0.
		mathOK: func(y, x, want float64) bool { return y < 0 && x < 0 && y/x == 0 && want == math.Pi }}
	hypotPairTrig = pairTrig{name: "Hypot", f: Hypot, g: math.Hypot, exact: hypotExactTrig, bound: hypotBoundTrig}
)

// check compares f(a, b) with the math package bit for bit where an
// argument is 0, infinite or NaN; elsewhere it must lie within bound ulp
// of the exact value and, when nearMath is set (the fixed tables, where
// math is known to be right), within mathBoundTrig steps of g's. The
// fuzzers leave nearMath unset: math may be wrong where they wander, and
// the exact value decides.
func (pt pairTrig) check(t *testing.T, a, b float64, nearMath bool) {
	t.Helper()
	got, want := pt.f(a, b), pt.g(a, b)
	special := func(v float64) bool { return v == 0 || math.IsInf(v, 0) || v != v }
	if special(a) || special(b) {
		if math.Float64bits(got) != math.Float64bits(want) && !(got != got && want != want) {
			t.Errorf("%s(%v, %v) = %v (%#x), math.%s gives %v (%#x)", pt.name, a, b, got,
				math.Float64bits(got), pt.name, want, math.Float64bits(want))
		}
		return
	}
	if d := ulpsTrig(got, want); nearMath && d > mathBoundTrig && (pt.mathOK == nil || !pt.mathOK(a, b, want)) {
		t.Errorf("%s(%v, %v) = %v, %v steps from math.%s %v", pt.name, a, b, got, d, pt.name, want)
	}
	if e := ulpErrTrig(got, pt.exact(a, b)); e > pt.bound {
		t.Errorf("%s(%v, %v) = %v, %.4f ulp from the exact value", pt.name, a, b, got, e)
	}
}

func TestAtan2SpecialTrig(t *testing.T) {
	vals := []float64{
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		1, -1, 2.5, -3, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		math.MaxFloat64, -math.MaxFloat64, 0x1p-1022, -1e-300, 1e300,
	}
	for _, y := range vals {
		for _, x := range vals {
			atan2PairTrig.check(t, y, x, true)
		}
	}
}

type range2Trig struct {
	name string
	gen  func(r *rand.Rand) (float64, float64)
}

func signedTrig(r *rand.Rand, v float64) float64 {
	if r.IntN(2) == 0 {
		return -v
	}
	return v
}

var atan2RangesTrig = []range2Trig{
	{"square [-1,1]^2", func(r *rand.Rand) (float64, float64) {
		return 2*r.Float64() - 1, 2*r.Float64() - 1
	}},
	{"|y/x| in 2^±8", func(r *rand.Rand) (float64, float64) {
		e := r.IntN(2000) - 1000
		return logUniformTrig(r, e-8, e+8), logUniformTrig(r, e-8, e+8)
	}},
	{"near |y|=|x|", func(r *rand.Rand) (float64, float64) {
		x := logUniformTrig(r, -500, 500)
		return signedTrig(r, x*(1+(2*r.Float64()-1)*0x1p-20)), x
	}},
	{"near t=(2i+1)/64", func(r *rand.Rand) (float64, float64) {
		x := logUniformTrig(r, -30, 30)
		tt := float64(2*r.IntN(32)+1)/64 + (2*r.Float64()-1)*0x1p-40
		y := signedTrig(r, math.Abs(x)*tt)
		if r.IntN(2) == 0 {
			return x, y
		}
		return y, x
	}},
	{"any exponents", func(r *rand.Rand) (float64, float64) {
		return logUniformTrig(r, -1074, 1024), logUniformTrig(r, -1074, 1024)
	}},
	{"|y/x| near 2^-60", func(r *rand.Rand) (float64, float64) {
		x := logUniformTrig(r, -10, 10)
		y := x * logUniformTrig(r, -64, -56)
		if r.IntN(2) == 0 {
			return x, y
		}
		return y, x
	}},
}

func TestAtan2AccuracyTrig(t *testing.T) {
	n, ne := samplesTrig(), exactSamplesTrig()
	for ri, rg := range atan2RangesTrig {
		r := rngTrig(uint64(200 + ri))
		st := statTrig{name: "Atan2", bound: atan2BoundTrig}
		for i := 0; i < n; i++ {
			y, x := rg.gen(r)
			got, want := Atan2(y, x), math.Atan2(y, x)
			st.check(t, i < ne, y, x, got, want, func() *big.Float { return atan2ExactTrig(y, x) })
			if d := ulpsTrig(got, want); d > mathBoundTrig && !atan2PairTrig.mathOK(y, x, want) {
				t.Errorf("%s: Atan2(%v, %v) = %v is %v steps from math.Atan2 %v", rg.name, y, x, got, d, want)
			}
		}
		st.log(t, rg.name)
	}
}

func TestHypotSpecialTrig(t *testing.T) {
	vals := []float64{
		0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1, -1, 3, -4,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 0x1p-1022, 0x1.fffffffffffffp-1023,
		math.MaxFloat64, -math.MaxFloat64, 0x1p1023, 1e300, 1e-300,
	}
	for _, p := range vals {
		for _, q := range vals {
			hypotPairTrig.check(t, p, q, true)
		}
	}
	// Exact cases.
	for _, c := range [][3]float64{{3, 4, 5}, {5e-324, 0, 5e-324}, {3 * 5e-324, 4 * 5e-324, 5 * 5e-324},
		{0x1.8p1000, 0x1p1001, 0x1.4p1001}, {0x1.8p-1060, 0x1p-1059, 0x1.4p-1059}} {
		if got := Hypot(c[0], c[1]); got != c[2] {
			t.Errorf("Hypot(%v, %v) = %v, want %v", c[0], c[1], got, c[2])
		}
	}
}

var hypotRangesTrig = []range2Trig{
	{"[0,1)^2", func(r *rand.Rand) (float64, float64) { return r.Float64(), -r.Float64() }},
	{"close exponents", func(r *rand.Rand) (float64, float64) {
		e := r.IntN(2098) - 1074
		return logUniformTrig(r, e-30, min(e+30, 1024)), logUniformTrig(r, e-30, min(e+30, 1024))
	}},
	{"any exponents", func(r *rand.Rand) (float64, float64) {
		return logUniformTrig(r, -1074, 1024), logUniformTrig(r, -1074, 1024)
	}},
	{"subnormal", func(r *rand.Rand) (float64, float64) {
		return logUniformTrig(r, -1074, -1022), logUniformTrig(r, -1074, -1022)
	}},
	{"near overflow", func(r *rand.Rand) (float64, float64) {
		return logUniformTrig(r, 1020, 1024), logUniformTrig(r, 1000, 1024)
	}},
}

func TestHypotAccuracyTrig(t *testing.T) {
	n, ne := samplesTrig(), exactSamplesTrig()
	for ri, rg := range hypotRangesTrig {
		r := rngTrig(uint64(300 + ri))
		st := statTrig{name: "Hypot", bound: hypotBoundTrig}
		for i := 0; i < n; i++ {
			p, q := rg.gen(r)
			got, want := Hypot(p, q), math.Hypot(p, q)
			st.check(t, i < 10*ne, p, q, got, want, func() *big.Float { return hypotExactTrig(p, q) })
		}
		st.log(t, rg.name)
		if st.mathOff > 0 {
			t.Errorf("%s: Hypot(%v) is %v steps from math.Hypot", rg.name, st.stepsArg, st.steps)
		}
	}
}

// TestConstantsTrig checks the constants of trig.go against the AGM pi of
// this file: the Cody-Waite parts (their lengths, so that k*part is
// exact), the double-double pi/2 and pi, 2/pi, Machin's pi and the bits
// of 2/pi of trigReduceBig, and the atan(i/32) table.
func TestConstantsTrig(t *testing.T) {
	pi := piAGMTrig()
	const p = precTrig
	pio2 := fTrig(p).SetMantExp(pi, -1)
	isMultiple := func(v float64, e int) bool { // v is a multiple of 2^e
		return math.Ldexp(v, -e) == math.Trunc(math.Ldexp(v, -e))
	}
	if !isMultiple(trigPio2A, -32) || !isMultiple(trigPio2B, -65) || !isMultiple(trigPio2C, -98) {
		t.Errorf("a Cody-Waite part has too many bits")
	}
	if trigPio2A >= 0x1p1 || trigPio2B >= 0x1p-32 || trigPio2C >= 0x1p-65 {
		t.Errorf("a Cody-Waite part is too large")
	}
	rest := fTrig(p).Sub(pio2, fTrig(p).SetFloat64(trigPio2A))
	rest.Sub(rest, fTrig(p).SetFloat64(trigPio2B))
	rest.Sub(rest, fTrig(p).SetFloat64(trigPio2C))
	if rest.Sign() < 0 || rest.Cmp(fTrig(p).SetMantExp(fTrig(p).SetInt64(1), -98)) >= 0 {
		t.Errorf("pi/2 - A - B - C = %v is not in [0, 2^-98)", rest)
	}
	if d, _ := rest.Float64(); d != trigPio2D {
		t.Errorf("trigPio2D = %x, want %x", trigPio2D, d)
	}
	split := func(name string, v *big.Float, hi, lo float64) {
		h, _ := v.Float64()
		l, _ := fTrig(p).Sub(v, fTrig(p).SetFloat64(h)).Float64()
		if h != hi || l != lo {
			t.Errorf("%s = %x + %x, want %x + %x", name, hi, lo, h, l)
		}
	}
	split("pi/2", pio2, trigPio2Hi, trigPio2Lo)
	split("pi", pi, trigPiHi, trigPiLo)
	if v, _ := fTrig(p).Quo(fTrig(p).SetInt64(1), pio2).Float64(); v != trigInvPio2 {
		t.Errorf("trigInvPio2 = %x, want %x", trigInvPio2, v)
	}
	if trigPiHi != float64(math.Pi) || trigPio2Hi != float64(math.Pi/2) || trigAtanTab[32][0] != float64(math.Pi/4) {
		t.Errorf("pi's double differs from math.Pi")
	}
	for i := 1; i <= 32; i++ {
		a := atanExactTrig(fTrig(300).SetFloat64(float64(i) / 32))
		split(fmt.Sprintf("atan(%d/32)", i), a, trigAtanTab[i][0], trigAtanTab[i][1])
	}
	// Machin's pi against the AGM's.
	d := fTrig(p).Sub(trigPiBig(1400), pi)
	if d.Sign() != 0 && d.MantExp(nil) > -1395 {
		t.Errorf("trigPiBig(1400) - pi = %v", d)
	}
	trigBigOnce.Do(trigInitBig)
	two := fTrig(p).Quo(fTrig(p).SetInt64(2), pi)
	want, _ := two.SetMantExp(two, trigBigN).Int(nil)
	if want.Cmp(trigTwoOverPiInt) != 0 {
		t.Errorf("floor(2^%d 2/pi) differs", trigBigN)
	}
}

// FuzzSincos compares Sincos with Sin and Cos (bit for bit) and with
// math.Sin and math.Cos; where those differ by more than a step it
// compares with the exact value (math.Sin loses accuracy very near
// multiples of pi/2 when 2^-1 < |x| < 2^29).
func FuzzSincos(f *testing.F) {
	for _, x := range []float64{0, 1, -1, math.Pi, 1e22, 0x1.6ac5b262ca1ffp+849, math.MaxFloat64, 1e-310, math.Inf(1), math.NaN(), 710.3} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		s, c := Sincos(x)
		if math.Float64bits(s) != math.Float64bits(Sin(x)) || math.Float64bits(c) != math.Float64bits(Cos(x)) {
			t.Fatalf("Sincos(%v) = %v, %v; Sin, Cos = %v, %v", x, s, c, Sin(x), Cos(x))
		}
		if x != x || math.IsInf(x, 0) {
			if s == s || c == c {
				t.Fatalf("Sincos(%v) = %v, %v, want NaN", x, s, c)
			}
			return
		}
		if ulpsTrig(s, math.Sin(x)) <= mathBoundTrig && ulpsTrig(c, math.Cos(x)) <= mathBoundTrig {
			return
		}
		es, ec := sinCosExactTrig(x)
		if e := ulpErrTrig(s, es); e > sinBoundTrig {
			t.Errorf("Sin(%v) = %v, %.4f ulp from the exact value (math.Sin %v)", x, s, e, math.Sin(x))
		}
		if e := ulpErrTrig(c, ec); e > cosBoundTrig {
			t.Errorf("Cos(%v) = %v, %.4f ulp from the exact value (math.Cos %v)", x, c, e, math.Cos(x))
		}
	})
}

// FuzzAtan2Trig compares Atan2 with math.Atan2 and the exact value
// (pairTrig.check).
func FuzzAtan2Trig(f *testing.F) {
	f.Add(1.0, 1.0)
	f.Add(math.Copysign(0, -1), -1.0) // -0.0 would be +0 in Go
	f.Add(1e-300, -1e300)
	f.Add(math.Inf(1), math.NaN())
	f.Add(3.0, -0.125)
	f.Fuzz(func(t *testing.T, y, x float64) { atan2PairTrig.check(t, y, x, false) })
}

// FuzzHypotTrig compares Hypot with math.Hypot and the exact value
// (pairTrig.check).
func FuzzHypotTrig(f *testing.F) {
	f.Add(3.0, 4.0)
	f.Add(1e-320, 3e-321)
	f.Add(1e308, -1e308)
	f.Add(math.Inf(-1), math.NaN())
	f.Fuzz(func(t *testing.T, p, q float64) { hypotPairTrig.check(t, p, q, false) })
}

func BenchmarkTrig(b *testing.B) {
	xs := make([]float64, 1024)
	r := rngTrig(1)
	for i := range xs {
		xs[i] = (2*r.Float64() - 1) * 10
	}
	var sink float64
	for _, bm := range []struct {
		name string
		f    func(x float64) float64
	}{
		{"Sin", Sin}, {"Cos", Cos}, {"Sincos", func(x float64) float64 { s, c := Sincos(x); return s + c }},
		{"Atan2", func(x float64) float64 { return Atan2(x, 0.75) }},
		{"Hypot", func(x float64) float64 { return Hypot(x, 0.75) }},
		{"SinHuge", func(x float64) float64 { return Sin(x * 1e200) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				sink += bm.f(xs[i&1023])
			}
		})
	}
	_ = sink
}
