package f32

import (
	"fmt"
	"math/bits"
)

// Bits is a 0/1 matrix packed 64 elements to a word: element (i, p) of the
// Rows x Cols matrix is bit p%64 of Words[i*Stride+p/64], Stride =
// (Cols+63)/64, and the bits past Cols in each row are zero. The *Bits
// products take their A as Bits: training data and sampled units are 0 or
// 1, and a product by a 0/1 matrix only has to add the rows of B its ones
// select.
type Bits struct {
	Rows, Cols, Stride int
	Words              []uint64
}

// reshape sets the shape of b, reusing its words when they suffice.
func (b *Bits) reshape(rows, cols int) []uint64 {
	b.Rows, b.Cols, b.Stride = rows, cols, cols/64+min(1, cols%64) // (cols+63)/64 without overflow
	n := rows * b.Stride
	if cap(b.Words) < n {
		b.Words = make([]uint64, n)
	}
	b.Words = b.Words[:n]
	return b.Words
}

// Pack sets b to the rows x cols matrix a (row stride lda) and reports
// whether every element is 0 or 1 (+0 or -0 count as 0). When it returns
// false, b holds the elements equal to 1 and must not be used as that
// matrix.
func (b *Bits) Pack(a []float32, rows, cols, lda int) bool {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("f32: Bits.Pack: negative dimension %d x %d", rows, cols))
	}
	checkMat("Bits.Pack", "a", rows, cols, a, lda)
	w := b.reshape(rows, cols)
	if rows == 0 || cols == 0 {
		return true
	}
	raceReadF32(a[:(rows-1)*lda+cols])
	raceWriteU64(w)
	return packBitsArch(w, b.Stride, a, rows, cols, lda)
}

// packBitsGo sets the rows of w (stride ws words) to the bits a == 1 of
// the rows of a, and reports whether every element is 0 or 1.
func packBitsGo(w []uint64, ws int, a []float32, rows, cols, lda int) bool {
	ok := true
	for i := 0; i < rows; i++ {
		row := a[i*lda : i*lda+cols]
		dst := w[i*ws : i*ws+ws]
		clear(dst)
		for p, v := range row {
			switch v {
			case 1:
				dst[p/64] |= 1 << uint(p%64)
			case 0:
			default:
				ok = false
			}
		}
	}
	return ok
}

// Transpose sets b to the transpose of src (src.Cols x src.Rows), reusing
// b's words when they suffice. src must be a Bits as Pack makes them
// (shape, stride, enough words, zero bits past Cols), and b's words, up to
// their capacity, must not share memory with src's: b must not be src or
// a copy of it. Transpose panics otherwise, before it writes b.
func (b *Bits) Transpose(src *Bits) {
	if b == src {
		panic("f32: Bits.Transpose: b and src are the same matrix")
	}
	checkBitsShape("Bits.Transpose", "src", src)
	if src.Rows == 0 || src.Cols == 0 {
		b.reshape(src.Cols, src.Rows) // no words
		return
	}
	if overlaps(b.Words[:cap(b.Words)], src.Words[:src.Rows*src.Stride]) {
		panic("f32: Bits.Transpose: b's words overlap src's in memory (b a copy of src?), want them apart")
	}
	w := b.reshape(src.Cols, src.Rows)
	clear(w)
	var blk [64]uint64
	for i0 := 0; i0 < src.Rows; i0 += 64 {
		for q := 0; q < src.Stride; q++ {
			rows := min(64, src.Rows-i0)
			for r := 0; r < rows; r++ {
				blk[r] = src.Words[(i0+r)*src.Stride+q]
			}
			clear(blk[rows:])
			transpose64(&blk)
			cols := min(64, src.Cols-q*64)
			for c := 0; c < cols; c++ {
				w[(q*64+c)*b.Stride+i0/64] = blk[c]
			}
		}
	}
}

// transpose64 transposes the 64 x 64 bit matrix a (bit j of a[i] is
// element (i, j)) in place, by swapping ever smaller off-diagonal blocks.
func transpose64(a *[64]uint64) {
	m := uint64(0x00000000FFFFFFFF)
	for j := 32; j != 0; j >>= 1 {
		for k := 0; k < 64; k = (k + j + 1) &^ j {
			t := (a[k]>>uint(j) ^ a[k+j]) & m
			a[k] ^= t << uint(j)
			a[k+j] ^= t
		}
		m ^= m << uint(j/2)
	}
}

// Ones returns the number of ones in row i of b.
func (b *Bits) Ones(i int) int {
	n := 0
	for _, w := range b.Words[i*b.Stride : (i+1)*b.Stride] {
		n += bits.OnesCount64(w)
	}
	return n
}

// checkBitsShape panics unless a (called name) is a Bits as Pack makes them:
// dimensions >= 0, Stride (Cols+63)/64, Words holding Rows*Stride words,
// no bit set past Cols in any row.
func checkBitsShape(fn, name string, a *Bits) {
	if a.Rows < 0 || a.Cols < 0 {
		panic(fmt.Sprintf("f32: %s: %s is a %d x %d Bits, want dimensions >= 0", fn, name, a.Rows, a.Cols))
	}
	stride := a.Cols/64 + min(1, a.Cols%64) // (Cols+63)/64 without overflow
	hi, lo := bits.Mul64(uint64(a.Rows), uint64(max(0, a.Stride)))
	if a.Stride != stride || hi != 0 || lo > uint64(len(a.Words)) {
		panic(fmt.Sprintf("f32: %s: %s is a %d x %d Bits with stride %d and %d words, want stride %d and at least rows*stride words",
			fn, name, a.Rows, a.Cols, a.Stride, len(a.Words), stride))
	}
	if a.Cols%64 == 0 {
		return
	}
	pad := ^uint64(0) << uint(a.Cols%64)
	for i := 0; i < a.Rows; i++ {
		if a.Words[i*a.Stride+a.Stride-1]&pad != 0 {
			panic(fmt.Sprintf("f32: %s: row %d of %s has bits set past column %d", fn, i, name, a.Cols))
		}
	}
}

// checkBitsArg panics unless a is a packed m x k matrix whose bits past k
// are zero (the kernels would read rows of B past k for them).
func checkBitsArg(fn string, a *Bits, m, k int) {
	if a.Rows != m || a.Cols != k || a.Stride != (k+63)/64 || len(a.Words) < m*a.Stride {
		panic(fmt.Sprintf("f32: %s: a is a %d x %d Bits (stride %d, %d words), want %d x %d",
			fn, a.Rows, a.Cols, a.Stride, len(a.Words), m, k))
	}
	if k%64 == 0 {
		return
	}
	pad := ^uint64(0) << uint(k%64)
	for i := 0; i < m; i++ {
		if a.Words[i*a.Stride+a.Stride-1]&pad != 0 {
			panic(fmt.Sprintf("f32: %s: row %d of a has bits set past column %d", fn, i, k))
		}
	}
}

// GemmNNBits is GemmNN with the 0/1 matrix A given as Bits (m x k): the
// same bits as GemmNN on A's float32 elements whenever B is finite. The
// contract is roundingContract's with the steps of A(i,p) = 0 left out
// (fma(0, B, s) = s for finite B) and fma(1, B, s) = s + B: each element of
// C is, per k-block, the float32 sum from +0 of the B(p, j) of its row's
// ones in increasing p, then scaled and combined as in roundingContract.
// A B with infinities or NaNs gives that sum, which is not GemmNN's.
func (w *Workspace) GemmNNBits(m, n, k int, alpha float32, a *Bits, b []float32, ldb int, beta float32, c []float32, ldc int) {
	w.enter("GemmNNBits")
	defer w.exit()
	checkBitsArg("GemmNNBits", a, m, k)
	checkGemmBC("GemmNNBits", false, m, n, k, b, ldb, c, ldc)
	w.gemm(gemmArgs{m: m, n: n, k: k, alpha: alpha, beta: beta, bits: a.Words, bstride: a.Stride,
		b: b, brs: ldb, bcs: 1, c: c, ldc: ldc})
}

// GemmNTBits is GemmNT with the 0/1 matrix A given as Bits (m x k), with
// the contract of GemmNNBits.
func (w *Workspace) GemmNTBits(m, n, k int, alpha float32, a *Bits, b []float32, ldb int, beta float32, c []float32, ldc int) {
	w.enter("GemmNTBits")
	defer w.exit()
	checkBitsArg("GemmNTBits", a, m, k)
	checkGemmBC("GemmNTBits", true, m, n, k, b, ldb, c, ldc)
	w.gemm(gemmArgs{m: m, n: n, k: k, alpha: alpha, beta: beta, bits: a.Words, bstride: a.Stride,
		b: b, brs: 1, bcs: ldb, c: c, ldc: ldc})
}

// SigmoidAffineNNBits is SigmoidAffineNN with the 0/1 matrix A given as
// Bits (m x k): P(h|v) for binary v, the contract of GemmNNBits.
func (w *Workspace) SigmoidAffineNNBits(m, n, k int, a *Bits, b []float32, ldb int, bias []float32, c []float32, ldc int) {
	w.enter("SigmoidAffineNNBits")
	defer w.exit()
	checkBitsArg("SigmoidAffineNNBits", a, m, k)
	checkGemmBC("SigmoidAffineNNBits", false, m, n, k, b, ldb, c, ldc)
	checkLen("SigmoidAffineNNBits", "bias", len(bias), n)
	w.gemm(gemmArgs{m: m, n: n, k: k, alpha: 1, beta: 0, bits: a.Words, bstride: a.Stride,
		b: b, brs: ldb, bcs: 1, c: c, ldc: ldc, bias: bias, sig: true})
}

// SigmoidAffineNTBits is SigmoidAffineNT with the 0/1 matrix A given as
// Bits (m x k): P(v|h) for sampled h, the contract of GemmNNBits.
func (w *Workspace) SigmoidAffineNTBits(m, n, k int, a *Bits, b []float32, ldb int, bias []float32, c []float32, ldc int) {
	w.enter("SigmoidAffineNTBits")
	defer w.exit()
	checkBitsArg("SigmoidAffineNTBits", a, m, k)
	checkGemmBC("SigmoidAffineNTBits", true, m, n, k, b, ldb, c, ldc)
	checkLen("SigmoidAffineNTBits", "bias", len(bias), n)
	w.gemm(gemmArgs{m: m, n: n, k: k, alpha: 1, beta: 0, bits: a.Words, bstride: a.Stride,
		b: b, brs: 1, bcs: ldb, c: c, ldc: ldc, bias: bias, sig: true})
}

// GemmTNPairBits is GemmTNPair with the 0/1 matrix A1 given as the Bits
// a1t of its transpose (m x k1: row i holds column i of A1): the data term
// v^T h of a CD gradient for binary v, the contract of GemmNNBits.
func (w *Workspace) GemmTNPairBits(m, n, k1 int, alpha1 float32, a1t *Bits, b1 []float32, ldb1 int, beta float32,
	k2 int, alpha2 float32, a2 []float32, lda2 int, b2 []float32, ldb2 int, c []float32, ldc int) {
	w.enter("GemmTNPairBits")
	defer w.exit()
	checkBitsArg("GemmTNPairBits", a1t, m, k1)
	checkGemmBC("GemmTNPairBits", false, m, n, k1, b1, ldb1, c, ldc)
	checkGemm("GemmTNPairBits", true, false, m, n, k2, a2, lda2, b2, ldb2, c, ldc)
	g1 := gemmArgs{m: m, n: n, k: k1, alpha: alpha1, beta: beta, bits: a1t.Words, bstride: a1t.Stride, b: b1, brs: ldb1, bcs: 1, c: c, ldc: ldc}
	g2 := gemmArgs{m: m, n: n, k: k2, alpha: alpha2, beta: 1, a: a2, ars: 1, acs: lda2, b: b2, brs: ldb2, bcs: 1, c: c, ldc: ldc}
	w.gemmPair(g1, g2, nil)
}

// GemmTNPairUpdateBits is GemmTNPairUpdate with A1 given as in
// GemmTNPairBits (c nil: the gradient not kept, as there).
func (w *Workspace) GemmTNPairUpdateBits(m, n, k1 int, alpha1 float32, a1t *Bits, b1 []float32, ldb1 int, beta float32,
	k2 int, alpha2 float32, a2 []float32, lda2 int, b2 []float32, ldb2 int, c []float32, u UpdateRule) {
	w.enter("GemmTNPairUpdateBits")
	defer w.exit()
	checkBitsArg("GemmTNPairUpdateBits", a1t, m, k1)
	ldc := max(1, n) // as in GemmTNPairUpdate
	checkGemmB("GemmTNPairUpdateBits", false, m, n, k1, b1, ldb1)
	checkGemmAB("GemmTNPairUpdateBits", true, false, m, n, k2, a2, lda2, b2, ldb2)
	checkGradC("GemmTNPairUpdateBits", m, n, c, ldc, beta)
	checkLenProduct("GemmTNPairUpdateBits", "u.W", len(u.W), m, n)
	checkLenProduct("GemmTNPairUpdateBits", "u.Vel", len(u.Vel), m, n)
	checkPairUpdateApart("GemmTNPairUpdateBits", m, n, k1, nil, 0, b1, ldb1, k2, a2, lda2, b2, ldb2, c, u)
	g1 := gemmArgs{m: m, n: n, k: k1, alpha: alpha1, beta: beta, bits: a1t.Words, bstride: a1t.Stride, b: b1, brs: ldb1, bcs: 1, c: c, ldc: ldc, noC: c == nil}
	g2 := gemmArgs{m: m, n: n, k: k2, alpha: alpha2, beta: 1, a: a2, ars: 1, acs: lda2, b: b2, brs: ldb2, bcs: 1, c: c, ldc: ldc, noC: c == nil}
	w.rule = u
	w.gemmPair(g1, g2, &w.rule)
	w.rule = UpdateRule{}
}

// Blocking of the Bits products (none changes a result): rows of C in
// chunks of bitsMC, whose running sums (bitsNR columns each) stay in the
// thread's sum buffer between the parts of a k-block.
const (
	bitsMC = 128
	bitsNR = 64 // the widest column panel of any implementation
)

// bitsRows is the rows of B that the x86 Bits kernels add per call
// (kern.bkh), from the L1D size; tests set it to run every part size.
var bitsRows = bitsPartRows(l1dSize)

// bitsPartRows returns the largest of kc, kc/2, ... 64 rows whose part of
// B, rows x bitsNR float32 columns, fills at most two thirds of an L1D of
// l1d bytes (32 KiB when unknown): the part stays in L1 while the bits,
// the running sums and C stream past it, and every row of the chunk
// reads it. A part that fills L1 falls out of it: on the Zen 5 of
// asm/f32/README.md (48 KiB L1D; BenchmarkGemmBits, one thread, 3
// alternations, GFLOP per CPU-second, AVX-512 and AVX2), sigmoid(A*B) of
// 100 x 400 with k = 1600 ran at 274-283 and 155-157 with parts of 128
// rows (32 KiB, two thirds), 266-271 and 149-152 with 64 (a third), and
// 240-248 and 131-136 with 192 (48 KiB, all of L1D), the state of a
// 128-row part on the 32 KiB L1D of Zen 3, Zen 4 and most Intel cores,
// which therefore get 64 rows (2026-12-02; no such CPU measured). The
// rows never change a sum: each element's additions run in the same order
// whatever the parts, their running sums stored and reloaded exactly.
func bitsPartRows(l1d int) int {
	if l1d <= 0 {
		l1d = 32 << 10
	}
	r := kc
	for r > 64 && 3*r*bitsNR*4 > 2*l1d {
		r /= 2
	}
	return r
}

// Sum modes of the Bits kernels.
const (
	bitsCont  = 1 // start from the running sums in t, not from +0
	bitsFinal = 2 // the k-block ends here: scale and combine into C, else store the sums in t
)

// bitsSerial runs a Bits product (g.bits set) on one goroutine: for each
// chunk of rows, column panel and k-block, the kernel adds the rows of B
// selected by the bits, in parts of kern.bkh rows of B (so that the
// panel's part stays in L1 while every row of the chunk reads it), then
// applies the epilogue of roundingContract. A B^T operand is packed in
// 16-column panels per k-block.
func bitsSerial(g *gemmArgs, buf *threadBuf) {
	kr := g.kern
	m, n, k := g.m, g.n, g.k
	nr, kh := kr.bnr, kr.bkh
	if len(buf.bsum) < bitsMC*bitsNR {
		buf.bsum = make([]float32, bitsMC*bitsNR)
	}
	pack := g.bcs != 1 || g.opts.bitsPacked || !g.opts.bitsInPlace && buf.crowded(true, g.brs, min(kh, k), nr)
	if pack {
		buf.grow(0, min(kc, k)*((nr+15)/16*16), 0)
	}
	for ic := 0; ic < m; ic += bitsMC {
		mb := min(bitsMC, m-ic)
		bw := g.bits[ic*g.bstride:]
		for jc, wide, jn := 0, 0, 0; jc < n; jc += jn {
			if jc == 0 {
				jn, wide = bitsPanel(n, nr, kr.bvw)
			} else if jc == wide {
				jn -= kr.bvw
			}
			cols := min(jn, n-jc)
			for pc := 0; pc < k; pc += kc {
				kb := min(kc, k-pc)
				var base []float32
				var ps, vs int
				if pack {
					packBits16(kr, buf.packB, g.b, g.brs, g.bcs, pc, kb, jc, cols)
					base, ps, vs = buf.packB, 16, 16*kb
				} else {
					base, ps, vs = g.b[pc*g.brs+jc:], g.brs, 16
				}
				beta := g.beta
				if pc > 0 {
					beta = 1
				}
				for h0 := 0; h0 < kb; h0 += kh {
					hl := min(kh, kb-h0)
					mode := 0
					if h0 > 0 {
						mode |= bitsCont
					}
					if h0+hl == kb {
						mode |= bitsFinal
					}
					kr.sumBits(mb, bw[(pc+h0)/64:], g.bstride, (hl+63)/64, base[h0*ps:], ps, vs, buf.bsum,
						g.c[ic*g.ldc+jc:], g.ldc, g.alpha, beta, mode, cols)
				}
			}
			if g.sig {
				off := ic*g.ldc + jc
				if raceEnabled {
					for i := 0; i < mb; i++ {
						sigmoidBias(g.c[off+i*g.ldc:off+i*g.ldc+cols], g.ldc, 1, cols, g.bias[jc:jc+cols])
					}
				} else {
					sigmoidBias(g.c[off:off+(mb-1)*g.ldc+cols], g.ldc, mb, cols, g.bias[jc:jc+cols])
				}
			}
		}
	}
}

// bitsPanel cuts n columns into panels of at most nr: the panels before
// column wide are w columns wide, the others w-vw (the last cut at n). A
// kernel's additions are chains, one per vector of vw columns, so a panel
// of few vectors waits on the latency of an addition at every selected row
// of B: when the last of the full-width panels would be under half of nr,
// the vectors are spread evenly over the panels instead. On a Zen 5
// ("Oxide Virtual Turin-like", one thread, AVX2), sigmoid(A*B) of 100 x 200
// with k = 1600 took 459 us cut 64+64+64+8 and 394 us cut 56+48+48+48; the
// AVX2 sigmoid(A*B) of BenchmarkGemmBits at 2 threads (200 columns a
// thread) went from 303 to 319 GFLOP/s (medians of 5 alternated runs).
// Spreading a last panel of half of nr or more (800 columns a thread:
// 12 x 64 + 32) measured 5% slower, at the edge of the runs' spread, so
// such cuts stay greedy.
func bitsPanel(n, nr, vw int) (w, wide int) {
	nv, per := (n+vw-1)/vw, nr/vw
	if r := nv % per; r == 0 || 2*r >= per {
		return nr, n
	}
	np := (nv + per - 1) / per
	q, extra := nv/np, nv%np
	if extra == 0 {
		return q * vw, n
	}
	return (q + 1) * vw, extra * (q + 1) * vw
}

// rowsAliased reports whether a part of a row-major B read in place by the
// Bits kernels (rows rows of cols floats, ld floats apart) should be
// packed instead: when its lines would crowd the sets of a 48 KB, 12-way
// L1 (64 sets of 64-byte lines) beyond 8 lines in a set, or when each of
// its rows lies in a 4 KB page of its own (ld of 1024 floats or more: at
// 1600 and 2000 columns the sets fill evenly, and packing still measured
// faster, below). Packing costs a read and a write of the part against the
// kernel's many reads.
// On a Zen 5 ("Oxide Virtual Turin-like"), one thread, sigmoid(A*B) with
// 100 rows of A at half ones (BenchmarkGemmBitsCols; 3 alternated runs,
// GFLOP/s at the float32 product's 2mnk, in place -> packed; 2026-12-02):
//
//	columns (k)   max lines   AVX-512          AVX2
//	100 (400)        10       72-112 -> 153-187 92-103 -> 116-117
//	300 (1600)       11       173-177 -> 245-264 136-137 -> 146-147
//	400 (1600)        8       239-273 -> 243-276 146-168 -> 146-150 (in place)
//	500 (1600)       11       168-179 -> 260-262 139-141 -> 163
//	1000 (1600)       9       159-168 -> 262-269 146-149 -> 159
//	1600 (1600)       8       189-202 -> 207-217 126-135 -> 131-145
//	2000 (1600)       8       194-203 -> 228-233 123-129 -> 142-144
//
// and 512 and 1024 columns (rows 2 and 4 KB apart, all in a few sets) ran
// 2.9x and 3.7x (AVX-512), 1.75x and 2.1x (AVX2) slower in place. With
// 200 and 600 columns (max 9) the AVX2 kernels lose 5-9% by packing, the
// AVX-512 ones gain 20-27%; 800 columns (max 8) measured even.
func rowsAliased(ld, rows, cols int) bool {
	return ld >= 1024 || rowsCrowd(ld, rows, cols, 64, 8)
}

// rowsCrowd reports whether rows rows of cols floats each, ld floats apart
// and the first starting a line, would put more than limit lines into one
// set of a cache of sets (a power of two, at most 1024) sets of 64-byte
// lines.
func rowsCrowd(ld, rows, cols, sets, limit int) bool {
	var n [1024]uint16
	for r := 0; r < rows; r++ {
		b := r * ld * 4
		for l := b / 64; l <= (b+cols*4-1)/64; l++ {
			s := l & (sets - 1)
			n[s]++
			if int(n[s]) > limit {
				return true
			}
		}
	}
	return false
}

// sumBits8Go adds, for each set bit p of words in increasing order, the 8
// values b[p*ps : p*ps+8] to s: sumBitsGo's loop for 8 columns, with its
// sums in local variables (registers) for the whole row of bits.
func sumBits8Go(s *[8]float32, words []uint64, b []float32, ps int) {
	s0, s1, s2, s3, s4, s5, s6, s7 := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	for q, word := range words {
		for word != 0 {
			p := q*64 + bits.TrailingZeros64(word)
			word &= word - 1
			r := (*[8]float32)(b[p*ps : p*ps+8])
			s0 += r[0]
			s1 += r[1]
			s2 += r[2]
			s3 += r[3]
			s4 += r[4]
			s5 += r[5]
			s6 += r[6]
			s7 += r[7]
		}
	}
	s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7] = s0, s1, s2, s3, s4, s5, s6, s7
}

// packBits16 packs the kb x cols panel of B (B(p, j) = b[p*brs + j*bcs])
// at (p0, j0) into 16-column panels of kb rows (dst[q*16*kb + p*16 + j%16]
// for column j of panel q = j/16), zero past cols.
func packBits16(kr kern, dst, b []float32, brs, bcs, p0, kb, j0, cols int) {
	if kr.id == kGeneric {
		packBGo(16, dst, b, brs, bcs, p0, kb, j0, cols)
		return
	}
	kr.packB(dst, b, brs, bcs, p0, kb, j0, cols)
}

// sumBitsGo is the portable Bits kernel, the statement of the kernels'
// contract. For each row i < rows and column j < cols, with B(p, j) at
// b[p*ps + (j/16)*vs + j%16] and row i's bits in words
// bw[i*bstride : i*bstride+nw]:
//
//	s := +0, or t[i*bitsNR+j] when mode has bitsCont
//	for each set bit p, in increasing order: s += B(p, j) // float32 addition
//	if mode has bitsFinal:
//		u := float32(alpha * s)
//		c[i*ldc+j] = u, or fma(beta, c[i*ldc+j], u) when beta != 0
//	else:
//		t[i*bitsNR+j] = s
func sumBitsGo(rows int, bw []uint64, bstride, nw int, b []float32, ps, vs int, t, c []float32, ldc int, alpha, beta float32, mode, cols int) {
	var acc [bitsNR]float32
	for i := 0; i < rows; i++ {
		s := acc[:cols]
		if mode&bitsCont != 0 {
			copy(s, t[i*bitsNR:i*bitsNR+cols])
		} else {
			clear(s)
		}
		words := bw[i*bstride : i*bstride+nw]
		j0 := 0
		for ; j0+8 <= cols; j0 += 8 {
			sumBits8Go((*[8]float32)(s[j0:j0+8]), words, b[(j0/16)*vs+j0%16:], ps)
		}
		if j0 < cols {
			for q, word := range words {
				for word != 0 {
					p := q*64 + bits.TrailingZeros64(word)
					word &= word - 1
					row := b[p*ps+(j0/16)*vs+j0%16:]
					for j := j0; j < cols; j++ {
						s[j] += row[j-j0]
					}
				}
			}
		}
		if mode&bitsFinal == 0 {
			copy(t[i*bitsNR:], s)
			continue
		}
		crow := c[i*ldc : i*ldc+cols]
		for j, v := range s {
			u := float32(alpha * v)
			if beta == 0 {
				crow[j] = u
			} else {
				crow[j] = fma32(beta, crow[j], u)
			}
		}
	}
}
