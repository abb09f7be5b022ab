package f32

import (
	"fmt"
	"math/bits"

	"github.com/isingrbm/isingrbm/asm"
)

// GemmNN computes C = alpha*A*B + beta*C for an m x k matrix A (row stride
// lda), a k x n matrix B (ldb) and an m x n matrix C (ldc). As in BLAS,
// beta == 0 overwrites C without reading it (NaNs in C are ignored), and
// alpha == 0 or k == 0 skips the product (A and B are not read). The
// contract, up to float32 rounding; the exact rounding, the same bits on
// every CPU, implementation and thread count, is roundingContract's (the
// k-sum in fused steps, in blocks of kc):
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[i*lda+p] * b[p*ldb+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = alpha * s
//			} else {
//				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//			}
//		}
//	}
func (w *Workspace) GemmNN(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	w.enter("GemmNN")
	defer w.exit()
	checkGemm("GemmNN", false, false, m, n, k, a, lda, b, ldb, c, ldc)
	w.gemm(gemmArgs{m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, ars: lda, acs: 1, b: b, brs: ldb, bcs: 1, c: c, ldc: ldc})
}

// GemmNT computes C = alpha*A*B^T + beta*C for an m x k matrix A (lda), an
// n x k matrix B (ldb) and an m x n matrix C (ldc), with the conventions of
// GemmNN. The contract, up to float32 rounding:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[i*lda+p] * b[j*ldb+p]
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // beta*c omitted when beta == 0
//		}
//	}
func (w *Workspace) GemmNT(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	w.enter("GemmNT")
	defer w.exit()
	checkGemm("GemmNT", false, true, m, n, k, a, lda, b, ldb, c, ldc)
	w.gemm(gemmArgs{m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, ars: lda, acs: 1, b: b, brs: 1, bcs: ldb, c: c, ldc: ldc})
}

// GemmTN computes C = alpha*A^T*B + beta*C for a k x m matrix A (lda), a
// k x n matrix B (ldb) and an m x n matrix C (ldc), with the conventions of
// GemmNN (the weight-gradient form v^T h). The contract, up to float32
// rounding:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*lda+i] * b[p*ldb+j]
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // beta*c omitted when beta == 0
//		}
//	}
func (w *Workspace) GemmTN(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	w.enter("GemmTN")
	defer w.exit()
	checkGemm("GemmTN", true, false, m, n, k, a, lda, b, ldb, c, ldc)
	w.gemm(gemmArgs{m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, ars: 1, acs: lda, b: b, brs: ldb, bcs: 1, c: c, ldc: ldc})
}

// GemmTNPair computes C = alpha2*A2^T*B2 + (alpha1*A1^T*B1 + beta*C): the
// same bits as GemmTN(m, n, k1, alpha1, a1, lda1, b1, ldb1, beta, c, ldc)
// followed by GemmTN(m, n, k2, alpha2, a2, lda2, b2, ldb2, 1, c, ldc), but
// in one pass over C: each thread runs both products on a block of rows
// small enough to stay in its L2 before it moves on, so C is written to
// memory once instead of written, read and written again. A CD gradient
// is such a pair (data term and model term of dW).
func (w *Workspace) GemmTNPair(m, n, k1 int, alpha1 float32, a1 []float32, lda1 int, b1 []float32, ldb1 int, beta float32,
	k2 int, alpha2 float32, a2 []float32, lda2 int, b2 []float32, ldb2 int, c []float32, ldc int) {
	w.enter("GemmTNPair")
	defer w.exit()
	checkGemm("GemmTNPair", true, false, m, n, k1, a1, lda1, b1, ldb1, c, ldc)
	checkGemm("GemmTNPair", true, false, m, n, k2, a2, lda2, b2, ldb2, c, ldc)
	g1 := gemmArgs{m: m, n: n, k: k1, alpha: alpha1, beta: beta, a: a1, ars: 1, acs: lda1, b: b1, brs: ldb1, bcs: 1, c: c, ldc: ldc}
	g2 := gemmArgs{m: m, n: n, k: k2, alpha: alpha2, beta: 1, a: a2, ars: 1, acs: lda2, b: b2, brs: ldb2, bcs: 1, c: c, ldc: ldc}
	w.gemmPair(g1, g2, nil)
}

// UpdateRule is a momentum-SGD step (Update, or UpdateProximal when
// Proximal) of W and Vel by a gradient, as GemmTNPairUpdate applies it.
type UpdateRule struct {
	W, Vel               []float32
	LR, Momentum, L1, L2 float32
	Proximal             bool
}

// GemmTNPairUpdate is GemmTNPair (C = G, a gradient, with ldc = n)
// followed by Update(u.W, u.Vel, G, ...) (UpdateProximal with
// u.Proximal), the same bits, but each row block of G updates its rows of
// W and Vel while it is still in cache.
//
// With c nil (and beta 0) the gradient is not kept: each thread computes
// its row blocks of G into a block of its own (about pairBlockBytes) and
// updates their rows of W and Vel from it, so the m x n gradient never
// travels to memory and back. W and Vel get the same bits. On the Intel
// Xeon of the README (KVM, 2 cores, AVX-512), core/rbm's BenchmarkEpoch,
// which passes nil, against the same code passing its gradient buffer
// (2026-12-06, two sets of 6 alternations each): batch 10 medians 1.394
// -> 1.306 s and 1.394 -> 1.291 s (11 of the 12 pairs in favour), batch
// 100 0.523 -> 0.510 s (4 of 6).
func (w *Workspace) GemmTNPairUpdate(m, n, k1 int, alpha1 float32, a1 []float32, lda1 int, b1 []float32, ldb1 int, beta float32,
	k2 int, alpha2 float32, a2 []float32, lda2 int, b2 []float32, ldb2 int, c []float32, u UpdateRule) {
	w.enter("GemmTNPairUpdate")
	defer w.exit()
	ldc := max(1, n) // C is m x n with stride n (a stride of at least 1 when n = 0)
	checkGemmAB("GemmTNPairUpdate", true, false, m, n, k1, a1, lda1, b1, ldb1)
	checkGemmAB("GemmTNPairUpdate", true, false, m, n, k2, a2, lda2, b2, ldb2)
	checkGradC("GemmTNPairUpdate", m, n, c, ldc, beta)
	checkLenProduct("GemmTNPairUpdate", "u.W", len(u.W), m, n)
	checkLenProduct("GemmTNPairUpdate", "u.Vel", len(u.Vel), m, n)
	checkPairUpdateApart("GemmTNPairUpdate", m, n, k1, a1, lda1, b1, ldb1, k2, a2, lda2, b2, ldb2, c, u)
	g1 := gemmArgs{m: m, n: n, k: k1, alpha: alpha1, beta: beta, a: a1, ars: 1, acs: lda1, b: b1, brs: ldb1, bcs: 1, c: c, ldc: ldc, noC: c == nil}
	g2 := gemmArgs{m: m, n: n, k: k2, alpha: alpha2, beta: 1, a: a2, ars: 1, acs: lda2, b: b2, brs: ldb2, bcs: 1, c: c, ldc: ldc, noC: c == nil}
	w.rule = u // kept in w, so that the shares can point to it without an allocation
	w.gemmPair(g1, g2, &w.rule)
	w.rule = UpdateRule{}
}

// checkPairUpdateApart panics if the gradient c (m x n, nil when not
// kept), u.W or u.Vel share memory with each other or with an input of
// GemmTNPairUpdate(Bits) (a1 nil: A1 is Bits).
func checkPairUpdateApart(fn string, m, n, k1 int, a1 []float32, lda1 int, b1 []float32, ldb1 int,
	k2 int, a2 []float32, lda2 int, b2 []float32, ldb2 int, c []float32, u UpdateRule) {
	mn := m * n // checkLenProduct has checked it
	cs := extent(m, n, max(1, n), c)
	ins := []struct {
		name string
		s    []float32
	}{{"a1", extent(k1, m, lda1, a1)}, {"b1", extent(k1, n, ldb1, b1)}, {"a2", extent(k2, m, lda2, a2)}, {"b2", extent(k2, n, ldb2, b2)}}
	for _, in := range ins {
		checkApart(fn, "c", cs, in.name, in.s)
		checkApart(fn, "u.W", u.W[:mn], in.name, in.s)
		checkApart(fn, "u.Vel", u.Vel[:mn], in.name, in.s)
	}
	checkApart(fn, "u.W", u.W[:mn], "c", cs)
	checkApart(fn, "u.Vel", u.Vel[:mn], "c", cs)
	checkApart(fn, "u.W", u.W[:mn], "u.Vel", u.Vel[:mn])
}

// SigmoidAffineNN computes C = sigmoid(A*B + bias), the bias (length >= n)
// added to every row: P(h|v) = sigmoid(v W + c). A is m x k (lda), B is
// k x n (ldb), C is m x n (ldc) and is only written. The contract, up to
// float32 rounding of the sum and the error bound of Sigmoid:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			s := bias[j]
//			for p := 0; p < k; p++ {
//				s += a[i*lda+p] * b[p*ldb+j]
//			}
//			c[i*ldc+j] = 1 / (1 + exp(-s))
//		}
//	}
func (w *Workspace) SigmoidAffineNN(m, n, k int, a []float32, lda int, b []float32, ldb int, bias []float32, c []float32, ldc int) {
	w.enter("SigmoidAffineNN")
	defer w.exit()
	checkGemm("SigmoidAffineNN", false, false, m, n, k, a, lda, b, ldb, c, ldc)
	checkLen("SigmoidAffineNN", "bias", len(bias), n)
	w.gemm(gemmArgs{m: m, n: n, k: k, alpha: 1, beta: 0,
		a: a, ars: lda, acs: 1, b: b, brs: ldb, bcs: 1, c: c, ldc: ldc, bias: bias, sig: true})
}

// SigmoidAffineNT computes C = sigmoid(A*B^T + bias): P(v|h) = sigmoid(h W^T + b).
// A is m x k (lda), B is n x k (ldb), bias has length >= n, C is m x n (ldc)
// and is only written. The contract, as SigmoidAffineNN with
// s += a[i*lda+p] * b[j*ldb+p].
func (w *Workspace) SigmoidAffineNT(m, n, k int, a []float32, lda int, b []float32, ldb int, bias []float32, c []float32, ldc int) {
	w.enter("SigmoidAffineNT")
	defer w.exit()
	checkGemm("SigmoidAffineNT", false, true, m, n, k, a, lda, b, ldb, c, ldc)
	checkLen("SigmoidAffineNT", "bias", len(bias), n)
	w.gemm(gemmArgs{m: m, n: n, k: k, alpha: 1, beta: 0,
		a: a, ars: lda, acs: 1, b: b, brs: 1, bcs: ldb, c: c, ldc: ldc, bias: bias, sig: true})
}

func checkLen(fn, name string, got, want int) {
	if got < want {
		panic(fmt.Sprintf("f32: %s: len(%s) = %d, want >= %d", fn, name, got, want))
	}
}

// checkMat panics unless buf can hold a rows x cols matrix with stride ld.
func checkMat(fn, name string, rows, cols int, buf []float32, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("f32: %s: ld%s = %d, want >= %d", fn, name, ld, max(1, cols)))
	}
	if rows > 0 && cols > 0 {
		hi, lo := bits.Mul64(uint64(rows-1), uint64(ld))
		need := lo + uint64(cols)
		// (rows-1)*ld + cols elements; an int product that wrapped would
		// let a short buffer pass and the kernels read past it.
		if hi != 0 || need < lo {
			panic(fmt.Sprintf("f32: %s: len(%s) = %d, want >= (%d-1)*%d+%d, more than an int holds", fn, name, len(buf), rows, ld, cols))
		}
		if need > uint64(len(buf)) {
			panic(fmt.Sprintf("f32: %s: len(%s) = %d, want >= %d", fn, name, len(buf), need))
		}
	}
}

// checkLenProduct panics unless got >= m*n, the product computed without
// overflow.
func checkLenProduct(fn, name string, got, m, n int) {
	hi, lo := bits.Mul64(uint64(m), uint64(n))
	if m < 0 || n < 0 || hi != 0 || lo > uint64(got) {
		panic(fmt.Sprintf("f32: %s: len(%s) = %d, want >= %d*%d", fn, name, got, m, n))
	}
}

func checkGemm(fn string, tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkGemmAB(fn, tA, tB, m, n, k, a, lda, b, ldb)
	checkMat(fn, "c", m, n, c, ldc)
	checkGemmApart(fn, tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
}

// checkGemmAB checks the dimensions, A and B of a product.
func checkGemmAB(fn string, tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int) {
	checkGemmB(fn, tB, m, n, k, b, ldb)
	if tA {
		checkMat(fn, "a", k, m, a, lda)
	} else {
		checkMat(fn, "a", m, k, a, lda)
	}
}

// checkGemmBC checks the dimensions, B and C of a product.
func checkGemmBC(fn string, tB bool, m, n, k int, b []float32, ldb int, c []float32, ldc int) {
	checkGemmB(fn, tB, m, n, k, b, ldb)
	checkMat(fn, "c", m, n, c, ldc)
	checkGemmApart(fn, false, tB, m, n, k, nil, 0, b, ldb, c, ldc)
}

// checkGemmB checks the dimensions and B of a product.
func checkGemmB(fn string, tB bool, m, n, k int, b []float32, ldb int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("f32: %s: negative dimension m=%d n=%d k=%d", fn, m, n, k))
	}
	if tB {
		checkMat(fn, "b", n, k, b, ldb)
	} else {
		checkMat(fn, "b", k, n, b, ldb)
	}
}

// checkGradC checks the C of GemmTNPairUpdate(Bits): m x n with stride
// ldc, or nil (the gradient not kept), which needs beta = 0 unless C has
// no elements.
func checkGradC(fn string, m, n int, c []float32, ldc int, beta float32) {
	if c == nil {
		if beta != 0 && m > 0 && n > 0 {
			panic(fmt.Sprintf("f32: %s: c is nil (the gradient not kept) with beta = %v, want beta = 0", fn, beta))
		}
		return
	}
	checkMat(fn, "c", m, n, c, ldc)
}

// gemmArgs describes C = alpha*op(A)*op(B) + beta*C (then sigmoid(C+bias)
// when sig) with A's element (i,p) at a[i*ars+p*acs] and B's (p,j) at
// b[p*brs+j*bcs]. One of ars, acs is 1, and one of brs, bcs.
type gemmArgs struct {
	m, n, k     int
	alpha, beta float32
	a           []float32
	ars, acs    int
	b           []float32
	brs, bcs    int
	c           []float32
	ldc         int
	bias        []float32
	sig         bool
	opts        gemmOpts
	kern        kern
	// upd and row0 (GemmTNPairUpdate): the update rule, and the row of
	// the whole C at which this share's C starts.
	upd  *UpdateRule
	row0 int
	// noC (GemmTNPairUpdate with c nil): C is not kept; pairSerial puts
	// each row block of it in the thread's gradient block.
	noC bool
	// bits (the Bits products): A(i, p) is bit p%64 of
	// bits[i*bstride+p/64], and a is not used.
	bits    []uint64
	bstride int
	// kpart (gemm's k-split, kSplit): this share computes the k-blocks
	// [kb0, kb1) of the product, each on its own into an m x n block of
	// kpart (stride n, beta 0), for gemmK to add to C in order.
	kpart    []float32
	kb0, kb1 int
	// kred (gemmK's second run): add the k-blocks of these shares to
	// this share's rows of C, which start at row kr0 of the product.
	kred []gemmArgs
	kr0  int
}

// kc is the depth of a k-block. It is part of the definition of every
// product's result (see roundingContract) and so a constant: it must never
// follow the cache sizes, the implementation or the thread count.
const kc = 256

// roundingContract documents the exact float32 operation sequence every
// implementation (generic, avx2, avx512, neon) performs, so that all of
// them give the same bits. For each element (i, j) of C:
//
//	for b := 0; b*kc < k; b++ {                 // k-blocks in increasing order
//		var s float32 = +0
//		for p := b*kc; p < min(k, (b+1)*kc); p++ {
//			s = fma(A(i,p), B(p,j), s)         // one fused rounding per step
//		}
//		t := float32(alpha * s)                 // rounded product
//		switch {
//		case b > 0:
//			C(i,j) = C(i,j) + t                 // = fma(1, C(i,j), t)
//		case beta == 0:
//			C(i,j) = t                          // C not read
//		default:
//			C(i,j) = fma(beta, C(i,j), t)       // one fused rounding
//		}
//	}
//
// and, for the SigmoidAffine forms (alpha = 1, beta = 0), finally
// C(i,j) = sigmoid(C(i,j) + bias[j]) by the elementwise kernels. alpha == 0
// or k == 0 instead scale C by beta (C(i,j) = beta*C(i,j), or 0 when
// beta == 0). fma is the correctly rounded float32 fused multiply-add: the
// hardware's VFMADD231PS/FMLA, fma32 in portable Go.
//
// The same bits means every finite result and every infinity. An element
// that is NaN (from a NaN among its inputs, or infinities that cancel or
// meet a zero) is NaN everywhere, but its payload is not promised: unlike
// the elementwise kernels the products do not canonicalize NaNs (the
// SigmoidAffine forms do, in their sigmoid), the payload that propagates
// depends on each implementation's instructions and operand order, and a
// product split along k (gemmK) adds its blocks with ColSums, which
// canonicalizes. Training never saves such a result: core/rbm ends a run
// whose parameters stop being finite with ErrDiverged, keeping the last
// checkpoint of finite ones.
//
//lint:ignore U1000 a name for the comments that cite this contract, never used in code
const roundingContract = 0

// gemmOpts are the tuning switches of a Workspace; none changes a result.
// Tests and benchmarks set them to exercise and compare the paths.
type gemmOpts struct {
	// minParFlops is the product size (2mnk) below which one goroutine
	// runs it. With the pool's spinning hand-off, two threads pay from
	// about 4 MFLOP: on Zen 4 the 100x400x100 products (8 MFLOP) of a
	// 400 -> 100 layer ran at 152-170 GFLOP/s on two threads against 92
	// on one, and the batch-10 epoch (12.8 MFLOP products) went from
	// 2.1-2.35 s to 1.72 s; at 2^20 it was 1.78 s.
	minParFlops int
	// minParRows and minParB: a product of at most minParRows rows whose
	// B has at least minParB elements runs on every thread even below
	// minParFlops. Such a product (the centered RBM's derived biases,
	// W lam and W^T mu, after every step: 1 x 1600 x 400, 1.3 MFLOP)
	// does 2 flops per element of B that it reads, so it waits on memory,
	// and two threads halve that wait. Intel Xeon with AMX (KVM, 2 cores,
	// AVX-512), core/rbm's BenchmarkCenteredEpoch (20,000 x 1600 -> 400,
	// batch 100, 2 threads), seconds per epoch, 4 alternations, one thread
	// -> both: fixed offsets 0.555-0.579 -> 0.498-0.521, running offsets
	// 0.554-0.585 -> 0.511-0.548, the plain RBM (no such product) 0.455-0.485
	// and 0.464-0.485 (2026-12-07).
	minParRows, minParB int
	// minParUpdate is the length below which Workspace.Update runs on
	// one goroutine.
	minParUpdate int
	// noDirect packs a row-major A even where a kernel could read it in place.
	noDirect bool
	// noJIT packs the whole kc x nc panel of B before the row blocks even
	// when A is a single row block.
	noJIT bool
	// noDirectB packs B even where a kernel could read it in place.
	noDirectB bool
	// aliasedB reads B in place even where its rows crowd into a few sets
	// of L2 (tileRowsAliased).
	aliasedB bool
	// aliasedA reads the columns of A^T in place even where they all fall
	// into one set of L1 or lie beyond the L1 prefetcher's stride
	// (colsPacked).
	aliasedA bool
	// irOuter orders the tiles of a block whose B panel is packed whole
	// (not jit): with the row tiles of A outside the column tiles of B,
	// each micro-panel of A stays in L1 while the panel of B streams from
	// L2, instead of each micro-panel of B while the block of A streams.
	// tilesAuto (the zero value) takes gemmArgs.rowsOuter's rule.
	irOuter tileOrder
	// bitsInPlace and bitsPacked read a row-major B of the Bits products
	// in place, or pack it, whatever rowsAliased says.
	bitsInPlace, bitsPacked bool
	// hintBytes is the size of a thread's B above which the row tiles of
	// an A*B^T product hint the source of the next micro-panel of B
	// (hintPanels): L2 by default, so that the packer finds it there.
	hintBytes int
}

// serial reports whether an m x n x k product runs on one thread: below
// minParFlops, unless it is a product of a few rows over a large B.
func (o *gemmOpts) serial(m, n, k int) bool {
	return 2*m*n*k < o.minParFlops && (m > o.minParRows || n*k < o.minParB)
}

var defaultOpts = gemmOpts{minParFlops: 1 << 22, minParRows: 2, minParB: 1 << 16, minParUpdate: 1 << 15,
	hintBytes: l2OrDefault(l2Size)}

// tileOrder is gemmOpts.irOuter: the order of the tiles in a block whose
// panel of B is packed whole.
type tileOrder int8

const (
	tilesAuto      tileOrder = iota // gemmArgs.rowsOuter's rule
	tilesColsOuter                  // column tiles of B outside
	tilesRowsOuter                  // row tiles of A outside
)

// rowsOuter reports whether the row tiles of A run outside the column
// tiles of B in a block whose panel of B is packed whole: as
// gemmOpts.irOuter says, or by default on Intel (rowTilesOuter) and
// wherever the kernel computes a row tile's whole column tiles in one call
// (kern.hasTiles: AVX-512 and AVX2). That call saves the Go calls, argument copies
// and dispatch between the tiles, which the column tiles outside pay once
// per tile. On the Zen 5 ("Oxide Virtual Turin-like", family 26 model 2),
// AVX-512, BenchmarkGemm and BenchmarkGemmLattice, column tiles outside ->
// row tiles outside, GFLOP/s, medians of alternated runs (each run a fresh
// process), one thread: (1600x100)^T(100x400) 195.3 -> 204.2,
// (1000x1600)(1600x400) 199.1 -> 201.9, (1000x400)(1600x400)^T 198.9 ->
// 205.0, (1600x1000)^T(1000x400) 194.8 -> 198.2 (6 of 6 runs faster
// each), (1024x100)^T(100x1024) 193.4 -> 200.8 (6 of 6),
// (1024x100)^T(100x256) 175.7 -> 191.0 and (4096x100)^T(100x1024) 172.5
// -> 184.1 (4 and 5 of 5); two threads: 339.4 -> 362.9, 369.1 -> 372.6,
// 379.1 -> 395.8, 355.5 -> 357.7 (4 runs each), 340.3 -> 363.3 (6 of
// 6), 280.0 -> 324.2 and 294.5 -> 361.2 (4 runs). One earlier set of
// six two-thread runs of (1024x100)^T(100x1024) measured 348.6 -> 270.2
// and did not recur (three later sets, and both orders in one process,
// had the rows outside ahead). core/rbm's BenchmarkEpoch (batch 100, two
// threads), whose gradient runs such blocks: 0.376 -> 0.374 s (4 of 6
// runs faster). The AVX2 kernels, without such a call, measured mixed with
// the rows outside: (1000x1600)(1600x400) one thread 99.9 -> 97.7 (1 of 6
// faster), two threads 189.2 -> 193.2, (1600x100)^T(100x400) 95.9 -> 97.4
// and 179.8 -> 180.7 (2026-12-07). With their multi-tile kernels
// (kernel6x16NAVX2 and its Rows and Step forms) the rows outside won at
// every product shape of the table: same Zen 5, ISINGRBM_KERNELS' avx2
// rows of BenchmarkGemm, columns outside with a call per tile -> rows
// outside with a call per row tile, GFLOP per CPU-second, medians of 6
// alternated runs, one thread: (1000x1600)(1600x400) 94.0 -> 99.5,
// (1000x400)(1600x400)^T 93.9 -> 100.8, (1600x1000)^T(1000x400) 94.9 ->
// 97.7, (1600x100)^T(100x400) 93.0 -> 100.9 (6 of 6 runs faster each),
// (100x1600)(1600x400) 90.3 -> 92.8, (100x400)(1600x400)^T 91.6 -> 94.1,
// the three 100 x 400 x 100 shapes +2.0% to +8.7%; two threads +2.9% to
// +24.8% but for sigmoid(100x1600)(1600x400) (-1.3%, 2 of 6);
// BenchmarkGemmLattice's avx2 rows +1.3% to +7.5% on one thread (4
// runs); core/rbm's BenchmarkEpoch with the AVX2 kernels unchanged
// (0.66 s: its gradient runs blocks of one row block, packed just in
// time, where the order does not apply) (2026-12-07).
func (g *gemmArgs) rowsOuter() bool {
	switch g.opts.irOuter {
	case tilesColsOuter:
		return false
	case tilesRowsOuter:
		return true
	}
	return rowTilesOuter || g.kern.hasTiles()
}

// rowTilesOuter puts the row tiles outside for every kernel on Intel,
// whose L1 prefetcher also decides colsPacked (asm.L1StrideLimit). On an Intel
// Xeon with AMX (KVM, family 6 model 0xA7), AVX-512, GFLOP/s, column
// tiles outside -> row tiles outside (with ncOuter), 4 alternated runs
// each: (1000x1600)(1600x400) 115-118 -> 134-145 on one thread and
// 201-227 -> 233-254 on two, (1000x400)(1600x400)^T 108-118 -> 114-138
// and 210-221 -> 224-241, (1600x1000)^T(1000x400) 111-121 -> 112-136 and
// 199-216 -> 203-255 (2026-12-06).
var rowTilesOuter = asm.L1StrideLimit > 0

// Cache blocking of the m and n dimensions, which never changes a result:
// an mc x kc block of packed A fills about half of L2 and a kc x nc panel
// of packed B a share of L3 (cache sizes from package asm).
var mcMax, ncMax = blockSizes(l2Size, l3Size)

// ncOuter caps nc where the row tiles of A run outside the column tiles
// of B (gemmArgs.rowsOuter): each row tile then reads the whole kc x nc
// panel of B, which must stay in L2, so it takes at most half of it. On
// the Intel Xeon with AMX (2 MiB of L2, so 1024 columns against the 4096
// its reported 480 MiB of L3 gives ncMax), one thread, AVX-512,
// (1000x400)(1600x400)^T, 5 alternated runs, GFLOP/s: 100-117 with the
// whole 1600 columns in one panel, 117-135 with 1024, 119-135 with 512;
// with the column tiles outside 97-115, 107-123 and 106-129 (2026-12-06).
// On the Zen 5 (1 MiB of L2: 512 columns), a quarter of L2 (256 columns)
// made the three 1000-row products no faster: "AMD EPYC (family 26 model
// 2)", one thread, AVX-512, 4 alternated runs, GFLOP per CPU-second,
// medians, (1000x1600)(1600x400) 257.7 -> 255.9, (1000x400)(1600x400)^T
// 265.9 -> 259.9, (1600x1000)^T(1000x400) 255.6 -> 253.2 (2026-12-08).
var ncOuter = max(l2OrDefault(l2Size)/2/(kc*4), 256)

// The cache sizes in bytes (0 when unknown); l1dSize sizes the parts of
// the Bits products (bitsPartRows).
var l1dSize, l2Size, l3Size = asm.CacheSizes()

// l2OrDefault is l2, or 512 KiB when the size is unknown.
func l2OrDefault(l2 int) int {
	if l2 <= 0 {
		return 512 << 10
	}
	return l2
}

func blockSizes(l2, l3 int) (mc, nc int) {
	l2 = l2OrDefault(l2)
	if l3 <= 0 {
		l3 = 8 << 20
	}
	mc = min(max(l2/2/(kc*4), 48), 480)
	nc = min(max(l3/4/(kc*4), 512), 4096)
	return mc, nc
}

func (w *Workspace) gemm(g gemmArgs) {
	if g.m == 0 || g.n == 0 {
		return
	}
	if g.k == 0 || g.alpha == 0 {
		for i := 0; i < g.m; i++ {
			row := g.c[i*g.ldc : i*g.ldc+g.n]
			scaleRow(row, g.beta)
			if g.sig {
				sigmoidBias(row, 1, 1, g.n, g.bias)
			}
		}
		return
	}
	g.kern = activeKern()
	g.opts = w.opts
	if g.kern.id != kGeneric {
		g.raceAnnotate()
	}
	t := w.threads
	if t > 1 && g.opts.serial(g.m, g.n, g.k) {
		t = 1
	}
	if t == 1 {
		gemmSerial(&g, w.bufs[0])
		return
	}
	// Split the larger side in whole micro-tiles: each worker packs its own
	// copy of the other operand. This split never touches k, so the
	// result does not depend on the thread count; nor does gemmK's.
	splitN := splitCols(&g, t)
	if splitN && kSplit(&g, t) {
		w.gemmK(g, t)
		return
	}
	mr, nu := g.kern.mr, g.kern.nsplit
	p := w.getPool()
	parts := 0
	for i := 0; i < t; i++ {
		s := g
		s.a = w.replicaOf(g.a, parts)
		if splitN {
			j0, j1 := share(g.n, nu, t, i)
			if j0 == j1 {
				continue
			}
			s.n = j1 - j0
			s.b = g.b[j0*g.bcs:]
			s.c = g.c[j0:]
			if g.sig {
				s.bias = g.bias[j0:]
			}
		} else {
			i0, i1 := share(g.m, mr, t, i)
			if i0 == i1 {
				continue
			}
			s = rowBlock(&s, i0, i1-i0)
		}
		p.tasks[parts] = s
		parts++
	}
	p.run(parts, gemmRun)
	for i := range p.tasks[:parts] {
		p.tasks[i] = gemmArgs{} // drop references to the caller's slices
	}
}

// splitCols reports whether gemm splits the columns of C of g across t
// threads rather than its rows: the side whose share costs less to read
// and write. Ties go to the columns: on the Zen 5, two threads, 4
// alternated runs, breaking them toward the rows for A^T*B made
// (1024x100)^T(100x1024) 164.3 -> 155.3 GFLOP per CPU-second with
// AVX-512 (1 of 4 faster) and 106.2 -> 105.3 with AVX2; and the columns
// always for A^T*B lost 10-24% at every A^T*B shape of BenchmarkGemm
// (2026-12-08).
func splitCols(g *gemmArgs, t int) bool {
	mr, nu := g.kern.mr, g.kern.nsplit
	mt, nt := (g.m+mr-1)/mr, (g.n+nu-1)/nu
	partN := min((nt+t-1)/t*nu, g.n) * g.m
	partM := min((mt+t-1)/t*mr, g.m) * g.n
	return 2*partN+8*g.m <= 2*partM+8*g.n
}

// kSplitRows is the most rows of C for which gemm splits k rather than
// the columns of C (kSplit).
const kSplitRows = 128

// kSplitBytes caps the blocks that one thread of a product split along k
// keeps for the reduction (kSplit): half of L2, so that they are still
// there when gemmK adds them up. kSplitShare caps a thread's share of B:
// L2, where it is to stay between the products of a training step.
var kSplitBytes, kSplitShare = l2OrDefault(l2Size) / 2, l2OrDefault(l2Size)

// kSplit reports whether gemm runs g on t threads split along k rather
// than along the columns of C: each thread takes whole k-blocks, so the
// rows of a row-major B (W in v W, P(h|v) of a mini-batch) are divided as
// the other products of a training step divide the rows of W (the columns
// of C in h W^T, the rows of the gradient in GemmTNPairUpdate), and each
// thread finds its share of W in its own L2 instead of half of it last
// written by the other core. The threads after the first keep each of
// their blocks apart for gemmK to add up, so only for a few rows of C
// (kSplitRows) and blocks within kSplitBytes; alpha > 0 (training's 1; the
// others were not measured); where
// the cut into whole blocks leaves no thread more than a fifth above an
// even share (1600 = 768 + 832 on two threads; not 400 = 256 + 144); and
// where a thread's share of B fits its L2 (kSplitShare: 832 x 400 floats,
// 1.3 MB, on the Intel Xeon's 2 MiB; not on the 1 MiB of the Zen 5, where
// the split was not measured).
// On the Intel Xeon with AMX (KVM, 2 cores, 2 MiB of L2), core/rbm's
// BenchmarkEpoch (CD-1, 1600 -> 400), alternated runs, 2026-12-06: batch
// 10 1.239-1.255 -> 0.937-0.961 s with the blocks added by the caller
// (3 alternations), 0.933-0.947 -> 0.906-0.915 s with them added by
// both threads (kreduce, 3); batch 100 (640 KB of blocks) 505-512 ->
// 486-489 ms summed over the step's parts (3), every product faster.
func kSplit(g *gemmArgs, t int) bool {
	if g.bcs != 1 || g.m > kSplitRows || g.k <= kc || !(g.alpha > 0) {
		return false
	}
	nb := (g.k + kc - 1) / kc
	parts := min(t, nb)
	most, kept := 0, 0
	for i := range parts {
		b0, b1 := share(nb, 1, parts, i)
		most = max(most, min(b1*kc, g.k)-b0*kc)
		if i > 0 {
			kept = max(kept, b1-b0)
		}
	}
	return 5*parts*most <= 6*g.k && 4*kept*g.m*g.n <= kSplitBytes && 4*most*g.n <= kSplitShare
}

// gemmK runs g on t threads split along k (kSplit): thread 0 computes the
// first k-blocks into C as gemmSerial does; each other thread computes its
// blocks, each into a block of its own (beta 0). Then, in a second run,
// each thread adds the other threads' blocks to its share of the rows of C
// in increasing block order (kreduce) and applies the sigmoid epilogue.
// That is the rounding contract's sequence, C = C + t per block, so the
// bits are those of the unsplit product whatever the number of threads.
func (w *Workspace) gemmK(g gemmArgs, t int) {
	nb := (g.k + kc - 1) / kc
	parts := min(t, nb)
	p := w.getPool()
	for i := 0; i < parts; i++ {
		b0, b1 := share(nb, 1, parts, i)
		s := g
		s.a = w.replicaOf(g.a, i)
		s.sig = false
		if i == 0 {
			s.k = min(b1*kc, g.k)
		} else {
			s.kb0, s.kb1 = b0, b1
			s.kpart = w.bufs[i].kpartBlock((b1 - b0) * g.m * g.n)
		}
		p.tasks[i] = s
	}
	p.run(parts, gemmRun)
	if len(w.kshares) < parts {
		w.kshares = make([]gemmArgs, w.threads)
	}
	copy(w.kshares, p.tasks[:parts])
	red := min(parts, g.m)
	for i := 0; i < red; i++ {
		i0, i1 := share(g.m, 1, red, i)
		s := g
		s.m, s.c, s.kr0, s.kred = i1-i0, g.c[i0*g.ldc:], i0, w.kshares[1:parts]
		p.tasks[i] = s
	}
	p.run(red, gemmRun)
	clear(p.tasks[:max(parts, red)])
	clear(w.kshares)
}

// kreduce adds the k-blocks of the shares g.kred (rows g.kr0 on of each
// m x n block) to the g.m rows of g.c, share by share and block by block
// in order, then applies the sigmoid epilogue when g.sig. Each addition
// is C = C + t rounded once (ColSums of one row with alpha = beta = 1: its
// sum starts from -0, so the row's sum is t itself, a block of -0 included:
// a chain ends at -0 when its last product underflows below zero).
func kreduce(g *gemmArgs) {
	for i := 0; i < g.m; i++ {
		row := g.c[i*g.ldc : i*g.ldc+g.n]
		for _, s := range g.kred {
			mn := s.m * s.n
			for b := range s.kb1 - s.kb0 {
				colSumsArch(row, s.kpart[b*mn+(g.kr0+i)*s.n:], 1, g.n, g.n, 1, 1)
			}
		}
	}
	if g.sig {
		sigmoidBias(g.c[:(g.m-1)*g.ldc+g.n], g.ldc, g.m, g.n, g.bias)
	}
}

// kpartSerial runs the k-blocks [g.kb0, g.kb1) of g, each into its m x n
// block of g.kpart (gemmK).
func kpartSerial(g *gemmArgs, buf *threadBuf) {
	for b := g.kb0; b < g.kb1; b++ {
		p0 := b * kc
		s := *g
		s.kpart = nil
		s.k = min(kc, g.k-p0)
		s.beta = 0
		s.c, s.ldc = g.kpart[(b-g.kb0)*g.m*g.n:(b-g.kb0+1)*g.m*g.n], g.n
		if g.bits != nil {
			s.bits = g.bits[p0/64:]
		} else {
			s.a = g.a[p0*g.acs:]
		}
		s.b = g.b[p0*g.brs:]
		// Not through gemmSerial: the recursion would move s to the heap.
		if s.bits != nil {
			bitsSerial(&s, buf)
		} else {
			floatSerial(&s, buf)
		}
	}
}

// gemmPair runs g1 then g2 (same m, n and C), row block by row block,
// then, with u, the update of u's rows by each finished block (ldc = n).
func (w *Workspace) gemmPair(g1, g2 gemmArgs, u *UpdateRule) {
	if g1.m == 0 || g1.n == 0 {
		return
	}
	if g1.k == 0 || g1.alpha == 0 || g2.k == 0 || g2.alpha == 0 {
		if g1.noC {
			// Not a training step's product: the whole of C, in the
			// first thread's gradient block.
			g1.c = w.bufs[0].gradBlock(g1.m * g1.n)
			g2.c, g1.noC, g2.noC = g1.c, false, false
		}
		w.gemm(g1) // the scaling paths of gemm, one after the other
		w.gemm(g2)
		if u != nil {
			update(w, "GemmTNPairUpdate", u.W, u.Vel, g1.c[:g1.m*g1.n], u.LR, u.Momentum, u.L1, u.L2, u.Proximal)
		}
		return
	}
	g1.kern, g2.kern = activeKern(), activeKern()
	g1.opts, g2.opts = w.opts, w.opts
	if g1.kern.id != kGeneric {
		g1.raceAnnotate()
		g2.raceAnnotate()
	}
	t := w.threads
	if t > 1 && 2*g1.m*g1.n*(g1.k+g2.k) < g1.opts.minParFlops {
		t = 1
	}
	if u != nil {
		g1.upd, g2.upd = u, u
	}
	if t == 1 {
		pairSerial(&g1, &g2, w.bufs[0])
		return
	}
	// Whole micro-tiles of rows per thread, as gemm's row split.
	p := w.getPool()
	parts := 0
	for i := 0; i < t; i++ {
		i0, i1 := share(g1.m, g1.kern.mr, t, i)
		if i0 == i1 {
			continue
		}
		s1, s2 := g1, g2
		s1.a, s2.a = w.replicaOf(g1.a, parts), w.replicaOf(g2.a, parts)
		p.tasks[parts], p.pair[parts] = rowBlock(&s1, i0, i1-i0), rowBlock(&s2, i0, i1-i0)
		parts++
	}
	p.run(parts, pairBit)
	for i := range p.tasks[:parts] {
		p.tasks[i], p.pair[i] = gemmArgs{}, gemmArgs{}
	}
}

// pairBlockBytes is the size of the block of C that pairSerial finishes
// before it moves on: it stays in L2 between the two products.
const pairBlockBytes = 256 << 10

// pairSerial runs g1 then g2 on blocks of rows of C (whole micro-tiles,
// about pairBlockBytes of C each; m blocking never changes a result), and
// with g1.upd, updates the block's rows of W and Vel from it.
func pairSerial(g1, g2 *gemmArgs, buf *threadBuf) {
	mr := g1.kern.mr
	rb := max(mr, pairBlockBytes/4/max(1, g1.n)/mr*mr)
	for i0 := 0; i0 < g1.m; i0 += rb {
		rows := min(rb, g1.m-i0)
		s1, s2 := rowBlock(g1, i0, rows), rowBlock(g2, i0, rows)
		if g1.noC {
			s1.c = buf.gradBlock(rows * g1.n)
			s2.c = s1.c
		}
		gemmSerial(&s1, buf)
		gemmSerial(&s2, buf)
		if u := g1.upd; u != nil {
			lo, hi := (g1.row0+i0)*g1.n, (g1.row0+i0+rows)*g1.n
			updateArch(u.W[lo:hi], u.Vel[lo:hi], s1.c[:rows*g1.n], u.LR, u.Momentum, u.L1, u.L2, u.Proximal)
		}
	}
}

// rowBlock returns the product g restricted to rows [i0, i0+rows) of C.
func rowBlock(g *gemmArgs, i0, rows int) gemmArgs {
	s := *g
	s.m = rows
	if g.bits != nil {
		s.bits = g.bits[i0*g.bstride:]
	} else {
		s.a = g.a[i0*g.ars:]
	}
	if !g.noC {
		s.c = g.c[i0*g.ldc:]
	}
	s.row0 = g.row0 + i0
	return s
}

// share returns thread i's range [lo, hi) of t shares of n, cut in whole
// units of u (micro-tiles); a range may be empty.
func share(n, u, t, i int) (lo, hi int) {
	nu := (n + u - 1) / u
	return min(nu*i/t*u, n), min(nu*(i+1)/t*u, n)
}

// raceAnnotate tells the race detector which elements the assembly reads
// and writes (a no-op without -race).
func (g *gemmArgs) raceAnnotate() {
	if g.bits != nil {
		raceReadU64(g.bits[:(g.m-1)*g.bstride+(g.k+63)/64])
	} else if g.acs == 1 {
		raceReadF32(g.a[:(g.m-1)*g.ars+g.k])
	} else {
		raceReadF32(g.a[:(g.k-1)*g.acs+g.m])
	}
	if g.bcs == 1 {
		raceReadF32(g.b[:(g.k-1)*g.brs+g.n])
	} else {
		raceReadF32(g.b[:(g.n-1)*g.bcs+g.k])
	}
	if !g.noC {
		raceWriteF32(g.c[:(g.m-1)*g.ldc+g.n])
	}
}

func scaleRow(row []float32, beta float32) {
	if beta == 0 {
		clear(row)
		return
	}
	if beta != 1 {
		for j := range row {
			row[j] *= beta
		}
	}
}

// balanced splits total into the fewest blocks of at most max and returns
// the block size, rounded up to a multiple of unit.
func balanced(total, max, unit int) int {
	nb := (total + max - 1) / max
	s := (total + nb - 1) / nb
	return (s + unit - 1) / unit * unit
}

// gemmSerial runs the blocked product on one goroutine (GotoBLAS loop
// order: nc columns of B, kc depth, mc rows of A, then nr x mr micro-tiles).
func gemmSerial(g *gemmArgs, buf *threadBuf) {
	switch {
	case g.kred != nil:
		kreduce(g)
	case g.kpart != nil:
		kpartSerial(g, buf)
	case g.bits != nil:
		bitsSerial(g, buf)
	default:
		floatSerial(g, buf)
	}
}

// floatSerial is gemmSerial for a float32 A.
func floatSerial(g *gemmArgs, buf *threadBuf) {
	m, n, k := g.m, g.n, g.k
	kr := g.kern
	mr, nr := kr.mr, kr.nr
	mc := balanced(m, mcMax/mr*mr, mr)
	kcb := min(kc, k)
	// With a single block of rows, each packed micro-panel of B is used
	// once per depth block: pack it just before use, so that it stays in L1.
	// Not for a short depth where the row tiles run outside and the kernel
	// computes a row tile's whole column tiles in one call (shortDepth).
	jit := m <= mc && !g.opts.noJIT && !(k <= shortDepth && kr.hasTiles() && g.rowsOuter())
	ncm := ncMax
	if !jit && g.rowsOuter() {
		// Each row tile streams the whole panel of B from L2.
		ncm = min(ncm, ncOuter)
	}
	nc := balanced(n, ncm/nr*nr, nr)
	// A row-major A (the A*B and A*B^T forms) needs no packing where the
	// kernel broadcasts straight from its rows.
	direct := (kr.direct && g.acs == 1 || kr.directT && g.acs != 1 && (g.opts.aliasedA || !colsPacked(g.acs))) && !g.opts.noDirect
	buf.grow(mc*kcb+packSlack, kcb*nc, mr*nr)
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			if !jit {
				kr.packB(buf.packB, g.b, g.brs, g.bcs, pc, kb, jc, nb)
			}
			beta := g.beta
			if pc > 0 {
				beta = 1
			}
			last := g.sig && pc+kb == k
			for ic := 0; ic < m; ic += mc {
				mb := min(mc, m-ic)
				if !direct {
					kr.packA(buf.packA, g.a, g.ars, g.acs, ic, mb, pc, kb)
				} else if r := mb % mr; r != 0 && !tailInPlace(g, ic+mb-r) {
					// Only the last, partial micro-panel is packed.
					kr.packA(buf.packA, g.a, g.ars, g.acs, ic+mb-r, r, pc, kb)
				}
				macroKernel(g, buf, ic, mb, jc, nb, pc, kb, beta, jit, direct)
				if last {
					// The epilogue on the whole block, its rows nb
					// columns long, rather than on each mr x nr tile as
					// it is stored: the sigmoid's long loop runs four
					// interleaved registers, where a 32-column tile row
					// gave it two. Zen 5, one thread, AVX-512, 4 runs
					// each: sigmoid(100x400)(1600x400)^T 186.5 -> 189.6
					// GFLOP per CPU-second, sigmoid(100x1600)(1600x400)
					// 202 -> 205 (2026-12-05).
					off := ic*g.ldc + jc
					sigmoidBias(g.c[off:off+(mb-1)*g.ldc+nb], g.ldc, mb, nb, g.bias[jc:jc+nb])
				}
			}
		}
	}
}

// shortDepth is the depth up to which a single block of rows packs its
// whole panel of B first and runs its row tiles outside the column tiles
// (gemmArgs.rowsOuter), one kernel call per row tile (kern.tiles), where
// the kernel has such calls, rather than a call per tile, each packed just
// in time or read in place: a tile of k <= 128 depth steps is short beside
// the Go call, argument copies and dispatch around it. These are the
// gradients of a training step (k = the batch; GemmTNPair's blocks of rows)
// and the products of a batch by the next layer's W^T. Zen 5 ("Oxide
// Virtual Turin-like", family 26 model 2), just in time -> whole panel
// first, medians of alternated runs (each a fresh process; the VM's speed
// wandered by up to 2x within the hour, so only the pairs of neighbouring
// runs say much). core/rbm's BenchmarkEpoch, two threads, s/epoch: batch
// 10 AVX-512 1.14 -> 1.00, 1.21 -> 1.11 and 1.27 -> 1.13 (4 of 4, 4 of 4
// and 8 of 8 runs faster), AVX2 1.60 -> 1.43, 1.73 -> 1.57 and 1.97 ->
// 1.72 (4 of 4, 4 of 4, 7 of 8); batch 100 AVX-512 about 1% (7 of 12
// faster), AVX2 0.67 -> 0.66 (11 of 12). BenchmarkEpochLattice, 3 runs
// each, all faster: 1024 -> 256 batch 100 -9.5% (AVX-512) and -6.4%
// (AVX2), 1024 -> 1024 batch 100 -3.9% and -5.7%, batch 10 -12.6% and
// -19.8% (the epochs measured with a build that did this in GemmTNPair's
// blocks alone, the same code path at these batches). BenchmarkGemm,
// GFLOP per CPU-second, 6 runs: (100x100)(400x100)^T one thread +1.8%
// (AVX-512) and +2.7% (AVX2), two threads +13.5% and +35.0%;
// (400x100)^T(100x100) +0.7%, +4.7%, +39.6% and +32.3% (2026-12-07).
// Taking the same path at any depth loses where B is read in place
// (AVX-512 (100x1600)(1600x400) -19% on one thread); for the A*B^T
// products alone (a transposed B, packed either way) it gained 1-16% in
// BenchmarkGemm at batch 100 but nothing in BenchmarkEpoch (batch 100
// -2.2% and +1.4% in two sets of 5 and 8 alternations, AVX-512), and
// would drop the hints of nextPanelChunk on Intel: not taken (2026-12-08).
const shortDepth = 128

// tailInPlace reports whether the last, partial row tile of A, which
// starts at row i, is read in place as the last mr rows of a row-major A
// (directTail kernels; A has at least mr rows) instead of being packed.
func tailInPlace(g *gemmArgs, i int) bool {
	return g.kern.directTail && g.acs == 1 && !g.opts.noDirect && g.m >= g.kern.mr && g.m-i < g.kern.mr
}

// macroKernel multiplies the packed (or, with direct, in-place: rows of A,
// or columns of A^T for kernels with directT) mb x kb
// block of A by the packed kb x nb panel of B into C[ic:ic+mb, jc:jc+nb].
// With jit, each micro-panel of B is packed here, just before its use.
func macroKernel(g *gemmArgs, buf *threadBuf, ic, mb, jc, nb, pc, kb int, beta float32, jit, direct bool) {
	kr := g.kern
	mr, nr := kr.mr, kr.nr
	// Whole tiles of a row-major B, and edge tiles of at most nr/2 columns
	// (read under a mask), are read in place by directB kernels when B
	// would otherwise be packed for a single use per row tile run.
	directB := jit && kr.directB && g.bcs == 1 && !g.opts.noDirect && !g.opts.noDirectB && (g.opts.aliasedB || !buf.crowded(false, g.brs, kb, nr))
	if !jit && g.rowsOuter() {
		for ir := 0; ir < mb; ir += mr {
			jr := 0
			if full := nb / nr; full > 1 && rowTiles(g, buf, ic, ir, mb, jc, full, pc, kb, beta, direct) {
				jr = full * nr
			}
			for ; jr < nb; jr += nr {
				rowTile(g, buf, ic, ir, mb, jc+jr, min(nr, nb-jr), pc, kb, buf.packB[jr*kb:jr*kb+kb*nr], nil, beta, direct, pfRows{})
			}
		}
		return
	}
	for jr := 0; jr < nb; jr += nr {
		cols := min(nr, nb-jr)
		var bp, brow []float32
		var next pfRows
		if jit {
			if directB && (cols == nr || cols <= nr/2) {
				brow = g.b[pc*g.brs+jc+jr:]
				if mb > mr {
					next = nextTileRows(g, jc, jr, nb, pc, kb)
				}
			} else {
				bp = buf.packB[:kb*nr]
				kr.packB(bp, g.b, g.brs, g.bcs, pc, kb, jc+jr, cols)
			}
			if brow == nil && jr+nr < nb && mb > mr && g.bcs == 1 {
				// Start fetching the next micro-panel's source while this
				// one is multiplied. Not for a single row tile (batch 10):
				// the prefetches of 256 rows of B (three lines each) cost more than
				// the one tile's product leaves hidden (Zen 5, AVX-512,
				// BenchmarkEpoch batch 10, 11 alternations: 9 of them
				// faster without, medians 0.622 -> 0.602 s and 1.00 ->
				// 0.978 s in two sets; 2026-12-02). Nor for the B of an
				// A*B^T product, whose transposing packer requests its rows
				// itself: prefetching the next panel's 32 rows too made
				// (100x400)(1600x400)^T 1-2.5% slower (Zen 5, AVX-512, one
				// and two threads, 4 alternations each, 2026-12-03); its
				// row tiles hint them instead, spread through their
				// kernels (nextPanelChunk).
				j1 := jc + jr + nr
				kr.prefetchRows(g.b[pc*g.brs+j1:], g.brs, kb, 4*min(nr, nb-jr-nr))
			}
		} else {
			bp = buf.packB[jr*kb : jr*kb+kb*nr]
		}
		// The in-place kernels hint the next tile's rows themselves, one
		// per group of four depth steps, shared out over the row tiles.
		tiles := (mb + mr - 1) / mr
		per := min((next.rows+tiles-1)/tiles, kb/4)
		trans := jit && brow == nil && g.brs == 1 && jr+nr < nb && mb > mr && hintPanels(g)
		for ir := 0; ir < mb; ir += mr {
			var pf pfRows
			if r0 := ir / mr * per; r0 < next.rows {
				pf = pfRows{p: next.p[r0*g.brs:], rows: min(per, next.rows-r0)}
			}
			if q := ir / mr * 32; trans && q < kb {
				pf = nextPanelChunk(g, jc+jr+nr, min(nr, nb-jr-nr), pc+q)
			}
			rowTile(g, buf, ic, ir, mb, jc+jr, cols, pc, kb, bp, brow, beta, direct, pf)
		}
	}
}

// pfRows names rows rows of B, from p on, whose first 128 bytes a kernel
// should hint into L2 while it runs: one row every ldb floats (the
// product's), the rows of a tile that a later kernel call reads; or, for a
// packed B of an A*B^T product, one row of B every g.bcs floats
// (nextPanelChunk).
type pfRows struct {
	p    []float32
	rows int
}

// hintPanels reports whether the row tiles of an A*B^T product hint the
// source of the next micro-panel of B (nextPanelChunk): only where the
// thread's B does not fit in L2 (gemmOpts.hintBytes), so that its packer
// would read from L3.
func hintPanels(g *gemmArgs) bool {
	return 4*g.n*g.k > g.opts.hintBytes
}

// nextPanelChunk returns the 128 bytes from depth p on of each of the rows
// rows of an n x k B from row j on: a share of the source of the micro-panel
// that the transposing packer of an A*B^T product packs next, which the
// row tile t of the current one hints (t = (p-pc)/32), one row per group
// of four depth steps (the Pf kernels). Without the hints the packer reads
// its 32 rows from L3 when B is larger than L2 (the 1600 x 400 W of
// (100x400)(1600x400)^T on one thread): on the Intel Xeon with AMX (KVM,
// family 6 model 0xA7), one thread, AVX-512, BenchmarkGemm, 6 alternated
// runs, GFLOP per CPU-second, medians: (100x400)(1600x400)^T 164.5 ->
// 173.8, its sigmoid form 150.1 -> 159.6 (each 6 of 6 runs faster); with
// the same B in L2 ((100x400)(400x400)^T) no change. Two threads (each
// thread's 800 rows in its own L2, no hints) and the other shapes run the
// same kernels as before and measured within 2.1% either way, as did
// shapes whose code did not change at all (2026-12-07). On the Zen 5 (1 MiB
// L2), 6 alternations, medians: without the hints (hintBytes 1<<40)
// (100x400)(1600x400)^T 186.0 -> 181.5, its sigmoid form 172.9 -> 170.1
// (6 of 6 runs slower each); PREFETCHT0 instead of PREFETCHT1 for these
// hints 184.9 -> 184.1 and 174.0 -> 173.3 (3 and 2 of 6 faster): kept as
// is (2026-12-08).
func nextPanelChunk(g *gemmArgs, j, rows, p int) pfRows {
	return pfRows{p: g.b[j*g.bcs+p:], rows: rows}
}

// nextTileRows returns the rows of the tile of a row-major B read in place
// after the one at column jc+jr and depth pc (of a column block of nb
// columns at jc): the next tile to the right, or the first of the next
// depth block. Read in place, a tile's rows come from L3 when B is larger
// than L2 (the paper's 1600 x 400 B on one thread), each row a new pair
// of lines 1,600 bytes after the last, which the hardware prefetchers do
// not fetch ahead of the kernel: on the Intel Xeon with AMX (KVM, family
// 6 model 0xA7), one thread, the kernel loop of (100x1600)(1600x400)
// with the same B tile again and again ran at 175-185 GFLOP/s, with B's
// tiles in turn at 147-158. One burst of hints before each tile
// (prefetchRows, still used for packed tiles) gained nothing there: the
// hints wait for the same few fill buffers as the misses, and the core
// with them. Spread through the kernels of the tile before, one row per
// four depth steps (pfB kernels), they raised BenchmarkGemm on one thread,
// 3 alternations of the two builds, GFLOP/s: (100x1600)(1600x400)
// 123-144 -> 142-156, its sigmoid form 130-134 -> 138-145, (100x400)(400x100)
// 118-122 -> 124-129; on two threads (each thread's B in its own L2) and at
// every other shape within the noise of the hour (2026-12-06). Hinting
// two or three tiles ahead measured the same as one.
func nextTileRows(g *gemmArgs, jc, jr, nb, pc, kb int) pfRows {
	nr := g.kern.nr
	switch {
	case jr+nr < nb:
		return pfRows{p: g.b[pc*g.brs+jc+jr+nr:], rows: kb}
	case pc+kb < g.k:
		return pfRows{p: g.b[(pc+kb)*g.brs+jc:], rows: min(kc, g.k-pc-kb)}
	}
	return pfRows{}
}

// rowTile multiplies the row tile at row ir of the block of mb rows at row
// ic (its A operand from tileA) by the micro-panel of B of cols columns at
// column j of C: packed (bp) or the rows of a row-major B in place (brow).
func rowTile(g *gemmArgs, buf *threadBuf, ic, ir, mb, j, cols, pc, kb int, bp, brow []float32, beta float32, direct bool, pf pfRows) {
	rows := min(g.kern.mr, mb-ir)
	ap, aks, arow, skip := tileA(g, buf, ic, ir, pc, kb, rows, direct)
	off := (ic+ir)*g.ldc + j
	ldb := g.brs
	if brow == nil {
		ldb = g.bcs // the stride of pf's rows (a packed B's hints: nextPanelChunk)
	}
	g.kern.tile(buf, kb, ap, aks, arow, g.ars, bp, brow, ldb, g.c[off:off+(rows-1)*g.ldc+cols], g.ldc, g.alpha, beta, skip, rows, cols, pf)
}

// rowTiles multiplies the row tile at row ir of the block of mb rows at row
// ic by the first nt whole micro-panels of the packed panel of B (columns
// jc on) in one kernel call (kern.tiles), where the implementation has
// such a kernel and the tile is not a directTail one; it reports whether
// it did. One call instead of nt saves the Go calls, argument copies and
// dispatch between the tiles (6% of the time of (1600x100)^T(100x400)
// under pprof, whose tiles are 100 depth steps long). Intel Xeon with AMX
// (KVM, family 6 model 0xA7), AVX-512, BenchmarkGemm, 6 alternated runs,
// GFLOP per CPU-second, medians, one thread: (1600x100)^T(100x400) 170.4
// -> 178.4, (1000x1600)(1600x400) 183.9 -> 187.7, (1000x400)(1600x400)^T
// 185.9 -> 190.3, (1600x1000)^T(1000x400) 180.4 -> 183.2 (5 or 6 of 6
// runs faster each); two threads +0.2% to +2.1% (2026-12-07).
func rowTiles(g *gemmArgs, buf *threadBuf, ic, ir, mb, jc, nt, pc, kb int, beta float32, direct bool) bool {
	rows := min(g.kern.mr, mb-ir)
	ap, aks, arow, skip := tileA(g, buf, ic, ir, pc, kb, rows, direct)
	if skip != 0 {
		return false
	}
	nr := g.kern.nr
	off := (ic+ir)*g.ldc + jc
	return g.kern.tiles(kb, ap, aks, arow, g.ars, buf.packB[:nt*kb*nr], g.c[off:off+(rows-1)*g.ldc+nt*nr], g.ldc, g.alpha, beta, rows, nt)
}

// tileA returns the A operand of the row tile at row ir of the block at
// row ic and depth pc: a packed micro-panel (ap, aks floats per step of the
// depth), the columns of A^T in place (ap, aks = lda), or the rows of a
// row-major A in place (arow; skip > 0 for the last mr rows of A, of which
// the tile stores the last rows: their sums are the same FMA chains
// whichever tile computes them).
//
// Read in place, a row tile of A^T (one line or two per depth step: ~400
// lines, 25 KB, at kb = 256) shares the 48 KiB L1 of the Zen 5 with the
// 32 KB micro-panel of B that each of its column tiles streams in. Packing
// each row tile into L1 just before its kernel call (kern.packA of mr
// rows) instead was slower: Zen 5 ("AMD EPYC (family 26 model 2)", the
// faster-clocked host), one thread, AVX-512, BenchmarkGemm, 5 alternated
// runs, GFLOP per CPU-second, medians: (1600x1000)^T(1000x400) 261.1 ->
// 252.1, (1600x100)^T(100x400) 259.0 -> 252.7 (0 of 5 runs faster each;
// 2026-12-08).
func tileA(g *gemmArgs, buf *threadBuf, ic, ir, pc, kb, rows int, direct bool) (ap []float32, aks int, arow []float32, skip int) {
	mr := g.kern.mr
	aks = mr
	switch {
	case direct && rows == mr && g.acs == 1:
		arow = g.a[(ic+ir)*g.ars+pc:]
	case direct && rows < mr && tailInPlace(g, ic+ir):
		skip = mr - rows
		arow = g.a[(ic+ir-skip)*g.ars+pc:]
	case direct && rows == mr:
		ap, aks = g.a[pc*g.acs+ic+ir:], g.acs
	case direct:
		ap = buf.packA[:kb*mr]
	default:
		ap = buf.packA[ir*kb : ir*kb+kb*mr]
	}
	return ap, aks, arow, skip
}

// tileRowsAliased reports whether the kb rows of a tile of cols columns
// of a row-major B, ld floats apart, would crowd into too few sets of L2
// (taken as 1 MB, 16-way: 1024 sets of 64-byte lines; Zen 3's 512 KB 8-way
// also has 1024) to stay there while the row tiles of A reuse it: more
// than 12 lines (3/4 of the ways) in a set. Rows 4 KB apart (1024
// columns) start in 16 sets, so 256 rows of two lines put 16 lines into
// each of 32 sets and the tile is refetched from memory: such a B
// is packed per tile instead. In L1 a tile crowds already at 2 KB (512
// columns) but is refetched from L2 fast enough. On the Zen 5 ("Oxide
// Virtual Turin-like"), one thread, AVX-512, BenchmarkGemmAliased, medians
// of 6 alternated runs, GFLOP per CPU-second, in place -> packed:
// (100x1600)(1600x1024) 146 -> 174, (100x1024)(1024x1024) 152 -> 181
// (NumPy's OpenBLAS 140 and 144 in the same hour); at 512 columns,
// packing measured 185-190 against 196-197 in place (2026-12-02).
func tileRowsAliased(ld, rows, cols int) bool { return rowsCrowd(ld, rows, cols, 1024, 12) }

// colsAliased reports whether the columns of a row-major A^T (the A^T*B
// products), ld floats apart, put every row of a tile in the same set of
// L1: a stride that is a multiple of 4 KB (1024, 2048, 4096 ... columns,
// the visible units of L = 32 and 64 lattices). Read in place, the kb
// lines of a tile then evict each other and the packed panel of B in that
// set; such an A is packed instead. On the Zen 5 ("Oxide Virtual
// Turin-like"), one thread, GFLOP per CPU-second, 3 alternated runs each
// (in place -> packed): AVX2 (1024x100)^T(100x1024) 58-59 -> 86-90,
// (1024x1000)^T(1000x400) 60-65 -> 88-97, (2048x256)^T(256x400) 60-67
// -> 92-97; AVX-512 150 -> 147-172 and 152-161 -> 161-172. Strides of
// 2 KB (512 columns) or 6 KB (1536) measured the same either way, and
// 1600 columns (the paper's lattice) 2-3% faster in place (2026-12-02).
func colsAliased(ld int) bool { return ld*4%4096 == 0 }

// colsPacked reports whether the columns of a row-major A^T, ld floats
// apart, are packed rather than read in place: where they alias in L1
// (colsAliased), or where the rows are so far apart that the CPU's L1
// prefetcher does not follow them (asm.L1StrideLimit: 2 KB on Intel). On
// an Intel Xeon with AMX (KVM, family 6 model 0xA7), one thread, AVX-512,
// GFLOP per CPU-second, 5 alternated runs each, in place -> packed:
// (1600x1000)^T(1000x400) 99-104 -> 125-143, (1600x100)^T(100x400)
// 113-117 -> 119-141, (768x1000)^T(1000x400) 99-134 -> 129-150,
// (512x1000)^T(1000x400) 112-129 -> 118-133; at 400 columns (1,600
// bytes) the same either way (2026-12-06).
func colsPacked(ld int) bool {
	return colsAliased(ld) || strideLimit > 0 && ld*4 >= strideLimit
}

// strideLimit is asm.L1StrideLimit, a variable so that tests can try
// both rules on one machine.
var strideLimit = asm.L1StrideLimit

// packSlack is the room the assembly packers may write past a packed block.
const packSlack = 16

// packAGo copies the mb x kb block of A at (i0, p0) into dst as mr-row
// micro-panels: panel r holds, for p = 0..kb-1, the mr values
// A(i0+r*mr+i, p0+p), i = 0..mr-1, zero beyond row mb.
func packAGo(mr int, dst, a []float32, ars, acs, i0, mb, p0, kb int) {
	for ir := 0; ir < mb; ir += mr {
		rows := min(mr, mb-ir)
		d := dst[ir*kb : ir*kb+kb*mr]
		packAPanelGo(mr, d, a, ars, acs, i0+ir, rows, p0, kb)
	}
}

// packAPanelGo packs one micro-panel of rows (<= mr) rows of A at (i0, p0).
func packAPanelGo(mr int, d, a []float32, ars, acs, i0, rows, p0, kb int) {
	if acs == 1 {
		for i := 0; i < rows; i++ {
			src := a[(i0+i)*ars+p0:][:kb]
			for p, v := range src {
				d[p*mr+i] = v
			}
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kb; p++ {
				d[p*mr+i] = 0
			}
		}
	} else {
		for p := 0; p < kb; p++ {
			dp := d[p*mr : p*mr+mr]
			copy(dp, a[(p0+p)*acs+i0:][:rows])
			clear(dp[rows:])
		}
	}
}

// packBGo copies the kb x nb panel of B at (p0, j0) into dst as nr-column
// micro-panels: panel r holds, for p = 0..kb-1, the nr values
// B(p0+p, j0+r*nr+j), j = 0..nr-1, zero beyond column nb.
func packBGo(nr int, dst, b []float32, brs, bcs, p0, kb, j0, nb int) {
	for jr := 0; jr < nb; jr += nr {
		cols := min(nr, nb-jr)
		d := dst[jr*kb : jr*kb+kb*nr]
		packBPanelGo(nr, d, b, brs, bcs, p0, kb, j0+jr, cols)
	}
}

// packBPanelGo packs one micro-panel of cols (<= nr) columns of B at (p0, j0).
func packBPanelGo(nr int, d, b []float32, brs, bcs, p0, kb, j0, cols int) {
	if bcs == 1 {
		for p := 0; p < kb; p++ {
			dp := d[p*nr : p*nr+nr]
			copy(dp, b[(p0+p)*brs+j0:][:cols])
			clear(dp[cols:])
		}
	} else {
		for j := 0; j < cols; j++ {
			src := b[(j0+j)*bcs+p0:][:kb]
			for p, v := range src {
				d[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := 0; p < kb; p++ {
				d[p*nr+j] = 0
			}
		}
	}
}

// Register tile of the portable micro-kernel.
const (
	mrGo = 6
	nrGo = 16
)

// kernelGo is the portable micro-kernel on packed micro-panels (ap: kb
// groups of mrGo, bp: kb groups of nrGo), writing the rows x cols corner
// by the rounding contract:
//
//	for i := 0; i < rows; i++ {
//		for j := 0; j < cols; j++ {
//			var s float32
//			for p := 0; p < kb; p++ {
//				s = fma32(ap[p*mrGo+i], bp[p*nrGo+j], s)
//			}
//			t := float32(alpha * s)
//			if beta == 0 {
//				c[i*ldc+j] = t
//			} else {
//				c[i*ldc+j] = fma32(beta, c[i*ldc+j], t)
//			}
//		}
//	}
func kernelGo(kb int, ap, bp, c []float32, ldc int, alpha, beta float32, rows, cols int) {
	var acc [mrGo][nrGo]float32
	ap = ap[:kb*mrGo]
	bp = bp[:kb*nrGo]
	var bd [nrGo]float64
	for p := 0; p < kb; p++ {
		a := (*[mrGo]float32)(ap[p*mrGo : p*mrGo+mrGo])
		b := (*[nrGo]float32)(bp[p*nrGo : p*nrGo+nrGo])
		for j, v := range b {
			bd[j] = float64(v)
		}
		for i, v := range a {
			if hard := fmaRowGo(&acc[i], float64(v), &bd); hard != 0 {
				fmaRowSlowGo(&acc[i], float64(v), &bd, hard)
			}
		}
	}
	for i := range rows {
		crow := c[i*ldc : i*ldc+cols]
		for j := range crow {
			t := float32(alpha * acc[i][j])
			if beta == 0 {
				crow[j] = t
			} else {
				crow[j] = fma32(beta, crow[j], t)
			}
		}
	}
}

// fmaRowGo sets r[j] = fma32(a, b[j], r[j]) for the j = 0..nrGo-1 whose
// float64 sum rounds to float32 as the exact one does (fma32's fast path),
// and returns the set of the others (bit j for r[j]), which it leaves
// unchanged for fmaRowSlowGo. The slow path is kept out of this loop so
// that its call does not make the compiler spill the loop's registers; a
// and b are float32 values held in float64, so a*b is exact.
func fmaRowGo(r *[nrGo]float32, a float64, b *[nrGo]float64) (hard uint32) {
	for j := 0; j < nrGo; j += 4 {
		s0 := float64(a*b[j]) + float64(r[j]) // the conversion keeps arm64 from fusing the product into the sum
		s1 := float64(a*b[j+1]) + float64(r[j+1])
		s2 := float64(a*b[j+2]) + float64(r[j+2])
		s3 := float64(a*b[j+3]) + float64(r[j+3])
		if fma32Hard(s0) {
			hard |= 1 << j
		} else {
			r[j] = float32(s0)
		}
		if fma32Hard(s1) {
			hard |= 2 << j
		} else {
			r[j+1] = float32(s1)
		}
		if fma32Hard(s2) {
			hard |= 4 << j
		} else {
			r[j+2] = float32(s2)
		}
		if fma32Hard(s3) {
			hard |= 8 << j
		} else {
			r[j+3] = float32(s3)
		}
	}
	return hard
}

// fmaRowSlowGo finishes what fmaRowGo left: r[j] = fma32(a, b[j], r[j]) for
// each j in hard.
func fmaRowSlowGo(r *[nrGo]float32, a float64, b *[nrGo]float64, hard uint32) {
	for ; hard != 0; hard &= hard - 1 {
		j := bits.TrailingZeros32(hard)
		p, c := float64(a*b[j]), float64(r[j])
		r[j] = fma32Slow(p, c, p+c)
	}
}
