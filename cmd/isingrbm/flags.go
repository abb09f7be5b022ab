package main

// Validation of flags: every command checks all its flags here, before any
// work starts. Rules name the flag, the value given and what was expected
// ("-batch 1000000000: want 1..50 (the samples in d.npy)"); every failure is
// a usage error (exit status 2). Sums and products of sizes are computed in
// float64 or checked for overflow first.

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/replicate"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// intRule requires an integer flag to lie in [lo, hi]; why, when set,
// explains the bound.
type intRule struct {
	name   string
	v      int
	lo, hi int
	why    string
}

// checkInts returns a usage error for the first rule broken.
func checkInts(rules ...intRule) error {
	for _, r := range rules {
		if r.v >= r.lo && r.v <= r.hi {
			continue
		}
		want := fmt.Sprintf("want %d..%d", r.lo, r.hi)
		if r.hi == math.MaxInt {
			want = fmt.Sprintf("want >= %d", r.lo)
		}
		if r.why != "" {
			want += " (" + r.why + ")"
		}
		return badInput("-%s %d: %s", r.name, r.v, want)
	}
	return nil
}

// float32Flag checks a float64 flag that is used as a float32: finite,
// >= 0 (or > 0 unless zeroOK), and, when not zero, a normal float32 (a
// subnormal or smaller value would round to 0 or lose its precision).
func float32Flag(name string, v float64, zeroOK bool) (float32, error) {
	want := "want a finite value > 0"
	if zeroOK {
		want = "want a finite value >= 0"
	}
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v == 0 && !zeroOK:
		return 0, badInput("-%s %v: %s", name, v, want)
	case v != 0 && v < 0x1p-126:
		return 0, badInput("-%s %v: below the smallest normal float32 (%.4g), where it would round to 0 or lose precision; %s", name, v, 0x1p-126, want)
	case v > math.MaxFloat32:
		return 0, badInput("-%s %v: above the largest float32 (%.4g)", name, v, math.MaxFloat32)
	}
	return float32(v), nil
}

// Bounds of flags that size allocations or loops (beyond them a run would
// take days or more memory than any machine has).
const (
	maxUnits       = 1 << 20 // units of one layer
	maxLayers      = 64
	maxEpochs      = rbm.MaxEpochs
	maxCDK         = 100_000
	maxThreads     = 4096
	maxAISRuns     = rbm.MaxAISRuns
	maxAISSteps    = 10_000_000
	maxEquilibrate = 100_000_000
	maxSampleL     = bitlattice.MaxSampleL
	maxCouplings   = 100_000
)

// parseCouplings is parseCouplingList for couplings that are sampled (and
// name output files, so no two may share a name). K = 0 is refused: at
// infinite temperature every spin is an independent fair coin, which the
// Metropolis chain does not mix towards in any useful time.
func parseCouplings(flagName, s string) ([]float64, error) {
	ks, err := parseCouplingList(flagName, s, true)
	for _, k := range ks {
		if k == 0 {
			return nil, badInput("-%s %s: K = 0 is infinite temperature, where every spin is an independent fair coin and Metropolis does not mix; draw fair coins directly (isingrbm exact -beta 0 gives the exact results); want K >= %g", flagName, s, minSampleK)
		}
		if k < minSampleK {
			return nil, badInput("-%s %s: K = %g is below %g, where Metropolis' integrated time (about 0.16/K sweeps) passes what the sampler can measure and the spins are nearly independent fair coins; want K >= %g", flagName, s, k, minSampleK, minSampleK)
		}
	}
	return ks, err
}

// minSampleK is the smallest coupling sampled (bitlattice.MinSampleK).
const minSampleK = bitlattice.MinSampleK

// parseCouplingList reads the value of a -beta flag: one value ("0.408"), a
// comma-separated list ("0.3,0.408,0.44") or a range "lo:hi:n" of n evenly
// spaced values including both ends. Every value must be finite and >= 0;
// with distinctFiles, no two may share an output file name.
func parseCouplingList(flagName, s string, distinctFiles bool) ([]float64, error) {
	s = strings.TrimSpace(s)
	want := "want a coupling K = J/kT >= 0, a list a,b,c or a range lo:hi:n"
	if s == "" {
		return nil, badInput("-%s: %s; got an empty value", flagName, want)
	}
	var ks []float64
	if strings.Contains(s, ":") {
		var err error
		if ks, err = parseRange(flagName, s); err != nil {
			return nil, err
		}
	} else {
		for _, f := range strings.Split(s, ",") {
			k, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return nil, badInput("-%s %s: %q is not a number; %s", flagName, s, strings.TrimSpace(f), want)
			}
			ks = append(ks, k)
		}
	}
	if len(ks) > maxCouplings {
		return nil, badInput("-%s: %d couplings, want at most %d", flagName, len(ks), maxCouplings)
	}
	seen := map[string]bool{}
	for _, k := range ks {
		if err := exact.ValidateK(k); err != nil {
			return nil, badInput("-%s %s: coupling %v: want finite couplings K >= 0", flagName, s, k)
		}
		name := replicate.CouplingFileName(k)
		if distinctFiles && seen[name] {
			return nil, badInput("-%s %s: couplings %v and another share the file name %s; want couplings that differ in the 4th decimal", flagName, s, k, name)
		}
		seen[name] = true
	}
	return ks, nil
}

// parseRange reads lo:hi:n, checking lo and hi before any arithmetic.
func parseRange(flagName, s string) ([]float64, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, badInput("-%s %s: want a range lo:hi:n", flagName, s)
	}
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	hi, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	n, err3 := strconv.Atoi(strings.TrimSpace(parts[2]))
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, badInput("-%s %s: want a range lo:hi:n of two numbers and a count", flagName, s)
	}
	for _, k := range []float64{lo, hi} {
		if exact.ValidateK(k) != nil {
			return nil, badInput("-%s %s: range end %v, want finite couplings K >= 0", flagName, s, k)
		}
	}
	if n < 1 || n > maxCouplings {
		return nil, badInput("-%s %s: range count %d, want 1..%d", flagName, s, n, maxCouplings)
	}
	if n == 1 {
		if lo != hi {
			return nil, badInput("-%s %s: a range of 1 value needs lo == hi", flagName, s)
		}
		return []float64{lo}, nil
	}
	ks := make([]float64, n)
	for i := range ks {
		ks[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return ks, nil
}

// parseSizes reads a comma-separated list of layer sizes.
func parseSizes(flagName, s string) ([]int, error) {
	fields := strings.Split(s, ",")
	if len(fields) > maxLayers {
		return nil, badInput("-%s: %d layers, want at most %d", flagName, len(fields), maxLayers)
	}
	var out []int
	for _, f := range fields {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > maxUnits {
			return nil, badInput("-%s %s: want unit counts 1..%d separated by commas (e.g. 400,100,25), got %q", flagName, s, maxUnits, strings.TrimSpace(f))
		}
		out = append(out, n)
	}
	return out, nil
}

// parseAISSteps is parseAISStepsFlag for -ais-steps.
func parseAISSteps(s string) ([3]int, error) { return parseAISStepsFlag("ais-steps", s) }

// parseAISStepsFlag reads "1000,4000,10000" (steps on [0,0.5], [0.5,0.9],
// [0.9,1]) or one total split 1:4:10. Each count is bounded before they are
// added, so no sum overflows.
func parseAISStepsFlag(flagName, s string) ([3]int, error) {
	parts := strings.Split(s, ",")
	var out [3]int
	bad := badInput("-%s %s: want one total (15..%d) or three counts for [0,0.5],[0.5,0.9],[0.9,1] (e.g. 1000,4000,10000) adding up to at most %d",
		flagName, s, maxAISSteps, maxAISSteps)
	var n [3]int
	for i, p := range parts {
		if i >= 3 {
			return out, bad
		}
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 1 || v > maxAISSteps {
			return out, bad
		}
		n[i] = v
	}
	switch len(parts) {
	case 1:
		if n[0] < 15 {
			return out, bad
		}
		out = rbm.SplitAISSteps(n[0])
	case 3:
		out = n
	default:
		return out, bad
	}
	if out[0]+out[1]+out[2] > maxAISSteps {
		return out, bad
	}
	return out, nil
}

// parseMomentum reads "0.5,0.9" (initial, final) or one value for both.
func parseMomentum(s string) (float32, float32, error) {
	parts := strings.Split(s, ",")
	if len(parts) > 2 {
		return 0, 0, badInput("-momentum %s: want one value or initial,final (e.g. 0.5,0.9)", s)
	}
	var v [2]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(x >= 0 && x < 1) {
			return 0, 0, badInput("-momentum %s: want values in [0, 1)", s)
		}
		v[i] = x
	}
	if len(parts) == 1 {
		v[1] = v[0]
	}
	return float32(v[0]), float32(v[1]), nil
}

// checkOutput refuses, before any work, an output path that cannot be
// written: a missing or unwritable folder, a folder in its place, or
// (without -replace) a symlink, FIFO, socket or device.
func checkOutput(flagName, path string, opt npy.WriteOptions) error {
	if path == "" {
		return badInput("-%s: want an output file name", flagName)
	}
	if err := npy.CheckOutput(path, opt); err != nil {
		hint := ""
		if strings.Contains(err.Error(), "refusing") {
			hint = " (-replace replaces it)"
		}
		return badInput("-%s: %v%s", flagName, err, hint)
	}
	return checkWritable(dirOf(path), "-"+flagName)
}

// checkMemory is sysmem.Check as a usage error.
func checkMemory(need float64, what string) error {
	if err := sysmem.Check(need, what); err != nil {
		return badInput("%v", err)
	}
	return nil
}
