package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

const pkgName = "f32"

// guardNaN is the NaN payload written around and between matrices; it must
// survive every call bit for bit.
var guardNaN = math.Float32frombits(0x7fc0dead)

const guard = 7 // guard elements on each side of every buffer

// padded is a rows x cols matrix with stride ld inside a buffer with NaN
// guards around it and in the gaps between rows.
type padded struct {
	buf            []float32
	off            int
	rows, cols, ld int
}

func newPadded(rng *rand.Rand, rows, cols, ld, off int) *padded {
	n := 0
	if rows > 0 {
		n = (rows-1)*ld + cols
	}
	p := &padded{buf: make([]float32, guard+off+n+guard), off: guard + off, rows: rows, cols: cols, ld: ld}
	for i := range p.buf {
		p.buf[i] = guardNaN
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			p.buf[p.off+i*ld+j] = float32(rng.Float64()*2 - 1)
		}
	}
	return p
}

// mat is the slice handed to the kernels: it starts at the first element
// and ends after the last.
func (p *padded) mat() []float32 {
	n := 0
	if p.rows > 0 {
		n = (p.rows-1)*p.ld + p.cols
	}
	return p.buf[p.off : p.off+n : p.off+n]
}

func (p *padded) at(i, j int) float32 { return p.buf[p.off+i*p.ld+j] }

func (p *padded) clone() *padded {
	q := *p
	q.buf = append([]float32(nil), p.buf...)
	return &q
}

// checkGuards fails unless every element outside the matrix is the guard
// NaN, and (when ro) the matrix equals orig bit for bit.
func (p *padded) checkGuards(t *testing.T, name string, orig *padded, ro bool) {
	t.Helper()
	inside := func(k int) bool {
		k -= p.off
		if k < 0 || p.rows == 0 {
			return false
		}
		i, j := k/p.ld, k%p.ld
		return i < p.rows && j < p.cols
	}
	for k, v := range p.buf {
		if inside(k) {
			if ro && math.Float32bits(v) != math.Float32bits(orig.buf[k]) {
				t.Fatalf("%s: read-only element %d changed: %v -> %v", name, k-p.off, orig.buf[k], v)
			}
			continue
		}
		if math.Float32bits(v) != math.Float32bits(guardNaN) {
			t.Fatalf("%s: guard element %d (offset from start %d) overwritten with %v", name, k, k-p.off, v)
		}
	}
}

type form int

const (
	formNN form = iota
	formNT
	formTN
	formSigNN
	formSigNT
)

func (f form) String() string { return [...]string{"NN", "NT", "TN", "SigNN", "SigNT"}[f] }

type gemmCase struct {
	f           form
	m, n, k     int
	alpha, beta float32
	off, pad    int // start offset and extra leading-dimension elements
	threads     int
	// exp scales A and B by 2^exp in the bit tests (bitCase): at -80 every
	// product underflows, so a block's chain ends at +0 or -0 (the sign of
	// its last product), at -70 the sums are subnormal.
	exp int
}

func (c gemmCase) String() string {
	s := fmt.Sprintf("%v/m%d/n%d/k%d/a%v/b%v/off%d/pad%d/t%d", c.f, c.m, c.n, c.k, c.alpha, c.beta, c.off, c.pad, c.threads)
	if c.exp != 0 {
		s += fmt.Sprintf("/2^%d", c.exp)
	}
	return s
}

// runGemmCase runs one product with the active implementation and checks it
// against gonum's Sgemm, the guards and the read-only inputs.
func runGemmCase(t *testing.T, w *Workspace, c gemmCase, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, uint64(c.m*1000000+c.n*1000+c.k)))
	ar, ac := c.m, c.k
	if c.f == formTN {
		ar, ac = c.k, c.m
	}
	br, bc := c.k, c.n
	if c.f == formNT || c.f == formSigNT {
		br, bc = c.n, c.k
	}
	A := newPadded(rng, ar, ac, ac+c.pad+boolInt(ac == 0), c.off)
	B := newPadded(rng, br, bc, bc+c.pad+boolInt(bc == 0), (c.off*3)%2)
	C := newPadded(rng, c.m, c.n, c.n+c.pad+boolInt(c.n == 0), c.off)
	sig := c.f == formSigNN || c.f == formSigNT
	var bias []float32
	if sig {
		bias = make([]float32, c.n)
		for j := range bias {
			bias[j] = float32(rng.Float64()*4 - 2)
		}
		c.alpha, c.beta = 1, 0
	}
	if c.beta == 0 {
		// beta == 0 must ignore NaNs in C.
		for i := 0; i < c.m; i++ {
			for j := 0; j < c.n; j += 3 {
				C.buf[C.off+i*C.ld+j] = float32(math.NaN())
			}
		}
	}
	A0, B0, C0 := A.clone(), B.clone(), C.clone()
	biasCopy := append([]float32(nil), bias...)
	runForm(w, c, A, B, C, bias)
	A.checkGuards(t, "a", A0, true)
	B.checkGuards(t, "b", B0, true)
	C.checkGuards(t, "c", C0, false)
	for j := range bias {
		if bias[j] != biasCopy[j] {
			t.Fatalf("bias[%d] changed", j)
		}
	}
	if c.m == 0 || c.n == 0 {
		return
	}
	// Reference: gonum's Sgemm on a copy.
	ref := C0.clone()
	tA, tB := blas.NoTrans, blas.NoTrans
	if c.f == formTN {
		tA = blas.Trans
	}
	if c.f == formNT || c.f == formSigNT {
		tB = blas.Trans
	}
	lda, ldb := A.ld, B.ld
	gonum.Implementation{}.Sgemm(tA, tB, c.m, c.n, c.k, c.alpha, A0.mat(), lda, B0.mat(), ldb, c.beta, ref.mat(), ref.ld)
	eps := float64(0x1p-23)
	for i := 0; i < c.m; i++ {
		for j := 0; j < c.n; j++ {
			var sabs float64
			for p := 0; p < c.k; p++ {
				var av, bv float32
				if c.f == formTN {
					av = A0.at(p, i)
				} else {
					av = A0.at(i, p)
				}
				if tB == blas.Trans {
					bv = B0.at(j, p)
				} else {
					bv = B0.at(p, j)
				}
				sabs += math.Abs(float64(av) * float64(bv))
			}
			cabs := 0.0
			if c.beta != 0 {
				cabs = math.Abs(float64(c.beta) * float64(C0.at(i, j)))
			}
			tol := 2 * eps * float64(c.k+2) * (math.Abs(float64(c.alpha))*sabs + cabs)
			want := float64(ref.at(i, j))
			got := float64(C.at(i, j))
			if sig {
				s := want + float64(bias[j])
				want = 1 / (1 + math.Exp(-s))
				tol = 0.25*tol + 1e-6*want
				if want < 0x1p-63*(1+2e-6) && got == 0 {
					want = 0 // the sigmoid's floor
				}
			}
			if !(math.Abs(got-want) <= tol) {
				t.Fatalf("%v: c[%d,%d] = %v, want %v (tol %.3g)", c, i, j, got, want, tol)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var edgeDims = []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 100}
var scalars = []float32{0, 1, -0.5, 2}

// gemmCases is a covering design: every pair of edge sizes appears for each
// pair of (m, n, k), the third drawn at random, with the form, alpha, beta,
// offset, padding and thread count cycling; then a few large shapes.
func gemmCases() []gemmCase {
	rng := rand.New(rand.NewPCG(1, 2))
	var cs []gemmCase
	q := 0
	for _, x := range edgeDims {
		for _, y := range edgeDims {
			for pair := 0; pair < 3; pair++ {
				z := edgeDims[rng.IntN(len(edgeDims))]
				m, n, k := x, y, z
				switch pair {
				case 1:
					m, n, k = x, z, y
				case 2:
					m, n, k = z, x, y
				}
				q++
				cs = append(cs, gemmCase{
					f: form(q % 5), m: m, n: n, k: k,
					alpha: scalars[q%4], beta: scalars[(q/4)%4],
					off: q % 2, pad: (q / 2 % 2) * 3, threads: 1 + q%3,
				})
			}
		}
	}
	large := [][3]int{{400, 17, 33}, {9, 1601, 31}, {33, 100, 1601}, {100, 400, 1600}, {1601, 16, 100}, {7, 400, 1601}}
	for i, s := range large {
		for f := formNN; f <= formSigNT; f++ {
			cs = append(cs, gemmCase{f: f, m: s[0], n: s[1], k: s[2],
				alpha: scalars[(i+int(f))%4], beta: scalars[(i+2*int(f)+1)%4], off: i % 2, pad: 3 * (int(f) % 2), threads: 1 + (i+int(f))%2})
		}
	}
	// Rows of B 4 KB apart, read by tiles of kb > 192 rows: packed per
	// tile instead of read in place (tileRowsAliased), whole tiles and a
	// 16-column edge.
	for i, s := range [][4]int{{23, 1024, 300, 0}, {37, 1008, 260, 16}} {
		for _, f := range []form{formNN, formSigNN} {
			cs = append(cs, gemmCase{f: f, m: s[0], n: s[1], k: s[2], alpha: 1, beta: scalars[i+2], pad: s[3], threads: 1 + i})
		}
	}
	// Columns of A^T 4 KB apart (lda = 1024): packed instead of read in
	// place (colsAliased), with a partial last row tile of both kernels
	// (1024 = 102*10 + 4 = 170*6 + 4; 1021 = 102*10 + 1 = 170*6 + 1).
	for i, s := range [][4]int{{1024, 40, 300, 0}, {1021, 24, 70, 3}} {
		cs = append(cs, gemmCase{f: formTN, m: s[0], n: s[1], k: s[2], alpha: scalars[i+1], beta: scalars[i+2], pad: s[3], threads: 1 + i})
	}
	return cs
}

// TestColsAliased checks the decision to pack a row-major A^T whose
// columns all fall into one set of L1.
func TestColsAliased(t *testing.T) {
	for ld, want := range map[int]bool{1024: true, 2048: true, 4096: true, 3072: true, 1600: false, 512: false, 1536: false, 1000: false, 1025: false, 100: false} {
		if got := colsAliased(ld); got != want {
			t.Errorf("colsAliased(%d) = %v, want %v", ld, got, want)
		}
	}
}

// TestColsPacked checks the decision to pack a row-major A^T under both
// rules (no stride limit, as on AMD, and Intel's 2 KB), and that a product
// whose A^T one rule packs and the other reads in place gives the same
// bits either way, with every implementation the CPU runs.
func TestColsPacked(t *testing.T) {
	defer func(l int) { strideLimit = l }(strideLimit)
	for _, c := range []struct {
		ld, limit int
		want      bool
	}{
		{1024, 0, true}, {1600, 0, false}, {512, 0, false}, {511, 0, false}, {100, 0, false},
		{1024, 2048, true}, {1600, 2048, true}, {512, 2048, true}, {511, 2048, false}, {400, 2048, false}, {100, 2048, false},
	} {
		strideLimit = c.limit
		if got := colsPacked(c.ld); got != c.want {
			t.Errorf("limit %d: colsPacked(%d) = %v, want %v", c.limit, c.ld, got, c.want)
		}
	}
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for _, s := range [][3]int{{600, 40, 300}, {513, 37, 70}, {1600, 32, 100}} {
			m, n, k := s[0], s[1], s[2]
			a, b := normals(rng, m*k), normals(rng, k*n)
			var got [2][]float32
			for i, limit := range []int{0, 2048} {
				strideLimit = limit
				got[i] = make([]float32, m*n)
				NewWorkspace(1).GemmTN(m, n, k, 1, a, m, b, n, 0, got[i], n)
			}
			for i := range got[0] {
				if math.Float32bits(got[0][i]) != math.Float32bits(got[1][i]) {
					t.Fatalf("(%dx%d)^T(%dx%d): C[%d] = %v read in place, %v packed", k, m, k, n, i, got[0][i], got[1][i])
				}
			}
		}
	})
}

// normals returns n standard normal float32s.
func normals(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// TestTileOrder checks that the two orders of the tiles of a block whose
// panel of B is packed whole (gemmOpts.irOuter) give the same bits, with
// every implementation the CPU runs, in all three forms, with blocks of
// rows and (row tiles outside: ncOuter) of columns cut short so that
// several blocks and partial tiles occur.
func TestTileOrder(t *testing.T) {
	defer func(m, n int) { mcMax, ncOuter = m, n }(mcMax, ncOuter)
	mcMax, ncOuter = 60, 64
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		for _, s := range [][3]int{{137, 75, 300}, {64, 33, 17}, {121, 130, 257}} {
			m, n, k := s[0], s[1], s[2]
			a, b := normals(rng, m*k), normals(rng, k*n)
			for _, f := range []form{formNN, formNT, formTN} {
				var got [2][]float32
				for i, order := range []tileOrder{tilesColsOuter, tilesRowsOuter} {
					w := NewWorkspace(1)
					w.opts.irOuter = order
					got[i] = make([]float32, m*n)
					switch f {
					case formNN:
						w.GemmNN(m, n, k, 1.5, a, k, b, n, 0, got[i], n)
					case formNT:
						w.GemmNT(m, n, k, 1.5, a, k, b[:n*k], k, 0, got[i], n)
					case formTN:
						w.GemmTN(m, n, k, 1.5, a, m, b, n, 0, got[i], n)
					}
				}
				for i := range got[0] {
					if math.Float32bits(got[0][i]) != math.Float32bits(got[1][i]) {
						t.Fatalf("%v m%d n%d k%d: C[%d] = %v with column tiles outside, %v with row tiles outside", f, m, n, k, i, got[0][i], got[1][i])
					}
				}
			}
		}
	})
}

// TestTileRowsAliased checks the decision to pack a tile of a row-major B
// whose rows would crowd into a few sets of L2.
func TestTileRowsAliased(t *testing.T) {
	for _, c := range []struct {
		ld, rows, cols int
		want           bool
	}{
		{1024, 256, 32, true},  // 4 KB apart: 16 sets x 2 lines, 512 lines
		{1024, 192, 32, false}, // 384 lines fit in 3/4 of 32 sets
		{1024, 144, 32, false}, // the last block of k = 400
		{1024, 256, 16, true},  // one line a row: 256 lines in 16 sets
		{2048, 128, 32, true},
		{512, 256, 32, false}, // 2 KB apart: 32 sets x 2 lines
		{1536, 256, 32, false},
		{3072, 256, 32, true},
		{400, 256, 32, false},
		{1025, 256, 32, false}, // rows at shifting offsets in their lines
		{1040, 256, 32, false},
	} {
		if got := tileRowsAliased(c.ld, c.rows, c.cols); got != c.want {
			t.Errorf("tileRowsAliased(%d, %d, %d) = %v, want %v", c.ld, c.rows, c.cols, got, c.want)
		}
	}
}

// TestRowsAliased checks the L1 rule of the Bits products (parts of 128
// rows of B, panels of 64 columns), the same rule as tileRowsAliased's.
func TestRowsAliased(t *testing.T) {
	for _, c := range []struct {
		ld   int
		want bool
	}{
		{400, false}, {800, false}, // 8 lines in every set
		{384, true}, {512, true}, {256, true}, // a few sets
		{100, true}, {300, true}, {401, true}, {500, true}, {1000, true}, // 9 to 11 lines in some sets
		{1024, true}, {1600, true}, {2000, true}, // a page a row
	} {
		if got := rowsAliased(c.ld, 128, 64); got != c.want {
			t.Errorf("rowsAliased(%d, 128, 64) = %v, want %v", c.ld, got, c.want)
		}
	}
	// The 100 rows of a k = 100 product spread 400 columns thinner.
	if rowsAliased(400, 100, 64) || !rowsAliased(384, 100, 64) {
		t.Errorf("rowsAliased(400|384, 100, 64) = %v, %v, want false, true", rowsAliased(400, 100, 64), rowsAliased(384, 100, 64))
	}
}

func TestRegistered(t *testing.T) {
	asmtest.RequireRegistered(t, pkgName, map[string]bool{
		// The AVX-512 products share the AVX2 packing routines, so they
		// need AVX2 too (GODEBUG=cpu.avx2=off switches both off).
		// Both use BMI1 too (TZCNT and BLSR in the Bits kernels).
		"avx512": asm.HasAVX512F && asm.HasAVX512VL && asm.HasAVX512DQ && asm.HasAVX512BW && asm.HasFMA && asm.HasAVX2 && asm.HasBMI1 && useAVX512Build,
		"avx2":   asm.HasAVX2 && asm.HasFMA && asm.HasBMI1 && useAVX2Build,
		"neon":   asm.HasNEON && useNEONBuild,
	})
}

// newTestWorkspace returns a workspace that splits even the smallest
// products across its threads.
func newTestWorkspace(threads int) *Workspace {
	w := NewWorkspace(threads)
	w.opts.minParFlops = 0
	w.opts.minParUpdate = 0
	return w
}

func TestGemm(t *testing.T) {
	cases := gemmCases()
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		ws := map[int]*Workspace{1: newTestWorkspace(1), 2: newTestWorkspace(2), 3: newTestWorkspace(3)}
		for i, c := range cases {
			if (testing.Short() || raceEnabled) && c.m*c.n*c.k > 1<<22 {
				continue
			}
			t.Run(c.String(), func(t *testing.T) { runGemmCase(t, ws[c.threads], c, uint64(i)) })
		}
	})
}

// TestKSplit checks which products gemm splits along k (kSplit), among
// them the shapes that TestGemmBits and TestBitsProducts hold to the
// contract byte for byte on 2 and 3 threads for that reason.
func TestKSplit(t *testing.T) {
	defer func(b, s int) { kSplitBytes, kSplitShare = b, s }(kSplitBytes, kSplitShare)
	kSplitBytes, kSplitShare = 1<<20, 2<<20 // a 2 MiB L2
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		for _, c := range []struct {
			m, n, k int
			tn      bool // B transposed (an A*B^T product)
			want    [2]bool
		}{
			{10, 400, 1600, false, [2]bool{true, true}},
			{10, 400, 1280, false, [2]bool{true, true}}, // core/rbm's TestReproducibleSplitProducts
			{100, 400, 1280, false, [2]bool{true, true}},
			{10, 100, 769, false, [2]bool{false, true}}, // 512 + 257 on two
			{9, 100, 1024, false, [2]bool{true, false}}, // 256 + 256 + 512 on three
			{1, 33, 1537, false, [2]bool{true, true}},
			{7, 130, 1537, false, [2]bool{true, true}},
			{10, 100, 400, false, [2]bool{false, false}}, // 256 + 144: uneven
			{10, 400, 768, false, [2]bool{false, true}},  // 256 + 512 on two
			{10, 400, 256, false, [2]bool{false, false}}, // one block
			{17, 400, 1600, false, [2]bool{true, true}},
			{100, 400, 1600, false, [2]bool{true, true}},    // 640 KB and 480 KB of blocks kept
			{100, 1024, 4096, false, [2]bool{false, false}}, // 3.2 MB and 2.4 MB
			{10, 1024, 1024, false, [2]bool{true, false}},   // a share of B of 2 MB
			{10, 1200, 1024, false, [2]bool{false, false}},  // 2.4 MB
			{129, 400, 1600, false, [2]bool{false, false}},
			{10, 1600, 400, true, [2]bool{false, false}},
		} {
			g := gemmArgs{m: c.m, n: c.n, k: c.k, alpha: 1, brs: c.n, bcs: 1, kern: activeKern()}
			if c.tn {
				g.brs, g.bcs = 1, c.k
			}
			for i, th := range []int{2, 3} {
				if got := splitCols(&g, th) && kSplit(&g, th); got != c.want[i] {
					t.Errorf("%dx%dx%d (B^T %v) on %d threads: split along k %v, want %v", c.m, c.n, c.k, c.tn, th, got, c.want[i])
				}
				// Only alpha > 0 (kSplit).
				g.alpha = -0.5
				if kSplit(&g, th) {
					t.Errorf("%dx%dx%d with alpha %v on %d threads: split along k", c.m, c.n, c.k, g.alpha, th)
				}
				g.alpha = 1
			}
		}
	})
}

// TestGemmPackedPaths repeats the small cases with the alternative
// blocking paths switched on: A always packed, B packed a whole panel at a
// time.
func TestGemmPackedPaths(t *testing.T) {
	cases := gemmCases()
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		w := newTestWorkspace(2)
		w.opts.noJIT, w.opts.noDirect = true, true
		for i, c := range cases {
			if c.m*c.n*c.k > 1<<20 {
				continue
			}
			t.Run(c.String(), func(t *testing.T) { runGemmCase(t, w, c, uint64(i)) })
		}
	})
}

func TestGemmPanics(t *testing.T) {
	w := NewWorkspace(1)
	a := make([]float32, 12)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"lda", func() { w.GemmNN(2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }},
		{"short a", func() { w.GemmNN(3, 2, 5, 1, a, 5, a, 2, 0, a, 2) }},
		{"short c", func() { w.GemmNT(5, 3, 1, 1, a, 1, a, 1, 0, a, 3) }},
		{"ldb NT", func() { w.GemmNT(2, 2, 3, 1, a, 3, a, 2, 0, a, 2) }},
		{"lda TN", func() { w.GemmTN(3, 2, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{"negative", func() { w.GemmTN(-1, 2, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{"bias", func() { w.SigmoidAffineNN(2, 3, 2, a, 2, a, 3, a[:2], a, 3) }},
		// No C (the gradient not kept) with beta != 0: nothing to scale.
		{"nil c beta", func() {
			w.GemmTNPairUpdate(2, 2, 1, 1, a, 2, a, 2, 1, 1, 1, a, 2, a, 2, nil, UpdateRule{W: a, Vel: a})
		}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

// TestGemmNoAlloc checks that steady-state products allocate nothing,
// serial and parallel.
func TestGemmNoAlloc(t *testing.T) {
	m, n, k := 100, 400, 600 // above parallelMinFlops
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	bias := make([]float32, k)
	for _, th := range []int{1, 2} {
		w := NewWorkspace(th)
		allocs := testing.AllocsPerRun(10, func() {
			w.GemmNN(m, n, k, 1, a, k, b, n, 0, c, n)
			w.GemmTN(k, n, m, 1, a, k, c, n, 1, b, n)
			w.SigmoidAffineNT(m, k, n, c, n, b, n, bias, a, k)
			w.GemmTNPair(k, n, m, 1, a, k, c, n, 0, m, -1, a, k, c, n, b, n)
			// 10 rows: split along k on two threads (kSplit).
			w.SigmoidAffineNN(10, n, k, a, k, b, n, bias, c, n)
		})
		if allocs != 0 {
			t.Errorf("threads=%d: %v allocations per run", th, allocs)
		}
	}
}

// FuzzGemm compares every implementation with gonum on fuzzed shapes.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(0), uint16(7), uint16(17), uint16(33), uint8(1), uint8(2), uint8(1), uint8(3), uint8(2))
	f.Add(uint8(2), uint16(100), uint16(16), uint16(9), uint8(3), uint8(0), uint8(0), uint8(0), uint8(1))
	f.Add(uint8(4), uint16(13), uint16(29), uint16(260), uint8(1), uint8(1), uint8(1), uint8(1), uint8(3))
	f.Add(uint8(1), uint16(1), uint16(1), uint16(1), uint8(2), uint8(3), uint8(0), uint8(2), uint8(2))
	ws := []*Workspace{newTestWorkspace(1), newTestWorkspace(2), newTestWorkspace(3)}
	f.Fuzz(func(t *testing.T, fm uint8, m, n, k uint16, ai, bi, off, pad, th uint8) {
		c := gemmCase{f: form(fm % 5), m: int(m % 300), n: int(n % 300), k: int(k % 600),
			alpha: scalars[ai%4], beta: scalars[bi%4], off: int(off % 2), pad: int(pad % 5), threads: 1 + int(th%3)}
		asmtest.TestAll(t, pkgName, func(t *testing.T) { runGemmCase(t, ws[c.threads-1], c, 99) })
	})
}

// TestPoolRuns drives the pool's hand-off: spinning and parking workers
// (pauses let them park), runs with fewer tasks than workers, and stop,
// after which every worker goroutine ends. Each product must equal the
// one-thread product bit for bit.
func TestPoolRuns(t *testing.T) {
	ref := NewWorkspace(1)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, spin := range []bool{true, false} {
		for _, th := range []int{2, 3, 5} {
			before := runtime.NumGoroutine()
			w := newTestWorkspace(th)
			w.pool = newPool(w.bufs, spin)
			for it := 0; it < 200; it++ {
				m, n, k := 1+rng.IntN(40), 1+rng.IntN(70), 1+rng.IntN(30)
				a, b := make([]float32, m*k), make([]float32, k*n)
				for i := range a {
					a[i] = float32(rng.NormFloat64())
				}
				for i := range b {
					b[i] = float32(rng.NormFloat64())
				}
				got, want := make([]float32, m*n), make([]float32, m*n)
				w.GemmNN(m, n, k, 1, a, k, b, n, 0, got, n)
				ref.GemmNN(m, n, k, 1, a, k, b, n, 0, want, n)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("spin=%v threads=%d run %d (%dx%dx%d): element %d %v, want %v", spin, th, it, m, n, k, i, got[i], want[i])
					}
				}
				if it%40 == 39 {
					time.Sleep(2 * spinFor) // the workers park
				}
			}
			w.pool.stop()
			deadline := time.Now().Add(5 * time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			if g := runtime.NumGoroutine(); g > before {
				t.Errorf("spin=%v threads=%d: %d goroutines after stop, %d before the pool", spin, th, g, before)
			}
		}
	}
}

// TestWorkspaceUpdate: Workspace.Update and UpdateProximal, split across
// 2, 3 and 5 threads, give the bits of f32.Update and f32.UpdateProximal
// at every length (chunk edges, tails shorter than a vector), under every
// implementation, and touch nothing past the end of the slices.
func TestWorkspaceUpdate(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, th := range []int{2, 3, 5} {
			ws := newTestWorkspace(th)
			for _, n := range []int{0, 1, 15, 16, 17, 31, 33, 47, 80, 1023, 4099, 1<<15 + 3} {
				for _, prox := range []bool{false, true} {
					const guard = 8
					mk := func() []float32 {
						x := make([]float32, n+guard)
						for i := range x {
							x[i] = float32(rng.NormFloat64())
						}
						if n > 2 {
							x[1] = 0 // sign(0) = 0
						}
						return x
					}
					w, vel, grad := mk(), mk(), mk()
					w2, vel2 := slices.Clone(w), slices.Clone(vel)
					if prox {
						ws.UpdateProximal(w[:n], vel[:n], grad[:n], 0.1, 0.9, 0.01, 0.001)
						UpdateProximal(w2[:n], vel2[:n], grad[:n], 0.1, 0.9, 0.01, 0.001)
					} else {
						ws.Update(w[:n], vel[:n], grad[:n], 0.1, 0.9, 0.01, 0.001)
						Update(w2[:n], vel2[:n], grad[:n], 0.1, 0.9, 0.01, 0.001)
					}
					for i := range w {
						if math.Float32bits(w[i]) != math.Float32bits(w2[i]) || math.Float32bits(vel[i]) != math.Float32bits(vel2[i]) {
							t.Fatalf("threads=%d n=%d prox=%v: element %d: w %v vel %v, want %v %v", th, n, prox, i, w[i], vel[i], w2[i], vel2[i])
						}
					}
				}
			}
		}
	})
}

// TestCrowdedMemo checks that threadBuf.crowded answers as the rules it
// remembers, also after more distinct questions than it keeps.
func TestCrowdedMemo(t *testing.T) {
	var buf threadBuf
	for round := 0; round < 3; round++ {
		for _, ld := range []int{100, 384, 400, 500, 1000, 1024, 1600} {
			for _, rows := range []int{100, 128, 144, 256} {
				if got, want := buf.crowded(true, ld, rows, 64), rowsAliased(ld, rows, 64); got != want {
					t.Fatalf("crowded(true, %d, %d, 64) = %v, want %v", ld, rows, got, want)
				}
				if got, want := buf.crowded(false, ld, rows, 32), tileRowsAliased(ld, rows, 32); got != want {
					t.Fatalf("crowded(false, %d, %d, 32) = %v, want %v", ld, rows, got, want)
				}
			}
		}
	}
}

// TestSerial checks which products the default options keep on one
// thread: below minParFlops, but for the centered RBM's derived biases
// (one and two rows over a 1600 x 400 W), which run on all.
func TestSerial(t *testing.T) {
	for _, c := range []struct {
		m, n, k int
		want    bool
	}{
		{1, 400, 1600, false}, // W^T mu
		{1, 1600, 400, false}, // W lam
		{2, 1600, 400, false}, // W [lam, delta]
		{3, 1600, 400, true},
		{1, 100, 400, true},    // 400 -> 100: B of 40,000
		{10, 100, 400, true},   // batch 10 of a 400 -> 100 layer
		{10, 400, 1600, false}, // 12.8 MFLOP
		{100, 100, 400, false}, // 8 MFLOP
		{2, 256, 256, false},   // B of 65,536
		{2, 255, 256, true},
	} {
		if got := defaultOpts.serial(c.m, c.n, c.k); got != c.want {
			t.Errorf("%dx%dx%d: serial %v, want %v", c.m, c.n, c.k, got, c.want)
		}
	}
}
