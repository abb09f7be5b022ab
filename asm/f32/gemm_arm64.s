//go:build arm64 && gc && !purego

// NEON (ASIMD, mandatory on arm64) GEMM micro-kernel on the packed panels
// of gemm.go: 6x16 tile, accumulators V0..V23 (row i in V(4i)..V(4i+3)).
// Write-back as gemm.go's roundingContract: t = alpha*acc (FMUL), then
// c = t + beta*c in one FMLA (or c = t when beta == 0).

#include "textflag.h"

// func kernel6x16NEON(kb int, a, b, c *float32, ldc int, alpha, beta float32)
TEXT ·kernel6x16NEON(SB), NOSPLIT, $0-48
	MOVD kb+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD c+24(FP), R3
	MOVD ldc+32(FP), R4
	LSL  $2, R4
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
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	CBZ  R0, store

loop:
	VLD1.P  64(R2), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1R.P 4(R1), [V28.S4]
	VLD1R.P 4(R1), [V29.S4]
	VFMLA   V28.S4, V24.S4, V0.S4
	VFMLA   V28.S4, V25.S4, V1.S4
	VFMLA   V28.S4, V26.S4, V2.S4
	VFMLA   V28.S4, V27.S4, V3.S4
	VLD1R.P 4(R1), [V28.S4]
	VFMLA   V29.S4, V24.S4, V4.S4
	VFMLA   V29.S4, V25.S4, V5.S4
	VFMLA   V29.S4, V26.S4, V6.S4
	VFMLA   V29.S4, V27.S4, V7.S4
	VLD1R.P 4(R1), [V29.S4]
	VFMLA   V28.S4, V24.S4, V8.S4
	VFMLA   V28.S4, V25.S4, V9.S4
	VFMLA   V28.S4, V26.S4, V10.S4
	VFMLA   V28.S4, V27.S4, V11.S4
	VLD1R.P 4(R1), [V28.S4]
	VFMLA   V29.S4, V24.S4, V12.S4
	VFMLA   V29.S4, V25.S4, V13.S4
	VFMLA   V29.S4, V26.S4, V14.S4
	VFMLA   V29.S4, V27.S4, V15.S4
	VLD1R.P 4(R1), [V29.S4]
	VFMLA   V28.S4, V24.S4, V16.S4
	VFMLA   V28.S4, V25.S4, V17.S4
	VFMLA   V28.S4, V26.S4, V18.S4
	VFMLA   V28.S4, V27.S4, V19.S4
	VFMLA   V29.S4, V24.S4, V20.S4
	VFMLA   V29.S4, V25.S4, V21.S4
	VFMLA   V29.S4, V26.S4, V22.S4
	VFMLA   V29.S4, V27.S4, V23.S4
	SUBS    $1, R0
	BNE     loop

store:
	MOVD    $alpha+40(FP), R5
	VLD1R   (R5), [V30.S4]
	MOVD    $beta+44(FP), R5
	VLD1R   (R5), [V31.S4]
	MOVWU   beta+44(FP), R6
	LSLW    $1, R6          // drop the sign: -0 is zero too
	CBZW    R6, storezero
	MOVD    R3, R7
	VLD1    (R3), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD    $0x6e3edc1c // FMUL V28.4S, V0.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V24.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edc3c // FMUL V28.4S, V1.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V25.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edc5c // FMUL V28.4S, V2.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V26.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edc7c // FMUL V28.4S, V3.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V27.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	MOVD    R3, R7
	VLD1    (R3), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD    $0x6e3edc9c // FMUL V28.4S, V4.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V24.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edcbc // FMUL V28.4S, V5.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V25.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edcdc // FMUL V28.4S, V6.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V26.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edcfc // FMUL V28.4S, V7.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V27.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	MOVD    R3, R7
	VLD1    (R3), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD    $0x6e3edd1c // FMUL V28.4S, V8.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V24.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edd3c // FMUL V28.4S, V9.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V25.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edd5c // FMUL V28.4S, V10.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V26.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edd7c // FMUL V28.4S, V11.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V27.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	MOVD    R3, R7
	VLD1    (R3), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD    $0x6e3edd9c // FMUL V28.4S, V12.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V24.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3eddbc // FMUL V28.4S, V13.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V25.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edddc // FMUL V28.4S, V14.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V26.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3eddfc // FMUL V28.4S, V15.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V27.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	MOVD    R3, R7
	VLD1    (R3), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD    $0x6e3ede1c // FMUL V28.4S, V16.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V24.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3ede3c // FMUL V28.4S, V17.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V25.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3ede5c // FMUL V28.4S, V18.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V26.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3ede7c // FMUL V28.4S, V19.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V27.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	MOVD    R3, R7
	VLD1    (R3), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD    $0x6e3ede9c // FMUL V28.4S, V20.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V24.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edebc // FMUL V28.4S, V21.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V25.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3ededc // FMUL V28.4S, V22.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V26.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edefc // FMUL V28.4S, V23.4S, V30.4S: t = alpha*acc
	VFMLA   V31.S4, V27.S4, V28.S4 // t += beta*c, one rounding
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	RET

storezero:
	MOVD    R3, R7
	WORD    $0x6e3edc1c // FMUL V28.4S, V0.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edc3c // FMUL V28.4S, V1.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edc5c // FMUL V28.4S, V2.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edc7c // FMUL V28.4S, V3.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	MOVD    R3, R7
	WORD    $0x6e3edc9c // FMUL V28.4S, V4.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edcbc // FMUL V28.4S, V5.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edcdc // FMUL V28.4S, V6.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edcfc // FMUL V28.4S, V7.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	MOVD    R3, R7
	WORD    $0x6e3edd1c // FMUL V28.4S, V8.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edd3c // FMUL V28.4S, V9.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edd5c // FMUL V28.4S, V10.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edd7c // FMUL V28.4S, V11.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	MOVD    R3, R7
	WORD    $0x6e3edd9c // FMUL V28.4S, V12.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3eddbc // FMUL V28.4S, V13.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edddc // FMUL V28.4S, V14.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3eddfc // FMUL V28.4S, V15.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	MOVD    R3, R7
	WORD    $0x6e3ede1c // FMUL V28.4S, V16.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3ede3c // FMUL V28.4S, V17.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3ede5c // FMUL V28.4S, V18.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3ede7c // FMUL V28.4S, V19.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	MOVD    R3, R7
	WORD    $0x6e3ede9c // FMUL V28.4S, V20.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edebc // FMUL V28.4S, V21.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3ededc // FMUL V28.4S, V22.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	WORD    $0x6e3edefc // FMUL V28.4S, V23.4S, V30.4S: t = alpha*acc
	VST1.P  [V28.S4], 16(R7)
	ADD     R4, R3
	RET
