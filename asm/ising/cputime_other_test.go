//go:build !linux

package ising

func threadCPUNanos() int64 { return 0 }
