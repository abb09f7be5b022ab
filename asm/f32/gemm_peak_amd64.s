//go:build amd64 && gc && !purego

// Routines used only by the tests and benchmarks of the products (the
// linker drops them from every program, which never calls them): the
// register-only FMA peak loops and the hardware FMA reference of fma32.

#include "textflag.h"

// func fmaPeakAVX2(iters int)
// Register-only FMA loop: 10 independent accumulators, 20 ymm FMAs (320 flops) per iteration.
TEXT ·fmaPeakAVX2(SB), NOSPLIT, $0-8
	MOVQ   iters+0(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

peak:
	VFMADD231PS Y14, Y15, Y0
	VFMADD231PS Y14, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VFMADD231PS Y14, Y15, Y3
	VFMADD231PS Y14, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VFMADD231PS Y14, Y15, Y6
	VFMADD231PS Y14, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VFMADD231PS Y14, Y15, Y9
	VFMADD231PS Y14, Y15, Y0
	VFMADD231PS Y14, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VFMADD231PS Y14, Y15, Y3
	VFMADD231PS Y14, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VFMADD231PS Y14, Y15, Y6
	VFMADD231PS Y14, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VFMADD231PS Y14, Y15, Y9
	DECQ        CX
	JNZ         peak
	VZEROUPPER
	RET

// func fmaPeakAVX512(iters int)
// Register-only FMA loop: 12 independent accumulators, 24 zmm FMAs (768 flops) per iteration.
TEXT ·fmaPeakAVX512(SB), NOSPLIT, $0-8
	MOVQ    iters+0(FP), CX
	VPXORD  Z0, Z0, Z0
	VPXORD  Z1, Z1, Z1
	VPXORD  Z2, Z2, Z2
	VPXORD  Z3, Z3, Z3
	VPXORD  Z4, Z4, Z4
	VPXORD  Z5, Z5, Z5
	VPXORD  Z6, Z6, Z6
	VPXORD  Z7, Z7, Z7
	VPXORD  Z8, Z8, Z8
	VPXORD  Z9, Z9, Z9
	VPXORD  Z10, Z10, Z10
	VPXORD  Z11, Z11, Z11
	VPXORD  Z30, Z30, Z30
	VPXORD  Z31, Z31, Z31

peak512:
	VFMADD231PS Z30, Z31, Z0
	VFMADD231PS Z30, Z31, Z1
	VFMADD231PS Z30, Z31, Z2
	VFMADD231PS Z30, Z31, Z3
	VFMADD231PS Z30, Z31, Z4
	VFMADD231PS Z30, Z31, Z5
	VFMADD231PS Z30, Z31, Z6
	VFMADD231PS Z30, Z31, Z7
	VFMADD231PS Z30, Z31, Z8
	VFMADD231PS Z30, Z31, Z9
	VFMADD231PS Z30, Z31, Z10
	VFMADD231PS Z30, Z31, Z11
	VFMADD231PS Z30, Z31, Z0
	VFMADD231PS Z30, Z31, Z1
	VFMADD231PS Z30, Z31, Z2
	VFMADD231PS Z30, Z31, Z3
	VFMADD231PS Z30, Z31, Z4
	VFMADD231PS Z30, Z31, Z5
	VFMADD231PS Z30, Z31, Z6
	VFMADD231PS Z30, Z31, Z7
	VFMADD231PS Z30, Z31, Z8
	VFMADD231PS Z30, Z31, Z9
	VFMADD231PS Z30, Z31, Z10
	VFMADD231PS Z30, Z31, Z11
	DECQ        CX
	JNZ         peak512
	VZEROUPPER
	RET

// func fmaVecAVX2(dst, a, b, c *float32, n int)
// dst[i] = fma(a[i], b[i], c[i]) for i < n (n a multiple of 8), by VFMADD231PS ymm.
TEXT ·fmaVecAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ c+24(FP), BX
	MOVQ n+32(FP), CX
	SHRQ $3, CX
	JZ   vdone

vloop:
	VMOVUPS     (BX), Y0
	VMOVUPS     (SI), Y1
	VFMADD231PS (DX), Y1, Y0
	VMOVUPS     Y0, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, BX
	ADDQ        $32, DI
	DECQ        CX
	JNZ         vloop

vdone:
	VZEROUPPER
	RET

// func fmaVecAVX512(dst, a, b, c *float32, n int)
// dst[i] = fma(a[i], b[i], c[i]) for i < n (n a multiple of 16), by VFMADD231PS zmm.
TEXT ·fmaVecAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ c+24(FP), BX
	MOVQ n+32(FP), CX
	SHRQ $4, CX
	JZ   zdone

zloop:
	VMOVUPS     (BX), Z0
	VMOVUPS     (SI), Z1
	VFMADD231PS (DX), Z1, Z0
	VMOVUPS     Z0, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DX
	ADDQ        $64, BX
	ADDQ        $64, DI
	DECQ        CX
	JNZ         zloop

zdone:
	VZEROUPPER
	RET

// func fmaScalarFMA3(a, b, c float32) float32
// Returns fma(a, b, c) by VFMADD231SS.
TEXT ·fmaScalarFMA3(SB), NOSPLIT, $0-20
	MOVSS       c+8(FP), X0
	MOVSS       a+0(FP), X1
	MOVSS       b+4(FP), X2
	VFMADD231SS X2, X1, X0
	MOVSS       X0, ret+16(FP)
	RET
