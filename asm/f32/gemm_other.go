//go:build (!amd64 && !arm64) || !gc || purego

package f32

// Only the portable kernels in this build.
const kGeneric = 0

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

func activeKern() kern {
	return kern{id: kGeneric, mr: mrGo, nr: nrGo, nsplit: nrGo, bnr: bitsNR, bvw: 16, bkh: kc}
}

// tile computes the rows x cols corner of one tile of C by the rounding
// contract from the packed panels ap and bp.
func (k kern) tile(buf *threadBuf, kb int, ap []float32, aks int, arow []float32, lda int, bp, brow []float32, ldb int, c []float32, ldc int, alpha, beta float32, skip, rows, cols int, _ pfRows) {
	kernelGo(kb, ap, bp, c, ldc, alpha, beta, rows, cols)
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
