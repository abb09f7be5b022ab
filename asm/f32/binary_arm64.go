//go:build arm64 && gc && !purego

package f32

// sumBits runs the Bits kernel of the active implementation (sumBitsGo's
// contract) on up to bnr columns: NEON adds the whole 4-float vectors of
// the panel (up to 16 q registers, 64 columns) per selected row of B, and
// the last cols%4 columns go to sumBitsGo, which is exact because every
// column is summed on its own.
func (k kern) sumBits(rows int, bw []uint64, bstride, nw int, b []float32, ps, vs int, t, c []float32, ldc int, alpha, beta float32, mode, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	if k.id != kNEON {
		sumBitsGo(rows, bw, bstride, nw, b, ps, vs, t, c, ldc, alpha, beta, mode, cols)
		return
	}
	nv := cols / 4
	if nv > 0 {
		sumBitsNEON(rows, &bw[0], bstride, nw, &b[0], ps, vs, &t[0], &c[0], ldc, alpha, beta, mode, nv)
	}
	if j0 := 4 * nv; j0 < cols {
		// Columns j0.. lie in one 16-column group (j0%16 <= 12, at most 3
		// columns), so B(p, j0+j) is b[p*ps + (j0/16)*vs + j0%16 + j].
		sumBitsGo(rows, bw, bstride, nw, b[(j0/16)*vs+j0%16:], ps, vs, t[j0:], c[j0:], ldc, alpha, beta, mode, cols-j0)
	}
}

// packBitsArch packs with the portable code: no NEON pack kernel.
func packBitsArch(w []uint64, ws int, a []float32, rows, cols, lda int) bool {
	return packBitsGo(w, ws, a, rows, cols, lda)
}

// sumBitsNEON is sumBitsGo's contract on the first 4*nv columns (1 <= nv
// <= 16, rows >= 1): vector v (columns 4v..4v+3) of B's row p is at
// b[p*ps + (v/4)*vs + 4*(v%4)], of t's row i at t[i*bitsNR + 4v] and of
// C's row i at c[i*ldc + 4v]:
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < 4*nv; j++ {
//			s := +0, or t[i*64+j] when mode&bitsCont != 0
//			for each set bit p of bw[i*bstride : i*bstride+nw], in increasing order {
//				s += B(p, j) // FADD
//			}
//			if mode&bitsFinal != 0 {
//				u := alpha * s // FMUL
//				c[i*ldc+j] = u, or fma(beta, c[i*ldc+j], u) when beta != 0 // FMLA
//			} else {
//				t[i*64+j] = s
//			}
//		}
//	}
//
//go:noescape
func sumBitsNEON(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode, nv int)
