package rbm

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Param is one setting of a config type T (Config here, replicate.Settings
// for the replication) that a command line sets by name: the flag name, its
// help, the value of a config as text (for help and round trips) and Set,
// which parses and checks a value and stores it. Set's errors name the flag
// and what was expected ("-cd 0: want 1..100000 (Gibbs steps)"). One table
// serves every command that takes the setting.
type Param[T any] struct {
	Name, Usage string
	Bool        bool // a flag without a value (-pcd means -pcd=true)
	Get         func(c *T) string
	Set         func(c *T, v string) error
}

// Bounds of the sizes a command line may ask for; beyond them a run would
// take days or more memory than any machine has.
const (
	MaxUnits    = 1 << 20 // units of one layer
	MaxLayers   = 64
	MaxCDK      = 100_000
	MaxThreads  = 4096
	MaxAISSteps = 10_000_000
)

// CheckInt requires v, given to flag -name, to lie in [lo, hi]; why, when
// not empty, explains the bound ("-cd 0: want 1..100000 (Gibbs steps)").
func CheckInt(name string, v, lo, hi int, why string) error {
	if v >= lo && v <= hi {
		return nil
	}
	want := fmt.Sprintf("want %d..%d", lo, hi)
	if hi == math.MaxInt {
		want = fmt.Sprintf("want >= %d", lo)
	}
	if why != "" {
		want += " (" + why + ")"
	}
	return fmt.Errorf("-%s %d: %s", name, v, want)
}

// IntParam is a Param of an int field that must lie in [lo, hi].
func IntParam[T any](name, usage string, lo, hi int, why string, field func(*T) *int) Param[T] {
	return Param[T]{Name: name, Usage: usage,
		Get: func(c *T) string { return strconv.Itoa(*field(c)) },
		Set: func(c *T, s string) error {
			v, err := strconv.ParseInt(strings.TrimSpace(s), 0, strconv.IntSize)
			if err != nil {
				return fmt.Errorf("-%s %s: want an integer", name, s)
			}
			if err := CheckInt(name, int(v), lo, hi, why); err != nil {
				return err
			}
			*field(c) = int(v)
			return nil
		}}
}

// BoolParam is a Param of a bool field.
func BoolParam[T any](name, usage string, field func(*T) *bool) Param[T] {
	return Param[T]{Name: name, Usage: usage, Bool: true,
		Get: func(c *T) string { return strconv.FormatBool(*field(c)) },
		Set: func(c *T, s string) error {
			v, err := strconv.ParseBool(s)
			if err != nil {
				return fmt.Errorf("-%s %s: want true or false", name, s)
			}
			*field(c) = v
			return nil
		}}
}

// ChoiceParam is a Param of a bool field set by one of two words: no
// (false) or yes (true).
func ChoiceParam[T any](name, usage, no, yes string, field func(*T) *bool) Param[T] {
	return Param[T]{Name: name, Usage: usage,
		Get: func(c *T) string { return map[bool]string{false: no, true: yes}[*field(c)] },
		Set: func(c *T, s string) error {
			if s != no && s != yes {
				return fmt.Errorf("-%s %s: want %s or %s", name, s, no, yes)
			}
			*field(c) = s == yes
			return nil
		}}
}

// Float32 checks a value given to flag -name that is used as a float32:
// finite, >= 0 (or > 0 unless zeroOK), and, when not zero, a normal float32
// (a subnormal or smaller value would round to 0 or lose its precision).
func Float32(name string, v float64, zeroOK bool) (float32, error) {
	want := "want a finite value > 0"
	if zeroOK {
		want = "want a finite value >= 0"
	}
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v == 0 && !zeroOK:
		return 0, fmt.Errorf("-%s %v: %s", name, v, want)
	case v != 0 && v < 0x1p-126:
		return 0, fmt.Errorf("-%s %v: below the smallest normal float32 (%.4g), where it would round to 0 or lose precision; %s", name, v, 0x1p-126, want)
	case v > math.MaxFloat32:
		return 0, fmt.Errorf("-%s %v: above the largest float32 (%.4g)", name, v, math.MaxFloat32)
	}
	return float32(v), nil
}

// float32Param is a Param of a float32 field (see Float32).
func float32Param(name, usage string, zeroOK bool, field func(*Config) *float32) Param[Config] {
	return Param[Config]{Name: name, Usage: usage,
		Get: func(c *Config) string { return strconv.FormatFloat(float64(*field(c)), 'g', -1, 32) },
		Set: func(c *Config, s string) error {
			x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return fmt.Errorf("-%s %s: want a number", name, s)
			}
			v, err := Float32(name, x, zeroOK)
			if err == nil {
				*field(c) = v
			}
			return err
		}}
}

// ConfigParams lists the settings of the training recipe a command line
// may set (train's flags), in the order they are applied and checked.
func ConfigParams() []Param[Config] {
	type P = Param[Config]
	return []P{
		IntParam("epochs", fmt.Sprintf("passes over the data per layer, 0..%d", MaxEpochs), 0, MaxEpochs, "", func(c *Config) *int { return &c.Epochs }),
		// At most the samples: checked against the data.
		IntParam("batch", "mini-batch rows (and persistent chains with -pcd), at most the samples", 1, math.MaxInt, "rows per mini-batch", func(c *Config) *int { return &c.Batch }),
		float32Param("lr", "learning rate of weights and biases (a normal float32 > 0)", false, func(c *Config) *float32 { return &c.LR }),
		{Name: "momentum", Usage: "momentum: initial,final (or one value)",
			Get: func(c *Config) string { return fmt.Sprintf("%g,%g", c.MomentumInitial, c.MomentumFinal) },
			Set: func(c *Config, s string) error {
				a, b, err := ParseMomentum(s)
				if err == nil {
					c.MomentumInitial, c.MomentumFinal = a, b
				}
				return err
			}},
		IntParam("momentum-switch", "epoch (from 0) at which the final momentum starts", 0, math.MaxInt, "an epoch", func(c *Config) *int { return &c.MomentumSwitch }),
		float32Param("l1", "L1 penalty on the weights", true, func(c *Config) *float32 { return &c.L1 }),
		float32Param("l2", "L2 penalty (weight decay) on the weights", true, func(c *Config) *float32 { return &c.L2 }),
		ChoiceParam("l1-mode", "how L1 is applied: sign (subgradient) or proximal (soft threshold)", "sign", "proximal", func(c *Config) *bool { return &c.L1Proximal }),
		IntParam("cd", fmt.Sprintf("Gibbs steps k of CD-k, 1..%d", MaxCDK), 1, MaxCDK, "Gibbs steps", func(c *Config) *int { return &c.CDK }),
		BoolParam("pcd", "persistent contrastive divergence (chains kept across mini-batches)", func(c *Config) *bool { return &c.PCD }),
		BoolParam("sample-visibles", "binary samples (not probabilities) as the final reconstructed visibles", func(c *Config) *bool { return &c.SampleVisibles }),
		float32Param("init-sigma", "initial weights ~ init-sigma * N(0,1)", true, func(c *Config) *float32 { return &c.InitSigma }),
		ChoiceParam("visible-bias", "initial visible biases: zero or logodds (of the data's unit means)", "zero", "logodds", func(c *Config) *bool { return &c.VisibleBiasLogOdds }),
		BoolParam("shuffle", "reshuffle mini-batches every epoch", func(c *Config) *bool { return &c.Shuffle }),
		{Name: "validation", Usage: "fraction of samples held out and monitored each epoch",
			Get: func(c *Config) string { return strconv.FormatFloat(c.ValidationFraction, 'g', -1, 64) },
			Set: func(c *Config, s string) error {
				v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
				if err != nil || !(v >= 0 && v < 1) {
					return fmt.Errorf("-validation %s: want a fraction in [0, 1)", s)
				}
				c.ValidationFraction = v
				return nil
			}},
		IntParam("monitor-rows", "samples the per-epoch measures use (0: all)", 0, math.MaxInt, "0: all", func(c *Config) *int { return &c.MonitorRows }),
		IntParam("snapshot-every", "keep a copy of W every N epochs in the model file (0: none)", 0, MaxEpochs, "0: none", func(c *Config) *int { return &c.SnapshotEvery }),
		ChoiceParam("next-layer", "input of each upper layer: probabilities or samples (of the hidden units below)", "probabilities", "samples", func(c *Config) *bool { return &c.NextLayerSamples }),
		SeedParam("seed", "random seed (same seed, same model)", func(c *Config) *uint64 { return &c.Seed }),
		IntParam("threads", "worker threads (0: all cores); resume with the same value", 0, MaxThreads, "0: all cores", func(c *Config) *int { return &c.Threads }),
	}
}

// SeedParam is a Param of a uint64 seed.
func SeedParam[T any](name, usage string, field func(*T) *uint64) Param[T] {
	return Param[T]{Name: name, Usage: usage,
		Get: func(c *T) string { return strconv.FormatUint(*field(c), 10) },
		Set: func(c *T, s string) error {
			v, err := strconv.ParseUint(strings.TrimSpace(s), 0, 64)
			if err != nil {
				return fmt.Errorf("-%s %s: want an integer 0..%d", name, s, uint64(math.MaxUint64))
			}
			*field(c) = v
			return nil
		}}
}

// ParseMomentum reads -momentum: "0.5,0.9" (initial, final) or one value
// for both, each in [0, 1).
func ParseMomentum(s string) (float32, float32, error) {
	parts := strings.Split(s, ",")
	if len(parts) > 2 {
		return 0, 0, fmt.Errorf("-momentum %s: want one value or initial,final (e.g. 0.5,0.9)", s)
	}
	var v [2]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(x >= 0 && x < 1) {
			return 0, 0, fmt.Errorf("-momentum %s: want values in [0, 1)", s)
		}
		v[i] = x
	}
	if len(parts) == 1 {
		v[1] = v[0]
	}
	return float32(v[0]), float32(v[1]), nil
}

// ParseSizes reads the value of flag -name, a comma-separated list of
// layer sizes, each 1..MaxUnits, at most MaxLayers of them.
func ParseSizes(name, s string) ([]int, error) {
	fields := strings.Split(s, ",")
	if len(fields) > MaxLayers {
		return nil, fmt.Errorf("-%s: %d layers, want at most %d", name, len(fields), MaxLayers)
	}
	var out []int
	for _, f := range fields {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > MaxUnits {
			return nil, fmt.Errorf("-%s %s: want unit counts 1..%d separated by commas (e.g. 400,100,25), got %q", name, s, MaxUnits, strings.TrimSpace(f))
		}
		out = append(out, n)
	}
	return out, nil
}

// ParseAISSteps reads the value of flag -name, an AIS schedule:
// "500,4000,10000" (steps on [0,0.5], [0.5,0.9], [0.9,1]) or one total
// split 1:4:10 (SplitAISSteps). Each count is bounded before they are
// added, so no sum overflows; the sum is at most MaxAISSteps.
func ParseAISSteps(name, s string) ([3]int, error) {
	parts := strings.Split(s, ",")
	var n [3]int
	bad := fmt.Errorf("-%s %s: want one total (15..%d) or three counts for [0,0.5],[0.5,0.9],[0.9,1] (e.g. 500,4000,10000, the default) adding up to at most %d",
		name, s, MaxAISSteps, MaxAISSteps)
	if len(parts) != 1 && len(parts) != 3 {
		return [3]int{}, bad
	}
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 1 || v > MaxAISSteps {
			return [3]int{}, bad
		}
		n[i] = v
	}
	if len(parts) == 1 {
		if n[0] < 15 {
			return [3]int{}, bad
		}
		n = SplitAISSteps(n[0])
	}
	if n[0]+n[1]+n[2] > MaxAISSteps {
		return [3]int{}, bad
	}
	return n, nil
}

// DefaultEvalOptions are the eval command's defaults: 100 AIS runs of
// DefaultAISSteps, seed 1, every layer, all cores.
func DefaultEvalOptions() EvalOptions {
	return EvalOptions{AISRuns: 100, AISSteps: DefaultAISSteps(), Seed: 1}
}

// EvalParams lists the settings of an evaluation a command line may set
// (eval's flags besides the model, the data and the layers).
func EvalParams() []Param[EvalOptions] {
	type E = EvalOptions
	return []Param[E]{
		IntParam("ais-runs", fmt.Sprintf("annealed importance sampling runs, 2..%d (layers too large for exact log Z)", MaxAISRuns), 2, MaxAISRuns, "", func(e *E) *int { return &e.AISRuns }),
		{Name: "ais-steps", Usage: "AIS schedule: steps on [0,0.5],[0.5,0.9],[0.9,1], or one total split 1:4:10",
			Get: func(e *E) string { return fmt.Sprintf("%d,%d,%d", e.AISSteps[0], e.AISSteps[1], e.AISSteps[2]) },
			Set: func(e *E, s string) error {
				steps, err := ParseAISSteps("ais-steps", s)
				if err == nil {
					e.AISSteps = steps
				}
				return err
			}},
		SeedParam("seed", "seed of AIS, the pseudo-likelihood's flips and -max-samples", func(e *E) *uint64 { return &e.Seed }),
		IntParam("threads", "worker threads (0: all cores)", 0, MaxThreads, "0: all cores", func(e *E) *int { return &e.Threads }),
	}
}

// AddFlags registers one flag per setting of ps into fs (one table, several
// commands); def, when not nil, gives the defaults that -h shows. The flags
// keep their text: ApplyFlags parses and checks it after fs.Parse.
func AddFlags[T any](fs *flag.FlagSet, ps []Param[T], def *T) {
	for _, p := range ps {
		v := &textFlag{isBool: p.Bool}
		if def != nil && p.Get(def) != "0" && p.Get(def) != "false" {
			v.text = p.Get(def) // zeros are not shown, as the flag package does
		}
		fs.Var(v, p.Name, p.Usage)
	}
}

// ApplyFlags sets the fields of dst whose flags were given on the command
// line (registered by AddFlags), in the table's order; it returns the first
// value Set refuses.
func ApplyFlags[T any](fs *flag.FlagSet, ps []Param[T], dst *T) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, p := range ps {
		if set[p.Name] {
			if err := p.Set(dst, fs.Lookup(p.Name).Value.String()); err != nil {
				return err
			}
		}
	}
	return nil
}

// textFlag is a flag.Value that keeps its text for a Param to parse.
type textFlag struct {
	text   string
	isBool bool
}

func (v *textFlag) String() string {
	if v == nil {
		return ""
	}
	return v.text
}
func (v *textFlag) Set(s string) error { v.text = s; return nil }
func (v *textFlag) IsBoolFlag() bool   { return v.isBool }
