package rbm

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/isingrbm/isingrbm/core/param"
)

// Bounds of the sizes a command line may ask for; beyond them a run would
// take days or more memory than any machine has.
const (
	MaxUnits    = 1 << 20 // units of one layer
	MaxLayers   = 64
	MaxCDK      = 100_000
	MaxThreads  = 4096
	MaxAISSteps = 10_000_000
)

// Bounds of the float hyper-parameters of a recipe (train's flags and a
// resumed checkpoint). The presets use lr 0.1, init-sigma 0.1 or 0.01 and
// penalties 2e-4 (public replications up to 1e-2); each bound is 100 times
// the largest of these or more. The gradient of a weight is a mean over
// the mini-batch of differences of products of values in [0, 1], so at
// most 1: beyond these bounds a run learns nothing, and larger values were
// only caught once they had blown the parameters up (ErrDiverged).
const (
	MaxLR        = 10 // one step moves a weight by up to lr, 1/(1-momentum) times that with momentum
	MaxInitSigma = 10 // from about 1 on, most first sigmoids of a 1600-spin layer start saturated
	MaxPenalty   = 1  // L1 or L2: at 1 the penalty's pull on a weight of 1 matches the data's largest
)

// Why the bounds are where they are, in messages.
const (
	maxLRWhy        = "the presets use 0.1; a weight's gradient is at most 1, so one step moves it by up to lr"
	maxInitSigmaWhy = "the presets use 0.1 and 0.01; from about 1 on, most first sigmoids of a 1600-spin layer start saturated"
	maxPenaltyWhy   = "the presets use 2e-4; at 1 the penalty's pull on a weight of 1 matches the largest gradient of the data"
	momentumWhy     = "the presets use 0.5, then 0.9; at 1 the velocity would keep every past step at full weight for ever"
	validationWhy   = "the share of the samples held out; at 1 none would be left to train on"
	slideWhy        = "the share of the distance to the batch's mean that the offsets move each step; Melchior et al. use 0.01, and at 1 they are the batch's mean"
)

// The bounds of the float settings of ConfigParams: -lr, -init-sigma, -l1
// and -l2, each value of -momentum, -validation, -center-slide.
var (
	lrBounds         = param.Bounds{Lo: 0, LoOpen: true, Hi: MaxLR, Why: maxLRWhy}
	initSigmaBounds  = param.Bounds{Lo: 0, Hi: MaxInitSigma, Why: maxInitSigmaWhy}
	penaltyBounds    = param.Bounds{Lo: 0, Hi: MaxPenalty, Why: maxPenaltyWhy}
	momentumBounds   = param.Bounds{Lo: 0, Hi: 1, HiOpen: true, Why: momentumWhy}
	validationBounds = param.Bounds{Lo: 0, Hi: 1, HiOpen: true, Why: validationWhy}
	slideBounds      = param.Bounds{Lo: 0, Hi: 1, Why: slideWhy}
)

// settingError is the error of a ConfigParams entry's Set, and so of
// Validate for that setting: the flag's message, and the flag, by which a
// checkpoint's message names the JSON field (configFields).
type settingError struct {
	flag string
	err  error
}

func (e *settingError) Error() string { return e.err.Error() }
func (e *settingError) Unwrap() error { return e.err }

// ConfigParams lists the settings of the training recipe a command line
// may set (train's flags), in the order they are applied and checked.
// Their errors are the flags' messages ("-lr 20: want ...").
func ConfigParams() []param.Param[Config] {
	ps := configParams()
	for i := range ps {
		set, flag := ps[i].Set, ps[i].Name
		ps[i].Set = func(c *Config, s string) error {
			if err := set(c, s); err != nil {
				return &settingError{flag: flag, err: err}
			}
			return nil
		}
	}
	return ps
}

// configParams is the table of ConfigParams, whose errors do not yet name
// their setting.
func configParams() []param.Param[Config] {
	type P = param.Param[Config]
	return []P{
		param.IntParam("epochs", fmt.Sprintf("passes over the data per layer, 0..%d", MaxEpochs), 0, MaxEpochs, "", func(c *Config) *int { return &c.Epochs }),
		// At most the samples: checked against the data.
		param.IntParam("batch", "mini-batch rows (and persistent chains with -pcd), at most the samples", 1, math.MaxInt, "rows per mini-batch", func(c *Config) *int { return &c.Batch }),
		param.Float32Param("lr", fmt.Sprintf("learning rate of weights and biases, in %v", lrBounds), lrBounds, func(c *Config) *float32 { return &c.LR }),
		param.ChoiceParam("lr-decay", "learning rate over each layer's epochs: constant, or linear (lr * (epochs - e) / epochs in epoch e from 0, as persistent CD is usually run)",
			"constant", "linear", func(c *Config) *bool { return &c.LRLinearDecay }),
		{Name: "momentum", Usage: fmt.Sprintf("momentum: initial,final (or one value), each in %v", momentumBounds),
			Get: func(c *Config) string { return fmt.Sprintf("%g,%g", c.MomentumInitial, c.MomentumFinal) },
			Set: func(c *Config, s string) error {
				a, b, err := ParseMomentum(s)
				if err == nil {
					c.MomentumInitial, c.MomentumFinal = a, b
				}
				return err
			}},
		param.IntParam("momentum-switch", "epoch (from 0) at which the final momentum starts", 0, math.MaxInt, "an epoch", func(c *Config) *int { return &c.MomentumSwitch }),
		param.Float32Param("l1", fmt.Sprintf("L1 penalty on the weights, in %v", penaltyBounds), penaltyBounds, func(c *Config) *float32 { return &c.L1 }),
		param.Float32Param("l2", fmt.Sprintf("L2 penalty (weight decay) on the weights, in %v", penaltyBounds), penaltyBounds, func(c *Config) *float32 { return &c.L2 }),
		param.ChoiceParam("l1-mode", "how L1 is applied: sign (subgradient) or proximal (soft threshold)", "sign", "proximal", func(c *Config) *bool { return &c.L1Proximal }),
		param.IntParam("cd", fmt.Sprintf("Gibbs steps k of CD-k, 1..%d", MaxCDK), 1, MaxCDK, "Gibbs steps", func(c *Config) *int { return &c.CDK }),
		param.BoolParam("pcd", "persistent contrastive divergence (chains kept across mini-batches; their visible step keeps probabilities unless -sample-visibles, which makes them Gibbs chains of the model)", func(c *Config) *bool { return &c.PCD }),
		param.BoolParam("flip-move", "after each Gibbs step of the negative phase, propose to flip every visible unit of each chain (v -> 1 - v), accepted with probability min(1, exp(F(v) - F(1-v))): the chains then cross between the two ordered states of Ising data below T_c", func(c *Config) *bool { return &c.FlipMove }),
		param.BoolParam("sample-visibles", "binary samples (not probabilities) as the final reconstructed visibles (with -pcd: Gibbs chains of the model, as scikit-learn runs them)", func(c *Config) *bool { return &c.SampleVisibles }),
		param.BoolParam("center", "train the centered RBM (offsets: the mean of each layer's input, 1/2 for the hiddens); the model saved is the same distribution as a plain RBM", func(c *Config) *bool { return &c.Center }),
		param.Float32Param("center-slide", fmt.Sprintf("with -center, the hidden offsets follow the running mean of the data's p(h|v): after each step they move this share of the way to the batch's mean, from 1/2 (Melchior, Fischer & Wiskott's sliding factor, 0.01); 0 keeps them at 1/2; in %v", slideBounds), slideBounds, func(c *Config) *float32 { return &c.CenterSlide }),
		param.Float32Param("init-sigma", fmt.Sprintf("initial weights ~ init-sigma * N(0,1), init-sigma in %v", initSigmaBounds), initSigmaBounds, func(c *Config) *float32 { return &c.InitSigma }),
		param.ChoiceParam("visible-bias", "initial visible biases: zero or logodds (of the data's unit means)", "zero", "logodds", func(c *Config) *bool { return &c.VisibleBiasLogOdds }),
		param.BoolParam("shuffle", "reshuffle mini-batches every epoch", func(c *Config) *bool { return &c.Shuffle }),
		param.Float64Param("validation", fmt.Sprintf("fraction of samples held out and monitored each epoch, in %v", validationBounds), validationBounds, func(c *Config) *float64 { return &c.ValidationFraction }),
		param.IntParam("monitor-rows", "samples the per-epoch measures use (0: all)", 0, math.MaxInt, "0: all", func(c *Config) *int { return &c.MonitorRows }),
		param.IntParam("snapshot-every", "keep a copy of W and c every N epochs in the model file (0: none)", 0, MaxEpochs, "0: none", func(c *Config) *int { return &c.SnapshotEvery }),
		param.ChoiceParam("next-layer", "input of each upper layer: probabilities or samples (of the hidden units below)", "probabilities", "samples", func(c *Config) *bool { return &c.NextLayerSamples }),
		param.SeedParam("seed", "random seed (same seed, same model)", func(c *Config) *uint64 { return &c.Seed }),
		param.IntParam("threads", "worker threads (0: all cores); resume with the same value", 0, MaxThreads, "0: all cores", func(c *Config) *int { return &c.Threads }),
	}
}

// ParseMomentum reads -momentum: "0.5,0.9" (initial, final) or one value
// for both, each in [0, 1) and 0 or a normal float32 (param.Float32s).
func ParseMomentum(s string) (float32, float32, error) {
	v, err := param.Float32s("momentum", s, 2, momentumBounds)
	if err != nil {
		return 0, 0, err
	}
	return v[0], v[len(v)-1], nil
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
func EvalParams() []param.Param[EvalOptions] {
	type E = EvalOptions
	return []param.Param[E]{
		param.IntParam("ais-runs", fmt.Sprintf("annealed importance sampling runs of each of the two paths, 2..%d (layers too large for exact log Z)", MaxAISRuns), 2, MaxAISRuns, "", func(e *E) *int { return &e.AISRuns }),
		{Name: "ais-steps", Usage: "AIS schedule of the path from the data: steps on [0,0.5],[0.5,0.9],[0.9,1], or one total split 1:4:10 (the path from the model's biases spaces as many evenly)",
			Get: func(e *E) string { return fmt.Sprintf("%d,%d,%d", e.AISSteps[0], e.AISSteps[1], e.AISSteps[2]) },
			Set: func(e *E, s string) error {
				steps, err := ParseAISSteps("ais-steps", s)
				if err == nil {
					e.AISSteps = steps
				}
				return err
			}},
		param.IntParam("raise", fmt.Sprintf("also estimate layer 1's log-likelihood by reverse AIS (RAISE) from this many of its samples, 0..%d, one chain each on the -ais-steps schedule (0: not): it errs low where chains from the data mix, and lands above AIS where the model has mass they never reach", MaxRAISESamples), 0, MaxRAISESamples, "0: not", func(e *E) *int { return &e.RAISESamples }),
		param.SeedParam("seed", "seed of AIS, RAISE, the pseudo-likelihood's flips and -max-samples", func(e *E) *uint64 { return &e.Seed }),
		param.IntParam("threads", "worker threads (0: all cores)", 0, MaxThreads, "0: all cores", func(e *E) *int { return &e.Threads }),
	}
}
