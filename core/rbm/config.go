package rbm

import (
	"fmt"
	"runtime"
	"sort"
)

// Config is the training recipe of one DBN: every layer is trained with it.
// The zero value is not usable; start from Preset.
type Config struct {
	Epochs int `json:"epochs"` // passes over the training data per layer
	Batch  int `json:"batch"`  // mini-batch rows (and PCD chains)
	CDK    int `json:"cd_k"`   // Gibbs steps of the negative phase (k of CD-k)
	// PCD keeps Batch persistent chains (their hidden states) across
	// mini-batches instead of starting each negative phase from the data.
	// Unless SampleVisibles is set, a chain's visible step keeps the
	// probabilities P(v|h) (h' is sampled from P(h|P(v|h))): a mean-field
	// visible step, so the chain is not a Gibbs chain of the model and its
	// stationary distribution is not the model's in general (the presets
	// mehta-schwab-pcd and weight-decay-pcd run it so, as bench/pcd
	// measured them); SampleVisibles makes it Tieleman's Gibbs chain, as
	// scikit-learn's BernoulliRBM runs it.
	PCD bool `json:"pcd"`
	// FlipMove adds to every Gibbs step of the negative phase (persistent
	// chains or CD's) a Metropolis-Hastings move between each chain's
	// visible state v and its mirror image 1 - v, accepted with
	// probability min(1, exp(F(v) - F(1 - v))) (F the free energy; the
	// proposal is its own inverse, so on 0/1 states the move leaves the
	// model's p(v) unchanged; on the P(v|h) probability vectors that CD's
	// last step keeps without SampleVisibles it is a heuristic, measured
	// in bench/pcd). Gibbs chains on Ising configurations below T_c do not
	// cross between the two ordered states, so nothing else weighs the
	// two states against each other: CD-1's chains keep the data's split,
	// persistent chains a split frozen early in training
	// (bench/pcd/RUN.md, "In the ordered phase").
	FlipMove bool    `json:"flip_move,omitempty"`
	LR       float32 `json:"learning_rate"` // for weights and biases
	// LRLinearDecay lowers the learning rate linearly over each layer's
	// epochs: LR * (Epochs - e) / Epochs in epoch e (from 0), LR in the
	// first and LR / Epochs in the last (Tieleman's persistent CD, ICML
	// 2008, decays to zero per update; this steps once per epoch, so a
	// resumed run takes the same steps). See LearningRate.
	LRLinearDecay bool `json:"lr_linear_decay,omitempty"`
	// Momentum is MomentumInitial for epochs [0, MomentumSwitch) (counted
	// from 0) and MomentumFinal afterwards; Hinton & Salakhutdinov use 0.5
	// for the first five epochs, then 0.9.
	MomentumInitial float32 `json:"momentum_initial"`
	MomentumFinal   float32 `json:"momentum_final"`
	MomentumSwitch  int     `json:"momentum_switch_epoch"`
	L1              float32 `json:"l1"` // penalty l1*sum|W| on the weights
	L2              float32 `json:"l2"` // penalty (l2/2)*sum W^2 on the weights
	// L1Proximal applies the L1 penalty as a soft-threshold after each step
	// (weights that cross zero stop at zero) instead of as a subgradient.
	L1Proximal bool    `json:"l1_proximal"`
	InitSigma  float32 `json:"init_sigma"` // W ~ InitSigma * N(0,1)
	// VisibleBiasLogOdds starts the visible biases at the log-odds of the
	// data's unit means instead of zero.
	VisibleBiasLogOdds bool `json:"visible_bias_log_odds"`
	// SampleVisibles makes the final reconstruction of the negative phase
	// binary samples (scikit-learn, and a true Gibbs chain) instead of
	// probabilities (Hinton & Salakhutdinov). Intermediate steps of CD-k
	// with k > 1 always sample.
	SampleVisibles bool `json:"sample_visibles"`
	Shuffle        bool `json:"shuffle"` // reshuffle mini-batches every epoch
	// ValidationFraction of the samples (seeded choice) is held out and
	// monitored each epoch.
	ValidationFraction float64 `json:"validation_fraction"`
	// MonitorRows bounds the number of training (and validation) samples
	// the per-epoch measures are computed on; 0 means all.
	MonitorRows int `json:"monitor_rows"`
	// SnapshotEvery N > 0 keeps a copy of W and c every N epochs (W0_epoch050,
	// c0_epoch050, ...).
	SnapshotEvery int `json:"snapshot_every"`
	// Center trains every layer as the centered RBM of Melchior, Fischer
	// and Wiskott (JMLR 17, 2016) with fixed offsets: energy
	// -(v-mu) W (h-lam) - b' v - c' h, with mu the mean of the layer's
	// training input and lam = 1/2. Its gradient in W is the plain one
	// less mu gc^T + gb lam^T (gb, gc the bias gradients), which the
	// plain RBM's gradient, dominated by the mean configuration, lacks.
	// The model saved is the same distribution in the plain RBM's
	// parameters: b = b' - lam W 1, c = c' - W^T mu.
	Center bool `json:"center,omitempty"`
	// CenterSlide > 0 lets the hidden offsets of Center follow the
	// running mean of the data's hidden probabilities, as Melchior,
	// Fischer and Wiskott's Algorithm 1 does: after each step every
	// lam_j moves CenterSlide of the way to the batch's mean p(h_j|v),
	// starting at 1/2, and b' moves by W (lam_new - lam) so that the model
	// is not changed by it (their sliding factor: 0.01). 0 keeps lam = 1/2.
	CenterSlide float32 `json:"center_slide,omitempty"`
	// NextLayerSamples trains each upper layer on sampled binary hidden
	// states of the layer below instead of its hidden probabilities.
	NextLayerSamples bool   `json:"next_layer_samples"`
	Seed             uint64 `json:"seed"`
	// Threads used by the products; 0 means runtime.GOMAXPROCS(0). Results
	// are identical for every thread count only if the kernels are; resume
	// with the same value.
	Threads int `json:"threads"`
	// CheckpointEvery N > 0 writes CheckpointPath every N epochs; a
	// checkpoint is also written when the context is cancelled (if
	// CheckpointPath is set).
	CheckpointEvery int    `json:"checkpoint_every"`
	CheckpointPath  string `json:"checkpoint_path"`
	// Preset names the preset the config started from (informational).
	Preset string `json:"preset"`
}

// Presets lists the names Preset accepts.
func Presets() []string {
	out := make([]string, 0, len(presets))
	for k := range presets {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var presets = map[string]func() Config{
	// Mehta & Schwab: Hinton & Salakhutdinov's code with an L1 penalty
	// 2e-4 in place of its L2 weight cost, 200 epochs.
	"mehta-schwab": func() Config {
		c := hintonDefaults()
		c.L1 = 2e-4
		return c
	},
	// Mehta & Schwab's recipe started from weights ten times smaller,
	// 0.01 N(0,1) (the paper does not report its initialization): fewer
	// units die in the first epoch, and the fields come out less local
	// (bench/deadunits/RESULTS.md).
	"mehta-schwab-small-init": func() Config {
		c := hintonDefaults()
		c.L1 = 2e-4
		c.InitSigma = 0.01
		return c
	},
	// Mehta & Schwab's recipe on the centered RBM (Config.Center): the
	// same start, rates, momentum and L1, but the mean configuration taken
	// out of the gradient, which in the plain RBM kills most units in the
	// first updates (bench/deadunits/FIRSTEPOCH.md).
	"mehta-schwab-centered": mehtaSchwabCentered,
	// mehta-schwab-centered with Melchior, Fischer and Wiskott's running
	// hidden offsets (Config.CenterSlide 0.01) in place of the fixed 1/2.
	"mehta-schwab-centered-running": func() Config {
		c := mehtaSchwabCentered()
		c.CenterSlide = 0.01
		return c
	},
	// Mehta & Schwab's recipe (L1 2e-4, batch 100, W ~ 0.1 N(0,1), 200
	// epochs) trained by persistent CD-1 with the step it needs on the
	// Ising configurations: lr 0.01, momentum 0.5 throughout, decayed
	// linearly over the epochs. At K = 0.408 it is the one recipe of
	// bench/pcd that ends far above independent units held out.
	"mehta-schwab-pcd": func() Config {
		c := pcdDefaults()
		c.L1 = 2e-4
		return c
	},
	// Mehta & Schwab's recipe with the flip move (Config.FlipMove) in its
	// negative phase: CD-1's chains may then cross to the mirror image of
	// their configuration, so the gradient weighs the two ordered states
	// of Ising data below T_c against each other (bench/pcd/RUN.md, "In
	// the ordered phase").
	"mehta-schwab-flip": func() Config {
		c := hintonDefaults()
		c.L1 = 2e-4
		c.FlipMove = true
		return c
	},
	// The same recipe with Hinton & Salakhutdinov's own L2 weight cost.
	"weight-decay": func() Config {
		c := hintonDefaults()
		c.L2 = 2e-4
		return c
	},
	// weight-decay on the centered RBM: with mehta-schwab-centered, it
	// asks whether the locality of the upper layers needs the L1 penalty.
	"weight-decay-centered": func() Config {
		c := hintonDefaults()
		c.L2 = 2e-4
		c.Center = true
		return c
	},
	// mehta-schwab-pcd with Hinton & Salakhutdinov's L2 weight cost 2e-4
	// in place of L1: with weight-decay it asks whether the persistent-CD
	// models' fit or their (lack of) locality depends on the L1 penalty.
	"weight-decay-pcd": func() Config {
		c := pcdDefaults()
		c.L2 = 2e-4
		return c
	},
	// scikit-learn's BernoulliRBM with its defaults: PCD-1 with chains per
	// batch row (hidden states kept, visibles sampled), lr 0.1 (divided by
	// the batch rows, for weights and both intercepts), batch 10, 10
	// iterations, W ~ 0.01 N(0,1), biases 0, no momentum, no
	// regularization, fixed batches in data order.
	"sklearn": func() Config {
		return Config{
			Epochs: 10, Batch: 10, CDK: 1, PCD: true, LR: 0.1,
			InitSigma: 0.01, SampleVisibles: true, Shuffle: false,
			ValidationFraction: 0.1, MonitorRows: 2000, Preset: "sklearn",
		}
	},
}

// mehtaSchwabCentered is the preset mehta-schwab-centered, which
// mehta-schwab-centered-running changes in its hidden offsets only.
func mehtaSchwabCentered() Config {
	c := hintonDefaults()
	c.L1 = 2e-4
	c.Center = true
	return c
}

// pcdDefaults are hintonDefaults trained by persistent CD-1 with the step
// it needs on the Ising configurations (bench/pcd): lr 0.01, momentum 0.5
// throughout, decayed linearly over the epochs. Their chains step through
// visible probabilities (SampleVisibles off: see Config.PCD).
func pcdDefaults() Config {
	c := hintonDefaults()
	c.PCD = true
	c.LR = 0.01
	c.MomentumInitial, c.MomentumFinal = 0.5, 0.5
	c.LRLinearDecay = true
	return c
}

func hintonDefaults() Config {
	return Config{
		Epochs: 200, Batch: 100, CDK: 1, LR: 0.1,
		MomentumInitial: 0.5, MomentumFinal: 0.9, MomentumSwitch: 5,
		InitSigma: 0.1, Shuffle: true, ValidationFraction: 0.1, MonitorRows: 2000,
	}
}

// Preset returns the named recipe (Presets lists them): "mehta-schwab" is
// the default of the replication.
func Preset(name string) (Config, error) {
	f, ok := presets[name]
	if !ok {
		return Config{}, fmt.Errorf("unknown preset %q, want one of %v", name, Presets())
	}
	c := f()
	c.Preset = name
	return c, nil
}

// LearningRate returns the learning rate of epoch (counted from 0): LR,
// or with LRLinearDecay LR * (Epochs - epoch) / Epochs, computed in
// float64 and rounded once.
func (c *Config) LearningRate(epoch int) float32 {
	if !c.LRLinearDecay || c.Epochs <= 0 {
		return c.LR
	}
	return float32(float64(c.LR) * float64(c.Epochs-epoch) / float64(c.Epochs))
}

// Momentum returns the momentum used in epoch (counted from 0).
func (c *Config) Momentum(epoch int) float32 {
	if epoch < c.MomentumSwitch {
		return c.MomentumInitial
	}
	return c.MomentumFinal
}

func (c *Config) threads() int {
	if c.Threads > 0 {
		return c.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// Validate reports the first setting out of range. Every setting that a
// flag of train sets is checked as that flag checks its value
// (ConfigParams, the one table of the bounds, so that the library refuses
// what the command line refuses, with the same message: "-lr 1e+30: want a
// number in (0, 10] (...)"); then the checkpointing, which has no such flag.
func (c *Config) Validate() error {
	check := *c
	for _, p := range ConfigParams() {
		if err := p.Set(&check, p.Get(c)); err != nil {
			return err
		}
	}
	switch {
	case c.CenterSlide > 0 && !c.Center:
		return fmt.Errorf("-center-slide %g: the hidden offsets of the centered RBM, want -center with it", c.CenterSlide)
	case c.CheckpointEvery < 0:
		return fmt.Errorf("checkpoint every %d, want >= 0", c.CheckpointEvery)
	case c.CheckpointEvery > 0 && c.CheckpointPath == "":
		return fmt.Errorf("checkpoint every %d epochs but no checkpoint path", c.CheckpointEvery)
	}
	return nil
}
