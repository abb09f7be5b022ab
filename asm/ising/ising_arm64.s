//go:build arm64 && gc && !purego

// Metropolis sweep over one 256-replica block. Requires NEON (ASIMD), which
// every arm64 CPU has. The algorithm and the early-exit policy are documented
// in ising.go; this file is a transcription of sweepGeneric in generic.go,
// each 256-bit quantity held in two 128-bit registers (words 0-1, 2-3).

#include "textflag.h"

// Register use.
//   R0 spins, R1 L, R3 thresholds, R4 sweeps left, R5 row stride L*32,
//   R6 end of lattice, R7 current row, R8 row above, R9 row below, R10 x,
//   R11 x*32, R12 left offset, R13 right offset, R14 centre pointer,
//   R15 P4, R16 P8, R19 stride-32, R17 R20 scratch.
//   V0:V1 .. V6:V7 xoshiro256++ state words S0..S3 of the four streams,
//   V8:V9 undecided lanes with threshold P4, V10:V11 with threshold P8,
//   V12:V13 accepted, V14:V15 flip regardless, V20:V21 centre spins,
//   V16..V19, V22..V29 scratch, V30 zero, V31 all ones.
//   The threshold bits are the same at every site, so the branches on them
//   (TBNZ on P4, P8) are always predicted and each step needs only the
//   operations of its two bits:
//     bit 1: acc |= und & ^u; und &= u     bit 0: und &^= u

// HALFRNG advances the streams of words h, h+1 (state registers s0..s3),
// leaving their outputs in r; t, u, w are scratch.
#define HALFRNG(s0, s1, s2, s3, r, t, u, w) \
	VADD    s0.D2, s3.D2, t.D2 \
	VSHL    $23, t.D2, r.D2 \
	VSRI    $41, t.D2, r.D2 \
	VADD    s0.D2, r.D2, r.D2 \
	VSHL    $17, s1.D2, u.D2 \
	VEOR    s0.B16, s2.B16, s2.B16 \
	VEOR    s1.B16, s3.B16, s3.B16 \
	VEOR    s2.B16, s1.B16, s1.B16 \
	VEOR    s3.B16, s0.B16, s0.B16 \
	VEOR    u.B16, s2.B16, s2.B16 \
	VSHL    $45, s3.D2, w.D2 \
	VSRI    $19, s3.D2, w.D2 \
	VMOV    w.B16, s3.B16

// ONE: bit 1 for undecided set (und): acc |= und &^ r; und &= r.
#define ONE(und, acc, r, x) \
	VAND    r.B16, und.B16, x.B16 \
	VEOR    x.B16, und.B16, und.B16 \
	VORR    und.B16, acc.B16, acc.B16 \
	VMOV    x.B16, und.B16

// STEP is the comparison step whose threshold bits are bit b of R15 (P4)
// and of R16 (P8); one4, next4, one8, next8 are labels unique to the step.
#define STEP(b, one4, next4, one8, next8) \
	HALFRNG(V0, V2, V4, V6, V17, V16, V18, V19) \
	HALFRNG(V1, V3, V5, V7, V23, V22, V24, V25) \
	TBNZ    $b, R15, one4 \
	VBIT    V17.B16, V30.B16, V8.B16 \
	VBIT    V23.B16, V30.B16, V9.B16 \
	B       next4 \
one4: \
	ONE(V8, V12, V17, V16) \
	ONE(V9, V13, V23, V22) \
next4: \
	TBNZ    $b, R16, one8 \
	VBIT    V17.B16, V30.B16, V10.B16 \
	VBIT    V23.B16, V30.B16, V11.B16 \
	B       next8 \
one8: \
	ONE(V10, V12, V17, V16) \
	ONE(V11, V13, V23, V22) \
next8:

// DECIDED jumps to flip when no lane is undecided.
#define DECIDED \
	VORR    V8.B16, V10.B16, V16.B16 \
	VORR    V9.B16, V11.B16, V17.B16 \
	VORR    V16.B16, V17.B16, V16.B16 \
	VMOV    V16.D[0], R17 \
	VMOV    V16.D[1], R20 \
	ORR     R17, R20, R17 \
	CBZ     R17, flip

// NEIGHBOURS computes, for one half (centre s, neighbours l r u d, which are
// overwritten), und4 = exactly one anti-aligned bond, und8 = none and
// ge2 = two or more.
#define NEIGHBOURS(s, l, r, u, d, und4, und8, ge2) \
	VEOR    s.B16, l.B16, l.B16 \
	VEOR    s.B16, r.B16, r.B16 \
	VEOR    s.B16, u.B16, u.B16 \
	VEOR    s.B16, d.B16, d.B16 \
	VEOR    l.B16, r.B16, V16.B16 \
	VAND    l.B16, r.B16, V17.B16 \
	VEOR    u.B16, d.B16, V18.B16 \
	VAND    u.B16, d.B16, V19.B16 \
	VORR    V17.B16, V19.B16, V17.B16 \
	VEOR    V16.B16, V18.B16, und4.B16 \
	VBIT    V17.B16, V30.B16, und4.B16 \
	VORR    V16.B16, V18.B16, V16.B16 \
	VORR    V17.B16, V16.B16, ge2.B16 \
	VEOR    ge2.B16, V31.B16, und8.B16 \
	VBIT    und4.B16, V30.B16, ge2.B16

// func sweepNEON(spins *uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int)
TEXT ·sweepNEON(SB), NOSPLIT, $0-40
	MOVD spins+0(FP), R0
	MOVD L+8(FP), R1
	MOVD state+16(FP), R2
	MOVD th+24(FP), R3
	MOVD sweeps+32(FP), R4
	VLD1.P 32(R2), [V0.D2, V1.D2]
	VLD1.P 32(R2), [V2.D2, V3.D2]
	VLD1.P 32(R2), [V4.D2, V5.D2]
	VLD1 (R2), [V6.D2, V7.D2]
	VEOR V30.B16, V30.B16, V30.B16
	MOVD $-1, R17
	VDUP R17, V31.D2
	MOVWU 1536(R3), R15
	MOVWU 1540(R3), R16
	LSL $5, R1, R5
	SUB $32, R5, R19
	MUL R1, R5, R6
	ADD R0, R6, R6

sweeploop:
	MOVD R0, R7
	SUB R5, R6, R8
	ADD R0, R5, R9

rowloop:
	MOVD ZR, R10

siteloop:
	LSL $5, R10, R11
	SUB $32, R11, R12
	CMP $0, R10
	CSEL EQ, R19, R12, R12
	ADD $32, R11, R13
	CMP R5, R13
	CSEL EQ, ZR, R13, R13
	ADD R7, R11, R14
	VLD1 (R14), [V20.D2, V21.D2]
	ADD R7, R12, R17
	VLD1 (R17), [V22.D2, V23.D2]
	ADD R7, R13, R17
	VLD1 (R17), [V24.D2, V25.D2]
	ADD R8, R11, R17
	VLD1 (R17), [V26.D2, V27.D2]
	ADD R9, R11, R17
	VLD1 (R17), [V28.D2, V29.D2]
	NEIGHBOURS(V20, V22, V24, V26, V28, V8, V10, V14)
	NEIGHBOURS(V21, V23, V25, V27, V29, V9, V11, V15)
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16

	STEP(23, one4_0, next4_0, one8_0, next8_0)
	STEP(22, one4_1, next4_1, one8_1, next8_1)
	STEP(21, one4_2, next4_2, one8_2, next8_2)
	STEP(20, one4_3, next4_3, one8_3, next8_3)
	STEP(19, one4_4, next4_4, one8_4, next8_4)
	STEP(18, one4_5, next4_5, one8_5, next8_5)
	STEP(17, one4_6, next4_6, one8_6, next8_6)
	STEP(16, one4_7, next4_7, one8_7, next8_7)
	STEP(15, one4_8, next4_8, one8_8, next8_8)
	STEP(14, one4_9, next4_9, one8_9, next8_9)
	DECIDED
	STEP(13, one4_10, next4_10, one8_10, next8_10)
	DECIDED
	STEP(12, one4_11, next4_11, one8_11, next8_11)
	DECIDED
	STEP(11, one4_12, next4_12, one8_12, next8_12)
	DECIDED
	STEP(10, one4_13, next4_13, one8_13, next8_13)
	DECIDED
	STEP(9, one4_14, next4_14, one8_14, next8_14)
	DECIDED
	STEP(8, one4_15, next4_15, one8_15, next8_15)
	DECIDED
	STEP(7, one4_16, next4_16, one8_16, next8_16)
	DECIDED
	STEP(6, one4_17, next4_17, one8_17, next8_17)
	DECIDED
	STEP(5, one4_18, next4_18, one8_18, next8_18)
	DECIDED
	STEP(4, one4_19, next4_19, one8_19, next8_19)
	DECIDED
	STEP(3, one4_20, next4_20, one8_20, next8_20)
	DECIDED
	STEP(2, one4_21, next4_21, one8_21, next8_21)
	DECIDED
	STEP(1, one4_22, next4_22, one8_22, next8_22)
	DECIDED
	STEP(0, one4_23, next4_23, one8_23, next8_23)

flip:
	VORR V12.B16, V14.B16, V12.B16
	VORR V13.B16, V15.B16, V13.B16
	VEOR V12.B16, V20.B16, V20.B16
	VEOR V13.B16, V21.B16, V21.B16
	VST1 [V20.D2, V21.D2], (R14)

	ADD $2, R10
	CMP R1, R10
	BLT siteloop
	TBNZ $0, R10, rowdone
	MOVD $1, R10
	B siteloop

rowdone:
	MOVD R7, R8
	MOVD R9, R7
	CMP R0, R7
	BEQ sweepdone
	ADD R5, R9
	CMP R6, R9
	BNE rowloop
	MOVD R0, R9
	B rowloop

sweepdone:
	SUBS $1, R4
	BNE sweeploop

	MOVD state+16(FP), R2
	VST1.P [V0.D2, V1.D2], 32(R2)
	VST1.P [V2.D2, V3.D2], 32(R2)
	VST1.P [V4.D2, V5.D2], 32(R2)
	VST1 [V6.D2, V7.D2], (R2)
	RET
