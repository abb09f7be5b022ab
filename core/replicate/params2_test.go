package replicate

import (
	"strings"
	"testing"
)

// TestCouplingsUnderflow: a nonzero coupling too small for a normal
// float64 (1e-400, which strconv.ParseFloat reads as 0 without an error,
// or the subnormal 1e-310) is refused in param's words, naming the flag
// and the value as given, alone, in a list or as a range end; a zero
// written any way is still 0 where 0 is allowed.
func TestCouplingsUnderflow(t *testing.T) {
	const below = "below the smallest normal float64 (2.225e-308), where it would round to 0 or lose precision; want "
	for _, c := range []struct{ s, want string }{
		{"1e-400", "-beta 1e-400: " + below + "0 <= K <= 1000 ("},
		{"-1e-400", "-beta -1e-400: " + below},
		{"0x1p-2000", "-beta 0x1p-2000: " + below},
		{"1e-310", "-beta 1e-310: " + below},
		{"0.3, 1e-400", `-beta 0.3, 1e-400: "1e-400": ` + below},
		{"0:1e-400:3", "-beta 0:1e-400:3: range end 1e-400: " + below},
		{"1e-400:0.5:3", "-beta 1e-400:0.5:3: range end 1e-400: " + below},
	} {
		if ks, err := ParseCouplings("beta", c.s, false); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("exact %q: %v %v, want %q...", c.s, ks, err, c.want)
		}
	}
	// Sampled: the underflow is named, not "K = 0 is infinite temperature".
	for _, s := range []string{"1e-400", "0.3,1e-400", "1e-400:0.5:3"} {
		ks, err := ParseSampleCouplings("beta", s)
		if err == nil || !strings.Contains(err.Error(), below+"0.0001 <= K <= 1000") || strings.Contains(err.Error(), "K = 0") {
			t.Errorf("sample %q: %v %v", s, ks, err)
		}
	}
	for _, s := range []string{"0e-400", "-0", "0x0p5", "0.0,0.5", "0:0.5:3", "2.2250738585072014e-308"} {
		if ks, err := ParseCouplings("beta", s, false); err != nil || len(ks) == 0 {
			t.Errorf("%q: %v %v", s, ks, err)
		}
	}
	// A subnormal coupling to be sampled is below MinSampleK, which is
	// named as before.
	if _, err := ParseSampleCouplings("beta", "5e-324"); err == nil || !strings.HasPrefix(err.Error(), "-beta 5e-324: K = 5e-324 is below 0.0001") {
		t.Errorf("sample 5e-324: %v", err)
	}
	var s Settings
	for _, p := range SettingsParams() {
		if p.Name == "K" || p.Name == "sweep" {
			if err := p.Set(&s, "1e-400"); err == nil || !strings.HasPrefix(err.Error(), "-"+p.Name+" 1e-400: "+below) {
				t.Errorf("-%s 1e-400: %v", p.Name, err)
			}
		}
	}
}
