//go:build linux

package sysmem

import (
	"math"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// physicalMemory returns the machine's memory in bytes.
func physicalMemory() float64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil || si.Totalram == 0 {
		return 16 << 30
	}
	return float64(si.Totalram) * float64(si.Unit)
}

// processLimits returns the address-space limit (RLIMIT_AS) and the cgroup
// memory limit of this process, 0 when unlimited or unknown.
func processLimits() (as, cgroup float64) {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_AS, &rl) == nil && rl.Cur != ^uint64(0) {
		as = float64(rl.Cur)
	}
	self, _ := os.ReadFile("/proc/self/cgroup")
	return as, cgroupLimit(string(self), func(p string) (string, bool) {
		b, err := os.ReadFile(p)
		return string(b), err == nil
	})
}

// cgroupLimit returns the least memory limit of the process's cgroup and
// of its ancestors, 0 when none is set or none can be read. self is
// /proc/self/cgroup: under cgroup v2 the line "0::/path", whose
// /sys/fs/cgroup/path/memory.max ("max": none) and those of the folders
// above it count; under v1 the line of the memory controller,
// "N:...memory...:/path", whose /sys/fs/cgroup/memory/path/
// memory.limit_in_bytes and those above count (values of 2^60 and more
// mean none). A Slurm job, a systemd unit or a container sets the limit on
// its own cgroup, which is not the root's file that alone was read before.
func cgroupLimit(self string, read func(path string) (string, bool)) float64 {
	least := 0.0
	take := func(s string, unlimited float64) {
		v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil || v == 0 || float64(v) >= unlimited {
			return // "max", or unreadable
		}
		if least == 0 || float64(v) < least {
			least = float64(v)
		}
	}
	walk := func(root, rel, file string, unlimited float64) {
		rel = path.Clean("/" + rel)
		for {
			if s, ok := read(path.Join(root, rel, file)); ok {
				take(s, unlimited)
			}
			if rel == "/" {
				return
			}
			rel = path.Dir(rel)
		}
	}
	for _, line := range strings.Split(self, "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		switch {
		case f[0] == "0" && f[1] == "":
			walk("/sys/fs/cgroup", f[2], "memory.max", math.Inf(1))
		case slices.Contains(strings.Split(f[1], ","), "memory"):
			walk("/sys/fs/cgroup/memory", f[2], "memory.limit_in_bytes", 1<<60)
		}
	}
	if least == 0 { // no /proc/self/cgroup (or no such line): the root's file, as before
		if s, ok := read("/sys/fs/cgroup/memory.max"); ok {
			take(s, math.Inf(1))
		}
	}
	return least
}

// PeakRSSMiB returns the process's peak resident memory so far, in MiB
// (NaN when it cannot be read).
func PeakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}
