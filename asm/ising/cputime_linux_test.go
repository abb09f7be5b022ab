package ising

import "syscall"

// threadCPUNanos returns the CPU time of the calling OS thread, so that
// benchmarks on a shared machine can also report per CPU-second rates.
// The caller must have locked the OS thread.
func threadCPUNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
