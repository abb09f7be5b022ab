// Command isingrbm samples the 2D Ising model with a multi-spin-coded
// Metropolis sampler, trains restricted Boltzmann machines and deep belief
// networks on the samples, and runs the Mehta-Schwab replication. It holds
// only the command line: flags, progress bars, exit codes and the messages
// for bad input; the work is done by the packages under core/ and
// bitlattice/.
package main
