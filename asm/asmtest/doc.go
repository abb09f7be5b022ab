// Package asmtest runs a test once per kernel implementation: every
// implementation the CPU can run, then the portable Go one. It fails, rather
// than skips, when the CPU can run an implementation that could not be
// switched on, so a test suite never silently covers fewer kernels than the
// machine has.
package asmtest
