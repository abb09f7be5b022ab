// Package ising holds the Metropolis kernels of isingrbm's multi-spin-coded
// square-lattice Ising sampler: one sweep over a block of 256 independent
// replicas stored one bit per replica, with one xoshiro256++ stream per 64-bit
// lane. A portable Go kernel is the reference; AVX-512 and AVX2 (amd64) and
// NEON (arm64) kernels, all written by one generator (_gen), reproduce it bit
// for bit.
package ising
