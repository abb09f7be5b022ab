package param

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// inputErrorf is an *InputError with a formatted message.
func inputErrorf(format string, args ...any) error {
	return AsInputError(fmt.Errorf(format, args...))
}

// Parse parses args with fs (made with flag.ContinueOnError) and returns
// the one positional argument after the flags, named positional in
// messages ("" when the command takes none). The flag package prints
// nothing: a bad flag is one *InputError that names the flag and what it
// wants and says where the flags are listed; -h prints fs.Usage on
// fs.Output() and returns flag.ErrHelp.
func Parse(fs *flag.FlagSet, args []string, positional string) (string, error) {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return "", err
	}
	if err != nil {
		return "", inputErrorf("%s; %s", flagError(fs, err), flagsHint(fs))
	}
	switch {
	case positional == "" && fs.NArg() > 0:
		return "", inputErrorf("unexpected argument %q; %s", fs.Arg(0), flagsHint(fs))
	case positional == "":
		return "", nil
	case fs.NArg() == 0:
		return "", inputErrorf("want a %s after the flags", positional)
	case fs.NArg() > 1:
		return "", inputErrorf("want one %s after the flags, got %q", positional, strings.Join(fs.Args(), " "))
	}
	return fs.Arg(0), nil
}

// flagError rewrites an error of fs.Parse (the flag package's own words)
// as a message that names the flag and what it wants.
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	cut := func(prefix string) (string, bool) { return strings.CutPrefix(msg, prefix) }
	if name, ok := cut("flag provided but not defined: -"); ok {
		s := fmt.Sprintf("-%s: unknown flag", name)
		if near := nearFlags(fs, name); len(near) > 0 {
			s += fmt.Sprintf(" (did you mean -%s?)", strings.Join(near, " or -"))
		}
		return s
	}
	if name, ok := cut("flag needs an argument: -"); ok {
		if f := fs.Lookup(name); f != nil {
			return fmt.Sprintf("-%s needs a value: %s", name, flagWant(f))
		}
	}
	var value, name string
	if n, _ := fmt.Sscanf(msg, "invalid boolean value %q for -%s", &value, &name); n == 2 {
		return fmt.Sprintf("-%s=%s: want true or false", strings.TrimSuffix(name, ":"), value)
	}
	if n, _ := fmt.Sscanf(msg, "invalid value %q for flag -%s", &value, &name); n == 2 {
		name = strings.TrimSuffix(name, ":")
		if strings.HasSuffix(msg, ": "+leadingZeroWant) {
			return fmt.Sprintf("-%s %s: %s", name, value, leadingZeroWant)
		}
		if f := fs.Lookup(name); f != nil {
			return fmt.Sprintf("-%s %s: want %s", name, value, flagWant(f))
		}
	}
	if s, ok := cut("bad flag syntax: "); ok {
		return fmt.Sprintf("%s: bad flag syntax, want -name value or -name=value", s)
	}
	return msg
}

// nearFlags lists the flags of fs whose names are closest to name, when
// close: equal up to case, dashes and underscores, or after that one edit
// away for names of three to five letters and two from six on (-l for -L,
// -lR for -lr, -cd-k for -cd, -epoch for -epochs).
func nearFlags(fs *flag.FlagSet, name string) []string {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s))
	}
	n := norm(name)
	best := 0 // the largest distance suggested
	switch {
	case len(n) >= 6:
		best = 2
	case len(n) >= 3:
		best = 1
	}
	var near []string
	fs.VisitAll(func(f *flag.Flag) {
		switch d := editDistance(n, norm(f.Name)); {
		case d < best:
			best, near = d, []string{f.Name}
		case d == best:
			near = append(near, f.Name)
		}
	})
	return near
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// flagWant says what flag f takes: the kind of value and its help text.
func flagWant(f *flag.Flag) string {
	want := ""
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case int, int64, uint, uint64:
			want = "an integer"
		case float64:
			want = "a number"
		case bool:
			want = "true or false"
		case time.Duration:
			want = "a duration (e.g. 5s)"
		}
	}
	if want == "" {
		return f.Usage
	}
	return want + " (" + f.Usage + ")"
}

// flagsHint tells where the flags of fs's command are listed.
func flagsHint(fs *flag.FlagSet) string {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return fs.Name() + " takes no flags"
	}
	return fmt.Sprintf("run '%s -h' for the flags", fs.Name())
}
