//go:build amd64 && gc && !purego

// Metropolis sweep over one 256-replica block. Requires AVX2.
// The algorithm and the early-exit policy are documented in ising.go; this
// file is a transcription of sweepGeneric in generic.go.

#include "textflag.h"

// Register use.
//   DI spins, R8 L, DX thresholds, R14 row stride L*32, R9 end of lattice,
//   R10 current row, R11 row above, R12 row below, R13 x,
//   AX x*32, BX left offset, CX right offset, SI centre pointer.
//   Y0..Y3 xoshiro256++ state words S0..S3 of the four streams, Y4 all ones,
//   Y5 undecided lanes with one anti-aligned bond (threshold P4),
//   Y6 undecided lanes with none (threshold P8), Y7 scratch, Y8 accepted,
//   Y9 flips regardless (two or more), Y10 centre spins, Y11..Y15 scratch.
//   During the comparison BX holds P4 and CX P8: the threshold bits are the
//   same at every site, so the branches on them are always predicted and
//   each step needs only the operations of its two bits:
//     bit 1: acc |= und & ^u; und &= u     bit 0: und &^= u

// XOSHIRO advances the four streams; Y11 = their outputs.
#define XOSHIRO \
	VPADDQ  Y0, Y3, Y11 \
	VPSLLQ  $23, Y11, Y12 \
	VPSRLQ  $41, Y11, Y11 \
	VPOR    Y11, Y12, Y11 \
	VPADDQ  Y0, Y11, Y11 \
	VPSLLQ  $17, Y1, Y12 \
	VPXOR   Y0, Y2, Y2 \
	VPXOR   Y1, Y3, Y3 \
	VPXOR   Y2, Y1, Y1 \
	VPXOR   Y3, Y0, Y0 \
	VPXOR   Y12, Y2, Y2 \
	VPSLLQ  $45, Y3, Y12 \
	VPSRLQ  $19, Y3, Y3 \
	VPOR    Y12, Y3, Y3

// STEP is the comparison step whose threshold bits are bit b of BX (P4) and
// of CX (P8); one4, next4, one8, next8 are labels unique to the step.
#define STEP(b, one4, next4, one8, next8) \
	XOSHIRO \
	BTL     $b, BX \
	JCS     one4 \
	VPANDN  Y5, Y11, Y5 \
	JMP     next4 \
one4: \
	VPANDN  Y5, Y11, Y12 \
	VPOR    Y12, Y8, Y8 \
	VPAND   Y11, Y5, Y5 \
next4: \
	BTL     $b, CX \
	JCS     one8 \
	VPANDN  Y6, Y11, Y6 \
	JMP     next8 \
one8: \
	VPANDN  Y6, Y11, Y12 \
	VPOR    Y12, Y8, Y8 \
	VPAND   Y11, Y6, Y6 \
next8:

// DECIDED jumps to flip when no lane is undecided.
#define DECIDED \
	VPOR    Y5, Y6, Y7 \
	VPTEST  Y7, Y7 \
	JZ      flip


// func sweepAVX2(spins *uint64, L int, state *[StateWords]uint64, th *Thresholds, sweeps int)
TEXT ·sweepAVX2(SB), NOSPLIT, $0-40
	MOVQ spins+0(FP), DI
	MOVQ L+8(FP), R8
	MOVQ state+16(FP), SI
	MOVQ th+24(FP), DX
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	VPCMPEQQ Y4, Y4, Y4
	MOVQ R8, R14
	SHLQ $5, R14
	MOVQ R8, R9
	IMULQ R14, R9
	ADDQ DI, R9

sweeploop:
	MOVQ DI, R10
	MOVQ R9, R11
	SUBQ R14, R11
	LEAQ (DI)(R14*1), R12

rowloop:
	XORQ R13, R13

siteloop:
	MOVQ R13, AX
	SHLQ $5, AX
	LEAQ -32(AX), BX
	LEAQ -32(R14), CX
	TESTQ R13, R13
	CMOVQEQ CX, BX
	LEAQ 32(AX), CX
	XORQ SI, SI
	CMPQ CX, R14
	CMOVQEQ SI, CX
	LEAQ (R10)(AX*1), SI

	VMOVDQU (SI), Y10
	VPXOR (R10)(BX*1), Y10, Y11
	VPXOR (R10)(CX*1), Y10, Y12
	VPXOR (R11)(AX*1), Y10, Y13
	VPXOR (R12)(AX*1), Y10, Y14
	VPXOR Y11, Y12, Y15
	VPAND Y11, Y12, Y11
	VPXOR Y13, Y14, Y12
	VPAND Y13, Y14, Y13
	VPOR  Y11, Y13, Y14
	VPXOR Y15, Y12, Y5
	VPANDN Y5, Y14, Y5
	VPOR  Y15, Y12, Y15
	VPOR  Y15, Y14, Y15
	VPANDN Y4, Y15, Y6
	VPANDN Y15, Y5, Y9
	VPXOR Y8, Y8, Y8
	MOVL 1536(DX), BX
	MOVL 1540(DX), CX

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
	VPOR  Y8, Y9, Y8
	VPXOR Y8, Y10, Y10
	VMOVDQU Y10, (SI)

	ADDQ $2, R13
	CMPQ R13, R8
	JLT siteloop
	TESTQ $1, R13
	JNZ rowdone
	MOVQ $1, R13
	JMP siteloop

rowdone:
	MOVQ R10, R11
	MOVQ R12, R10
	CMPQ R10, DI
	JEQ sweepdone
	ADDQ R14, R12
	CMPQ R12, R9
	JNE rowloop
	MOVQ DI, R12
	JMP rowloop

sweepdone:
	DECQ sweeps+32(FP)
	JNZ sweeploop

	MOVQ state+16(FP), SI
	VMOVDQU Y0, 0(SI)
	VMOVDQU Y1, 32(SI)
	VMOVDQU Y2, 64(SI)
	VMOVDQU Y3, 96(SI)
	VZEROUPPER
	RET

