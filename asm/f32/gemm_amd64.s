//go:build amd64 && gc && !purego

// Packing routines of the products (the micro-kernels are generated:
// gemm_kernels_amd64.s). Requires AVX2 (checked by the caller).

#include "textflag.h"

// Transpose the 8x8 block in Y0..Y7 (row r in Yr) into Y8..Y15 (column c
// in Y(8+c)).
#define TRANSPOSE8 \
	VUNPCKLPS  Y1, Y0, Y8;          \
	VUNPCKHPS  Y1, Y0, Y9;          \
	VUNPCKLPS  Y3, Y2, Y10;         \
	VUNPCKHPS  Y3, Y2, Y11;         \
	VUNPCKLPS  Y5, Y4, Y12;         \
	VUNPCKHPS  Y5, Y4, Y13;         \
	VUNPCKLPS  Y7, Y6, Y14;         \
	VUNPCKHPS  Y7, Y6, Y15;         \
	VSHUFPS    $0x44, Y10, Y8, Y0;  \
	VSHUFPS    $0xEE, Y10, Y8, Y1;  \
	VSHUFPS    $0x44, Y11, Y9, Y2;  \
	VSHUFPS    $0xEE, Y11, Y9, Y3;  \
	VSHUFPS    $0x44, Y14, Y12, Y4; \
	VSHUFPS    $0xEE, Y14, Y12, Y5; \
	VSHUFPS    $0x44, Y15, Y13, Y6; \
	VSHUFPS    $0xEE, Y15, Y13, Y7; \
	VPERM2F128 $0x20, Y4, Y0, Y8;   \
	VPERM2F128 $0x20, Y5, Y1, Y9;   \
	VPERM2F128 $0x20, Y6, Y2, Y10;  \
	VPERM2F128 $0x20, Y7, Y3, Y11;  \
	VPERM2F128 $0x31, Y4, Y0, Y12;  \
	VPERM2F128 $0x31, Y5, Y1, Y13;  \
	VPERM2F128 $0x31, Y6, Y2, Y14;  \
	VPERM2F128 $0x31, Y7, Y3, Y15

// Load 8 floats from each of the rows at base0 (rows 0,1,2,4 through
// R8 = stride) and base3 = base0 + 3*stride (rows 3,5,6,7, R9 = 3*stride).
#define LOAD8ROWS(b0, b3, off) \
	VMOVUPS off(b0), Y0;        \
	VMOVUPS off(b0)(R8*1), Y1;  \
	VMOVUPS off(b0)(R8*2), Y2;  \
	VMOVUPS off(b3), Y3;        \
	VMOVUPS off(b0)(R8*4), Y4;  \
	VMOVUPS off(b3)(R8*2), Y5;  \
	VMOVUPS off(b3)(R9*1), Y6;  \
	VMOVUPS off(b3)(R8*4), Y7

#define STORE8COLS(off) \
	VMOVUPS Y8, off(DI);      \
	VMOVUPS Y9, off+64(DI);   \
	VMOVUPS Y10, off+128(DI); \
	VMOVUPS Y11, off+192(DI); \
	VMOVUPS Y12, off+256(DI); \
	VMOVUPS Y13, off+320(DI); \
	VMOVUPS Y14, off+384(DI); \
	VMOVUPS Y15, off+448(DI)

#define COPY1(src, doff) \
	MOVL src, AX;     \
	MOVL AX, doff(DI)

// func packBT16AVX2(kb int, b *float32, ldb int, dst *float32)
TEXT ·packBT16AVX2(SB), NOSPLIT, $0-32
	MOVQ kb+0(FP), CX
	MOVQ b+8(FP), R10
	MOVQ ldb+16(FP), R8
	MOVQ dst+24(FP), DI
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9       // 3*stride
	LEAQ (R10)(R9*1), R11     // row 3
	LEAQ (R10)(R8*8), R12     // row 8
	LEAQ (R12)(R9*1), R13     // row 11
	MOVQ CX, BX
	SHRQ $3, BX
	JZ   ptail

ploop8:
	// The 16 rows are 16 short streams: prefetch 256 bytes ahead.
	PREFETCHT0 256(R10)
	PREFETCHT0 256(R10)(R8*1)
	PREFETCHT0 256(R10)(R8*2)
	PREFETCHT0 256(R11)
	PREFETCHT0 256(R10)(R8*4)
	PREFETCHT0 256(R11)(R8*2)
	PREFETCHT0 256(R11)(R9*1)
	PREFETCHT0 256(R11)(R8*4)
	PREFETCHT0 256(R12)
	PREFETCHT0 256(R12)(R8*1)
	PREFETCHT0 256(R12)(R8*2)
	PREFETCHT0 256(R13)
	PREFETCHT0 256(R12)(R8*4)
	PREFETCHT0 256(R13)(R8*2)
	PREFETCHT0 256(R13)(R9*1)
	PREFETCHT0 256(R13)(R8*4)
	LOAD8ROWS(R10, R11, 0)
	TRANSPOSE8
	STORE8COLS(0)
	LOAD8ROWS(R12, R13, 0)
	TRANSPOSE8
	STORE8COLS(32)
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $512, DI
	DECQ BX
	JNZ  ploop8

ptail:
	ANDQ $7, CX
	JZ   pdone

ploop1:
	COPY1((R10), 0)
	COPY1((R10)(R8*1), 4)
	COPY1((R10)(R8*2), 8)
	COPY1((R11), 12)
	COPY1((R10)(R8*4), 16)
	COPY1((R11)(R8*2), 20)
	COPY1((R11)(R9*1), 24)
	COPY1((R11)(R8*4), 28)
	COPY1((R12), 32)
	COPY1((R12)(R8*1), 36)
	COPY1((R12)(R8*2), 40)
	COPY1((R13), 44)
	COPY1((R12)(R8*4), 48)
	COPY1((R13)(R8*2), 52)
	COPY1((R13)(R9*1), 56)
	COPY1((R13)(R8*4), 60)
	ADDQ $4, R10
	ADDQ $4, R11
	ADDQ $4, R12
	ADDQ $4, R13
	ADDQ $64, DI
	DECQ CX
	JNZ  ploop1

pdone:
	VZEROUPPER
	RET

// func packA6AVX2(kb int, a *float32, lda int, dst *float32)
// Interleaves 6 rows of the row-major A: dst[p*6+i] = a[i*lda+p]. The
// 32-byte stores overlap and write 2 floats past dst[kb*6] when kb >= 8:
// the caller leaves that slack.
TEXT ·packA6AVX2(SB), NOSPLIT, $0-32
	MOVQ kb+0(FP), CX
	MOVQ a+8(FP), R10
	MOVQ lda+16(FP), R8
	MOVQ dst+24(FP), DI
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9       // 3*stride
	LEAQ (R10)(R9*1), R11     // row 3
	MOVQ CX, BX
	SHRQ $3, BX
	JZ   atail

aloop8:
	PREFETCHT0 256(R10)
	PREFETCHT0 256(R10)(R8*1)
	PREFETCHT0 256(R10)(R8*2)
	PREFETCHT0 256(R11)
	PREFETCHT0 256(R10)(R8*4)
	PREFETCHT0 256(R11)(R8*2)
	VMOVUPS (R10), Y0
	VMOVUPS (R10)(R8*1), Y1
	VMOVUPS (R10)(R8*2), Y2
	VMOVUPS (R11), Y3
	VMOVUPS (R10)(R8*4), Y4
	VMOVUPS (R11)(R8*2), Y5
	TRANSPOSE8
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, 24(DI)
	VMOVUPS Y10, 48(DI)
	VMOVUPS Y11, 72(DI)
	VMOVUPS Y12, 96(DI)
	VMOVUPS Y13, 120(DI)
	VMOVUPS Y14, 144(DI)
	VMOVUPS Y15, 168(DI)
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $192, DI
	DECQ BX
	JNZ  aloop8

atail:
	ANDQ $7, CX
	JZ   adone

aloop1:
	COPY1((R10), 0)
	COPY1((R10)(R8*1), 4)
	COPY1((R10)(R8*2), 8)
	COPY1((R11), 12)
	COPY1((R10)(R8*4), 16)
	COPY1((R11)(R8*2), 20)
	ADDQ $4, R10
	ADDQ $4, R11
	ADDQ $24, DI
	DECQ CX
	JNZ  aloop1

adone:
	VZEROUPPER
	RET

// func prefetchRowsAVX2(p *float32, ld, rows, bytes int)
// Requests into L2 the first bytes (> 0) of each of rows rows at stride ld floats.
TEXT ·prefetchRowsAVX2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ ld+8(FP), R8
	MOVQ rows+16(FP), CX
	MOVQ bytes+24(FP), DX
	SHLQ $2, R8
	ADDQ $63, DX
	SHRQ $6, DX     // lines per row, rounded up
	INCQ DX         // one more for a row start that is not line aligned
	TESTQ CX, CX
	JZ   pfdone

pfrow:
	MOVQ SI, AX
	MOVQ DX, BX

pfline:
	PREFETCHT1 (AX)
	ADDQ $64, AX
	DECQ BX
	JNZ  pfline
	ADDQ R8, SI
	DECQ CX
	JNZ  pfrow

pfdone:
	RET
