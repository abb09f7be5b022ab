// Package ising holds the Metropolis kernels of isingrbm's multi-spin-coded
// square-lattice Ising sampler: one sweep over a block of 256 independent
// replicas stored one bit per replica, with one xoshiro256++ stream per 64-bit
// lane. A portable Go kernel is the reference; AVX-512 and AVX2 (amd64, from
// one generator, _gen/main.go) and NEON (arm64) kernels reproduce it bit for
// bit.
package ising
