package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/rbm"
)

// TestRecipeFlags: the recipe flags registered from rbm.ConfigParams reach
// the model file's recipe (bool flags with and without a value, choices,
// lists), and -h lists every one of them.
func TestRecipeFlags(t *testing.T) {
	dir := t.TempDir()
	data := writeNpy(t, dir, "d.npy", "|u1", []int{40, 4, 4}, randomSpins(40, 16, 3))
	out := filepath.Join(dir, "m.npz")
	code, _, stderr := runCmd("train", "-data", data, "-layers", "3", "-epochs", "2", "-batch", "10", "-pcd", "-shuffle=false",
		"-l1-mode", "proximal", "-momentum", "0.3", "-seed", "7", "-next-layer", "samples", "-lr", "0.05", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, meta, err := rbm.LoadDBN(out)
	if err != nil {
		t.Fatal(err)
	}
	c := meta.Config
	if c.Epochs != 2 || c.Batch != 10 || !c.PCD || c.Shuffle || !c.L1Proximal || c.MomentumInitial != 0.3 || c.MomentumFinal != 0.3 ||
		c.Seed != 7 || !c.NextLayerSamples || c.LR != 0.05 || c.L1 != 2e-4 || c.Preset != "mehta-schwab" {
		t.Errorf("recipe %+v", *c)
	}
	_, help, _ := runCmd("train", "-h")
	for _, p := range rbm.ConfigParams() {
		if !strings.Contains(help, "-"+p.Name+" ") && !strings.Contains(help, "-"+p.Name+"\n") {
			t.Errorf("-h does not list -%s", p.Name)
		}
	}
	if !strings.Contains(help, "(default 0.5,0.9)") || !strings.Contains(help, "(default 200)") {
		t.Errorf("-h does not show the preset's defaults:\n%s", help)
	}
}

// flagCommands lists every command that takes flags, as its words on the
// command line: each command of the table, study by its subcommands.
func flagCommands() [][]string {
	var out [][]string
	for name := range commands {
		if name == "study" {
			out = append(out, []string{"study", "plan"}, []string{"study", "run"}, []string{"study", "stage"})
			continue
		}
		out = append(out, []string{name})
	}
	return out
}

// TestFlagErrors: a bad flag is one line on stderr, exit 2, for every
// command: the flag, what it wants, and where the flags are listed; the
// flag package's own message and the usage are not printed as well.
func TestFlagErrors(t *testing.T) {
	for _, cmd := range flagCommands() {
		name := strings.Join(cmd, " ")
		hint := "run 'isingrbm " + name + " -h' for the flags"
		if name == "version" {
			hint = "isingrbm version takes no flags"
		}
		code, stdout, stderr := runCmd(append(cmd, "-nosuch")...)
		want := "isingrbm " + name + ": -nosuch: unknown flag; " + hint + "\n"
		if code != 2 || stderr != want || stdout != "" {
			t.Errorf("%s -nosuch: exit %d, stdout %q, stderr %q; want 2 and %q", name, code, stdout, stderr, want)
		}
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"exact", "-L", "abc"}, "isingrbm exact: -L abc: want an integer (linear lattice size (L x L torus), 2..1048576); run 'isingrbm exact -h' for the flags\n"},
		{[]string{"exact", "-l", "8"}, "isingrbm exact: -l: unknown flag (did you mean -L?); run 'isingrbm exact -h' for the flags\n"},
		{[]string{"train", "-cd-k", "2"}, "isingrbm train: -cd-k: unknown flag (did you mean -cd?); run 'isingrbm train -h' for the flags\n"},
		{[]string{"train", "-lR", "2"}, "isingrbm train: -lR: unknown flag (did you mean -lr?); run 'isingrbm train -h' for the flags\n"},
		{[]string{"train", "-l", "2"}, "isingrbm train: -l: unknown flag; run 'isingrbm train -h' for the flags\n"},
		{[]string{"train", "-epoch", "2"}, "isingrbm train: -epoch: unknown flag (did you mean -epochs?); run 'isingrbm train -h' for the flags\n"},
		{[]string{"train", "-learning-rate", "2"}, "isingrbm train: -learning-rate: unknown flag; run 'isingrbm train -h' for the flags\n"},
		{[]string{"exact", "-json=maybe"}, "isingrbm exact: -json=maybe: want true or false; run 'isingrbm exact -h' for the flags\n"},
		{[]string{"exact", "---L", "8"}, "isingrbm exact: ---L: bad flag syntax, want -name value or -name=value; run 'isingrbm exact -h' for the flags\n"},
		{[]string{"exact", "8"}, "isingrbm exact: unexpected argument \"8\"; run 'isingrbm exact -h' for the flags\n"},
		{[]string{"eval", "-max-samples"}, "isingrbm eval: -max-samples needs a value: an integer (evaluate a seeded random subset of this many samples (0: all)); run 'isingrbm eval -h' for the flags\n"},
		{[]string{"train", "-o"}, "isingrbm train: -o needs a value: output model file (.npz)"},
		{[]string{"study", "stage", "-threads", "x", "k"}, "isingrbm study stage: -threads x: want an integer (worker threads"},
		{[]string{"study", "-x"}, "isingrbm study: unknown subcommand \"-x\", want plan, run or stage; run 'isingrbm study -h' for the usage\n"},
	}
	for _, c := range cases {
		code, _, stderr := runCmd(c.args...)
		if code != 2 || !strings.HasPrefix(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}
