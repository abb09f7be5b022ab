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
