package replicate

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

func TestCheckLimits(t *testing.T) {
	t.Setenv(sysmem.EnvMaxMemory, "1G")
	if err := QuickSettings().CheckLimits(); err != nil {
		t.Fatalf("quick settings: %v", err)
	}
	for _, c := range []struct {
		change func(*Settings)
		want   string
	}{
		{func(s *Settings) { s.Epochs = 0 }, "-epochs 0: want 1..1000000"},
		{func(s *Settings) { s.SklearnEpochs = 2_000_000 }, "-sklearn-epochs 2000000: want 1..1000000"},
		{func(s *Settings) { s.AISRuns = 1 }, "-ais-runs 1: want 2..1000000"},
		{func(s *Settings) { s.Epochs = 40_000 }, "-epochs 40000 with 3 layers: 120000 epochs of history in all, want at most 100000"},
		{func(s *Settings) { s.SklearnEpochs = 40_000 }, "-sklearn-epochs 40000 with 3 layers: 120000 epochs of history"},
		{func(s *Settings) { s.SklearnEpochs, s.Networks = 40_000, []string{"sklearn"} }, "-sklearn-epochs 40000 with 3 layers"},
		{func(s *Settings) { s.Epochs, s.Networks = 40_000, []string{"mehta-schwab"} }, "-epochs 40000 with 3 layers"},
		{func(s *Settings) { s.L = 3 }, "-L 3: want 4..1024 (the sampler's chain is not ergodic below 4"},
		{func(s *Settings) { s.Layers = nil }, "-layers: want at least one hidden layer"},
		{func(s *Settings) { s.Networks = []string{"sklearn", "mehta-schwab", "sklearn"} }, "-networks: sklearn listed twice, want each network once"},
		{func(s *Settings) { s.Networks = []string{" sklearn"} }, `-networks: " sklearn": want a network name`},
		{func(s *Settings) { s.Networks = []string{"sklearn,weight-decay"} }, `-networks: "sklearn,weight-decay": want a network name`},
		{func(s *Settings) { s.TestN = 1 << 30 }, "-test-n 1073741824 -L 16: need about 256 GiB of samples and lattices, more than the sampler's 8 GiB; lower them"},
		{func(s *Settings) { s.SweepN = 1 << 22 }, "-sweep-n 4194304 -L 16: need about 1"},
		{func(s *Settings) { s.Layers = []int{1 << 20} }, "-layers [1048576] on -n 2000 samples of 16x16: need about"},
		{func(s *Settings) { s.AISRuns = 1_000_000 }, "-ais-runs 1000000 and -layers [64 16 4] on 2000 samples: need about"},
	} {
		s := QuickSettings()
		c.change(&s)
		err := s.CheckLimits()
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
		// Validate runs the same checks (after the flags' own).
		if err2 := s.Validate(); err2 == nil || err2.Error() != err.Error() && !strings.HasPrefix(err2.Error(), "-") {
			t.Errorf("Validate: %v, CheckLimits: %v", err2, err)
		}
	}
}

// TestValidate: settings that did not come from flags (a study's spec) are
// checked as the flags are, field by field, naming the flag and its JSON
// field; the defaults pass.
func TestValidate(t *testing.T) {
	t.Setenv(sysmem.EnvMaxMemory, "4G")
	for _, s := range []Settings{QuickSettings(), PaperSettings()} {
		if err := s.Validate(); err != nil {
			t.Fatalf("defaults: %v", err)
		}
	}
	for _, c := range []struct {
		change      func(*Settings)
		field, want string
	}{
		{func(s *Settings) { s.Layers = []int{1 << 20, 1 << 20} }, "layers", "-layers [1048576 1048576] on -n 2000 samples of 16x16: need about"},
		{func(s *Settings) { s.Layers = []int{4, 0} }, "layers", "-layers 4,0: want unit counts"},
		{func(s *Settings) { s.L = 100000 }, "L", "-L 100000: want 4..1024"},
		{func(s *Settings) { s.N = 1e12 }, "n", "-n 1000000000000 -L 16: need about"},
		{func(s *Settings) { s.AISRuns = 1e12 }, "ais_runs", "-ais-runs 1000000000000: want 2..1000000"},
		{func(s *Settings) { s.FlowSteps = 1e9 }, "flow_steps", "-flow-steps 1000000000: want 0..100"},
		{func(s *Settings) { s.FlowDepth = 4 }, "flow_depth", "-flow-depth 4: want 1..3"},
		{func(s *Settings) { s.RAISESamples = -1 }, "raise_samples", "-raise -1: want 0..1000000"},
		{func(s *Settings) { s.K = 1e308 }, "K", "-K 1e+308: coupling 1e+308: want 0.0001 <= K <= 1.5"},
		{func(s *Settings) { s.K = 2 }, "K", "-K 2: coupling 2: want 0.0001 <= K <= 1.5 (above 1.5 the sampler"},
		{func(s *Settings) { s.SweepKs = []float64{0.3, 1100} }, "sweep_K", "-sweep 0.3,1100: coupling 1100: want 0.0001 <= K <= 1.5"},
		{func(s *Settings) { s.SweepKs = nil }, "sweep_K", "-sweep: want a coupling"},
		{func(s *Settings) { s.Networks = []string{"nonesuch"} }, "networks", "-networks: "},
		{func(s *Settings) { s.AISSteps = [3]int{0, 1, 1} }, "ais_steps", "-ais-steps 0,1,1: want"},
		{func(s *Settings) { s.Seeds = 1001 }, "seeds", "-seeds 1001: want 1..1000"},
		{func(s *Settings) { s.Epochs = 1 << 40 }, "epochs", "-epochs 1099511627776: want 1..1000000"},
		{func(s *Settings) { s.Threads = 1 << 62 }, "threads", "-threads 4611686018427387904: want 0..4096"},
		{func(s *Settings) { s.Generator = 99 }, "generator", "-rng "},
	} {
		s := QuickSettings()
		c.change(&s)
		err := s.Validate()
		var se *SettingError
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || !errors.As(err, &se) || se.Field() != c.field {
			t.Errorf("got %v (%+v), want %q in field %s", err, se, c.want, c.field)
		}
	}
	// Every flag of SettingsParams maps to a JSON field of Settings.
	fields := map[string]bool{"threads": true} // Threads is json:"-": not in a spec
	st := reflect.TypeFor[Settings]()
	for i := range st.NumField() {
		name, _, _ := strings.Cut(st.Field(i).Tag.Get("json"), ",")
		fields[name] = true
	}
	for _, p := range SettingsParams() {
		if f := (&SettingError{Flag: p.Name}).Field(); !fields[f] {
			t.Errorf("-%s: field %q is not a JSON field of Settings", p.Name, f)
		}
	}
}

func TestCheckSampleMemoryReplicas(t *testing.T) {
	t.Setenv(sysmem.EnvMaxMemory, "1M")
	// -replicas is named only when it was given (the audit found "-replicas
	// 1" in the message of a command line without it).
	err := CheckSampleMemory("n", 512, 1, 0)
	if err == nil || !strings.HasPrefix(err.Error(), "-L 512 with -n 1 (automatic replicas: 1): need about") {
		t.Fatalf("got %v", err)
	}
	err = CheckSampleMemory("n", 512, 1, 1)
	if err == nil || !strings.HasPrefix(err.Error(), "-replicas 1 -L 512: need about") {
		t.Fatalf("got %v", err)
	}
	// Past the sampler's own limit the message gives the largest L there,
	// and that L is allowed.
	t.Setenv(sysmem.EnvMaxMemory, "1T")
	err = CheckSampleMemory("n", bitlattice.MaxSampleL, 1, 0)
	if err == nil || !strings.HasPrefix(err.Error(), "-L 32768 with -n 1 (automatic replicas: 1): need about 65 GiB") ||
		!strings.HasSuffix(err.Error(), "(at -n 1, L is at most 11495)") {
		t.Fatalf("got %v", err)
	}
	if err := CheckSampleMemory("n", 11495, 1, 0); err != nil {
		t.Errorf("L = 11495: %v", err)
	}
	if err := CheckSampleMemory("n", 11496, 1, 0); err == nil {
		t.Errorf("L = 11496 accepted")
	}
	for _, nr := range [][2]int{{1, 0}, {20000, 0}, {1000, 3}, {1 << 20, 0}} {
		L := maxSampleL(nr[0], nr[1])
		if bitlattice.MemoryEstimate(L, nr[0], nr[1]).Total() > bitlattice.MaxBytes || bitlattice.MemoryEstimate(L+1, nr[0], nr[1]).Total() <= bitlattice.MaxBytes {
			t.Errorf("maxSampleL(%d, %d) = %d is not the largest L that fits", nr[0], nr[1], L)
		}
	}
	// sample -h says the range and the limit that bounds it.
	for _, p := range SampleParams() {
		if p.Name == "L" && (!strings.Contains(p.Usage, "4..32768") || !strings.Contains(p.Usage, "L <= 11495 at -n 1")) {
			t.Errorf("-L usage %q", p.Usage)
		}
	}
}

// TestSampleParams: the sampler's flag table applies its defaults and
// bounds, and CheckSampleOptions refuses more replicas than samples and
// samples beyond memory, naming the flag.
func TestSampleParams(t *testing.T) {
	o := DefaultSampleOptions()
	byName := map[string]param.Param[bitlattice.Options]{}
	for _, p := range SampleParams() {
		byName[p.Name] = p
	}
	for _, c := range []struct{ name, v, err string }{
		{"L", "3", "-L 3: want 4..32768"}, {"n", "0", "-n 0: want >= 1"}, {"threads", "-1", "-threads -1: want 0..4096"},
		{"equilibration", "100000001", "-equilibration 100000001: want 0..100000000"}, {"seed", "x", "-seed x: want an integer"},
	} {
		if err := byName[c.name].Set(&o, c.v); err == nil || !strings.HasPrefix(err.Error(), c.err) {
			t.Errorf("-%s %s: %v, want %q", c.name, c.v, err, c.err)
		}
	}
	if o.Generator != ising.SFC64 {
		t.Errorf("default generator %v, want sfc64", o.Generator)
	}
	if err := byName["rng"].Set(&o, "pcg64"); err == nil || !strings.HasPrefix(err.Error(), "-rng pcg64: want") {
		t.Errorf("-rng pcg64: %v", err)
	}
	if o.L != 40 || o.MinEquilibration != 0 || o.Threads != 0 || o.N != 20000 || o.Seed != 1 || o.Generator != ising.SFC64 {
		t.Errorf("refused values changed the options: %+v", o)
	}
	if err := CheckSampleOptions(o); err != nil {
		t.Errorf("defaults: %v", err)
	}
	o.Replicas = o.N + 1
	if err := CheckSampleOptions(o); err == nil || !strings.HasPrefix(err.Error(), "-replicas 20001: want 0..20000") {
		t.Errorf("replicas > n: %v", err)
	}
	o.Replicas, o.N = 0, 1<<40
	if err := CheckSampleOptions(o); err == nil || !strings.HasPrefix(err.Error(), "-n ") {
		t.Errorf("n = 2^40: %v", err)
	}
}

// TestHistoryBoundTrainedOnly: the history bound counts the epochs of the
// networks that train: a large -sklearn-epochs without sklearn in
// -networks is not refused.
func TestHistoryBoundTrainedOnly(t *testing.T) {
	t.Setenv(sysmem.EnvMaxMemory, "1G")
	s := QuickSettings()
	s.SklearnEpochs, s.Networks = 40_000, []string{"mehta-schwab"}
	if err := s.CheckLimits(); err != nil {
		t.Errorf("-sklearn-epochs 40000 without sklearn: %v", err)
	}
}
