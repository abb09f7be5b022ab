package main

// packRowsKernel emits name(kb int, a *float32, lda int, np int, dst
// *float32) (a and lda named src and "ld"+src), which packs np consecutive w-float panels of a row-major
// matrix, row by row of it:
//
//	dst[r*kb*w + p*w + i] = a[p*lda + r*w + i]   (p < kb, r < np, i < w)
//
// The loads run along the rows, so that rows a multiple of 512 bytes
// apart do not crowd a few L1 sets while a panel is copied (copying panel
// by panel down the rows did: see colsAliased and rowsAliased). Each
// w-float chunk moves as 32-, 16- and 8-byte pieces (w*4 a multiple of 8);
// only AVX instructions. With prefetch, the row 8 ahead is requested as
// it starts (the single-panel calls of the float products' jit path).
func (g *gen) packRowsKernel(name, src string, w int, prefetch bool) {
	bytes := 4 * w
	if bytes%8 != 0 {
		panic(name + ": panel width not a multiple of 8 bytes")
	}
	type piece struct{ off, size int }
	var pieces []piece
	for off := 0; off < bytes; {
		size := 32
		for size > bytes-off {
			size /= 2
		}
		pieces = append(pieces, piece{off, size})
		off += size
	}
	ymm := false
	g.p("// func %s(kb int, %s *float32, ld%s int, np int, dst *float32)", name, src, src)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-40", name)
	g.p("\tMOVQ kb+0(FP), CX")
	g.p("\tMOVQ %s+8(FP), SI", src)
	g.p("\tMOVQ ld%s+16(FP), R8", src)
	g.p("\tMOVQ np+24(FP), R10")
	g.p("\tMOVQ dst+32(FP), DI")
	g.p("\tSHLQ $2, R8")
	g.p("\tMOVQ CX, R9")
	g.p("\tIMULQ $%d, R9 // bytes of one panel", bytes)
	g.p("\n%s_row:", name)
	if prefetch {
		g.p("\tPREFETCHT0 (SI)(R8*8)")
		g.p("\tPREFETCHT0 60(SI)(R8*8)")
	}
	g.p("\tMOVQ SI, R11")
	g.p("\tMOVQ DI, R12")
	g.p("\tMOVQ R10, BX")
	g.p("\n%s_panel:", name)
	for i, pc := range pieces {
		switch pc.size {
		case 32:
			g.p("\tVMOVUPS %d(R11), Y%d", pc.off, i)
			ymm = true
		case 16:
			g.p("\tVMOVUPS %d(R11), X%d", pc.off, i)
		default:
			g.p("\tMOVQ %d(R11), %s", pc.off, []string{"AX", "DX"}[i%2])
		}
	}
	for i, pc := range pieces {
		switch pc.size {
		case 32:
			g.p("\tVMOVUPS Y%d, %d(R12)", i, pc.off)
		case 16:
			g.p("\tVMOVUPS X%d, %d(R12)", i, pc.off)
		default:
			g.p("\tMOVQ %s, %d(R12)", []string{"AX", "DX"}[i%2], pc.off)
		}
	}
	g.p("\tADDQ $%d, R11", bytes)
	g.p("\tADDQ R9, R12")
	g.p("\tDECQ BX")
	g.p("\tJNZ  %s_panel", name)
	g.p("\tADDQ R8, SI")
	g.p("\tADDQ $%d, DI", bytes)
	g.p("\tDECQ CX")
	g.p("\tJNZ  %s_row", name)
	if ymm {
		g.p("\tVZEROUPPER")
	}
	g.p("\tRET")
	g.p("")
}

// packBTKernel emits packBT16AVX512(kb int, b *float32, ldb int, dst
// *float32), which packs 16 rows of the row-major n x k matrix b (stride
// ldb) transposed, for the B^T products, in whole groups of 16 columns
// (kb a multiple of 16, at least 16):
//
//	dst[p*16 + j] = b[j*ldb + p]   (p < kb, j < 16)
//
// Each group is a 16 x 16 transpose in registers: 16 row loads, two
// in-lane stages (VUNPCKL/HPS, VUNPCKL/HPD) that leave 4 x 4 blocks in the
// 128-bit lanes, two lane stages (VSHUFF32X4), 16 stores: a quarter of an
// instruction per element, against three eighths for the 8 x 8 ymm
// transposes of packBT16AVX2. Rows are addressed as in packBT16AVX2: bases
// rows 0, 3, 8 and 11, index stride (R8) and 3*stride (R9).
func (g *gen) packBTKernel() {
	const name = "packBT16AVX512"
	rowAddr := []string{
		"(R10)", "(R10)(R8*1)", "(R10)(R8*2)", "(R11)",
		"(R10)(R8*4)", "(R11)(R8*2)", "(R11)(R9*1)", "(R11)(R8*4)",
		"(R12)", "(R12)(R8*1)", "(R12)(R8*2)", "(R13)",
		"(R12)(R8*4)", "(R13)(R8*2)", "(R13)(R9*1)", "(R13)(R8*4)",
	}
	g.p("// func %s(kb int, b *float32, ldb int, dst *float32)", name)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-32", name)
	g.p("\tMOVQ kb+0(FP), CX")
	g.p("\tMOVQ b+8(FP), R10")
	g.p("\tMOVQ ldb+16(FP), R8")
	g.p("\tMOVQ dst+24(FP), DI")
	g.p("\tSHLQ $2, R8")
	g.p("\tLEAQ (R8)(R8*2), R9")
	g.p("\tLEAQ (R10)(R9*1), R11")
	g.p("\tLEAQ (R10)(R8*8), R12")
	g.p("\tLEAQ (R12)(R9*1), R13")
	g.p("\tSHRQ $4, CX")
	g.p("\n%s_loop:", name)
	// The 16 rows are 16 short streams: request the line 256 bytes ahead.
	for _, a := range rowAddr {
		g.p("\tPREFETCHT0 256%s", a)
	}
	// Z0..Z15: rows 0..15, columns p..p+15.
	for r, a := range rowAddr {
		g.p("\tVMOVUPS %s, Z%d", a, r)
	}
	// Stage 1, Z16+r: unpack pairs of rows (2i, 2i+1) within 128-bit lanes;
	// even r: elements 0, 1 of each lane interleaved, odd r: elements 2, 3.
	for i := 0; i < 8; i++ {
		g.p("\tVUNPCKLPS Z%d, Z%d, Z%d", 2*i+1, 2*i, 16+2*i)
		g.p("\tVUNPCKHPS Z%d, Z%d, Z%d", 2*i+1, 2*i, 16+2*i+1)
	}
	// Stage 2, Z(4q+e): rows 4q..4q+3 at element e of each lane.
	for q := 0; q < 4; q++ {
		lo, hi := 16+4*q, 16+4*q+1 // unpack low and high of rows 4q, 4q+1
		lo2, hi2 := lo+2, hi+2     // ... of rows 4q+2, 4q+3
		g.p("\tVUNPCKLPD Z%d, Z%d, Z%d", lo2, lo, 4*q+0)
		g.p("\tVUNPCKHPD Z%d, Z%d, Z%d", lo2, lo, 4*q+1)
		g.p("\tVUNPCKLPD Z%d, Z%d, Z%d", hi2, hi, 4*q+2)
		g.p("\tVUNPCKHPD Z%d, Z%d, Z%d", hi2, hi, 4*q+3)
	}
	// Stages 3 and 4: for each element e, the 4 x 4 transpose of 128-bit
	// lanes of Z(e), Z(4+e), Z(8+e), Z(12+e) gives columns e, 4+e, 8+e
	// and 12+e (lane L of column 4L+e holds rows 4q..4q+3 from Z(4q+e)).
	for e := 0; e < 4; e++ {
		t := 16 + 4*e
		g.p("\tVSHUFF32X4 $0x44, Z%d, Z%d, Z%d", 4+e, e, t)      // lanes 0, 1 of rows 0-3, 4-7
		g.p("\tVSHUFF32X4 $0xEE, Z%d, Z%d, Z%d", 4+e, e, t+1)    // lanes 2, 3
		g.p("\tVSHUFF32X4 $0x44, Z%d, Z%d, Z%d", 12+e, 8+e, t+2) // lanes 0, 1 of rows 8-11, 12-15
		g.p("\tVSHUFF32X4 $0xEE, Z%d, Z%d, Z%d", 12+e, 8+e, t+3) // lanes 2, 3
		for l := 0; l < 4; l++ {
			src1, src2 := t+l/2, t+2+l/2
			imm := []string{"$0x88", "$0xDD"}[l%2]
			g.p("\tVSHUFF32X4 %s, Z%d, Z%d, Z%d", imm, src2, src1, e+4*l)
		}
	}
	for c := 0; c < 16; c++ {
		g.p("\tVMOVUPS Z%d, %d(DI)", c, 64*c)
	}
	g.p("\tADDQ $64, R10")
	g.p("\tADDQ $64, R11")
	g.p("\tADDQ $64, R12")
	g.p("\tADDQ $64, R13")
	g.p("\tADDQ $1024, DI")
	g.p("\tDECQ CX")
	g.p("\tJNZ  %s_loop", name)
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}
