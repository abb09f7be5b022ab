package param

import (
	"errors"
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
	return fmt.Errorf("-%s %d: %s", name, v, wantInt(lo, hi, why))
}

// wantInt is what CheckInt's messages say an int must be: "want 1..100000
// (Gibbs steps)", or "want >= 0" with no upper bound.
func wantInt(lo, hi int, why string) string {
	want := fmt.Sprintf("want %d..%d", lo, hi)
	if hi == math.MaxInt {
		want = fmt.Sprintf("want >= %d", lo)
	}
	if why != "" {
		want += " (" + why + ")"
	}
	return want
}

// leadingZeroWant is what an integer with a leading 0 is refused for.
const leadingZeroWant = "want an integer without a leading 0 (Go reads 010 as octal 8): write 10, or 0o10 for octal"

// leadingZero reports whether s (spaces around it aside) is an integer
// with a leading 0 and no base prefix ("010", "-08", "0_7"): Go's syntax,
// which strconv and the flag package follow, reads it as octal, so that
// "-seed 010" would have run seed 8. Such a value is refused (0x, 0o and
// 0b prefixes are taken).
func leadingZero(s string) bool {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return len(s) > 1 && s[0] == '0' && (s[1] >= '0' && s[1] <= '9' || s[1] == '_')
}

// IntVar defines an int flag of fs, as fs.IntVar does, whose value must be
// an integer of Go's syntax without a leading 0 (leadingZero): Parse
// refuses "-L 010" rather than run L = 8.
func IntVar(fs *flag.FlagSet, p *int, name string, value int, usage string) {
	*p = value
	fs.Var((*intFlag)(p), name, usage)
}

// Int is IntVar returning the address of the value.
func Int(fs *flag.FlagSet, name string, value int, usage string) *int {
	p := new(int)
	IntVar(fs, p, name, value, usage)
	return p
}

// intFlag is the flag.Value of IntVar.
type intFlag int

func (v *intFlag) String() string { return strconv.Itoa(int(*v)) }
func (v *intFlag) Get() any       { return int(*v) }
func (v *intFlag) Set(s string) error {
	if leadingZero(s) {
		return errors.New(leadingZeroWant)
	}
	x, err := strconv.ParseInt(s, 0, strconv.IntSize)
	if err != nil {
		return err
	}
	*v = intFlag(x)
	return nil
}

// IntParam is a Param of an int field that must lie in [lo, hi].
func IntParam[T any](name, usage string, lo, hi int, why string, field func(*T) *int) Param[T] {
	return Param[T]{Name: name, Usage: usage,
		Get: func(c *T) string { return strconv.Itoa(*field(c)) },
		Set: func(c *T, s string) error {
			if leadingZero(s) {
				return fmt.Errorf("-%s %s: %s", name, s, leadingZeroWant)
			}
			v, err := strconv.ParseInt(strings.TrimSpace(s), 0, strconv.IntSize)
			if errors.Is(err, strconv.ErrRange) {
				// An integer beyond int's range: the bounds, with the value as given.
				return fmt.Errorf("-%s %s: %s", name, s, wantInt(lo, hi, why))
			}
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
			v, err := strconv.ParseBool(strings.TrimSpace(s))
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

// Bounds is the interval a float setting must lie in: from Lo to Hi, each
// end included unless LoOpen or HiOpen; Hi may be +Inf (no upper bound).
// Why, when not empty, explains the bounds in messages.
type Bounds struct {
	Lo, Hi         float64
	LoOpen, HiOpen bool
	Why            string
}

// Contains reports whether x lies within b (never for NaN or an infinity).
func (b Bounds) Contains(x float64) bool {
	return !math.IsInf(x, 0) && (x > b.Lo || x == b.Lo && !b.LoOpen) && (x < b.Hi || x == b.Hi && !b.HiOpen)
}

// String is the interval in the usual notation: "(0, 10]", "[0, +Inf)".
func (b Bounds) String() string {
	lo, hi := "[", "]"
	if b.LoOpen {
		lo = "("
	}
	if b.HiOpen || math.IsInf(b.Hi, 1) {
		hi = ")"
	}
	return fmt.Sprintf("%s%g, %g%s", lo, b.Lo, b.Hi, hi)
}

// what is what a value must be: "a number in (0, 10] (why)".
func (b Bounds) what() string {
	w := "a number in " + b.String()
	if b.Why != "" {
		w += " (" + b.Why + ")"
	}
	return w
}

// A floating-point type a bounded value is stored in: its name in
// messages, its smallest normal and its largest finite value.
type floatKind struct {
	name           string
	minNormal, max float64
}

var (
	kind32 = floatKind{"float32", 0x1p-126, math.MaxFloat32}
	kind64 = floatKind{"float64", 0x1p-1022, math.MaxFloat64}
)

// parseFloat parses s as a number within b that is 0 or a normal number of
// kind k: a nonzero literal too small for one (1e-40 for a float32, or
// 1e-400, which strconv.ParseFloat rounds to 0 without an error) would
// round to 0 or lose its precision. The value rounded to k must lie within
// b too (0.99999999 rounds to 1 as a float32, outside [0, 1)). When s is
// refused it returns what was wanted, for a message that names the flag
// and the value before it.
func parseFloat(s string, b Bounds, k floatKind) (float64, string) {
	t := strings.TrimSpace(s)
	x, err := strconv.ParseFloat(t, 64)
	// A nonzero literal that underflowed to 0 is checked against b as the
	// tiny number of its sign it stands for.
	underflow := err == nil && x == 0 && nonzeroLiteral(t)
	y := x
	if underflow {
		y = math.Copysign(math.SmallestNonzeroFloat64, x)
	}
	switch {
	case err != nil || !b.Contains(y):
		return 0, "want " + b.what()
	case underflow || x != 0 && math.Abs(x) < k.minNormal:
		return 0, k.belowNormal() + "; want " + b.what()
	case math.Abs(x) > k.max:
		return 0, k.aboveLargest() + "; want " + b.what()
	case k == kind32 && !b.Contains(float64(float32(x))):
		return 0, fmt.Sprintf("rounds to %g as a %s; want %s", float32(x), k.name, b.what())
	}
	return x, ""
}

// aboveLargest is why a value beyond k's largest finite value is refused.
func (k floatKind) aboveLargest() string {
	return fmt.Sprintf("above the largest %s (%.4g)", k.name, k.max)
}

// Overflow64 is, for a number that strconv.ParseFloat read as x with
// error err, why x cannot stand for it, in Float32's words, or "" when it
// can: a literal beyond float64's range (1e400) reads as an infinity with
// strconv.ErrRange. "Inf" written out reads without an error and is left
// to the caller's bounds. Parsers of their own (lists and ranges of
// couplings) check each number with it, as with BelowNormal64.
func Overflow64(x float64, err error) string {
	if math.IsInf(x, 0) && errors.Is(err, strconv.ErrRange) {
		return kind64.aboveLargest()
	}
	return ""
}

// belowNormal is why a nonzero value below k's smallest normal is refused.
func (k floatKind) belowNormal() string {
	return fmt.Sprintf("below the smallest normal %s (%.4g), where it would round to 0 or lose precision", k.name, k.minNormal)
}

// BelowNormal64 is, for a number s that strconv.ParseFloat reads as x
// without an error, why x cannot stand for s, in Float64's words, or ""
// when it can: s is a nonzero literal below the smallest normal float64,
// which rounds to 0 (1e-400 and 0x1p-2000 read as 0 without an error) or
// loses precision (1e-310). Parsers of their own (lists and ranges of
// couplings) check each number with it.
func BelowNormal64(s string, x float64) string {
	t := strings.TrimSpace(s)
	if x == 0 && nonzeroLiteral(t) || x != 0 && math.Abs(x) < kind64.minNormal {
		return kind64.belowNormal()
	}
	return ""
}

// nonzeroLiteral reports whether t, a literal that strconv.ParseFloat
// reads, has a digit other than 0 before its exponent ("1e-400",
// "0x1p-2000"; not "0", "-0.0e5" or "0x0p1").
func nonzeroLiteral(t string) bool {
	t = strings.TrimLeft(t, "+-")
	exp := "eE"
	if len(t) > 1 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		t, exp = t[2:], "pP"
	}
	if i := strings.IndexAny(t, exp); i >= 0 {
		t = t[:i]
	}
	return strings.ContainsAny(t, "123456789abcdefABCDEF")
}

// Float32 parses s, the value given to flag -name, as a float32 within b
// that is 0 or a normal float32 (a nonzero value too small for one would
// round to 0 or lose its precision). Every error names the flag, the value
// as given and the bounds: "-lr 20: want a number in (0, 10] (why)".
func Float32(name, s string, b Bounds) (float32, error) {
	x, want := parseFloat(s, b, kind32)
	if want != "" {
		return 0, fmt.Errorf("-%s %s: %s", name, s, want)
	}
	return float32(x), nil
}

// Float64 is Float32 for a setting stored as a float64: 0 or a normal
// float64 within b.
func Float64(name, s string, b Bounds) (float64, error) {
	x, want := parseFloat(s, b, kind64)
	if want != "" {
		return 0, fmt.Errorf("-%s %s: %s", name, s, want)
	}
	return x, nil
}

// Float32s parses s, the value given to flag -name, as a list of 1 to n
// float32s separated by commas, each as Float32 takes it. An error names
// the flag, the list as given and, when it has several values, the one
// refused, quoted: -momentum 0.5,1: "1": want a number in [0, 1) (why).
func Float32s(name, s string, n int, b Bounds) ([]float32, error) {
	parts := strings.Split(s, ",")
	if len(parts) > n {
		return nil, fmt.Errorf("-%s %s: %d values, want at most %d separated by commas, each %s", name, s, len(parts), n, b.what())
	}
	out := make([]float32, len(parts))
	for i, p := range parts {
		x, want := parseFloat(p, b, kind32)
		switch {
		case want != "" && len(parts) == 1:
			return nil, fmt.Errorf("-%s %s: %s", name, s, want)
		case want != "":
			return nil, fmt.Errorf("-%s %s: %q: %s", name, s, strings.TrimSpace(p), want)
		}
		out[i] = float32(x)
	}
	return out, nil
}

// Float32Param is a Param of a float32 field within b (see Float32).
func Float32Param[T any](name, usage string, b Bounds, field func(*T) *float32) Param[T] {
	return Param[T]{Name: name, Usage: usage,
		Get: func(c *T) string { return strconv.FormatFloat(float64(*field(c)), 'g', -1, 32) },
		Set: func(c *T, s string) error {
			x, err := Float32(name, s, b)
			if err == nil {
				*field(c) = x
			}
			return err
		}}
}

// Float64Param is a Param of a float64 field within b (see Float64).
func Float64Param[T any](name, usage string, b Bounds, field func(*T) *float64) Param[T] {
	return Param[T]{Name: name, Usage: usage,
		Get: func(c *T) string { return strconv.FormatFloat(*field(c), 'g', -1, 64) },
		Set: func(c *T, s string) error {
			x, err := Float64(name, s, b)
			if err == nil {
				*field(c) = x
			}
			return err
		}}
}

// SeedParam is a Param of a uint64 seed.
func SeedParam[T any](name, usage string, field func(*T) *uint64) Param[T] {
	return Param[T]{Name: name, Usage: usage,
		Get: func(c *T) string { return strconv.FormatUint(*field(c), 10) },
		Set: func(c *T, s string) error {
			if leadingZero(s) {
				return fmt.Errorf("-%s %s: %s", name, s, leadingZeroWant)
			}
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
