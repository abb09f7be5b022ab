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
		if err == nil || !strings.Contains(err.Error(), below+"0.0001 <= K <= 1.5") || strings.Contains(err.Error(), "K = 0") {
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

// TestCouplingsOverflowAndDuplicates: a coupling beyond float64's range
// (1e400, which strconv.ParseFloat reads as an infinity) is refused in
// param's words, alone, in a list (quoted) or as a range end, and not as
// "coupling +Inf" or a malformed range; a coupling given twice and two
// couplings that share a file name are told apart, each named.
func TestCouplingsOverflowAndDuplicates(t *testing.T) {
	const above = "above the largest float64 (1.798e+308); want "
	for _, c := range []struct{ s, want string }{
		{"1e400", "-beta 1e400: " + above},
		{"-1e400", "-beta -1e400: " + above},
		{"0.3,1e400", `-beta 0.3,1e400: "1e400": ` + above},
		{"0.1:1e400:3", "-beta 0.1:1e400:3: range end 1e400: " + above + "0 <= K <= 1000 ("},
		{"-1e400:0.3:3", "-beta -1e400:0.3:3: range end -1e400: " + above},
		{"0.3,0.3", "-beta 0.3,0.3: coupling 0.3 given twice; want each coupling once"},
		{"0.3:0.3:2", "-beta 0.3:0.3:2: coupling 0.3 given twice"},
		{"0.3,0.30001", "-beta 0.3,0.30001: couplings 0.3 and 0.30001 share the file name beta_0.3000.npy; want couplings that differ in the 4th decimal"},
	} {
		if ks, err := ParseCouplings("beta", c.s, true); err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "Inf") {
			t.Errorf("%q: %v %v, want %q...", c.s, ks, err, c.want)
		}
	}
	// Without distinct file names a repeated coupling is allowed.
	if ks, err := ParseCouplings("beta", "0.3,0.3", false); err != nil || len(ks) != 2 {
		t.Errorf("0.3,0.3 without distinct files: %v %v", ks, err)
	}
}

// TestCouplingsInfLiteral: "Inf" written out is an infinity, not an
// overflow: refused as the coupling +Inf, alone, in a list or a range.
func TestCouplingsInfLiteral(t *testing.T) {
	for _, s := range []string{"Inf", "0.3,+Inf", "0:Inf:3", "-inf"} {
		if _, err := ParseCouplings("beta", s, true); err == nil || !strings.Contains(err.Error(), "Inf: want 0 <= K <= 1000") || strings.Contains(err.Error(), "largest float64") {
			t.Errorf("%q: %v", s, err)
		}
	}
}
