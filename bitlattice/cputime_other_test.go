//go:build !linux

package bitlattice

func processCPUNanos() int64 { return 0 }
