// Package study runs the replication (package replicate) over lists of
// couplings, data seeds and training seeds as one graph of keyed stages:
// it plans the graph with estimates of cores, memory and time, runs it on
// this machine with a bounded pool (core/dag) or submits it to Slurm (one
// job per stage kind with afterok dependencies, resubmitting only what is
// missing), runs a single stage for a job, and writes the study's report
// and summary.json over couplings and seeds.
package study
