//go:build amd64 && gc && !purego

package f32

// noBitsPair runs every row of C through the one-row kernels of an
// implementation that also has kernels for pairs of rows (AVX-512), so
// that tests and benchmarks can compare the two.
var noBitsPair bool

// sumBits runs the Bits kernel of the active implementation (sumBitsGo's
// contract) on up to bnr columns: AVX-512 adds up to 4 zmm (64 columns)
// per selected row of B, the last under a lane mask; AVX2 up to 8 ymm (64
// columns), a partial last vector by VMASKMOVPS.
func (k kern) sumBits(rows int, bw []uint64, bstride, nw int, b []float32, ps, vs int, t, c []float32, ldc int, alpha, beta float32, mode, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	switch k.id {
	case kAVX512:
		nv := (cols + 15) / 16
		mask := uint32(1)<<uint(cols-16*(nv-1)) - 1
		fn := [...]func(int, *uint64, int, int, *float32, int, int, *float32, *float32, int, float32, float32, int, uint32){
			sumBits1AVX512, sumBits2AVX512, sumBits3AVX512, sumBits4AVX512}[nv-1]
		pair := rows / 2 * 2
		if pair > 0 && !noBitsPair {
			pf := [...]func(int, *uint64, int, int, *float32, int, int, *float32, *float32, int, float32, float32, int, uint32){
				sumBits1PairAVX512, sumBits2PairAVX512, sumBits3PairAVX512, sumBits4PairAVX512}[nv-1]
			pf(pair, &bw[0], bstride, nw, &b[0], ps, vs, &t[0], &c[0], ldc, alpha, beta, mode, mask)
			if pair == rows {
				return
			}
			fn(1, &bw[pair*bstride], bstride, nw, &b[0], ps, vs, &t[pair*bitsNR], &c[pair*ldc], ldc, alpha, beta, mode, mask)
			return
		}
		fn(rows, &bw[0], bstride, nw, &b[0], ps, vs, &t[0], &c[0], ldc, alpha, beta, mode, mask)
		return
	case kAVX2:
		nv := (cols + 7) / 8
		rem := cols - 8*(nv-1)
		mask := &laneMasks[8-rem]
		if rem == 8 {
			fn := [...]func(int, *uint64, int, int, *float32, int, int, *float32, *float32, int, float32, float32, int, *int32){
				sumBits1AVX2, sumBits2AVX2, sumBits3AVX2, sumBits4AVX2,
				sumBits5AVX2, sumBits6AVX2, sumBits7AVX2, sumBits8AVX2}[nv-1]
			fn(rows, &bw[0], bstride, nw, &b[0], ps, vs, &t[0], &c[0], ldc, alpha, beta, mode, mask)
			return
		}
		fn := [...]func(int, *uint64, int, int, *float32, int, int, *float32, *float32, int, float32, float32, int, *int32){
			sumBits1MAVX2, sumBits2MAVX2, sumBits3MAVX2, sumBits4MAVX2,
			sumBits5MAVX2, sumBits6MAVX2, sumBits7MAVX2, sumBits8MAVX2}[nv-1]
		fn(rows, &bw[0], bstride, nw, &b[0], ps, vs, &t[0], &c[0], ldc, alpha, beta, mode, mask)
		return
	}
	sumBitsGo(rows, bw, bstride, nw, b, ps, vs, t, c, ldc, alpha, beta, mode, cols)
}

// laneMasks[8-r : 16-r] is the VMASKMOVPS mask of the first r lanes.
var laneMasks = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// packBitsArch packs whole words with the active implementation's kernel
// and the last, partial word of each row in Go.
func packBitsArch(w []uint64, ws int, a []float32, rows, cols, lda int) bool {
	full := cols / 64
	ok := true
	switch {
	case full == 0:
	case useAVX512:
		ok = packBits64AVX512(rows, full, &w[0], ws, &a[0], lda)
	case useAVX2:
		ok = packBits64AVX2(rows, full, &w[0], ws, &a[0], lda)
	default:
		return packBitsGo(w, ws, a, rows, cols, lda)
	}
	if cols%64 == 0 {
		return ok
	}
	return packBitsTail(w, ws, a, rows, cols, lda, full) && ok
}

// sumBitsNPairAVX512 (generated) is sumBitsNAVX512 on rows/2 pairs of rows
// of C, walking the two rows' bits in lock step (each row's additions in
// its own chains, in increasing p): a turn has twice the independent
// additions. On the Zen 5 ("Oxide Virtual Turin-like"), half ones,
// BenchmarkGemmBitsPair, GFLOP per CPU-second at the float32 product's
// 2mnk, medians of 6 alternated runs, one-row -> pair kernels, one thread:
// sigmoid(A*B) of 100 x 400 with k = 1600 255 -> 280, sigmoid(A*B^T) of
// 100 x 1600 with k = 400 224 -> 241, (1600x100)^T(100x400) 300 -> 315;
// two threads (5 runs, GFLOP/s): 497 -> 541, 443 -> 478, 577 -> 602. The
// CD-1 epoch (BenchmarkEpoch, batch 100, 2 threads, 6 alternations) went
// from 0.403 to 0.385 s (2026-12-02). A turn still takes about as long
// per addition as the one-row kernel's: the kernels are bound by
// throughput (the loads and additions of 512 bits), not by the latency of
// the chains alone.
//
//go:noescape
func sumBits1PairAVX512(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask uint32)

//go:noescape
func sumBits2PairAVX512(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask uint32)

//go:noescape
func sumBits3PairAVX512(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask uint32)

//go:noescape
func sumBits4PairAVX512(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask uint32)

// The generated Bits kernels (gemm_kernels_amd64.s, from _gen/gemm/bits.go):
// sumBitsGo's contract on nv vectors of columns (cols <= 16*nv, the lanes
// past cols masked by mask, bit j: column 16*(nv-1)+j).
//
//go:noescape
func sumBits1AVX512(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask uint32)

//go:noescape
func sumBits2AVX512(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask uint32)

//go:noescape
func sumBits3AVX512(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask uint32)

//go:noescape
func sumBits4AVX512(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask uint32)

// sumBitsNAVX2 is sumBitsGo's contract on N whole ymm vectors of columns
// (cols = 8*N; mask unused); sumBitsNMAVX2 on N vectors whose last is
// partial, its lanes given by the VMASKMOVPS mask *mask.
//
//go:noescape
func sumBits1AVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits2AVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits3AVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits4AVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits1MAVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits2MAVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits3MAVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits4MAVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits5AVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits6AVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits7AVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits8AVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits5MAVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits6MAVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits7MAVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

//go:noescape
func sumBits8MAVX2(rows int, bw *uint64, bstride, nw int, b *float32, ps, vs int, t, c *float32, ldc int, alpha, beta float32, mode int, mask *int32)

// packBits64AVX512 and packBits64AVX2 pack the first nw*64 elements of
// each of rows rows of a (stride lda) into nw words per row of w (stride
// ws words), bit p%64 of word p/64 set iff element p is 1, and report
// whether every element was 0 or 1 (packBitsGo on whole words).
//
//go:noescape
func packBits64AVX512(rows, nw int, w *uint64, ws int, a *float32, lda int) (ok bool)

//go:noescape
func packBits64AVX2(rows, nw int, w *uint64, ws int, a *float32, lda int) (ok bool)
