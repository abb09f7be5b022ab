package pmath

import (
	"math"
	"math/big"
	"math/bits"
	"sync"
)

// Sin, Cos and Sincos reduce x to r = x - k*pi/2, |r| <= pi/4 (plus a few
// ulps when k = round(|x|*2/pi) rounds the other way at a boundary), with r
// carried as a double-double hi + lo, and then evaluate the Taylor
// polynomials of sin and cos at r: coefficients 1/n!, exact rationals
// rounded once by the Go compiler. The kernels form their leading terms
// as double-doubles and round once at the end, so the results are within
// 0.52 ulp of the exact values (nearly always correctly rounded).
//
// The reduction: for |x| < trigCWMax, Cody-Waite with pi/2 split into
// parts trigPio2A, B, C of 33, 32 and 30 bits (so k*part is exact for
// k < 2^20) and a 53-bit tail D. The differences are taken exactly
// (trigTwoSum) and their rounding errors kept in lo; the absolute error of
// hi + lo is below 2^-104|r| + 2^-137, so when |hi| >= trigCWMin = 2^-50
// the relative error is below 2^-86. The x closer than that to a multiple
// of pi/2 (77 float64 below 2^19, such as 45.553093477052, 2^-60.5 from
// 29*pi/2) and every |x| >= trigCWMax go to trigReduceBig, which
// multiplies the 53-bit integer mantissa of x by floor(2^1280 * 2/pi) (pi
// from Machin's formula in math/big, computed once) exactly and takes the
// bits around the binary point: k mod 4 and the fraction to 2^-192, far
// below the closest a float64 comes to a multiple of pi/2 (about 2^-61, at
// 6381956970095103 * 2^797).
//
// The constants below were computed with math/big (pi by Machin's formula)
// and are checked bit for bit by TestConstantsTrig.
const (
	trigPio2A   = 0x1.921fb544p+00       // pi/2 to 33 bits (weights 2^0 .. 2^-32)
	trigPio2B   = 0x1.0b4611a6p-34       // next bits, down to 2^-65 (32 bits)
	trigPio2C   = 0x1.3198a2ep-69        // next bits, down to 2^-98 (30 bits)
	trigPio2D   = 0x1.b839a252049c1p-104 // pi/2 - A - B - C rounded to 53 bits
	trigInvPio2 = 0x1.45f306dc9c883p-01  // 2/pi rounded

	trigPio2Hi = 0x1.921fb54442d18p+00 // pi/2 = trigPio2Hi + trigPio2Lo to 2^-107
	trigPio2Lo = 0x1.1a62633145c07p-54
	trigPiHi   = 0x1.921fb54442d18p+01 // pi = trigPiHi + trigPiLo
	trigPiLo   = 0x1.1a62633145c07p-53

	// trigCWMax: below it k = round(|x|*2/pi) < 2^19+1, so k times each
	// of trigPio2A, B, C is exact and |x| - k*trigPio2A is exact.
	trigCWMax = 0x1p19
	// trigCWMin: Cody-Waite results with |hi| below it are redone exactly.
	trigCWMin = 0x1p-50
)

// Sin returns the sine of x (radians).
//
// Domain: every float64. Accuracy: within 0.52 ulp of the exact sine for
// every finite x however large (the reduction by pi/2 is exact), so within
// 1 ulp; the tests enforce 0.52 ulp against a math/big reference (and
// measure at most 0.508). Against math.Sin the tests see at most 2 steps
// for |x| < 2^20 (math.Sin is itself up to about 1.5 ulp off); above 2^29
// math.Sin can be thousands of steps off where the sine is small. The
// same bits on every architecture.
//
// Special values, as math.Sin: Sin(±0) = ±0, Sin(±Inf) = NaN,
// Sin(NaN) = NaN. For |x| < 2^-26, Sin(x) = x (the correctly rounded
// value), subnormals included.
func Sin(x float64) float64 {
	ax := math.Abs(x)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return math.NaN()
	case ax < 0x1p-26:
		return x
	}
	n, hi, lo := trigReduce(ax)
	var s float64
	switch n {
	case 0:
		s = trigSinKernel(hi, lo)
	case 1:
		s = trigCosKernel(hi, lo)
	case 2:
		s = -trigSinKernel(hi, lo)
	default:
		s = -trigCosKernel(hi, lo)
	}
	if x < 0 {
		s = -s
	}
	return s
}

// Cos returns the cosine of x (radians).
//
// Domain: every float64. Accuracy: within 0.52 ulp of the exact cosine for
// every finite x, as Sin (the tests enforce 0.52 ulp against math/big and
// at most 2 steps from math.Cos for |x| < 2^20). The same bits on every
// architecture.
//
// Special values, as math.Cos: Cos(±Inf) = NaN, Cos(NaN) = NaN,
// Cos(±0) = 1.
func Cos(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.NaN()
	}
	n, hi, lo := trigReduce(math.Abs(x))
	switch n {
	case 0:
		return trigCosKernel(hi, lo)
	case 1:
		return -trigSinKernel(hi, lo)
	case 2:
		return -trigCosKernel(hi, lo)
	default:
		return trigSinKernel(hi, lo)
	}
}

// Sincos returns Sin(x), Cos(x), bit for bit the same values as the two
// calls (one reduction of x serves both). Domain, accuracy and special
// values are those of Sin and Cos.
func Sincos(x float64) (sin, cos float64) {
	ax := math.Abs(x)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return math.NaN(), math.NaN()
	case ax < 0x1p-26:
		// Cos(x) through the general path (it is 1).
		return x, Cos(x)
	}
	n, hi, lo := trigReduce(ax)
	s, c := trigSinKernel(hi, lo), trigCosKernel(hi, lo)
	switch n {
	case 0:
		sin, cos = s, c
	case 1:
		sin, cos = c, -s
	case 2:
		sin, cos = -s, -c
	default:
		sin, cos = -c, s
	}
	if x < 0 {
		sin = -sin
	}
	return sin, cos
}

// trigSinKernel returns sin(hi + lo) for |hi| <= pi/4 (and a little more),
// |lo| <= ulp(hi). sin(r) = r - r^3/6 + r^5 Q(r^2) with the Taylor terms up
// to r^17/17!: the first one left out, r^19/19!, is below 2^-63 r on
// |r| <= pi/4. hi^3/6 = t + te is formed as a double-double (math.FMA
// gives the rounding errors of the products, and the remainder of the
// division by 6), hi - t is split exactly into s + e, and the result is s
// plus the small terms, rounded once: the rest, r^5 Q(r^2), is below
// 0.0033 r, so its few roundings cost about 0.01 ulp. lo enters through
// sin(hi+lo) ~ sin(hi) + lo cos(hi), with cos(hi) ~ 1 - hi^2/2 + hi^4/24.
func trigSinKernel(hi, lo float64) float64 {
	z := float64(hi * hi)
	ze := math.FMA(hi, hi, -z) // hi^2 = z + ze
	c3 := float64(hi * z)
	c3e := math.FMA(hi, z, -c3) // hi*z = c3 + c3e
	c3e += float64(hi * ze)     // hi^3 = c3 + c3e (to 2^-104 relative)
	t := c3 / 6
	te := math.FMA(-t, 6, c3)   // c3 - 6t exactly
	te = (te + c3e) / 6         // hi^3/6 = t + te
	q := -1.0 / 355687428096000 // -1/17!
	q = float64(q*z) + 1.0/1307674368000
	q = float64(q*z) - 1.0/6227020800
	q = float64(q*z) + 1.0/39916800
	q = float64(q*z) - 1.0/362880
	q = float64(q*z) + 1.0/5040
	q = float64(q*z) - 1.0/120
	// sin r = hi - hi^3/6 - hi^3 z q + lo cos(hi)
	rest := float64(float64(c3*z) * q)
	s := hi - t
	e := (hi - s) - t              // hi - t = s + e exactly (|t| < |hi|)
	c := 1 - float64(z*(0.5-z/24)) // cos(hi) to 2^-12
	return s + (((e - te) - rest) + float64(lo*c))
}

// trigCosKernel returns cos(hi + lo) for |hi| <= pi/4 (and a little more),
// |lo| <= ulp(hi): cos(r) = 1 - r^2/2 + r^4/24 + r^6 Q(r^2) with the Taylor
// terms up to r^18/18! (r^20/20! < 2^-68 on |r| <= pi/4). 1 - hi^2/2 and
// hi^4/24 are formed as double-doubles (math.FMA gives the rounding errors
// of the products and the remainder of the division) and added exactly, and
// the result is that sum plus the small terms, rounded once; the rest,
// r^6 Q(r^2), is below 0.0004, so its roundings cost about 0.002 ulp. lo
// enters as -lo sin(hi), with sin(hi) ~ hi (1 - hi^2/6 + hi^4/120).
func trigCosKernel(hi, lo float64) float64 {
	z := float64(hi * hi)
	ze := math.FMA(hi, hi, -z) // hi^2 = z + ze exactly
	hz := float64(0.5 * z)
	w := 1 - hz
	we := (1 - w) - hz // 1 - hz = w + we exactly (|hz| < 1)
	zz := float64(z * z)
	zze := math.FMA(z, z, -zz)        // z^2 = zz + zze
	zze += float64(float64(z+z) * ze) // hi^4 = zz + zze (to 2^-104 relative)
	t := zz / 24
	te := math.FMA(-t, 24, zz)   // zz - 24t exactly
	te = (te + zze) / 24         // hi^4/24 = t + te
	q := -1.0 / 6402373705728000 // -1/18!
	q = float64(q*z) + 1.0/20922789888000
	q = float64(q*z) - 1.0/87178291200
	q = float64(q*z) + 1.0/479001600
	q = float64(q*z) - 1.0/3628800
	q = float64(q*z) + 1.0/40320
	q = float64(q*z) - 1.0/720
	// cos r = w + we - ze/2 + t + te + hi^6 q - lo sin(hi)
	rest := float64(float64(zz*z) * q)
	s := w + t
	se := (w - s) + t                                              // w + t = s + se exactly (|t| < |w|)
	sl := float64(float64(hi*lo) * (1 - float64(z*(1.0/6-z/120)))) // lo sin(hi)
	return s + (((((se + we) - float64(0.5*ze)) + te) + rest) - sl)
}

// trigReduce returns n = k mod 4 and r = ax - k*pi/2 as hi + lo, for
// finite ax >= 0, with |r| <= pi/4 up to the rounding of ax*2/pi.
func trigReduce(ax float64) (n uint, hi, lo float64) {
	if ax < trigCWMax {
		k := math.Round(ax * trigInvPio2)
		if k == 0 {
			return 0, ax, 0
		}
		t1 := ax - float64(k*trigPio2A) // exact
		t2, e2 := trigTwoSum(t1, -float64(k*trigPio2B))
		t3, e3 := trigTwoSum(t2, -float64(k*trigPio2C))
		l := (e2 + e3) - float64(k*trigPio2D)
		hi = t3 + l
		lo = l - (hi - t3)
		if math.Abs(hi) >= trigCWMin {
			return uint(int64(k)) & 3, hi, lo
		}
	}
	return trigReduceBig(ax)
}

// trigTwoSum returns s = fl(a+b) and e with a + b = s + e exactly (Knuth).
func trigTwoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// trigBigN is the number of bits of 2/pi after the binary point that
// trigReduceBig uses: the mantissa m < 2^53 times the neglected rest
// (< 2^-trigBigN) times 2^e (e <= 971) stays below 2^-256.
const trigBigN = 1280

var (
	trigBigOnce      sync.Once
	trigTwoOverPiInt *big.Int   // floor(2^trigBigN * 2/pi)
	trigPio2Big      *big.Float // pi/2 to 256 bits
	trigMask192      *big.Int   // 2^192 - 1
	trigHalf192      *big.Int   // 2^192
)

// trigPiBig returns pi to prec bits by Machin's formula,
// pi = 16 atan(1/5) - 4 atan(1/239).
func trigPiBig(prec uint) *big.Float {
	work := prec + 64
	atanInv := func(n int64) *big.Float {
		// atan(1/n) = sum_j (-1)^j / ((2j+1) n^(2j+1))
		sum := new(big.Float).SetPrec(work)
		pw := new(big.Float).SetPrec(work).SetInt64(1)
		pw.Quo(pw, new(big.Float).SetInt64(n)) // 1/n^(2j+1)
		nn := new(big.Float).SetPrec(work).SetInt64(n * n)
		term := new(big.Float).SetPrec(work)
		for j := int64(0); ; j++ {
			term.Quo(pw, new(big.Float).SetInt64(2*j+1))
			if j%2 == 0 {
				sum.Add(sum, term)
			} else {
				sum.Sub(sum, term)
			}
			if term.MantExp(nil) < -int(work)-8 {
				return sum
			}
			pw.Quo(pw, nn)
		}
	}
	pi := new(big.Float).SetPrec(work).Mul(new(big.Float).SetInt64(16), atanInv(5))
	pi.Sub(pi, new(big.Float).SetPrec(work).Mul(new(big.Float).SetInt64(4), atanInv(239)))
	return new(big.Float).SetPrec(prec).Set(pi)
}

func trigInitBig() {
	pi := trigPiBig(trigBigN + 128)
	t := new(big.Float).SetPrec(trigBigN+128).Quo(new(big.Float).SetInt64(2), pi)
	t.SetMantExp(t, trigBigN)
	trigTwoOverPiInt, _ = t.Int(nil) // truncates
	trigPio2Big = new(big.Float).SetPrec(256).SetMantExp(pi, -1)
	trigHalf192 = new(big.Int).Lsh(big.NewInt(1), 192)
	trigMask192 = new(big.Int).Sub(trigHalf192, big.NewInt(1))
}

// trigReduceBig is trigReduce for any finite ax > 0, exactly: with
// ax = m * 2^e (m a 53-bit integer) and T = floor(2^N * 2/pi),
// ax*2/pi = m*T * 2^(e-N) + d with 0 <= d < 2^(53+e-N) <= 2^-256. The bits
// of the integer m*T at and above 2^(N-e) give k mod 4, the 192 bits
// below it the fraction f (rounded to nearest: f in [-1/2, 1/2)), and
// r = f * pi/2 in 256-bit arithmetic, then rounded to hi + lo.
func trigReduceBig(ax float64) (n uint, hi, lo float64) {
	trigBigOnce.Do(trigInitBig)
	fr, exp := math.Frexp(ax)
	m := uint64(math.Ldexp(fr, 53))
	e := exp - 53 // ax = m * 2^e
	p := new(big.Int).Mul(new(big.Int).SetUint64(m), trigTwoOverPiInt)
	s := trigBigN - e // >= 309
	k := p.Bit(s) | p.Bit(s+1)<<1
	f := p.Rsh(p, uint(s-192))
	f.And(f, trigMask192)
	if f.Bit(191) == 1 { // f >= 1/2: round k up, f -= 1
		k++
		f.Sub(f, trigHalf192)
	}
	r := new(big.Float).SetPrec(256).SetInt(f)
	r.SetMantExp(r, -192)
	r.Mul(r, trigPio2Big)
	hi, _ = r.Float64()
	r.Sub(r, new(big.Float).SetFloat64(hi))
	lo, _ = r.Float64()
	return k & 3, hi, lo
}

// trigAtanTab[i] is atan(i/32) as hi + lo (hi rounded to nearest).
var trigAtanTab = [33][2]float64{
	{0, 0},
	{0x1.ffd55bba97625p-06, -0x1.5ec431444912cp-60},
	{0x1.ff55bb72cfdeap-05, -0x1.c934d86d23f1dp-60},
	{0x1.7ee182602f10fp-04, -0x1.cfb654c0c3d98p-58},
	{0x1.fd5ba9aac2f6ep-04, -0x1.cd37686760c17p-59},
	{0x1.3d6eee8c6626cp-03, 0x1.61a3b0ce9281bp-57},
	{0x1.7b97b4bce5b02p-03, 0x1.347b0b4f881cap-58},
	{0x1.b90d7529260a2p-03, 0x1.17b10d2e0e5abp-61},
	{0x1.f5b75f92c80ddp-03, 0x1.8ab6e3cf7afbdp-57},
	{0x1.18bf5a30bf178p-02, 0x1.30ca4748b1bf9p-57},
	{0x1.362773707ebccp-02, -0x1.963a544b672d8p-57},
	{0x1.530ad9951cd4ap-02, -0x1.2566480884082p-57},
	{0x1.6f61941e4def1p-02, -0x1.c63aae6f6e918p-56},
	{0x1.8b24d394a1b25p-02, 0x1.b6d0ba3748fa8p-56},
	{0x1.a64eec3cc23fdp-02, -0x1.24dec1b50b7ffp-56},
	{0x1.c0db4c94ec9fp-02, -0x1.cc1ce70934c34p-56},
	{0x1.dac670561bb4fp-02, 0x1.a2b7f222f65e2p-56},
	{0x1.f40dd0b541418p-02, -0x1.a3992dc382a23p-57},
	{0x1.0657e94db30dp-01, -0x1.d5b495f6349e6p-56},
	{0x1.1255d9bfbd2a9p-01, -0x1.2bdaee1c0ee35p-58},
	{0x1.1e00babdefeb4p-01, -0x1.928df287a668fp-58},
	{0x1.2958e59308e31p-01, -0x1.09e73b0c6c087p-56},
	{0x1.345f01cce37bbp-01, 0x1.1021137c71102p-55},
	{0x1.3f13fb89e96f4p-01, 0x1.ecf8b492644fp-56},
	{0x1.4978fa3269ee1p-01, 0x1.2419a87f2a458p-56},
	{0x1.538f57b89061fp-01, -0x1.1bb74abda520cp-55},
	{0x1.5d58987169b18p-01, 0x1.0028e4bc5e7cap-57},
	{0x1.66d663923e087p-01, -0x1.6ea6febe8bbbap-56},
	{0x1.700a7c5784634p-01, -0x1.8c34d25aadef6p-56},
	{0x1.78f6bbd5d315ep-01, 0x1.406a08980374p-55},
	{0x1.819d0b7158a4dp-01, -0x1.bf76229d3b917p-56},
	{0x1.89ff5ff57f1f8p-01, -0x1.55b9a5e177a1bp-55},
	{0x1.921fb54442d18p-01, 0x1.1a62633145c07p-55},
}

// Atan2 returns the angle in [-Pi, Pi] (radians) of the point (x, y) from
// the positive x axis: atan(y/x), in the quadrant that the signs of y and
// x give.
//
// Domain: every pair of float64. Accuracy: correctly rounded but for
// 2^-10 ulp, so within 1 ulp of the exact value: the angle is carried as a
// double-double until one last rounding, and its error is below 2^-11.5
// ulp (see trigAtanRatio); where |y/x| < 2^-59 and x > 0 the result is the
// rounded quotient y/x, as math.Atan2's (atan(t) - t is below 2^-118 t
// there). The tests enforce 0.5 + 2^-10 ulp against a math/big reference
// (a run of 10^6 measured 0.5 + 2^-16.5) and at most 2 steps from
// math.Atan2 (math.Atan2 rounds y/x before its atan; they measure 1 step).
// The exception: math.Atan2(y, x) is +Pi, not -Pi, when y < 0, x < 0 and
// y/x underflows to +0; Atan2 gives -Pi. The same bits on every
// architecture.
//
// Special values, the same results as math.Atan2:
//
//	Atan2(y, NaN) = NaN
//	Atan2(NaN, x) = NaN
//	Atan2(+0, x>=0) = +0
//	Atan2(-0, x>=0) = -0
//	Atan2(+0, x<=-0) = +Pi
//	Atan2(-0, x<=-0) = -Pi
//	Atan2(y>0, 0) = +Pi/2
//	Atan2(y<0, 0) = -Pi/2
//	Atan2(+Inf, +Inf) = +Pi/4
//	Atan2(-Inf, +Inf) = -Pi/4
//	Atan2(+Inf, -Inf) = 3Pi/4
//	Atan2(-Inf, -Inf) = -3Pi/4
//	Atan2(y, +Inf) = 0 (with the sign of y)
//	Atan2(y>0, -Inf) = +Pi
//	Atan2(y<0, -Inf) = -Pi
//	Atan2(+Inf, x) = +Pi/2
//	Atan2(-Inf, x) = -Pi/2
func Atan2(y, x float64) float64 {
	switch {
	case math.IsNaN(y) || math.IsNaN(x):
		return math.NaN()
	case y == 0:
		if math.Signbit(x) {
			return math.Copysign(trigPiHi, y)
		}
		return y
	case x == 0:
		return math.Copysign(trigPio2Hi, y)
	case math.IsInf(x, 1):
		if math.IsInf(y, 0) {
			return math.Copysign(trigAtanTab[32][0], y)
		}
		return math.Copysign(0, y)
	case math.IsInf(x, -1):
		if math.IsInf(y, 0) {
			return math.Copysign(3*math.Pi/4, y)
		}
		return math.Copysign(trigPiHi, y)
	case math.IsInf(y, 0):
		return math.Copysign(trigPio2Hi, y)
	}
	ay, ax := math.Abs(y), math.Abs(x)
	swap := ay > ax
	a, b := ay, ax
	if swap {
		a, b = ax, ay
	}
	// atan(a/b) with 0 < a <= b, as th + tl.
	_, e := math.Frexp(b)
	sa, sb := math.Ldexp(a, -e), math.Ldexp(b, -e) // sb in [1/2, 1)
	var th, tl float64
	if sa < 0x1p-60 {
		// atan(t) = t (1 - t^2/3 + ...) with t^2 < 2^-118: t it is.
		if !swap && x > 0 {
			return y / x // the sign and any underflow as math.Atan2
		}
		th = a / b
	} else {
		th, tl = trigAtanRatio(sa, sb)
	}
	var r float64
	switch {
	case !swap && x > 0: // atan(a/b)
		r = th
	case !swap: // pi - atan(a/b)
		s, se := trigTwoSum(trigPiHi, -th)
		r = s + ((se + trigPiLo) - tl)
	case x > 0: // pi/2 - atan(a/b)
		s, se := trigTwoSum(trigPio2Hi, -th)
		r = s + ((se + trigPio2Lo) - tl)
	default: // pi/2 + atan(a/b)
		s, se := trigTwoSum(trigPio2Hi, th)
		r = s + ((se + trigPio2Lo) + tl)
	}
	if y < 0 {
		r = -r
	}
	return r
}

// trigAtanRatio returns atan(a/b) as hi + lo (|lo| <= ulp(hi)/2) for
// 2^-60 <= a <= b, b in [1/2, 1), with an error below 2^-11 ulp of hi.
//
// With c = i/32 the nearest 32nd to t = a/b, atan(t) = atan(c) + atan(u),
// u = (t-c)/(1+t*c) = (a - c*b)/(b + c*a), |u| <= 1/64. The numerator and
// denominator are formed as double-doubles (math.FMA gives the rounding
// errors of the products), u = uh + ul by one division and a correction,
// and atan(u) = u - u^3/3 + ... - u^11/11 (the first term left out,
// u^13/13, is below 2^-75 u). The error is that of the polynomial tail,
// about 4 roundings of u^3/3 <= 2^-13.6 u, so below 2^-11.5 ulp; the
// rest is carried as double-doubles.
func trigAtanRatio(a, b float64) (hi, lo float64) {
	i := int(float64(a/b*32) + 0.5)
	c := float64(i) * 0x1p-5
	var nh, nl, dh, dl float64
	if i == 0 {
		nh, dh = a, b
	} else {
		p := float64(c * b)
		pe := math.FMA(c, b, -p) // c*b = p + pe
		n0, n1 := trigTwoSum(a, -p)
		nh, nl = trigTwoSum(n0, n1-pe) // a - c*b = nh + nl
		q := float64(c * a)
		qe := math.FMA(c, a, -q) // c*a = q + qe
		dh = b + q               // b >= q
		dl = ((b - dh) + q) + qe // b + c*a = dh + dl
	}
	uh := nh / dh
	rem := math.FMA(-uh, dh, nh) // nh - uh*dh exactly
	ul := ((rem + nl) - float64(uh*dl)) / dh
	z := float64(uh * uh)
	p := -1.0 / 11
	p = float64(p*z) + 1.0/9
	p = float64(p*z) - 1.0/7
	p = float64(p*z) + 1.0/5
	p = float64(p*z) - 1.0/3
	tail := float64(float64(uh*z) * p) // atan(uh) - uh
	corr := ul - float64(ul*z)         // ul * atan'(uh) = ul/(1+uh^2)
	s, se := trigTwoSum(trigAtanTab[i][0], uh)
	l := ((se + trigAtanTab[i][1]) + corr) + tail
	hi = s + l
	lo = l - (hi - s)
	return hi, lo
}

// Hypot returns sqrt(p^2 + q^2), the length of the vector (p, q), with no
// overflow or underflow in the intermediate steps.
//
// Domain: every pair of float64. Accuracy: correctly rounded but for
// 2^-20 ulp, so within 1 ulp of the exact value: after scaling by a power
// of two the sum of squares is formed exactly as a double-double and its
// square root corrected by one Newton step; a subnormal result is the
// correctly rounded one, computed with integers. No overflow or underflow
// in between: the result is +Inf only when the exact value rounds to
// +Inf. The tests enforce 0.5 + 2^-20 ulp against math/big and at most 2
// steps from math.Hypot (which computes p*sqrt(1+(q/p)^2) and is up to
// about 1.5 ulp off, so 1 step cannot be had). The same bits on every
// architecture.
//
// Special values, as math.Hypot (an infinity beats a NaN):
//
//	Hypot(±Inf, q) = +Inf
//	Hypot(p, ±Inf) = +Inf
//	Hypot(NaN, q) = NaN
//	Hypot(p, NaN) = NaN
func Hypot(p, q float64) float64 {
	switch {
	case math.IsInf(p, 0) || math.IsInf(q, 0):
		return math.Inf(1)
	case math.IsNaN(p) || math.IsNaN(q):
		return math.NaN()
	}
	p, q = math.Abs(p), math.Abs(q)
	if p < q {
		p, q = q, p
	}
	if p == 0 {
		return 0
	}
	if p < 0x1p-1022 {
		if h, ok := trigHypotSubnormal(p, q); ok {
			return h
		}
	}
	sp, e := math.Frexp(p) // sp in [1/2, 1), exact
	sq := math.Ldexp(q, -e)
	if sq < 0x1p-28 {
		// (q/p)^2 < 2^-54: p*sqrt(1 + (q/p)^2) rounds to p.
		return p
	}
	// sq >= 2^-28, so the scaling was exact.
	p2 := float64(sp * sp)
	p2e := math.FMA(sp, sp, -p2)
	q2 := float64(sq * sq)
	q2e := math.FMA(sq, sq, -q2)
	s := p2 + q2
	se := ((p2 - s) + q2) + (p2e + q2e) // sp^2 + sq^2 = s + se
	h := math.Sqrt(s)
	rem := math.FMA(-h, h, s) // s - h*h exactly
	h += (rem + se) / (h + h)
	return math.Ldexp(h, e)
}

// trigHypotSubnormal returns the correctly rounded hypot for subnormal
// p >= q >= 0 when it is subnormal (ok false when it is not): with
// p = m 2^-1074, q = n 2^-1074 the result is the integer nearest to
// sqrt(m^2 + n^2), times 2^-1074. No tie: a square root of an integer is
// never a half-integer.
func trigHypotSubnormal(p, q float64) (float64, bool) {
	m := math.Float64bits(p) // subnormal: the bits are the integer
	n := math.Float64bits(q)
	h1, l1 := bits.Mul64(m, m)
	h2, l2 := bits.Mul64(n, n)
	lo, c := bits.Add64(l1, l2, 0)
	hi := h1 + h2 + c // m^2 + n^2 = hi 2^64 + lo < 2^105
	if hi >= 1<<40 {  // >= 2^104: the result is at least 2^-1022, normal
		return 0, false
	}
	k := uint64(math.Sqrt(math.Ldexp(float64(hi), 64) + float64(lo)))
	le := func(a uint64) bool { // a*a <= hi:lo
		ah, al := bits.Mul64(a, a)
		return ah < hi || ah == hi && al <= lo
	}
	for k > 0 && !le(k) {
		k--
	}
	for le(k + 1) {
		k++
	}
	// k = floor(sqrt(N)); round up when N > k^2 + k, i.e. sqrt(N) > k + 1/2.
	ah, al := bits.Mul64(k, k+1)
	if ah < hi || ah == hi && al < lo {
		k++
	}
	return float64(k) * 0x1p-1074, true
}
