package rng

import (
	"math"
	"math/bits"

	"github.com/isingrbm/isingrbm/asm/pmath"
)

// Xoshiro256 is the state of one xoshiro256++ stream. The zero value is not a
// valid state; obtain one from New or Stream.
type Xoshiro256 struct {
	S [4]uint64
}

// SplitMix64 advances *x and returns the next SplitMix64 output (Steele,
// Lea & Flood 2014), the generator recommended for seeding xoshiro.
func SplitMix64(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// New returns the stream of seed with id 0.
func New(seed uint64) Xoshiro256 { return Stream(seed, 0) }

// Stream returns stream id of seed: the xoshiro256++ state is four
// SplitMix64 outputs from a 64-bit start x = SplitMix64(seed) ^
// rotl(id*C + D, 17). For one seed, distinct ids give distinct starts (the
// map from id to x is a bijection); two pairs of different seeds share a
// start, and so a stream, with probability 2^-64 (every seed pair has one
// colliding id: Stream(1, 0) = Stream(2, 5294935556890610002)). Streams of
// distinct starts are independent for statistical purposes: their states
// are far apart in xoshiro256++'s 2^256 - 1 cycle with overwhelming
// probability.
func Stream(seed, id uint64) Xoshiro256 {
	x := seed
	h := SplitMix64(&x)
	x = h ^ bits.RotateLeft64(id*0xd1342543de82ef95+0x2545f4914f6cdd1d, 17)
	var g Xoshiro256
	for {
		for i := range g.S {
			g.S[i] = SplitMix64(&x)
		}
		if g.S != [4]uint64{} {
			return g
		}
	}
}

// Uint64 returns the next output: rotl(s0+s3, 23) + s0.
func (g *Xoshiro256) Uint64() uint64 {
	s := &g.S
	r := bits.RotateLeft64(s[0]+s[3], 23) + s[0]
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return r
}

// Float64 returns a uniform number in [0, 1) with 53 random bits.
func (g *Xoshiro256) Float64() float64 {
	return float64(g.Uint64()>>11) * 0x1p-53
}

// Float32 returns a uniform number in [0, 1) with 24 random bits.
func (g *Xoshiro256) Float32() float32 {
	return float32(g.Uint64()>>40) * 0x1p-24
}

// Uint64n returns a uniform integer in [0, n); n must be positive.
// It uses Lemire's multiply-and-reject method, so it is exactly uniform.
func (g *Xoshiro256) Uint64n(n uint64) uint64 {
	if n == 0 {
		panic("rng: Uint64n(0)")
	}
	hi, lo := bits.Mul64(g.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(g.Uint64(), n)
		}
	}
	return hi
}

// Intn returns a uniform int in [0, n); n must be positive.
func (g *Xoshiro256) Intn(n int) int {
	if n <= 0 {
		panic("rng: Intn of a non-positive bound")
	}
	return int(g.Uint64n(uint64(n)))
}

// NormFloat64 returns a standard normal deviate (Marsaglia's polar method).
func (g *Xoshiro256) NormFloat64() float64 {
	for {
		// 2*Float64() - 1, computed exactly without a float add that
		// arm64 would fuse with Float64's multiply.
		u := float64(int64(g.Uint64()>>11)-1<<52) * 0x1p-52
		v := float64(int64(g.Uint64()>>11)-1<<52) * 0x1p-52
		s := float64(u*u) + float64(v*v)
		if s > 0 && s < 1 {
			return u * math.Sqrt(-2*pmath.Log(s)/s)
		}
	}
}

// Shuffle permutes the integers in p uniformly (Fisher-Yates).
func (g *Xoshiro256) Shuffle(p []int) {
	for i := len(p) - 1; i > 0; i-- {
		j := g.Intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}

// Split returns a new generator seeded from two outputs of g, for handing
// to a child task; g advances.
func (g *Xoshiro256) Split() Xoshiro256 {
	return Stream(g.Uint64(), g.Uint64())
}
