//go:build !linux

package sysmem

import "math"

// physicalMemory returns an assumed 16 GiB where the machine's memory is not
// easily read.
func physicalMemory() float64 { return 16 << 30 }

// processLimits reports no limits where they are not easily read.
func processLimits() (as, cgroup float64) { return 0, 0 }

// PeakRSSMiB is not measured outside Linux: NaN (null in JSON).
func PeakRSSMiB() float64 { return math.NaN() }
