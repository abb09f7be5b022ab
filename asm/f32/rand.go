package f32

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/isingrbm/isingrbm/asm/rng"
)

// Lanes is the number of independent xoshiro256++ streams a Rand runs side
// by side (one 512-bit vector of 64-bit lanes for AVX-512, two 256-bit
// vectors for AVX2, a loop in Go).
const Lanes = 8

// Rand is a vectorized generator: Lanes xoshiro256++ streams, lane l of
// NewRand(seed, stream) being rng.Stream(seed, stream*Lanes+l). Each step
// advances every lane once and yields 2*Lanes uniforms, element e of the
// step coming from the low (e even) or high (e odd) 32 bits of lane e/2's
// output: u = float32(half>>8) * 2^-24. A call on n elements takes
// ceil(n/(2*Lanes)) steps and discards the unused uniforms of the last one,
// so the output is a function of (seed, stream) and the lengths of the calls
// alone, identical in every implementation and independent of the vector
// width: element i of a call always comes from step i/16, lane (i%16)/2. A Rand is not safe for
// concurrent use; give each goroutine its own stream.
type Rand struct {
	// s[j][l] is word j of lane l's state (the layout the vector code loads).
	s [4][Lanes]uint64
}

// MaxStream bounds NewRand's stream: lane l of stream s is rng.Stream
// id s*Lanes+l, which must not wrap around 2^64 (NewRand(seed, s) and
// NewRand(seed, s+2^61) would otherwise be one generator).
const MaxStream = (1<<64-1)/Lanes - 1

// NewRand returns the generator of stream of seed; stream is at most
// MaxStream. The zero Rand is not a generator (its state is all zero, whose
// xoshiro256++ output is 0 forever): its methods panic.
func NewRand(seed, stream uint64) *Rand {
	if stream > MaxStream {
		panic(fmt.Sprintf("f32: NewRand: stream = %d, want at most MaxStream = %d", stream, uint64(MaxStream)))
	}
	r := new(Rand)
	for l := 0; l < Lanes; l++ {
		g := rng.Stream(seed, stream*Lanes+uint64(l))
		for j := 0; j < 4; j++ {
			r.s[j][l] = g.S[j]
		}
	}
	return r
}

// Uniform fills dst with uniforms in [0, 1) of 24 random bits:
//
//	for i := range dst {
//		dst[i] = u(i) // the i-th uniform of this call's steps
//	}
func (r *Rand) Uniform(dst []float32) {
	r.check("Uniform")
	randArch(&r.s, dst, nil, len(dst), modeUniform)
}

// Bernoulli sets dst[i] = 1 if u(i) < p[i], else 0, for i < len(p), with
// u(i) the uniforms Uniform would have produced; len(dst) >= len(p), and dst
// may be p (in place):
//
//	for i := range p {
//		if u(i) < p[i] { dst[i] = 1 } else { dst[i] = 0 }
//	}
//
// The uniforms are multiples of 2^-24, so a 1 comes with probability p
// rounded up to a multiple of 2^-24: exact for such p (0, 1/2, 1), at most
// 2^-24 (6e-8) too high otherwise, and 2^-24 for every p in (0, 2^-24].
// The sigmoids of training give no p below 2^-63 other than 0 (see
// sigmoidFloor), which is drawn as 0.
func (r *Rand) Bernoulli(dst, p []float32) {
	if len(dst) < len(p) {
		panic(fmt.Sprintf("f32: Bernoulli: len(dst) = %d, want >= len(p) = %d", len(dst), len(p)))
	}
	checkSameOrApart("Bernoulli", "dst", dst[:len(p)], "p", p)
	r.check("Bernoulli")
	randArch(&r.s, dst, p, len(p), modeBernoulli)
}

// BernoulliBits draws the same values as Bernoulli(·, p) would and packs
// them as bits: bit i%64 of dst[i/64] is set iff u(i) < p[i]. The words
// dst[:(len(p)+63)/64] are written, their bits past len(p) cleared.
func (r *Rand) BernoulliBits(dst []uint64, p []float32) {
	nw := (len(p) + 63) / 64
	if len(dst) < nw {
		panic(fmt.Sprintf("f32: BernoulliBits: len(dst) = %d, want >= %d", len(dst), nw))
	}
	r.check("BernoulliBits")
	randBitsArch(&r.s, dst, p)
}

// check panics if r is not a generator NewRand made: NewRand never gives a
// lane an all-zero state (rng.Stream), the zero Rand has only such lanes.
func (r *Rand) check(fn string) {
	if r.s[0][0]|r.s[1][0]|r.s[2][0]|r.s[3][0] == 0 {
		panic("f32: " + fn + ": the zero Rand, want one of NewRand (an all-zero xoshiro256++ state gives 0 forever)")
	}
}

const (
	modeUniform   = 0
	modeBernoulli = 1
)

// step advances every lane of s once (xoshiro256++, as rng.Xoshiro256) and
// writes the 2*Lanes uniforms of the step.
func step(s *[4][Lanes]uint64, u *[2 * Lanes]float32) {
	for l := 0; l < Lanes; l++ {
		s0, s1, s2, s3 := s[0][l], s[1][l], s[2][l], s[3][l]
		x := bits.RotateLeft64(s0+s3, 23) + s0
		t := s1 << 17
		s2 ^= s0
		s3 ^= s1
		s1 ^= s2
		s0 ^= s3
		s2 ^= t
		s3 = bits.RotateLeft64(s3, 45)
		s[0][l], s[1][l], s[2][l], s[3][l] = s0, s1, s2, s3
		u[2*l] = float32(uint32(x)>>8) * 0x1p-24
		u[2*l+1] = float32(uint32(x>>32)>>8) * 0x1p-24
	}
}

// less returns 1 if u < q, else 0, without a branch on the outcome (random
// draws would mispredict it): for u, q not NaN, u - q is negative exactly
// when u < q (a difference of distinct floats is never zero).
func less(u, q float32) uint32 {
	b := math.Float32bits(u-q) >> 31
	if q != q {
		b = 0
	}
	return b
}

// randGo takes ceil(n/16) steps and writes the first n uniforms to dst
// (mode 0) or the Bernoulli draws u(i) < p[i] as 1 or 0 (mode 1).
func randGo(s *[4][Lanes]uint64, dst, p []float32, n, mode int) {
	var u [2 * Lanes]float32
	for i := 0; i < n; i += 2 * Lanes {
		step(s, &u)
		d := dst[i:min(i+2*Lanes, n)]
		if mode == modeUniform {
			copy(d, u[:])
			continue
		}
		pp := p[i : i+len(d)]
		for e, q := range pp {
			d[e] = float32(less(u[e], q))
		}
	}
}

// randBitsGo takes ceil(len(p)/16) steps and sets bit i%64 of dst[i/64] to
// u(i) < p[i], the words dst[:(len(p)+63)/64] written whole.
func randBitsGo(s *[4][Lanes]uint64, dst []uint64, p []float32) {
	clear(dst[:(len(p)+63)/64])
	var u [2 * Lanes]float32
	for i := 0; i < len(p); i += 2 * Lanes {
		step(s, &u)
		pp := p[i:min(i+2*Lanes, len(p))]
		var word uint64
		for e, q := range pp {
			word |= uint64(less(u[e], q)) << uint(e)
		}
		dst[i/64] |= word << uint(i%64)
	}
}
