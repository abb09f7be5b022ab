package f32

import (
	"fmt"

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

// NewRand returns the generator of stream of seed.
func NewRand(seed, stream uint64) *Rand {
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
	randArch(&r.s, dst, nil, len(dst), modeUniform)
}

// Bernoulli sets dst[i] = 1 if u(i) < p[i], else 0, for i < len(p), with
// u(i) the uniforms Uniform would have produced; len(dst) >= len(p), and dst
// may be p (in place):
//
//	for i := range p {
//		if u(i) < p[i] { dst[i] = 1 } else { dst[i] = 0 }
//	}
func (r *Rand) Bernoulli(dst, p []float32) {
	if len(dst) < len(p) {
		panic(fmt.Sprintf("f32: Bernoulli: len(dst) = %d, want >= len(p) = %d", len(dst), len(p)))
	}
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
	randBitsArch(&r.s, dst, p)
}

const (
	modeUniform   = 0
	modeBernoulli = 1
)

// step advances every lane of s once and writes the 2*Lanes uniforms of the
// step.
func step(s *[4][Lanes]uint64, u *[2 * Lanes]float32) {
	for l := 0; l < Lanes; l++ {
		g := rng.Xoshiro256{S: [4]uint64{s[0][l], s[1][l], s[2][l], s[3][l]}}
		x := g.Uint64()
		s[0][l], s[1][l], s[2][l], s[3][l] = g.S[0], g.S[1], g.S[2], g.S[3]
		u[2*l] = float32(uint32(x)>>8) * 0x1p-24
		u[2*l+1] = float32(uint32(x>>32)>>8) * 0x1p-24
	}
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
			if u[e] < q {
				d[e] = 1
			} else {
				d[e] = 0
			}
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
		for e, q := range pp {
			if u[e] < q {
				dst[(i+e)/64] |= 1 << uint((i+e)%64)
			}
		}
	}
}
