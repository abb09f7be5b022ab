package main

import "fmt"

type piece struct{ off, size int }

// packGroup is the rows of a that the packers without prefetch copy as a
// group, panel by panel (packRowsGrouped).
const packGroup = 8

// packRowsKernel emits name(kb int, a *float32, lda int, np int, dst
// *float32) (a and lda named src and "ld"+src), which packs np
// consecutive w-float panels of a row-major matrix:
//
//	dst[r*kb*w + p*w + i] = a[p*lda + r*w + i]   (p < kb, r < np, i < w)
//
// With prefetch (packBRows16AVX2: the single-panel calls of the float
// products' jit path, and B's whole panels) it copies row by row of a,
// requesting the row 8 ahead as it starts; the A^T packers
// (packATRows10AVX2, packATRows6AVX2) copy rows in groups of packGroup,
// panel by panel (packRowsGrouped). Neither copies a panel down all kb
// rows at once: rows a multiple of 512 bytes apart would crowd a few L1
// sets (see colsAliased and rowsAliased). Each w-float chunk moves as 32-,
// 16- and 8-byte pieces (w*4 a multiple of 8); only AVX instructions.
func (g *gen) packRowsKernel(name, src string, w int, prefetch bool) {
	bytes := 4 * w
	if bytes%8 != 0 {
		panic(name + ": panel width not a multiple of 8 bytes")
	}
	var pieces []piece
	for off := 0; off < bytes; {
		size := 32
		for size > bytes-off {
			size /= 2
		}
		pieces = append(pieces, piece{off, size})
		off += size
	}
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
	if !prefetch {
		g.packRowsGrouped(name, pieces, bytes, packGroup)
		return
	}
	g.p("\n%s_row:", name)
	if prefetch {
		g.p("\tPREFETCHT0 (SI)(R8*8)")
		g.p("\tPREFETCHT0 60(SI)(R8*8)")
	}
	g.p("\tMOVQ SI, R11")
	g.p("\tMOVQ DI, R12")
	g.p("\tMOVQ R10, BX")
	g.p("\n%s_panel:", name)
	ymm := g.copyPieces(pieces, "R11", "R12", true)
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

// packTKernel emits a transposing packer, name(kb int, src *float32,
// ldsrc int, dst *float32), which packs nr rows (16 or 6) of a row-major
// matrix (stride ldsrc) transposed, with vector width w (8: ymm, AVX2; 16:
// zmm, AVX-512):
//
//	dst[p*nr + j] = src[j*ldsrc + p]   (p < kb, j < nr)
//
// It emits packBT16AVX2 and packBT16AVX512 (nr = 16: the B of the B^T
// products) and packA6AVX2 (nr = 6: the A panels of the AVX2 kernels).
// At w = 8 it takes any kb (whole groups of 8 columns, then column by
// column); at w = 16 kb a multiple of 16 (at least 16), the caller passing
// the rest to the w = 8 one.
//
// Each group of w columns is transposed in registers: w x w blocks of w
// row loads (at w = 8 one block per 8 rows, stored to the two halves of
// each packed column of 16, or 6 rows whose two missing ones are don't-
// cares), two in-lane stages that leave 4 x 4 blocks in the 128-bit lanes
// (VUNPCKL/HPS, then VSHUFPS at w = 8 or VUNPCKL/HPD at w = 16), the lane
// stages (one VPERM2F128 stage at w = 8, two VSHUFF32X4 stages at w = 16)
// and w stores. With nr = 6 the 32-byte stores overlap and write 2 floats
// past dst[kb*6] when kb >= 8: the caller leaves that slack. Rows are
// addressed from bases at rows 0, 3, 8 and 11 with index stride (R8) and
// 3*stride (R9); each iteration requests the line 256 bytes ahead in
// every row.
//
// BenchmarkPackBT (Zen 5, one thread, nr = 16, kb = 256, 2026-12-03): both
// widths pack 26-28 floats/ns from L1, 19-20 from L2 and 13-15 beyond it.
// Replacing the lane stages by 16-byte loads and inserts (VINSERTF128 or
// VINSERTF32X4 from memory, leaving only in-lane stages) made both slower:
// 18 and 18-20 floats/ns from L1 (tried, not kept).
func (g *gen) packTKernel(name, src string, nr, w int) {
	rowAddr := []string{
		"(R10)", "(R10)(R8*1)", "(R10)(R8*2)", "(R11)",
		"(R10)(R8*4)", "(R11)(R8*2)", "(R11)(R9*1)", "(R11)(R8*4)",
		"(R12)", "(R12)(R8*1)", "(R12)(R8*2)", "(R13)",
		"(R12)(R8*4)", "(R13)(R8*2)", "(R13)(R9*1)", "(R13)(R8*4)",
	}[:nr]
	if nr != 16 && (nr != 6 || w != 8) {
		panic(name + ": only 16 rows, or 6 at width 8")
	}
	bases := []int{10, 11}
	if nr > 8 {
		bases = append(bases, 12, 13)
	}
	g.p("// func %s(kb int, %s *float32, ld%s int, dst *float32)", name, src, src)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-32", name)
	g.p("\tMOVQ kb+0(FP), CX")
	g.p("\tMOVQ %s+8(FP), R10", src)
	g.p("\tMOVQ ld%s+16(FP), R8", src)
	g.p("\tMOVQ dst+24(FP), DI")
	g.p("\tSHLQ $2, R8")
	g.p("\tLEAQ (R8)(R8*2), R9")
	g.p("\tLEAQ (R10)(R9*1), R11")
	if nr > 8 {
		g.p("\tLEAQ (R10)(R8*8), R12")
		g.p("\tLEAQ (R12)(R9*1), R13")
	}
	if w == 16 {
		g.p("\tSHRQ $4, CX")
	} else {
		g.p("\tMOVQ CX, BX")
		g.p("\tSHRQ $3, BX")
		g.p("\tJZ   %s_tail", name)
	}
	g.p("\n%s_loop:", name)
	for _, a := range rowAddr {
		g.p("\tPREFETCHT0 256%s", a)
	}
	if w == 16 {
		g.transpose16(rowAddr)
	} else {
		for h := 0; h < nr; h += 8 {
			g.transpose8(rowAddr[h:min(nr, h+8)], 4*h, 4*nr)
		}
	}
	for _, r := range bases {
		g.p("\tADDQ $%d, R%d", 4*w, r)
	}
	g.p("\tADDQ $%d, DI", 4*nr*w)
	if w == 16 {
		g.p("\tDECQ CX")
	} else {
		g.p("\tDECQ BX")
	}
	g.p("\tJNZ  %s_loop", name)
	if w == 8 {
		// The last kb%8 columns, one float of each row at a time.
		g.p("\n%s_tail:", name)
		g.p("\tANDQ $7, CX")
		g.p("\tJZ   %s_done", name)
		g.p("\n%s_col:", name)
		for j, a := range rowAddr {
			g.p("\tMOVL %s, AX", a)
			g.p("\tMOVL AX, %d(DI)", 4*j)
		}
		for _, r := range bases {
			g.p("\tADDQ $4, R%d", r)
		}
		g.p("\tADDQ $%d, DI", 4*nr)
		g.p("\tDECQ CX")
		g.p("\tJNZ  %s_col", name)
		g.p("\n%s_done:", name)
	}
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// transpose8 emits the 8 x 8 transpose of 8 floats of each of the rows at
// rows (Y0..Y7; fewer than 8 rows leave the others' registers as they
// are), stored as the 8 floats at off of each of 8 packed columns, stride
// bytes apart: VUNPCKL/HPS, VSHUFPS, VPERM2F128.
func (g *gen) transpose8(rows []string, off, stride int) {
	for r, a := range rows {
		g.p("\tVMOVUPS %s, Y%d", a, r)
	}
	for i := 0; i < 4; i++ {
		g.p("\tVUNPCKLPS Y%d, Y%d, Y%d", 2*i+1, 2*i, 8+2*i)
		g.p("\tVUNPCKHPS Y%d, Y%d, Y%d", 2*i+1, 2*i, 8+2*i+1)
	}
	// Y(4h+e): rows 4h..4h+3 at element e of each lane.
	for h := 0; h < 2; h++ {
		lo, hi := 8+4*h, 8+4*h+1
		g.p("\tVSHUFPS $0x44, Y%d, Y%d, Y%d", lo+2, lo, 4*h)
		g.p("\tVSHUFPS $0xEE, Y%d, Y%d, Y%d", lo+2, lo, 4*h+1)
		g.p("\tVSHUFPS $0x44, Y%d, Y%d, Y%d", hi+2, hi, 4*h+2)
		g.p("\tVSHUFPS $0xEE, Y%d, Y%d, Y%d", hi+2, hi, 4*h+3)
	}
	// Columns e (lane 0 of each) and 4+e (lane 1): rows 0-3 from Y(e),
	// rows 4-7 from Y(4+e).
	for e := 0; e < 4; e++ {
		g.p("\tVPERM2F128 $0x20, Y%d, Y%d, Y%d", 4+e, e, 8+e)
	}
	for e := 0; e < 4; e++ {
		g.p("\tVPERM2F128 $0x31, Y%d, Y%d, Y%d", 4+e, e, 12+e)
	}
	for c := 0; c < 8; c++ {
		g.p("\tVMOVUPS Y%d, %d(DI)", 8+c, off+stride*c)
	}
}

// transpose16 emits the 16 x 16 transpose of 16 floats of each of the 16
// rows at rows (Z0..Z15), stored as 16 packed columns of 64 bytes.
func (g *gen) transpose16(rowAddr []string) {
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
}

// packRowsGrouped emits the body of a packRowsKernel without prefetch:
// the rows of a in groups of grp (the last group shorter), and within a
// group panel by panel, each panel's grp rows in turn. A group's rows stay
// in L1 while its panels are copied (8 rows of 1,920 bytes, the widest
// block of A at 480 rows, take 15 KB; 8 rows 4 KB apart share a set of a
// 12-way L1 without evicting each other), and each panel's destination is
// written as grp*w contiguous floats, not w floats into each of np panels
// per row of a (at np = 48 and 256 rows of 4 KB pages each, the stores
// had touched 48 pages per row). The copies are 32-, 16- and 8-byte VEX
// moves (the 8-byte one through an xmm register: a legacy-SSE MOVQ beside
// dirty upper halves of zmm registers ran the AVX-512 products 3x slower).
//
// On the Intel Xeon with AMX (KVM, family 6 model 167), one thread,
// BenchmarkGemm, GFLOP per CPU-second, medians of 8 alternated runs,
// row by row -> groups of 8: (1600x1000)^T(1000x400) AVX-512 170.6 ->
// 175.7, AVX2 108.8 -> 111.2 (packATRows10AVX2 7.6% -> 4.8% of the AVX-512
// product under pprof); 4 alternations: (1600x100)^T(100x400) 166.6 ->
// 172.1, the lattice shapes (1024x100)^T(100x1024) and
// (4096x100)^T(100x1024) (rows 4 and 16 KB apart, 6 alternations, both
// ISAs) no slower: medians +0.4% to +2.2%. Groups of 16 measured as 8 on the first
// shape, of 4 no better than none, and a prefetch of the next group's
// rows (PREFETCHT0 at grp rows below each load) +1%, inside the runs'
// spread (2026-12-07).
func (g *gen) packRowsGrouped(name string, pieces []piece, bytes, grp int) {
	// CX rows left, SI the group's source, DI its destination (the row's
	// offset in each panel), R8 lda in bytes, R9 the bytes of a panel,
	// R10 np; AX the group's rows, BX panels left, DX rows left in the
	// panel, R11/R12 the panel's source and destination, R13/R14 the row's.
	g.p("\n%s_group:", name)
	g.p("\tMOVQ $%d, AX", grp)
	g.p("\tCMPQ CX, AX")
	g.p("\tCMOVQLT CX, AX")
	g.p("\tMOVQ SI, R11")
	g.p("\tMOVQ DI, R12")
	g.p("\tMOVQ R10, BX")
	g.p("\n%s_panel:", name)
	g.p("\tMOVQ R11, R13")
	g.p("\tMOVQ R12, R14")
	g.p("\tMOVQ AX, DX")
	g.p("\n%s_row:", name)
	g.copyPieces(pieces, "R13", "R14", false)
	g.p("\tADDQ R8, R13")
	g.p("\tADDQ $%d, R14", bytes)
	g.p("\tDECQ DX")
	g.p("\tJNZ  %s_row", name)
	g.p("\tADDQ $%d, R11", bytes)
	g.p("\tADDQ R9, R12")
	g.p("\tDECQ BX")
	g.p("\tJNZ  %s_panel", name)
	g.p("\tMOVQ AX, DX")
	g.p("\tIMULQ R8, DX")
	g.p("\tADDQ DX, SI")
	g.p("\tMOVQ AX, DX")
	g.p("\tIMULQ $%d, DX", bytes)
	g.p("\tADDQ DX, DI")
	g.p("\tSUBQ AX, CX")
	g.p("\tJNZ  %s_group", name)
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// copyPieces emits the copy of one chunk, its pieces loaded from src and
// stored to dst (registers holding addresses), and reports whether it used
// a ymm register. The 8-byte pieces go through AX or DX with gpr, else
// through an xmm register (VMOVQ).
func (g *gen) copyPieces(pieces []piece, src, dst string, gpr bool) (ymm bool) {
	reg8 := func(i int) string {
		if gpr {
			return []string{"AX", "DX"}[i%2]
		}
		return fmt.Sprintf("X%d", i)
	}
	mov8 := "MOVQ"
	if !gpr {
		mov8 = "VMOVQ"
	}
	for i, pc := range pieces {
		switch pc.size {
		case 32:
			g.p("\tVMOVUPS %d(%s), Y%d", pc.off, src, i)
			ymm = true
		case 16:
			g.p("\tVMOVUPS %d(%s), X%d", pc.off, src, i)
		default:
			g.p("\t%s %d(%s), %s", mov8, pc.off, src, reg8(i))
		}
	}
	for i, pc := range pieces {
		switch pc.size {
		case 32:
			g.p("\tVMOVUPS Y%d, %d(%s)", i, pc.off, dst)
		case 16:
			g.p("\tVMOVUPS X%d, %d(%s)", i, pc.off, dst)
		default:
			g.p("\t%s %s, %d(%s)", mov8, reg8(i), pc.off, dst)
		}
	}
	return ymm
}
