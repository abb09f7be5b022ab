package param

import (
	"errors"
	"flag"
	"io"
	"math"
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

func TestFloat32(t *testing.T) {
	for _, c := range []struct {
		v      float64
		zeroOK bool
		want   string // "" for success
	}{
		{0.5, false, ""},
		{0, true, ""},
		{0, false, "-x 0: want a finite value > 0"},
		{-1, true, "-x -1: want a finite value >= 0"},
		{math.NaN(), true, "-x NaN: want"},
		{math.Inf(1), true, "-x +Inf: want"},
		{1e-40, true, "-x 1e-40: below the smallest normal float32"},
		{1e39, true, "-x 1e+39: above the largest float32"},
	} {
		v, err := Float32("x", c.v, c.zeroOK)
		switch {
		case c.want == "" && (err != nil || v != float32(c.v)):
			t.Errorf("Float32(%v): %v, %v", c.v, v, err)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("Float32(%v): %v, want %q", c.v, err, c.want)
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
