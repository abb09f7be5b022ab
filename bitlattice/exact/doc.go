// Package exact gives exact results for the two-dimensional Ising model (J = 1, no field) on an
// L x L periodic square lattice: the Kaufman / Ferdinand-Fisher partition function with its first
// two derivatives, Onsager's infinite-lattice energy and spontaneous magnetization, the inversion
// of the finite-lattice energy curve u(K), and the full Boltzmann distribution of energy and |M|
// by enumeration for L <= 5. Every finite K >= 0 gives finite results (K = 0 is exact: ln Z =
// N ln 2, u = 0, c = 0); Compute and ValidateK return errors for the rest. Samplers and trained models are validated against these numbers.
package exact
