package rng

import "math/bits"

// SFC64 is the state of one SFC64 stream ("small fast chaotic", Chris
// Doty-Humphrey's PractRand; NumPy's numpy.random.SFC64): three words of
// chaotic state and a counter, S = {a, b, c, counter}. The counter gives
// every stream a period of at least 2^64; the chaotic part an expected
// period of about 2^255. One output costs an addition of three words, a
// shift-xor, a shift-add and a rotation by 24 bits, which SIMD units without
// a vector rotate do in one byte shuffle: 9 AVX2 operations against
// xoshiro256++'s 14 (see package asm/ising).
type SFC64 struct {
	S [4]uint64
}

// NewSFC64 returns the stream seeded with a, b and c as NumPy seeds it
// (counter 1, then 12 outputs discarded).
func NewSFC64(a, b, c uint64) SFC64 {
	g := SFC64{S: [4]uint64{a, b, c, 1}}
	for range 12 {
		g.Uint64()
	}
	return g
}

// StreamSFC64 returns SFC64 stream id of seed, seeded from three outputs of
// Stream(seed, id).
func StreamSFC64(seed, id uint64) SFC64 {
	x := Stream(seed, id)
	return NewSFC64(x.Uint64(), x.Uint64(), x.Uint64())
}

// Uint64 returns the next output: a+b+counter, before the state moves on.
func (g *SFC64) Uint64() uint64 {
	s := &g.S
	r := s[0] + s[1] + s[3]
	s[3]++
	s[0] = s[1] ^ s[1]>>11
	s[1] = s[2] + s[2]<<3
	s[2] = bits.RotateLeft64(s[2], 24) + r
	return r
}
