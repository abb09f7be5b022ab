// Package analysis turns trained RBM stacks and sets of Ising configurations into the numbers
// the replication reports: effective receptive fields, their locality against a Gaussian-noise
// baseline, block-spin correspondence, thermodynamics of generated configurations and the RG flow
// K -> K_eff under repeated reconstruction. It works on plain slices (row-major float32 weight
// matrices, uint8 configurations with 1 = up) so it does not depend on the model code.
package analysis
