package replicate

import (
	"math"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/asm/ising"
)

func TestParseCouplings(t *testing.T) {
	ks, err := ParseSampleCouplings("beta", "0.2:0.6:21")
	if err != nil || len(ks) != 21 || ks[0] != 0.2 || math.Abs(ks[20]-0.6) > 1e-15 || math.Abs(ks[1]-0.22) > 1e-15 {
		t.Fatalf("%v %v", ks, err)
	}
	ks, err = ParseSampleCouplings("beta", "0.3, 0.408,0.44")
	if err != nil || len(ks) != 3 || ks[1] != 0.408 {
		t.Fatalf("%v %v", ks, err)
	}
	for _, s := range []string{"0.3,0.3", "0.4,0.40001", "0", "5e-324", "0.3,1e-6", "", "abc", "NaN", "-1", "1e400",
		"0:Inf:3", "0.3:0.5:0", "0.3:0.5:1000000", "0.2:0.4", "0.2:0.4:1", "1e308", "1e300,1e301", "1000.000001", "0.3:1e308:3"} {
		if _, err := ParseSampleCouplings("beta", s); err == nil || !strings.HasPrefix(err.Error(), "-beta") {
			t.Errorf("%q: %v", s, err)
		}
	}
	// Unsampled lists may repeat and hold 0; MaxCoupling is the most any
	// list takes.
	if ks, err := ParseCouplings("beta", "0,0.40001,0.40002,1000", false); err != nil || len(ks) != 4 {
		t.Errorf("%v %v", ks, err)
	}
	for _, s := range []string{"1e308", "1000.5", "0:2000:3", "0,1e400"} {
		if _, err := ParseCouplings("beta", s, false); err == nil || !strings.Contains(err.Error(), "<= K <= 1000") {
			t.Errorf("%q: %v, want the range 0..1000 named", s, err)
		}
	}
}

// TestSettingsParams: every override lands in its field; bad values are
// refused naming the flag; -flow-depth is bounded by the layers.
func TestSettingsParams(t *testing.T) {
	set := func(s *Settings, name, v string) error {
		for _, p := range SettingsParams() {
			if p.Name == name {
				return p.Set(s, v)
			}
		}
		t.Fatalf("no param %s", name)
		return nil
	}
	s := QuickSettings()
	for _, nv := range []string{"L 20", "K 0.44", "n 300", "seed 7", "sweep 0.3,0.4", "layers 9,3", "networks sklearn",
		"ais-steps 1500", "flow-depth 2", "eval-samples 0", "threads 3", "rng sfc64"} {
		name, v, _ := strings.Cut(nv, " ")
		if err := set(&s, name, v); err != nil {
			t.Fatalf("-%s: %v", nv, err)
		}
	}
	if s.L != 20 || s.K != 0.44 || s.N != 300 || s.Seed != 7 || len(s.SweepKs) != 2 || len(s.Layers) != 2 ||
		len(s.Networks) != 1 || s.AISSteps != [3]int{100, 400, 1000} || s.FlowDepth != 2 || s.Threads != 3 ||
		s.Generator != ising.SFC64 {
		t.Fatalf("%+v", s)
	}
	for _, nv := range []string{"L 1", "n 1", "K 0", "sweep 0.2:0.4", "layers 4,0", "networks mehta-schwab,nonesuch",
		"ais-steps 3", "flow-depth 3", "flow-steps 101", "seeds 0", "test-n 1", "epochs x", "rng mt19937",
		"threads 4097", "threads 9223372036854775807", "K 1e308", "sweep 1e308", "L 1025", "L 3"} {
		name, v, _ := strings.Cut(nv, " ")
		if err := set(&s, name, v); err == nil || !strings.HasPrefix(err.Error(), "-"+name) {
			t.Errorf("-%s: %v", nv, err)
		}
	}
}
