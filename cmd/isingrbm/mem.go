package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// envMaxMemory caps the memory commands plan for (bytes, or with a K, M, G
// or T suffix for KiB..TiB); runs whose estimate passes it are refused.
const envMaxMemory = "ISINGRBM_MAX_MEMORY"

// memoryLimit returns the bytes a run may plan for and where that limit
// comes from: the least of three quarters of the machine's memory and of
// the cgroup limit, the address-space limit less 512 MiB for the runtime,
// and ISINGRBM_MAX_MEMORY.
func memoryLimit() (float64, string) {
	limit, source := physicalMemory()*3/4, "this machine can give"
	as, cg := processLimits()
	if cg > 0 && cg*3/4 < limit {
		limit, source = cg*3/4, "the cgroup's memory limit allows"
	}
	if as > 0 && as-(512<<20) < limit {
		limit, source = max(as-(512<<20), 0), "the address-space limit (ulimit -v) allows"
	}
	if v, ok := parseBytes(os.Getenv(envMaxMemory)); ok && v < limit {
		limit, source = v, envMaxMemory+" allows"
	}
	return limit, source
}

// parseBytes reads "1073741824", "512M", "1G", "1GiB".
func parseBytes(s string) (float64, bool) {
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "iB"), "B")
	mult := 1.0
	if n := len(s); n > 0 {
		if i := strings.IndexByte("KMGT", s[n-1]); i >= 0 {
			mult = float64(uint64(1) << (10 * (i + 1)))
			s = s[:n-1]
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) {
		return 0, false
	}
	return v * mult, true
}

// envError checks the environment variables every command
// obeys.
func envError() error {
	if err := kernelsEnvError(); err != nil {
		return err
	}
	if s := os.Getenv(envMaxMemory); s != "" {
		if _, ok := parseBytes(s); !ok {
			return badInput("%s=%s: want a positive number of bytes, optionally with K, M, G or T (e.g. 2G)", envMaxMemory, s)
		}
	}
	return nil
}

// checkDir fails with a usage error naming flag when dir is not a folder.
func checkDir(dir, flag string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return badInput("%s: folder %s does not exist", flag, dir)
	}
	if !st.IsDir() {
		return badInput("%s: %s is not a folder", flag, dir)
	}
	return nil
}

// dirOf is the folder a path is in ("." for a bare name).
func dirOf(path string) string { return filepath.Dir(path) }
