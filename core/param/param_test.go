package param

import (
	"errors"
	"flag"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

type conf struct {
	N    int
	On   bool
	Mode bool
	Seed uint64
}

func table() []Param[conf] {
	return []Param[conf]{
		IntParam("n", "count", 1, 10, "the count", func(c *conf) *int { return &c.N }),
		BoolParam("on", "switch", func(c *conf) *bool { return &c.On }),
		ChoiceParam("mode", "mode", "slow", "fast", func(c *conf) *bool { return &c.Mode }),
		SeedParam("seed", "seed", func(c *conf) *uint64 { return &c.Seed }),
	}
}

// parse registers the table, parses args and applies the flags given to a
// copy of def.
func parse(t *testing.T, def conf, args ...string) (conf, *flag.FlagSet, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	AddFlags(fs, table(), &def)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	c := def
	return c, fs, ApplyFlags(fs, table(), &c)
}

func TestApplyFlags(t *testing.T) {
	def := conf{N: 3, Seed: 7}
	c, fs, err := parse(t, def, "-n", "0x5", "-on", "-mode", "fast", "-seed", "18446744073709551615")
	if err != nil || c != (conf{N: 5, On: true, Mode: true, Seed: math.MaxUint64}) {
		t.Fatalf("got %+v, %v", c, err)
	}
	if g := Given(fs); len(g) != 4 || !g["n"] || !g["on"] || !g["mode"] || !g["seed"] {
		t.Errorf("Given: %v, want n, on, mode, seed", g)
	}
	if g := Given(nil); len(g) != 0 {
		t.Errorf("Given(nil): %v", g)
	}
	if got := fs.Lookup("n").DefValue; got != "3" {
		t.Errorf("-n default shown as %q, want 3", got)
	}
	if got := fs.Lookup("on").DefValue; got != "" {
		t.Errorf("a false default is shown as %q, want nothing (as package flag does)", got)
	}
	if c, _, err := parse(t, def); err != nil || c != def {
		t.Errorf("no flags given: %+v, %v; want the defaults unchanged", c, err)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"-n", "11"}, "-n 11: want 1..10 (the count)"},
		{[]string{"-n", "x"}, "-n x: want an integer"},
		{[]string{"-on=maybe"}, "-on maybe: want true or false"},
		{[]string{"-mode", "medium"}, "-mode medium: want slow or fast"},
		{[]string{"-seed", "-1"}, "-seed -1: want an integer 0..18446744073709551615"},
		{[]string{"-n", "0", "-mode", "x"}, "-n 0: want 1..10"}, // the first in table order
	} {
		if _, _, err := parse(t, def, bad.args...); err == nil || !strings.HasPrefix(err.Error(), bad.want) {
			t.Errorf("%v: %v, want %q", bad.args, err, bad.want)
		}
	}
}

func TestCheckInt(t *testing.T) {
	if err := CheckInt("k", 4, 4, 4, ""); err != nil {
		t.Error(err)
	}
	for _, c := range []struct {
		v, lo, hi int
		why, want string
	}{
		{3, 4, 9, "", "-k 3: want 4..9"},
		{-1, 0, math.MaxInt, "0: none", "-k -1: want >= 0 (0: none)"},
	} {
		if err := CheckInt("k", c.v, c.lo, c.hi, c.why); err == nil || err.Error() != c.want {
			t.Errorf("CheckInt(%d, %d, %d): %v, want %q", c.v, c.lo, c.hi, err, c.want)
		}
	}
}

// TestFloat32: one parser for every bounded float32 setting; each message
// names the flag, the value as given and the bounds with their reason.
func TestFloat32(t *testing.T) {
	lr := Bounds{Lo: 0, Hi: 10, LoOpen: true, Why: "a reason"}
	pen := Bounds{Lo: 0, Hi: 1}
	free := Bounds{Lo: 0, Hi: math.Inf(1)}
	for _, c := range []struct {
		s    string
		b    Bounds
		want string // "" for success
	}{
		{"0.5", lr, ""},
		{"10", lr, ""},
		{" 1e-3 ", lr, ""},
		{"0", pen, ""},
		{"1", pen, ""},
		{"3e38", free, ""},
		{"20", lr, "-x 20: want a number in (0, 10] (a reason)"},
		{"10.001", lr, "-x 10.001: want a number in (0, 10] (a reason)"},
		{"0", lr, "-x 0: want a number in (0, 10] (a reason)"},
		{"1e30", lr, "-x 1e30: want a number in (0, 10] (a reason)"},
		{"x", lr, "-x x: want a number in (0, 10] (a reason)"},
		{"NaN", pen, "-x NaN: want a number in [0, 1]"},
		{"-0.1", pen, "-x -0.1: want a number in [0, 1]"},
		{"1.5", pen, "-x 1.5: want a number in [0, 1]"},
		{"+Inf", free, "-x +Inf: want a number in [0, +Inf)"},
		{"1e-40", lr, "-x 1e-40: below the smallest normal float32 (1.175e-38), where it would round to 0 or lose precision; want a number in (0, 10] (a reason)"},
		{"1e-320", pen, "-x 1e-320: below the smallest normal float32"},
		{"1e39", free, "-x 1e39: above the largest float32 (3.403e+38); want a number in [0, +Inf)"},
		{"1e400", free, "-x 1e400: want a number in [0, +Inf)"},
		// Nonzero literals that strconv.ParseFloat rounds to 0 without an
		// error are refused as too small, zeros written any way accepted.
		{"1e-400", pen, "-x 1e-400: below the smallest normal float32 (1.175e-38), where it would round to 0 or lose precision; want a number in [0, 1]"},
		{"1e-400", lr, "-x 1e-400: below the smallest normal float32 (1.175e-38), where it would round to 0 or lose precision; want a number in (0, 10] (a reason)"},
		{" +0.00012e-397", pen, "-x  +0.00012e-397: below the smallest normal float32"},
		{"0x1p-2000", free, "-x 0x1p-2000: below the smallest normal float32"},
		{"0X_Ap-2000", free, "-x 0X_Ap-2000: below the smallest normal float32"},
		{"1_0e-400", pen, "-x 1_0e-400: below the smallest normal float32"},
		{"-1e-400", pen, "-x -1e-400: want a number in [0, 1]"},
		{"0e-400", pen, ""},
		{"-0", pen, ""},
		{"0.000E-999", pen, ""},
		{"0x0p-2000", pen, ""},
		{"0x0.0p5", pen, ""},
	} {
		v, err := Float32("x", c.s, c.b)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("Float32(%q, %v): %v", c.s, c.b, err)
		case c.want == "" && float64(v) != float64(float32(mustFloat(t, c.s))):
			t.Errorf("Float32(%q): %v", c.s, v)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("Float32(%q, %v): %v, want %q", c.s, c.b, err, c.want)
		}
	}
	if got := (Bounds{Lo: -1, Hi: 1, HiOpen: true}).String(); got != "[-1, 1)" {
		t.Errorf("String: %q", got)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestFloat32Param: the Param stores the value Float32 accepts, refuses
// what it refuses with its message and leaves the field as it was, and
// its Get round-trips.
func TestFloat32Param(t *testing.T) {
	type rec struct{ LR float32 }
	p := Float32Param("lr", "rate", Bounds{Lo: 0, Hi: 10, LoOpen: true}, func(r *rec) *float32 { return &r.LR })
	r := rec{LR: 0.1}
	if got := p.Get(&r); got != "0.1" {
		t.Errorf("Get: %q, want 0.1", got)
	}
	if err := p.Set(&r, "20"); err == nil || err.Error() != "-lr 20: want a number in (0, 10]" || r.LR != 0.1 {
		t.Errorf("Set 20: %v, %v", err, r.LR)
	}
	if err := p.Set(&r, "2.5"); err != nil || r.LR != 2.5 {
		t.Errorf("Set 2.5: %v, %v", err, r.LR)
	}
}

// TestFloat64: Float32's checks and words for a float64 setting, with the
// float64's normal range.
func TestFloat64(t *testing.T) {
	frac := Bounds{Lo: 0, Hi: 1, HiOpen: true, Why: "a reason"}
	for _, c := range []struct {
		s    string
		want string // "" for success
	}{
		{"0", ""},
		{"0.1", ""},
		{"1e-40", ""}, // a subnormal float32, a normal float64
		{"2.2250738585072014e-308", ""},
		{"0.99999999999999989", ""},
		{"1", "-v 1: want a number in [0, 1) (a reason)"},
		{"-0.01", "-v -0.01: want a number in [0, 1) (a reason)"},
		{"NaN", "-v NaN: want a number in [0, 1)"},
		{"x", "-v x: want a number in [0, 1)"},
		{"1e-310", "-v 1e-310: below the smallest normal float64 (2.225e-308), where it would round to 0 or lose precision; want a number in [0, 1) (a reason)"},
		{"1e-400", "-v 1e-400: below the smallest normal float64"},
	} {
		v, err := Float64("v", c.s, frac)
		switch {
		case c.want == "" && (err != nil || v != mustFloat(t, c.s)):
			t.Errorf("Float64(%q): %v, %v", c.s, v, err)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("Float64(%q): %v, want %q", c.s, err, c.want)
		}
	}
	type rec struct{ F float64 }
	p := Float64Param("v", "a fraction", frac, func(r *rec) *float64 { return &r.F })
	r := rec{F: 0.1}
	if got := p.Get(&r); got != "0.1" {
		t.Errorf("Get: %q, want 0.1", got)
	}
	if err := p.Set(&r, "1"); err == nil || r.F != 0.1 {
		t.Errorf("Set 1: %v, %v", err, r.F)
	}
	if err := p.Set(&r, "0.25"); err != nil || r.F != 0.25 {
		t.Errorf("Set 0.25: %v, %v", err, r.F)
	}
}

// TestBelowNormal64: the reason, in Float64's words, for nonzero literals
// below the smallest normal float64, underflowed to 0 or subnormal; none
// for zeros written any way, normal numbers and infinities.
func TestBelowNormal64(t *testing.T) {
	const why = "below the smallest normal float64 (2.225e-308), where it would round to 0 or lose precision"
	for s, want := range map[string]string{
		"1e-400": why, " -1e-400 ": why, "0x1p-2000": why, "1e-310": why, "5e-324": why,
		"0": "", "-0": "", "0e-400": "", "0x0p5": "", "2.2250738585072014e-308": "", "0.3": "", "1e400": "",
	} {
		x, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if got := BelowNormal64(s, x); got != want {
			t.Errorf("BelowNormal64(%q, %v) = %q, want %q", s, x, got, want)
		}
	}
}

// TestFloat32s: a list of 1 to n values, each read as Float32 reads one;
// a message names the flag and the list, and the value refused when there
// are several.
func TestFloat32s(t *testing.T) {
	b := Bounds{Lo: 0, Hi: 1, HiOpen: true, Why: "a reason"}
	for _, c := range []struct {
		s    string
		n    int
		want string // the values joined by commas, or the start of the error
	}{
		{"0.5", 2, "0.5"},
		{" 0.5 , 0.9", 2, "0.5,0.9"},
		{"0,0.25,0.5", 3, "0,0.25,0.5"},
		{"1", 2, "-m 1: want a number in [0, 1) (a reason)"},
		{"0.5,1", 2, `-m 0.5,1: "1": want a number in [0, 1) (a reason)`},
		{"0.5, x ", 2, `-m 0.5, x : "x": want a number in [0, 1)`},
		{",0.5", 2, `-m ,0.5: "": want a number in [0, 1)`},
		{"0.1,0.2,0.3", 2, "-m 0.1,0.2,0.3: 3 values, want at most 2 separated by commas, each a number in [0, 1) (a reason)"},
		{"0.5,1e-40", 2, `-m 0.5,1e-40: "1e-40": below the smallest normal float32 (1.175e-38), where it would round to 0 or lose precision; want a number in [0, 1) (a reason)`},
		{"1e-400", 2, "-m 1e-400: below the smallest normal float32"},
	} {
		v, err := Float32s("m", c.s, c.n, b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), c.want) || !strings.HasPrefix(c.want, "-m ") {
				t.Errorf("Float32s(%q): %v, want %q", c.s, err, c.want)
			}
			continue
		}
		got := make([]string, len(v))
		for i, x := range v {
			got[i] = strconv.FormatFloat(float64(x), 'g', -1, 32)
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("Float32s(%q): %v, want %s", c.s, got, c.want)
		}
	}
}

func TestInputError(t *testing.T) {
	if AsInputError(nil) != nil {
		t.Error("AsInputError(nil) is not nil")
	}
	base := errors.New("-n 0: want 1..10")
	err := AsInputError(base)
	var ie *InputError
	if !errors.As(err, &ie) || !errors.Is(err, base) || err.Error() != base.Error() {
		t.Errorf("AsInputError: %v (as %v, is %v)", err, errors.As(err, &ie), errors.Is(err, base))
	}
}

// TestOverflow64: a literal beyond float64's range is named as such; a
// finite number, "Inf" written out and a malformed literal are not.
func TestOverflow64(t *testing.T) {
	for s, want := range map[string]string{
		"1e400": "above the largest float64 (1.798e+308)", "-1e400": "above the largest float64 (1.798e+308)",
		"1e308": "", "Inf": "", "-inf": "", "1e-400": "",
	} {
		x, err := strconv.ParseFloat(s, 64)
		if got := Overflow64(x, err); got != want {
			t.Errorf("%s: %q, want %q", s, got, want)
		}
	}
}

// TestFloat32RoundsWithinBounds: the float32 a value is stored as must lie
// within the bounds too. 0.99999999 is below 1 but rounds to 1 as a
// float32, which an open upper bound of 1 (-momentum's) excludes: it had
// been accepted and stored as 1.
func TestFloat32RoundsWithinBounds(t *testing.T) {
	mom := Bounds{Lo: 0, Hi: 1, HiOpen: true, Why: "a reason"}
	const want = "-m 0.99999999: rounds to 1 as a float32; want a number in [0, 1) (a reason)"
	if v, err := Float32("m", "0.99999999", mom); err == nil || err.Error() != want {
		t.Errorf("Float32(0.99999999): %v, %v; want %q", v, err, want)
	}
	if v, err := Float32s("m", "0.5,0.99999999", 2, mom); err == nil || !strings.Contains(err.Error(), `"0.99999999": rounds to 1 as a float32`) {
		t.Errorf("Float32s(0.5,0.99999999): %v, %v; want the second refused", v, err)
	}
	// The largest float32 below 1 is kept, and so is a value that rounds
	// to it; a closed bound admits the value it rounds to.
	for _, c := range []struct {
		s    string
		b    Bounds
		want float32
	}{
		{"0.99999994", mom, 0.99999994},
		{"0.99999995", mom, 0.99999994},
		{"0.99999999", Bounds{Lo: 0, Hi: 1}, 1},
	} {
		if v, err := Float32("m", c.s, c.b); err != nil || v != c.want {
			t.Errorf("Float32(%s, %v): %v, %v; want %v", c.s, c.b, v, err, c.want)
		}
	}
}

// TestIntParamRange: an integer beyond int's range is refused with the
// bounds it must lie in, not as if it were no integer.
func TestIntParamRange(t *testing.T) {
	for _, s := range []string{"99999999999999999999", "-99999999999999999999"} {
		want := "-n " + s + ": want 1..10 (the count)"
		if _, _, err := parse(t, conf{}, "-n", s); err == nil || err.Error() != want {
			t.Errorf("-n %s: %v, want %q", s, err, want)
		}
	}
}

// TestLeadingZero: an integer with a leading 0 and no base prefix is
// refused by the int and seed settings and by IntVar's flags (Go reads 010
// as octal 8, so "-seed 010" had run seed 8); 0, prefixed literals and
// values with spaces around them are taken.
func TestLeadingZero(t *testing.T) {
	for _, s := range []string{"010", "08", "-010", "+07", " 010 ", "0_7", "00"} {
		want := "-n " + s + ": " + leadingZeroWant
		if _, _, err := parse(t, conf{}, "-n", s); err == nil || err.Error() != want {
			t.Errorf("-n %q: %v, want %q", s, err, want)
		}
		want = "-seed " + s + ": " + leadingZeroWant
		if _, _, err := parse(t, conf{}, "-seed", s); err == nil || err.Error() != want {
			t.Errorf("-seed %q: %v, want %q", s, err, want)
		}
	}
	for s, v := range map[string]int{"0": 0, "10": 10, "0x0a": 10, "0o10": 8, "0b11": 3, " 7 ": 7, "1_000": 1000} {
		if got := leadingZero(s); got {
			t.Errorf("leadingZero(%q) = true", s)
		}
		fs := flag.NewFlagSet("isingrbm t", flag.ContinueOnError)
		p := Int(fs, "L", 40, "side")
		if _, err := Parse(fs, []string{"-L", strings.TrimSpace(s)}, ""); err != nil || *p != v {
			t.Errorf("-L %q: %d, %v; want %d", s, *p, err, v)
		}
	}
	for _, c := range []struct{ arg, want string }{
		{"010", "-L 010: " + leadingZeroWant + "; run 'isingrbm t -h' for the flags"},
		{"x", "-L x: want an integer (side); run 'isingrbm t -h' for the flags"},
	} {
		fs := flag.NewFlagSet("isingrbm t", flag.ContinueOnError)
		var L int
		IntVar(fs, &L, "L", 40, "side")
		if L != 40 {
			t.Errorf("IntVar's default: %d, want 40", L)
		}
		_, err := Parse(fs, []string{"-L", c.arg}, "")
		var ie *InputError
		if err == nil || !errors.As(err, &ie) || err.Error() != c.want {
			t.Errorf("-L %s: %v, want the input error %q", c.arg, err, c.want)
		}
	}
}

// TestBoolSpaces: a bool setting ignores spaces around its value, as the
// int and float settings do (" true" had been refused).
func TestBoolSpaces(t *testing.T) {
	for s, want := range map[string]bool{" true": true, "false ": false, " 1 ": true} {
		c, _, err := parse(t, conf{}, "-on="+s)
		if err != nil || c.On != want {
			t.Errorf("-on=%q: %v, %v; want %v", s, c.On, err, want)
		}
	}
	if _, _, err := parse(t, conf{}, "-on=maybe"); err == nil {
		t.Error("-on=maybe: no error")
	}
}
