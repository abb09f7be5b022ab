// Package rng holds the random generators of isingrbm: xoshiro256++
// (Blackman & Vigna 2018), seeded through SplitMix64, and SFC64 (NumPy's
// numpy.random.SFC64), seeded from xoshiro256++. Both are splittable:
// Stream(seed, id) and StreamSFC64(seed, id) give a generator per id, and
// the SIMD kernels run one such stream per 64-bit lane, so a kernel's output
// is a function of (seed, ids) alone, whichever implementation produced it.
package rng
