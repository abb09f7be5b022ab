package sysmem

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// EnvMaxMemory caps the memory commands plan for (bytes, or with a K, M, G
// or T suffix for KiB..TiB); runs whose estimate passes it are refused.
const EnvMaxMemory = "ISINGRBM_MAX_MEMORY"

// Limit returns the bytes a run may plan for and where that limit comes
// from: the least of three quarters of the machine's memory and of the
// cgroup limit, the address-space limit less 512 MiB for the runtime, and
// ISINGRBM_MAX_MEMORY.
func Limit() (float64, string) {
	limit, source := physicalMemory()*3/4, "this machine can give"
	as, cg := processLimits()
	if cg > 0 && cg*3/4 < limit {
		limit, source = cg*3/4, "the cgroup's memory limit allows"
	}
	if as > 0 && as-(512<<20) < limit {
		limit, source = max(as-(512<<20), 0), "the address-space limit (ulimit -v) allows"
	}
	if v, ok := ParseBytes(os.Getenv(EnvMaxMemory)); ok && v < limit {
		limit, source = v, EnvMaxMemory+" allows"
	}
	return limit, source
}

// ParseBytes reads "1073741824", "512M", "1G", "1GiB".
func ParseBytes(s string) (float64, bool) {
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "iB"), "B")
	mult := 1.0
	if n := len(s); n > 0 {
		if i := strings.IndexByte("KMGT", s[n-1]); i >= 0 {
			mult = float64(uint64(1) << (10 * (i + 1)))
			s = s[:n-1]
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || math.IsInf(v*mult, 0) {
		return 0, false // also "Inf", which would mean no limit
	}
	return v * mult, true
}

// CheckEnv checks ISINGRBM_MAX_MEMORY, when set.
func CheckEnv() error {
	if s := os.Getenv(EnvMaxMemory); s != "" {
		if _, ok := ParseBytes(s); !ok {
			return fmt.Errorf("%s=%s: want a positive number of bytes, optionally with K, M, G or T (e.g. 2G)", EnvMaxMemory, s)
		}
	}
	return nil
}

// Check refuses an estimate of need bytes that passes what this process
// can get (see Limit); what names the sizes responsible and starts the
// message.
func Check(need float64, what string) error {
	limit, source := Limit()
	if !(need >= 0) { // a NaN or negative estimate is a defect of its caller: refused
		return fmt.Errorf("%s: memory estimate %v, want a number of bytes (a defect: please report it)", what, need)
	}
	if need > limit {
		return fmt.Errorf("%s: need about %s, more than the %s %s; lower them", what, Format(need), Format(limit), source)
	}
	return nil
}

// Format prints bytes as MiB, or GiB from 1 GiB, to 3 digits.
func Format(b float64) string {
	if b >= 1<<30 {
		return fmt.Sprintf("%.3g GiB", b/(1<<30))
	}
	return fmt.Sprintf("%.3g MiB", b/(1<<20))
}
