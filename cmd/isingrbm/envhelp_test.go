package main

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// badEnv are values of the environment variables every command obeys that
// a run refuses, with what the message must say they want.
var badEnv = []struct{ env, want string }{
	{"ISINGRBM_KERNELS=bogus", "no such kernel implementation (this CPU and build can run: "},
	{"ISINGRBM_MAX_MEMORY=lots", "want a positive number of bytes"},
}

// TestHelpWhateverTheEnvironment: help (-h, help CMD, help study SUB, -h
// alone) and version's report print the same on stdout and exit 0
// whatever the environment holds, with one line of warning on stderr
// naming a bad variable; a real run of every other command with that value
// still exits 2 with a message naming the variable and what it wants,
// before any work. The binary runs in a child process: ISINGRBM_KERNELS is
// read when the program starts.
func TestHelpWhateverTheEnvironment(t *testing.T) {
	bin, _ := advBinary(t)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	helps := [][]string{{"-h"}, {"help"}}
	for _, n := range names {
		helps = append(helps, []string{n, "-h"}, []string{"help", n})
	}
	for _, sub := range []string{"plan", "run", "stage"} {
		helps = append(helps, []string{"study", sub, "-h"}, []string{"help", "study", sub})
	}
	// version is a diagnostic: its report is what one reads to mend a bad
	// ISINGRBM_KERNELS (which changes no kernel), so it is printed, as
	// help is.
	// ISINGRBM_KERNELS is cleared: version reports a forced value.
	unset := "ISINGRBM_KERNELS="
	for _, args := range append(helps, []string{"version"}) {
		clean := runAdv(t, bin, args, []string{unset}, 0, 0, 30*time.Second)
		if clean.code != 0 || !strings.Contains(clean.stdout, "usage: isingrbm") && args[0] != "version" || clean.stdout == "" || clean.stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, clean.code, clean.stdout, clean.stderr)
			continue
		}
		for _, e := range badEnv {
			r := runAdv(t, bin, args, []string{unset, e.env}, 0, 0, 30*time.Second)
			if r.code != 0 || r.stdout != clean.stdout {
				t.Errorf("%s %v: exit %d, stdout %q; want 0 and the same stdout as without it", e.env, args, r.code, r.stdout)
			}
			if !strings.HasPrefix(r.stderr, "isingrbm: warning: "+e.env+": ") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("%s %v: stderr %q, want one line of warning naming the variable", e.env, args, r.stderr)
			}
		}
	}
	out := t.TempDir()
	// Runs that would do work (or fail for another reason) without the
	// check of the environment.
	runs := map[string][]string{
		"eval":      {"eval", "-model", filepath.Join(out, "m.npz"), "-data", filepath.Join(out, "d.npy")},
		"exact":     {"exact", "-L", "2", "-beta", "0.3"},
		"replicate": {"replicate", "-quick", "-o", filepath.Join(out, "r")},
		"sample":    {"sample", "-L", "4", "-n", "10", "-o", filepath.Join(out, "s.npy")},
		"study":     {"study", "plan", "-quick", "-o", filepath.Join(out, "st")},
		"train":     {"train", "-data", filepath.Join(out, "d.npy"), "-o", filepath.Join(out, "m.npz")},
	}
	for _, n := range names {
		args, ok := runs[n]
		if n == "version" {
			continue // above
		}
		if !ok {
			t.Errorf("command %s has no run here", n)
			continue
		}
		for _, e := range badEnv {
			r := runAdv(t, bin, args, []string{e.env}, 0, 0, 30*time.Second)
			if r.code != 2 || !strings.Contains(r.stderr, e.env+": "+e.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Errorf("%s %v: exit %d, stdout %q, stderr %q; want 2 and one line naming the variable", e.env, args, r.code, r.stdout, r.stderr)
			}
		}
	}
	// A value that can be obeyed is reported, without a warning.
	if r := runAdv(t, bin, []string{"version"}, []string{"ISINGRBM_KERNELS=generic"}, 0, 0, 30*time.Second); r.code != 0 ||
		!strings.Contains(r.stdout, "\nISINGRBM_KERNELS=generic: kernels forced\n") || r.stderr != "" {
		t.Errorf("ISINGRBM_KERNELS=generic version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if left := listTree(out); len(left) != 0 {
		t.Errorf("runs refused for the environment left %v", left)
	}
}
