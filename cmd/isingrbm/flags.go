package main

import (
	"github.com/isingrbm/isingrbm/core/replicate"
	"math"
	"strconv"
	"strings"
)

// parseCouplings reads the value of a -beta flag: one value ("0.408"), a
// comma-separated list ("0.3,0.408,0.44") or a range "lo:hi:n" of n evenly
// spaced values including both ends. Every value must be finite and >= 0.
func parseCouplings(flagName, s string) ([]float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, badInput("-%s: want a coupling K = J/kT >= 0, a list a,b,c or a range lo:hi:n; got an empty value", flagName)
	}
	var ks []float64
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) != 3 {
			return nil, badInput("-%s: want a range lo:hi:n, got %q", flagName, s)
		}
		lo, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
		hi, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
		n, err3 := strconv.Atoi(strings.TrimSpace(parts[2]))
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, badInput("-%s: want a range lo:hi:n of two numbers and a count, got %q", flagName, s)
		}
		if n < 1 || n > 100000 {
			return nil, badInput("-%s: the range count must be between 1 and 100000, got %d", flagName, n)
		}
		if n == 1 {
			if lo != hi {
				return nil, badInput("-%s: a range of 1 value needs lo == hi, got %q", flagName, s)
			}
			ks = []float64{lo}
		} else {
			for i := 0; i < n; i++ {
				ks = append(ks, lo+(hi-lo)*float64(i)/float64(n-1))
			}
		}
	} else {
		for _, f := range strings.Split(s, ",") {
			k, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return nil, badInput("-%s: %q is not a number", flagName, strings.TrimSpace(f))
			}
			ks = append(ks, k)
		}
	}
	seen := map[string]bool{}
	for _, k := range ks {
		if math.IsNaN(k) || math.IsInf(k, 0) || k < 0 {
			return nil, badInput("-%s: want finite couplings K >= 0, got %v", flagName, k)
		}
		name := replicate.CouplingFileName(k)
		if seen[name] {
			return nil, badInput("-%s: coupling %v appears twice (files are named %s)", flagName, k, name)
		}
		seen[name] = true
	}
	return ks, nil
}
