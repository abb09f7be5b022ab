package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"github.com/isingrbm/isingrbm/core/npy"
)

// runCmd runs the command line in process and returns exit status and output.
func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUnknownCommand(t *testing.T) {
	if code, _, stderr := runCmd("nonesuch"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// TestHelpCommand checks that "help CMD" prints the flags of CMD, as
// "CMD -h" does, and that help for an unknown command is bad input.
func TestHelpCommand(t *testing.T) {
	for _, name := range []string{"eval", "train", "sample", "replicate", "study", "exact", "version"} {
		code, stdout, _ := runCmd("help", name)
		wcode, want, _ := runCmd(name, "-h")
		if code != wcode || stdout != want || !strings.Contains(stdout, "usage: isingrbm "+name) {
			t.Errorf("help %s: exit %d, stdout %q; %s -h: exit %d, stdout %q", name, code, stdout, name, wcode, want)
		}
	}
	for _, sub := range []string{"plan", "run", "stage"} {
		code, stdout, _ := runCmd("help", "study", sub)
		_, want, _ := runCmd("study", sub, "-h")
		if code != 0 || stdout != want || !strings.Contains(stdout, "usage: isingrbm study "+sub+" [flags]") {
			t.Errorf("help study %s: exit %d, stdout %q", sub, code, stdout)
		}
	}
	if code, _, stderr := runCmd("help", "nonesuch"); code != 2 || !strings.Contains(stderr, `unknown command "nonesuch"`) {
		t.Errorf("help nonesuch: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{{"help"}, {"help", "help"}} {
		if code, stdout, _ := runCmd(args...); code != 0 || !strings.Contains(stdout, "commands:") {
			t.Errorf("%v: exit %d, stdout %q", args, code, stdout)
		}
	}
}

// TestHelpStreams: help that was asked for (isingrbm -h, --help, help,
// CMD -h, help CMD) goes to stdout with exit 0 and nothing on stderr; usage
// printed because of an error (no command, help for an unknown command)
// goes to stderr with exit 2 and nothing on stdout.
func TestHelpStreams(t *testing.T) {
	asked := [][]string{{"-h"}, {"-help"}, {"--help"}, {"help"}, {"help", "help"}, {"study", "--help"}, {"study", "help"}, {"help", "study", "plan"}}
	for _, cmd := range flagCommands() {
		asked = append(asked, append(cmd, "-h"), append(cmd, "--help"), append([]string{"help"}, cmd...))
	}
	for _, args := range asked {
		code, stdout, stderr := runCmd(args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "usage: isingrbm") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and the usage on stdout", args, code, stdout, stderr)
		}
	}
	for _, args := range [][]string{{}, {"help", "nosuch"}, {"--nosuch"}, {"help", "study", "nosuch"}, {"help", "train", "extra"}, {"help", "study", "plan", "extra"}} {
		code, stdout, stderr := runCmd(args...)
		if code != 2 || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and a message on stderr", args, code, stdout, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd("version")
	if code != 0 || !strings.Contains(out, "cpu:") || !strings.Contains(out, "kernel ") {
		t.Fatalf("exit %d, output %q", code, out)
	}
}

// TestSampleBadInput checks that every kind of bad input gives exit status
// 2, a message naming the flag, and no output file.
func TestSampleBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.npy")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-L", "1"}, "-L"},
		{[]string{"-L", "-3"}, "-L"},
		{[]string{"-beta", "-0.1"}, "-beta"},
		{[]string{"-beta", "NaN"}, "-beta"},
		{[]string{"-beta", "Inf"}, "-beta"},
		{[]string{"-beta", "0.2:0.4"}, "-beta"},
		{[]string{"-beta", "abc"}, "-beta"},
		{[]string{"-n", "0"}, "-n"},
		{[]string{"-n", "-5"}, "-n"},
		{[]string{"-L", "30000", "-n", "100000"}, "GiB"},
		{[]string{"-threads", "-1"}, "-threads"},
		{[]string{"-nonesuch"}, "nonesuch"},
	}
	for _, c := range cases {
		args := append([]string{"sample", "-o", out}, c.args...)
		code, _, stderr := runCmd(args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q (want status 2 naming %s)", c.args, code, stderr, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%v: left an output file", c.args)
		}
	}
	// An unwritable output: a folder that does not exist.
	code, _, stderr := runCmd("sample", "-L", "4", "-n", "3", "-o", filepath.Join(dir, "no", "such", "x.npy"))
	if code != 2 || !strings.Contains(stderr, "-o") {
		t.Errorf("missing folder: exit %d, stderr %q", code, stderr)
	}
	// No stray temporary files.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("left files behind: %v", ents)
	}
}

func TestSampleWritesNpy(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ising.npy")
	code, stdout, stderr := runCmd("sample", "-L", "8", "-beta", "0.3", "-n", "300", "-seed", "7", "-o", out, "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var reps []bitlattice.Report
	if err := json.Unmarshal([]byte(stdout), &reps); err != nil || len(reps) != 1 {
		t.Fatalf("bad JSON %q: %v", stdout, err)
	}
	r := reps[0]
	if r.L != 8 || r.K != 0.3 || r.N != 300 || r.TauEnergy <= 0 || r.FlipsPerNs <= 0 || r.KernelFlipsPerNs < r.FlipsPerNs {
		t.Fatalf("report %+v", r)
	}
	if want := exact.Energy(8, 0.3); float64(r.ExactEnergy) != want {
		t.Fatalf("exact energy %v, want %v", r.ExactEnergy, want)
	}
	// 300 independent replicas: the measured energy must agree with the
	// exact value within 5 of its standard errors.
	if math.Abs(float64(r.Energy-r.ExactEnergy)) > 5*float64(r.EnergyErr) {
		t.Fatalf("energy %v +/- %v, exact %v", r.Energy, r.EnergyErr, r.ExactEnergy)
	}
	a, err := npy.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if a.Descr != "|u1" || len(a.Shape) != 3 || a.Shape[0] != 300 || a.Shape[1] != 8 || a.Shape[2] != 8 {
		t.Fatalf("array %s %v", a.Descr, a.Shape)
	}
	v, err := a.Uint8()
	if err != nil {
		t.Fatal(err)
	}
	// Energy per spin of the written configurations equals the reported mean.
	var sum float64
	for s := 0; s < 300; s++ {
		c := v[s*64 : (s+1)*64]
		for i := 0; i < 8; i++ {
			for j := 0; j < 8; j++ {
				si := 2*float64(c[i*8+j]) - 1
				sum -= si * (2*float64(c[i*8+(j+1)%8]) - 1)
				sum -= si * (2*float64(c[((i+1)%8)*8+j]) - 1)
			}
		}
	}
	if u := sum / 64 / 300; math.Abs(u-float64(r.Energy)) > 1e-9 {
		t.Fatalf("written configurations have u = %v, report says %v", u, r.Energy)
	}
	// Same seed, same file.
	out2 := filepath.Join(dir, "again.npy")
	if code, _, stderr := runCmd("sample", "-L", "8", "-beta", "0.3", "-n", "300", "-seed", "7", "-o", out2, "-threads", "1"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b1, _ := os.ReadFile(out)
	b2, _ := os.ReadFile(out2)
	if !bytes.Equal(b1, b2) {
		t.Fatal("the same seed gave different samples")
	}
}

func TestSampleSeveralCouplings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	code, _, stderr := runCmd("sample", "-L", "4", "-beta", "0.2:0.4:3", "-n", "50", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, name := range []string{"beta_0.2000.npy", "beta_0.3000.npy", "beta_0.4000.npy"} {
		if _, err := npy.ReadFile(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestExact(t *testing.T) {
	code, out, stderr := runCmd("exact", "-L", "40", "-beta", "0.408", "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r exact.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if float64(r.Energy) != exact.Energy(40, 0.408) || float64(r.SpecificHeat) != exact.SpecificHeat(40, 0.408) {
		t.Fatalf("%+v", r)
	}
	if code, _, _ := runCmd("exact", "-L", "1"); code != 2 {
		t.Fatalf("-L 1: exit %d", code)
	}
}

// failWriter fails every write, as a full disk does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestOutputWriteErrors: output that cannot be written fails the run, also
// from help and version, which print without checking (they exited 0).
func TestOutputWriteErrors(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"help"}, {"train", "-h"}, {"help", "sample"}, {"exact", "-L", "2", "-beta", "0.3"}} {
		var errb bytes.Buffer
		if code := run(args, failWriter{}, &errb); code != 1 || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("%v to a full disk: exit %d, stderr %q; want 1 and the write error", args, code, errb.String())
		}
	}
}
