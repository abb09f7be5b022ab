package replicate

import (
	"strings"
	"testing"

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
