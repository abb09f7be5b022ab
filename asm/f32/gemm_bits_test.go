package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// Bit-reproducibility of the products: every implementation, thread count,
// offset and leading dimension must give the bytes of roundingContract.

// contractGemm computes C by roundingContract with plain loops (the
// definition every implementation must match bit for bit); f is NN, NT or TN.
func contractGemm(f form, m, n, k int, alpha float32, A *padded, B *padded, beta float32, C *padded) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			if k == 0 || alpha == 0 {
				v := &C.buf[C.off+i*C.ld+j]
				if beta == 0 {
					*v = 0
				} else {
					*v = float32(beta * *v)
				}
				continue
			}
			for p0 := 0; p0 < k; p0 += kc {
				var s float32
				for p := p0; p < min(k, p0+kc); p++ {
					var av, bv float32
					if f == formTN {
						av = A.at(p, i)
					} else {
						av = A.at(i, p)
					}
					if f == formNT || f == formSigNT {
						bv = B.at(j, p)
					} else {
						bv = B.at(p, j)
					}
					s = fma32(av, bv, s)
				}
				t := float32(alpha * s)
				v := &C.buf[C.off+i*C.ld+j]
				switch {
				case p0 > 0:
					*v = float32(*v + t)
				case beta == 0:
					*v = t
				default:
					*v = fma32(beta, *v, t)
				}
			}
		}
	}
}

// bitCase builds the operands of c (random values, NaN guards, NaNs in C
// when beta == 0) from seed.
func bitCase(c gemmCase, seed uint64) (A, B, C *padded, bias []float32) {
	rng := rand.New(rand.NewPCG(seed, uint64(c.m*1000003+c.n*1009+c.k)))
	ar, ac := c.m, c.k
	if c.f == formTN {
		ar, ac = c.k, c.m
	}
	br, bc := c.k, c.n
	if c.f == formNT || c.f == formSigNT {
		br, bc = c.n, c.k
	}
	A = newPadded(rng, ar, ac, ac+c.pad+boolInt(ac == 0), c.off)
	B = newPadded(rng, br, bc, bc+c.pad+boolInt(bc == 0), (c.off*3)%2)
	C = newPadded(rng, c.m, c.n, c.n+c.pad+boolInt(c.n == 0), c.off)
	if c.exp != 0 {
		for _, P := range []*padded{A, B} {
			for i := 0; i < P.rows; i++ {
				for j := 0; j < P.cols; j++ {
					v := &P.buf[P.off+i*P.ld+j]
					*v = float32(math.Ldexp(float64(*v), c.exp))
				}
			}
		}
	}
	bias = make([]float32, c.n)
	for j := range bias {
		bias[j] = float32(rng.Float64()*4 - 2)
	}
	if c.beta == 0 {
		for i := 0; i < c.m; i++ {
			for j := 0; j < c.n; j += 3 {
				C.buf[C.off+i*C.ld+j] = float32(math.NaN())
			}
		}
	}
	return A, B, C, bias
}

// runForm runs case c's product on w.
func runForm(w *Workspace, c gemmCase, A, B, C *padded, bias []float32) {
	switch c.f {
	case formNN:
		w.GemmNN(c.m, c.n, c.k, c.alpha, A.mat(), A.ld, B.mat(), B.ld, c.beta, C.mat(), C.ld)
	case formNT:
		w.GemmNT(c.m, c.n, c.k, c.alpha, A.mat(), A.ld, B.mat(), B.ld, c.beta, C.mat(), C.ld)
	case formTN:
		w.GemmTN(c.m, c.n, c.k, c.alpha, A.mat(), A.ld, B.mat(), B.ld, c.beta, C.mat(), C.ld)
	case formSigNN:
		w.SigmoidAffineNN(c.m, c.n, c.k, A.mat(), A.ld, B.mat(), B.ld, bias, C.mat(), C.ld)
	case formSigNT:
		w.SigmoidAffineNT(c.m, c.n, c.k, A.mat(), A.ld, B.mat(), B.ld, bias, C.mat(), C.ld)
	}
}

// contractWant returns C after case c by the contract (for the sigmoid
// forms, the product A*B (or A*B^T) before the bias and the sigmoid).
func contractWant(c gemmCase, seed uint64) *padded {
	A, B, C, _ := bitCase(c, seed)
	want := C.clone()
	switch c.f {
	case formSigNN:
		contractGemm(formNN, c.m, c.n, c.k, 1, A, B, 0, want)
	case formSigNT:
		contractGemm(formNT, c.m, c.n, c.k, 1, A, B, 0, want)
	default:
		contractGemm(c.f, c.m, c.n, c.k, c.alpha, A, B, c.beta, want)
	}
	return want
}

// checkBits runs case c with the active implementation on w and compares
// the whole C buffer (guards included) byte for byte with the contract
// (from cache[key] when there, computed and stored otherwise; cache may be
// nil). The sigmoid forms are compared with the same implementation's
// Sigmoid(product + bias), whose own reproducibility the elementwise tests
// check.
func checkBits(t *testing.T, w *Workspace, c gemmCase, seed uint64, cache map[int]*padded, key int) {
	t.Helper()
	A, B, C, bias := bitCase(c, seed)
	want := cache[key]
	if want == nil {
		want = contractWant(c, seed)
		if cache != nil {
			cache[key] = want
		}
	}
	if c.f == formSigNN || c.f == formSigNT {
		want = want.clone()
		for i := 0; i < c.m; i++ {
			row := want.buf[want.off+i*want.ld : want.off+i*want.ld+c.n]
			for j := range row {
				row[j] = float32(row[j] + bias[j])
			}
			Sigmoid(row, row)
		}
	}
	runForm(w, c, A, B, C, bias)
	for i, v := range C.buf {
		if math.Float32bits(v) != math.Float32bits(want.buf[i]) {
			k := i - C.off
			t.Fatalf("%v (%s): element %d (row %d col %d) = %g (%#08x), contract %g (%#08x)", c, asm.Active(pkgName),
				k, k/max(C.ld, 1), k%max(C.ld, 1), v, math.Float32bits(v), want.buf[i], math.Float32bits(want.buf[i]))
		}
	}
}

// bitScalars are the alpha and beta values of the bit tests: besides the
// BLAS special cases, values that are not powers of two, so that alpha*s and
// beta*c round and a fused or unfused epilogue gives different bits.
var bitScalars = []float32{0, 1, -0.5, 2, 0.3, -1.7}

// bitCases covers the edges of every kernel's tiles (6, 10, 12, 14 rows;
// 8, 16, 32, 48 columns), k around the fixed k-block, the training shapes,
// every alpha and beta, offsets and padded leading dimensions.
func bitCases() []gemmCase {
	dims := []int{0, 1, 5, 6, 7, 9, 10, 11, 13, 15, 16, 17, 31, 32, 33, 47, 49, 64, 100}
	ks := []int{0, 1, 7, 16, 17, 255, 256, 257, 513}
	rng := rand.New(rand.NewPCG(3, 4))
	var cs []gemmCase
	q := 0
	for _, m := range dims {
		for _, n := range dims {
			q++
			k := ks[rng.IntN(len(ks))]
			cs = append(cs, gemmCase{f: form(q % 5), m: m, n: n, k: k,
				alpha: bitScalars[q%6], beta: bitScalars[(q/6)%6], off: q % 2, pad: (q / 2 % 2) * 3, threads: 1 + q%3})
		}
	}
	// The training shapes in the forms training uses them, and one with
	// every form and several k-blocks.
	for i, s := range []struct {
		m, n, k int
		forms   []form
	}{
		{100, 400, 1600, []form{formNN, formSigNN}},
		{100, 1600, 400, []form{formNT, formSigNT}},
		{1600, 400, 100, []form{formTN}},
		{100, 100, 400, []form{formNN, formSigNN}},
		{100, 400, 100, []form{formNT, formSigNT}},
		{400, 100, 100, []form{formTN}},
		{61, 37, 1600, []form{formNN, formNT, formTN, formSigNN, formSigNT}},
		// Several row blocks (mcMax is at most 480): the row tiles run
		// outside the column tiles with AVX-512, AVX2 and on Intel
		// (gemmArgs.rowsOuter), the whole column tiles of each in one
		// kernel call with AVX-512 and AVX2 (kern.tiles), the last row
		// tile of 7 rows. (400, 100, 100) above is one row block of
		// depth 100: packed whole first and the row tiles outside too
		// (shortDepth).
		{497, 70, 12, []form{formNN, formNT, formTN, formSigNN, formSigNT}},
	} {
		for _, f := range s.forms {
			cs = append(cs, gemmCase{f: f, m: s.m, n: s.n, k: s.k, alpha: bitScalars[(i+int(f)+4)%6],
				beta: bitScalars[(i+2*int(f)+5)%6], off: i % 2, pad: 3 * (int(f) % 2), threads: 1 + (i+int(f))%3})
		}
	}
	// Tiles of one or two rows (the AVX-512 2-row kernels): products of
	// one and two rows, last row tiles of one and two rows (12, 22), B
	// packed and read in place, whole and edge column panels; and the
	// centered RBM's derived biases (mu W, lam W^T, [lam, delta] W^T).
	few := [][3]int{{1, 7, 257}, {2, 16, 513}, {2, 17, 255}, {12, 32, 257}, {22, 33, 300}, {2, 400, 70}, {1, 48, 513}}
	for i, s := range few {
		for f := formNN; f <= formSigNT; f++ {
			cs = append(cs, gemmCase{f: f, m: s[0], n: s[1], k: s[2], alpha: bitScalars[(i+int(f))%6],
				beta: bitScalars[(2*i+int(f)+1)%6], off: (i + int(f)) % 2, pad: 3 * (int(f) % 2), threads: 1 + (i+int(f))%3})
		}
	}
	for i, s := range []struct {
		m, n, k int
		f       form
	}{{1, 400, 1600, formNN}, {1, 1600, 400, formNT}, {2, 1600, 400, formNT}} {
		cs = append(cs, gemmCase{f: s.f, m: s.m, n: s.n, k: s.k, alpha: -1, beta: 1, off: i % 2, threads: 1 + i%2})
	}
	// Split along k on 2 or 3 threads (TestKSplit: alpha > 0): the
	// batch-10 shape, a last block of one row (on 3 threads), whole
	// blocks (on 2), one row; every beta.
	for i, s := range []struct {
		m, n, k int
		f       form
	}{
		{10, 400, 1600, formNN}, {10, 400, 1600, formSigNN}, {10, 100, 769, formNN}, {10, 100, 769, formSigNN},
		{9, 100, 1024, formNN}, {1, 33, 1537, formNN}, {1, 33, 1537, formSigNN},
	} {
		cs = append(cs, gemmCase{f: s.f, m: s.m, n: s.n, k: s.k, alpha: []float32{1, 0.3, 2}[i%3],
			beta: bitScalars[i%6], off: i % 2, pad: 3 * (i % 2), threads: 2 + i%2})
	}
	// Underflowing and subnormal operands (gemmCase.exp): blocks that end
	// at -0, which a product split along k must add as C + (-0) (kreduce),
	// in every form, on one to three threads, split along k and not.
	for i, s := range []struct {
		m, n, k int
		f       form
	}{
		{1, 128, 512, formNN}, {10, 100, 769, formNN}, {10, 100, 769, formSigNN}, {3, 40, 600, formTN},
		{5, 33, 520, formNT}, {5, 33, 520, formSigNT}, {17, 20, 300, formNN},
	} {
		for j, e := range []int{-80, -70} {
			cs = append(cs, gemmCase{f: s.f, m: s.m, n: s.n, k: s.k, alpha: []float32{1, 0.3, 2}[(i+j)%3],
				beta: []float32{0, 1, -0.5}[(i+2*j)%3], off: i % 2, threads: 1 + (i+j)%3, exp: e})
		}
	}
	return cs
}

// raceMinThreads is the fewest threads TestGemmBits and TestBitsProducts
// run: 2 under the race detector, where one thread races nothing (the
// other builds' runs check its bytes), 1 otherwise.
var raceMinThreads = func() int {
	if raceEnabled {
		return 2
	}
	return 1
}()

// TestGemmBits checks every implementation at 1, 2 and 3 threads (2 and 3
// under the race detector), with and without the in-place and just-in-time
// packing paths, and (the A*B^T forms) with the hinting kernels on every B
// (gemmOpts.hintBytes 0), against the contract, byte for byte.
func TestGemmBits(t *testing.T) {
	cases := bitCases()
	cache := map[int]*padded{}
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		for th := raceMinThreads; th <= 3; th++ {
			for _, mode := range []string{"inplace", "packed", "hinted"} {
				packed, hinted := mode == "packed", mode == "hinted"
				w := newTestWorkspace(th)
				w.opts.noJIT, w.opts.noDirect = packed, packed
				if hinted {
					w.opts.hintBytes = 0
				}
				t.Run(fmt.Sprintf("threads=%d/%s", th, mode), func(t *testing.T) {
					for i, c := range cases {
						big := c.m*c.n*c.k > 1<<20
						if big && (packed || testing.Short() || raceEnabled || asm.Active(pkgName) == asm.Generic && th > 1) {
							continue
						}
						if hinted && c.f != formNT && c.f != formSigNT {
							continue
						}
						checkBits(t, w, c, uint64(i), cache, i)
					}
				})
			}
		}
	})
}

// FuzzGemmBits compares every implementation with the contract, bit for
// bit, on fuzzed shapes.
func FuzzGemmBits(f *testing.F) {
	f.Add(uint8(0), uint16(7), uint16(17), uint16(300), uint8(1), uint8(2), uint8(1), uint8(3), uint8(2))
	f.Add(uint8(2), uint16(100), uint16(33), uint16(257), uint8(3), uint8(0), uint8(0), uint8(0), uint8(1))
	f.Add(uint8(1), uint16(13), uint16(29), uint16(513), uint8(1), uint8(1), uint8(1), uint8(1), uint8(3))
	ws := []*Workspace{newTestWorkspace(1), newTestWorkspace(2), newTestWorkspace(3)}
	f.Fuzz(func(t *testing.T, fm uint8, m, n, k uint16, ai, bi, off, pad, th uint8) {
		// fm picks the form (every form, the sigmoid ones too) and the
		// operands' scale: uniform, underflowing or subnormal products.
		c := gemmCase{f: form(fm % 5), m: int(m % 130), n: int(n % 130), k: int(k % 600),
			alpha: bitScalars[ai%6], beta: bitScalars[bi%6], off: int(off % 2), pad: int(pad % 5), threads: 1 + int(th%3),
			exp: []int{0, -80, -70}[fm/5%3]}
		asmtest.TestAll(t, pkgName, func(t *testing.T) { checkBits(t, ws[c.threads-1], c, 7, nil, 0) })
	})
}
