//go:build !linux

package replicate

import "math"

// peakRSSMiB is not measured outside Linux: NaN (null in JSON).
func peakRSSMiB() float64 { return math.NaN() }
