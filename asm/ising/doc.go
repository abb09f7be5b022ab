// Package ising holds the kernels of isingrbm's multi-spin-coded
// square-lattice Ising sampler: the Metropolis sweep over a block of 256
// independent replicas stored one bit per replica, with one random stream
// per 64-bit lane (xoshiro256++ or SFC64, package asm/rng), and the count of a block's anti-aligned bonds and
// up spins (Counts). Portable Go kernels are the reference; AVX-512 and AVX2
// (amd64) and NEON (arm64) kernels, all written by one generator (_gen),
// reproduce them bit for bit.
package ising
