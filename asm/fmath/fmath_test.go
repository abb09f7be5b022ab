package fmath

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// stdExpIsFMA reports whether math.Exp takes the path Exp reproduces (the
// standard library's own test: amd64 with AVX and FMA, which GODEBUG's
// cpu.avx=off, cpu.fma=off and cpu.all=off turn off for the standard library
// but not for x/sys/cpu).
var stdExpIsFMA = runtime.GOARCH == "amd64" && cpu.X86.HasAVX && cpu.X86.HasFMA &&
	!strings.Contains(os.Getenv("GODEBUG"), "cpu.avx=off") &&
	!strings.Contains(os.Getenv("GODEBUG"), "cpu.fma=off") &&
	!strings.Contains(os.Getenv("GODEBUG"), "cpu.all=off")

// expInputs returns edge cases and n random arguments over the whole range
// where Exp is neither 0 nor +Inf, plus the denormal and overflow edges.
func expInputs(n int) []float64 {
	xs := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 1e-300, -1e-300, 5e-324,
		709.78, 709.782712893384, 709.782712893385, 710, -708.39, -708.4, -709, -744.4, -745.1, -745.2, -746,
		-1e10, 1e10, -1e300, 1e300, math.MaxFloat64, -math.MaxFloat64,
		math.Inf(1), math.Inf(-1), math.NaN(), math.Ln2, -math.Ln2, 100 * math.Ln2}
	g := newGen(1)
	for i := 0; i < n; i++ {
		u := g.Float64()
		switch i % 4 {
		case 0:
			xs = append(xs, -760+float64(1480*u)) // float64(): no FMA on arm64
		case 1:
			xs = append(xs, -1+2*u)
		case 2:
			xs = append(xs, -760+float64(30*u)) // denormal results
		default:
			xs = append(xs, math.Float64frombits(g.Uint64())) // any bits
		}
	}
	return xs
}

func same(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

// TestExpMatchesStd: on amd64 with FMA, Exp is math.Exp bit for bit;
// elsewhere it is within two ulps of it (the polynomial of the amd64 path is
// a little less accurate than the arm64 and portable ones), except
// that like the amd64 assembly it overflows to +Inf from k = 1024 (x above
// 1023.5 ln 2, about 709.09) where the exact result is still finite.
func TestExpMatchesStd(t *testing.T) {
	n := 2000000
	if testing.Short() {
		n = 200000
	}
	bad := 0
	for _, x := range expInputs(n) {
		got, want := Exp(x), math.Exp(x)
		if same(got, want) {
			continue
		}
		ulp := math.Abs(math.Nextafter(want, math.Inf(1)) - want)
		if x > 1023.5*math.Ln2 && math.IsInf(got, 1) && !stdExpIsFMA {
			continue
		}
		if stdExpIsFMA || !(math.Abs(got-want) <= 2*ulp) {
			if bad++; bad <= 10 {
				t.Errorf("Exp(%v [%#x]) = %v [%#x], math.Exp %v [%#x]", x, math.Float64bits(x), got, math.Float64bits(got), want, math.Float64bits(want))
			}
		}
	}
	if bad > 10 {
		t.Errorf("%d mismatches in all", bad)
	}
}

// TestExpGolden: the same bits on every CPU and architecture, pinned by a
// digest of Exp over fixed inputs (made on amd64 with FMA, where
// TestExpMatchesStd ties it to math.Exp).
func TestExpGolden(t *testing.T) {
	h := sha256.New()
	var b [8]byte
	for _, x := range expInputs(200000) {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(Exp(x)))
		h.Write(b[:])
	}
	const want = "a5029d65b97528d023d2cda8021f765ef5dcdd2d23b05bb076efcfa754dc2d64"
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("digest of Exp over the test inputs %s, want %s", got, want)
	}
}

var sink float64

// BenchmarkExp compares Exp with math.Exp over arguments in [-20, 20].
func BenchmarkExp(b *testing.B) {
	xs := make([]float64, 1024)
	g := newGen(2)
	for i := range xs {
		xs[i] = float64(40*g.Float64()) - 20
	}
	for _, impl := range []struct {
		name string
		f    func(float64) float64
	}{{"fmath", Exp}, {"math", math.Exp}} {
		b.Run(impl.name, func(b *testing.B) {
			s := 0.0
			for i := 0; i < b.N; i++ {
				s += impl.f(xs[i&1023])
			}
			sink = s
		})
	}
}
