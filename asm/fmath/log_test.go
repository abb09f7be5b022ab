package fmath

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"runtime"
	"testing"
)

// logInputs returns edge cases and n random arguments: near 1, over many
// decades, subnormal, and any bits.
func logInputs(n int) []float64 {
	xs := []float64{0, math.Copysign(0, -1), 1, -1, 2, 0.5, math.E, hSqrt2, math.Nextafter(hSqrt2, 1),
		math.Nextafter(hSqrt2, 0), math.Sqrt2, 5e-324, 2.2250738585072014e-308, 1e-310, math.MaxFloat64,
		math.Inf(1), math.Inf(-1), math.NaN(), 1 + 1e-16, 1 - 1e-16}
	g := newGen(3)
	for i := 0; i < n; i++ {
		u := g.Float64()
		switch i % 4 {
		case 0:
			xs = append(xs, 0.5+u)
		case 1:
			xs = append(xs, math.Float64frombits(0x3ff0000000000000+g.Uint64()%(1<<44)-1<<43)) // within 2^-9 of 1
		case 2:
			xs = append(xs, math.Float64frombits(g.Uint64()%(0x7ff<<52))) // positive finite, subnormal included
		default:
			xs = append(xs, math.Float64frombits(g.Uint64())) // any bits
		}
	}
	return xs
}

// TestLogMatchesStd: on amd64, Log is math.Log bit for bit; elsewhere it is
// within one ulp of it for normal arguments.
func TestLogMatchesStd(t *testing.T) {
	n := 2000000
	if testing.Short() {
		n = 200000
	}
	bad := 0
	for _, x := range logInputs(n) {
		got, want := Log(x), math.Log(x)
		if same(got, want) {
			continue
		}
		ulp := math.Abs(math.Nextafter(want, math.Inf(1)) - want)
		if runtime.GOARCH == "amd64" || x >= 2.2250738585072014e-308 && !(math.Abs(got-want) <= ulp) {
			if bad++; bad <= 10 {
				t.Errorf("Log(%v [%#x]) = %v [%#x], math.Log %v [%#x]", x, math.Float64bits(x), got, math.Float64bits(got), want, math.Float64bits(want))
			}
		}
	}
	if bad > 10 {
		t.Errorf("%d mismatches in all", bad)
	}
}

// TestLogGolden: the same bits on every CPU and architecture, pinned by a
// digest of Log over fixed inputs (made on amd64, where TestLogMatchesStd
// ties it to math.Log).
func TestLogGolden(t *testing.T) {
	h := sha256.New()
	var b [8]byte
	for _, x := range logInputs(200000) {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(Log(x)))
		h.Write(b[:])
	}
	const want = "c311beb82864afa965a3953250e9c8874883275dad50b56269e62e72ffbec138"
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("digest of Log over the test inputs %s, want %s", got, want)
	}
}
