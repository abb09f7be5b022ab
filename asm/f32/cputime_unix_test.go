//go:build unix

package f32

import "syscall"

// cpuSeconds returns the user+system CPU time of the process, so that
// benchmarks can report work per CPU-second on a shared machine (the
// clock is tick-accurate: use benchmark runs of a few hundred milliseconds).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
