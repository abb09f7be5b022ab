package replicate

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/rbm"
)

// MaxCouplings bounds the couplings of one list or range.
const MaxCouplings = 100_000

// SettingsParams lists the settings of the replication a command line may
// override (replicate's flags; study takes them too), in the order they
// are applied and checked: -layers comes before -flow-depth, which it
// bounds. Set's errors name the flag and what was expected.
func SettingsParams() []param.Param[Settings] {
	type S = Settings
	ip := func(name, usage string, lo, hi int, why string, field func(*S) *int) param.Param[S] {
		return param.IntParam(name, usage, lo, hi, why, field)
	}
	return []param.Param[S]{
		ip("L", fmt.Sprintf("override: lattice side, %d..%d", bitlattice.MinSampleL, MaxL), bitlattice.MinSampleL, MaxL, maxLWhy, func(s *S) *int { return &s.L }),
		{Name: "K", Usage: fmt.Sprintf("override: coupling of the training data, %g..%g", bitlattice.MinSampleK, bitlattice.MaxSampleK),
			Get: func(s *S) string { return strconv.FormatFloat(s.K, 'g', -1, 64) },
			Set: func(s *S, v string) error {
				ks, err := ParseSampleCouplings("K", v)
				if err != nil {
					return err
				}
				if len(ks) != 1 {
					return fmt.Errorf("-K %s: want one coupling %g <= K <= %g, got %d", v, bitlattice.MinSampleK, bitlattice.MaxSampleK, len(ks))
				}
				s.K = ks[0]
				return nil
			}},
		ip("n", "override: training samples", 2, math.MaxInt, "samples", func(s *S) *int { return &s.N }),
		param.SeedParam("seed", "seed of sampling, training and analysis (every use derives its own seed from it; default 1)", func(s *S) *uint64 { return &s.Seed }),
		generatorParam(fmt.Sprintf("Metropolis update streams of every sample: %s (the default, as every published summary) or %s", ising.Xoshiro256pp, ising.SFC64),
			func(s *S) *ising.Generator { return &s.Generator }),
		ip("seeds", "training seeds per recipe (a seed ensemble: every number gets its spread over seeds; default 1)", 1, 1000, "", func(s *S) *int { return &s.Seeds }),
		ip("data-seeds", "training data sets, each sampled with its own seed (every training seed is run on each; default 1)", 1, 1000, "", func(s *S) *int { return &s.DataSeeds }),
		ip("test-n", "override: held-out test configurations per data set (5000; -quick 1000)", 2, math.MaxInt, "", func(s *S) *int { return &s.TestN }),
		{Name: "sweep", Usage: "override: couplings of the flow, a list or lo:hi:n", Get: func(s *S) string { return formatFloats(s.SweepKs) },
			Set: func(s *S, v string) (err error) { s.SweepKs, err = ParseSampleCouplings("sweep", v); return err }},
		ip("sweep-n", "override: samples per flow coupling", 1, math.MaxInt, "", func(s *S) *int { return &s.SweepN }),
		{Name: "layers", Usage: "override: hidden layer sizes", Get: func(s *S) string { return formatInts(s.Layers) },
			Set: func(s *S, v string) (err error) { s.Layers, err = rbm.ParseSizes("layers", v); return err }},
		ip("epochs", "override: epochs of every network but sklearn", 1, rbm.MaxEpochs, "", func(s *S) *int { return &s.Epochs }),
		ip("sklearn-epochs", "override: epochs of the sklearn network", 1, rbm.MaxEpochs, "", func(s *S) *int { return &s.SklearnEpochs }),
		{Name: "networks", Usage: "override: networks to train, from " + strings.Join(rbm.Presets(), ","), Get: func(s *S) string { return strings.Join(s.Networks, ",") },
			Set: func(s *S, v string) error {
				s.Networks = nil
				for _, name := range strings.Split(v, ",") {
					name = strings.TrimSpace(name)
					if _, err := rbm.Preset(name); err != nil {
						return fmt.Errorf("-networks: %v", err)
					}
					s.Networks = append(s.Networks, name)
				}
				return nil
			}},
		ip("ais-runs", "override: AIS runs of each path", 2, rbm.MaxAISRuns, "", func(s *S) *int { return &s.AISRuns }),
		{Name: "ais-steps", Usage: "override: AIS schedule (see eval)", Get: func(s *S) string { return formatInts(s.AISSteps[:]) },
			Set: func(s *S, v string) (err error) { s.AISSteps, err = rbm.ParseAISSteps("ais-steps", v); return err }},
		ip("eval-samples", "override: samples evaluated (0: all)", 0, math.MaxInt, "0: all", func(s *S) *int { return &s.EvalSamples }),
		ip("raise", fmt.Sprintf("reverse AIS (RAISE) on layer 1 from this many seeded held-out configurations, 0..%d, one chain each on the AIS schedule (0: none): it errs low where chains from the data mix, and lands above AIS where the model has mass they never reach", rbm.MaxRAISESamples),
			0, rbm.MaxRAISESamples, "0: none", func(s *S) *int { return &s.RAISESamples }),
		ip("analysis-samples", "override: configurations for block spins and physics", 1, math.MaxInt, "", func(s *S) *int { return &s.AnalysisSamples }),
		ip("flow-steps", "override: reconstruction steps of the RG flow", 0, 100, "", func(s *S) *int { return &s.FlowSteps }),
		{Name: "flow-depth", Usage: "override: depth of one reconstruction step of the flow", Get: func(s *S) string { return strconv.Itoa(s.FlowDepth) },
			Set: func(s *S, v string) error {
				d, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil {
					return fmt.Errorf("-flow-depth %s: want an integer", v)
				}
				if err := param.CheckInt("flow-depth", d, 1, len(s.Layers), "the number of layers"); err != nil {
					return err
				}
				s.FlowDepth = d
				return nil
			}},
		ip("threads", fmt.Sprintf("worker threads, 0..%d (0: all cores)", rbm.MaxThreads), 0, rbm.MaxThreads, "0: all cores", func(s *S) *int { return &s.Threads }),
	}
}

// MaxCoupling bounds every coupling K = J/kT of the exact solution
// (isingrbm exact). From about K = 10 on the ferromagnet is frozen in its
// ground state to float64 precision (u = -2 exactly, the specific heat 64
// K^2 e^-8K below 1e-30), so larger couplings say nothing new; up to 1000
// the frozen regime stays available (the exact values are finite and
// correct there, which the adversarial cases check at K = 200 and 350),
// while ln Z, about 2 L^2 K, stays far inside the float64 range for every
// L (it was +Inf at K = 1e308) and a coupling's file name short (300
// digits at 1e300). Sampled couplings (sample, replicate, study) stop at
// bitlattice.MaxSampleK = 1.5: above it the sampler's 24-bit acceptance
// thresholds err by more than 1%, and from 3 ln 2 = 2.08 on the 8-flip
// threshold is 0 and the ordered state absorbs the chain, whose specific
// heat then reads 0 (8.2e-7 exactly at L = 40, K = 2.5).
const MaxCoupling = 1000.0

// maxCouplingWhy explains MaxCoupling in messages.
const maxCouplingWhy = "the lattice is frozen in its ground state to float64 precision from about K = 10 on"

// kBounds are the couplings a flag takes, and why its maximum.
type kBounds struct {
	min, max float64
	why      string
}

// exactBounds are those of the exact solution, sampleBounds those of the
// sampler, whose 24-bit acceptance thresholds err by more than 1% above
// bitlattice.MaxSampleK (ising.MaxK).
var (
	exactBounds  = kBounds{0, MaxCoupling, maxCouplingWhy}
	sampleBounds = kBounds{bitlattice.MinSampleK, bitlattice.MaxSampleK, fmt.Sprintf("above %g the sampler's 24-bit acceptance thresholds err by more than 1%%, and from 2.08 on a spin whose four neighbours agree with it never flips; isingrbm exact gives the exact results up to %g", bitlattice.MaxSampleK, float64(MaxCoupling))}
)

// MaxL bounds the lattice side of a replication: its L x L spins are the
// visible units of the networks (at most rbm.MaxUnits = 1024^2).
const MaxL = 1024

// maxLWhy explains the bounds of L in messages.
const maxLWhy = "the sampler's chain is not ergodic below 4; the L*L spins are the visible units, at most 1048576"

// CheckSampleCoupling checks one coupling that is sampled, for flag
// -flagName (given the text s): bitlattice.MinSampleK <= k <=
// bitlattice.MaxSampleK. ParseSampleCouplings and a study's spec both call
// it.
func CheckSampleCoupling(flagName, s string, k float64) error {
	const minK = bitlattice.MinSampleK
	switch {
	case math.IsNaN(k) || math.IsInf(k, 0) || k < 0 || k > sampleBounds.max:
		return fmt.Errorf("-%s %s: coupling %v: want %g <= K <= %g (%s)", flagName, s, k, minK, sampleBounds.max, sampleBounds.why)
	case k == 0:
		return fmt.Errorf("-%s %s: K = 0 is infinite temperature, where every spin is an independent fair coin and Metropolis does not mix; draw fair coins directly (isingrbm exact -beta 0 gives the exact results); want K >= %g", flagName, s, minK)
	case k < minK:
		return fmt.Errorf("-%s %s: K = %g is below %g, where Metropolis' integrated time (about 0.16/K sweeps) passes what the sampler can measure and the spins are nearly independent fair coins; want K >= %g", flagName, s, k, minK, minK)
	}
	return nil
}

// ParseSampleCouplings is ParseCouplings for couplings that are sampled
// (and name output files, so no two may share a name). K = 0 is refused:
// at infinite temperature every spin is an independent fair coin, which
// the Metropolis chain does not mix towards in any useful time; so is any
// K below bitlattice.MinSampleK (CheckSampleCoupling).
func ParseSampleCouplings(flagName, s string) ([]float64, error) {
	ks, err := parseCouplings(flagName, s, true, sampleBounds)
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		if err := CheckSampleCoupling(flagName, s, k); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// checkCoupling checks a coupling: finite, 0 <= k <= b.max (the caller
// checks b.min).
func checkCoupling(k float64, b kBounds) bool {
	return exact.ValidateK(k) == nil && k <= b.max
}

// ParseCouplings reads the value of a coupling flag -flagName: one value
// ("0.408"), a comma-separated list ("0.3,0.408,0.44") or a range
// "lo:hi:n" of n evenly spaced values including both ends. Every value
// must be finite and in 0..MaxCoupling, and 0 or a normal float64 (a
// nonzero literal such as 1e-400, which strconv.ParseFloat reads as 0
// without an error, is refused, as param.Float64 refuses it); with
// distinctFiles, no two may share an output file name (CouplingFileName).
func ParseCouplings(flagName, s string, distinctFiles bool) ([]float64, error) {
	return parseCouplings(flagName, s, distinctFiles, exactBounds)
}

// parseCouplings is ParseCouplings for couplings within b; b.min is the
// least coupling its messages name (the caller checks it).
func parseCouplings(flagName, s string, distinctFiles bool, b kBounds) ([]float64, error) {
	s = strings.TrimSpace(s)
	minK := b.min
	want := fmt.Sprintf("want a coupling K = J/kT, %g <= K <= %g, a list a,b,c or a range lo:hi:n", minK, b.max)
	if s == "" {
		return nil, fmt.Errorf("-%s: %s; got an empty value", flagName, want)
	}
	var ks []float64
	if strings.Contains(s, ":") {
		var err error
		if ks, err = parseRange(flagName, s, b); err != nil {
			return nil, err
		}
	} else {
		if n := strings.Count(s, ",") + 1; n > MaxCouplings {
			return nil, fmt.Errorf("-%s: %d couplings, want at most %d", flagName, n, MaxCouplings)
		}
		fs := strings.Split(s, ",")
		for _, f := range fs {
			f = strings.TrimSpace(f)
			k, err := strconv.ParseFloat(f, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, fmt.Errorf("-%s %s: %q is not a number; %s", flagName, s, f, want)
			}
			why := belowNormal(f, k, b)
			if o := param.Overflow64(k, err); o != "" {
				why = o + "; " + want // 1e400, not "coupling +Inf"
			}
			if why != "" && len(fs) == 1 {
				return nil, fmt.Errorf("-%s %s: %s", flagName, s, why)
			} else if why != "" {
				return nil, fmt.Errorf("-%s %s: %q: %s", flagName, s, f, why)
			}
			ks = append(ks, k)
		}
	}
	seen := map[string]float64{}
	for _, k := range ks {
		if !checkCoupling(k, b) {
			return nil, fmt.Errorf("-%s %s: coupling %v: want %g <= K <= %g (%s)", flagName, s, k, minK, b.max, b.why)
		}
		name := CouplingFileName(k)
		if first, dup := seen[name]; distinctFiles && dup {
			if first == k {
				return nil, fmt.Errorf("-%s %s: coupling %v given twice; want each coupling once", flagName, s, k)
			}
			return nil, fmt.Errorf("-%s %s: couplings %v and %v share the file name %s; want couplings that differ in the 4th decimal", flagName, s, first, k, name)
		}
		seen[name] = k
	}
	return ks, nil
}

// belowNormal is why the coupling written f, which strconv.ParseFloat
// read as k, is refused as a nonzero literal below the smallest normal
// float64 (1e-400 reads as 0 without an error), in param's words, or ""
// when it is not one. A subnormal below minK is left to
// CheckSampleCoupling, whose message says why sampling needs minK.
func belowNormal(f string, k float64, b kBounds) string {
	why := param.BelowNormal64(f, k)
	if why == "" || k != 0 && k < b.min {
		return ""
	}
	return fmt.Sprintf("%s; want %g <= K <= %g (%s)", why, b.min, b.max, b.why)
}

// formatFloats writes xs as a list a,b,c that ParseCouplings reads back
// to the same float64s.
func formatFloats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

// formatInts writes xs as a list a,b,c.
func formatInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// parseRange reads lo:hi:n, checking lo and hi before any arithmetic.
func parseRange(flagName, s string, b kBounds) ([]float64, error) {
	minK := b.min
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("-%s %s: want a range lo:hi:n", flagName, s)
	}
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	hi, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	n, err3 := strconv.Atoi(strings.TrimSpace(parts[2]))
	// A number out of float64's range (1e400) is a number, refused below
	// in param's words, not a malformed range.
	if err1 != nil && !errors.Is(err1, strconv.ErrRange) || err2 != nil && !errors.Is(err2, strconv.ErrRange) || err3 != nil {
		return nil, fmt.Errorf("-%s %s: want a range lo:hi:n of two numbers and a count", flagName, s)
	}
	for i, k := range []float64{lo, hi} {
		if o := param.Overflow64(k, []error{err1, err2}[i]); o != "" {
			return nil, fmt.Errorf("-%s %s: range end %s: %s; want %g <= K <= %g (%s)", flagName, s, strings.TrimSpace(parts[i]), o, minK, b.max, b.why)
		}
		if why := belowNormal(parts[i], k, b); why != "" {
			return nil, fmt.Errorf("-%s %s: range end %s: %s", flagName, s, strings.TrimSpace(parts[i]), why)
		}
		if !checkCoupling(k, b) {
			return nil, fmt.Errorf("-%s %s: range end %v: want %g <= K <= %g (%s)", flagName, s, k, minK, b.max, b.why)
		}
	}
	if n < 1 || n > MaxCouplings {
		return nil, fmt.Errorf("-%s %s: range count %d, want 1..%d", flagName, s, n, MaxCouplings)
	}
	if n == 1 {
		if lo != hi {
			return nil, fmt.Errorf("-%s %s: a range of 1 value needs lo == hi", flagName, s)
		}
		return []float64{lo}, nil
	}
	ks := make([]float64, n)
	for i := range ks {
		ks[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return ks, nil
}
