// Command gemm writes gemm_kernels_amd64.s, the register micro-kernels of
// the float32 products for AVX2 and AVX-512 (and the Bits kernels and the
// packers), to standard output (in
// asm/f32: go run ./_gen/gemm > gemm_kernels_amd64.s).
//
// One description, spec, drives every kernel: the ISA (ymm or zmm vectors),
// the tile (mr rows of nv vectors), how A is addressed (a packed micro-panel
// with a constant or a variable step per k, or mr rows of a row-major
// matrix read in place), and whether the kernel stores a partial tile
// (rows, column mask; AVX-512). Every kernel computes, for each element of
// its tile, one FMA chain over p = 0..kb-1 from +0 in increasing p, then
// t = alpha*acc (VMULPS) and c = t, or c = fma(beta, c, t) (VFMADD231PS)
// when beta != 0: the rounding contract of gemm.go, identical at every
// vector width.
package main

import (
	"fmt"
	"math/bits"
	"os"
	"strings"
)

// aMode says how a kernel reads A(i, p).
type aMode int

const (
	// aPacked: at a + 4*i + p*ks, ks = 4*mr bytes (a packed micro-panel).
	aPacked aMode = iota
	// aStep: at a + 4*i + p*ks, ks an argument (a packed panel, or the
	// columns of a row-major A^T read in place).
	aStep
	// aRows: at a + i*lda + 4*p, lda an argument (rows of a row-major A).
	aRows
)

type spec struct {
	name    string
	zmm     bool // AVX-512 (zmm, masks) or AVX2 (ymm)
	mr, nv  int  // tile: mr rows of nv vectors
	a       aMode
	partial bool // rows and column-mask arguments (AVX-512: zmm, or ymm with VL)
	bRows   bool // B(p, j) at b + p*ldb + j (a row-major B read in place), not packed
	bMask   bool // bRows loads under the column mask (edge tiles: no lane past the last column is read)
	pfA     int  // PREFETCHT0 distance on the packed A stream per 4 steps (0: none)
	// pfB: arguments pf, pfn (bRows kernels) or pf, pfld, pfn (packed B);
	// each of the first pfn unrolled groups of four steps hints
	// (PREFETCHT1) the 128 bytes at pf, pf + ld, ... (ld: ldb, or pfld
	// floats) into L2: the rows of the next tile of a B read in place, or
	// the source of the next micro-panel of a packed one, spread over the
	// row tiles that multiply this one.
	pfB bool
	// tiles: argument nt; the kernel computes nt tiles side by side, the
	// packed B of each kb*nr floats after the last and its C nr columns
	// to the right (nr = 2 vectors: 32 columns of zmm, 16 of ymm), in one
	// call (the row tiles outside the column tiles: gemmOpts.irOuter),
	// instead of one call per tile (kernels of a packed B only).
	tiles bool
}

func (s spec) width() int { // floats per vector
	if s.zmm {
		return 16
	}
	return 8
}

func (s spec) vreg(i int) string {
	if s.zmm {
		return fmt.Sprintf("Z%d", i)
	}
	return fmt.Sprintf("Y%d", i)
}

// Register plan: vectors 0..nv-1 hold a row of B, the next two the
// broadcast A values (alternating), then the mr*nv accumulators.
func (s spec) breg(v int) string   { return s.vreg(v) }
func (s spec) treg(i int) string   { return s.vreg(s.nv + i%2) }
func (s spec) acc(i, v int) string { return s.vreg(s.nv + 2 + i*s.nv + v) }
func (s spec) nregs() int          { return s.nv + 2 + s.mr*s.nv }
func (s spec) vecBytes() int       { return 4 * s.width() }
func (s spec) panelBytes() int     { return 64 } // a 16-float row of one packed B panel
func (s spec) bAddr(v, q int) string {
	if s.bRows {
		// Rows of B in place: step q at DI + q*ldb (R14 = ldb, R15 = 3*ldb).
		off := v * s.vecBytes()
		return fmt.Sprintf("%d%s", off, []string{"(DI)", "(DI)(R14*1)", "(DI)(R14*2)", "(DI)(R15*1)"}[q])
	}
	return s.bAddrOff(v, q*s.panelBytes())
}

// B is packed as 16-float panels (gemm.go's packB with nr = 16): a kernel
// with 32 columns reads two panels, the second at DI + R13 (= kb*64).
func (s spec) bAddrOff(v, off int) string {
	w := s.vecBytes()
	col := v * w // byte offset of vector v within the 4*nv*width row
	panel, within := col/64, col%64
	if panel == 0 {
		return fmt.Sprintf("%d(DI)", off+within)
	}
	if panel == 1 {
		return fmt.Sprintf("%d(DI)(R13*1)", off+within)
	}
	panic("more than two B panels")
}

type gen struct {
	b strings.Builder
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.b, format+"\n", args...) }

// aAddr returns the address of A(i, q) (q = step within an unrolled group).
// Packed: SI + 4i + q*4mr. Step: row bases SI, SI+R9, SI+2*R9, SI+R10 (3*R9)
// for q = 0..3, + 4i. Rows: row i of up to 15 via bases SI, R11 (= SI +
// 5*lda), R12 (= SI + 10*lda) with index R9 (lda) and R10 (3*lda), + 4q.
func (s spec) aAddr(i, q int) string {
	switch s.a {
	case aPacked:
		return fmt.Sprintf("%d(SI)", 4*i+q*4*s.mr)
	case aStep:
		off := 4 * i
		switch q {
		case 0:
			return fmt.Sprintf("%d(SI)", off)
		case 1:
			return fmt.Sprintf("%d(SI)(R9*1)", off)
		case 2:
			return fmt.Sprintf("%d(SI)(R9*2)", off)
		default:
			return fmt.Sprintf("%d(SI)(R10*1)", off)
		}
	default:
		base := []string{"SI", "R11", "R12"}[i/5]
		off := 4 * q
		switch i % 5 {
		case 0:
			return fmt.Sprintf("%d(%s)", off, base)
		case 1:
			return fmt.Sprintf("%d(%s)(R9*1)", off, base)
		case 2:
			return fmt.Sprintf("%d(%s)(R9*2)", off, base)
		case 3:
			return fmt.Sprintf("%d(%s)(R10*1)", off, base)
		default:
			return fmt.Sprintf("%d(%s)(R9*4)", off, base)
		}
	}
}

// kstep emits one depth step q of an unrolled group.
func (g *gen) kstep(s spec, q int) {
	for v := 0; v < s.nv; v++ {
		if s.bMask {
			g.p("\tVMOVUPS.Z    %s, K%d, %s", s.bAddr(v, q), v+1, s.breg(v))
			continue
		}
		g.p("\tVMOVUPS      %s, %s", s.bAddr(v, q), s.breg(v))
	}
	for i := 0; i < s.mr; i++ {
		g.p("\tVBROADCASTSS %s, %s", s.aAddr(i, q), s.treg(i))
		for v := 0; v < s.nv; v++ {
			g.p("\tVFMADD231PS  %s, %s, %s", s.breg(v), s.treg(i), s.acc(i, v))
		}
	}
}

// advance emits the pointer updates after n depth steps.
func (g *gen) advance(s spec, n int) {
	switch s.a {
	case aPacked:
		g.p("\tADDQ $%d, SI", n*4*s.mr)
	case aStep:
		if n == 4 {
			g.p("\tLEAQ (SI)(R9*4), SI")
		} else {
			g.p("\tADDQ R9, SI")
		}
	case aRows:
		g.p("\tADDQ $%d, SI", 4*n)
		if s.mr > 5 {
			g.p("\tADDQ $%d, R11", 4*n)
		}
		if s.mr > 10 {
			g.p("\tADDQ $%d, R12", 4*n)
		}
	}
	switch {
	case s.bRows && n == 4:
		g.p("\tLEAQ (DI)(R14*4), DI")
	case s.bRows:
		g.p("\tADDQ R14, DI")
	default:
		g.p("\tADDQ $%d, DI", n*s.panelBytes())
	}
}

func (s spec) args() string {
	a := "kb int, a *float32, "
	switch s.a {
	case aStep:
		a += "ks int, "
	case aRows:
		a += "lda int, "
	}
	if s.bRows {
		a += "b *float32, ldb int, c *float32, ldc int, alpha, beta float32"
	} else {
		a += "b, c *float32, ldc int, alpha, beta float32"
	}
	if s.partial {
		a += ", rows int, mask uint32"
	}
	if s.pfB && s.bRows {
		a += ", pf *float32, pfn int"
	} else if s.pfB {
		a += ", pf *float32, pfld, pfn int"
	}
	if s.tiles {
		a += ", nt int"
	}
	return a
}

func (g *gen) kernel(s spec) {
	if s.nregs() > 16 && !s.zmm || s.nregs() > 32 {
		panic(s.name + ": too many registers")
	}
	// Argument offsets.
	off := 16
	if s.a != aPacked {
		off = 24
	}
	bOff := off
	if s.bRows {
		off += 8 // ldb
	}
	cOff, ldcOff, alphaOff, betaOff := off+8, off+16, off+24, off+28
	rowsOff, maskOff, size := off+32, off+40, off+32
	if s.partial {
		size = off + 44
	}
	pfOff := (size + 7) &^ 7
	if s.pfB && s.bRows {
		size = pfOff + 16
	} else if s.pfB {
		size = pfOff + 24
	}
	ntOff := size
	if s.tiles {
		if s.bRows || s.pfB || s.nv != 2 {
			panic(s.name + ": tiles needs a two-vector kernel of a packed B without hints")
		}
		ntOff = (size + 7) &^ 7
		size = ntOff + 8
	}
	g.p("// func %s(%s)", s.name, s.args())
	g.p("TEXT ·%s(SB), NOSPLIT, $0-%d", s.name, size)
	if s.tiles {
		// Each tile starts here, from the arguments, which the end of the
		// tile before moved on (b, c) or counted down (nt).
		g.p("\n%s_start:", s.name)
	}
	g.p("\tMOVQ kb+0(FP), CX")
	g.p("\tMOVQ a+8(FP), SI")
	switch s.a {
	case aStep:
		g.p("\tMOVQ ks+16(FP), R9")
		g.p("\tSHLQ $2, R9")
		g.p("\tLEAQ (R9)(R9*2), R10")
	case aRows:
		g.p("\tMOVQ lda+16(FP), R9")
		g.p("\tSHLQ $2, R9")
		g.p("\tLEAQ (R9)(R9*2), R10")
		if s.mr > 5 {
			g.p("\tLEAQ (SI)(R9*4), R11")
			g.p("\tADDQ R9, R11")
		}
		if s.mr > 10 {
			g.p("\tLEAQ (R11)(R9*4), R12")
			g.p("\tADDQ R9, R12")
		}
	}
	g.p("\tMOVQ b+%d(FP), DI", bOff)
	g.p("\tMOVQ c+%d(FP), DX", cOff)
	g.p("\tMOVQ ldc+%d(FP), R8", ldcOff)
	g.p("\tSHLQ $2, R8")
	if s.bRows {
		g.p("\tMOVQ ldb+%d(FP), R14", bOff+8)
		g.p("\tSHLQ $2, R14")
		g.p("\tLEAQ (R14)(R14*2), R15")
	} else if s.nv*s.width() > 16 {
		g.p("\tMOVQ CX, R13")
		g.p("\tSHLQ $6, R13 // second B panel at DI + kb*64")
	}
	if s.bMask {
		if !s.bRows || !s.partial {
			panic(s.name + ": bMask needs bRows and partial")
		}
		g.p("\tMOVL  mask+%d(FP), AX", maskOff)
		g.p("\tKMOVW AX, K1")
		if s.nv > 1 {
			g.p("\tSHRL  $16, AX")
			g.p("\tKMOVW AX, K2")
		}
	}
	// Prefetch the tile of C (each row may span two lines more than its width).
	g.p("\tMOVQ DX, AX")
	lines := (4*s.nv*s.width() + 63) / 64
	for i := 0; i < s.mr; i++ {
		for l := 0; l < lines; l++ {
			g.p("\tPREFETCHT0 %d(AX)", 64*l)
		}
		g.p("\tPREFETCHT0 %d(AX)", 64*lines-1)
		if i < s.mr-1 {
			g.p("\tADDQ R8, AX")
		}
	}
	for i := 0; i < s.mr; i++ {
		for v := 0; v < s.nv; v++ {
			r := s.acc(i, v)
			if s.zmm {
				g.p("\tVPXORD %s, %s, %s", r, r, r)
			} else {
				g.p("\tVXORPS %s, %s, %s", r, r, r)
			}
		}
	}
	l := s.name
	// The hint walk: pointer AX, stride R14 (ldb of a bRows kernel), count
	// pfCount (R13 of a bRows kernel; R15 where R13 holds the second B
	// panel's offset).
	pfCount := "R13"
	if s.pfB {
		g.p("\tMOVQ pf+%d(FP), AX", pfOff)
		if !s.bRows {
			pfCount = "R15"
			g.p("\tMOVQ pfld+%d(FP), R14", pfOff+8)
			g.p("\tSHLQ $2, R14")
			g.p("\tMOVQ pfn+%d(FP), R15", pfOff+16)
		} else {
			g.p("\tMOVQ pfn+%d(FP), R13", pfOff+8)
		}
	}
	g.p("\tMOVQ CX, BX")
	g.p("\tSHRQ $2, BX")
	g.p("\tJZ   %s_tail", l)
	g.p("\n\tPCALIGN $64\n")
	g.p("%s_loop4:", l)
	g.group4(s)
	if s.pfB {
		g.p("\tTESTQ %s, %s", pfCount, pfCount)
		g.p("\tJZ    %s_nopf", l)
		// Three hints cover 128 bytes at any alignment.
		g.p("\tPREFETCHT1 0(AX)")
		g.p("\tPREFETCHT1 64(AX)")
		g.p("\tPREFETCHT1 127(AX)")
		g.p("\tADDQ  R14, AX")
		g.p("\tDECQ  %s", pfCount)
		g.p("%s_nopf:", l)
	}
	g.p("\tDECQ BX")
	g.p("\tJNZ  %s_loop4", l)
	g.p("\n%s_tail:", l)
	g.p("\tANDQ $3, CX")
	g.p("\tJZ   %s_store", l)
	g.p("\n%s_loop1:", l)
	g.kstep(s, 0)
	g.advance(s, 1)
	g.p("\tDECQ CX")
	g.p("\tJNZ  %s_loop1", l)
	g.p("\n%s_store:", l)
	g.store(s, alphaOff, betaOff, rowsOff, maskOff, tileNext{bOff: bOff, cOff: cOff, ntOff: ntOff})
}

// tileNext holds the argument offsets that a kernel of several tiles
// (spec.tiles) moves on after each tile.
type tileNext struct{ bOff, cOff, ntOff int }

// group4 emits an unrolled group of four depth steps and the pointer
// updates after it.
func (g *gen) group4(s spec) {
	if s.pfA > 0 && s.a == aPacked {
		g.p("\tPREFETCHT0 %d(SI)", s.pfA)
	}
	for q := 0; q < 4; q++ {
		g.kstep(s, q)
	}
	g.advance(s, 4)
}

// store emits the write-back: t = alpha*acc; c = t (beta == 0) or
// c = fma(beta, c, t). Partial kernels store rows rows under the mask K1
// (low 16 bits: first vector, high 16: second).
func (g *gen) store(s spec, alphaOff, betaOff, rowsOff, maskOff int, next tileNext) {
	l := s.name
	alpha, beta, tmp := s.vreg(0), s.vreg(1), s.vreg(2)
	g.p("\tVBROADCASTSS alpha+%d(FP), %s", alphaOff, alpha)
	if s.partial {
		g.p("\tMOVQ  rows+%d(FP), BX", rowsOff)
		g.p("\tMOVL  mask+%d(FP), AX", maskOff)
		g.p("\tKMOVW AX, K1")
		if s.nv > 1 {
			g.p("\tSHRL  $16, AX")
			g.p("\tKMOVW AX, K2")
		}
	}
	g.p("\tMOVL         beta+%d(FP), AX", betaOff)
	g.p("\tSHLL         $1, AX // drop the sign: -0 is zero too")
	g.p("\tJZ           %s_storezero", l)
	g.p("\tVBROADCASTSS beta+%d(FP), %s", betaOff, beta)
	for _, withBeta := range []bool{true, false} {
		if !withBeta {
			g.p("\n%s_storezero:", l)
		}
		for i := 0; i < s.mr; i++ {
			if s.partial && i > 0 {
				g.p("\tCMPQ BX, $%d", i)
				g.p("\tJLE  %s_done", l)
			}
			for v := 0; v < s.nv; v++ {
				r := s.acc(i, v)
				mem := fmt.Sprintf("%d(DX)", v*s.vecBytes())
				g.p("\tVMULPS      %s, %s, %s", alpha, r, r)
				k := ""
				if s.partial {
					k = []string{"K1, ", "K2, "}[v]
				}
				if withBeta {
					if s.partial {
						g.p("\tVMOVUPS.Z   %s, %s%s", mem, k, tmp)
						g.p("\tVFMADD231PS %s, %s, %s", tmp, beta, r)
					} else {
						g.p("\tVFMADD231PS %s, %s, %s", mem, beta, r)
					}
				}
				g.p("\tVMOVUPS     %s, %s%s", r, k, mem)
			}
			if i < s.mr-1 {
				g.p("\tADDQ        R8, DX")
			}
		}
		if s.partial || s.tiles {
			g.p("\tJMP %s_done", l)
		} else {
			g.p("\tVZEROUPPER")
			g.p("\tRET")
		}
	}
	if s.partial || s.tiles {
		g.p("\n%s_done:", l)
		if s.tiles {
			nr := s.nv * s.width()
			shift := bits.TrailingZeros(uint(4 * nr)) // 4*nr bytes, a power of two
			g.p("\tDECQ nt+%d(FP)", next.ntOff)
			g.p("\tJZ   %s_ret", l)
			g.p("\tMOVQ kb+0(FP), AX")
			g.p("\tSHLQ $%d, AX // the next tile's B: kb*%d floats on", shift, nr)
			g.p("\tADDQ AX, b+%d(FP)", next.bOff)
			g.p("\tADDQ $%d, c+%d(FP)", 4*nr, next.cOff)
			g.p("\tJMP  %s_start", l)
			g.p("\n%s_ret:", l)
		}
		g.p("\tVZEROUPPER")
		g.p("\tRET")
	}
	g.p("")
}

const head = `//go:build amd64 && gc && !purego

// Code generated by _gen/gemm (go run ./_gen/gemm > gemm_kernels_amd64.s). DO NOT EDIT.

// Register micro-kernels of the products, and the packers that copy panels
// row by row (see _gen/gemm/main.go and pack.go, and the Go declarations in
// gemm_amd64.go). The AVX2 kernels require AVX2 and
// FMA, the AVX-512 ones AVX-512F (checked by the callers). Each element of
// a tile is one FMA chain over the depth block from +0, then t = alpha*acc
// and c = t (beta == 0) or c = fma(beta, c, t): gemm.go's roundingContract.

#include "textflag.h"

`

// Specs lists every kernel the package uses.
var specs = []spec{
	{name: "kernel6x16AVX2", mr: 6, nv: 2, a: aPacked, pfA: 384},
	{name: "kernel6x8AVX2", mr: 6, nv: 1, a: aPacked},
	{name: "kernel6x16RowsAVX2", mr: 6, nv: 2, a: aRows},
	{name: "kernel6x8RowsAVX2", mr: 6, nv: 1, a: aRows},
	// The columns of a row-major A^T read in place (A^T*B: the gradient).
	{name: "kernel6x16StepAVX2", mr: 6, nv: 2, a: aStep},
	{name: "kernel6x8StepAVX2", mr: 6, nv: 1, a: aStep},
	// The same over nt whole tiles side by side in one call (row tiles
	// outside).
	{name: "kernel6x16NAVX2", mr: 6, nv: 2, a: aPacked, pfA: 384, tiles: true},
	{name: "kernel6x16RowsNAVX2", mr: 6, nv: 2, a: aRows, tiles: true},
	{name: "kernel6x16StepNAVX2", mr: 6, nv: 2, a: aStep, tiles: true},
	{name: "kernel10x32StepAVX512", zmm: true, mr: 10, nv: 2, a: aStep, partial: true},
	{name: "kernel10x16StepAVX512", zmm: true, mr: 10, nv: 1, a: aStep, partial: true},
	{name: "kernel10x32RowsAVX512", zmm: true, mr: 10, nv: 2, a: aRows, partial: true},
	// The same over nt tiles side by side in one call (row tiles outside).
	{name: "kernel10x32StepNAVX512", zmm: true, mr: 10, nv: 2, a: aStep, partial: true, tiles: true},
	{name: "kernel10x32RowsNAVX512", zmm: true, mr: 10, nv: 2, a: aRows, partial: true, tiles: true},
	// The same, hinting the source of the next micro-panel of B while they
	// run (the A*B^T products whose B does not fit in L2: nextPanelChunk).
	// Separate kernels, so that the others run exactly the code they ran
	// before the hints.
	{name: "kernel10x32StepPfAVX512", zmm: true, mr: 10, nv: 2, a: aStep, partial: true, pfB: true},
	{name: "kernel10x32RowsPfAVX512", zmm: true, mr: 10, nv: 2, a: aRows, partial: true, pfB: true},
	{name: "kernel10x16RowsAVX512", zmm: true, mr: 10, nv: 1, a: aRows, partial: true},
	// Whole 32-column tiles with a row-major B read in place (A*B and
	// A^T*B when A is one row block, so B is not packed).
	{name: "kernel10x32RowsBRowsAVX512", zmm: true, mr: 10, nv: 2, a: aRows, partial: true, bRows: true, pfB: true},
	{name: "kernel10x32StepBRowsAVX512", zmm: true, mr: 10, nv: 2, a: aStep, partial: true, bRows: true, pfB: true},
	// Edge tiles of at most 16 columns of a row-major B read in place under
	// the column mask (B is not packed at all when A is one row block).
	{name: "kernel10x16RowsBRowsAVX512", zmm: true, mr: 10, nv: 1, a: aRows, partial: true, bRows: true, bMask: true, pfB: true},
	{name: "kernel10x16StepBRowsAVX512", zmm: true, mr: 10, nv: 1, a: aStep, partial: true, bRows: true, bMask: true, pfB: true},
	{name: "kernel10x8RowsBRowsAVX512", mr: 10, nv: 1, a: aRows, partial: true, bRows: true, bMask: true},
	{name: "kernel10x8StepBRowsAVX512", mr: 10, nv: 1, a: aStep, partial: true, bRows: true, bMask: true},
	// At most 8 edge columns: ymm vectors with AVX-512VL masks (on Zen 4 a
	// ymm FMA costs half a zmm one).
	{name: "kernel10x8StepAVX512", mr: 10, nv: 1, a: aStep, partial: true},
	{name: "kernel10x8RowsAVX512", mr: 10, nv: 1, a: aRows, partial: true},
	// Tiles of one or two rows (a packed A panel: products of one or two
	// rows, as the centered RBM's derived biases, and the last row tile
	// of any product): two rows' FMAs per depth step instead of ten.
	{name: "kernel2x32StepAVX512", zmm: true, mr: 2, nv: 2, a: aStep, partial: true},
	{name: "kernel2x16StepAVX512", zmm: true, mr: 2, nv: 1, a: aStep, partial: true},
	{name: "kernel2x32StepBRowsAVX512", zmm: true, mr: 2, nv: 2, a: aStep, partial: true, bRows: true},
	{name: "kernel2x16StepBRowsAVX512", zmm: true, mr: 2, nv: 1, a: aStep, partial: true, bRows: true, bMask: true},
}

func main() {
	var g gen
	g.b.WriteString(head)
	for _, s := range specs {
		g.kernel(s)
	}
	for _, s := range bitsSpecs() {
		g.bitsKernel(s)
	}
	for _, s := range bitsPairSpecs() {
		g.bitsPairKernel(s)
	}
	g.packBitsKernel(true)
	g.packBitsKernel(false)
	// The row-by-row packers: A^T panels of the AVX-512 (10) and AVX2 (6)
	// kernels, 16-column panels of B.
	g.packRowsKernel("packATRows10AVX2", "a", 10, false)
	g.packRowsKernel("packATRows6AVX2", "a", 6, false)
	g.packRowsKernel("packBRows16AVX2", "b", 16, true)
	// The transposing packers: 6 rows of a row-major A (AVX2 kernels), 16
	// rows of the B of the A*B^T products at both widths.
	g.packTKernel("packA6AVX2", "a", 6, 8)
	g.packTKernel("packBT16AVX2", "b", 16, 8)
	g.packTKernel("packBT16AVX512", "b", 16, 16)
	if _, err := os.Stdout.WriteString(g.b.String()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
