package main

import "fmt"

// The NEON kernels (go run ./_gen -arch arm64 > ising_arm64.s): sweepNEON
// for one block and sweep2NEON for two blocks whose generator steps are
// interleaved, with the same step variants, early exits and tails as the
// amd64 kernels; sweepNEONSFC and sweep2NEONSFC are the same with SFC64
// streams instead of xoshiro256++ (see sfcStep). A 256-bit quantity of a
// block is two 128-bit registers (words 0-1 and 2-3, halves h = 0, 1).
//
// Vector registers: block A's generator state S0..S3 in V0..V7 (Si of
// half h in V(2i+h)), block B's in V8..V15; A's undecided lanes with
// threshold P4 in V16, V17, with P8 in V18, V19, accepted in V20, V21; B's in
// V22..V27. V28 generator output, V29 scratch, V30 zero, V31 scratch
// (xoshiro256++) or all ones, -1 in every lane, the counter increment
// (SFC64: the early-exit tests use V28 as their second scratch instead).
//
// General registers: R0 spins of A, R21 (spins of B) - R0, R1 L, R4 sweeps
// left, R5 row stride L*32, R6 end of lattice A, R7 current row, R8 row
// above, R9 row below, R10 x, R11 x*32, R12 left offset, R13 right offset,
// R14 centre pointer (block A), R15 P4, R16 P8, R19 stride-32, R17 R20 R22
// R23 R24 neighbour pointers while setting up, R25 R26 scratch.

type neonBlock struct {
	name        string
	s           [4][2]string // state Si, half h
	u4, u8, acc [2]string
	off         string // added to the block-A pointers ("" for A)
}

func vreg(i int) string { return fmt.Sprintf("V%d", i) }

func neonBlockRegs(name string, base, und int, off string) neonBlock {
	x := neonBlock{name: name, off: off}
	for i := range 4 {
		for h := range 2 {
			x.s[i][h] = vreg(base + 2*i + h)
		}
	}
	for h := range 2 {
		x.u4[h], x.u8[h], x.acc[h] = vreg(und+h), vreg(und+2+h), vreg(und+4+h)
	}
	return x
}

type neonKernel struct {
	name   string
	blocks []neonBlock
	// sfc: the streams are SFC64 instead of xoshiro256++ (see sfcStep).
	sfc bool
}

const nr, nt, nzero = "V28", "V29", "V30"

// nones holds -1 in every lane in the SFC64 kernels.
const nones = "V31"

// sfcStep advances the SFC64 streams of half h of x, whose state registers
// hold a, b, c and the counter; V28 = their outputs:
//
//	r = a + b + counter; counter++; a = b ^ b>>11; b = c + c<<3;
//	c = rotl(c, 24) + r.
//
// 10 operations (13 for xoshiro256++): the counter is incremented by
// subtracting V31 (-1), and the rotation is a shift left and a shift right
// and insert.
func (k *neonKernel) sfcStep(x neonBlock, h int) {
	a, b, c, n := x.s[0][h], x.s[1][h], x.s[2][h], x.s[3][h]
	emit("VADD    %s.D2, %s.D2, %s.D2", a, b, nr)
	emit("VUSHR   $11, %s.D2, %s.D2", b, nt)
	emit("VADD    %s.D2, %s.D2, %s.D2", n, nr, nr)
	emit("VEOR    %s.B16, %s.B16, %s.B16", b, nt, a)
	emit("VSUB    %s.D2, %s.D2, %s.D2", nones, n, n)
	emit("VSHL    $3, %s.D2, %s.D2", c, b)
	emit("VSHL    $24, %s.D2, %s.D2", c, nt)
	emit("VADD    %s.D2, %s.D2, %s.D2", c, b, b)
	emit("VSRI    $40, %s.D2, %s.D2", c, nt)
	emit("VADD    %s.D2, %s.D2, %s.D2", nt, nr, c)
}

// generate advances the streams of half h of x (xoshiro256++, or SFC64 in a
// kernel with sfc set); V28 = their outputs.
func (k *neonKernel) generate(x neonBlock, h int) {
	if k.sfc {
		k.sfcStep(x, h)
		return
	}
	s0, s1, s2, s3 := x.s[0][h], x.s[1][h], x.s[2][h], x.s[3][h]
	emit("VADD    %s.D2, %s.D2, %s.D2", s0, s3, nt)
	emit("VSHL    $23, %s.D2, %s.D2", nt, nr)
	emit("VSRI    $41, %s.D2, %s.D2", nt, nr)
	emit("VADD    %s.D2, %s.D2, %s.D2", s0, nr, nr)
	emit("VSHL    $17, %s.D2, %s.D2", s1, nt)
	emit("VEOR    %s.B16, %s.B16, %s.B16", s0, s2, s2)
	emit("VEOR    %s.B16, %s.B16, %s.B16", s1, s3, s3)
	emit("VEOR    %s.B16, %s.B16, %s.B16", s2, s1, s1)
	emit("VEOR    %s.B16, %s.B16, %s.B16", s3, s0, s0)
	emit("VEOR    %s.B16, %s.B16, %s.B16", nt, s2, s2)
	emit("VSHL    $45, %s.D2, %s.D2", s3, nt)
	emit("VSRI    $19, %s.D2, %s.D2", s3, nt)
	emit("VMOV    %s.B16, %s.B16", nt, s3)
}

// compare: bit 1: acc |= und &^ r; und &= r; bit 0: und &^= r.
func (k *neonKernel) compare(und, acc string, bit int) {
	if bit == 0 {
		emit("VBIT    %s.B16, %s.B16, %s.B16", nr, nzero, und)
		return
	}
	emit("VAND    %s.B16, %s.B16, %s.B16", nr, und, nt)
	emit("VEOR    %s.B16, %s.B16, %s.B16", nt, und, und)
	emit("VORR    %s.B16, %s.B16, %s.B16", und, acc, acc)
	emit("VMOV    %s.B16, %s.B16", nt, und)
}

func (k *neonKernel) step(tag string, s int, xs ...neonBlock) {
	b := 23 - s
	l := k.name + "_" + tag
	for _, x := range xs {
		l += x.name
	}
	l += fmt.Sprint(s)
	body := func(b4, b8 int) {
		for _, x := range xs {
			for h := range 2 {
				k.generate(x, h)
				k.compare(x.u4[h], x.acc[h], b4)
				k.compare(x.u8[h], x.acc[h], b8)
			}
		}
	}
	emit("TBNZ    $%d, R15, %s_1x", b, l)
	emit("TBNZ    $%d, R16, %s_01", b, l)
	body(0, 0)
	emit("B       %s_end", l)
	label(l + "_01")
	body(0, 1)
	emit("B       %s_end", l)
	label(l + "_1x")
	emit("TBNZ    $%d, R16, %s_11", b, l)
	body(1, 0)
	emit("B       %s_end", l)
	label(l + "_11")
	body(1, 1)
	label(l + "_end")
}

// setup computes the undecided and accepted lanes of x, half by half,
// streaming the five loads so that only V28 and V29 are needed besides x's
// own registers:
//
//	s1 = a1^a2, k = (a1&a2)|(a3&a4), s2 = a3^a4, one = (s1^s2) &^ k,
//	any = s1|s2|k, none = ^any, acc = two or more = any ^ one.
func (k *neonKernel) setup(x neonBlock) {
	// Pointers: R24 centre, R17 left, R20 right, R22 up, R23 down.
	emit("ADD     R7, R11, R24")
	emit("ADD     R7, R12, R17")
	emit("ADD     R7, R13, R20")
	emit("ADD     R8, R11, R22")
	emit("ADD     R9, R11, R23")
	if x.off != "" {
		for _, g := range []string{"R24", "R17", "R20", "R22", "R23"} {
			emit("ADD     %s, %s, %s", x.off, g, g)
		}
	}
	c, t0 := "V28", "V29"
	for h := range 2 {
		u4, u8, acc := x.u4[h], x.u8[h], x.acc[h]
		emit("VLD1.P  16(R24), [%s.D2]", c)
		emit("VLD1.P  16(R17), [%s.D2]", t0)
		emit("VEOR    %s.B16, %s.B16, %s.B16", c, t0, t0) // a1
		emit("VLD1.P  16(R20), [%s.D2]", u4)
		emit("VEOR    %s.B16, %s.B16, %s.B16", c, u4, u4)   // a2
		emit("VEOR    %s.B16, %s.B16, %s.B16", t0, u4, acc) // s1
		emit("VAND    %s.B16, %s.B16, %s.B16", t0, u4, t0)  // k1
		emit("VLD1.P  16(R22), [%s.D2]", u4)
		emit("VEOR    %s.B16, %s.B16, %s.B16", c, u4, u4) // a3
		emit("VLD1.P  16(R23), [%s.D2]", u8)
		emit("VEOR    %s.B16, %s.B16, %s.B16", c, u8, u8)    // a4
		emit("VEOR    %s.B16, %s.B16, %s.B16", u4, u8, c)    // s2
		emit("VAND    %s.B16, %s.B16, %s.B16", u4, u8, u4)   // k2
		emit("VORR    %s.B16, %s.B16, %s.B16", u4, t0, t0)   // k
		emit("VEOR    %s.B16, %s.B16, %s.B16", acc, c, u4)   // s1^s2
		emit("VORR    %s.B16, %s.B16, %s.B16", c, acc, acc)  // s1|s2
		emit("VAND    %s.B16, %s.B16, %s.B16", u4, t0, c)    // (s1^s2)&k
		emit("VEOR    %s.B16, %s.B16, %s.B16", c, u4, u4)    // one
		emit("VORR    %s.B16, %s.B16, %s.B16", t0, acc, acc) // any
		emit("VMOVI   $255, %s.B16", u8)
		emit("VEOR    %s.B16, %s.B16, %s.B16", acc, u8, u8)  // none
		emit("VEOR    %s.B16, %s.B16, %s.B16", u4, acc, acc) // two or more
	}
}

// undecided branches to target when no lane of x is undecided. Its
// second scratch is V31, or V28 (free between steps) in the SFC64 kernels,
// where V31 holds the counter increment.
func (k *neonKernel) undecided(x neonBlock, target string) {
	t2 := "V31"
	if k.sfc {
		t2 = nr
	}
	emit("VORR    %s.B16, %s.B16, %s.B16", x.u4[0], x.u8[0], nt)
	emit("VORR    %s.B16, %s.B16, %s.B16", x.u4[1], x.u8[1], t2)
	emit("VORR    %s.B16, %s.B16, %s.B16", nt, t2, nt)
	emit("VMOV    %s.D[0], R25", nt)
	emit("VMOV    %s.D[1], R26", nt)
	emit("ORR     R25, R26, R25")
	emit("CBZ     R25, %s", target)
}

func (k *neonKernel) stateAddr(i int) {
	if len(k.blocks) == 1 {
		emit("MOVD    state+16(FP), R2")
		return
	}
	emit("MOVD    state%s+%d(FP), R2", k.blocks[i].name, 24+8*i)
}

func (k *neonKernel) emitKernel() {
	u := unconditionalOf(k.sfc)
	two := len(k.blocks) == 2
	sweepsArg := "sweeps+32(FP)"
	if two {
		fmt.Fprintf(&out, "\n// func %s(spinsA, spinsB *uint64, L int, stateA, stateB *[StateWords]uint64, th *Thresholds, sweeps int)\n", k.name)
		fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-56\n", k.name)
		emit("MOVD    spinsA+0(FP), R0")
		emit("MOVD    spinsB+8(FP), R21")
		emit("SUB     R0, R21, R21")
		emit("MOVD    L+16(FP), R1")
		emit("MOVD    th+40(FP), R3")
		sweepsArg = "sweeps+48(FP)"
	} else {
		fmt.Fprintf(&out, "\n// func %s(spins *uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int)\n", k.name)
		fmt.Fprintf(&out, "TEXT ·%s(SB), NOSPLIT, $0-40\n", k.name)
		emit("MOVD    spins+0(FP), R0")
		emit("MOVD    L+8(FP), R1")
		emit("MOVD    th+24(FP), R3")
	}
	emit("MOVD    %s, R4", sweepsArg)
	for i, x := range k.blocks {
		k.stateAddr(i)
		for j := range 3 {
			emit("VLD1.P  32(R2), [%s.D2, %s.D2]", x.s[j][0], x.s[j][1])
		}
		emit("VLD1    (R2), [%s.D2, %s.D2]", x.s[3][0], x.s[3][1])
	}
	if k.sfc {
		emit("VMOVI   $255, %s.B16", nones)
	}
	text(fmt.Sprintf(`	VEOR    V30.B16, V30.B16, V30.B16
	MOVWU   1536(R3), R15
	MOVWU   1540(R3), R16
	LSL     $5, R1, R5
	SUB     $32, R5, R19
	MUL     R1, R5, R6
	ADD     R0, R6, R6

%[1]s_sweep:
	MOVD    R0, R7
	SUB     R5, R6, R8
	ADD     R0, R5, R9

%[1]s_row:
	MOVD    ZR, R10

%[1]s_site:
	LSL     $5, R10, R11
	SUB     $32, R11, R12
	CMP     $0, R10
	CSEL    EQ, R19, R12, R12
	ADD     $32, R11, R13
	CMP     R5, R13
	CSEL    EQ, ZR, R13, R13
	ADD     R7, R11, R14
`, k.name))
	for _, x := range k.blocks {
		k.setup(x)
	}
	if !two {
		x := k.blocks[0]
		for s := range 24 {
			if s >= u {
				k.undecided(x, k.name+"_flip")
			}
			k.step("p", s, x)
		}
	} else {
		a, b := k.blocks[0], k.blocks[1]
		for s := range 24 {
			if s >= u {
				k.undecided(a, fmt.Sprintf("%s_adone%d", k.name, s))
				k.undecided(b, fmt.Sprintf("%s_tailA%d", k.name, s))
			}
			k.step("p", s, a, b)
		}
		emit("B       %s_flip", k.name)
		for s := u; s < 24; s++ {
			label(fmt.Sprintf("%s_adone%d", k.name, s))
			k.undecided(b, k.name+"_flip")
			emit("B       %s_tailB%d", k.name, s)
		}
		for _, x := range k.blocks {
			for s := u; s < 24; s++ {
				label(fmt.Sprintf("%s_tail%s%d", k.name, x.name, s))
				k.step("t", s, x)
				if s < 23 {
					k.undecided(x, k.name+"_flip")
				}
			}
			emit("B       %s_flip", k.name)
		}
	}
	label(k.name + "_flip")
	for _, x := range k.blocks {
		p := "R14"
		if x.off != "" {
			emit("ADD     %s, R14, R24", x.off)
			p = "R24"
		}
		emit("VLD1    (%s), [V28.D2, V29.D2]", p)
		emit("VEOR    V28.B16, %s.B16, %s.B16", x.acc[0], x.acc[0])
		emit("VEOR    V29.B16, %s.B16, %s.B16", x.acc[1], x.acc[1])
		emit("VST1    [%s.D2, %s.D2], (%s)", x.acc[0], x.acc[1], p)
	}
	text(fmt.Sprintf(`
	ADD     $2, R10
	CMP     R1, R10
	BLT     %[1]s_site
	TBNZ    $0, R10, %[1]s_rowdone
	MOVD    $1, R10
	B       %[1]s_site

%[1]s_rowdone:
	MOVD    R7, R8
	MOVD    R9, R7
	CMP     R0, R7
	BEQ     %[1]s_sweepdone
	ADD     R5, R9
	CMP     R6, R9
	BNE     %[1]s_row
	MOVD    R0, R9
	B       %[1]s_row

%[1]s_sweepdone:
	SUBS    $1, R4
	BNE     %[1]s_sweep

`, k.name))
	for i, x := range k.blocks {
		k.stateAddr(i)
		for j := range 3 {
			emit("VST1.P  [%s.D2, %s.D2], 32(R2)", x.s[j][0], x.s[j][1])
		}
		emit("VST1    [%s.D2, %s.D2], (R2)", x.s[3][0], x.s[3][1])
	}
	emit("RET")
}

const neonHead = `//go:build arm64 && gc && !purego

// Code generated by _gen (go run ./_gen -arch arm64 > ising_arm64.s). DO NOT EDIT.

// Metropolis sweeps over 256-replica blocks in NEON (ASIMD, which every
// arm64 CPU has): the algorithm and the early-exit policy of sweepGeneric
// (generic.go, documented in ising.go). sweep2NEON interleaves the generator
// steps of two blocks, each with its own early exit. Register use is
// described in _gen/neon.go.
// The kernels with the suffix SFC are the same with SFC64 streams.

#include "textflag.h"
`

func neonMain() {
	text(neonHead)
	a := neonBlockRegs("A", 0, 16, "")
	b := neonBlockRegs("B", 8, 22, "R21")
	// Every kernel twice: xoshiro256++ streams, then SFC64 ones (name
	// suffix SFC), from the same code but the generator step.
	for _, sfc := range []bool{false, true} {
		suffix := map[bool]string{false: "", true: "SFC"}[sfc]
		for _, k := range []neonKernel{
			{name: "sweepNEON", blocks: []neonBlock{a}},
			{name: "sweep2NEON", blocks: []neonBlock{a, b}},
		} {
			k.sfc, k.name = sfc, k.name+suffix
			k.emitKernel()
		}
	}
}
