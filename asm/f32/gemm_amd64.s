//go:build amd64 && gc && !purego

// The prefetch of rows of the products (the micro-kernels and the packers
// are generated: gemm_kernels_amd64.s). Requires AVX2 (checked by the caller).

#include "textflag.h"

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
