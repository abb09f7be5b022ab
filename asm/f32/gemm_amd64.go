//go:build amd64 && gc && !purego

package f32

// Kernel identities and the dispatch of the products on amd64.
const (
	kGeneric = iota
	kAVX2
	kAVX512
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

// activeKern returns the micro-kernel of the active implementation, in the
// order of preference of the dispatch booleans.
func activeKern() kern {
	switch {
	case useAVX512:
		return kern{id: kAVX512, mr: 10, nr: 32, nsplit: 16, direct: true, directT: true, directB: true, bnr: 64, bvw: 16, bkh: bitsRows}
	case useAVX2:
		return kern{id: kAVX2, mr: 6, nr: 16, nsplit: 8, direct: true, directT: true, directTail: true, bnr: 64, bvw: 8, bkh: bitsRows}
	}
	return kern{id: kGeneric, mr: mrGo, nr: nrGo, nsplit: nrGo, bnr: bitsNR, bvw: 16, bkh: kc}
}

// tile computes the rows x cols corner of one mr x nr tile of C by the
// rounding contract, from A(i, p) at ap[i + p*aks] (a packed micro-panel,
// aks = mr, or the columns of A^T in place) or, when arow is not nil, at
// arow[i*lda + p] (rows of A in place), and B(p, j) in the packed panel
// bp or, when brow is not nil (directB kernels: cols == nr or cols <= nr/2), at
// brow[p*ldb + j] (rows of B in place). With skip > 0 (directTail: the last,
// partial row tile), arow starts skip rows above the tile: the kernel
// computes all mr rows and the last rows of them are stored.
func (k kern) tile(buf *threadBuf, kb int, ap []float32, aks int, arow []float32, lda int, bp, brow []float32, ldb int, c []float32, ldc int, alpha, beta float32, skip, rows, cols int, pf pfRows) {
	switch k.id {
	case kGeneric:
		kernelGo(kb, ap, bp, c, ldc, alpha, beta, rows, cols)
		return
	case kAVX512:
		mask := uint32(uint64(1)<<cols - 1)
		var pfp *float32
		if pf.rows > 0 {
			pfp = &pf.p[0]
		}
		switch {
		case rows <= 2 && arow == nil && brow != nil && cols <= 16:
			kernel2x16StepBRowsAVX512(kb, &ap[0], aks, &brow[0], ldb, &c[0], ldc, alpha, beta, rows, mask)
		case rows <= 2 && arow == nil && brow != nil:
			kernel2x32StepBRowsAVX512(kb, &ap[0], aks, &brow[0], ldb, &c[0], ldc, alpha, beta, rows, mask)
		case rows <= 2 && arow == nil && cols <= 16:
			kernel2x16StepAVX512(kb, &ap[0], aks, &bp[0], &c[0], ldc, alpha, beta, rows, mask)
		case rows <= 2 && arow == nil:
			kernel2x32StepAVX512(kb, &ap[0], aks, &bp[0], &c[0], ldc, alpha, beta, rows, mask)
		case brow != nil && arow != nil && cols <= 8:
			kernel10x8RowsBRowsAVX512(kb, &arow[0], lda, &brow[0], ldb, &c[0], ldc, alpha, beta, rows, mask)
		case brow != nil && cols <= 8:
			kernel10x8StepBRowsAVX512(kb, &ap[0], aks, &brow[0], ldb, &c[0], ldc, alpha, beta, rows, mask)
		case brow != nil && arow != nil && cols <= 16:
			kernel10x16RowsBRowsAVX512(kb, &arow[0], lda, &brow[0], ldb, &c[0], ldc, alpha, beta, rows, mask, pfp, pf.rows)
		case brow != nil && cols <= 16:
			kernel10x16StepBRowsAVX512(kb, &ap[0], aks, &brow[0], ldb, &c[0], ldc, alpha, beta, rows, mask, pfp, pf.rows)
		case brow != nil && arow != nil:
			kernel10x32RowsBRowsAVX512(kb, &arow[0], lda, &brow[0], ldb, &c[0], ldc, alpha, beta, rows, mask, pfp, pf.rows)
		case brow != nil:
			kernel10x32StepBRowsAVX512(kb, &ap[0], aks, &brow[0], ldb, &c[0], ldc, alpha, beta, rows, mask, pfp, pf.rows)
		case arow != nil && cols <= 8:
			kernel10x8RowsAVX512(kb, &arow[0], lda, &bp[0], &c[0], ldc, alpha, beta, rows, mask)
		case cols <= 8:
			kernel10x8StepAVX512(kb, &ap[0], aks, &bp[0], &c[0], ldc, alpha, beta, rows, mask)
		case arow != nil && cols <= 16:
			kernel10x16RowsAVX512(kb, &arow[0], lda, &bp[0], &c[0], ldc, alpha, beta, rows, mask)
		case arow != nil && pfp != nil:
			kernel10x32RowsPfAVX512(kb, &arow[0], lda, &bp[0], &c[0], ldc, alpha, beta, rows, mask, pfp, ldb, pf.rows)
		case arow != nil:
			kernel10x32RowsAVX512(kb, &arow[0], lda, &bp[0], &c[0], ldc, alpha, beta, rows, mask)
		case cols <= 16:
			kernel10x16StepAVX512(kb, &ap[0], aks, &bp[0], &c[0], ldc, alpha, beta, rows, mask)
		case pfp != nil:
			kernel10x32StepPfAVX512(kb, &ap[0], aks, &bp[0], &c[0], ldc, alpha, beta, rows, mask, pfp, ldb, pf.rows)
		default:
			kernel10x32StepAVX512(kb, &ap[0], aks, &bp[0], &c[0], ldc, alpha, beta, rows, mask)
		}
		return
	}
	narrow := cols <= 8
	if rows == 6 && (cols == 16 || cols == 8) {
		tileAVX2(kb, ap, aks, arow, lda, bp, c, ldc, alpha, beta, narrow)
		return
	}
	t := buf.tile[:6*16]
	tileAVX2(kb, ap, aks, arow, lda, bp, t, 16, alpha, 0, narrow)
	mergeTile(c, ldc, t[skip*16:], 16, beta, rows, cols)
}

// hasTiles reports whether tiles has a kernel for the implementation.
func (k kern) hasTiles() bool { return k.id == kAVX512 || k.id == kAVX2 }

// tiles computes nt whole mr x nr tiles side by side (the first rows rows
// of each) in one kernel call, from the operands of tile with the packed
// panels of B for the tiles one after the other in bp (kb*nr floats each)
// and their C nr columns apart; it reports false, computing nothing, where
// the implementation has no such kernel (then the caller calls tile for
// each). The same bits as tile.
func (k kern) tiles(kb int, ap []float32, aks int, arow []float32, lda int, bp []float32, c []float32, ldc int, alpha, beta float32, rows, nt int) bool {
	switch k.id {
	case kAVX512:
		const mask = ^uint32(0)
		if arow != nil {
			kernel10x32RowsNAVX512(kb, &arow[0], lda, &bp[0], &c[0], ldc, alpha, beta, rows, mask, nt)
		} else {
			kernel10x32StepNAVX512(kb, &ap[0], aks, &bp[0], &c[0], ldc, alpha, beta, rows, mask, nt)
		}
		return true
	case kAVX2:
		switch {
		case rows != 6:
			// No row mask: a partial row tile goes through tile's
			// scratch tile.
			return false
		case arow != nil:
			kernel6x16RowsNAVX2(kb, &arow[0], lda, &bp[0], &c[0], ldc, alpha, beta, nt)
		case aks != 6:
			kernel6x16StepNAVX2(kb, &ap[0], aks, &bp[0], &c[0], ldc, alpha, beta, nt)
		default:
			kernel6x16NAVX2(kb, &ap[0], &bp[0], &c[0], ldc, alpha, beta, nt)
		}
		return true
	}
	return false
}

func tileAVX2(kb int, ap []float32, aks int, arow []float32, lda int, bp, c []float32, ldc int, alpha, beta float32, narrow bool) {
	switch {
	case arow != nil && narrow:
		kernel6x8RowsAVX2(kb, &arow[0], lda, &bp[0], &c[0], ldc, alpha, beta)
	case arow != nil:
		kernel6x16RowsAVX2(kb, &arow[0], lda, &bp[0], &c[0], ldc, alpha, beta)
	case aks != 6 && narrow:
		kernel6x8StepAVX2(kb, &ap[0], aks, &bp[0], &c[0], ldc, alpha, beta)
	case aks != 6:
		kernel6x16StepAVX2(kb, &ap[0], aks, &bp[0], &c[0], ldc, alpha, beta)
	case narrow:
		kernel6x8AVX2(kb, &ap[0], &bp[0], &c[0], ldc, alpha, beta)
	default:
		kernel6x16AVX2(kb, &ap[0], &bp[0], &c[0], ldc, alpha, beta)
	}
}

// packA packs the mb x kb block of A at (i0, p0) into mr-row micro-panels
// (see packAGo).
func (k kern) packA(dst, a []float32, ars, acs, i0, mb, p0, kb int) {
	if k.id == kGeneric {
		packAGo(k.mr, dst, a, ars, acs, i0, mb, p0, kb)
		return
	}
	if acs != 1 {
		// Whole panels along the rows of A, 8 rows at a time (columns of
		// A^T 4 KB apart would all fall into one L1 set), then the
		// partial one.
		if np := mb / k.mr; np > 0 && k.mr == 10 {
			packATRows10AVX2(kb, &a[p0*acs+i0], acs, np, &dst[0])
		} else if np > 0 {
			packATRows6AVX2(kb, &a[p0*acs+i0], acs, np, &dst[0])
		}
		if r := mb % k.mr; r > 0 {
			ir := mb - r
			packAPanelGo(k.mr, dst[ir*kb:ir*kb+kb*k.mr], a, ars, acs, i0+ir, r, p0, kb)
		}
		return
	}
	if k.id == kAVX512 {
		packAGo(k.mr, dst, a, ars, acs, i0, mb, p0, kb)
		return
	}
	for ir := 0; ir < mb; ir += 6 {
		if rows := min(6, mb-ir); rows < 6 {
			packAPanelGo(6, dst[ir*kb:ir*kb+kb*6], a, ars, acs, i0+ir, rows, p0, kb)
		} else {
			packA6AVX2(kb, &a[(i0+ir)*ars+p0], ars, &dst[ir*kb])
		}
	}
}

// packB packs the kb x nb panel of B at (p0, j0) into 16-column
// micro-panels (see packBGo): the AVX-512 kernels read a 32-column panel
// as two consecutive 16-column ones.
func (k kern) packB(dst, b []float32, brs, bcs, p0, kb, j0, nb int) {
	if k.id == kGeneric {
		packBGo(k.nr, dst, b, brs, bcs, p0, kb, j0, nb)
		return
	}
	if bcs == 1 {
		// Whole panels row by row of B, then the partial one.
		if np := nb / 16; np > 0 {
			packBRows16AVX2(kb, &b[p0*brs+j0], brs, np, &dst[0])
		}
		if r := nb % 16; r > 0 {
			jr := nb - r
			packBPanelGo(16, dst[jr*kb:jr*kb+kb*16], b, brs, bcs, p0, kb, j0+jr, r)
		}
		return
	}
	for jr := 0; jr < nb; jr += 16 {
		cols := min(16, nb-jr)
		d := dst[jr*kb : jr*kb+kb*16]
		if cols < 16 {
			packBPanelGo(16, d, b, brs, bcs, p0, kb, j0+jr, cols)
		} else {
			packBT16(k.id == kAVX512, kb, b[(j0+jr)*bcs+p0:], bcs, d)
		}
	}
}

// packBT16 packs 16 rows of the row-major matrix b (stride ldb)
// transposed, kb columns: dst[p*16+j] = b[j*ldb+p]. With avx512 the whole
// groups of 16 columns go through packBT16AVX512 (16 x 16 transposes in
// zmm registers) and the rest through packBT16AVX2 (8 x 8 ymm ones; both
// from packTKernel in _gen/gemm/pack.go). Packing took 6.4% of
// (100x400)(1600x400)^T with the AVX2 packer alone and 5.8% with the
// AVX-512 one (Zen 5, one thread, pprof, 2026-12-03), 9-12% in a later
// profile with the sigmoid form: its B comes from beyond L2, and both
// pack 13-15 floats/ns from there and 26-28 from L1 (BenchmarkPackBT).
// Packing the next panel in pieces between the row tiles of the one
// before, so that its loads would overlap the tiles' FMAs, made that
// product 5% slower on one thread (the second 32 KB panel pushed the
// first out of L1; tried 2026-12-03, not kept).
func packBT16(avx512 bool, kb int, b []float32, ldb int, dst []float32) {
	k16 := 0
	if avx512 {
		k16 = kb &^ 15
	}
	if k16 > 0 {
		packBT16AVX512(k16, &b[0], ldb, &dst[0])
	}
	if kb > k16 {
		packBT16AVX2(kb-k16, &b[k16], ldb, &dst[16*k16])
	}
}

// prefetchRows hints that the first bytes of rows rows of stride ld floats
// at p will be read soon.
func (k kern) prefetchRows(p []float32, ld, rows, bytes int) {
	if k.id != kGeneric {
		prefetchRowsAVX2(&p[0], ld, rows, bytes)
	}
}

// The generated micro-kernels (gemm_kernels_amd64.s, from _gen/gemm).
// kernel10x32StepAVX512 computes the rows x 32 corner of a 10 x 32 tile,
// A(i, p) at a[i + p*ks] (ks = 10 for a packed panel), B packed as two
// 16-column panels (b, then b[kb*16:]), storing the columns whose bit is
// set in mask (bit j: column j):
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < 32; j++ {
//			if mask>>j&1 == 0 { continue }
//			var s float32
//			for p := 0; p < kb; p++ {
//				s = fma(a[i+p*ks], b[(j/16)*kb*16+p*16+j%16], s)
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // rounded as roundingContract says
//		}
//	}
//
//go:noescape
func kernel10x32StepAVX512(kb int, a *float32, ks int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

// kernel10x32StepNAVX512 and kernel10x32RowsNAVX512 are
// kernel10x32StepAVX512 and kernel10x32RowsAVX512 on nt >= 1 tiles side by
// side: tile t reads its B at b + t*kb*32 and writes its C at c + t*32.
//
//go:noescape
func kernel10x32StepNAVX512(kb int, a *float32, ks int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32, nt int)

//go:noescape
func kernel10x32RowsNAVX512(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32, nt int)

// kernel10x32StepPfAVX512 and kernel10x32RowsPfAVX512 are
// kernel10x32StepAVX512 and kernel10x32RowsAVX512 that also hint into L2,
// in each of their first pfn groups of four depth steps, the 128 bytes at
// pf, pf + pfld, ... (floats): a share of the source of the micro-panel
// of B packed after this one (nextPanelChunk).
//
//go:noescape
func kernel10x32StepPfAVX512(kb int, a *float32, ks int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32, pf *float32, pfld, pfn int)

//go:noescape
func kernel10x32RowsPfAVX512(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32, pf *float32, pfld, pfn int)

// kernel10x16StepAVX512 is kernel10x32StepAVX512 on one 16-column panel
// (j < 16, mask bits 0..15).
//
//go:noescape
func kernel10x16StepAVX512(kb int, a *float32, ks int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

// kernel10x32RowsBRowsAVX512 is kernel10x32RowsAVX512 with B(p, j) at
// b[p*ldb + j] (32 columns of a row-major B read in place). Each of its
// first pfn groups of four depth steps also hints the first 128 bytes of
// one row of pf, pf + ldb, ... into L2 (pfRows); the BRows kernels of 16
// columns take the same two arguments.
//
//go:noescape
func kernel10x32RowsBRowsAVX512(kb int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint32, pf *float32, pfn int)

// kernel10x32StepBRowsAVX512 is kernel10x32StepAVX512 with B(p, j) at
// b[p*ldb + j] (32 columns of a row-major B read in place).
//
//go:noescape
func kernel10x32StepBRowsAVX512(kb int, a *float32, ks int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint32, pf *float32, pfn int)

// kernel10x16RowsBRowsAVX512 and kernel10x16StepBRowsAVX512 are the
// 32-column BRows kernels on one vector of 16 columns (mask bits 0..15),
// and kernel10x8RowsBRowsAVX512 and kernel10x8StepBRowsAVX512 on one ymm
// vector of 8 (mask bits 0..7): edge tiles of a row-major B read in place.
// They load B under the mask, so no element past the last column is read.
//
//go:noescape
func kernel10x16RowsBRowsAVX512(kb int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint32, pf *float32, pfn int)

//go:noescape
func kernel10x16StepBRowsAVX512(kb int, a *float32, ks int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint32, pf *float32, pfn int)

//go:noescape
func kernel10x8RowsBRowsAVX512(kb int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

//go:noescape
func kernel10x8StepBRowsAVX512(kb int, a *float32, ks int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

// kernel10x8StepAVX512 is kernel10x32StepAVX512 on the left 8 columns of
// one 16-column panel (j < 8, mask bits 0..7), with ymm vectors.
//
//go:noescape
func kernel10x8StepAVX512(kb int, a *float32, ks int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

// kernel10x8RowsAVX512 is kernel10x32RowsAVX512 on the left 8 columns of
// one 16-column panel, with ymm vectors.
//
//go:noescape
func kernel10x8RowsAVX512(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

// kernel2x32StepAVX512, kernel2x16StepAVX512, kernel2x32StepBRowsAVX512
// and kernel2x16StepBRowsAVX512 are kernel10x32StepAVX512,
// kernel10x16StepAVX512, kernel10x32StepBRowsAVX512 and
// kernel10x16StepBRowsAVX512 for tiles of at most two rows (rows <= 2;
// the 16-column BRows kernel loads B under the mask, without prefetch
// arguments): the same FMA chains, for two rows instead of ten.
//
//go:noescape
func kernel2x32StepAVX512(kb int, a *float32, ks int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

//go:noescape
func kernel2x16StepAVX512(kb int, a *float32, ks int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

//go:noescape
func kernel2x32StepBRowsAVX512(kb int, a *float32, ks int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

//go:noescape
func kernel2x16StepBRowsAVX512(kb int, a *float32, ks int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

// kernel10x32RowsAVX512 is kernel10x32StepAVX512 with A(i, p) at
// a[i*lda + p] (10 rows of a row-major A read in place; rows must be 10
// unless the rows beyond are readable).
//
//go:noescape
func kernel10x32RowsAVX512(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

// kernel10x16RowsAVX512 is kernel10x32RowsAVX512 on one 16-column panel.
//
//go:noescape
func kernel10x16RowsAVX512(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32, rows int, mask uint32)

// kernel6x16AVX2 computes the 6x16 tile c = alpha*A*B + beta*c from packed
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
func kernel6x16AVX2(kb int, a, b, c *float32, ldc int, alpha, beta float32)

// kernel6x8AVX2 is kernel6x16AVX2 on the left 8 columns of the packed
// 16-wide B panel (for the last, narrow panel of a product):
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 8; j++ {
//			var s float32
//			for p := 0; p < kb; p++ {
//				s = fma(a[p*6+i], b[p*16+j], s)
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // rounded as roundingContract says
//		}
//	}
//
//go:noescape
func kernel6x8AVX2(kb int, a, b, c *float32, ldc int, alpha, beta float32)

// kernel6x16RowsAVX2 is kernel6x16AVX2 with A read in place from 6 rows of
// the row-major A (stride lda) instead of a packed panel:
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < kb; p++ {
//				s = fma(a[i*lda+p], b[p*16+j], s)
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // rounded as roundingContract says
//		}
//	}
//
//go:noescape
func kernel6x16RowsAVX2(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32)

// kernel6x8RowsAVX2 is kernel6x16RowsAVX2 on the left 8 columns of the
// packed B panel (j < 8 above).
//
//go:noescape
func kernel6x8RowsAVX2(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32)

// kernel6x16StepAVX2 is kernel6x16AVX2 with A(i, p) at a[i + p*ks]: the
// columns of a row-major A^T (stride ks) read in place instead of a packed
// panel (s = fma(a[p*ks+i], b[p*16+j], s) above); kernel6x8StepAVX2 is the
// same on the left 8 columns of the packed B panel.
//
//go:noescape
func kernel6x16StepAVX2(kb int, a *float32, ks int, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernel6x8StepAVX2(kb int, a *float32, ks int, b, c *float32, ldc int, alpha, beta float32)

// kernel6x16NAVX2, kernel6x16RowsNAVX2 and kernel6x16StepNAVX2 are
// kernel6x16AVX2, kernel6x16RowsAVX2 and kernel6x16StepAVX2 on nt >= 1
// whole tiles side by side: tile t reads its B at b + t*kb*16 and writes
// its C at c + t*16.
//
//go:noescape
func kernel6x16NAVX2(kb int, a, b, c *float32, ldc int, alpha, beta float32, nt int)

//go:noescape
func kernel6x16RowsNAVX2(kb int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32, nt int)

//go:noescape
func kernel6x16StepNAVX2(kb int, a *float32, ks int, b, c *float32, ldc int, alpha, beta float32, nt int)

// packBT16AVX2 (generated: _gen/gemm/pack.go) packs 16 rows of the
// row-major n x k matrix b (stride ldb) transposed, for B^T products:
//
//	for p := 0; p < kb; p++ {
//		for j := 0; j < 16; j++ {
//			dst[p*16+j] = b[j*ldb+p]
//		}
//	}
//
//go:noescape
func packBT16AVX2(kb int, b *float32, ldb int, dst *float32)

// packBT16AVX512 is packBT16AVX2 for kb a multiple of 16 (at least 16),
// in 16 x 16 transposes in zmm registers; it requires AVX-512F.
//
//go:noescape
func packBT16AVX512(kb int, b *float32, ldb int, dst *float32)

// packA6AVX2 (generated, with the B^T packers) interleaves 6 rows of the row-major m x k matrix a (stride
// lda) for the micro-kernel; it may write 2 floats past dst[kb*6]:
//
//	for p := 0; p < kb; p++ {
//		for i := 0; i < 6; i++ {
//			dst[p*6+i] = a[i*lda+p]
//		}
//	}
//
//go:noescape
func packA6AVX2(kb int, a *float32, lda int, dst *float32)

// packATRows10AVX2 packs np >= 1 consecutive 10-column panels of the
// row-major k x m matrix a (kb >= 1), reading along the rows of a, 8
// rows at a time (packRowsGrouped in _gen/gemm):
//
//	for p := 0; p < kb; p++ {
//		for r := 0; r < np; r++ {
//			for i := 0; i < 10; i++ {
//				dst[r*kb*10+p*10+i] = a[p*lda+r*10+i]
//			}
//		}
//	}
//
//go:noescape
func packATRows10AVX2(kb int, a *float32, lda int, np int, dst *float32)

// packATRows6AVX2 is packATRows10AVX2 with 6-column panels.
//
//go:noescape
func packATRows6AVX2(kb int, a *float32, lda int, np int, dst *float32)

// packBRows16AVX2 packs np >= 1 consecutive 16-column panels of the
// row-major k x n matrix b (kb >= 1), reading along the rows of b:
//
//	for p := 0; p < kb; p++ {
//		for r := 0; r < np; r++ {
//			for j := 0; j < 16; j++ {
//				dst[r*kb*16+p*16+j] = b[p*ldb+r*16+j]
//			}
//		}
//	}
//
//go:noescape
func packBRows16AVX2(kb int, b *float32, ldb int, np int, dst *float32)

// prefetchRowsAVX2 hints that the first bytes of rows rows of stride ld
// floats starting at p will be read soon (prefetch into L2); it reads nothing.
//
//go:noescape
func prefetchRowsAVX2(p *float32, ld, rows, bytes int)
