package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// limitCase is a command line that must be refused as bad input (exit 2)
// with a message starting with want, before it writes anything.
type limitCase struct {
	args []string
	want string
}

func checkRefused(t *testing.T, dir string, cases []limitCase) {
	t.Helper()
	for _, c := range cases {
		code, _, stderr := runCmd(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%q: left %d entries in the folder (%s ...)", c.args, len(ents), ents[0].Name())
			for _, e := range ents {
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
	}
}

// TestThreadsCapped: -threads is capped at 4096 (rbm.MaxThreads) wherever it
// is read, as in train, sample and eval; the audit's values ran out of
// memory or panicked in a worker.
func TestThreadsCapped(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r")
	var cases []limitCase
	for _, n := range []string{"4097", "1000000000", "9223372036854775807", "-1"} {
		cases = append(cases,
			limitCase{[]string{"replicate", "-quick", "-o", out, "-threads", n}, "-threads " + n + ": want 0..4096"},
			limitCase{studyArgs("stage", out, "-K", "0.4", "-seeds", "1", "-threads", n, "0123456789abcdef"), "-threads " + n + ": want 0..4096"},
			limitCase{[]string{"sample", "-L", "8", "-n", "10", "-threads", n, "-o", filepath.Join(dir, "s.npy")}, "-threads " + n + ": want 0..4096"})
	}
	checkRefused(t, dir, cases)
}

// TestCouplingsCapped: every coupling flag takes 0 <= K <= 1000 (replicate.MaxCoupling;
// the lattice is frozen from K = 10), and every sampled one K <= 1.5
// (bitlattice.MaxSampleK); 1e308 gave ln Z = +Inf, 300-digit columns and
// file names too long for the file system.
func TestCouplingsCapped(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "o")
	want := "<= K <= 1000 (the lattice is frozen in its ground state"
	checkRefused(t, dir, []limitCase{
		{[]string{"exact", "-L", "8", "-beta", "1e308"}, "-beta 1e308: coupling 1e+308: want 0 " + want},
		{[]string{"exact", "-L", "8", "-beta", "0:2000:3"}, "-beta 0:2000:3: range end 2000: want 0 " + want},
		{[]string{"sample", "-L", "8", "-n", "10", "-beta", "1e308", "-o", filepath.Join(dir, "s.npy")}, "-beta 1e308: coupling 1e+308: want 0.0001 <= K <= 1.5 (above 1.5 the sampler's 24-bit acceptance thresholds"},
		{[]string{"sample", "-L", "8", "-n", "10", "-beta", "0.4,1.6", "-o", out}, "-beta 0.4,1.6: coupling 1.6: want 0.0001 <= K <= 1.5"},
		{[]string{"replicate", "-quick", "-o", out, "-K", "2"}, "-K 2: coupling 2: want 0.0001 <= K <= 1.5"},
		{[]string{"sample", "-beta", "1e300,1e301", "-o", out}, "-beta 1e300,1e301: coupling 1e+300"},
		{[]string{"replicate", "-quick", "-o", out, "-sweep", "1e308"}, "-sweep 1e308: coupling 1e+308"},
		{[]string{"replicate", "-quick", "-o", out, "-K", "1e308"}, "-K 1e308: coupling 1e+308"},
		{[]string{"replicate", "-quick", "-o", out, "-K", "1000.5"}, "-K 1000.5: coupling 1000.5"},
		{studyArgs("plan", out, "-K", "0.4,1e308"), "-K 0.4,1e308: coupling 1e+308"},
	})
	// The bound itself is fine: frozen, finite, no overflow.
	if code, stdout, stderr := runCmd("exact", "-L", "8", "-beta", "1000", "-json"); code != 0 || strings.Contains(stdout, "null") || strings.Contains(stdout, "Inf") {
		t.Errorf("exact -beta 1000: exit %d %s %s", code, stdout, stderr)
	}
}
