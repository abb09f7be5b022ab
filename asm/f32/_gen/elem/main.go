// Command elem writes elem_amd64.s, the elementwise float32 kernels and the
// lane-parallel xoshiro256++ sampler of package f32, in an AVX2 and an
// AVX-512 variant, to standard output (in asm/f32):
//
//	go run _gen/elem/main.go > elem_amd64.s
//
// Both variants come from the same description below: a kernel walks its
// data in blocks of 16 float32 elements, which the AVX2 variant holds in two
// ymm registers ("parts") and the AVX-512 variant in one zmm register, and
// every element goes through the same sequence of IEEE operations in both
// (and in the Go twins in elem.go and rand.go). No operation is fused
// (no FMA), no approximation instruction is used, and every reduction keeps
// 16 lanes (lane l takes elements l, l+16, l+32, ...) combined by the fixed
// tree lane[i] += lane[i+8], += lane[i+4], += lane[i+2], += lane[i+1]. A NaN
// result is stored as the canonical quiet NaN 0x7fc00000, so the bytes do
// not depend on how a CPU propagates NaN payloads.
package main

import (
	"fmt"
	"math"
	"os"
	"strings"
)

var out = &strings.Builder{}

// interleave emits the instructions of the bodies alternately, one line of
// each in turn (independent dependency chains for the scheduler).
func interleave(bodies ...func()) {
	capture := func(f func()) []string {
		saved := out
		out = &strings.Builder{}
		f()
		lines := strings.SplitAfter(out.String(), "\n")
		out = saved
		return lines
	}
	ls := make([][]string, len(bodies))
	n := 0
	for i, f := range bodies {
		ls[i] = capture(f)
		n = max(n, len(ls[i]))
	}
	for i := 0; i < n; i++ {
		for _, l := range ls {
			if i < len(l) {
				out.WriteString(l[i])
			}
		}
	}
}

// op emits one instruction line.
func op(format string, a ...any) { fmt.Fprintf(out, "\t"+format+"\n", a...) }

// label emits a label.
func label(l string) { fmt.Fprintf(out, "\n%s:\n", l) }

func text(s string) { out.WriteString(s) }

// isa is one vector width: AVX2 (ymm, 8 floats, 16 registers) or AVX-512
// (zmm, 16 floats, 32 registers, K masks).
type isa struct {
	name string // function suffix
	v    string // register prefix
	w    int    // float32 lanes per register
	z    bool   // AVX-512
}

var (
	avx2   = isa{"AVX2", "Y", 8, false}
	avx512 = isa{"AVX512", "Z", 16, true}
)

// R is vector register i.
func (s isa) R(i int) string { return fmt.Sprintf("%s%d", s.v, i) }

// H is the lower half of vector register i.
func (s isa) H(i int) string {
	if s.z {
		return fmt.Sprintf("Y%d", i)
	}
	return fmt.Sprintf("X%d", i)
}

// parts is the number of registers holding a block of 16 floats.
func (s isa) parts() int { return 16 / s.w }

func (s isa) and() string {
	if s.z {
		return "VPANDD"
	}
	return "VANDPS"
}

func (s isa) or() string {
	if s.z {
		return "VPORD"
	}
	return "VORPS"
}

func (s isa) xor() string {
	if s.z {
		return "VPXORD"
	}
	return "VXORPS"
}

func (s isa) lbl(kernel, l string) string { return kernel + s.name + "_" + l }

// Constants: each is stored as 16 copies (64 bytes) so that it can be a
// full-width memory operand at either width.
type constant struct {
	name string
	bits uint32
}

var constants []constant

func f32c(name string, v float32) { constants = append(constants, constant{name, math.Float32bits(v)}) }
func u32c(name string, v uint32)  { constants = append(constants, constant{name, v}) }

func init() {
	// These literals are those of elem.go and rand.go.
	u32c("absmask", 0x7fffffff)
	u32c("signmask", 0x80000000)
	u32c("nan", 0x7fc00000)
	f32c("one", 1)
	f32c("zero", 0)
	u32c("bias127", 127)
	f32c("clamp", 110)
	f32c("log2e", 1.44269504088896341)
	f32c("c1", 0.693359375)
	f32c("c2", -2.12194440e-4)
	f32c("p0", 1.9875691500e-4)
	f32c("p1", 1.3981999507e-3)
	f32c("p2", 8.3334519073e-3)
	f32c("p3", 4.1665795894e-2)
	f32c("p4", 1.6666665459e-1)
	f32c("p5", 5.0000001201e-1)
	f32c("a0", 1.0/15)
	f32c("a1", 1.0/13)
	f32c("a2", 1.0/11)
	f32c("a3", 1.0/9)
	f32c("a4", 1.0/7)
	f32c("a5", 1.0/5)
	f32c("a6", 1.0/3)
	f32c("a7", 1)
	f32c("u24", 0x1p-24)
	u32c("mant", 0x007fffff)
	u32c("implicit", 0x00800000)
	u32c("int1", 1)
	u32c("int128", 128)
	f32c("subthr", 86.5)
	f32c("sigfloor", 0x1p-63)
	f32c("spthr", 40)
	u32c("int2", 2)
	u32c("even", 0xfffffffe)
	u32c("bias127e", 127<<23)
	u32c("binade2", 2<<23-1)
}

// mem returns the memory operand of constant name.
func mem(name string) string {
	for i, c := range constants {
		if c.name == name {
			return fmt.Sprintf("elemc<>+%d(SB)", 64*i)
		}
	}
	panic("no constant " + name)
}

// consts maps constant names to the registers holding them in a kernel;
// the others are memory operands.
type consts map[string]string

func (k consts) get(name string) string {
	if r, ok := k[name]; ok {
		return r
	}
	return mem(name)
}

// load puts constant name in register r for the rest of the kernel.
func (k consts) load(s isa, name string, r int) {
	op("VMOVUPS %s, %s", mem(name), s.R(r))
	k[name] = s.R(r)
}

// Tail masks. AVX2: two ymm masks M0, M1 (lanes 0..7 and 8..15 of a block)
// loaded from tailmask<>; AVX-512: K1 loaded from kmask<>.
type masks struct {
	m [2]int // AVX2 mask registers
}

// setTail sets the masks to the first cnt lanes of a block (0 <= cnt <= 16
// for AVX-512, 0 <= cnt < 16 for AVX2; cnt in register cnt, which is kept).
func (s isa) setTail(m masks, cnt string) {
	if s.z {
		op("LEAQ kmask<>(SB), AX")
		op("KMOVW (AX)(%s*2), K1", cnt)
		return
	}
	op("MOVQ %s, AX", cnt)
	op("NEGQ AX")
	op("LEAQ tailmask<>+64(SB), BX")
	op("VMOVDQU (BX)(AX*4), %s", s.R(m.m[0]))
	op("VMOVDQU 32(BX)(AX*4), %s", s.R(m.m[1]))
}

// loadT loads part p of a block under the tail mask, zero elsewhere.
func (s isa) loadT(m masks, p int, src string, dst int) {
	if s.z {
		op("VMOVUPS.Z %s, K1, %s", src, s.R(dst))
	} else {
		op("VMASKMOVPS %s, %s, %s", src, s.R(m.m[p]), s.R(dst))
	}
}

// storeT stores part p of a block under the tail mask.
func (s isa) storeT(m masks, p int, src int, dst string) {
	if s.z {
		op("VMOVUPS %s, K1, %s", s.R(src), dst)
	} else {
		op("VMASKMOVPS %s, %s, %s", s.R(src), s.R(m.m[p]), dst)
	}
}

// zeroT clears the lanes of part p outside the tail mask.
func (s isa) zeroT(m masks, p int, r int) {
	if s.z {
		op("VMOVAPS.Z %s, K1, %s", s.R(r), s.R(r))
	} else {
		op("VANDPS %s, %s, %s", s.R(m.m[p]), s.R(r), s.R(r))
	}
}

// canon replaces NaN lanes of r by the canonical NaN (t: scratch register).
func (s isa) canon(k consts, r, t int) { s.nanWhere(k, r, r, t, "K2") }

// nanWhere sets the lanes of r where x is NaN to the canonical NaN.
func (s isa) nanWhere(k consts, x, r, t int, km string) {
	if s.z {
		op("VCMPPS $3, %s, %s, %s", s.R(x), s.R(x), km)
		op("VMOVUPS %s, %s, %s", k.get("nan"), km, s.R(r))
		return
	}
	op("VCMPPS $3, %s, %s, %s", s.R(x), s.R(x), s.R(t))
	op("VBLENDVPS %s, %s, %s, %s", s.R(t), k.get("nan"), s.R(r), s.R(r))
}

// expNegAbs computes exp(-|x|) up to its scaling by 2^-n (x kept), with
// the scratch registers A, N, R, T:
//
//	a = min(|x|, 110)                  (a < 110 ? a : 110)
//	n = roundEven(a*log2e)
//	r = n*c1 - a; r = r + n*c2         (r = n ln2 - a, |r| <= ln2/2)
//	p = ((((p0*r + p1)*r + p2)*r + p3)*r + p4)*r + p5
//	p = p*(r*r) + r + 1                (Cephes expf, e^r)
//	e = p * 2^-(n>>1) * 2^-(n-(n>>1))  (two exact normal factors: one rounding)
//
// It leaves P = p, N = n << 23 (an integer) and A = a; the caller scales:
// scaleNormal where e is known to be normal, splitScale before rounding
// a product that may not be. n*c1 is exact (c1 has 9 significant bits, n
// <= 159), so one VFMSUB231PS computes the first step's r with its one
// rounding, as the separate product and difference do.
func (s isa) expNegAbs(k consts, x, A, N, R, P, T int) {
	v := s.R
	op("%s %s, %s, %s", s.and(), k.get("absmask"), v(x), v(A))
	op("VMINPS %s, %s, %s", k.get("clamp"), v(A), v(A))
	op("VMULPS %s, %s, %s", k.get("log2e"), v(A), v(N))
	if s.z {
		op("VRNDSCALEPS $0, %s, %s", v(N), v(N))
	} else {
		op("VROUNDPS $0, %s, %s", v(N), v(N))
	}
	op("VMOVAPS %s, %s", v(A), v(R))
	op("VFMSUB231PS %s, %s, %s", k.get("c1"), v(N), v(R))
	op("VMULPS %s, %s, %s", k.get("c2"), v(N), v(T))
	op("VADDPS %s, %s, %s", v(T), v(R), v(R))
	op("VMULPS %s, %s, %s", k.get("p0"), v(R), v(P))
	op("VADDPS %s, %s, %s", k.get("p1"), v(P), v(P))
	for _, c := range []string{"p2", "p3", "p4", "p5"} {
		op("VMULPS %s, %s, %s", v(R), v(P), v(P))
		op("VADDPS %s, %s, %s", k.get(c), v(P), v(P))
	}
	op("VMULPS %s, %s, %s", v(R), v(R), v(T))
	op("VMULPS %s, %s, %s", v(T), v(P), v(P))
	op("VADDPS %s, %s, %s", v(R), v(P), v(P))
	op("VADDPS %s, %s, %s", k.get("one"), v(P), v(P))
	op("VCVTPS2DQ %s, %s", v(N), v(N))
	op("VPSLLD $23, %s, %s", v(N), v(N))
}

// scaleNormal sets P = p * 2^-n from expNegAbs's P and N by subtracting n
// from p's exponent field: exactly the two exact factors' product when
// p * 2^-n is normal (p >= 2^-0.5, so for n <= 125).
func (s isa) scaleNormal(P, N int) {
	op("VPSUBD %s, %s, %s", s.R(N), s.R(P), s.R(P))
}

// splitScale turns expNegAbs's P and N into P = y = p * 2^-(n>>1) (normal)
// and N = 2^-(n-(n>>1)), for the caller to round y*N (T scratch).
func (s isa) splitScale(k consts, N, P, T int) {
	v := s.R
	op("VPSRLD $23, %s, %s", v(N), v(N))
	op("VPSRLD $1, %s, %s", v(N), v(T))
	op("VPSUBD %s, %s, %s", v(T), v(N), v(N))
	// 127 - h = 127 ^ h for 0 <= h <= 127 (here h <= 80): a memory operand
	// will do for the constant.
	op("%s %s, %s, %s", s.xor(), k.get("bias127"), v(T), v(T))
	op("%s %s, %s, %s", s.xor(), k.get("bias127"), v(N), v(N))
	op("VPSLLD $23, %s, %s", v(T), v(T))
	op("VPSLLD $23, %s, %s", v(N), v(N))
	op("VMULPS %s, %s, %s", v(T), v(P), v(P))
}

// bregs is the register set of one sigmoid or softplus body: the input x,
// scratch a, n, r, p, t, and (AVX-512) a scratch mask register.
type bregs struct {
	x, a, n, r, p, t int
	k                string
}

// The register sets of the bodies: set0, and set1 for a second body
// interleaved with the first.
var (
	set0    = bregs{0, 1, 2, 3, 4, 5, "K2"}
	set1Y   = bregs{6, 7, 10, 11, 12, 13, "K3"} // AVX2 sigmoid (8, 9: constants, 14, 15: masks)
	set1Z   = bregs{10, 11, 12, 13, 14, 15, "K3"}
	set2Z   = bregs{16, 17, 18, 19, 20, 21, "K2"} // AVX-512 sigmoid's third and fourth bodies
	set3Z   = bregs{22, 23, 24, 25, 26, 27, "K3"}
	set1ZSp = bregs{12, 13, 14, 15, 6, 7, "K3"} // AVX-512 softplus (10, 11: sums)
	set1YSp = bregs{6, 7, 8, 9, 14, 15, "K3"}   // AVX2 softplus (10-13: sums; the masks are set after the loop)
)

// The sigmoid in three parts, so that no floating-point operation sees a
// subnormal: on Zen 5 a vector operation with a subnormal result or input
// took about 4 times as long (Sigmoid at x in [-95, -85]: 0.89 elements
// per ns against 3.4), and saturated units (|x| > 87) are common in
// training. sigmoidHead computes p and n of exp(-|x|) = p * 2^-n
// (expNegAbs) and the lanes sub where e may be subnormal; sigmoidFast
// finishes when no lane is (e = p * 2^-n by scaleNormal); sigmoidSlow
// splits the scaling (splitScale) and rounds e = y*2^-(n-h) in integer
// arithmetic in the sub lanes, where sigmoid(x) is e (x < 0)
// or 1 (x >= 0) exactly, since 1 + e rounds to 1. Same bits either way.
//
// sub is a mask register (AVX-512) or a vector register (AVX2, all ones
// in the sub lanes).

// sigmoidHead: P = p, N = n << 23 (expNegAbs), and sub = the lanes where e may be
// subnormal: min(|x|, 110) >= 86.5, so n >= 125 (e >= 0.7 * 2^-125 is
// normal below that). One comparison; sigmoidSlow finds the exact lanes.
func (s isa) sigmoidHead(k consts, g bregs, sub string) {
	s.expNegAbs(k, g.x, g.a, g.n, g.r, g.p, g.t)
	op("VCMPPS $13, %s, %s, %s", mem("subthr"), s.R(g.a), sub)
}

// subLanes sets sub to the lanes where e = y * 2^-s is subnormal: a biased
// exponent ey - s below 1, i.e. ey + (127 - s) <= 127 (a, t scratch).
func (s isa) subLanes(k consts, g bregs, sub string) {
	v := s.R
	op("VPSRLD $23, %s, %s", v(g.p), v(g.a))
	op("VPSRLD $23, %s, %s", v(g.n), v(g.t))
	op("VPADDD %s, %s, %s", v(g.t), v(g.a), v(g.a))
	if s.z {
		op("VPCMPD $2, %s, %s, %s", k.get("bias127"), v(g.a), sub)
		return
	}
	op("%s %s, %s", s.movdqu(), mem("int128"), sub)
	op("VPCMPGTD %s, %s, %s", v(g.a), sub, sub)
}

// sigmoidTail is the division step of the sigmoid into g.n from e in P:
//
//	s = (signbit(x) ? e : 1) / (e + 1)
func (s isa) sigmoidTail(k consts, g bregs) {
	v := s.R
	op("VADDPS %s, %s, %s", k.get("one"), v(g.p), v(g.t))
	if s.z {
		op("VPTESTMD %s, %s, %s", k.get("signmask"), v(g.x), g.k)
		op("VBLENDMPS %s, %s, %s, %s", v(g.p), k.get("one"), g.k, v(g.n))
	} else {
		op("VBLENDVPS %s, %s, %s, %s", v(g.x), v(g.p), k.get("one"), v(g.n))
	}
	op("VDIVPS %s, %s, %s", v(g.t), v(g.n), v(g.n))
}

// sigmoidFast finishes sigmoid(x) into g.n when no lane is sub.
func (s isa) sigmoidFast(k consts, g bregs) {
	s.scaleNormal(g.p, g.n)
	s.sigmoidTail(k, g)
	s.nanWhere(k, g.x, g.n, g.t, g.k)
	s.sigmoidFloor(k, g)
}

// sigmoidFloor sets the lanes of g.n below 2^-63 to 0 (sigmoidFloor in
// elem.go; NaN lanes compare false and stay).
func (s isa) sigmoidFloor(k consts, g bregs) {
	v := s.R
	if s.z {
		op("VCMPPS $1, %s, %s, %s", k.get("sigfloor"), v(g.n), g.k)
		op("VPXORD %s, %s, %s, %s", v(g.n), v(g.n), g.k, v(g.n))
		return
	}
	op("VCMPPS $1, %s, %s, %s", k.get("sigfloor"), v(g.n), v(g.t))
	op("VANDNPS %s, %s, %s", v(g.n), v(g.t), v(g.n))
}

// sigmoidSlow finishes sigmoid(x) into g.n when some lane is sub: in
// those lanes e = RNE(M >> k), M = y's significand with its implicit bit,
// k = 1 - (ey - s) >= 1 (the subnormal encoding of y*2^-s; shifts of 32 or
// more give 0), computed as (M + 2^(k-1) - 1 + ((M >> k) & 1)) >> k; the
// floating-point steps run with e = 0 there. e is one more scratch
// register.
func (s isa) sigmoidSlow(k consts, g bregs, sub string, e int) {
	v := s.R
	a, r, t, n, x := v(g.a), v(g.r), v(g.t), v(g.n), v(e)
	s.splitScale(k, g.n, g.p, g.a)
	s.subLanes(k, g, sub) // and a = ey + 127 - s
	op("%s %s, %s", s.movdqu(), mem("int128"), r)
	op("VPSUBD %s, %s, %s", a, r, r) // k
	op("%s %s, %s, %s", s.and(), k.get("mant"), v(g.p), a)
	op("%s %s, %s, %s", s.or(), k.get("implicit"), a, a) // M
	op("VPSRLVD %s, %s, %s", r, a, t)
	op("%s %s, %s, %s", s.and(), k.get("int1"), t, t)
	op("VPADDD %s, %s, %s", t, a, a) // M + odd
	op("VPSUBD %s, %s, %s", k.get("int1"), r, t)
	op("%s %s, %s", s.movdqu(), mem("int1"), x)
	op("VPSLLVD %s, %s, %s", t, x, x)
	op("VPSUBD %s, %s, %s", k.get("int1"), x, x)
	op("VPADDD %s, %s, %s", x, a, a)
	op("VPSRLVD %s, %s, %s", r, a, a) // e in the sub lanes
	if s.z {
		op("VMOVUPS %s, %s, %s", k.get("one"), sub, v(g.n))
		op("VMULPS %s, %s, %s", v(g.n), v(g.p), v(g.p))
		op("VPXORD %s, %s, %s, %s", v(g.p), v(g.p), sub, v(g.p))
	} else {
		op("VBLENDVPS %s, %s, %s, %s", sub, k.get("one"), v(g.n), v(g.n))
		op("VMULPS %s, %s, %s", v(g.n), v(g.p), v(g.p))
		op("VANDNPS %s, %s, %s", v(g.p), sub, v(g.p))
	}
	s.sigmoidTail(k, g)
	if s.z {
		op("KANDW %s, %s, %s", sub, g.k, sub)
		op("VMOVDQA32 %s, %s, %s", a, sub, n)
	} else {
		op("VANDPS %s, %s, %s", v(g.x), sub, t)
		op("VBLENDVPS %s, %s, %s, %s", t, a, n, n)
	}
	s.nanWhere(k, g.x, g.n, g.t, g.k)
	s.sigmoidFloor(k, g)
}

// The softplus in three parts too: softplusHead computes y and 2^-(n-h)
// of e = exp(-|x|) (expNegAbs split) and the lanes big where
// min(|x|, 110) >= 40; softplusFast finishes when no lane is big;
// softplusSlow computes the big lanes in integer arithmetic. Same bits
// either way. Below 40 no step of softplus32 has a subnormal input or
// result (the first is a0*q2 at |x| = 41.62; q2 itself underflows from
// |x| = 42.97, e from 87.34), but from there on the squares, the
// polynomial in q2 and, from 87.3, e and the division underflow, and on
// Zen 5 SoftplusSum at x in [-60, -40] ran at half the speed of [-10, 0].
// (There, in register-only loops, a multiplication whose result underflows
// had a third of the throughput, and chains of multiplications or
// divisions through subnormals took longer; VCVTPS2PD of a subnormal and
// additions did not, so the float64 sums take subnormal terms as they are.)
//
// In a big lane softplus32(x) is known exactly. e <= 2^-57 (exp(-40) =
// 4.2e-18 < 2^-57 = 6.9e-18, and e is within 1e-6 of it), so e + 1
// rounds to 1, d = 2 exactly and q = RN(e/2) <= 2^-58. Then q2 <= 2^-116
// and every RN(c*q2) of the polynomial (c <= 1/3) is below 2^-117, less
// than half an ulp of every a_i (>= 1/15, half an ulp 2^-28), so each
// step gives a_i and s = a7 = 1 exactly, y = s*q = q, and y + y = 2q
// exactly: Y = 2 RN(e/2), which is e when e >= 2^-125 (e/2 normal), and
// otherwise e's bit pattern E (e = E * 2^-149 below 2^-125, subnormal or
// not) rounded to even, (E + ((E>>1)&1)) &^ 1. For x > 0 the result is x
// + Y = x, since Y <= 2^-56 is below half an ulp of x >= 40 (2^-19); for
// x <= 0 it is 0 + Y = Y. TestSoftplusBig checks this for every float32
// of magnitude 40 to 110 (above 110, |x| is clamped to 110).
//
// big is a mask register (AVX-512) or a vector register (AVX2, all ones
// in the big lanes, in g.t).

// softplusHead: P = p, N = n << 23 (expNegAbs), big = the lanes where min(|x|, 110)
// >= 40.
func (s isa) softplusHead(k consts, g bregs, big string) {
	s.expNegAbs(k, g.x, g.a, g.n, g.r, g.p, g.t)
	op("VCMPPS $13, %s, %s, %s", mem("spthr"), s.R(g.a), big)
}

// softplusTail computes softplus from e (in register e) into register e
// (q, q2, m: scratch):
//
//	q = e / ((e + 1) + 1)
//	s = ((((((a0*q2 + a1)*q2 + a2)*q2 + a3)*q2 + a4)*q2 + a5)*q2 + a6)*q2 + a7, q2 = q*q
//	y = s*q; y = y + y                 (log1p(e) = 2 atanh(q))
//	e = (x > 0 ? x : 0) + y
func (s isa) softplusTail(k consts, x, e, q, q2, m int) {
	v := s.R
	op("VADDPS %s, %s, %s", k.get("one"), v(e), v(q))
	op("VADDPS %s, %s, %s", k.get("one"), v(q), v(q))
	op("VDIVPS %s, %s, %s", v(q), v(e), v(q))
	op("VMULPS %s, %s, %s", v(q), v(q), v(q2))
	op("VMULPS %s, %s, %s", k.get("a0"), v(q2), v(e))
	op("VADDPS %s, %s, %s", k.get("a1"), v(e), v(e))
	for _, c := range []string{"a2", "a3", "a4", "a5", "a6", "a7"} {
		op("VMULPS %s, %s, %s", v(q2), v(e), v(e))
		op("VADDPS %s, %s, %s", k.get(c), v(e), v(e))
	}
	op("VMULPS %s, %s, %s", v(q), v(e), v(e))
	op("VADDPS %s, %s, %s", v(e), v(e), v(e))
	op("VMAXPS %s, %s, %s", k.get("zero"), v(x), v(m))
	op("VADDPS %s, %s, %s", v(e), v(m), v(e))
}

// softplusFast finishes softplus(x) into g.p when no lane is big:
// e = p * 2^-n (scaleNormal: n <= 58), softplusTail, NaN -> canonical NaN.
func (s isa) softplusFast(k consts, g bregs) {
	s.scaleNormal(g.p, g.n)
	s.softplusTail(k, g.x, g.p, g.t, g.r, g.a)
	s.nanWhere(k, g.x, g.p, g.t, g.k)
}

// softplusSlow finishes softplus(x) into g.p when some lane is big, with
// two more scratch registers e1, e2 (AVX-512 also K6, K7). In the big
// lanes: E' = bits(y) + bits(2^-s) - (127 << 23) is the bit pattern of e
// = y * 2^-s (exact: a sum of exponents) when its biased exponent b = E'
// >> 23 (arithmetic) is >= 1, and there Y = E' if b >= 2. If b <= 1, E =
// RNE(M >> k), M = y's significand with its implicit bit, k = 1 - b >= 0
// (the subnormal or first-binade encoding; for k = 0 it is M), computed as
// RNE(2M >> j), j = k + 1 >= 1: (2M + 2^(j-1) - 1 + ((M >> (j-1)) & 1))
// >> j (shifts of 32 or more give 0), and Y = (E + ((E>>1)&1)) &^ 1. The
// floating-point steps run with e = 0 in the big lanes (so 2^-s is
// replaced by 0 there before the product: no underflow), which gives x
// for x > 0, and Y replaces the +0 they give for x <= 0 (sign bit set;
// NaN lanes are big and end as NaN). When every lane is big they are left
// out: the result is x or Y by the sign of x. l prefixes its labels.
func (s isa) softplusSlow(k consts, g bregs, big string, e1, e2 int, l string) {
	v := s.R
	x, a, n, r, p, t := v(g.x), v(g.a), v(g.n), v(g.r), v(g.p), v(g.t)
	s.splitScale(k, g.n, g.p, g.a)
	op("VPADDD %s, %s, %s", n, p, a)
	op("VPSUBD %s, %s, %s", mem("bias127e"), a, a) // E'
	if s.z {
		op("KNOTW %s, K6", big)
		op("VMOVAPS.Z %s, K6, %s", n, n)
	} else {
		op("VANDNPS %s, %s, %s", n, big, n)
	}
	op("%s %s, %s, %s", s.and(), k.get("mant"), p, r)
	op("%s %s, %s, %s", s.or(), k.get("implicit"), r, r) // M
	op("VMULPS %s, %s, %s", n, p, p)                     // e, 0 in the big lanes
	op("VPSRAD $23, %s, %s", a, n)                       // b
	op("%s %s, %s", s.movdqu(), mem("int2"), v(e1))
	op("VPSUBD %s, %s, %s", n, v(e1), v(e1))         // j
	op("VPSUBD %s, %s, %s", k.get("int1"), v(e1), n) // j - 1
	op("VPSRLVD %s, %s, %s", n, r, v(e2))
	op("%s %s, %s, %s", s.and(), k.get("int1"), v(e2), v(e2))
	op("VPADDD %s, %s, %s", r, r, r)
	op("VPADDD %s, %s, %s", v(e2), r, r) // 2M + odd
	op("%s %s, %s", s.movdqu(), mem("int1"), v(e2))
	op("VPSLLVD %s, %s, %s", n, v(e2), v(e2))
	op("VPSUBD %s, %s, %s", k.get("int1"), v(e2), v(e2))
	op("VPADDD %s, %s, %s", v(e2), r, r)
	op("VPSRLVD %s, %s, %s", v(e1), r, r) // E
	op("VPSRLD $1, %s, %s", r, n)
	op("%s %s, %s, %s", s.and(), k.get("int1"), n, n)
	op("VPADDD %s, %s, %s", n, r, r)
	op("%s %s, %s, %s", s.and(), mem("even"), r, r) // Y where b <= 1
	if s.z {
		op("VPCMPD $6, %s, %s, K7", mem("binade2"), a)
		op("VMOVDQA32 %s, K7, %s", a, r)
	} else {
		op("VPCMPGTD %s, %s, %s", mem("binade2"), a, n)
		op("VBLENDVPS %s, %s, %s, %s", n, a, r, r)
	} // Y
	if s.z {
		op("KORTESTW K6, K6")
		op("JZ %s", l+"all")
	} else {
		op("VMOVMSKPS %s, AX", big)
		op("CMPQ AX, $0xff")
		op("JEQ %s", l+"all")
	}
	s.softplusTail(k, g.x, g.p, g.n, e1, g.a)
	if s.z {
		op("VPTESTMD %s, %s, %s, K6", k.get("signmask"), x, big)
		op("VMOVDQA32 %s, K6, %s", r, p)
	} else {
		op("VANDPS %s, %s, %s", x, big, t)
		op("VBLENDVPS %s, %s, %s, %s", t, r, p, p)
	}
	op("JMP %s", l+"nan")
	// Every lane big: x or Y by the sign of x, no floating-point steps.
	label(l + "all")
	if s.z {
		op("VPTESTMD %s, %s, K6", k.get("signmask"), x)
		op("VMOVAPS %s, %s", x, p)
		op("VMOVDQA32 %s, K6, %s", r, p)
	} else {
		op("VBLENDVPS %s, %s, %s, %s", x, r, x, p)
	}
	label(l + "nan")
	s.nanWhere(k, g.x, g.p, g.t, g.k)
}

// softplusOne computes softplus(x) of set0 into set0.p (big in set0.t for
// AVX2), the slow part out of line (see outOfLine).
func (s isa) softplusOne(k consts, big string, e1, e2 int, l string, slow *[]func()) {
	s.softplusHead(k, set0, big)
	s.outOfLine(big, l, slow, func() { s.softplusFast(k, set0) }, func() { s.softplusSlow(k, set0, big, e1, e2, l) })
}

func (s isa) sigmoidBias() {
	const K = "sig"
	L := func(l string) string { return s.lbl(K, l) }
	text(fmt.Sprintf("\n// func sigmoidBias%s(dst *float32, ldd int, x *float32, ldx int, rows, cols int, bias *float32)\n", s.name))
	text(fmt.Sprintf("TEXT ·sigmoidBias%s(SB), NOSPLIT, $0-56\n", s.name))
	op("MOVQ dst+0(FP), DI")
	op("MOVQ ldd+8(FP), R8")
	op("MOVQ x+16(FP), SI")
	op("MOVQ ldx+24(FP), R9")
	op("MOVQ rows+32(FP), R10")
	op("MOVQ cols+40(FP), R11")
	op("MOVQ bias+48(FP), R12")
	op("SHLQ $2, R8")
	op("SHLQ $2, R9")
	k := consts{}
	m := masks{[2]int{14, 15}}
	k.load(s, "one", 8)
	k.load(s, "bias127", 9)
	set1 := set1Y
	if s.z {
		set1 = set1Z
		for i, c := range []string{"log2e", "c1", "c2", "p0", "p1", "p2"} {
			k.load(s, c, []int{6, 7, 28, 29, 30, 31}[i])
		}
	}
	// The main loop runs interleaved bodies of one register each: two on
	// AVX2 (16 elements), four on AVX-512 (64 elements; the exp chains of
	// two bodies left the scheduler idle: Sigmoid ran at 3.9 elements per
	// ns), then a block of two (32) when cols%64 >= 32. The sets of the
	// third and fourth bodies take registers 16-27, so that AVX-512 keeps
	// only six of its constants in registers and reads the others as
	// memory operands. A body's mask register is shared with the body two
	// further on: the fast finishes run in two interleaved pairs.
	sets := []bregs{set0, set1Y}
	subs := []string{s.R(14), s.R(15)}
	if s.z {
		sets = []bregs{set0, set1Z, set2Z, set3Z}
		subs = []string{"K4", "K5", "K6", "K7"}
	}
	per := len(sets) * s.w
	shift := map[int]int{16: 4, 64: 6}[per]
	op("MOVQ R11, R13")
	op("ANDQ $15, R13")
	s.setTail(m, "R13")
	op("TESTQ R10, R10")
	op("JZ %s", L("done"))
	label(L("row"))
	op("MOVQ SI, AX")
	op("MOVQ DI, BX")
	op("MOVQ R12, DX")
	op("MOVQ R11, CX")
	op("SHRQ $%d, CX", shift)
	var slow []func() // out-of-line blocks, after the RET
	if s.z {
		op("JZ %s", L("pair"))
	} else {
		op("JZ %s", L("single"))
	}
	label(L("loop"))
	s.sigmoidBlock(k, sets, subs, L("l"), &slow)
	op("DECQ CX")
	op("JNZ %s", L("loop"))
	if s.z {
		label(L("pair"))
		op("TESTQ $32, R11")
		op("JZ %s", L("single"))
		s.sigmoidBlock(k, sets[:2], subs[:2], L("p"), &slow)
	}
	sub0 := subs[0]
	label(L("single"))
	if s.z {
		// One more block of 16 when cols%32 >= 16.
		op("TESTQ $16, R11")
		op("JZ %s", L("tail"))
		op("VMOVUPS 0(AX), %s", s.R(set0.x))
		op("TESTQ R12, R12")
		op("JZ %s", L("snb"))
		op("VADDPS 0(DX), %s, %s", s.R(set0.x), s.R(set0.x))
		label(L("snb"))
		s.sigmoidOne(k, sub0, set1.a, L("s"), &slow)
		op("VMOVUPS %s, 0(BX)", s.R(set0.n))
		op("ADDQ $64, AX")
		op("ADDQ $64, BX")
		op("ADDQ $64, DX")
	}
	label(L("tail"))
	op("TESTQ R13, R13")
	op("JZ %s", L("next"))
	tsub := sub0
	if !s.z {
		op("MOVQ R13, R14")
		op("NEGQ R14")
		op("LEAQ tailmask<>+64(SB), R15")
		op("VMOVDQU (R15)(R14*4), %s", s.R(m.m[0]))
		op("VMOVDQU 32(R15)(R14*4), %s", s.R(m.m[1]))
		tsub = s.R(6)
	}
	for p := 0; p < s.parts(); p++ {
		s.loadT(m, p, fmt.Sprintf("%d(AX)", 32*p), set0.x)
		op("TESTQ R12, R12")
		op("JZ %s", L(fmt.Sprintf("tnb%d", p)))
		s.loadT(m, p, fmt.Sprintf("%d(DX)", 32*p), set1.x)
		op("VADDPS %s, %s, %s", s.R(set1.x), s.R(set0.x), s.R(set0.x))
		label(L(fmt.Sprintf("tnb%d", p)))
		s.sigmoidOne(k, tsub, set1.a, L(fmt.Sprintf("t%d", p)), &slow)
		s.storeT(m, p, set0.n, fmt.Sprintf("%d(BX)", 32*p))
	}
	label(L("next"))
	op("ADDQ R9, SI")
	op("ADDQ R8, DI")
	op("DECQ R10")
	op("JNZ %s", L("row"))
	label(L("done"))
	op("VZEROUPPER")
	op("RET")
	for _, f := range slow {
		f()
	}
}

// sigmoidBlock computes sigmoid(x + bias) of len(sets) consecutive
// registers of elements at AX (bias at DX unless R12 is 0) into BX, the
// bodies interleaved, and moves AX, BX and DX past them. subs are the
// bodies' subnormal masks; when any lane of them is set, all the bodies
// finish by sigmoidSlow out of line (label l+"slow"), each with the next
// body's free a register as its extra scratch.
func (s isa) sigmoidBlock(k consts, sets []bregs, subs []string, l string, slow *[]func()) {
	for i, g := range sets {
		op("VMOVUPS %d(AX), %s", 4*s.w*i, s.R(g.x))
	}
	op("TESTQ R12, R12") // bias == nil (DX moves on regardless)
	op("JZ %s", l+"nb")
	for i, g := range sets {
		op("VADDPS %d(DX), %s, %s", 4*s.w*i, s.R(g.x), s.R(g.x))
	}
	label(l + "nb")
	heads := make([]func(), len(sets))
	for i := range sets {
		heads[i] = func() { s.sigmoidHead(k, sets[i], subs[i]) }
	}
	interleave(heads...)
	if s.z {
		// The bodies' own mask registers are free here: OR the subs there.
		op("KORW %s, %s, %s", subs[0], subs[1], sets[0].k)
		if len(sets) == 4 {
			op("KORW %s, %s, %s", subs[2], subs[3], sets[1].k)
			op("KORW %s, %s, %s", sets[0].k, sets[1].k, sets[0].k)
		}
		op("KORTESTW %s, %s", sets[0].k, sets[0].k)
		op("JNZ %s", l+"slow")
	} else {
		for _, sub := range subs {
			op("VPTEST %s, %s", sub, sub)
			op("JNZ %s", l+"slow")
		}
	}
	for i := 0; i < len(sets); i += 2 {
		interleave(func() { s.sigmoidFast(k, sets[i]) }, func() { s.sigmoidFast(k, sets[i+1]) })
	}
	label(l + "join")
	*slow = append(*slow, func() {
		label(l + "slow")
		for i, g := range sets {
			s.sigmoidSlow(k, g, subs[i], sets[(i+1)%len(sets)].a)
		}
		op("JMP %s", l+"join")
	})
	for i, g := range sets {
		op("VMOVUPS %s, %d(BX)", s.R(g.n), 4*s.w*i)
	}
	n := 4 * s.w * len(sets)
	op("ADDQ $%d, AX", n)
	op("ADDQ $%d, BX", n)
	op("ADDQ $%d, DX", n)
}

// sigmoidOne computes sigmoid(x) of set0 into set0.n, the slow part out of
// line (see outOfLine).
func (s isa) sigmoidOne(k consts, sub string, e int, l string, slow *[]func()) {
	s.sigmoidHead(k, set0, sub)
	s.outOfLine(sub, l, slow, func() { s.sigmoidFast(k, set0) }, func() { s.sigmoidSlow(k, set0, sub, e) })
}

// outOfLine emits fast when no lane of mask (a mask register, or a vector
// register for AVX2) is set, else jumps to slowBody, emitted later out of
// line (appended to slow) under label l+"slow" and joining at l+"join".
func (s isa) outOfLine(mask, l string, slow *[]func(), fast, slowBody func()) {
	if s.z {
		op("KORTESTW %s, %s", mask, mask)
	} else {
		op("VPTEST %s, %s", mask, mask)
	}
	op("JNZ %s", l+"slow")
	fast()
	label(l + "join")
	*slow = append(*slow, func() {
		label(l + "slow")
		slowBody()
		op("JMP %s", l+"join")
	})
}

// dw is the number of float64 lanes per register.
func (s isa) dw() int { return s.w / 2 }

// widen converts the float32 register r (a part of a block) to float64:
// its low half into lo, its high half into hi (r is clobbered).
func (s isa) widen(r, lo, hi int) {
	if s.z {
		op("VEXTRACTF64X4 $1, %s, %s", s.R(r), s.H(hi))
	} else {
		op("VEXTRACTF128 $1, %s, %s", s.R(r), s.H(hi))
	}
	op("VCVTPS2PD %s, %s", s.H(r), s.R(lo))
	op("VCVTPS2PD %s, %s", s.H(hi), s.R(hi))
}

// tree64 sums the 16 float64 lanes in registers acc (4 for AVX2, 2 for
// AVX-512) by the fixed tree into the low lane of X<acc[0]>; t is scratch.
func (s isa) tree64(acc []int, t int) {
	if s.z {
		op("VADDPD %s, %s, %s", s.R(acc[1]), s.R(acc[0]), s.R(acc[0]))
		op("VEXTRACTF64X4 $1, %s, Y%d", s.R(acc[0]), t)
		op("VADDPD Y%d, Y%d, Y%d", t, acc[0], acc[0])
	} else {
		op("VADDPD %s, %s, %s", s.R(acc[2]), s.R(acc[0]), s.R(acc[0]))
		op("VADDPD %s, %s, %s", s.R(acc[3]), s.R(acc[1]), s.R(acc[1]))
		op("VADDPD %s, %s, %s", s.R(acc[1]), s.R(acc[0]), s.R(acc[0]))
	}
	op("VEXTRACTF128 $1, Y%d, X%d", acc[0], t)
	op("VADDPD X%d, X%d, X%d", t, acc[0], acc[0])
	op("VHADDPD X%d, X%d, X%d", acc[0], acc[0], acc[0])
}

func (s isa) softplusSum() {
	const K = "sp"
	L := func(l string) string { return s.lbl(K, l) }
	text(fmt.Sprintf("\n// func softplusSum%s(x *float32, n int, bias *float32) float64\n", s.name))
	text(fmt.Sprintf("TEXT ·softplusSum%s(SB), NOSPLIT, $0-32\n", s.name))
	op("MOVQ x+0(FP), SI")
	op("MOVQ n+8(FP), CX")
	op("MOVQ bias+16(FP), DX")
	op("MOVQ DX, R12")
	k := consts{}
	m := masks{[2]int{14, 15}}
	if s.z {
		k.load(s, "one", 8)
		k.load(s, "bias127", 9)
		for i, c := range []string{"absmask", "clamp", "log2e", "c1", "c2", "p0", "p1", "p2", "p3", "p4", "p5", "zero", "nan",
			"a0", "a1", "a2"} {
			k.load(s, c, 16+i)
		}
	}
	acc := []int{10, 11, 12, 13}[:2*s.parts()]
	for _, a := range acc {
		op("VXORPD %s, %s, %s", s.R(a), s.R(a), s.R(a))
	}
	// accum adds the 16 (AVX-512) or 8 (AVX2, part p) float32 terms in
	// register r to their float64 lanes (t1, t2: scratch).
	accum := func(r, p, t1, t2 int) {
		s.widen(r, t1, t2)
		op("VADDPD %s, %s, %s", s.R(t1), s.R(acc[2*p]), s.R(acc[2*p]))
		op("VADDPD %s, %s, %s", s.R(t2), s.R(acc[2*p+1]), s.R(acc[2*p+1]))
	}
	// Each iteration of the main loop runs two interleaved bodies: the two
	// parts of a block (AVX2) or two blocks (AVX-512); lane l sums its terms
	// in element order either way.
	set1, per, shift := set1YSp, 16, 4
	if s.z {
		set1, per, shift = set1ZSp, 32, 5
	}
	// The big lanes of each body: K4, K5 (AVX-512) or the bodies' t.
	big0, big1 := "K4", "K5"
	if !s.z {
		big0, big1 = s.R(set0.t), s.R(set1.t)
	}
	var slow []func() // out-of-line blocks, after the RET
	// block runs the parts of one block of 16 one after the other (masked
	// when tail), with set1's n and r as the slow part's scratch.
	block := func(tail bool) {
		for p := 0; p < s.parts(); p++ {
			if tail {
				s.loadT(m, p, fmt.Sprintf("%d(SI)", 32*p), set0.x)
			} else {
				op("VMOVUPS %d(SI), %s", 32*p, s.R(set0.x))
			}
			op("TESTQ R12, R12") // bias == nil (DX moves on regardless)
			nb := L(fmt.Sprintf("nb%d%v", p, tail))
			op("JZ %s", nb)
			if tail {
				s.loadT(m, p, fmt.Sprintf("%d(DX)", 32*p), 6)
				op("VADDPS %s, %s, %s", s.R(6), s.R(set0.x), s.R(set0.x))
			} else {
				op("VADDPS %d(DX), %s, %s", 32*p, s.R(set0.x), s.R(set0.x))
			}
			label(nb)
			s.softplusOne(k, big0, set1.n, set1.r, L(fmt.Sprintf("b%d%v", p, tail)), &slow)
			if tail {
				s.zeroT(m, p, set0.p)
			}
			accum(set0.p, p, 6, 7)
		}
	}
	op("MOVQ CX, R9")
	op("SHRQ $%d, R9", shift)
	op("JZ %s", L("single"))
	label(L("loop2"))
	op("VMOVUPS 0(SI), %s", s.R(set0.x))
	op("VMOVUPS %d(SI), %s", 4*s.w, s.R(set1.x))
	op("TESTQ R12, R12")
	op("JZ %s", L("nb2"))
	op("VADDPS 0(DX), %s, %s", s.R(set0.x), s.R(set0.x))
	op("VADDPS %d(DX), %s, %s", 4*s.w, s.R(set1.x), s.R(set1.x))
	label(L("nb2"))
	interleave(func() { s.softplusHead(k, set0, big0) }, func() { s.softplusHead(k, set1, big1) })
	if s.z {
		op("KORW K4, K5, K6")
		op("KORTESTW K6, K6")
	} else {
		op("VPOR %s, %s, %s", s.R(set1.t), s.R(set0.t), s.R(set0.r))
		op("VPTEST %s, %s", s.R(set0.r), s.R(set0.r))
	}
	op("JNZ %s", L("slow2"))
	interleave(func() { s.softplusFast(k, set0) }, func() { s.softplusFast(k, set1) })
	label(L("join2"))
	slow = append(slow, func() {
		// Each body's slow part uses the other's a and r, free after its
		// head or its slow part.
		label(L("slow2"))
		s.softplusSlow(k, set0, big0, set1.a, set1.r, L("s0"))
		s.softplusSlow(k, set1, big1, set0.a, set0.r, L("s1"))
		op("JMP %s", L("join2"))
	})
	accum(set0.p, 0, set0.x, set0.a)
	accum(set1.p, s.parts()-1, set1.x, set1.a)
	op("ADDQ $%d, SI", 4*per)
	op("ADDQ $%d, DX", 4*per)
	op("DECQ R9")
	op("JNZ %s", L("loop2"))
	label(L("single"))
	if s.z {
		// One more block of 16 when n%32 >= 16.
		op("TESTQ $16, CX")
		op("JZ %s", L("tail"))
		block(false)
		op("ADDQ $64, SI")
		op("ADDQ $64, DX")
	}
	label(L("tail"))
	op("ANDQ $15, CX")
	op("JZ %s", L("sum"))
	s.setTail(m, "CX")
	block(true)
	label(L("sum"))
	s.tree64(acc, 1)
	op("VMOVSD X%d, ret+24(FP)", acc[0])
	op("VZEROUPPER")
	op("RET")
	for _, f := range slow {
		f()
	}
}

func (s isa) squaredDiffSum() {
	const K = "sq"
	L := func(l string) string { return s.lbl(K, l) }
	text(fmt.Sprintf("\n// func squaredDiffSum%s(a, b *float32, n int) float64\n", s.name))
	text(fmt.Sprintf("TEXT ·squaredDiffSum%s(SB), NOSPLIT, $0-32\n", s.name))
	op("MOVQ a+0(FP), SI")
	op("MOVQ b+8(FP), DI")
	op("MOVQ n+16(FP), CX")
	m := masks{[2]int{14, 15}}
	acc := []int{0, 1, 2, 3}[:2*s.parts()]
	for _, a := range acc {
		op("VXORPD %s, %s, %s", s.R(a), s.R(a), s.R(a))
	}
	op("MOVQ CX, BX")
	op("SHRQ $4, BX")
	op("JZ %s", L("tail"))
	label(L("loop"))
	for q := range acc {
		op("VCVTPS2PD %d(SI), %s", 4*s.dw()*q, s.R(4))
		op("VCVTPS2PD %d(DI), %s", 4*s.dw()*q, s.R(5))
		op("VSUBPD %s, %s, %s", s.R(5), s.R(4), s.R(4))
		op("VMULPD %s, %s, %s", s.R(4), s.R(4), s.R(4))
		op("VADDPD %s, %s, %s", s.R(4), s.R(acc[q]), s.R(acc[q]))
	}
	op("ADDQ $64, SI")
	op("ADDQ $64, DI")
	op("DECQ BX")
	op("JNZ %s", L("loop"))
	label(L("tail"))
	op("ANDQ $15, CX")
	op("JZ %s", L("sum"))
	s.setTail(m, "CX")
	for p := 0; p < s.parts(); p++ {
		s.loadT(m, p, fmt.Sprintf("%d(SI)", 32*p), 4)
		s.loadT(m, p, fmt.Sprintf("%d(DI)", 32*p), 5)
		s.widen(4, 4, 6)
		s.widen(5, 5, 7)
		op("VSUBPD %s, %s, %s", s.R(5), s.R(4), s.R(4))
		op("VSUBPD %s, %s, %s", s.R(7), s.R(6), s.R(6))
		op("VMULPD %s, %s, %s", s.R(4), s.R(4), s.R(4))
		op("VMULPD %s, %s, %s", s.R(6), s.R(6), s.R(6))
		op("VADDPD %s, %s, %s", s.R(4), s.R(acc[2*p]), s.R(acc[2*p]))
		op("VADDPD %s, %s, %s", s.R(6), s.R(acc[2*p+1]), s.R(acc[2*p+1]))
	}
	label(L("sum"))
	s.tree64(acc, 8)
	op("VMOVSD X%d, ret+24(FP)", acc[0])
	op("VZEROUPPER")
	op("RET")
}

// fromBytes converts n/16*16 bytes to float32 (exact: every uint8 is a
// float32); the caller converts the last n%16 itself. Four blocks of 16 a
// loop turn, then single blocks.
func (s isa) fromBytes() {
	const K = "fb"
	L := func(l string) string { return s.lbl(K, l) }
	text(fmt.Sprintf("\n// func fromBytes%s(dst *float32, src *uint8, n int)\n", s.name))
	text(fmt.Sprintf("TEXT ·fromBytes%s(SB), NOSPLIT, $0-24\n", s.name))
	op("MOVQ dst+0(FP), DI")
	op("MOVQ src+8(FP), SI")
	op("MOVQ n+16(FP), CX")
	op("SHRQ $4, CX")
	op("JZ %s", L("done"))
	// One block of 16 bytes at offset off of SI into registers r..r+parts-1.
	block := func(off, r int) {
		for p := 0; p < s.parts(); p++ {
			op("VPMOVZXBD %d(SI), %s", off+s.w*p, s.R(r+p))
			op("VCVTDQ2PS %s, %s", s.R(r+p), s.R(r+p))
			op("VMOVUPS %s, %d(DI)", s.R(r+p), 4*(off+s.w*p))
		}
	}
	label(L("loop4"))
	op("CMPQ CX, $4")
	op("JLT %s", L("loop1"))
	for q := range 4 {
		block(16*q, q*s.parts())
	}
	op("ADDQ $64, SI")
	op("ADDQ $256, DI")
	op("SUBQ $4, CX")
	op("JMP %s", L("loop4"))
	label(L("loop1"))
	op("TESTQ CX, CX")
	op("JZ %s", L("done"))
	block(0, 0)
	op("ADDQ $16, SI")
	op("ADDQ $64, DI")
	op("DECQ CX")
	op("JMP %s", L("loop1"))
	label(L("done"))
	op("VZEROUPPER")
	op("RET")
}

func (s isa) dot() {
	const K = "dot"
	L := func(l string) string { return s.lbl(K, l) }
	text(fmt.Sprintf("\n// func dot%s(a, b *float32, n int) float32\n", s.name))
	text(fmt.Sprintf("TEXT ·dot%s(SB), NOSPLIT, $0-28\n", s.name))
	op("MOVQ a+0(FP), SI")
	op("MOVQ b+8(FP), DI")
	op("MOVQ n+16(FP), CX")
	m := masks{[2]int{14, 15}}
	for p := 0; p < s.parts(); p++ {
		op("VXORPS %s, %s, %s", s.R(p), s.R(p), s.R(p))
	}
	op("MOVQ CX, BX")
	op("SHRQ $4, BX")
	op("JZ %s", L("tail"))
	label(L("loop"))
	for p := 0; p < s.parts(); p++ {
		op("VMOVUPS %d(SI), %s", 32*p, s.R(4+p))
		op("VMULPS %d(DI), %s, %s", 32*p, s.R(4+p), s.R(4+p))
		op("VADDPS %s, %s, %s", s.R(4+p), s.R(p), s.R(p))
	}
	op("ADDQ $64, SI")
	op("ADDQ $64, DI")
	op("DECQ BX")
	op("JNZ %s", L("loop"))
	label(L("tail"))
	op("ANDQ $15, CX")
	op("JZ %s", L("sum"))
	s.setTail(m, "CX")
	for p := 0; p < s.parts(); p++ {
		s.loadT(m, p, fmt.Sprintf("%d(SI)", 32*p), 4)
		s.loadT(m, p, fmt.Sprintf("%d(DI)", 32*p), 5)
		op("VMULPS %s, %s, %s", s.R(5), s.R(4), s.R(4))
		op("VADDPS %s, %s, %s", s.R(4), s.R(p), s.R(p))
	}
	label(L("sum"))
	// lane[i] += lane[i+8], += lane[i+4], += lane[i+2], += lane[i+1]
	if s.z {
		op("VEXTRACTF64X4 $1, Z0, Y1")
	}
	op("VADDPS Y1, Y0, Y0")
	op("VEXTRACTF128 $1, Y0, X1")
	op("VADDPS X1, X0, X0")
	op("VMOVHLPS X0, X0, X1")
	op("VADDPS X1, X0, X0")
	op("VHADDPS X0, X0, X0")
	op("VMOVSS X0, ret+24(FP)")
	op("VZEROUPPER")
	op("RET")
}

func (s isa) colSums() {
	const K = "cs"
	L := func(l string) string { return s.lbl(K, l) }
	text(fmt.Sprintf("\n// func colSums%s(dst, a *float32, m, n, lda int, alpha, beta float32)\n", s.name))
	text(fmt.Sprintf("TEXT ·colSums%s(SB), NOSPLIT, $0-48\n", s.name))
	op("MOVQ dst+0(FP), DI")
	op("MOVQ a+8(FP), SI")
	op("MOVQ m+16(FP), R10")
	op("MOVQ n+24(FP), R11")
	op("MOVQ lda+32(FP), R8")
	op("SHLQ $2, R8")
	op("VBROADCASTSS alpha+40(FP), %s", s.R(12))
	op("VBROADCASTSS beta+44(FP), %s", s.R(13))
	op("MOVL beta+44(FP), R12")
	op("SHLL $1, R12") // zero of either sign: overwrite
	// The sums start from -0, the identity of addition (-0 + x is x for
	// every x, +0 included), so a column of -0 sums to -0, as the sum of
	// its rows does (colSumsGo).
	op("VMOVUPS %s, %s", mem("signmask"), s.R(14))
	k := consts{}
	vb := 4 * s.w * 4 // bytes of a 4-register block
	finish := func(r int, dst string, tail bool) {
		// r = alpha*r (+ beta*dst); NaN canonical
		op("VMULPS %s, %s, %s", s.R(12), s.R(r), s.R(r))
		op("TESTL R12, R12")
		skip := L(fmt.Sprintf("nobeta%d%v", r, tail))
		op("JZ %s", skip)
		if tail {
			if s.z {
				op("VMOVUPS.Z %s, K1, %s", dst, s.R(8))
			} else {
				op("VMASKMOVPS %s, %s, %s", dst, s.R(15), s.R(8))
			}
			op("VMULPS %s, %s, %s", s.R(8), s.R(13), s.R(8))
		} else {
			op("VMULPS %s, %s, %s", dst, s.R(13), s.R(8))
		}
		op("VADDPS %s, %s, %s", s.R(8), s.R(r), s.R(r))
		label(skip)
		s.canon(k, r, 9)
	}
	label(L("block"))
	op("CMPQ R11, $%d", 4*s.w)
	op("JLT %s", L("narrow"))
	for i := 0; i < 4; i++ {
		op("VMOVAPS %s, %s", s.R(14), s.R(i))
	}
	op("MOVQ SI, AX")
	op("MOVQ R10, CX")
	label(L("rows"))
	for i := 0; i < 4; i++ {
		op("VADDPS %d(AX), %s, %s", 4*s.w*i, s.R(i), s.R(i))
	}
	op("ADDQ R8, AX")
	op("DECQ CX")
	op("JNZ %s", L("rows"))
	for i := 0; i < 4; i++ {
		finish(i, fmt.Sprintf("%d(DI)", 4*s.w*i), false)
		op("VMOVUPS %s, %d(DI)", s.R(i), 4*s.w*i)
	}
	op("ADDQ $%d, SI", vb)
	op("ADDQ $%d, DI", vb)
	op("SUBQ $%d, R11", 4*s.w)
	op("JMP %s", L("block"))
	label(L("narrow"))
	op("TESTQ R11, R11")
	op("JZ %s", L("done"))
	op("MOVQ R11, DX")
	op("CMPQ DX, $%d", s.w)
	op("JLE 2(PC)")
	op("MOVQ $%d, DX", s.w)
	if s.z {
		op("LEAQ kmask<>(SB), AX")
		op("KMOVW (AX)(DX*2), K1")
	} else {
		op("NEGQ DX")
		op("LEAQ tailmask<>+64(SB), BX")
		op("VMOVDQU (BX)(DX*4), Y15")
	}
	op("VMOVAPS %s, %s", s.R(14), s.R(0))
	op("MOVQ SI, AX")
	op("MOVQ R10, CX")
	label(L("nrows"))
	if s.z {
		op("VMOVUPS.Z (AX), K1, Z1")
	} else {
		op("VMASKMOVPS (AX), Y15, Y1")
	}
	op("VADDPS %s, %s, %s", s.R(1), s.R(0), s.R(0))
	op("ADDQ R8, AX")
	op("DECQ CX")
	op("JNZ %s", L("nrows"))
	finish(0, "(DI)", true)
	if s.z {
		op("VMOVUPS Z0, K1, (DI)")
	} else {
		op("VMASKMOVPS Y0, Y15, (DI)")
	}
	op("ADDQ $%d, SI", 4*s.w)
	op("ADDQ $%d, DI", 4*s.w)
	op("SUBQ $%d, R11", s.w)
	op("JG %s", L("narrow"))
	label(L("done"))
	op("VZEROUPPER")
	op("RET")
}

// Update registers: w, vel, grad, scratch.
const (
	uW, uV, uG, uS, uQ, uC = 0, 1, 2, 3, 4, 5
)

func (s isa) update() {
	const K = "up"
	L := func(l string) string { return s.lbl(K, l) }
	text(fmt.Sprintf("\n// func update%s(w, vel, grad *float32, n int, lr, momentum, l1, l2 float32, proximal bool)\n", s.name))
	text(fmt.Sprintf("TEXT ·update%s(SB), NOSPLIT, $0-49\n", s.name))
	op("MOVQ w+0(FP), DI")
	op("MOVQ vel+8(FP), SI")
	op("MOVQ grad+16(FP), DX")
	op("MOVQ n+24(FP), CX")
	op("MOVBQZX proximal+48(FP), R9")
	v := s.R
	const lr, mom, l1, l2, th, nth, zero = 8, 9, 10, 11, 12, 13, 7
	op("VBROADCASTSS lr+32(FP), %s", v(lr))
	op("VBROADCASTSS momentum+36(FP), %s", v(mom))
	op("VBROADCASTSS l1+40(FP), %s", v(l1))
	op("VBROADCASTSS l2+44(FP), %s", v(l2))
	op("VMULPS %s, %s, %s", v(l1), v(lr), v(th))
	op("%s %s, %s, %s", s.xor(), mem("signmask"), v(th), v(nth))
	op("VXORPS %s, %s, %s", v(zero), v(zero), v(zero))
	k := consts{}
	if s.z {
		k.load(s, "signmask", 16)
		k.load(s, "one", 17)
		k.load(s, "nan", 18)
	}
	m := masks{[2]int{14, 15}}
	// step is the update of one part (w, vel, grad loaded; results in w, vel).
	step := func(proximal bool) {
		op("VMULPS %s, %s, %s", v(l2), v(uW), v(uQ))
		op("VSUBPS %s, %s, %s", v(uQ), v(uG), v(uG))
		if !proximal {
			// s = sign(w) (0 for 0, +-1 otherwise)
			op("%s %s, %s, %s", s.and(), k.get("signmask"), v(uW), v(uS))
			op("%s %s, %s, %s", s.or(), k.get("one"), v(uS), v(uS))
			if s.z {
				op("VCMPPS $4, %s, %s, K2", v(zero), v(uW))
				op("VMOVAPS.Z %s, K2, %s", v(uS), v(uS))
			} else {
				op("VCMPPS $4, %s, %s, %s", v(zero), v(uW), v(uQ))
				op("VANDPS %s, %s, %s", v(uQ), v(uS), v(uS))
			}
			op("VMULPS %s, %s, %s", v(l1), v(uS), v(uS))
			op("VSUBPS %s, %s, %s", v(uS), v(uG), v(uG))
		}
		op("VMULPS %s, %s, %s", v(mom), v(uV), v(uV))
		op("VMULPS %s, %s, %s", v(lr), v(uG), v(uQ))
		op("VADDPS %s, %s, %s", v(uQ), v(uV), v(uV))
		if proximal {
			// w' = y - clamp(y), y = w + v; vel = w' - w (the step taken).
			op("VMOVAPS %s, %s", v(uW), v(uQ))
			op("VADDPS %s, %s, %s", v(uV), v(uW), v(uW))
			op("VMAXPS %s, %s, %s", v(nth), v(uW), v(uC))
			op("VMINPS %s, %s, %s", v(th), v(uC), v(uC))
			op("VSUBPS %s, %s, %s", v(uC), v(uW), v(uW))
			s.canon(k, uW, uC)
			op("VSUBPS %s, %s, %s", v(uQ), v(uW), v(uV))
			s.canon(k, uV, uC)
			return
		}
		op("VADDPS %s, %s, %s", v(uV), v(uW), v(uW))
		s.canon(k, uV, uQ)
		s.canon(k, uW, uQ)
	}
	for _, prox := range []bool{false, true} {
		P := "n"
		if prox {
			P = "p"
			label(L("prox"))
		} else {
			op("TESTQ R9, R9")
			op("JNZ %s", L("prox"))
		}
		op("MOVQ CX, BX")
		op("SHRQ $4, BX")
		op("JZ %s", L(P+"tail"))
		label(L(P + "loop"))
		for p := 0; p < s.parts(); p++ {
			op("VMOVUPS %d(DI), %s", 32*p, v(uW))
			op("VMOVUPS %d(SI), %s", 32*p, v(uV))
			op("VMOVUPS %d(DX), %s", 32*p, v(uG))
			step(prox)
			op("VMOVUPS %s, %d(SI)", v(uV), 32*p)
			op("VMOVUPS %s, %d(DI)", v(uW), 32*p)
		}
		op("ADDQ $64, DI")
		op("ADDQ $64, SI")
		op("ADDQ $64, DX")
		op("DECQ BX")
		op("JNZ %s", L(P+"loop"))
		label(L(P + "tail"))
		op("ANDQ $15, CX")
		op("JZ %s", L("done"))
		s.setTail(m, "CX")
		for p := 0; p < s.parts(); p++ {
			s.loadT(m, p, fmt.Sprintf("%d(DI)", 32*p), uW)
			s.loadT(m, p, fmt.Sprintf("%d(SI)", 32*p), uV)
			s.loadT(m, p, fmt.Sprintf("%d(DX)", 32*p), uG)
			step(prox)
			s.storeT(m, p, uV, fmt.Sprintf("%d(SI)", 32*p))
			s.storeT(m, p, uW, fmt.Sprintf("%d(DI)", 32*p))
		}
		op("JMP %s", L("done"))
	}
	label(L("done"))
	op("VZEROUPPER")
	op("RET")
}

// The sampler: Lanes = 8 xoshiro256++ streams, state word j of lane l at
// s[j][l]. AVX2 holds word j in two registers (lanes 0-3, 4-7), AVX-512 in
// one. A step yields 16 uniforms: element 2l (2l+1) of the step from the
// low (high) 32 bits of lane l's output, u = float32(half>>8) * 2^-24.

// state returns the register of state word j, part p.
func (s isa) state(j, p int) int { return j*s.parts() + p }

func (s isa) movdqu() string {
	if s.z {
		return "VMOVDQU64"
	}
	return "VMOVDQU"
}

func (s isa) loadState(reg string) {
	for j := 0; j < 4; j++ {
		for p := 0; p < s.parts(); p++ {
			op("%s %d(%s), %s", s.movdqu(), 64*j+32*p, reg, s.R(s.state(j, p)))
		}
	}
}

func (s isa) saveState(reg string) {
	for j := 0; j < 4; j++ {
		for p := 0; p < s.parts(); p++ {
			op("%s %s, %d(%s)", s.movdqu(), s.R(s.state(j, p)), 64*j+32*p, reg)
		}
	}
}

// rotl rotates the 64-bit lanes of r left by c (t: scratch).
func (s isa) rotl(r, c, t int) {
	if s.z {
		op("VPROLQ $%d, %s, %s", c, s.R(r), s.R(r))
		return
	}
	op("VPSLLQ $%d, %s, %s", c, s.R(r), s.R(t))
	op("VPSRLQ $%d, %s, %s", 64-c, s.R(r), s.R(r))
	op("VPOR %s, %s, %s", s.R(t), s.R(r), s.R(r))
}

// rngOut is the register receiving part p's uniforms; rngTmp its scratch.
func (s isa) rngOut(p int) int { return 8 + 3*p }
func (s isa) rngTmp(p int) int { return 9 + 3*p }

// xstep advances the lanes once and leaves the uniforms in rngOut(p).
func (s isa) xstep(k consts) {
	for p := 0; p < s.parts(); p++ {
		s0, s1, s2, s3 := s.state(0, p), s.state(1, p), s.state(2, p), s.state(3, p)
		o, t := s.rngOut(p), s.rngTmp(p)
		v := s.R
		op("VPADDQ %s, %s, %s", v(s3), v(s0), v(o))
		s.rotl(o, 23, t)
		op("VPADDQ %s, %s, %s", v(s0), v(o), v(o))
		op("VPSLLQ $17, %s, %s", v(s1), v(t))
		op("%s %s, %s, %s", s.xorq(), v(s0), v(s2), v(s2))
		op("%s %s, %s, %s", s.xorq(), v(s1), v(s3), v(s3))
		op("%s %s, %s, %s", s.xorq(), v(s2), v(s1), v(s1))
		op("%s %s, %s, %s", s.xorq(), v(s3), v(s0), v(s0))
		op("%s %s, %s, %s", s.xorq(), v(t), v(s2), v(s2))
		s.rotl(s3, 45, t)
		op("VPSRLD $8, %s, %s", v(o), v(o))
		op("VCVTDQ2PS %s, %s", v(o), v(o))
		op("VMULPS %s, %s, %s", k.get("u24"), v(o), v(o))
	}
}

func (s isa) xorq() string {
	if s.z {
		return "VPXORQ"
	}
	return "VPXOR"
}

func (s isa) rand() {
	const K = "rnd"
	L := func(l string) string { return s.lbl(K, l) }
	text(fmt.Sprintf("\n// func rand%s(s *[4][Lanes]uint64, dst, p *float32, n int, mode int)\n", s.name))
	text(fmt.Sprintf("TEXT ·rand%s(SB), NOSPLIT, $0-40\n", s.name))
	op("MOVQ s+0(FP), R8")
	op("MOVQ dst+8(FP), DI")
	op("MOVQ p+16(FP), SI")
	op("MOVQ n+24(FP), R11")
	op("MOVQ mode+32(FP), R10")
	s.loadState("R8")
	k := consts{}
	k.load(s, "u24", 14)
	k.load(s, "one", 15)
	m := masks{[2]int{10, 13}} // AVX2: free registers
	op("MOVQ R11, CX")
	op("SHRQ $4, CX")
	op("ANDQ $15, R11")
	op("TESTQ CX, CX")
	op("JZ %s", L("tail"))
	// bern turns uniform register o into 1.0 where o < p (p at src or in register pr).
	bern := func(p int, src string) {
		o := s.rngOut(p)
		if s.z {
			op("VCMPPS $1, %s, %s, K2", src, s.R(o))
			op("VMOVAPS.Z %s, K2, %s", s.R(15), s.R(o))
		} else {
			op("VCMPPS $1, %s, %s, %s", src, s.R(o), s.R(o))
			op("VANDPS %s, %s, %s", s.R(15), s.R(o), s.R(o))
		}
	}
	label(L("loop"))
	s.xstep(k)
	op("TESTQ R10, R10")
	op("JZ %s", L("uniform"))
	for p := 0; p < s.parts(); p++ {
		bern(p, fmt.Sprintf("%d(SI)", 32*p))
	}
	op("ADDQ $64, SI")
	label(L("uniform"))
	for p := 0; p < s.parts(); p++ {
		op("VMOVUPS %s, %d(DI)", s.R(s.rngOut(p)), 32*p)
	}
	op("ADDQ $64, DI")
	op("DECQ CX")
	op("JNZ %s", L("loop"))
	label(L("tail"))
	op("TESTQ R11, R11")
	op("JZ %s", L("done"))
	s.xstep(k)
	s.setTail(m, "R11")
	op("TESTQ R10, R10")
	op("JZ %s", L("utail"))
	for p := 0; p < s.parts(); p++ {
		s.loadT(m, p, fmt.Sprintf("%d(SI)", 32*p), s.rngTmp(p))
		bern(p, s.R(s.rngTmp(p)))
	}
	label(L("utail"))
	for p := 0; p < s.parts(); p++ {
		s.storeT(m, p, s.rngOut(p), fmt.Sprintf("%d(DI)", 32*p))
	}
	label(L("done"))
	s.saveState("R8")
	op("VZEROUPPER")
	op("RET")
}

func (s isa) randBits() {
	const K = "rbits"
	L := func(l string) string { return s.lbl(K, l) }
	text(fmt.Sprintf("\n// func randBits%s(s *[4][Lanes]uint64, dst *uint64, p *float32, n int)\n", s.name))
	text(fmt.Sprintf("TEXT ·randBits%s(SB), NOSPLIT, $0-32\n", s.name))
	op("MOVQ s+0(FP), R8")
	op("MOVQ dst+8(FP), DI")
	op("MOVQ p+16(FP), SI")
	op("MOVQ n+24(FP), R11")
	s.loadState("R8")
	k := consts{}
	k.load(s, "u24", 14)
	m := masks{[2]int{10, 13}}
	op("MOVQ R11, R9")
	op("SHRQ $4, R9")   // full steps
	op("ANDQ $15, R11") // leftover elements
	op("XORQ R10, R10") // word being assembled
	op("XORQ CX, CX")   // its next bit position
	op("TESTQ R9, R9")
	op("JZ %s", L("tail"))
	// bits leaves the 16 bits u < p of the step in AX (p at src(p)).
	bits := func(src func(p int) string) {
		if s.z {
			op("VCMPPS $1, %s, Z8, K2", src(0))
			op("KMOVW K2, AX")
			return
		}
		for p := 0; p < 2; p++ {
			o := s.rngOut(p)
			op("VCMPPS $1, %s, %s, %s", src(p), s.R(o), s.R(o))
		}
		op("VMOVMSKPS %s, AX", s.R(s.rngOut(0)))
		op("VMOVMSKPS %s, DX", s.R(s.rngOut(1)))
		op("SHLQ $8, DX")
		op("ORQ DX, AX")
	}
	label(L("loop"))
	s.xstep(k)
	bits(func(p int) string { return fmt.Sprintf("%d(SI)", 32*p) })
	op("SHLQ CX, AX")
	op("ORQ AX, R10")
	op("ADDQ $64, SI")
	op("ADDQ $16, CX")
	op("CMPQ CX, $64")
	op("JNE %s", L("next"))
	op("MOVQ R10, (DI)")
	op("ADDQ $8, DI")
	op("XORQ R10, R10")
	op("XORQ CX, CX")
	label(L("next"))
	op("DECQ R9")
	op("JNZ %s", L("loop"))
	label(L("tail"))
	op("TESTQ R11, R11")
	op("JZ %s", L("flush"))
	s.xstep(k)
	s.setTail(m, "R11")
	// Masked-off lanes load p = 0, and u < 0 never holds.
	for p := 0; p < s.parts(); p++ {
		s.loadT(m, p, fmt.Sprintf("%d(SI)", 32*p), s.rngTmp(p))
	}
	bits(func(p int) string { return s.R(s.rngTmp(p)) })
	op("SHLQ CX, AX")
	op("ORQ AX, R10")
	op("ADDQ $16, CX")
	label(L("flush"))
	op("TESTQ CX, CX")
	op("JZ %s", L("done"))
	op("MOVQ R10, (DI)")
	label(L("done"))
	s.saveState("R8")
	op("VZEROUPPER")
	op("RET")
}

const head = `//go:build amd64 && gc && !purego

// Code generated by _gen/elem/main.go (go run _gen/elem/main.go > elem_amd64.s). DO NOT EDIT.

// Elementwise float32 kernels (sigmoid, softplus sums, reductions, parameter
// updates) and the lane-parallel xoshiro256++ sampler, each in an AVX2 and
// an AVX-512F variant (the caller checks the CPU through useAVX2 and
// useAVX512). Both variants walk blocks of 16 elements (two ymm or one zmm
// registers) through the same sequence of unfused IEEE operations as the Go
// twins in elem.go and rand.go, so all implementations give the same bits.
// Reductions keep 16 lanes combined by a fixed tree; NaN results are the
// canonical quiet NaN.

#include "textflag.h"
`

func main() {
	text(head)
	text("\n// Constants, 16 copies each (a full-width operand at either width).\n")
	for i, c := range constants {
		for j := 0; j < 8; j++ {
			text(fmt.Sprintf("DATA elemc<>+%d(SB)/8, $0x%08x%08x\n", 64*i+8*j, c.bits, c.bits))
		}
	}
	text(fmt.Sprintf("GLOBL elemc<>(SB), RODATA|NOPTR, $%d\n", 64*len(constants)))
	text("\n// tailmask<>+64-4*r (+32) holds the AVX2 mask of the first r lanes (of the next 8).\n")
	for i := 0; i < 16; i++ {
		v := "$0"
		if i < 8 {
			v = "$-1"
		}
		text(fmt.Sprintf("DATA tailmask<>+%d(SB)/8, %s\n", 8*i, v))
	}
	text("GLOBL tailmask<>(SB), RODATA|NOPTR, $128\n")
	text("\n// kmask<>+2*r is the AVX-512 mask of the first r lanes.\n")
	for i := 0; i <= 16; i++ {
		text(fmt.Sprintf("DATA kmask<>+%d(SB)/2, $0x%04x\n", 2*i, (1<<i)-1))
	}
	text("GLOBL kmask<>(SB), RODATA|NOPTR, $34\n")
	for _, s := range []isa{avx2, avx512} {
		text(fmt.Sprintf("\n// ---- %s ----\n", s.name))
		s.sigmoidBias()
		s.softplusSum()
		s.squaredDiffSum()
		s.dot()
		s.fromBytes()
		s.colSums()
		s.update()
		s.rand()
		s.randBits()
	}
	os.Stdout.WriteString(out.String())
}
