//go:build amd64 && gc && !purego

// Lane-parallel xoshiro256++: 8 streams in two groups of four 64-bit lanes.
// Requires AVX2 (checked by the caller through useAVX2).

#include "textflag.h"

DATA randc<>+0(SB)/4, $5.9604644775390625e-08 // 2^-24
DATA randc<>+4(SB)/4, $1.0
GLOBL randc<>(SB), RODATA|NOPTR, $8

// XSTEP advances four lanes (state words s0..s3) and leaves their 8
// uniforms in out: dword 2l (2l+1) from the low (high) half of lane l.
#define XSTEP(s0, s1, s2, s3, out, t1, t2) \
	VPADDQ    s3, s0, out;  \
	VPSLLQ    $23, out, t1; \
	VPSRLQ    $41, out, out; \
	VPOR      t1, out, out; \
	VPADDQ    s0, out, out; \
	VPSLLQ    $17, s1, t1;  \
	VPXOR     s0, s2, s2;   \
	VPXOR     s1, s3, s3;   \
	VPXOR     s2, s1, s1;   \
	VPXOR     s3, s0, s0;   \
	VPXOR     t1, s2, s2;   \
	VPSLLQ    $45, s3, t2;  \
	VPSRLQ    $19, s3, s3;  \
	VPOR      t2, s3, s3;   \
	VPSRLD    $8, out, out; \
	VCVTDQ2PS out, out;     \
	VMULPS    Y14, out, out

#define STEP \
	XSTEP(Y0, Y2, Y4, Y6, Y8, Y9, Y10); \
	XSTEP(Y1, Y3, Y5, Y7, Y11, Y12, Y13)

#define LOADSTATE(r) \
	VMOVDQU 0(r), Y0;   \
	VMOVDQU 32(r), Y1;  \
	VMOVDQU 64(r), Y2;  \
	VMOVDQU 96(r), Y3;  \
	VMOVDQU 128(r), Y4; \
	VMOVDQU 160(r), Y5; \
	VMOVDQU 192(r), Y6; \
	VMOVDQU 224(r), Y7

#define SAVESTATE(r) \
	VMOVDQU Y0, 0(r);   \
	VMOVDQU Y1, 32(r);  \
	VMOVDQU Y2, 64(r);  \
	VMOVDQU Y3, 96(r);  \
	VMOVDQU Y4, 128(r); \
	VMOVDQU Y5, 160(r); \
	VMOVDQU Y6, 192(r); \
	VMOVDQU Y7, 224(r)

// Tail masks: Y9 for the first min(r,8) lanes, Y12 for the next r-8
// (r in R11, 0 < r < 16); clobbers AX, BX, DX.
#define TAILMASKS \
	MOVQ    R11, AX;                     \
	CMPQ    AX, $8;                      \
	JLE     2(PC);                       \
	MOVQ    $8, AX;                      \
	MOVQ    R11, DX;                     \
	SUBQ    AX, DX;                      \
	NEGQ    AX;                          \
	NEGQ    DX;                          \
	LEAQ    randmask<>+32(SB), BX;       \
	VMOVDQU (BX)(AX*4), Y9;              \
	VMOVDQU (BX)(DX*4), Y12

DATA randmask<>+0(SB)/8, $-1
DATA randmask<>+8(SB)/8, $-1
DATA randmask<>+16(SB)/8, $-1
DATA randmask<>+24(SB)/8, $-1
DATA randmask<>+32(SB)/8, $0
DATA randmask<>+40(SB)/8, $0
DATA randmask<>+48(SB)/8, $0
DATA randmask<>+56(SB)/8, $0
GLOBL randmask<>(SB), RODATA|NOPTR, $64

// func randAVX2(s *[4][Lanes]uint64, dst, p *float32, n int, mode int)
TEXT ·randAVX2(SB), NOSPLIT, $0-40
	MOVQ s+0(FP), R8
	MOVQ dst+8(FP), DI
	MOVQ p+16(FP), SI
	MOVQ n+24(FP), R11
	MOVQ mode+32(FP), R10
	LOADSTATE(R8)
	VBROADCASTSS randc<>+0(SB), Y14
	VBROADCASTSS randc<>+4(SB), Y15
	MOVQ R11, CX
	SHRQ $4, CX
	ANDQ $15, R11
	TESTQ CX, CX
	JZ   rtail

rloop:
	STEP
	TESTQ  R10, R10
	JZ     runiform
	VCMPPS $1, (SI), Y8, Y8
	VCMPPS $1, 32(SI), Y11, Y11
	VANDPS Y15, Y8, Y8
	VANDPS Y15, Y11, Y11
	ADDQ   $64, SI

runiform:
	VMOVUPS Y8, (DI)
	VMOVUPS Y11, 32(DI)
	ADDQ $64, DI
	DECQ CX
	JNZ  rloop

rtail:
	TESTQ R11, R11
	JZ    rdone
	STEP
	TAILMASKS
	TESTQ R10, R10
	JZ    rutail
	VMASKMOVPS (SI), Y9, Y10
	VMASKMOVPS 32(SI), Y12, Y13
	VCMPPS $1, Y10, Y8, Y8
	VCMPPS $1, Y13, Y11, Y11
	VANDPS Y15, Y8, Y8
	VANDPS Y15, Y11, Y11

rutail:
	VMASKMOVPS Y8, Y9, (DI)
	VMASKMOVPS Y11, Y12, 32(DI)

rdone:
	SAVESTATE(R8)
	VZEROUPPER
	RET

// func randBitsAVX2(s *[4][Lanes]uint64, dst *uint64, p *float32, n int)
TEXT ·randBitsAVX2(SB), NOSPLIT, $0-32
	MOVQ s+0(FP), R8
	MOVQ dst+8(FP), DI
	MOVQ p+16(FP), SI
	MOVQ n+24(FP), R11
	LOADSTATE(R8)
	VBROADCASTSS randc<>+0(SB), Y14
	MOVQ R11, R9
	SHRQ $4, R9      // full steps
	ANDQ $15, R11    // leftover elements
	XORQ R10, R10    // word being assembled
	XORQ CX, CX      // its next bit position
	TESTQ R9, R9
	JZ   btail

bloop:
	STEP
	VCMPPS    $1, (SI), Y8, Y8
	VCMPPS    $1, 32(SI), Y11, Y11
	VMOVMSKPS Y8, AX
	VMOVMSKPS Y11, DX
	SHLQ $8, DX
	ORQ  DX, AX
	SHLQ CX, AX
	ORQ  AX, R10
	ADDQ $64, SI
	ADDQ $16, CX
	CMPQ CX, $64
	JNE  bnext
	MOVQ R10, (DI)
	ADDQ $8, DI
	XORQ R10, R10
	XORQ CX, CX

bnext:
	DECQ R9
	JNZ  bloop

btail:
	TESTQ R11, R11
	JZ    bflush
	STEP
	TAILMASKS
	// Masked-off lanes load p = 0, and u < 0 never holds.
	VMASKMOVPS (SI), Y9, Y10
	VMASKMOVPS 32(SI), Y12, Y13
	VCMPPS    $1, Y10, Y8, Y8
	VCMPPS    $1, Y13, Y11, Y11
	VMOVMSKPS Y8, AX
	VMOVMSKPS Y11, DX
	SHLQ $8, DX
	ORQ  DX, AX
	SHLQ CX, AX
	ORQ  AX, R10
	ADDQ $16, CX

bflush:
	TESTQ CX, CX
	JZ    bdone
	MOVQ  R10, (DI)

bdone:
	SAVESTATE(R8)
	VZEROUPPER
	RET
