//go:build arm64 && gc && !purego

package f32

// Kernel identities and the dispatch of the products on arm64.
const (
	kGeneric = iota
	kNEON
)

// kern describes the micro-kernel of the active implementation: its mr x nr
// register tile, the column unit of a thread split (nsplit), and whether it
// can read a row-major A in place (direct).
type kern struct {
	id             int
	mr, nr, nsplit int
	direct         bool // reads the rows of a row-major A in place
	directT        bool // reads the columns of a row-major A^T in place
	directB        bool // reads whole tiles of a row-major B in place
	// directTail: the last, partial row tile of a row-major A is read in
	// place as the last mr rows (computed whole, the first skip not stored).
	directTail bool
	// The Bits kernel's widest column panel (bnr), its vector width in
	// columns (bvw), and the rows of B it adds per call (bkh, a multiple of
	// 64 that divides kc).
	bnr, bvw, bkh int
}

// activeKern returns the micro-kernel of the active implementation.
func activeKern() kern {
	if useNEON {
		// Bits: 64 columns (16 q registers of sums); parts of 128 rows of
		// B, 64 x 128 x 4 bytes = 32 KB, which stay in a 64 KB L1D (Neoverse
		// N1/V1/N2, Cortex-A76 and later) next to the streamed bits, sums and
		// C, while every row of the chunk reads them; 256 rows would fill it.
		return kern{id: kNEON, mr: 6, nr: 16, nsplit: 16, bnr: 64, bvw: 4, bkh: 128}
	}
	return kern{id: kGeneric, mr: mrGo, nr: nrGo, nsplit: nrGo, bnr: bitsNR, bvw: 16, bkh: kc}
}

// tile computes the rows x cols corner of one mr x nr tile of C by the
// rounding contract from the packed panels ap and bp (arrow is unused: no
// arm64 kernel reads A in place).
func (k kern) tile(buf *threadBuf, kb int, ap []float32, aks int, arow []float32, lda int, bp, brow []float32, ldb int, c []float32, ldc int, alpha, beta float32, skip, rows, cols int, _ pfRows) {
	if k.id == kGeneric {
		kernelGo(kb, ap, bp, c, ldc, alpha, beta, rows, cols)
		return
	}
	if rows == 6 && cols == 16 {
		kernel6x16NEON(kb, &ap[0], &bp[0], &c[0], ldc, alpha, beta)
		return
	}
	t := buf.tile[:6*16]
	kernel6x16NEON(kb, &ap[0], &bp[0], &t[0], 16, alpha, 0)
	mergeTile(c, ldc, t, 16, beta, rows, cols)
}

// hasTiles reports whether tiles has a kernel for the implementation:
// never here.
func (k kern) hasTiles() bool { return false }

// tiles reports false: no kernel of several tiles here (see amd64's).
func (k kern) tiles(kb int, ap []float32, aks int, arow []float32, lda int, bp []float32, c []float32, ldc int, alpha, beta float32, rows, nt int) bool {
	return false
}

func (k kern) packA(dst, a []float32, ars, acs, i0, mb, p0, kb int) {
	packAGo(k.mr, dst, a, ars, acs, i0, mb, p0, kb)
}

func (k kern) packB(dst, b []float32, brs, bcs, p0, kb, j0, nb int) {
	packBGo(k.nr, dst, b, brs, bcs, p0, kb, j0, nb)
}

func (k kern) prefetchRows(p []float32, ld, rows, bytes int) {}

// kernel6x16NEON computes the 6x16 tile c = alpha*A*B + beta*c from packed
// panels (a: kb groups of 6, b: kb groups of 16; c not read when beta == 0):
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < kb; p++ {
//				s = fma(a[p*6+i], b[p*16+j], s)
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // rounded as roundingContract says
//		}
//	}
//
//go:noescape
func kernel6x16NEON(kb int, a, b, c *float32, ldc int, alpha, beta float32)
