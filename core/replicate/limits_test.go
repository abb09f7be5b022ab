package replicate

import (
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
		{func(s *Settings) { s.L = 3 }, "-L 3: want 4..32768 (the sampler's chain is not ergodic below 4)"},
		{func(s *Settings) { s.Layers = nil }, "-layers: want at least one hidden layer"},
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
	}
}

func TestCheckSampleMemoryReplicas(t *testing.T) {
	t.Setenv(sysmem.EnvMaxMemory, "1M")
	err := CheckSampleMemory("n", 512, 1, 0)
	if err == nil || !strings.HasPrefix(err.Error(), "-replicas 1 -L 512: need about") {
		t.Fatalf("got %v", err)
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
