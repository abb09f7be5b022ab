package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// randBinary returns a padded rows x cols 0/1 matrix (ones with
// probability q) with NaN guards, and its Bits.
func randBinary(rng *rand.Rand, rows, cols, ld, off int, q float64) (*padded, *Bits) {
	p := newPadded(rng, rows, cols, ld, off)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			v := float32(0)
			if rng.Float64() < q {
				v = 1
			}
			p.buf[p.off+i*ld+j] = v
		}
	}
	var b Bits
	if !b.Pack(p.mat(), rows, cols, ld) {
		panic("randBinary: not binary")
	}
	return p, &b
}

// naiveBits packs a 0/1 matrix element by element.
func naiveBits(a []float32, rows, cols, lda int) []uint64 {
	st := (cols + 63) / 64
	w := make([]uint64, rows*st)
	for i := 0; i < rows; i++ {
		for p := 0; p < cols; p++ {
			if a[i*lda+p] == 1 {
				w[i*st+p/64] |= 1 << uint(p%64)
			}
		}
	}
	return w
}

var bitsDims = []int{0, 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200}

func TestBitsPack(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, rows := range bitsDims {
			for _, cols := range bitsDims {
				for _, q := range []float64{0, 0.3, 1} {
					ld := cols + int(rng.IntN(3))
					a, _ := randBinary(rng, rows, cols, max(ld, 1), rows%2, q)
					orig := a.clone()
					var b Bits
					b.Words = make([]uint64, 3) // reused or replaced, never read
					for i := range b.Words {
						b.Words[i] = ^uint64(0)
					}
					if !b.Pack(a.mat(), rows, cols, a.ld) {
						t.Fatalf("%dx%d q=%v: Pack reports a non-binary matrix", rows, cols, q)
					}
					want := naiveBits(a.mat(), rows, cols, a.ld)
					if b.Rows != rows || b.Cols != cols || b.Stride != (cols+63)/64 || len(b.Words) != len(want) {
						t.Fatalf("%dx%d: shape %d x %d stride %d, %d words", rows, cols, b.Rows, b.Cols, b.Stride, len(b.Words))
					}
					for i := range want {
						if b.Words[i] != want[i] {
							t.Fatalf("%dx%d q=%v: word %d = %#x, want %#x", rows, cols, q, i, b.Words[i], want[i])
						}
					}
					a.checkGuards(t, "a", orig, true)
					if rows == 0 || cols == 0 {
						continue
					}
					// One element that is not 0 or 1, anywhere, is reported;
					// -0 is a zero.
					i, j := rng.IntN(rows), rng.IntN(cols)
					for _, v := range []float32{0.5, -1, 2, float32(math.NaN()), float32(math.Inf(1)), 1e-30} {
						a.buf[a.off+i*a.ld+j] = v
						if b.Pack(a.mat(), rows, cols, a.ld) {
							t.Fatalf("%dx%d: Pack accepts %v at (%d, %d)", rows, cols, v, i, j)
						}
					}
					a.buf[a.off+i*a.ld+j] = float32(math.Copysign(0, -1))
					if !b.Pack(a.mat(), rows, cols, a.ld) || b.Words[i*b.Stride+j/64]>>uint(j%64)&1 != 0 {
						t.Fatalf("%dx%d: -0 at (%d, %d) is not a zero", rows, cols, i, j)
					}
				}
			}
		}
	})
}

func TestBitsTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, rows := range bitsDims {
		for _, cols := range bitsDims {
			a, b := randBinary(rng, rows, cols, max(cols, 1), 0, 0.4)
			var tr Bits
			tr.Transpose(b)
			at := make([]float32, cols*rows)
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					at[j*rows+i] = a.at(i, j)
				}
			}
			want := naiveBits(at, cols, rows, max(rows, 1))
			if tr.Rows != cols || tr.Cols != rows || len(tr.Words) != len(want) {
				t.Fatalf("%dx%d: transpose is %d x %d with %d words", rows, cols, tr.Rows, tr.Cols, len(tr.Words))
			}
			for i := range want {
				if tr.Words[i] != want[i] {
					t.Fatalf("%dx%d: word %d = %#x, want %#x", rows, cols, i, tr.Words[i], want[i])
				}
			}
		}
	}
}

// TestBitsPanics checks that a Bits of the wrong shape, or with bits set
// past its columns, is refused before any kernel reads B.
func TestBitsPanics(t *testing.T) {
	w := NewWorkspace(1)
	b := make([]float32, 70*8)
	c := make([]float32, 3*8)
	var a Bits
	a.Pack(make([]float32, 3*70), 3, 70, 70)
	for name, f := range map[string]func(){
		"shape":   func() { w.GemmNNBits(3, 8, 69, 1, &a, b, 8, 0, c, 8) },
		"rows":    func() { w.GemmNNBits(2, 8, 70, 1, &a, b, 8, 0, c, 8) },
		"short b": func() { w.GemmNNBits(3, 8, 70, 1, &a, b[:69*8], 8, 0, c, 8) },
		"padding": func() {
			bad := a
			bad.Words = append([]uint64(nil), a.Words...)
			bad.Words[2*bad.Stride+1] |= 1 << 6 // column 70
			w.GemmNNBits(3, 8, 70, 1, &bad, b, 8, 0, c, 8)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
	w.GemmNNBits(3, 8, 70, 1, &a, b, 8, 0, c, 8) // the valid call runs
}

// bitsCase is a Bits product: f is NN, NT, SigNN or SigNT, or pairForm
// for GemmTNPairBits (updateForm: GemmTNPairUpdateBits), whose second
// term has depth k2.
type bitsCase struct {
	gemmCase
	q  float64 // density of ones
	k2 int
}

// negZero is a beta of -0, which must count as 0 (C not read).
var negZero = float32(math.Copysign(0, -1))

const (
	pairForm form = 10 + iota
	updateForm
)

func (c bitsCase) String() string {
	f := c.f.String
	name := map[form]string{pairForm: "Pair", updateForm: "PairUpdate"}[c.f]
	if name == "" {
		name = f()
	}
	return fmt.Sprintf("%s/m%d/n%d/k%d/k2%d/q%v/a%v/b%v/off%d/pad%d/t%d", name, c.m, c.n, c.k, c.k2, c.q, c.alpha, c.beta, c.off, c.pad, c.threads)
}

// checkBitsProduct runs case c through the Bits entry point and through
// the float32 one on the same 0/1 matrix (which TestGemmBits holds to the
// contract), and requires the same bytes in C, guards included, and in W
// and Vel for the update.
func checkBitsProduct(t *testing.T, w *Workspace, c bitsCase, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, uint64(c.m*1000003+c.n*1009+c.k)))
	pair := c.f == pairForm || c.f == updateForm
	ar, ac := c.m, c.k
	if pair {
		ar, ac = c.k, c.m // A1 is k x m, its Bits the transpose
	}
	A, ab := randBinary(rng, ar, ac, ac+c.pad+boolInt(ac == 0), c.off, c.q)
	if pair {
		var tr Bits
		tr.Transpose(ab)
		ab = &tr
	}
	br, bc := c.k, c.n
	if c.f == formNT || c.f == formSigNT {
		br, bc = c.n, c.k
	}
	B := newPadded(rng, br, bc, bc+c.pad+boolInt(bc == 0), (c.off*3)%2)
	C := newPadded(rng, c.m, c.n, c.n+c.pad+boolInt(c.n == 0), c.off)
	if c.f == updateForm {
		C = newPadded(rng, c.m, c.n, max(c.n, 1), c.off)
	}
	if c.beta == 0 { // also -0: C must not be read
		for i := 0; i < c.m; i++ {
			for j := 0; j < c.n; j += 3 {
				C.buf[C.off+i*C.ld+j] = float32(math.NaN())
			}
		}
	}
	A2 := newPadded(rng, c.k2, c.m, c.m+boolInt(c.m == 0), 0)
	B2 := newPadded(rng, c.k2, c.n, c.n+boolInt(c.n == 0), 1)
	bias := make([]float32, c.n)
	for j := range bias {
		bias[j] = float32(rng.Float64()*4 - 2)
	}
	W := newPadded(rng, c.m, c.n, max(c.n, 1), 0)
	V := newPadded(rng, c.m, c.n, max(c.n, 1), 1)
	origA, origB := A.clone(), B.clone()
	want, wantW, wantV := C.clone(), W.clone(), V.clone()
	// With beta 0 and odd m, the update cases pass no C to the Bits form
	// (the gradient not kept), whose W and Vel must be the same.
	gradKept := !(c.f == updateForm && c.beta == 0 && c.m%2 == 1)
	run := func(bits bool, C, W, V *padded) {
		switch c.f {
		case formNN:
			if bits {
				w.GemmNNBits(c.m, c.n, c.k, c.alpha, ab, B.mat(), B.ld, c.beta, C.mat(), C.ld)
			} else {
				w.GemmNN(c.m, c.n, c.k, c.alpha, A.mat(), A.ld, B.mat(), B.ld, c.beta, C.mat(), C.ld)
			}
		case formNT:
			if bits {
				w.GemmNTBits(c.m, c.n, c.k, c.alpha, ab, B.mat(), B.ld, c.beta, C.mat(), C.ld)
			} else {
				w.GemmNT(c.m, c.n, c.k, c.alpha, A.mat(), A.ld, B.mat(), B.ld, c.beta, C.mat(), C.ld)
			}
		case formSigNN:
			if bits {
				w.SigmoidAffineNNBits(c.m, c.n, c.k, ab, B.mat(), B.ld, bias, C.mat(), C.ld)
			} else {
				w.SigmoidAffineNN(c.m, c.n, c.k, A.mat(), A.ld, B.mat(), B.ld, bias, C.mat(), C.ld)
			}
		case formSigNT:
			if bits {
				w.SigmoidAffineNTBits(c.m, c.n, c.k, ab, B.mat(), B.ld, bias, C.mat(), C.ld)
			} else {
				w.SigmoidAffineNT(c.m, c.n, c.k, A.mat(), A.ld, B.mat(), B.ld, bias, C.mat(), C.ld)
			}
		case pairForm:
			if bits {
				w.GemmTNPairBits(c.m, c.n, c.k, c.alpha, ab, B.mat(), B.ld, c.beta, c.k2, -0.7, A2.mat(), A2.ld, B2.mat(), B2.ld, C.mat(), C.ld)
			} else {
				w.GemmTNPair(c.m, c.n, c.k, c.alpha, A.mat(), A.ld, B.mat(), B.ld, c.beta, c.k2, -0.7, A2.mat(), A2.ld, B2.mat(), B2.ld, C.mat(), C.ld)
			}
		case updateForm:
			u := UpdateRule{W: W.mat(), Vel: V.mat(), LR: 0.1, Momentum: 0.9, L1: 1e-4, L2: 2e-4, Proximal: c.off == 1}
			if bits {
				cc := C.mat()
				if !gradKept {
					cc = nil
				}
				w.GemmTNPairUpdateBits(c.m, c.n, c.k, c.alpha, ab, B.mat(), B.ld, c.beta, c.k2, -0.7, A2.mat(), A2.ld, B2.mat(), B2.ld, cc, u)
			} else {
				w.GemmTNPairUpdate(c.m, c.n, c.k, c.alpha, A.mat(), A.ld, B.mat(), B.ld, c.beta, c.k2, -0.7, A2.mat(), A2.ld, B2.mat(), B2.ld, C.mat(), u)
			}
		}
	}
	run(false, want, wantW, wantV)
	run(true, C, W, V)
	same := func(name string, got, want *padded) {
		for i, v := range got.buf {
			if math.Float32bits(v) != math.Float32bits(want.buf[i]) {
				k := i - got.off
				t.Fatalf("%v (%s): %s element %d (row %d col %d) = %g (%#08x), float32 product %g (%#08x)", c, asm.Active(pkgName), name,
					k, k/max(got.ld, 1), k%max(got.ld, 1), v, math.Float32bits(v), want.buf[i], math.Float32bits(want.buf[i]))
			}
		}
	}
	if gradKept {
		same("C", C, want)
	}
	same("W", W, wantW)
	same("Vel", V, wantV)
	A.checkGuards(t, "a", origA, true)
	B.checkGuards(t, "b", origB, true)
}

// bitsCases covers the edges of the Bits kernels (column panels of 16,
// 32 and 64 with partial vectors, row chunks of 128, the parts of 128 and
// the k-blocks of 256, words of 64), the training shapes, every alpha and
// beta, offsets, padded leading dimensions and densities from no ones to
// all ones.
func bitsCases() []bitsCase {
	ks := []int{0, 1, 63, 64, 65, 127, 128, 129, 255, 256, 257, 300, 513}
	qs := []float64{0.5, 0, 1, 0.1, 0.9}
	forms := []form{formNN, formNT, formSigNN, formSigNT, pairForm, updateForm}
	rng := rand.New(rand.NewPCG(5, 6))
	var cs []bitsCase
	q := 0
	for _, m := range bitsDims {
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 100, 129, 200} {
			q++
			c := bitsCase{gemmCase: gemmCase{f: forms[q%len(forms)], m: m, n: n, k: ks[rng.IntN(len(ks))],
				alpha: bitScalars[q%6], beta: bitScalars[(q/6)%6], off: q % 2, pad: (q / 2 % 2) * 3, threads: 1 + q%3},
				q: qs[q%len(qs)], k2: []int{0, 1, 17, 100}[q%4]}
			if c.f == updateForm {
				c.pad = 0 // its C has stride n
			}
			if q%7 == 3 {
				c.beta = negZero
			}
			cs = append(cs, c)
		}
	}
	for i, s := range []struct {
		m, n, k int
		f       form
	}{
		{100, 400, 1600, formSigNN},
		{100, 1600, 400, formSigNT},
		{1600, 400, 100, updateForm},
		{1600, 400, 100, pairForm},
		{100, 100, 400, formSigNN},
		{100, 400, 100, formSigNT},
		{400, 100, 100, updateForm},
		{300, 130, 700, formNN},
		// Split along k (TestKSplit).
		{10, 400, 1600, formSigNN},
		{7, 130, 1537, formNN},
		{130, 300, 700, formNT},
		// Rows of B 2 KB and 1 KB apart: packed (rowsAliased).
		{100, 512, 300, formSigNN},
		{70, 256, 200, formNN},
		{256, 128, 150, pairForm},
	} {
		cs = append(cs, bitsCase{gemmCase: gemmCase{f: s.f, m: s.m, n: s.n, k: s.k, alpha: bitScalars[(i+3)%6],
			beta: bitScalars[(2*i+1)%6], off: i % 2, threads: 1 + i%3}, q: 0.5, k2: 100})
	}
	return cs
}

// TestBitsPanel checks bitsPanel's cuts of n columns for the panel widths
// and vector widths of every implementation: they cover the n columns in
// the fewest panels of at most nr, every panel but the last is whole
// vectors, and a last panel that the greedy cut would leave under half of
// nr is spread out, its panels within a vector of each other.
func TestBitsPanel(t *testing.T) {
	for _, g := range []struct{ nr, vw int }{{64, 16}, {64, 8}, {64, 4}, {bitsNR, 16}} {
		for n := 1; n <= 700; n++ {
			w, wide := bitsPanel(n, g.nr, g.vw)
			var cuts []int
			for jc, jn := 0, w; jc < n; jc += jn {
				if jc == wide {
					jn -= g.vw
				}
				cuts = append(cuts, min(jn, n-jc))
			}
			sum, lo, hi := 0, n, 0
			for i, c := range cuts {
				sum += c
				if c <= 0 || c > g.nr || (i < len(cuts)-1 && c%g.vw != 0) {
					t.Fatalf("nr %d vw %d n %d: panels %v", g.nr, g.vw, n, cuts)
				}
				if i < len(cuts)-1 {
					lo, hi = min(lo, c), max(hi, c)
				}
			}
			nv, per := (n+g.vw-1)/g.vw, g.nr/g.vw
			if sum != n || len(cuts) != (n+g.nr-1)/g.nr {
				t.Fatalf("nr %d vw %d n %d: panels %v", g.nr, g.vw, n, cuts)
			}
			if r := nv % per; r != 0 && 2*r < per {
				last := (cuts[len(cuts)-1] + g.vw - 1) / g.vw * g.vw
				if len(cuts) > 1 && (hi-lo > g.vw || last > hi || last < hi-g.vw) {
					t.Fatalf("nr %d vw %d n %d: uneven panels %v", g.nr, g.vw, n, cuts)
				}
			} else if len(cuts) > 1 && (lo != g.nr || hi != g.nr) {
				t.Fatalf("nr %d vw %d n %d: panels %v, want full panels of %d", g.nr, g.vw, n, cuts, g.nr)
			}
		}
	}
}

// TestBitsProducts checks every implementation at 1, 2 and 3 threads (2
// and 3 under the race detector): the Bits products give the bytes of the
// float32 products on the same 0/1 matrices.
func TestBitsProducts(t *testing.T) {
	cases := bitsCases()
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		for th := raceMinThreads; th <= 3; th++ {
			w := newTestWorkspace(th)
			t.Run(fmt.Sprintf("threads=%d", th), func(t *testing.T) {
				for i, c := range cases {
					if c.m*c.n*max(c.k, c.k2) > 1<<20 && (testing.Short() || raceEnabled || asm.Active(pkgName) == asm.Generic && th > 1) {
						continue
					}
					checkBitsProduct(t, w, c, uint64(i))
				}
			})
		}
	})
}

// TestBitsPartRows checks the part sizes that bitsPartRows gives for the
// L1D sizes of common CPUs.
func TestBitsPartRows(t *testing.T) {
	for _, c := range []struct{ l1d, want int }{
		{0, 64}, {-1, 64}, {16 << 10, 64}, {32 << 10, 64}, {48 << 10, 128}, {64 << 10, 128},
		{96 << 10, 256}, {128 << 10, 256}, {1 << 20, 256},
	} {
		if got := bitsPartRows(c.l1d); got != c.want {
			t.Errorf("bitsPartRows(%d) = %d, want %d", c.l1d, got, c.want)
		}
	}
}

// TestBitsPartSizes runs the Bits products of every implementation whose
// part size follows bitsRows with parts of 64, 128 and 256 rows of B: the
// bytes must be the float32 products' at every size, since the parts
// never change a sum.
func TestBitsPartSizes(t *testing.T) {
	cases := bitsCases()
	defer func(r int) { bitsRows = r }(bitsRows)
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		for _, r := range []int{64, 128, 256} {
			bitsRows = r
			if activeKern().bkh != r {
				t.Skipf("%s adds a fixed %d rows of B per call", asm.Active(pkgName), activeKern().bkh)
			}
			w := newTestWorkspace(1 + r/128)
			t.Run(fmt.Sprintf("rows=%d", r), func(t *testing.T) {
				for i, c := range cases {
					if c.k < 65 || c.m*c.n*max(c.k, c.k2) > 1<<20 && (testing.Short() || raceEnabled) {
						continue
					}
					c.threads = w.Threads()
					checkBitsProduct(t, w, c, uint64(i))
				}
			})
		}
	})
}

// FuzzBitsProducts compares the Bits products of every implementation with
// the float32 products on fuzzed shapes and densities.
func FuzzBitsProducts(f *testing.F) {
	f.Add(uint8(0), uint16(7), uint16(17), uint16(300), uint8(1), uint8(2), uint8(1), uint8(3), uint8(2), uint8(128))
	f.Add(uint8(4), uint16(100), uint16(33), uint16(257), uint8(3), uint8(0), uint8(0), uint8(0), uint8(1), uint8(20))
	f.Add(uint8(3), uint16(13), uint16(129), uint16(513), uint8(1), uint8(1), uint8(1), uint8(1), uint8(3), uint8(250))
	ws := []*Workspace{newTestWorkspace(1), newTestWorkspace(2), newTestWorkspace(3)}
	forms := []form{formNN, formNT, formSigNN, formSigNT, pairForm, updateForm}
	f.Fuzz(func(t *testing.T, fm uint8, m, n, k uint16, ai, bi, off, pad, th, dens uint8) {
		c := bitsCase{gemmCase: gemmCase{f: forms[int(fm)%len(forms)], m: int(m % 200), n: int(n % 200), k: int(k % 600),
			alpha: bitScalars[ai%6], beta: bitScalars[bi%6], off: int(off % 2), pad: int(pad % 5), threads: 1 + int(th%3)},
			q: float64(dens) / 255, k2: int(k % 37)}
		if c.f == updateForm {
			c.pad = 0 // its C has stride n
		}
		asmtest.TestAll(t, pkgName, func(t *testing.T) { checkBitsProduct(t, ws[c.threads-1], c, 7) })
	})
}

// bitsBenchShapes are the batch-100 training products with a 0/1 operand.
var bitsBenchShapes = []benchShape{
	{"sigmoid(100x1600)(1600x400)", formSigNN, 100, 400, 1600},
	{"sigmoid(100x400)(1600x400)^T", formSigNT, 100, 1600, 400},
	{"(1600x100)^T(100x400)", formTN, 1600, 400, 100},
}

// bitsBenchRun returns s on a random 0/1 A with half ones: its Bits form,
// or with !bits the float32 product on the same matrices.
func bitsBenchRun(s benchShape, w *Workspace, bits bool) func() {
	rng := rand.New(rand.NewPCG(1, 2))
	x := newBenchMats(s)
	ar, ac := s.m, s.k
	if s.f == formTN {
		ar, ac = s.k, s.m
	}
	ab := new(Bits)
	for i := range x.a {
		x.a[i] = float32(rng.IntN(2))
	}
	ab.Pack(x.a, ar, ac, ac)
	if s.f == formTN {
		var t Bits
		t.Transpose(ab)
		ab = &t
	}
	m, n, k := s.m, s.n, s.k
	return func() {
		switch {
		case !bits:
			s.run(w, x)
		case s.f == formSigNN:
			w.SigmoidAffineNNBits(m, n, k, ab, x.b, n, x.bias, x.c, n)
		case s.f == formSigNT:
			w.SigmoidAffineNTBits(m, n, k, ab, x.b, k, x.bias, x.c, n)
		default:
			w.GemmNNBits(m, n, k, 1, ab, x.b, n, 0, x.c, n)
		}
	}
}

// BenchmarkGemmBits times the Bits forms of the training products on 0/1
// matrices with half ones (as the Ising data at K = 0.408 and sampled
// units), next to the float32 product on the same matrices. GFLOP/s counts
// the float32 product's 2mnk, so the two are compared at equal work.
func BenchmarkGemmBits(b *testing.B) {
	for _, s := range bitsBenchShapes {
		for _, th := range []int{1, 2} {
			for _, bits := range []bool{true, false} {
				b.Run(fmt.Sprintf("%s/bits=%v/threads=%d", s.name, bits, th), func(b *testing.B) {
					run := bitsBenchRun(s, NewWorkspace(th), bits)
					asmtest.Benchmark(b, pkgName, func(b *testing.B) {
						s.timeFlops(b, run)
					})
				})
			}
		}
	}
}

// BenchmarkGemmBitsCols compares, on one thread and alternating, the Bits
// product sigmoid(A*B) with B read in place and packed (rowsAliased) at
// widths of B around the training shapes: the layer sizes of the
// literature (100 ... 2000 hidden units). Filter by implementation:
// BitsCols/./B/avx512.
func BenchmarkGemmBitsCols(b *testing.B) {
	for _, s := range []benchShape{
		{"sigmoid(100x400)(400x100)", formSigNN, 100, 100, 400},
		{"sigmoid(100x1600)(1600x200)", formSigNN, 100, 200, 1600},
		{"sigmoid(100x1600)(1600x300)", formSigNN, 100, 300, 1600},
		{"sigmoid(100x1600)(1600x400)", formSigNN, 100, 400, 1600},
		{"sigmoid(100x1600)(1600x500)", formSigNN, 100, 500, 1600},
		{"sigmoid(100x1600)(1600x600)", formSigNN, 100, 600, 1600},
		{"sigmoid(100x1600)(1600x800)", formSigNN, 100, 800, 1600},
		{"sigmoid(100x1600)(1600x1000)", formSigNN, 100, 1000, 1600},
		{"sigmoid(100x1600)(1600x1600)", formSigNN, 100, 1600, 1600},
		{"sigmoid(100x1600)(1600x2000)", formSigNN, 100, 2000, 1600},
	} {
		for round := 0; round < 3; round++ {
			for _, packed := range []bool{false, true} {
				b.Run(fmt.Sprintf("%s/B=%s", s.name, map[bool]string{false: "inplace", true: "packed"}[packed]), func(b *testing.B) {
					w := NewWorkspace(1)
					w.opts.bitsInPlace, w.opts.bitsPacked = !packed, packed
					run := bitsBenchRun(s, w, true)
					asmtest.Benchmark(b, pkgName, func(b *testing.B) {
						s.timeFlops(b, run)
					})
				})
			}
		}
	}
}
