package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"github.com/isingrbm/isingrbm/core/rbm"
)

// recipeFlags holds the training-recipe flags of train; apply copies the
// explicitly given ones onto a Config.
type recipeFlags struct {
	epochs, batch, cd, momentumSwitch   *int
	lr, l1, l2, initSigma, validation   *float64
	momentum, nextLayer, l1Mode, vbias  *string
	pcd, shuffle, sampleVisibles        *bool
	seed                                *uint64
	threads, monitorRows, snapshotEvery *int
}

func addRecipeFlags(fs *flag.FlagSet, def rbm.Config) *recipeFlags {
	r := &recipeFlags{}
	r.epochs = fs.Int("epochs", def.Epochs, fmt.Sprintf("passes over the data per layer, 0..%d", maxEpochs))
	r.batch = fs.Int("batch", def.Batch, "mini-batch rows (and persistent chains with -pcd), at most the samples")
	r.lr = fs.Float64("lr", shortFloat(def.LR), "learning rate of weights and biases (a normal float32 > 0)")
	r.momentum = fs.String("momentum", fmt.Sprintf("%g,%g", def.MomentumInitial, def.MomentumFinal), "momentum: initial,final (or one value)")
	r.momentumSwitch = fs.Int("momentum-switch", def.MomentumSwitch, "epoch (from 0) at which the final momentum starts")
	r.l1 = fs.Float64("l1", shortFloat(def.L1), "L1 penalty on the weights")
	r.l2 = fs.Float64("l2", shortFloat(def.L2), "L2 penalty (weight decay) on the weights")
	r.l1Mode = fs.String("l1-mode", "sign", "how L1 is applied: sign (subgradient) or proximal (soft threshold)")
	r.cd = fs.Int("cd", def.CDK, fmt.Sprintf("Gibbs steps k of CD-k, 1..%d", maxCDK))
	r.pcd = fs.Bool("pcd", def.PCD, "persistent contrastive divergence (chains kept across mini-batches)")
	r.sampleVisibles = fs.Bool("sample-visibles", def.SampleVisibles, "binary samples (not probabilities) as the final reconstructed visibles")
	r.initSigma = fs.Float64("init-sigma", shortFloat(def.InitSigma), "initial weights ~ init-sigma * N(0,1)")
	r.vbias = fs.String("visible-bias", "zero", "initial visible biases: zero or logodds (of the data's unit means)")
	r.shuffle = fs.Bool("shuffle", def.Shuffle, "reshuffle mini-batches every epoch")
	r.validation = fs.Float64("validation", def.ValidationFraction, "fraction of samples held out and monitored each epoch")
	r.monitorRows = fs.Int("monitor-rows", def.MonitorRows, "samples the per-epoch measures use (0: all)")
	r.snapshotEvery = fs.Int("snapshot-every", def.SnapshotEvery, "keep a copy of W every N epochs in the model file (0: none)")
	r.nextLayer = fs.String("next-layer", "probabilities", "input of each upper layer: probabilities or samples (of the hidden units below)")
	r.seed = fs.Uint64("seed", 1, "random seed (same seed, same model)")
	r.threads = fs.Int("threads", 0, "worker threads (0: all cores); resume with the same value")
	return r
}

// apply sets the fields of cfg whose flags were given explicitly (set) and
// checks each value, naming its flag.
func (r *recipeFlags) apply(cfg *rbm.Config, set map[string]bool) error {
	ints := []struct {
		rule intRule
		dst  *int
	}{
		{intRule{"epochs", *r.epochs, 0, maxEpochs, ""}, &cfg.Epochs},
		{intRule{"batch", *r.batch, 1, maxIntFlag, "rows per mini-batch"}, &cfg.Batch}, // at most the samples: trainPlan.checkData
		{intRule{"momentum-switch", *r.momentumSwitch, 0, maxIntFlag, "an epoch"}, &cfg.MomentumSwitch},
		{intRule{"cd", *r.cd, 1, maxCDK, "Gibbs steps"}, &cfg.CDK},
		{intRule{"monitor-rows", *r.monitorRows, 0, maxIntFlag, "0: all"}, &cfg.MonitorRows},
		{intRule{"snapshot-every", *r.snapshotEvery, 0, maxEpochs, "0: none"}, &cfg.SnapshotEvery},
		{intRule{"threads", *r.threads, 0, maxThreads, "0: all cores"}, &cfg.Threads},
	}
	for _, c := range ints {
		if set[c.rule.name] {
			if err := checkInts(c.rule); err != nil {
				return err
			}
			*c.dst = c.rule.v
		}
	}
	floats := []struct {
		name   string
		v      float64
		zeroOK bool
		dst    *float32
	}{
		{"lr", *r.lr, false, &cfg.LR}, {"l1", *r.l1, true, &cfg.L1},
		{"l2", *r.l2, true, &cfg.L2}, {"init-sigma", *r.initSigma, true, &cfg.InitSigma},
	}
	for _, c := range floats {
		if set[c.name] {
			v, err := float32Flag(c.name, c.v, c.zeroOK)
			if err != nil {
				return err
			}
			*c.dst = v
		}
	}
	return r.applyOthers(cfg, set)
}

// applyOthers applies the choice, boolean and remaining flags for apply.
func (r *recipeFlags) applyOthers(cfg *rbm.Config, set map[string]bool) error {
	choices := []struct {
		name, no, yes string
		v             *string
		dst           *bool
	}{
		{"l1-mode", "sign", "proximal", r.l1Mode, &cfg.L1Proximal},
		{"visible-bias", "zero", "logodds", r.vbias, &cfg.VisibleBiasLogOdds},
		{"next-layer", "probabilities", "samples", r.nextLayer, &cfg.NextLayerSamples},
	}
	for _, c := range choices {
		if !set[c.name] {
			continue
		}
		if *c.v != c.no && *c.v != c.yes {
			return badInput("-%s %s: want %s or %s", c.name, *c.v, c.no, c.yes)
		}
		*c.dst = *c.v == c.yes
	}
	for name, b := range map[string]struct{ v, dst *bool }{
		"pcd": {r.pcd, &cfg.PCD}, "sample-visibles": {r.sampleVisibles, &cfg.SampleVisibles}, "shuffle": {r.shuffle, &cfg.Shuffle},
	} {
		if set[name] {
			*b.dst = *b.v
		}
	}
	if set["momentum"] {
		a, b, err := parseMomentum(*r.momentum)
		if err != nil {
			return err
		}
		cfg.MomentumInitial, cfg.MomentumFinal = a, b
	}
	if set["validation"] {
		if !(*r.validation >= 0 && *r.validation < 1) {
			return badInput("-validation %v: want a fraction in [0, 1)", *r.validation)
		}
		cfg.ValidationFraction = *r.validation
	}
	if set["seed"] {
		cfg.Seed = *r.seed
	}
	return nil
}

// shortFloat widens a float32 to the float64 with the same shortest decimal
// form, so that flag defaults print as 0.1, not 0.10000000149011612.
func shortFloat(x float32) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	return v
}

// contextWithCancel is context.WithCancel (named so train reads plainly).
func contextWithCancel(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithCancel(ctx)
}
