package rbm

import (
	"flag"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/param"
)

func TestParseAISSteps(t *testing.T) {
	got, err := ParseAISSteps("ais-steps", "1500")
	if err != nil || got != [3]int{100, 400, 1000} {
		t.Errorf("1500: %v %v", got, err)
	}
	got, err = ParseAISSteps("ais-steps", "1000, 4000,10000")
	if err != nil || got != [3]int{1000, 4000, 10000} {
		t.Errorf("list: %v %v", got, err)
	}
	if b := AISBetas([3]int{2, 2, 1}); len(b) != 6 || b[0] != 0 || b[2] != 0.5 || b[4] != 0.9 || b[5] != 1 {
		t.Errorf("betas %v", b)
	}
	for _, s := range []string{"14", "0,1,1", "1,2", "a,b,c", "", "1,2,3,4", "9223372036854775807", "5000000,5000000,5000000"} {
		if _, err := ParseAISSteps("ais-steps", s); err == nil || !strings.HasPrefix(err.Error(), "-ais-steps ") {
			t.Errorf("%q: %v", s, err)
		}
	}
}

func TestParseSizesAndMomentum(t *testing.T) {
	if got, err := ParseSizes("layers", "400, 100,25"); err != nil || len(got) != 3 || got[1] != 100 {
		t.Errorf("%v %v", got, err)
	}
	for _, s := range []string{"", "4,-1", "1048577", strings.Repeat("2,", 64) + "2", "x"} {
		if _, err := ParseSizes("layers", s); err == nil || !strings.HasPrefix(err.Error(), "-layers") {
			t.Errorf("%q: %v", s, err)
		}
	}
	if a, b, err := ParseMomentum("0.5"); err != nil || a != 0.5 || b != 0.5 {
		t.Errorf("%v %v %v", a, b, err)
	}
	if a, b, err := ParseMomentum(" 0.5, 0.9 "); err != nil || a != 0.5 || b != 0.9 {
		t.Errorf("%v %v %v", a, b, err)
	}
	if a, b, err := ParseMomentum("0,0x1p-126"); err != nil || a != 0 || b != 0x1p-126 {
		t.Errorf("%v %v %v", a, b, err)
	}
	// -momentum is read as every bounded float is (param.Float32s): in
	// [0, 1), 0 or a normal float32, in the words of -lr or -l1.
	why := " (" + momentumWhy + ")"
	for s, want := range map[string]string{
		"1.5":         "-momentum 1.5: want a number in [0, 1)" + why,
		"NaN":         "-momentum NaN: want a number in [0, 1)" + why,
		"-0.1":        "-momentum -0.1: want a number in [0, 1)" + why,
		"":            "-momentum : want a number in [0, 1)" + why,
		"0.5,1":       `-momentum 0.5,1: "1": want a number in [0, 1)` + why,
		"0.5,":        `-momentum 0.5,: "": want a number in [0, 1)` + why,
		"0.1,0.2,0.3": "-momentum 0.1,0.2,0.3: 3 values, want at most 2 separated by commas, each a number in [0, 1)" + why,
		"1e-40":       "-momentum 1e-40: below the smallest normal float32 (1.175e-38), where it would round to 0 or lose precision; want a number in [0, 1)" + why,
		"0.5,1e-40":   `-momentum 0.5,1e-40: "1e-40": below the smallest normal float32`,
		"1e-400,0.9":  `-momentum 1e-400,0.9: "1e-400": below the smallest normal float32`,
	} {
		if _, _, err := ParseMomentum(s); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %q", s, err, want)
		}
	}
}

// TestConfigParams sets every recipe setting through its table entry: the
// defaults round-trip, good values land in the field, bad ones are refused
// naming the flag and leave the config as it was.
func TestConfigParams(t *testing.T) {
	def, _ := Preset("mehta-schwab")
	seen := map[string]bool{}
	for _, p := range ConfigParams() {
		if seen[p.Name] {
			t.Fatalf("%s twice", p.Name)
		}
		seen[p.Name] = true
		c := def
		if err := p.Set(&c, p.Get(&def)); err != nil || ConfigDiff(c, def) != nil {
			t.Errorf("%s: default %q does not round-trip: %v %v", p.Name, p.Get(&def), err, ConfigDiff(c, def))
		}
	}
	set := func(name, v string) (Config, error) {
		c := def
		for _, p := range ConfigParams() {
			if p.Name == name {
				return c, p.Set(&c, v)
			}
		}
		t.Fatalf("no param %s", name)
		return c, nil
	}
	good := map[string]func(Config) bool{
		"epochs 7":                  func(c Config) bool { return c.Epochs == 7 },
		"cd 3":                      func(c Config) bool { return c.CDK == 3 },
		"lr 0.25":                   func(c Config) bool { return c.LR == 0.25 },
		"lr 10":                     func(c Config) bool { return c.LR == MaxLR },
		"init-sigma 10":             func(c Config) bool { return c.InitSigma == MaxInitSigma },
		"l2 1":                      func(c Config) bool { return c.L2 == MaxPenalty },
		"momentum 0.1,0.2":          func(c Config) bool { return c.MomentumInitial == 0.1 && c.MomentumFinal == 0.2 },
		"l1-mode proximal":          func(c Config) bool { return c.L1Proximal },
		"pcd true":                  func(c Config) bool { return c.PCD },
		"visible-bias logodds":      func(c Config) bool { return c.VisibleBiasLogOdds },
		"validation 0":              func(c Config) bool { return c.ValidationFraction == 0 },
		"seed 18446744073709551615": func(c Config) bool { return c.Seed == 1<<64-1 },
		"next-layer samples":        func(c Config) bool { return c.NextLayerSamples },
	}
	for nv, ok := range good {
		name, v, _ := strings.Cut(nv, " ")
		if c, err := set(name, v); err != nil || !ok(c) {
			t.Errorf("-%s: %v %+v", nv, err, c)
		}
	}
	for _, nv := range []string{"epochs 2000000000", "batch 0", "cd 0", "cd x", "lr 0", "lr NaN", "lr 1e-320", "lr 1e39",
		"l1 -1", "init-sigma 1e-40", "momentum 1.5", "l1-mode x", "validation 1", "threads 100000", "snapshot-every -1",
		"monitor-rows -1", "pcd maybe", "seed -1", "lr 10.5", "lr 1e30", "init-sigma 11", "l1 1.5", "l2 2",
		"lr 1e-400", "l1 1e-400", "l2 0x1p-2000", "init-sigma 1e-400", "momentum 1e-40", "momentum 0.5,1e-400",
		"validation 1e-310", "validation 1e-400", "validation NaN"} {
		name, v, _ := strings.Cut(nv, " ")
		c, err := set(name, v)
		if err == nil || !strings.HasPrefix(err.Error(), "-"+name+" ") || ConfigDiff(c, def) != nil {
			t.Errorf("-%s: %v", nv, err)
		}
	}
}

func TestEvalParams(t *testing.T) {
	def := DefaultEvalOptions()
	for _, p := range EvalParams() {
		e := def
		if err := p.Set(&e, p.Get(&def)); err != nil || e.AISRuns != def.AISRuns || e.AISSteps != def.AISSteps || e.Seed != def.Seed {
			t.Errorf("%s: default %q does not round-trip: %v", p.Name, p.Get(&def), err)
		}
		for _, bad := range []string{"x", "-1", "1"} {
			if (p.Name == "seed" || p.Name == "threads" || p.Name == "raise") && bad == "1" {
				continue
			}
			if err := p.Set(&e, bad); err == nil || !strings.HasPrefix(err.Error(), "-"+p.Name+" ") {
				t.Errorf("-%s %s: %v", p.Name, bad, err)
			}
		}
	}
}

// TestFlags: AddFlags shows a table's non-zero defaults in -h and
// ApplyFlags sets only the fields whose flags were given, bool flags with
// and without a value, and returns Set's error naming the flag.
func TestFlags(t *testing.T) {
	def, _ := Preset("mehta-schwab")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var help strings.Builder
	fs.SetOutput(&help)
	param.AddFlags(fs, ConfigParams(), &def)
	fs.PrintDefaults()
	if !strings.Contains(help.String(), "(default 200)") || strings.Contains(help.String(), "(default false)") {
		t.Errorf("defaults in -h:\n%s", help.String())
	}
	if err := fs.Parse([]string{"-epochs", "7", "-pcd", "-shuffle=false"}); err != nil {
		t.Fatal(err)
	}
	c := def
	if err := param.ApplyFlags(fs, ConfigParams(), &c); err != nil {
		t.Fatal(err)
	}
	if c.Epochs != 7 || !c.PCD || c.Shuffle || c.LR != def.LR || c.Batch != def.Batch {
		t.Errorf("applied %+v", c)
	}
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	param.AddFlags(fs, ConfigParams(), nil)
	if err := fs.Parse([]string{"-cd", "0"}); err != nil {
		t.Fatal(err)
	}
	if err := param.ApplyFlags(fs, ConfigParams(), &c); err == nil || !strings.HasPrefix(err.Error(), "-cd 0: want") {
		t.Errorf("-cd 0: %v", err)
	}
}
