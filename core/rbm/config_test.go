package rbm

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// TestValidateBounds: the library (Config.Validate, and so TrainDBN)
// accepts each bound of train's flags and refuses what lies just beyond
// it, with the flag's message; a learning rate of 1e30, which Validate
// accepted, is refused before any training.
func TestValidateBounds(t *testing.T) {
	def, _ := Preset("mehta-schwab")
	up := func(x float32) float32 { return math.Nextafter32(x, float32(math.Inf(1))) }
	down := func(x float32) float32 { return math.Nextafter32(x, float32(math.Inf(-1))) }
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, c := range []struct {
		name string
		set  func(c *Config)
		want string // the start of the error; "" for none
	}{
		{"epochs 0", func(c *Config) { c.Epochs = 0 }, ""},
		{"epochs -1", func(c *Config) { c.Epochs = -1 }, "-epochs -1: want 0..1000000"},
		{"epochs max", func(c *Config) { c.Epochs = MaxEpochs }, ""},
		{"epochs max+1", func(c *Config) { c.Epochs = MaxEpochs + 1 }, "-epochs 1000001: want 0..1000000"},
		{"batch 1", func(c *Config) { c.Batch = 1 }, ""},
		{"batch 0", func(c *Config) { c.Batch = 0 }, "-batch 0: want >= 1"},
		{"cd 1", func(c *Config) { c.CDK = 1 }, ""},
		{"cd 0", func(c *Config) { c.CDK = 0 }, "-cd 0: want 1..100000"},
		{"cd max", func(c *Config) { c.CDK = MaxCDK }, ""},
		{"cd max+1", func(c *Config) { c.CDK = MaxCDK + 1 }, "-cd 100001: want 1..100000"},
		{"lr smallest normal", func(c *Config) { c.LR = 0x1p-126 }, ""},
		{"lr 0", func(c *Config) { c.LR = 0 }, "-lr 0: want a number in (0, 10] (the presets use 0.1"},
		{"lr subnormal", func(c *Config) { c.LR = down(0x1p-126) }, "-lr 1.1754942e-38: below the smallest normal float32"},
		{"lr max", func(c *Config) { c.LR = MaxLR }, ""},
		{"lr above max", func(c *Config) { c.LR = up(MaxLR) }, "-lr 10.000001: want a number in (0, 10]"},
		{"lr 1e30", func(c *Config) { c.LR = 1e30 }, "-lr 1e+30: want a number in (0, 10]"},
		{"lr NaN", func(c *Config) { c.LR = nan }, "-lr NaN: want a number in (0, 10]"},
		{"lr Inf", func(c *Config) { c.LR = inf }, "-lr +Inf: want a number in (0, 10]"},
		{"momentum 0", func(c *Config) { c.MomentumInitial, c.MomentumFinal = 0, 0 }, ""},
		{"momentum below 1", func(c *Config) { c.MomentumInitial, c.MomentumFinal = down(1), down(1) }, ""},
		{"momentum smallest normal", func(c *Config) { c.MomentumInitial, c.MomentumFinal = 0x1p-126, 0x1p-126 }, ""},
		{"momentum initial 1", func(c *Config) { c.MomentumInitial = 1 }, `-momentum 1,0.9: "1": want a number in [0, 1) (the presets use 0.5, then 0.9; `},
		{"momentum final 1", func(c *Config) { c.MomentumFinal = 1 }, `-momentum 0.5,1: "1": want a number in [0, 1) (the presets use 0.5`},
		{"momentum initial -0.1", func(c *Config) { c.MomentumInitial = -0.1 }, `-momentum -0.1,0.9: "-0.1": want a number in [0, 1)`},
		{"momentum final NaN", func(c *Config) { c.MomentumFinal = nan }, `-momentum 0.5,NaN: "NaN": want a number in [0, 1)`},
		{"momentum initial subnormal", func(c *Config) { c.MomentumInitial = 1e-40 }, `-momentum 1e-40,0.9: "1e-40": below the smallest normal float32 (1.175e-38), where it would round to 0 or lose precision; want a number in [0, 1)`},
		{"momentum final subnormal", func(c *Config) { c.MomentumFinal = down(0x1p-126) }, `-momentum 0.5,1.1754942e-38: "1.1754942e-38": below the smallest normal float32`},
		{"momentum-switch 0", func(c *Config) { c.MomentumSwitch = 0 }, ""},
		{"momentum-switch -1", func(c *Config) { c.MomentumSwitch = -1 }, "-momentum-switch -1: want >= 0"},
		{"l1 0", func(c *Config) { c.L1 = 0 }, ""},
		{"l1 max", func(c *Config) { c.L1 = MaxPenalty }, ""},
		{"l1 above max", func(c *Config) { c.L1 = up(MaxPenalty) }, "-l1 1.0000001: want a number in [0, 1] (the presets use 2e-4"},
		{"l1 negative", func(c *Config) { c.L1 = -1e-6 }, "-l1 -1e-06: want a number in [0, 1]"},
		{"l1 subnormal", func(c *Config) { c.L1 = 1e-40 }, "-l1 1e-40: below the smallest normal float32"},
		{"l2 0", func(c *Config) { c.L2 = 0 }, ""},
		{"l2 max", func(c *Config) { c.L2 = MaxPenalty }, ""},
		{"l2 above max", func(c *Config) { c.L2 = up(MaxPenalty) }, "-l2 1.0000001: want a number in [0, 1]"},
		{"l2 negative", func(c *Config) { c.L2 = -1 }, "-l2 -1: want a number in [0, 1]"},
		{"init-sigma 0", func(c *Config) { c.InitSigma = 0 }, ""},
		{"init-sigma max", func(c *Config) { c.InitSigma = MaxInitSigma }, ""},
		{"init-sigma above max", func(c *Config) { c.InitSigma = up(MaxInitSigma) }, "-init-sigma 10.000001: want a number in [0, 10] (the presets use 0.1 and 0.01"},
		{"init-sigma 1e30", func(c *Config) { c.InitSigma = 1e30 }, "-init-sigma 1e+30: want a number in [0, 10]"},
		{"init-sigma negative", func(c *Config) { c.InitSigma = -0.1 }, "-init-sigma -0.1: want a number in [0, 10]"},
		{"validation 0", func(c *Config) { c.ValidationFraction = 0 }, ""},
		{"validation below 1", func(c *Config) { c.ValidationFraction = math.Nextafter(1, 0) }, ""},
		{"validation smallest normal", func(c *Config) { c.ValidationFraction = 0x1p-1022 }, ""},
		{"validation 1", func(c *Config) { c.ValidationFraction = 1 }, "-validation 1: want a number in [0, 1) (the share of the samples held out; at 1 none would be left to train on)"},
		{"validation negative", func(c *Config) { c.ValidationFraction = -0.01 }, "-validation -0.01: want a number in [0, 1)"},
		{"validation NaN", func(c *Config) { c.ValidationFraction = math.NaN() }, "-validation NaN: want a number in [0, 1)"},
		{"validation subnormal", func(c *Config) { c.ValidationFraction = 1e-310 }, "-validation 1e-310: below the smallest normal float64 (2.225e-308), where it would round to 0 or lose precision; want a number in [0, 1)"},
		{"monitor-rows 0", func(c *Config) { c.MonitorRows = 0 }, ""},
		{"monitor-rows -1", func(c *Config) { c.MonitorRows = -1 }, "-monitor-rows -1: want >= 0"},
		{"snapshot-every 0", func(c *Config) { c.SnapshotEvery = 0 }, ""},
		{"snapshot-every max", func(c *Config) { c.SnapshotEvery = MaxEpochs }, ""},
		{"snapshot-every -1", func(c *Config) { c.SnapshotEvery = -1 }, "-snapshot-every -1: want 0..1000000"},
		{"snapshot-every max+1", func(c *Config) { c.SnapshotEvery = MaxEpochs + 1 }, "-snapshot-every 1000001: want 0..1000000"},
		{"threads 0", func(c *Config) { c.Threads = 0 }, ""},
		{"threads max", func(c *Config) { c.Threads = MaxThreads }, ""},
		{"threads -1", func(c *Config) { c.Threads = -1 }, "-threads -1: want 0..4096"},
		{"threads max+1", func(c *Config) { c.Threads = MaxThreads + 1 }, "-threads 4097: want 0..4096"},
		{"checkpoint-every -1", func(c *Config) { c.CheckpointEvery = -1 }, "checkpoint every -1, want >= 0"},
		{"checkpoint without path", func(c *Config) { c.CheckpointEvery = 1 }, "checkpoint every 1 epochs but no checkpoint path"},
		{"checkpoint with path", func(c *Config) { c.CheckpointEvery, c.CheckpointPath = 1, "x.ckpt" }, ""},
	} {
		cfg := def
		c.set(&cfg)
		err := cfg.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// Through TrainDBN: refused before any training.
	cfg := def
	cfg.LR, cfg.Epochs = 1e30, 1
	_, _, err := TrainDBN(context.Background(), randomBinary(20, 4, 0.5, 1), []int{4, 2}, cfg, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "config: -lr 1e+30: want a number in (0, 10]") {
		t.Errorf("TrainDBN with lr 1e30: %v", err)
	}
}

// TestValidateAgreesWithFlags: a config that a command line can make (each
// flag of ConfigParams set to a value it accepts) passes Validate, and one
// it cannot (a value the flag refuses, forced into the field) fails it
// with the flag's own message.
func TestValidateAgreesWithFlags(t *testing.T) {
	def, _ := Preset("mehta-schwab")
	for _, p := range ConfigParams() {
		c := def
		if err := p.Set(&c, p.Get(&def)); err != nil {
			t.Fatalf("-%s: %v", p.Name, err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("-%s %s: Validate: %v", p.Name, p.Get(&c), err)
		}
	}
	for _, bad := range []struct {
		flag string
		set  func(c *Config)
	}{
		{"lr", func(c *Config) { c.LR = 11 }},
		{"init-sigma", func(c *Config) { c.InitSigma = 11 }},
		{"l1", func(c *Config) { c.L1 = 2 }},
		{"l2", func(c *Config) { c.L2 = 2 }},
		{"cd", func(c *Config) { c.CDK = MaxCDK + 1 }},
		{"epochs", func(c *Config) { c.Epochs = MaxEpochs + 1 }},
		{"threads", func(c *Config) { c.Threads = MaxThreads + 1 }},
		{"momentum", func(c *Config) { c.MomentumFinal = 1 }},
		{"momentum", func(c *Config) { c.MomentumInitial = 1e-40 }},
		{"validation", func(c *Config) { c.ValidationFraction = 1 }},
	} {
		c := def
		bad.set(&c)
		err := c.Validate()
		for _, p := range ConfigParams() {
			if p.Name != bad.flag {
				continue
			}
			want := p.Set(&Config{}, p.Get(&c))
			if want == nil || err == nil || err.Error() != want.Error() {
				t.Errorf("-%s %s: Validate %v, the flag %v", bad.flag, p.Get(&c), err, want)
			}
			// The error names the setting, for the messages of a
			// checkpoint (config.<JSON field>: ...).
			var se *settingError
			if !errors.As(err, &se) || se.flag != bad.flag {
				t.Errorf("-%s: Validate's error %v does not name the setting", bad.flag, err)
			}
		}
	}
}

// LearningRate: constant without LRLinearDecay; with it, LR * (E - e) / E
// in float64, rounded once (LR in the first epoch, LR/E in the last).
func TestLearningRate(t *testing.T) {
	c := Config{Epochs: 4, LR: 0.1}
	for e := 0; e < 4; e++ {
		if got := c.LearningRate(e); got != 0.1 {
			t.Fatalf("constant: epoch %d lr %v, want 0.1", e, got)
		}
	}
	c.LRLinearDecay = true
	lr := float64(float32(0.1))
	for e, want := range []float32{float32(lr), float32(lr * 3 / 4), float32(lr / 2), float32(lr / 4)} {
		if got := c.LearningRate(e); got != want {
			t.Fatalf("linear: epoch %d lr %v, want %v", e, got, want)
		}
	}
	c.Epochs = 0 // no epochs: no division by zero
	if got := c.LearningRate(0); got != c.LR {
		t.Fatalf("linear, 0 epochs: lr %v, want %v", got, c.LR)
	}
}
