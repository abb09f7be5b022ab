//go:build amd64 && gc && !purego

// Elementwise kernels: sigmoid (vectorized exp), reductions, parameter
// updates. Requires AVX2 and FMA (checked by the caller through useAVX2).

#include "textflag.h"

DATA sigc<>+0(SB)/4, $0x7fffffff   // abs mask
DATA sigc<>+4(SB)/4, $110.0        // clamp of |x|: exp(-110) rounds to 0 in float32
DATA sigc<>+8(SB)/4, $1.44269504088896341  // log2(e)
DATA sigc<>+12(SB)/4, $0.693359375     // ln2 high part (Cephes C1)
DATA sigc<>+16(SB)/4, $-2.12194440e-4  // ln2 low part (Cephes C2)
DATA sigc<>+20(SB)/4, $1.0
DATA sigc<>+24(SB)/4, $127             // float32 exponent bias (integer)
DATA sigc<>+28(SB)/4, $1.9875691500e-4 // Cephes expf polynomial, highest first
DATA sigc<>+32(SB)/4, $1.3981999507e-3
DATA sigc<>+36(SB)/4, $8.3334519073e-3
DATA sigc<>+40(SB)/4, $4.1665795894e-2
DATA sigc<>+44(SB)/4, $1.6666665459e-1
DATA sigc<>+48(SB)/4, $5.0000001201e-1
DATA sigc<>+52(SB)/4, $0x80000000  // sign mask
GLOBL sigc<>(SB), RODATA|NOPTR, $56

// tailmask<>+4*(8-r) holds r words of all ones followed by zeros.
DATA tailmask<>+0(SB)/4, $-1
DATA tailmask<>+4(SB)/4, $-1
DATA tailmask<>+8(SB)/4, $-1
DATA tailmask<>+12(SB)/4, $-1
DATA tailmask<>+16(SB)/4, $-1
DATA tailmask<>+20(SB)/4, $-1
DATA tailmask<>+24(SB)/4, $-1
DATA tailmask<>+28(SB)/4, $-1
DATA tailmask<>+32(SB)/4, $0
DATA tailmask<>+36(SB)/4, $0
DATA tailmask<>+40(SB)/4, $0
DATA tailmask<>+44(SB)/4, $0
DATA tailmask<>+48(SB)/4, $0
DATA tailmask<>+52(SB)/4, $0
DATA tailmask<>+56(SB)/4, $0
DATA tailmask<>+60(SB)/4, $0
GLOBL tailmask<>(SB), RODATA|NOPTR, $64

// SIGMOID replaces Y0 (x) by 1/(1+exp(-x)); clobbers Y1..Y6. Needs
// Y8 = abs mask, Y9 = 110, Y10 = log2e, Y11 = C1, Y12 = C2, Y13 = 1,
// Y14 = 127 (int32).
// e = exp(-|x|) = 2^-n * P(r), n = round(|x| log2e), r = n ln2 - |x|,
// 2^-n applied as two exact normal factors so that subnormal results are
// rounded once; then sigmoid = (x < 0 ? e : 1) / (1 + e) (a true division,
// so that the result is exactly 1 once e < 2^-25); NaN passed through.
#define SIGMOID \
	VANDPS       Y8, Y0, Y1;             \
	VMINPS       Y9, Y1, Y1;             \
	VMULPS       Y10, Y1, Y2;            \
	VROUNDPS     $0, Y2, Y2;             \
	VFMSUB231PS  Y11, Y2, Y1;            \
	VFMADD231PS  Y12, Y2, Y1;            \
	VBROADCASTSS sigc<>+28(SB), Y3;      \
	VBROADCASTSS sigc<>+32(SB), Y4;      \
	VFMADD213PS  Y4, Y1, Y3;             \
	VBROADCASTSS sigc<>+36(SB), Y4;      \
	VFMADD213PS  Y4, Y1, Y3;             \
	VBROADCASTSS sigc<>+40(SB), Y4;      \
	VFMADD213PS  Y4, Y1, Y3;             \
	VBROADCASTSS sigc<>+44(SB), Y4;      \
	VFMADD213PS  Y4, Y1, Y3;             \
	VBROADCASTSS sigc<>+48(SB), Y4;      \
	VFMADD213PS  Y4, Y1, Y3;             \
	VMULPS       Y1, Y1, Y4;             \
	VFMADD213PS  Y1, Y4, Y3;             \
	VADDPS       Y13, Y3, Y3;            \
	VCVTPS2DQ    Y2, Y2;                 \
	VPSRLD       $1, Y2, Y4;             \
	VPSUBD       Y4, Y2, Y2;             \
	VPSUBD       Y4, Y14, Y4;            \
	VPSUBD       Y2, Y14, Y2;            \
	VPSLLD       $23, Y4, Y4;            \
	VPSLLD       $23, Y2, Y2;            \
	VMULPS       Y4, Y3, Y3;             \
	VMULPS       Y2, Y3, Y3;             \
	VADDPS       Y13, Y3, Y4;            \
	VBLENDVPS    Y0, Y3, Y13, Y5;        \
	VDIVPS       Y4, Y5, Y5;             \
	VCMPPS       $3, Y0, Y0, Y6;         \
	VBLENDVPS    Y6, Y0, Y5, Y0

// func sigmoidBiasAVX2(dst *float32, ldd int, x *float32, ldx int, rows, cols int, bias *float32)
TEXT ·sigmoidBiasAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	MOVQ x+16(FP), SI
	MOVQ ldx+24(FP), R9
	MOVQ rows+32(FP), R10
	MOVQ cols+40(FP), R11
	MOVQ bias+48(FP), R12
	SHLQ $2, R8
	SHLQ $2, R9
	VBROADCASTSS sigc<>+0(SB), Y8
	VBROADCASTSS sigc<>+4(SB), Y9
	VBROADCASTSS sigc<>+8(SB), Y10
	VBROADCASTSS sigc<>+12(SB), Y11
	VBROADCASTSS sigc<>+16(SB), Y12
	VBROADCASTSS sigc<>+20(SB), Y13
	VPBROADCASTD sigc<>+24(SB), Y14
	// Tail mask for cols%8.
	MOVQ R11, AX
	ANDQ $7, AX
	NEGQ AX
	LEAQ tailmask<>+32(SB), BX
	VMOVDQU (BX)(AX*4), Y15
	TESTQ R10, R10
	JZ   sdone

srow:
	MOVQ SI, AX   // x cursor
	MOVQ DI, BX   // dst cursor
	MOVQ R12, DX  // bias cursor
	MOVQ R11, CX
	SHRQ $3, CX
	JZ   stail

sloop:
	VMOVUPS (AX), Y0
	TESTQ   DX, DX
	JZ      snobias
	VADDPS  (DX), Y0, Y0
	ADDQ    $32, DX

snobias:
	SIGMOID
	VMOVUPS Y0, (BX)
	ADDQ    $32, AX
	ADDQ    $32, BX
	DECQ    CX
	JNZ     sloop

stail:
	TESTQ $7, R11
	JZ    snext
	VMASKMOVPS (AX), Y15, Y0
	TESTQ DX, DX
	JZ    snobias2
	VMASKMOVPS (DX), Y15, Y1
	VADDPS     Y1, Y0, Y0

snobias2:
	SIGMOID
	VMASKMOVPS Y0, Y15, (BX)

snext:
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ R10
	JNZ  srow

sdone:
	VZEROUPPER
	RET

// func dotAVX2(a, b *float32, n int) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ CX, BX
	SHRQ $5, BX
	JZ   d8

d32:
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	DECQ BX
	JNZ  d32

d8:
	MOVQ CX, BX
	ANDQ $31, BX
	SHRQ $3, BX
	JZ   dtail

d8loop:
	VMOVUPS     (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ BX
	JNZ  d8loop

dtail:
	ANDQ $7, CX
	JZ   dsum
	NEGQ CX
	LEAQ tailmask<>+32(SB), BX
	VMOVDQU    (BX)(CX*4), Y7
	VMASKMOVPS (SI), Y7, Y4
	VMASKMOVPS (DI), Y7, Y5
	VFMADD231PS Y5, Y4, Y1

dsum:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS  X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS  X0, ret+24(FP)
	VZEROUPPER
	RET

// func squaredDiffSumAVX2(a, b *float32, n int) float64
TEXT ·squaredDiffSumAVX2(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ CX, BX
	SHRQ $4, BX
	JZ   q1

q16:
	VCVTPS2PD   (SI), Y4
	VCVTPS2PD   (DI), Y5
	VSUBPD      Y5, Y4, Y4
	VFMADD231PD Y4, Y4, Y0
	VCVTPS2PD   16(SI), Y6
	VCVTPS2PD   16(DI), Y7
	VSUBPD      Y7, Y6, Y6
	VFMADD231PD Y6, Y6, Y1
	VCVTPS2PD   32(SI), Y4
	VCVTPS2PD   32(DI), Y5
	VSUBPD      Y5, Y4, Y4
	VFMADD231PD Y4, Y4, Y2
	VCVTPS2PD   48(SI), Y6
	VCVTPS2PD   48(DI), Y7
	VSUBPD      Y7, Y6, Y6
	VFMADD231PD Y6, Y6, Y3
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ BX
	JNZ  q16

q1:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD  X1, X0, X0
	VHADDPD X0, X0, X0
	ANDQ $15, CX
	JZ   qdone

q1loop:
	VCVTSS2SD   (SI), X4, X4
	VCVTSS2SD   (DI), X5, X5
	VSUBSD      X5, X4, X4
	VFMADD231SD X4, X4, X0
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JNZ  q1loop

qdone:
	VMOVSD X0, ret+24(FP)
	VZEROUPPER
	RET

// func colSumsAVX2(dst, a *float32, m, n, lda int, alpha, beta float32)
TEXT ·colSumsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ m+16(FP), R10
	MOVQ n+24(FP), R11
	MOVQ lda+32(FP), R8
	SHLQ $2, R8
	VBROADCASTSS alpha+40(FP), Y14
	VBROADCASTSS beta+44(FP), Y15
	MOVL beta+44(FP), R12
	SHLL $1, R12          // zero (either sign) means overwrite

cblock32:
	CMPQ R11, $32
	JLT  cblock8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ SI, AX
	MOVQ R10, CX

crow32:
	VADDPS (AX), Y0, Y0
	VADDPS 32(AX), Y1, Y1
	VADDPS 64(AX), Y2, Y2
	VADDPS 96(AX), Y3, Y3
	ADDQ R8, AX
	DECQ CX
	JNZ  crow32
	VMULPS Y14, Y0, Y0
	VMULPS Y14, Y1, Y1
	VMULPS Y14, Y2, Y2
	VMULPS Y14, Y3, Y3
	TESTL R12, R12
	JZ    cstore32
	VFMADD231PS (DI), Y15, Y0
	VFMADD231PS 32(DI), Y15, Y1
	VFMADD231PS 64(DI), Y15, Y2
	VFMADD231PS 96(DI), Y15, Y3

cstore32:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, R11
	JMP  cblock32

cblock8:
	TESTQ R11, R11
	JZ    cdone
	// Mask: all ones for a full block of 8, else the first n%8 lanes.
	MOVQ R11, AX
	CMPQ AX, $8
	JLT  cmask
	MOVQ $8, AX

cmask:
	NEGQ AX
	LEAQ tailmask<>+32(SB), BX
	VMOVDQU (BX)(AX*4), Y13
	VXORPS Y0, Y0, Y0
	MOVQ SI, AX
	MOVQ R10, CX

crow8:
	VMASKMOVPS (AX), Y13, Y1
	VADDPS     Y1, Y0, Y0
	ADDQ R8, AX
	DECQ CX
	JNZ  crow8
	VMULPS Y14, Y0, Y0
	TESTL R12, R12
	JZ    cstore8
	VMASKMOVPS  (DI), Y13, Y1
	VFMADD231PS Y1, Y15, Y0

cstore8:
	VMASKMOVPS Y0, Y13, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, R11
	JG   cblock8

cdone:
	VZEROUPPER
	RET

// UPDATE8 updates 8 weights from Y0 (w), Y1 (vel), Y2 (grad):
//   vel = momentum*vel + lr*(grad - l2*w - l1*sign(w)); y = w + vel;
//   proximal (R9 != 0, l1 term off): w = y - min(max(y, -t), t), else w = y.
// Needs Y10 = lr, Y11 = momentum, Y12 = l1 (0 when proximal), Y13 = l2,
// Y14 = t = lr*l1, Y15 = -t, Y9 = 1.0, Y8 = sign mask, Y7 = 0.
#define UPDATE8 \
	VANDPS       Y8, Y0, Y3;    \
	VORPS        Y9, Y3, Y3;    \
	VCMPPS       $4, Y7, Y0, Y4; \
	VANDPS       Y4, Y3, Y3;    \
	VFNMADD231PS Y13, Y0, Y2;   \
	VFNMADD231PS Y12, Y3, Y2;   \
	VMULPS       Y11, Y1, Y1;   \
	VFMADD231PS  Y10, Y2, Y1;   \
	VADDPS       Y1, Y0, Y0;    \
	TESTQ        R9, R9;        \
	JZ           4(PC);         \
	VMAXPS       Y0, Y15, Y3;   \
	VMINPS       Y3, Y14, Y3;   \
	VSUBPS       Y3, Y0, Y0

// func updateAVX2(w, vel, grad *float32, n int, lr, momentum, l1, l2 float32, proximal bool)
TEXT ·updateAVX2(SB), NOSPLIT, $0-49
	MOVQ w+0(FP), DI
	MOVQ vel+8(FP), SI
	MOVQ grad+16(FP), DX
	MOVQ n+24(FP), CX
	MOVBQZX proximal+48(FP), R9
	VBROADCASTSS lr+32(FP), Y10
	VBROADCASTSS momentum+36(FP), Y11
	VBROADCASTSS l1+40(FP), Y12
	VBROADCASTSS l2+44(FP), Y13
	VMULPS       Y12, Y10, Y14
	VBROADCASTSS sigc<>+52(SB), Y8
	VXORPS       Y8, Y14, Y15
	VBROADCASTSS sigc<>+20(SB), Y9
	VXORPS       Y7, Y7, Y7
	TESTQ R9, R9
	JZ    ustart
	VXORPS Y12, Y12, Y12

ustart:
	MOVQ CX, BX
	SHRQ $3, BX
	JZ   utail

uloop:
	VMOVUPS (DI), Y0
	VMOVUPS (SI), Y1
	VMOVUPS (DX), Y2
	UPDATE8
	VMOVUPS Y1, (SI)
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ BX
	JNZ  uloop

utail:
	ANDQ $7, CX
	JZ   udone
	NEGQ CX
	LEAQ tailmask<>+32(SB), BX
	VMOVDQU    (BX)(CX*4), Y6
	VMASKMOVPS (DI), Y6, Y0
	VMASKMOVPS (SI), Y6, Y1
	VMASKMOVPS (DX), Y6, Y2
	UPDATE8
	VMASKMOVPS Y1, Y6, (SI)
	VMASKMOVPS Y0, Y6, (DI)

udone:
	VZEROUPPER
	RET

// Odd powers of the atanh series, highest first: 1/15, 1/13, ..., 1/3, 1.
DATA atanhc<>+0(SB)/4, $0.0666666666666666667
DATA atanhc<>+4(SB)/4, $0.0769230769230769231
DATA atanhc<>+8(SB)/4, $0.0909090909090909091
DATA atanhc<>+12(SB)/4, $0.111111111111111111
DATA atanhc<>+16(SB)/4, $0.142857142857142857
DATA atanhc<>+20(SB)/4, $0.2
DATA atanhc<>+24(SB)/4, $0.333333333333333333
DATA atanhc<>+28(SB)/4, $1.0
GLOBL atanhc<>(SB), RODATA|NOPTR, $32

// SOFTPLUS replaces Y6 by softplus(Y0) = max(x,0) + log1p(exp(-|x|)),
// log1p(e) = 2 atanh(e/(2+e)) by its odd series (e/(2+e) <= 1/3);
// clobbers Y1..Y5. Constants as for SIGMOID, Y7 = 0.
#define SOFTPLUS \
	VANDPS       Y8, Y0, Y1;             \
	VMINPS       Y9, Y1, Y1;             \
	VMULPS       Y10, Y1, Y2;            \
	VROUNDPS     $0, Y2, Y2;             \
	VFMSUB231PS  Y11, Y2, Y1;            \
	VFMADD231PS  Y12, Y2, Y1;            \
	VBROADCASTSS sigc<>+28(SB), Y3;      \
	VBROADCASTSS sigc<>+32(SB), Y4;      \
	VFMADD213PS  Y4, Y1, Y3;             \
	VBROADCASTSS sigc<>+36(SB), Y4;      \
	VFMADD213PS  Y4, Y1, Y3;             \
	VBROADCASTSS sigc<>+40(SB), Y4;      \
	VFMADD213PS  Y4, Y1, Y3;             \
	VBROADCASTSS sigc<>+44(SB), Y4;      \
	VFMADD213PS  Y4, Y1, Y3;             \
	VBROADCASTSS sigc<>+48(SB), Y4;      \
	VFMADD213PS  Y4, Y1, Y3;             \
	VMULPS       Y1, Y1, Y4;             \
	VFMADD213PS  Y1, Y4, Y3;             \
	VADDPS       Y13, Y3, Y3;            \
	VCVTPS2DQ    Y2, Y2;                 \
	VPSRLD       $1, Y2, Y4;             \
	VPSUBD       Y4, Y2, Y2;             \
	VPSUBD       Y4, Y14, Y4;            \
	VPSUBD       Y2, Y14, Y2;            \
	VPSLLD       $23, Y4, Y4;            \
	VPSLLD       $23, Y2, Y2;            \
	VMULPS       Y4, Y3, Y3;             \
	VMULPS       Y2, Y3, Y3;             \
	VADDPS       Y13, Y3, Y4;            \
	VADDPS       Y13, Y4, Y4;            \
	VDIVPS       Y4, Y3, Y4;             \
	VMULPS       Y4, Y4, Y5;             \
	VBROADCASTSS atanhc<>+0(SB), Y6;     \
	VBROADCASTSS atanhc<>+4(SB), Y1;     \
	VFMADD213PS  Y1, Y5, Y6;             \
	VBROADCASTSS atanhc<>+8(SB), Y1;     \
	VFMADD213PS  Y1, Y5, Y6;             \
	VBROADCASTSS atanhc<>+12(SB), Y1;    \
	VFMADD213PS  Y1, Y5, Y6;             \
	VBROADCASTSS atanhc<>+16(SB), Y1;    \
	VFMADD213PS  Y1, Y5, Y6;             \
	VBROADCASTSS atanhc<>+20(SB), Y1;    \
	VFMADD213PS  Y1, Y5, Y6;             \
	VBROADCASTSS atanhc<>+24(SB), Y1;    \
	VFMADD213PS  Y1, Y5, Y6;             \
	VBROADCASTSS atanhc<>+28(SB), Y1;    \
	VFMADD213PS  Y1, Y5, Y6;             \
	VMULPS       Y4, Y6, Y6;             \
	VADDPS       Y6, Y6, Y6;             \
	VMAXPS       Y0, Y7, Y1;             \
	VADDPS       Y1, Y6, Y6

// Accumulate the 8 floats of Y6 into the 4 doubles of Y15 (clobbers Y5, Y6).
#define ACC8 \
	VEXTRACTF128 $1, Y6, X5; \
	VCVTPS2PD    X6, Y6;     \
	VCVTPS2PD    X5, Y5;     \
	VADDPD       Y6, Y15, Y15; \
	VADDPD       Y5, Y15, Y15

// func softplusSumAVX2(x *float32, n int, bias *float32) float64
TEXT ·softplusSumAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ bias+16(FP), DX
	VBROADCASTSS sigc<>+0(SB), Y8
	VBROADCASTSS sigc<>+4(SB), Y9
	VBROADCASTSS sigc<>+8(SB), Y10
	VBROADCASTSS sigc<>+12(SB), Y11
	VBROADCASTSS sigc<>+16(SB), Y12
	VBROADCASTSS sigc<>+20(SB), Y13
	VPBROADCASTD sigc<>+24(SB), Y14
	VXORPS Y7, Y7, Y7
	VXORPD Y15, Y15, Y15
	MOVQ CX, R9
	SHRQ $3, R9
	JZ   sptail

sploop:
	VMOVUPS (SI), Y0
	TESTQ   DX, DX
	JZ      spnobias
	VADDPS  (DX), Y0, Y0
	ADDQ    $32, DX

spnobias:
	SOFTPLUS
	ACC8
	ADDQ $32, SI
	DECQ R9
	JNZ  sploop

sptail:
	ANDQ $7, CX
	JZ   spsum
	NEGQ CX
	LEAQ tailmask<>+32(SB), BX
	VMOVDQU    (BX)(CX*4), Y1
	VMASKMOVPS (SI), Y1, Y0
	TESTQ DX, DX
	JZ    spnobias2
	VMASKMOVPS (DX), Y1, Y2
	VADDPS     Y2, Y0, Y0

spnobias2:
	SOFTPLUS
	VMOVDQU (BX)(CX*4), Y1
	VANDPS  Y1, Y6, Y6
	ACC8

spsum:
	VEXTRACTF128 $1, Y15, X0
	VADDPD  X15, X0, X0
	VHADDPD X0, X0, X0
	VMOVSD  X0, ret+24(FP)
	VZEROUPPER
	RET
