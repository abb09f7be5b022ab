package replicate

import (
	"fmt"
	"math"
	"strings"

	"github.com/isingrbm/isingrbm/asm/ising"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// SettingError is an error about one setting of Settings: Flag names its
// flag (replicate's, as in SettingsParams) and Err, whose message already
// names the flag, says what was expected. A spec file names the setting by
// its JSON field instead (Field).
type SettingError struct {
	Flag string
	Err  error
}

func (e *SettingError) Error() string { return e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

// Field is the JSON name of the setting of the error's flag in Settings
// ("ais_runs" for -ais-runs), or the flag's name if it has none.
func (e *SettingError) Field() string {
	if f, ok := settingFields[e.Flag]; ok {
		return f
	}
	return e.Flag
}

// settingFields maps the flags of SettingsParams to Settings' JSON fields.
var settingFields = map[string]string{
	"L": "L", "K": "K", "n": "n", "seed": "seed", "rng": "generator", "seeds": "seeds", "data-seeds": "data_seeds",
	"test-n": "test_n", "sweep": "sweep_K", "sweep-n": "sweep_n", "layers": "layers", "epochs": "epochs",
	"sklearn-epochs": "sklearn_epochs", "networks": "networks", "ais-runs": "ais_runs", "ais-steps": "ais_steps",
	"eval-samples": "eval_samples", "analysis-samples": "analysis_samples", "flow-steps": "flow_steps",
	"flow-depth": "flow_depth", "threads": "threads", "raise": "raise_samples",
}

// Validate checks every setting of s exactly as the command line checks
// the flag that sets it: each value, written as its flag's text (Get), is
// parsed and checked by that flag's Set (SettingsParams, in their order),
// then CheckLimits bounds the memory and loop counts. It allocates nothing
// in proportion to the settings, so settings read from a file (a study's
// spec) are checked before anything is sized by them. Errors are
// *SettingError.
func (s Settings) Validate() error {
	return s.validate(sysmem.Check)
}

// ValidateWithin is Validate with the memory of the largest sampling,
// training and evaluation bounded by maxBytes instead of what this machine
// can give: for settings that run elsewhere (a study's stages on cluster
// nodes, each job with its own memory limit), where this machine's limit
// says nothing. The sampler's own limit (bitlattice.MaxBytes) still holds.
func (s Settings) ValidateWithin(maxBytes float64, where string) error {
	return s.validate(func(need float64, what string) error {
		if need > maxBytes {
			return fmt.Errorf("%s: need about %s, more than the %s %s; lower them", what, sysmem.Format(need), sysmem.Format(maxBytes), where)
		}
		return nil
	})
}

// validate is Validate with the memory checked by mem.
func (s Settings) validate(mem func(need float64, what string) error) error {
	t := s
	for _, p := range SettingsParams() {
		if err := p.Set(&t, p.Get(&s)); err != nil {
			return &SettingError{Flag: p.Name, Err: err}
		}
	}
	return s.checkLimits(mem)
}

// CheckLimits bounds s as the command line bounds the flags of train, eval
// and sample, before the pipeline starts: loop counts, and the memory of
// its largest sampling, training and evaluation (against sysmem.Limit).
// Messages name the replicate command's flags ("-epochs 0: want
// 1..1000000"); errors are *SettingError.
func (s Settings) CheckLimits() error {
	return s.checkLimits(sysmem.Check)
}

// checkLimits is CheckLimits with the memory checked by mem.
func (s Settings) checkLimits(mem func(need float64, what string) error) error {
	for _, r := range []struct {
		flag      string
		v, lo, hi int
		why       string
	}{
		{"epochs", s.Epochs, 1, rbm.MaxEpochs, ""},
		{"sklearn-epochs", s.SklearnEpochs, 1, rbm.MaxEpochs, ""},
		{"ais-runs", s.AISRuns, 2, rbm.MaxAISRuns, ""},
		{"L", s.L, bitlattice.MinSampleL, MaxL, maxLWhy},
	} {
		if err := param.CheckInt(r.flag, r.v, r.lo, r.hi, r.why); err != nil {
			return &SettingError{Flag: r.flag, Err: err}
		}
	}
	if len(s.Layers) == 0 {
		return &SettingError{Flag: "layers", Err: fmt.Errorf("-layers: want at least one hidden layer")}
	}
	// Checked here too (buildPlan checks it again), so that the command
	// refuses it as bad input before it creates -o.
	seen := map[string]bool{}
	for _, n := range s.Networks {
		// The flag's check (validate) reads the names joined by commas
		// and split again, trimmed: a name with a comma or surrounding
		// space passed it and failed later, without naming the field.
		if n == "" || n != strings.TrimSpace(n) || strings.Contains(n, ",") {
			return &SettingError{Flag: "networks", Err: fmt.Errorf("-networks: %q: want a network name, without commas or surrounding spaces", n)}
		}
		if seen[n] {
			return &SettingError{Flag: "networks", Err: fmt.Errorf("-networks: %s listed twice, want each network once", n)}
		}
		seen[n] = true
	}
	for _, c := range []struct {
		flag string
		n    int
	}{{"n", s.N}, {"sweep-n", s.SweepN}, {"test-n", s.TestN}, {"analysis-samples", s.AnalysisSamples}} {
		if err := checkSampleMemory(c.flag, s.L, c.n, 0, mem); err != nil {
			return &SettingError{Flag: c.flag, Err: err}
		}
	}
	sizes := append([]int{s.L * s.L}, s.Layers...)
	cfg, _ := rbm.Preset("mehta-schwab")
	cfg.Epochs = max(s.Epochs, s.SklearnEpochs)
	// The history bound, for the epochs of the networks that will train:
	// sklearn's -sklearn-epochs, every other's -epochs.
	for _, n := range s.Networks {
		flag, epochs := "epochs", s.Epochs
		if n == "sklearn" {
			flag, epochs = "sklearn-epochs", s.SklearnEpochs
		}
		if err := rbm.CheckHistoryEpochs(epochs, len(s.Layers)); err != nil {
			return &SettingError{Flag: flag, Err: fmt.Errorf("-%s%s", flag, strings.TrimPrefix(err.Error(), "-epochs"))}
		}
	}
	if err := mem(rbm.EstimateTrainBytes(s.N, false, sizes, cfg),
		fmt.Sprintf("-layers %v on -n %d samples of %dx%d", s.Layers, s.N, s.L, s.L)); err != nil {
		return &SettingError{Flag: "layers", Err: err}
	}
	n := max(s.N, s.TestN)
	if s.EvalSamples > 0 {
		n = min(n, s.EvalSamples)
	}
	steps := s.AISSteps[0] + s.AISSteps[1] + s.AISSteps[2]
	if err := mem(rbm.EstimateEvalBytes(n, sizes, s.AISRuns, steps),
		fmt.Sprintf("-ais-runs %d and -layers %v on %d samples", s.AISRuns, s.Layers, n)); err != nil {
		return &SettingError{Flag: "ais-runs", Err: err}
	}
	return nil
}

// CheckSampleMemory refuses sampling n L x L configurations with replicas
// chains (0: automatic) when the samples and lattices would pass the
// sampler's bitlattice.MaxBytes, or they and the pilot's scratch
// (bitlattice.Memory.Peak) what this process can get (sysmem.Check). The message names -nFlag and -L, or, when the lattices
// dominate, -L and -replicas if it was given (replicas > 0), else -L and
// -nFlag; past the sampler's limit it says the largest L it allows there
// ("-L 32768 with -n 1: need about 68 GiB ...; at -n 1, L is at most 11495").
func CheckSampleMemory(nFlag string, L, n, replicas int) error {
	return checkSampleMemory(nFlag, L, n, replicas, sysmem.Check)
}

// checkSampleMemory is CheckSampleMemory with the memory checked by mem
// after the sampler's limit.
func checkSampleMemory(nFlag string, L, n, replicas int, mem func(need float64, what string) error) error {
	m := bitlattice.MemoryEstimate(L, n, replicas)
	what := fmt.Sprintf("-%s %d -L %d", nFlag, n, L)
	switch {
	case m.Lattices > m.Samples && replicas > 0:
		what = fmt.Sprintf("-replicas %d -L %d", replicas, L)
	case m.Lattices > m.Samples:
		what = fmt.Sprintf("-L %d with -%s %d (automatic replicas: %d)", L, nFlag, n, m.Replicas)
	}
	if m.Total() > bitlattice.MaxBytes {
		at := fmt.Sprintf("-%s %d", nFlag, n)
		if replicas > 0 {
			at += fmt.Sprintf(" -replicas %d", replicas)
		}
		return fmt.Errorf("%s: need about %s of samples and lattices, more than the sampler's %s; lower them (at %s, L is at most %d)",
			what, sysmem.Format(m.Total()), sysmem.Format(bitlattice.MaxBytes), at, maxSampleL(n, replicas))
	}
	return mem(m.Peak(), what)
}

// maxSampleL is the largest L whose samples and lattices (n samples,
// replicas chains, 0: automatic) fit in the sampler's bitlattice.MaxBytes.
func maxSampleL(n, replicas int) int {
	perSite := bitlattice.MemoryEstimate(1, n, replicas).Total() // bytes per site
	L := int(math.Sqrt(bitlattice.MaxBytes / perSite))
	for L > 0 && bitlattice.MemoryEstimate(L, n, replicas).Total() > bitlattice.MaxBytes {
		L--
	}
	for bitlattice.MemoryEstimate(L+1, n, replicas).Total() <= bitlattice.MaxBytes {
		L++
	}
	return L
}

// MaxEquilibrate bounds the sampler's minimum equilibration sweeps (more
// would take days).
const MaxEquilibrate = 100_000_000

// SampleParams is the flag table of the sampler's options (all of
// bitlattice.Options but the coupling K, which is a list), as `isingrbm
// sample` takes them; CheckSampleOptions checks what no single flag can.
func SampleParams() []param.Param[bitlattice.Options] {
	type O = bitlattice.Options
	return []param.Param[O]{
		param.IntParam("L", fmt.Sprintf("linear lattice size (L x L torus), %d..%d, as long as the samples and lattices fit in the sampler's %s (n L^2 bytes, and L^2/4 for each of at least 256 chains): L <= %d at -n 1, %d at -n 20000",
			bitlattice.MinSampleL, bitlattice.MaxSampleL, sysmem.Format(bitlattice.MaxBytes), maxSampleL(1, 0), maxSampleL(20000, 0)),
			bitlattice.MinSampleL, bitlattice.MaxSampleL, "the sampler's chain is not ergodic below 4", func(o *O) *int { return &o.L }),
		param.IntParam("n", "number of configurations per coupling", 1, math.MaxInt, "samples per coupling", func(o *O) *int { return &o.N }),
		param.SeedParam("seed", "random seed (same seed, same samples; one coupling's chains start from it, as replicate's do, so summary.json's data seeds reproduce its data; with several couplings each one's chains start from a seed hashed from it and K, so their files are independent; held-out data needs another seed: a smaller -n gives the first samples of a larger one)", func(o *O) *uint64 { return &o.Seed }),
		generatorParam(fmt.Sprintf("Metropolis update streams: %s (about 1.5x faster with AVX2, 1.1-1.2x with AVX-512, on a Zen 5) or %s (the streams of samples made before this default); same seed and generator, same samples",
			ising.SFC64, ising.Xoshiro256pp), func(o *O) *ising.Generator { return &o.Generator }),
		param.IntParam("threads", "worker threads (0: all cores)", 0, rbm.MaxThreads, "0: all cores", func(o *O) *int { return &o.Threads }),
		param.IntParam("replicas", "independent replicas to simulate, at most -n (0: automatic)", 0, math.MaxInt, "0: automatic",
			func(o *O) *int { return &o.Replicas }),
		param.IntParam("equilibration", fmt.Sprintf("minimum equilibration sweeps, at most %d (0: automatic, from tau_int)", MaxEquilibrate),
			0, MaxEquilibrate, "0: automatic", func(o *O) *int { return &o.MinEquilibration }),
	}
}

// generatorParam is the -rng flag of the sampler's update streams.
func generatorParam[T any](usage string, field func(*T) *ising.Generator) param.Param[T] {
	return param.Param[T]{Name: "rng", Usage: usage,
		Get: func(c *T) string { return field(c).String() },
		Set: func(c *T, s string) error {
			g, err := ising.ParseGenerator(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("-rng %s: want %s or %s", s, ising.Xoshiro256pp, ising.SFC64)
			}
			*field(c) = g
			return nil
		}}
}

// DefaultSampleOptions are the sample command's defaults: the paper's
// lattice (L = 40) and sample count (20,000), seed 1, and SFC64 streams,
// the faster ones (bitlattice.Options' zero value, and -rng xoshiro256++,
// give the xoshiro256++ streams that samples made before this default
// used).
func DefaultSampleOptions() bitlattice.Options {
	return bitlattice.Options{L: 40, N: 20000, Seed: 1, Generator: ising.SFC64}
}

// CheckSampleOptions checks what the table's flags cannot alone: at most
// one replica per sample, and the memory of the samples and lattices.
func CheckSampleOptions(o bitlattice.Options) error {
	if err := param.CheckInt("replicas", o.Replicas, 0, o.N, "0: automatic; at most one chain per sample"); err != nil {
		return err
	}
	return CheckSampleMemory("n", o.L, o.N, o.Replicas)
}
