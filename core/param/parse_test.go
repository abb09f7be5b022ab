package param

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

// TestParse: one message per bad flag, naming it and what it wants, as an
// *InputError; near names suggested; the positional argument returned.
func TestParse(t *testing.T) {
	newFS := func() *flag.FlagSet {
		fs := flag.NewFlagSet("isingrbm t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Int("epochs", 1, "epochs")
		fs.Float64("lr", 0.1, "learning rate")
		fs.Bool("json", false, "JSON")
		return fs
	}
	for _, c := range []struct {
		args       []string
		positional string
		want       string // error prefix, or the positional argument
	}{
		{[]string{"-epoch", "2"}, "", "-epoch: unknown flag (did you mean -epochs?); run 'isingrbm t -h' for the flags"},
		{[]string{"-LR", "2"}, "", "-LR: unknown flag (did you mean -lr?)"},
		{[]string{"-x", "2"}, "", "-x: unknown flag; run"},
		{[]string{"-epochs", "x"}, "", "-epochs x: want an integer (epochs)"},
		{[]string{"-lr"}, "", "-lr needs a value: a number (learning rate)"},
		{[]string{"-json=maybe"}, "", "-json=maybe: want true or false"},
		{[]string{"a"}, "", `unexpected argument "a"`},
		{nil, "KEY", "want a KEY after the flags"},
		{[]string{"a", "b"}, "KEY", `want one KEY after the flags, got "a b"`},
	} {
		_, err := Parse(newFS(), c.args, c.positional)
		var ie *InputError
		if err == nil || !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%v: %v, want an input error starting %q", c.args, err, c.want)
		}
	}
	if got, err := Parse(newFS(), []string{"-epochs", "3", "k1"}, "KEY"); err != nil || got != "k1" {
		t.Errorf("positional: %q %v", got, err)
	}
	if d := editDistance("cdk", "cd"); d != 1 {
		t.Errorf("editDistance(cdk, cd) = %d", d)
	}
}
