package study

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxSeeds is the most seeds a study takes.
const MaxSeeds = 1000

// ParseSeeds reads a list of seeds "1,2,7" or a range "1-5". Its errors
// say what was expected, without naming the input.
func ParseSeeds(s string) ([]uint64, error) {
	s = strings.TrimSpace(s)
	if lo, hi, ok := strings.Cut(s, "-"); ok && !strings.Contains(s, ",") {
		return seedRange(s, lo, hi)
	}
	var out []uint64
	seen := map[uint64]bool{}
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want seeds (whole numbers >= 0) as a list 1,2,3 or a range 1-5; %q is not one", strings.TrimSpace(f))
		}
		if seen[x] {
			return nil, fmt.Errorf("seed %d appears twice", x)
		}
		seen[x] = true
		out = append(out, x)
	}
	if len(out) > MaxSeeds {
		return nil, fmt.Errorf("at most %d seeds, got %d", MaxSeeds, len(out))
	}
	return out, nil
}

// seedRange returns the seeds lo..hi of the range s.
func seedRange(s, lo, hi string) ([]uint64, error) {
	a, err1 := strconv.ParseUint(strings.TrimSpace(lo), 10, 64)
	b, err2 := strconv.ParseUint(strings.TrimSpace(hi), 10, 64)
	if err := errors.Join(err1, err2); err != nil || b < a {
		return nil, fmt.Errorf("want a range lo-hi of seeds with lo <= hi, got %q", s)
	}
	if b-a >= MaxSeeds {
		return nil, fmt.Errorf("at most %d seeds, got %q", MaxSeeds, s)
	}
	var out []uint64
	for x := a; ; x++ {
		out = append(out, x)
		if x == b {
			break
		}
	}
	return out, nil
}

// FormatSeeds writes seeds as a list that ParseSeeds reads.
func FormatSeeds(x []uint64) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = strconv.FormatUint(v, 10)
	}
	return strings.Join(s, ",")
}

// FormatCouplings writes couplings as a list a,b,c, each in the fewest
// digits that read back to the same float64.
func FormatCouplings(x []float64) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}
