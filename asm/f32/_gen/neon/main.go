// Command neon writes elem_arm64.s, the NEON elementwise kernels of package
// f32, to standard output (in asm/f32):
//
//	go run ./_gen/neon > elem_arm64.s
//
// Each kernel runs, lane by lane, the operation sequence of its Go twin
// (sigmoid32, softplus32, updateGo, updateProximalGo, squaredDiffAddGo,
// dotAddGo, colSumsGo and fromBytesGo in elem.go, step and less in
// rand.go, packBitsGo in binary.go), one IEEE operation per Go operation,
// none fused, so it gives the twin's bits. Go's arm64 assembler has no
// mnemonics for most floating-point vector instructions; those are emitted
// as WORD with the instruction in a comment (the encodings below, from the
// Arm Architecture Reference Manual, A64 "Advanced SIMD" classes; 4S
// arrangement, Q = 1, sz = 0, unless named).
package main

import (
	"fmt"
	"math"
	"os"
	"strings"
)

var out = &strings.Builder{}

func op(format string, a ...any) { fmt.Fprintf(out, "\t"+format+"\n", a...) }

func label(l string) { fmt.Fprintf(out, "\n%s:\n", l) }

// Three-register 4S instructions: Vd = Vn op Vm.
const (
	encFADD  = 0x4e20d400
	encFSUB  = 0x4ea0d400
	encFMUL  = 0x6e20dc00
	encFDIV  = 0x6e20fc00
	encFMIN  = 0x4ea0f400
	encFCMEQ = 0x4e20e400
	encBSL   = 0x6e601c00 // 16B: Vd = Vd ? Vn : Vm, bit by bit
	encBIC   = 0x4e601c00 // 16B: Vd = Vn &^ Vm
	encFCMGT = 0x6ea0e400 // Vn > Vm: all ones, else 0
)

// Two-register 4S instructions: Vd = op(Vn).
const (
	encFRINTN = 0x4e218800 // round to nearest, ties to even
	encFCVTZS = 0x4ea1b800 // to int32, toward zero
	encUCVTF  = 0x6e21d800 // from uint32, rounded to nearest
	encCMLT0  = 0x4ea0a800 // int32 < 0: all ones, else 0
	encFABS   = 0x4ea0f800
	encFCMGT0 = 0x4ea0c800 // x > 0.0: all ones, else 0
	encFCVTL  = 0x0e617800 // 2D from the low 2S, exact
	encFCVTL2 = 0x4e617800 // 2D from the high 2S, exact
	encFCMEQ0 = 0x4ea0d800 // x == 0.0: all ones, else 0
	encCMEQ0  = 0x4ea09800 // int32 == 0: all ones, else 0
)

// FADD, FSUB and FMUL on 2D (float64) lanes.
const (
	encFADD2D = 0x4e60d400
	encFSUB2D = 0x4ee0d400
	encFMUL2D = 0x6e60dc00
)

// Zero-extending widenings (USHLL #0): the low or (2) high half of Vn.
const (
	encUXTL8   = 0x2f08a400 // 8H from 8B
	encUXTL28  = 0x6f08a400 // 8H from the high 8B of 16B
	encUXTL16  = 0x2f10a400 // 4S from 4H
	encUXTL216 = 0x6f10a400 // 4S from the high 4H of 8H
)

var names3 = map[uint32]string{encFADD: "FADD", encFSUB: "FSUB", encFMUL: "FMUL", encFDIV: "FDIV",
	encFMIN: "FMIN", encFCMEQ: "FCMEQ", encBSL: "BSL", encBIC: "BIC", encFCMGT: "FCMGT"}

var names2d = map[uint32]string{encFADD2D: "FADD", encFSUB2D: "FSUB", encFMUL2D: "FMUL"}

// v3d emits Vd = Vn op Vm on 2D lanes.
func v3d(enc uint32, d, n, m int, why string) {
	w := enc | uint32(m)<<16 | uint32(n)<<5 | uint32(d)
	op("WORD $%#08x // %s V%d.2D, V%d.2D, V%d.2D%s", w, names2d[enc], d, n, m, comment(why))
}

// widen emits one UXTL/UXTL2.
func widen(enc uint32, d, n int) {
	name := map[uint32]string{encUXTL8: "UXTL V%d.8H, V%d.8B", encUXTL28: "UXTL2 V%d.8H, V%d.16B",
		encUXTL16: "UXTL V%d.4S, V%d.4H", encUXTL216: "UXTL2 V%d.4S, V%d.8H"}[enc]
	op("WORD $%#08x // "+name, enc|uint32(n)<<5|uint32(d), d, n)
}

var names2 = map[uint32]string{encFRINTN: "FRINTN", encFCVTZS: "FCVTZS", encUCVTF: "UCVTF", encCMLT0: "CMLT",
	encFABS: "FABS", encFCMGT0: "FCMGT", encFCVTL: "FCVTL", encFCVTL2: "FCVTL2", encFCMEQ0: "FCMEQ", encCMEQ0: "CMEQ"}

// v3 emits Vd = Vn op Vm.
func v3(enc uint32, d, n, m int, why string) {
	arr := "4S"
	if enc == encBSL || enc == encBIC {
		arr = "16B"
	}
	w := enc | uint32(m)<<16 | uint32(n)<<5 | uint32(d)
	op("WORD $%#08x // %s V%d.%s, V%d.%s, V%d.%s%s", w, names3[enc], d, arr, n, arr, m, arr, comment(why))
}

// v2 emits Vd = op(Vn).
func v2(enc uint32, d, n int, why string) {
	w := enc | uint32(n)<<5 | uint32(d)
	suffix := ""
	switch enc {
	case encCMLT0, encCMEQ0:
		suffix = ", #0"
	case encFCMGT0, encFCMEQ0:
		suffix = ", #0.0"
	}
	da, na := "4S", "4S"
	switch enc {
	case encFCVTL:
		da, na = "2D", "2S"
	case encFCVTL2:
		da = "2D"
	}
	op("WORD $%#08x // %s V%d.%s, V%d.%s%s%s", w, names2[enc], d, da, n, na, suffix, comment(why))
}

func comment(why string) string {
	if why == "" {
		return ""
	}
	return ": " + why
}

// splat sets every lane of Vv to the 32 bits b (through R12).
func splat(v int, b uint32, why string) {
	op("MOVW $%#08x, R12 // %s", b, why)
	op("VDUP R12, V%d.S4", v)
}

func f32bits(f float32) uint32 { return math.Float32bits(f) }

// The constants of elem.go (the same literals).
const (
	expClamp float32 = 110
	expLog2e float32 = 1.44269504088896341
	expC1    float32 = 0.693359375
	expC2    float32 = -2.12194440e-4
	expP0    float32 = 1.9875691500e-4
	expP1    float32 = 1.3981999507e-3
	expP2    float32 = 8.3334519073e-3
	expP3    float32 = 4.1665795894e-2
	expP4    float32 = 1.6666665459e-1
	expP5    float32 = 5.0000001201e-1
)

// expRegs names the constant registers of the exp chain (abs < 0: FABS
// instead of a mask).
type expRegs struct {
	abs, clamp, log2e, c1, c2 int
	p                         [6]int
	one, i127                 int
}

// Sigmoid registers: constants in V16..V29, chains in V0..V7 and V8..V15,
// biases in V30 and V31.
var sigRegs = expRegs{abs: 16, clamp: 17, log2e: 18, c1: 19, c2: 20, p: [6]int{21, 22, 23, 24, 25, 26}, one: 27, i127: 28}

const sigNaN = 29

// splatExp loads the constants of the exp chain into the registers of k.
func splatExp(k expRegs) {
	if k.abs >= 0 {
		splat(k.abs, 0x7fffffff, "|x| mask")
	}
	splat(k.clamp, f32bits(expClamp), "110")
	splat(k.log2e, f32bits(expLog2e), "log2 e")
	splat(k.c1, f32bits(expC1), "c1")
	splat(k.c2, f32bits(expC2), "c2")
	for i, c := range []float32{expP0, expP1, expP2, expP3, expP4, expP5} {
		splat(k.p[i], f32bits(c), fmt.Sprintf("p%d", i))
	}
	splat(k.one, f32bits(1), "1.0")
	splat(k.i127, 127, "int32 127")
}

// expChain appends to s the steps of e = expNegAbs32(x) for the 4 lanes of
// V(b) (after x += V(bias) when bias >= 0): e ends in V(b+4), with V(b+1),
// V(b+2), V(b+3), V(b+5), V(b+6), V(b+7) as scratch (V(b+1) holds
// min(|x|, 110) and V(b+2) n = round(|x| log2 e) at the end).
func expChain(s []func(), k expRegs, b, bias int) []func() {
	x, a, n, r, p, t, i, j := b, b+1, b+2, b+3, b+4, b+5, b+6, b+7
	add := func(f func()) { s = append(s, f) }
	if bias >= 0 {
		add(func() { v3(encFADD, x, x, bias, "x += bias") })
	}
	if k.abs >= 0 {
		add(func() { op("VAND V%d.B16, V%d.B16, V%d.B16 // a = |x|", k.abs, x, a) })
	} else {
		add(func() { v2(encFABS, a, x, "a = |x|") })
	}
	add(func() { v3(encFMIN, a, a, k.clamp, "a = min(a, 110) (NaN stays NaN)") })
	add(func() { v3(encFMUL, t, a, k.log2e, "t = a*log2e") })
	add(func() { v2(encFRINTN, n, t, "n = round(t), ties to even") })
	add(func() { v3(encFMUL, r, n, k.c1, "r = n*c1") })
	add(func() { v3(encFSUB, r, r, a, "r -= a") })
	add(func() { v3(encFMUL, t, n, k.c2, "n*c2") })
	add(func() { v3(encFADD, r, r, t, "r += n*c2") })
	add(func() { v3(encFMUL, p, r, k.p[0], "p = p0*r") })
	add(func() { v3(encFADD, p, p, k.p[1], "p += p1") })
	for q := 2; q < 6; q++ {
		add(func() { v3(encFMUL, p, p, r, "p *= r") })
		add(func() { v3(encFADD, p, p, k.p[q], fmt.Sprintf("p += p%d", q)) })
	}
	add(func() { v3(encFMUL, t, r, r, "r*r") })
	add(func() { v3(encFMUL, p, p, t, "p *= r*r") })
	add(func() { v3(encFADD, p, p, r, "p += r") })
	add(func() { v3(encFADD, p, p, k.one, "p += 1") })
	add(func() { v2(encFCVTZS, i, n, "ni = int32(n), exact (0 <= n <= 159)") })
	add(func() { op("VUSHR $1, V%d.S4, V%d.S4 // h = ni >> 1", i, j) })
	add(func() { op("VSUB V%d.S4, V%d.S4, V%d.S4 // ni - h", j, i, i) })
	add(func() { op("VSUB V%d.S4, V%d.S4, V%d.S4 // 127 - h", j, k.i127, j) })
	add(func() { op("VSUB V%d.S4, V%d.S4, V%d.S4 // 127 - (ni - h)", i, k.i127, i) })
	add(func() { op("VSHL $23, V%d.S4, V%d.S4 // f1 = 2^-h", j, j) })
	add(func() { op("VSHL $23, V%d.S4, V%d.S4 // f2 = 2^-(ni-h)", i, i) })
	add(func() { v3(encFMUL, p, p, j, "p*f1") })
	add(func() { v3(encFMUL, p, p, i, "e = p*f1*f2") })
	return s
}

// sigmoidChain emits sigmoid32 of the 4 lanes of V(b) (plus the bias in
// V(bias) when bias >= 0) into V(b+2), with V(b)..V(b+7) as scratch:
// expNegAbs32 then (signbit(x) ? e : 1) / (1 + e), NaN lanes canonical.
func sigmoidChain(b, bias int) []func() {
	x, a, n, p, t := b, b+1, b+2, b+4, b+5
	s := expChain(nil, sigRegs, b, bias)
	add := func(f func()) { s = append(s, f) }
	add(func() { v3(encFADD, t, p, sigRegs.one, "d = e + 1") })
	add(func() { v2(encCMLT0, a, x, "signbit(x)") })
	add(func() { v3(encBSL, a, p, sigRegs.one, "num = signbit(x) ? e : 1") })
	add(func() { v3(encFDIV, a, a, t, "y = num / d") })
	add(func() { v3(encFCMEQ, n, x, x, "x == x") })
	add(func() { v3(encBSL, n, a, sigNaN, "y, or the canonical NaN") })
	// 0 below sigmoidFloor = 2^-63: y >= 0, so y < 2^-63 exactly where its
	// bits are below 0x20000000 (a NaN's are not).
	add(func() { op("VUSHR $29, V%d.S4, V%d.S4 // bits(y) >> 29", n, t) })
	add(func() { v2(encCMEQ0, t, t, "y < 2^-63") })
	add(func() { v3(encBIC, n, n, t, "y, or 0 below 2^-63") })
	return s
}

// emitInterleaved emits the steps of the chains alternately.
func emitInterleaved(chains ...[]func()) {
	for k := 0; ; k++ {
		done := true
		for _, c := range chains {
			if k < len(c) {
				c[k]()
				done = false
			}
		}
		if done {
			return
		}
	}
}

func sigmoid() {
	out.WriteString(`
// func sigmoidBiasNEON(dst *float32, ldd int, x *float32, ldx int, rows, cols int, bias *float32)
//
// sigmoidRowsGo for cols a positive multiple of 4: dst[i*ldd+j] =
// sigmoid32(x[i*ldx+j] + bias[j]) (bias nil: no bias; dst may equal x).
// Two vectors (8 columns) a turn as two interleaved chains, then one.
TEXT ·sigmoidBiasNEON(SB), NOSPLIT, $0-56
	MOVD dst+0(FP), R0
	MOVD ldd+8(FP), R1
	MOVD x+16(FP), R2
	MOVD ldx+24(FP), R3
	MOVD rows+32(FP), R4
	MOVD cols+40(FP), R5
	MOVD bias+48(FP), R6
	LSL  $2, R1
	LSL  $2, R3
`)
	splatExp(sigRegs)
	splat(sigNaN, 0x7fc00000, "canonical NaN")
	for _, withBias := range []bool{true, false} {
		l := "nobias"
		if withBias {
			l = "bias"
			op("CBZ  R6, nobias_row")
		}
		label(l + "_row")
		op("MOVD R2, R8")
		op("MOVD R0, R9")
		op("MOVD R6, R10")
		op("LSR  $3, R5, R11 // pairs of vectors")
		op("CBZ  R11, %s_one", l)
		label(l + "_two")
		op("VLD1.P 16(R8), [V0.S4]")
		op("VLD1.P 16(R8), [V8.S4]")
		ba, bb := -1, -1
		if withBias {
			op("VLD1.P 32(R10), [V30.S4, V31.S4]")
			ba, bb = 30, 31
		}
		emitInterleaved(sigmoidChain(0, ba), sigmoidChain(8, bb))
		op("VST1.P [V2.S4], 16(R9)")
		op("VST1.P [V10.S4], 16(R9)")
		op("SUBS $1, R11")
		op("BNE  %s_two", l)
		label(l + "_one")
		op("TBZ  $2, R5, %s_next // cols%%8 == 0", l)
		op("VLD1.P 16(R8), [V0.S4]")
		if withBias {
			op("VLD1.P 16(R10), [V30.S4]")
		}
		emitInterleaved(sigmoidChain(0, ba))
		op("VST1.P [V2.S4], 16(R9)")
		label(l + "_next")
		op("ADD  R1, R0")
		op("ADD  R3, R2")
		op("SUBS $1, R4")
		op("BNE  %s_row", l)
		op("RET")
	}
}

// Softplus registers: the chain in V0..V7, the exp constants in V8..V19
// (|x| by FABS), the atanh series in V20..V27, the bias in V28.
var spRegs = expRegs{abs: -1, clamp: 8, log2e: 9, c1: 10, c2: 11, p: [6]int{12, 13, 14, 15, 16, 17}, one: 18, i127: 19}

const spA0, spBias = 20, 28

// The odd powers of the atanh series of elem.go, highest first.
var atanh = [8]float32{1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3, 1}

// softplusVec emits softplus32 of the 4 lanes of V0 (+ V28 with bias) and
// adds the terms, as float64, to the 4 accumulators at (R5): log1p(e) by
// the atanh series of q = e/(2+e), plus max(x, 0). A NaN lane gives some
// NaN term (the caller canonicalizes the sum).
func softplusVec(bias bool) {
	x, a, n, r, p, t, i, j := 0, 1, 2, 3, 4, 5, 6, 7
	b := -1
	if bias {
		b = spBias
	}
	for _, f := range expChain(nil, spRegs, 0, b) {
		f()
	}
	v3(encFADD, t, p, spRegs.one, "e + 1")
	v3(encFADD, t, t, spRegs.one, "d = (e + 1) + 1")
	v3(encFDIV, a, p, t, "q = e / d")
	v3(encFMUL, n, a, a, "q2 = q*q")
	v3(encFMUL, r, n, spA0, "s = a0*q2")
	v3(encFADD, r, r, spA0+1, "s += a1")
	for k := 2; k < 8; k++ {
		v3(encFMUL, r, r, n, "s *= q2")
		v3(encFADD, r, r, spA0+k, fmt.Sprintf("s += a%d", k))
	}
	v3(encFMUL, r, r, a, "y = s*q")
	v3(encFADD, r, r, r, "y += y")
	v2(encFCMGT0, t, x, "x > 0")
	op("VAND V%d.B16, V%d.B16, V%d.B16 // m = x > 0 ? x : 0", x, t, t)
	v3(encFADD, r, t, r, "term = m + y")
	v2(encFCVTL, i, r, "terms 0, 1 as float64")
	v2(encFCVTL2, j, r, "terms 2, 3 as float64")
	op("VLD1 (R5), [V%d.D2, V%d.D2]", p, t)
	v3(encFADD2D, p, p, i, "acc += term")
	v3(encFADD2D, t, t, j, "acc += term")
	op("VST1 [V%d.D2, V%d.D2], (R5)", p, t)
}

func softplus() {
	out.WriteString(`
// func softplusAccNEON(acc *[16]float64, x, bias *float32, groups int)
//
// softplusAddGo on x[:16*groups] (groups >= 1): acc[j%16] +=
// float64(softplus32(x[j] + bias[j])) (bias nil: no bias), the four
// vectors of a group on acc[0:4], acc[4:8], acc[8:12], acc[12:16] in memory.
TEXT ·softplusAccNEON(SB), NOSPLIT, $0-32
	MOVD acc+0(FP), R0
	MOVD x+8(FP), R1
	MOVD bias+16(FP), R2
	MOVD groups+24(FP), R3
`)
	splatExp(spRegs)
	for k, c := range atanh {
		splat(spA0+k, f32bits(c), fmt.Sprintf("a%d", k))
	}
	for _, withBias := range []bool{true, false} {
		l := "sp_nobias"
		if withBias {
			l = "sp_bias"
			op("CBZ  R2, sp_nobias")
		}
		label(l)
		for k := 0; k < 4; k++ {
			op("VLD1.P 16(R1), [V0.S4]")
			if withBias {
				op("VLD1.P 16(R2), [V%d.S4]", spBias)
			}
			op("ADD  $%d, R0, R5", 32*k)
			softplusVec(withBias)
		}
		op("SUBS $1, R3")
		op("BNE  %s", l)
		op("RET")
	}
}

// Update registers: the constants in V16..V23, two chains in V0..V7 and
// V8..V15.
const (
	uLR, uMom, uL1, uL2, uT, uNT = 16, 17, 18, 19, 20, 21 // uL1 unused by the proximal step, uT, uNT by the other
	uSign, uOne, uNaN            = 22, 23, 24
)

// updateChain appends the steps of updateGo (proximal false) or
// updateProximalGo (true) on the 4 lanes of w at V(b), vel at V(b+1) and
// grad at V(b+2); the new vel ends in V(b+1), the new w in V(b).
func updateChain(b int, proximal bool) []func() {
	x, v, g, s, t, m := b, b+1, b+2, b+3, b+4, b+5
	var c []func()
	add := func(f func()) { c = append(c, f) }
	add(func() { v3(encFMUL, t, x, uL2, "l2*x") })
	add(func() { v3(encFSUB, g, g, t, "g = grad - l2*x") })
	if !proximal {
		add(func() { op("VAND V%d.B16, V%d.B16, V%d.B16 // sign bit of x", uSign, x, s) })
		add(func() { op("VORR V%d.B16, V%d.B16, V%d.B16 // s = +-1", uOne, s, s) })
		add(func() { v2(encFCMEQ0, m, x, "x == 0") })
		add(func() { v3(encBIC, s, s, m, "s = 0 for a zero") })
		add(func() { v3(encFMUL, t, s, uL1, "l1*s") })
		add(func() { v3(encFSUB, g, g, t, "g -= l1*s") })
	}
	add(func() { v3(encFMUL, v, v, uMom, "momentum*vel") })
	add(func() { v3(encFMUL, g, g, uLR, "lr*g") })
	add(func() { v3(encFADD, v, v, g, "v = momentum*vel + lr*g") })
	canon := func(r int) {
		add(func() { v3(encFCMEQ, m, r, r, "not NaN") })
		add(func() { v3(encBSL, m, r, uNaN, "or the canonical NaN") })
		add(func() { op("VMOV V%d.B16, V%d.B16", m, r) })
	}
	if proximal {
		// y in g (free after lr*g), so that x keeps the old weight for
		// vel = w' - x (the step taken).
		add(func() { v3(encFADD, g, x, v, "y = x + v") })
		add(func() { v3(encFCMGT, m, g, uNT, "y > -t") })
		add(func() { op("VMOV V%d.B16, V%d.B16", m, s) })
		add(func() { v3(encBSL, s, g, uNT, "maxps(y, -t)") })
		add(func() { v3(encFCMGT, m, uT, s, "t > maxps(y, -t)") })
		add(func() { v3(encBSL, m, s, uT, "c = minps(maxps(y, -t), t)") })
		add(func() { v3(encFSUB, g, g, m, "w' = y - c") })
		canon(g)
		add(func() { v3(encFSUB, v, g, x, "vel = w' - x") })
		canon(v)
		add(func() { op("VMOV V%d.B16, V%d.B16", g, x) })
		return c
	}
	add(func() { v3(encFADD, x, x, v, "w = x + v") })
	for _, r := range []int{v, x} {
		canon(r)
	}
	return c
}

func update() {
	for _, proximal := range []bool{false, true} {
		name, twin, l1 := "updateNEON", "updateGo", "l1"
		if proximal {
			name, twin, l1 = "updateProximalNEON", "updateProximalGo", "t"
		}
		fmt.Fprintf(out, `
// func %[1]s(w, vel, grad *float32, n int, lr, momentum, %[3]s, l2 float32)
//
// %[2]s on w[:n], vel[:n], grad[:n] for n a positive multiple of 4%[4]s;
// two vectors a turn as interleaved chains, then one.
TEXT ·%[1]s(SB), NOSPLIT, $0-48
	MOVD w+0(FP), R0
	MOVD vel+8(FP), R1
	MOVD grad+16(FP), R2
	MOVD n+24(FP), R3
	MOVWU lr+32(FP), R12
	VDUP R12, V%[5]d.S4
	MOVWU momentum+36(FP), R12
	VDUP R12, V%[6]d.S4
	MOVWU %[3]s+40(FP), R12
	VDUP R12, V%[7]d.S4
	MOVWU l2+44(FP), R12
	VDUP R12, V%[8]d.S4
`, name, twin, l1, map[bool]string{false: "", true: " (t = lr*l1, rounded)"}[proximal], uLR, uMom, map[bool]int{false: uL1, true: uT}[proximal], uL2)
		if proximal {
			splat(uSign, 0x80000000, "sign bit")
			op("VEOR V%d.B16, V%d.B16, V%d.B16 // -t", uSign, uT, uNT)
		} else {
			splat(uSign, 0x80000000, "sign bit")
			splat(uOne, f32bits(1), "1.0")
		}
		splat(uNaN, 0x7fc00000, "canonical NaN")
		l := name
		op("LSR  $3, R3, R4 // pairs of vectors")
		op("CBZ  R4, %s_one", l)
		label(l + "_two")
		op("VLD1 (R0), [V0.S4]")
		op("VLD1 (R1), [V1.S4]")
		op("VLD1.P 16(R2), [V2.S4]")
		op("ADD  $16, R0, R5")
		op("ADD  $16, R1, R6")
		op("VLD1 (R5), [V8.S4]")
		op("VLD1 (R6), [V9.S4]")
		op("VLD1.P 16(R2), [V10.S4]")
		emitInterleaved(updateChain(0, proximal), updateChain(8, proximal))
		op("VST1.P [V1.S4], 16(R1)")
		op("VST1.P [V0.S4], 16(R0)")
		op("VST1.P [V9.S4], 16(R1)")
		op("VST1.P [V8.S4], 16(R0)")
		op("SUBS $1, R4")
		op("BNE  %s_two", l)
		label(l + "_one")
		op("TBZ  $2, R3, %s_done // n%%8 == 0", l)
		op("VLD1 (R0), [V0.S4]")
		op("VLD1 (R1), [V1.S4]")
		op("VLD1 (R2), [V2.S4]")
		emitInterleaved(updateChain(0, proximal))
		op("VST1 [V1.S4], (R1)")
		op("VST1 [V0.S4], (R0)")
		label(l + "_done")
		op("RET")
	}
}

// reductions emits the kernels of squaredDiffAddGo and dotAddGo (16 lane
// sums kept in registers, loaded from and stored back to acc), colSumsGo
// and fromBytesGo.
func reductions() {
	out.WriteString(`
// func squaredDiffAccNEON(acc *[16]float64, a, b *float32, groups int)
//
// squaredDiffAddGo on a[:16*groups], b[:16*groups] (groups >= 1): acc[i%16]
// += d*d, d = float64(a[i]) - float64(b[i]); lanes 2k, 2k+1 in V(16+k).
TEXT ·squaredDiffAccNEON(SB), NOSPLIT, $0-32
	MOVD acc+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD groups+24(FP), R3
	VLD1 (R0), [V16.D2, V17.D2, V18.D2, V19.D2]
	ADD  $64, R0, R4
	VLD1 (R4), [V20.D2, V21.D2, V22.D2, V23.D2]

sqd_loop:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R2), [V4.S4, V5.S4, V6.S4, V7.S4]
`)
	for k := 0; k < 4; k++ {
		v2(encFCVTL, 8, k, "a, low lanes")
		v2(encFCVTL2, 9, k, "a, high lanes")
		v2(encFCVTL, 10, 4+k, "b, low lanes")
		v2(encFCVTL2, 11, 4+k, "b, high lanes")
		v3d(encFSUB2D, 8, 8, 10, "d")
		v3d(encFSUB2D, 9, 9, 11, "d")
		v3d(encFMUL2D, 8, 8, 8, "d*d")
		v3d(encFMUL2D, 9, 9, 9, "d*d")
		v3d(encFADD2D, 16+2*k, 16+2*k, 8, "acc += d*d")
		v3d(encFADD2D, 17+2*k, 17+2*k, 9, "acc += d*d")
	}
	op("SUBS $1, R3")
	op("BNE  sqd_loop")
	op("VST1 [V16.D2, V17.D2, V18.D2, V19.D2], (R0)")
	op("VST1 [V20.D2, V21.D2, V22.D2, V23.D2], (R4)")
	op("RET")

	out.WriteString(`
// func dotAccNEON(acc *[16]float32, a, b *float32, groups int)
//
// dotAddGo on a[:16*groups], b[:16*groups] (groups >= 1): acc[i%16] +=
// a[i]*b[i], the product rounded first; lanes 4k..4k+3 in V(16+k).
TEXT ·dotAccNEON(SB), NOSPLIT, $0-32
	MOVD acc+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD groups+24(FP), R3
	VLD1 (R0), [V16.S4, V17.S4, V18.S4, V19.S4]

dot_loop:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R2), [V4.S4, V5.S4, V6.S4, V7.S4]
`)
	for k := 0; k < 4; k++ {
		v3(encFMUL, 8+k, k, 4+k, "a*b")
	}
	for k := 0; k < 4; k++ {
		v3(encFADD, 16+k, 16+k, 8+k, "acc += a*b")
	}
	op("SUBS $1, R3")
	op("BNE  dot_loop")
	op("VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R0)")
	op("RET")

	out.WriteString(`
// func colSumsNEON(dst, a *float32, m, n, lda int, alpha, beta float32)
//
// colSumsGo for m >= 1 and n a positive multiple of 4: each column summed
// in float32 in row order from -0 (16 columns a pass, then 4), then dst = alpha*s,
// + beta*dst when beta != 0 (dst not read otherwise), NaN canonical.
TEXT ·colSumsNEON(SB), NOSPLIT, $0-48
	MOVD dst+0(FP), R0
	MOVD a+8(FP), R1
	MOVD m+16(FP), R2
	MOVD n+24(FP), R3
	MOVD lda+32(FP), R4
	LSL  $2, R4
	MOVWU alpha+40(FP), R12
	VDUP R12, V20.S4
	MOVWU beta+44(FP), R13
	VDUP R13, V21.S4
	LSLW $1, R13 // beta's sign dropped: -0 is zero too
`)
	splat(22, 0x7fc00000, "canonical NaN")
	splat(23, 0x80000000, "-0, the sums' start (colSumsGo)")
	for _, w := range []int{4, 1} {
		l := fmt.Sprintf("cs%d", w)
		label(l)
		if w == 4 {
			op("CMP  $16, R3")
			op("BLT  cs1")
		} else {
			op("CBZ  R3, cs_done")
		}
		for v := 0; v < w; v++ {
			op("VORR V23.B16, V23.B16, V%d.B16", v)
		}
		op("MOVD R1, R5")
		op("MOVD R2, R6")
		label(l + "_row")
		regs := []string{}
		for v := 0; v < w; v++ {
			regs = append(regs, fmt.Sprintf("V%d.S4", 4+v))
		}
		op("VLD1 (R5), [%s]", strings.Join(regs, ", "))
		for v := 0; v < w; v++ {
			v3(encFADD, v, v, 4+v, "s += a[i][j]")
		}
		op("ADD  R4, R5")
		op("SUBS $1, R6")
		op("BNE  %s_row", l)
		for v := 0; v < w; v++ {
			v3(encFMUL, v, v, 20, "alpha*s")
		}
		op("CBZW R13, %s_store", l)
		dregs := []string{}
		for v := 0; v < w; v++ {
			dregs = append(dregs, fmt.Sprintf("V%d.S4", 8+v))
		}
		op("VLD1 (R0), [%s]", strings.Join(dregs, ", "))
		for v := 0; v < w; v++ {
			v3(encFMUL, 8+v, 8+v, 21, "beta*dst")
			v3(encFADD, v, v, 8+v, "+ beta*dst")
		}
		label(l + "_store")
		for v := 0; v < w; v++ {
			v3(encFCMEQ, 12+v, v, v, "not NaN")
			v3(encBSL, 12+v, v, 22, "or the canonical NaN")
		}
		cregs := []string{}
		for v := 0; v < w; v++ {
			cregs = append(cregs, fmt.Sprintf("V%d.S4", 12+v))
		}
		op("VST1.P [%s], %d(R0)", strings.Join(cregs, ", "), 16*w)
		op("ADD  $%d, R1", 16*w)
		op("SUB  $%d, R3", 4*w)
		op("B    %s", l)
	}
	label("cs_done")
	op("RET")

	out.WriteString(`
// func fromBytesNEON(dst *float32, src *uint8, n int)
//
// fromBytesGo on n a positive multiple of 16: bytes widened to 32 bits and
// converted (exact).
TEXT ·fromBytesNEON(SB), NOSPLIT, $0-24
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD n+16(FP), R2
	LSR  $4, R2

fb_loop:
	VLD1.P 16(R1), [V0.B16]
`)
	widen(encUXTL8, 1, 0)
	widen(encUXTL28, 2, 0)
	widen(encUXTL16, 4, 1)
	widen(encUXTL216, 5, 1)
	widen(encUXTL16, 6, 2)
	widen(encUXTL216, 7, 2)
	for v := 4; v < 8; v++ {
		v2(encUCVTF, v, v, "exact")
	}
	op("VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)")
	op("SUBS $1, R2")
	op("BNE  fb_loop")
	op("RET")
}

// stepBits ORs the 16 bits of a step into bits 16g.. of R14: lane l of the
// mask (all ones or 0) in V(m[k]) is element 4k + l, ANDed with its weight
// 1 << (4k + l) (V(w0+k)), the four vectors ORed and their lanes added
// (through R13; the masks are overwritten).
func stepBits(m [4]int, w0, g int) {
	for k := 0; k < 4; k++ {
		op("VAND V%d.B16, V%d.B16, V%d.B16 // weights of vector %d", w0+k, m[k], m[k], k)
	}
	op("VORR V%d.B16, V%d.B16, V%d.B16", m[0], m[1], m[1])
	op("VORR V%d.B16, V%d.B16, V%d.B16", m[2], m[3], m[3])
	op("VORR V%d.B16, V%d.B16, V%d.B16", m[1], m[3], m[3])
	op("VADDV V%d.S4, V%d // the step's 16 bits", m[3], m[3])
	op("VMOV V%d.S[0], R13", m[3])
	op("ORR  R13<<%d, R14, R14", 16*g)
}

// packBits emits the Bits packer of binary.go's packBitsGo on whole words:
// a lane's bit is a == 1.0, and every lane must be 1.0 or a zero.
func packBits() {
	out.WriteString(`
// func packBits64NEON(rows, words int, w *uint64, ws int, a *float32, lda int) bool
//
// packBitsGo on the first 64*words columns of each row (words >= 1, rows >=
// 1): word q of row i (at w[i*ws+q]) gets bit p for a[i*lda+64q+p] == 1;
// reports whether every element read is 1 or +-0. A step's 16 masks are
// collected into the word as in randBitsNEON (stepBits); V29 collects
// (== 1) | (== 0) of every lane.
TEXT ·packBits64NEON(SB), NOSPLIT, $0-49
	MOVD rows+0(FP), R0
	MOVD words+8(FP), R1
	MOVD w+16(FP), R2
	MOVD ws+24(FP), R3
	MOVD a+32(FP), R4
	MOVD lda+40(FP), R5
	LSL  $3, R3
	LSL  $2, R5
	MOVD $bitWeights<>(SB), R12
	VLD1 (R12), [V24.S4, V25.S4, V26.S4, V27.S4]
`)
	splat(28, f32bits(1), "1.0")
	splat(29, 0xffffffff, "all lanes 1 or 0 so far")
	label("pb_row")
	op("MOVD R4, R6")
	op("MOVD R2, R7")
	op("MOVD R1, R8")
	label("pb_word")
	op("MOVD ZR, R14")
	for g := 0; g < 4; g++ {
		op("VLD1.P 64(R6), [V0.S4, V1.S4, V2.S4, V3.S4]")
		for k := 0; k < 4; k++ {
			v3(encFCMEQ, 4+k, k, 28, "a == 1")
			v2(encFCMEQ0, 8+k, k, "a == 0")
			op("VORR V%d.B16, V%d.B16, V%d.B16", 4+k, 8+k, 8+k)
			op("VAND V%d.B16, V29.B16, V29.B16 // 1 or 0", 8+k)
		}
		stepBits([4]int{4, 5, 6, 7}, 24, g)
	}
	op("MOVD.P R14, 8(R7)")
	op("SUBS $1, R8")
	op("BNE  pb_word")
	op("ADD  R5, R4")
	op("ADD  R3, R2")
	op("SUBS $1, R0")
	op("BNE  pb_row")
	op("VMOV V29.D[0], R9")
	op("VMOV V29.D[1], R10")
	op("AND  R10, R9")
	op("CMN  $1, R9 // all ones?")
	op("CSET EQ, R9")
	op("MOVB R9, ret+48(FP)")
	op("RET")
}

// Rand registers: the state words s0..s3 of lanes 2k, 2k+1 in V(k), V(4+k),
// V(8+k), V(12+k) (k < 4); scratch V16..V20, V23 and V28..V30; constants
// V21, V22 and V24..V27.
const (
	rX, rR, rT, rQ, rD = 16, 17, 18, 19, 20
	rScale, rOne, rAcc = 21, 22, 23
	rW0, rM            = 24, 28
)

// randStep emits one xoshiro256++ step of lanes 2k and 2k+1 (step in
// rand.go) and leaves their four uniforms u[4k..4k+3] in V(rX).
func randStep(k int) {
	s0, s1, s2, s3 := k, 4+k, 8+k, 12+k
	op("VADD V%d.D2, V%d.D2, V%d.D2 // s0 + s3", s3, s0, rX)
	op("VSHL $23, V%d.D2, V%d.D2", rX, rR)
	op("VSRI $41, V%d.D2, V%d.D2 // rotl(s0+s3, 23)", rX, rR)
	op("VADD V%d.D2, V%d.D2, V%d.D2 // x = rotl(s0+s3, 23) + s0", s0, rR, rX)
	op("VSHL $17, V%d.D2, V%d.D2 // t = s1 << 17", s1, rT)
	op("VEOR V%d.B16, V%d.B16, V%d.B16 // s2 ^= s0", s0, s2, s2)
	op("VEOR V%d.B16, V%d.B16, V%d.B16 // s3 ^= s1", s1, s3, s3)
	op("VEOR V%d.B16, V%d.B16, V%d.B16 // s1 ^= s2", s2, s1, s1)
	op("VEOR V%d.B16, V%d.B16, V%d.B16 // s0 ^= s3", s3, s0, s0)
	op("VEOR V%d.B16, V%d.B16, V%d.B16 // s2 ^= t", rT, s2, s2)
	op("VSHL $45, V%d.D2, V%d.D2", s3, rR)
	op("VSRI $19, V%d.D2, V%d.D2", s3, rR)
	op("VMOV V%d.B16, V%d.B16 // s3 = rotl(s3, 45)", rR, s3)
	op("VUSHR $8, V%d.S4, V%d.S4 // the halves of x >> 8", rX, rX)
	v2(encUCVTF, rX, rX, "exact (24 bits)")
	v3(encFMUL, rX, rX, rScale, "u = * 2^-24, exact")
}

// randLess emits V(dst) = (u < q ? mask : 0) for u in V(rX), q loaded from
// (R2) (post-incremented): signbit(u - q), 0 where q is NaN (less).
func randLess(dst int) {
	op("VLD1.P 16(R2), [V%d.S4]", rQ)
	v3(encFSUB, rD, rX, rQ, "u - q")
	v2(encCMLT0, rD, rD, "its sign bit")
	v3(encFCMEQ, dst, rQ, rQ, "q == q")
	op("VAND V%d.B16, V%d.B16, V%d.B16 // less(u, q), all ones or 0", rD, dst, dst)
}

func loadState() {
	op("VLD1 (R0), [V0.D2, V1.D2, V2.D2, V3.D2]")
	op("ADD  $64, R0, R12")
	op("VLD1.P 64(R12), [V4.D2, V5.D2, V6.D2, V7.D2]")
	op("VLD1.P 64(R12), [V8.D2, V9.D2, V10.D2, V11.D2]")
	op("VLD1 (R12), [V12.D2, V13.D2, V14.D2, V15.D2]")
	splat(rScale, f32bits(0x1p-24), "2^-24")
}

func storeState() {
	op("VST1.P [V0.D2, V1.D2, V2.D2, V3.D2], 64(R0)")
	op("VST1.P [V4.D2, V5.D2, V6.D2, V7.D2], 64(R0)")
	op("VST1.P [V8.D2, V9.D2, V10.D2, V11.D2], 64(R0)")
	op("VST1 [V12.D2, V13.D2, V14.D2, V15.D2], (R0)")
	op("RET")
}

func rand() {
	out.WriteString(`
// func randNEON(s *[4][Lanes]uint64, dst, p *float32, groups, mode int)
//
// randGo for n = 16*groups (groups >= 1): groups steps of the 8 lanes of
// s, each writing 16 uniforms (mode 0) or Bernoulli draws u < p as 1.0 or
// 0 (mode 1) to dst; the state goes back to s.
TEXT ·randNEON(SB), NOSPLIT, $0-40
	MOVD s+0(FP), R0
	MOVD dst+8(FP), R1
	MOVD p+16(FP), R2
	MOVD groups+24(FP), R3
	MOVD mode+32(FP), R4
`)
	loadState()
	splat(rOne, f32bits(1), "1.0")
	op("CBNZ R4, bernoulli")
	label("uniform")
	for k := 0; k < 4; k++ {
		randStep(k)
		op("VST1.P [V%d.S4], 16(R1)", rX)
	}
	op("SUBS $1, R3")
	op("BNE  uniform")
	op("B    done")
	label("bernoulli")
	for k := 0; k < 4; k++ {
		randStep(k)
		randLess(rAcc)
		op("VAND V%d.B16, V%d.B16, V%d.B16 // 1.0 or 0", rOne, rAcc, rAcc)
		op("VST1.P [V%d.S4], 16(R1)", rAcc)
	}
	op("SUBS $1, R3")
	op("BNE  bernoulli")
	label("done")
	storeState()

	out.WriteString(`
// func randBitsNEON(s *[4][Lanes]uint64, dst *uint64, p *float32, words int)
//
// randBitsGo for len(p) = 64*words (words >= 1): 4 steps a word, bit e of
// a step's 16 at bit 16*step + e of the word (see stepBits).
TEXT ·randBitsNEON(SB), NOSPLIT, $0-32
	MOVD s+0(FP), R0
	MOVD dst+8(FP), R1
	MOVD p+16(FP), R2
	MOVD words+24(FP), R3
`)
	loadState()
	op("MOVD $bitWeights<>(SB), R12")
	op("VLD1 (R12), [V%d.S4, V%d.S4, V%d.S4, V%d.S4]", rW0, rW0+1, rW0+2, rW0+3)
	label("word")
	op("MOVD ZR, R14")
	masks := [4]int{rAcc, rM, rM + 1, rM + 2}
	for g := 0; g < 4; g++ {
		for k := 0; k < 4; k++ {
			randStep(k)
			randLess(masks[k])
		}
		stepBits(masks, rW0, g)
	}
	op("MOVD.P R14, 8(R1)")
	op("SUBS $1, R3")
	op("BNE  word")
	storeState()
	out.WriteString("\n")
	for k := 0; k < 16; k++ {
		op("DATA bitWeights<>+%d(SB)/4, $%#x", 4*k, 1<<k)
	}
	op("GLOBL bitWeights<>(SB), RODATA|NOPTR, $64")
}

func main() {
	out.WriteString(`// Code generated by _gen/neon (go run ./_gen/neon > elem_arm64.s); DO NOT EDIT.

//go:build arm64 && gc && !purego

#include "textflag.h"
`)
	sigmoid()
	softplus()
	update()
	reductions()
	packBits()
	rand()
	os.Stdout.WriteString(out.String())
}
