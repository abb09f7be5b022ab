// Package rng is the random generator of isingrbm: xoshiro256++ (Blackman &
// Vigna 2018), seeded through SplitMix64. It is splittable: Stream(seed, id)
// gives a generator per id, and the SIMD kernels run one such stream per
// 64-bit lane, so a kernel's output is a function of (seed, ids) alone,
// whichever implementation produced it.
package rng
