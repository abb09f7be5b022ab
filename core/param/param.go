package param

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Param is one setting of a config type T (rbm.Config, replicate.Settings,
// bitlattice.Options, ...) that a command line sets by name: the flag name, its
// help, the value of a config as text (for help and round trips) and Set,
// which parses and checks a value and stores it. Set's errors name the flag
// and what was expected ("-cd 0: want 1..100000 (Gibbs steps)"). One table
// serves every command that takes the setting.
type Param[T any] struct {
	Name, Usage string
	Bool        bool // a flag without a value (-pcd means -pcd=true)
	Get         func(c *T) string
	Set         func(c *T, v string) error
}

// CheckInt requires v, given to flag -name, to lie in [lo, hi]; why, when
// not empty, explains the bound ("-cd 0: want 1..100000 (Gibbs steps)").
func CheckInt(name string, v, lo, hi int, why string) error {
	if v >= lo && v <= hi {
		return nil
	}
	want := fmt.Sprintf("want %d..%d", lo, hi)
	if hi == math.MaxInt {
		want = fmt.Sprintf("want >= %d", lo)
	}
	if why != "" {
		want += " (" + why + ")"
	}
	return fmt.Errorf("-%s %d: %s", name, v, want)
}

// IntParam is a Param of an int field that must lie in [lo, hi].
func IntParam[T any](name, usage string, lo, hi int, why string, field func(*T) *int) Param[T] {
	return Param[T]{Name: name, Usage: usage,
		Get: func(c *T) string { return strconv.Itoa(*field(c)) },
		Set: func(c *T, s string) error {
			v, err := strconv.ParseInt(strings.TrimSpace(s), 0, strconv.IntSize)
			if err != nil {
				return fmt.Errorf("-%s %s: want an integer", name, s)
			}
			if err := CheckInt(name, int(v), lo, hi, why); err != nil {
				return err
			}
			*field(c) = int(v)
			return nil
		}}
}

// BoolParam is a Param of a bool field.
func BoolParam[T any](name, usage string, field func(*T) *bool) Param[T] {
	return Param[T]{Name: name, Usage: usage, Bool: true,
		Get: func(c *T) string { return strconv.FormatBool(*field(c)) },
		Set: func(c *T, s string) error {
			v, err := strconv.ParseBool(s)
			if err != nil {
				return fmt.Errorf("-%s %s: want true or false", name, s)
			}
			*field(c) = v
			return nil
		}}
}

// ChoiceParam is a Param of a bool field set by one of two words: no
// (false) or yes (true).
func ChoiceParam[T any](name, usage, no, yes string, field func(*T) *bool) Param[T] {
	return Param[T]{Name: name, Usage: usage,
		Get: func(c *T) string { return map[bool]string{false: no, true: yes}[*field(c)] },
		Set: func(c *T, s string) error {
			if s != no && s != yes {
				return fmt.Errorf("-%s %s: want %s or %s", name, s, no, yes)
			}
			*field(c) = s == yes
			return nil
		}}
}

// Float32 checks a value given to flag -name that is used as a float32:
// finite, >= 0 (or > 0 unless zeroOK), and, when not zero, a normal float32
// (a subnormal or smaller value would round to 0 or lose its precision).
func Float32(name string, v float64, zeroOK bool) (float32, error) {
	want := "want a finite value > 0"
	if zeroOK {
		want = "want a finite value >= 0"
	}
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v == 0 && !zeroOK:
		return 0, fmt.Errorf("-%s %v: %s", name, v, want)
	case v != 0 && v < 0x1p-126:
		return 0, fmt.Errorf("-%s %v: below the smallest normal float32 (%.4g), where it would round to 0 or lose precision; %s", name, v, 0x1p-126, want)
	case v > math.MaxFloat32:
		return 0, fmt.Errorf("-%s %v: above the largest float32 (%.4g)", name, v, math.MaxFloat32)
	}
	return float32(v), nil
}

// SeedParam is a Param of a uint64 seed.
func SeedParam[T any](name, usage string, field func(*T) *uint64) Param[T] {
	return Param[T]{Name: name, Usage: usage,
		Get: func(c *T) string { return strconv.FormatUint(*field(c), 10) },
		Set: func(c *T, s string) error {
			v, err := strconv.ParseUint(strings.TrimSpace(s), 0, 64)
			if err != nil {
				return fmt.Errorf("-%s %s: want an integer 0..%d", name, s, uint64(math.MaxUint64))
			}
			*field(c) = v
			return nil
		}}
}

// AddFlags registers one flag per setting of ps into fs (one table, several
// commands); def, when not nil, gives the defaults that -h shows. The flags
// keep their text: ApplyFlags parses and checks it after fs.Parse.
func AddFlags[T any](fs *flag.FlagSet, ps []Param[T], def *T) {
	for _, p := range ps {
		v := &textFlag{isBool: p.Bool}
		if def != nil && p.Get(def) != "0" && p.Get(def) != "false" {
			v.text = p.Get(def) // zeros are not shown, as the flag package does
		}
		fs.Var(v, p.Name, p.Usage)
	}
}

// Given returns the names of the flags set on the command line parsed by fs
// (none for a nil fs).
func Given(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	if fs != nil {
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	}
	return set
}

// ApplyFlags sets the fields of dst whose flags were given on the command
// line (registered by AddFlags), in the table's order; it returns the first
// value Set refuses.
func ApplyFlags[T any](fs *flag.FlagSet, ps []Param[T], dst *T) error {
	set := Given(fs)
	for _, p := range ps {
		if set[p.Name] {
			if err := p.Set(dst, fs.Lookup(p.Name).Value.String()); err != nil {
				return err
			}
		}
	}
	return nil
}

// textFlag is a flag.Value that keeps its text for a Param to parse.
type textFlag struct {
	text   string
	isBool bool
}

func (v *textFlag) String() string {
	if v == nil {
		return ""
	}
	return v.text
}

func (v *textFlag) Set(s string) error { v.text = s; return nil }

func (v *textFlag) IsBoolFlag() bool { return v.isBool }

// InputError is an error caused by what a job was given (the values of a
// command line's flags), not by the run: a command reports it as bad input
// (exit status 2).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// AsInputError wraps err in an *InputError; nil stays nil.
func AsInputError(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}
