package f32

import (
	"math"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/rng"
)

// refRand is an independent scalar model of Rand: Lanes rng streams, each
// step taking one output per lane, low half first.
type refRand struct {
	g   [Lanes]rng.Xoshiro256
	buf []float32
}

func newRefRand(seed, stream uint64) *refRand {
	r := &refRand{}
	for l := range r.g {
		r.g[l] = rng.Stream(seed, stream*Lanes+uint64(l))
	}
	return r
}

// uniforms returns the uniforms of a call on n elements.
func (r *refRand) uniforms(n int) []float32 {
	r.buf = r.buf[:0]
	for len(r.buf) < n {
		for l := range r.g {
			x := r.g[l].Uint64()
			r.buf = append(r.buf, float32(uint32(x)>>8)/(1<<24), float32(x>>40)/(1<<24))
		}
	}
	return r.buf[:n]
}

// randLens are the lengths of TestRandMatchesReference's calls (call c runs
// case c%4: BernoulliBits gets 0, 8, 64, 193 and 130 elements).
var randLens = []int{1, 16, 17, 0, 33, 100, 15, 8, 9, 1000, 63, 64, 65, 129, 7, 193, 48, 250, 77, 130}

func TestRandMatchesReference(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		for _, stream := range []uint64{0, 5} {
			r := NewRand(42, stream)
			ref := newRefRand(42, stream)
			for c, n := range randLens {
				off := c % 2
				p, _ := guarded(n, 1-off, func(i int) float32 { return float32(i%11) / 10 })
				p0 := append([]float32(nil), p...)
				switch c % 4 {
				case 0: // Uniform
					d, dbuf := guarded(n, off, func(int) float32 { return -1 })
					r.Uniform(d)
					checkVecGuards(t, "Uniform dst", dbuf, off, n)
					if u := ref.uniforms(n); !sameBits(d, u) {
						t.Fatalf("call %d: Uniform(%d) differs from the reference", c, n)
					}
				case 1: // Bernoulli
					d, dbuf := guarded(n, off, func(int) float32 { return -1 })
					r.Bernoulli(d, p)
					checkVecGuards(t, "Bernoulli dst", dbuf, off, n)
					for i, u := range ref.uniforms(n) {
						if want := float32(boolInt(u < p[i])); d[i] != want {
							t.Fatalf("call %d: Bernoulli[%d] = %v, want %v", c, i, d[i], want)
						}
					}
					if !sameBits(p, p0) {
						t.Fatal("p changed")
					}
				case 2: // Bernoulli in place
					q := append([]float32(nil), p...)
					r.Bernoulli(q, q)
					for i, u := range ref.uniforms(n) {
						if want := float32(boolInt(u < p[i])); q[i] != want {
							t.Fatalf("call %d: in-place Bernoulli[%d] = %v, want %v", c, i, q[i], want)
						}
					}
				case 3: // BernoulliBits
					nw := (n + 63) / 64
					d := make([]uint64, nw+1)
					for i := range d {
						d[i] = 0xdeadbeefdeadbeef
					}
					r.BernoulliBits(d, p)
					if d[nw] != 0xdeadbeefdeadbeef {
						t.Fatalf("call %d: BernoulliBits wrote past word %d", c, nw)
					}
					want := make([]uint64, nw)
					for i, u := range ref.uniforms(n) {
						if u < p[i] {
							want[i/64] |= 1 << (i % 64)
						}
					}
					for i := range want {
						if d[i] != want[i] {
							t.Fatalf("call %d: BernoulliBits word %d = %#x, want %#x", c, i, d[i], want[i])
						}
					}
				}
			}
		}
	})
}

// TestBernoulliFrequency checks that the number of ones is within 5
// standard errors of sum p (variance sum p(1-p)), and that p = 0 and p = 1
// give 0 and 1 always.
func TestBernoulliFrequency(t *testing.T) {
	const n = 1 << 20
	p := make([]float32, n)
	var mean, variance float64
	for i := range p {
		p[i] = float32(i%1000) / 999
		mean += float64(p[i])
		variance += float64(p[i]) * (1 - float64(p[i]))
	}
	d := make([]float32, n)
	bits := make([]uint64, n/64)
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		r := NewRand(7, 1)
		r.Bernoulli(d, p)
		var ones float64
		for i, x := range d {
			ones += float64(x)
			if (p[i] == 0 && x != 0) || (p[i] == 1 && x != 1) {
				t.Fatalf("p=%v gave %v", p[i], x)
			}
		}
		if z := (ones - mean) / math.Sqrt(variance); math.Abs(z) > 5 {
			t.Errorf("Bernoulli: %v ones, want %v (z = %.2f)", ones, mean, z)
		}
		r.BernoulliBits(bits, p)
		var cnt float64
		for _, w := range bits {
			for ; w != 0; w &= w - 1 {
				cnt++
			}
		}
		if z := (cnt - mean) / math.Sqrt(variance); math.Abs(z) > 5 {
			t.Errorf("BernoulliBits: %v ones, want %v (z = %.2f)", cnt, mean, z)
		}
		u := make([]float32, n)
		r.Uniform(u)
		var s float64
		for _, x := range u {
			if x < 0 || x >= 1 {
				t.Fatalf("uniform %v outside [0,1)", x)
			}
			s += float64(x)
		}
		if z := (s/n - 0.5) / math.Sqrt(1.0/12/n); math.Abs(z) > 5 {
			t.Errorf("Uniform mean %v (z = %.2f)", s/n, z)
		}
	})
}

// FuzzBernoulli compares every implementation with the scalar model.
func FuzzBernoulli(f *testing.F) {
	f.Add(uint64(1), uint64(0), uint16(17), uint16(5))
	f.Add(uint64(99), uint64(3), uint16(300), uint16(64))
	f.Fuzz(func(t *testing.T, seed, stream uint64, n1, n2 uint16) {
		lens := []int{int(n1 % 2000), int(n2 % 2000)}
		asmtest.TestAll(t, pkgName, func(t *testing.T) {
			r := NewRand(seed, stream)
			ref := newRefRand(seed, stream)
			for _, n := range lens {
				p := make([]float32, n)
				for i := range p {
					p[i] = float32(i%7) / 6
				}
				d := make([]float32, n)
				r.Bernoulli(d, p)
				for i, u := range ref.uniforms(n) {
					if want := float32(boolInt(u < p[i])); d[i] != want {
						t.Fatalf("n=%d: [%d] = %v, want %v", n, i, d[i], want)
					}
				}
			}
		})
	})
}
