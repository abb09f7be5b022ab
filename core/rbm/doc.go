// Package rbm trains and evaluates Bernoulli-Bernoulli restricted Boltzmann
// machines and greedily stacked deep belief networks on binary data such as
// Ising configurations: CD-k, persistent CD and a scikit-learn-compatible
// preset; free energy, pseudo-likelihood, exact and annealed-importance-
// sampling log-likelihoods; model files readable by numpy.load, and
// checkpoints from which training resumes bit for bit.
//
// Every random draw comes from a generator seeded with (Config.Seed, a
// stream id naming its purpose, layer and epoch), so a run is a function of
// its seed (and thread count and kernel implementation).
package rbm
