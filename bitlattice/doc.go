// Package bitlattice samples the two-dimensional Ising model (L x L torus,
// J = 1, no field) with multi-spin-coded Metropolis: one bit per independent
// replica, 256 replicas per block, each 64-bit lane with its own stream
// (xoshiro256++, the zero Options.Generator, or SFC64, the faster one and
// `isingrbm sample`'s default), so results depend on the seed and the
// generator alone, not on the kernel or the thread count. Sample measures
// the integrated autocorrelation time and returns decorrelated
// configurations with their observables and errors; Report
// sets them beside the exact solution (package exact), and MemoryEstimate
// sizes a run before it starts.
package bitlattice
