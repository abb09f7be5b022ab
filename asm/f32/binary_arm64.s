//go:build arm64 && gc && !purego

// NEON kernel of the Bits products (binary.go's sumBitsGo, the contract):
// accumulators V0..V15 hold the 64 columns of a row of C (vector v:
// columns 4v..4v+3), each a chain of FADDs of the selected rows of B in
// increasing p; the epilogue is gemm.go's roundingContract: u = alpha*s
// (FMUL), then c = u, or u + beta*c in one FMLA (one rounding). ASIMD is
// mandatory on arm64.
//
// Registers: R0 rows left, R1 row's first word, R2 bstride*8, R3 nw*8,
// R4 ps*4 (bytes from a row of B to the next), R5 ps*4*64 (from one word
// of bits to the next), R6 t's row, R7 c's row, R8 ldc*4, R9 end of the
// row's words, R10 nv, R11 b, R12 vs*4 (from one 16-column group of B to
// the next), R15 row 64q of B for the current word q, R19 word pointer,
// R20 the word, R22 the selected row of B, R24 nv%4 (1..15 vectors),
// R21 R23 R25 scratch.

#include "textflag.h"

// The Go assembler has no vector FADD or FMUL: Vd.4S = Vn.4S op Vm.4S.
#define VFADD4(n, m, d) WORD $(0x4e20d400 | ((m)<<16) | ((n)<<5) | (d))
#define VFMUL4(n, m, d) WORD $(0x6e20dc00 | ((m)<<16) | ((n)<<5) | (d))

// Selected row p = the lowest set bit of R20 (RBIT + CLZ), which is
// cleared; R22 = R15 + p*ps*4, its first group of 16 columns.
#define NEXTBIT \
	RBIT R20, R21      \
	CLZ  R21, R21      \
	MADD R4, R15, R21, R22 \
	SUB  $1, R20, R21  \
	AND  R21, R20, R20

// func sumBitsNEON(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode, nv int)
TEXT ·sumBitsNEON(SB), NOSPLIT, $0-104
	MOVD rows+0(FP), R0
	CMP  $1, R0
	BLT  ret
	MOVD bw+8(FP), R1
	MOVD bstride+16(FP), R2
	LSL  $3, R2
	MOVD nw+24(FP), R3
	LSL  $3, R3
	MOVD ps+40(FP), R4
	LSL  $2, R4
	LSL  $6, R4, R5
	MOVD t+56(FP), R6
	MOVD c+64(FP), R7
	MOVD ldc+72(FP), R8
	LSL  $2, R8
	MOVD nv+96(FP), R10
	MOVD b+32(FP), R11
	MOVD vs+48(FP), R12
	LSL  $2, R12
	CMP  $16, R10
	BNE  partial

// All 16 vectors: four 4-register loads per selected row, no branch
// but the loops'.
frow:
	MOVD mode+88(FP), R21
	TBZ  $0, R21, fzero
	MOVD R6, R23
	VLD1.P 64(R23), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R23), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R23), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1   (R23), [V12.S4, V13.S4, V14.S4, V15.S4]
	B    fbits
fzero:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
fbits:
	MOVD R1, R19
	ADD  R3, R1, R9
	MOVD R11, R15
	CMP  R9, R19
	BEQ  fepi
fword:
	MOVD.P 8(R19), R20
	CBZ  R20, fnext
fbit:
	NEXTBIT
	VLD1.P (R22)(R12), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P (R22)(R12), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P (R22)(R12), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1   (R22), [V28.S4, V29.S4, V30.S4, V31.S4]
	VFADD4(0, 16, 0) // V0 += V16
	VFADD4(1, 17, 1) // V1 += V17
	VFADD4(2, 18, 2) // V2 += V18
	VFADD4(3, 19, 3) // V3 += V19
	VFADD4(4, 20, 4) // V4 += V20
	VFADD4(5, 21, 5) // V5 += V21
	VFADD4(6, 22, 6) // V6 += V22
	VFADD4(7, 23, 7) // V7 += V23
	VFADD4(8, 24, 8) // V8 += V24
	VFADD4(9, 25, 9) // V9 += V25
	VFADD4(10, 26, 10) // V10 += V26
	VFADD4(11, 27, 11) // V11 += V27
	VFADD4(12, 28, 12) // V12 += V28
	VFADD4(13, 29, 13) // V13 += V29
	VFADD4(14, 30, 14) // V14 += V30
	VFADD4(15, 31, 15) // V15 += V31
	CBNZ R20, fbit
fnext:
	ADD  R5, R15
	CMP  R9, R19
	BNE  fword
fepi:
	MOVD mode+88(FP), R21
	TBNZ $1, R21, ffinal
	MOVD R6, R23
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R23)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R23)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R23)
	VST1   [V12.S4, V13.S4, V14.S4, V15.S4], (R23)
	B    fadvance
ffinal:
	MOVD  $alpha+80(FP), R23
	VLD1R (R23), [V16.S4]
	MOVD  $beta+84(FP), R23
	VLD1R (R23), [V17.S4]
	VFMUL4(16, 0, 0) // V0 = alpha*V0
	VFMUL4(16, 1, 1) // V1 = alpha*V1
	VFMUL4(16, 2, 2) // V2 = alpha*V2
	VFMUL4(16, 3, 3) // V3 = alpha*V3
	VFMUL4(16, 4, 4) // V4 = alpha*V4
	VFMUL4(16, 5, 5) // V5 = alpha*V5
	VFMUL4(16, 6, 6) // V6 = alpha*V6
	VFMUL4(16, 7, 7) // V7 = alpha*V7
	VFMUL4(16, 8, 8) // V8 = alpha*V8
	VFMUL4(16, 9, 9) // V9 = alpha*V9
	VFMUL4(16, 10, 10) // V10 = alpha*V10
	VFMUL4(16, 11, 11) // V11 = alpha*V11
	VFMUL4(16, 12, 12) // V12 = alpha*V12
	VFMUL4(16, 13, 13) // V13 = alpha*V13
	VFMUL4(16, 14, 14) // V14 = alpha*V14
	VFMUL4(16, 15, 15) // V15 = alpha*V15
	MOVWU beta+84(FP), R21
	LSLW  $1, R21 // drop the sign: -0 is zero too
	CBZW  R21, fstore
	MOVD  R7, R23
	VLD1.P 64(R23), [V20.S4, V21.S4, V22.S4, V23.S4]
	VFMLA V17.S4, V20.S4, V0.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V21.S4, V1.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V22.S4, V2.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V23.S4, V3.S4 // u += beta*c, one rounding
	VLD1.P 64(R23), [V24.S4, V25.S4, V26.S4, V27.S4]
	VFMLA V17.S4, V24.S4, V4.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V25.S4, V5.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V26.S4, V6.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V27.S4, V7.S4 // u += beta*c, one rounding
	VLD1.P 64(R23), [V20.S4, V21.S4, V22.S4, V23.S4]
	VFMLA V17.S4, V20.S4, V8.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V21.S4, V9.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V22.S4, V10.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V23.S4, V11.S4 // u += beta*c, one rounding
	VLD1   (R23), [V24.S4, V25.S4, V26.S4, V27.S4]
	VFMLA V17.S4, V24.S4, V12.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V25.S4, V13.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V26.S4, V14.S4 // u += beta*c, one rounding
	VFMLA V17.S4, V27.S4, V15.S4 // u += beta*c, one rounding
fstore:
	MOVD R7, R23
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R23)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R23)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R23)
	VST1   [V12.S4, V13.S4, V14.S4, V15.S4], (R23)
fadvance:
	ADD  R8, R7
	ADD  $256, R6 // bitsNR floats
	ADD  R2, R1
	SUBS $1, R0
	BNE  frow
	RET

// 1..15 vectors: whole groups of four by 4-register loads, then the
// nv%4 vectors left one by one; R24 = nv%4.
partial:
	AND  $3, R10, R24
prow:
	MOVD mode+88(FP), R21
	TBZ  $0, R21, pzero
	MOVD R6, R23
	MOVD R10, R25
	VLD1.P 16(R23), [V0.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V1.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V2.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V3.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V4.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V5.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V6.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V7.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V8.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V9.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V10.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V11.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V12.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V13.S4]
	SUBS $1, R25
	BEQ  pbits
	VLD1.P 16(R23), [V14.S4]
	B    pbits
pzero:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
pbits:
	MOVD R1, R19
	ADD  R3, R1, R9
	MOVD R11, R15
	CMP  R9, R19
	BEQ  pepi
pword:
	MOVD.P 8(R19), R20
	CBZ  R20, pnext
pbit:
	NEXTBIT
	CMP  $4, R10
	BLT  ptail0
	VLD1.P (R22)(R12), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFADD4(0, 16, 0) // V0 += V16
	VFADD4(1, 17, 1) // V1 += V17
	VFADD4(2, 18, 2) // V2 += V18
	VFADD4(3, 19, 3) // V3 += V19
	CMP  $8, R10
	BLT  ptail1
	VLD1.P (R22)(R12), [V20.S4, V21.S4, V22.S4, V23.S4]
	VFADD4(4, 20, 4) // V4 += V20
	VFADD4(5, 21, 5) // V5 += V21
	VFADD4(6, 22, 6) // V6 += V22
	VFADD4(7, 23, 7) // V7 += V23
	CMP  $12, R10
	BLT  ptail2
	VLD1.P (R22)(R12), [V24.S4, V25.S4, V26.S4, V27.S4]
	VFADD4(8, 24, 8) // V8 += V24
	VFADD4(9, 25, 9) // V9 += V25
	VFADD4(10, 26, 10) // V10 += V26
	VFADD4(11, 27, 11) // V11 += V27
ptail3:
	CBZ  R24, pcont
	VLD1.P 16(R22), [V28.S4]
	VFADD4(12, 28, 12) // V12 += V28
	CMP  $2, R24
	BLT  pcont
	VLD1.P 16(R22), [V29.S4]
	VFADD4(13, 29, 13) // V13 += V29
	CMP  $3, R24
	BLT  pcont
	VLD1   (R22), [V30.S4]
	VFADD4(14, 30, 14) // V14 += V30
	B    pcont
ptail0:
	CBZ  R24, pcont
	VLD1.P 16(R22), [V28.S4]
	VFADD4(0, 28, 0) // V0 += V28
	CMP  $2, R24
	BLT  pcont
	VLD1.P 16(R22), [V29.S4]
	VFADD4(1, 29, 1) // V1 += V29
	CMP  $3, R24
	BLT  pcont
	VLD1   (R22), [V30.S4]
	VFADD4(2, 30, 2) // V2 += V30
	B    pcont
ptail1:
	CBZ  R24, pcont
	VLD1.P 16(R22), [V28.S4]
	VFADD4(4, 28, 4) // V4 += V28
	CMP  $2, R24
	BLT  pcont
	VLD1.P 16(R22), [V29.S4]
	VFADD4(5, 29, 5) // V5 += V29
	CMP  $3, R24
	BLT  pcont
	VLD1   (R22), [V30.S4]
	VFADD4(6, 30, 6) // V6 += V30
	B    pcont
ptail2:
	CBZ  R24, pcont
	VLD1.P 16(R22), [V28.S4]
	VFADD4(8, 28, 8) // V8 += V28
	CMP  $2, R24
	BLT  pcont
	VLD1.P 16(R22), [V29.S4]
	VFADD4(9, 29, 9) // V9 += V29
	CMP  $3, R24
	BLT  pcont
	VLD1   (R22), [V30.S4]
	VFADD4(10, 30, 10) // V10 += V30
pcont:
	CBNZ R20, pbit
pnext:
	ADD  R5, R15
	CMP  R9, R19
	BNE  pword
pepi:
	MOVD R10, R25
	MOVD mode+88(FP), R21
	TBNZ $1, R21, pfinal
	MOVD R6, R23
	VST1.P [V0.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V1.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V2.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V3.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V4.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V5.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V6.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V7.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V8.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V9.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V10.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V11.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V12.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V13.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V14.S4], 16(R23)
	B    padvance
pfinal:
	MOVD  $alpha+80(FP), R23
	VLD1R (R23), [V16.S4]
	MOVD  $beta+84(FP), R23
	VLD1R (R23), [V17.S4]
	VFMUL4(16, 0, 0) // V0 = alpha*V0
	VFMUL4(16, 1, 1) // V1 = alpha*V1
	VFMUL4(16, 2, 2) // V2 = alpha*V2
	VFMUL4(16, 3, 3) // V3 = alpha*V3
	VFMUL4(16, 4, 4) // V4 = alpha*V4
	VFMUL4(16, 5, 5) // V5 = alpha*V5
	VFMUL4(16, 6, 6) // V6 = alpha*V6
	VFMUL4(16, 7, 7) // V7 = alpha*V7
	VFMUL4(16, 8, 8) // V8 = alpha*V8
	VFMUL4(16, 9, 9) // V9 = alpha*V9
	VFMUL4(16, 10, 10) // V10 = alpha*V10
	VFMUL4(16, 11, 11) // V11 = alpha*V11
	VFMUL4(16, 12, 12) // V12 = alpha*V12
	VFMUL4(16, 13, 13) // V13 = alpha*V13
	VFMUL4(16, 14, 14) // V14 = alpha*V14
	MOVD  R7, R23
	MOVWU beta+84(FP), R21
	LSLW  $1, R21 // drop the sign: -0 is zero too
	CBZW  R21, pstore
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V0.S4 // u += beta*c, one rounding
	VST1.P [V0.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V1.S4 // u += beta*c, one rounding
	VST1.P [V1.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V2.S4 // u += beta*c, one rounding
	VST1.P [V2.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V3.S4 // u += beta*c, one rounding
	VST1.P [V3.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V4.S4 // u += beta*c, one rounding
	VST1.P [V4.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V5.S4 // u += beta*c, one rounding
	VST1.P [V5.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V6.S4 // u += beta*c, one rounding
	VST1.P [V6.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V7.S4 // u += beta*c, one rounding
	VST1.P [V7.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V8.S4 // u += beta*c, one rounding
	VST1.P [V8.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V9.S4 // u += beta*c, one rounding
	VST1.P [V9.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V10.S4 // u += beta*c, one rounding
	VST1.P [V10.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V11.S4 // u += beta*c, one rounding
	VST1.P [V11.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V12.S4 // u += beta*c, one rounding
	VST1.P [V12.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V13.S4 // u += beta*c, one rounding
	VST1.P [V13.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VLD1   (R23), [V18.S4]
	VFMLA  V17.S4, V18.S4, V14.S4 // u += beta*c, one rounding
	VST1.P [V14.S4], 16(R23)
	B    padvance
pstore:
	VST1.P [V0.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V1.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V2.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V3.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V4.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V5.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V6.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V7.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V8.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V9.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V10.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V11.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V12.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V13.S4], 16(R23)
	SUBS $1, R25
	BEQ  padvance
	VST1.P [V14.S4], 16(R23)
padvance:
	ADD  R8, R7
	ADD  $256, R6 // bitsNR floats
	ADD  R2, R1
	SUBS $1, R0
	BNE  prow
ret:
	RET
