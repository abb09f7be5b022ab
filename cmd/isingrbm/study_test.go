package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/core/study"
	"github.com/isingrbm/isingrbm/core/study/studytest"
)

// tinyStudy are the flags of a study small enough for tests: -quick sizes
// cut further (L = 8, 300 samples, layers 16,4, 2 epochs, two networks).
var tinyStudy = []string{"-quick", "-L", "8", "-n", "300", "-layers", "16,4", "-epochs", "2", "-sklearn-epochs", "2",
	"-networks", "mehta-schwab,sklearn", "-sweep", "0.3,0.5", "-sweep-n", "100", "-ais-runs", "4", "-ais-steps", "20,20,20",
	"-analysis-samples", "200", "-flow-steps", "1"}

func studyArgs(sub, dir string, extra ...string) []string {
	args := append([]string{"study", sub, "-o", dir}, tinyStudy...)
	return append(args, extra...)
}

func TestStudyBadInput(t *testing.T) {
	dir := t.TempDir()
	fakeBin := t.TempDir()
	calls := filepath.Join(fakeBin, "calls")
	for _, p := range []string{"sbatch", "squeue", "scancel"} {
		script := fmt.Sprintf("#!/bin/sh\necho %s \"$@\" >> %s\necho 1\n", p, calls)
		if err := os.WriteFile(filepath.Join(fakeBin, p), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	spec := filepath.Join(dir, "spec.json")
	os.WriteFile(spec, []byte(`{"settings": {}, "couplings": [0.4], "seeds": [1], "extra": 1}`), 0o644)
	cases := []struct {
		args []string
		path string // PATH, if set
		want string
	}{
		{[]string{"study"}, "", "want a subcommand"},
		{[]string{"study", "frob"}, "", `unknown subcommand "frob"`},
		{studyArgs("stage", dir, "nope"), "", `unknown stage key "nope"`},
		{studyArgs("stage", dir), "", "want a stage KEY"},
		{studyArgs("stage", dir, "a", "b"), "", "want one stage KEY"},
		{studyArgs("plan", dir, "-K", "-0.1"), "", "-K"},
		{studyArgs("plan", dir, "-K", "0.3,0.3"), "", "-K"},
		{studyArgs("plan", dir, "-seeds", "3-1"), "", "-seeds"},
		{studyArgs("plan", dir, "-seeds", "1,x"), "", "-seeds"},
		{studyArgs("plan", dir, "-seeds", "2,2"), "", "twice"},
		{studyArgs("plan", dir, "-train-seeds", "0"), "", "-train-seeds"},
		{studyArgs("plan", dir, "-L", "1"), "", "-L"},
		{studyArgs("plan", dir, "-spec", spec), "", "-spec: give either"},
		{[]string{"study", "plan", "-spec", spec}, "", "unknown field"},
		{[]string{"study", "stage", "-spec", filepath.Join(dir, "none.json"), "k"}, "", "-spec"},
		{studyArgs("run", dir, "-wait"), "", "-wait: only with -slurm"},
		{studyArgs("run", dir, "-cores", "-1"), "", "-cores"},
		{studyArgs("run", dir, "-slurm"), t.TempDir(), "sbatch is not in PATH"},
		{studyArgs("run", "/proc/isingrbm-study", "-slurm"), fakeBin, "cannot create folder /proc/isingrbm-study"},
		{studyArgs("run", filepath.Join(spec, "x"), "-slurm"), fakeBin, "cannot create folder"},
		{studyArgs("run", dir, "-slurm", "-binary", filepath.Join(dir, "none")), fakeBin, "-binary"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[1:min(4, len(c.args))], " ")+" "+c.want, func(t *testing.T) {
			if c.path != "" {
				t.Setenv("PATH", c.path)
			}
			code, _, stderr := runCmd(c.args...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, c.want)
			}
			// The message (one line, after study's usage when no
			// subcommand is given) names the subcommand, as other
			// commands' name the command; study's own errors name study.
			prefix, lines := "isingrbm study: ", strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			if len(c.args) > 1 && c.args[1] != "frob" {
				prefix = "isingrbm study " + c.args[1] + ": "
			}
			if !strings.HasPrefix(lines[len(lines)-1], prefix) || len(lines) > 1 && len(c.args) > 1 {
				t.Errorf("stderr %q, want one line starting %q", stderr, prefix)
			}
			if b, err := os.ReadFile(calls); err == nil {
				t.Fatalf("Slurm was called:\n%s", b)
			}
			for _, d := range []string{"bin", "specs", "runs", "slurm"} {
				if _, err := os.Stat(filepath.Join(dir, d)); err == nil {
					t.Fatalf("%s written in the study folder", d)
				}
			}
		})
	}
}

// TestStudyPlan checks that plan prints the graph of the flags as JSON and
// as text and writes nothing (study.TestWritePlan checks the graph).
func TestStudyPlan(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runCmd(studyArgs("plan", dir, "-K", "0.3,0.44", "-seeds", "1-3", "-json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var p struct {
		Runs   []study.RunInfo
		Totals study.Totals
		Stages []study.Stage
		Done   []string
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Runs) != 6 || p.Totals.Stages != len(p.Stages) || len(p.Done) != 0 || p.Totals.CoreHours <= 0 {
		t.Fatalf("plan: %d runs, totals %+v, %d stages, %d done", len(p.Runs), p.Totals, len(p.Stages), len(p.Done))
	}
	code, out, _ = runCmd(studyArgs("plan", dir, "-K", "0.3,0.44", "-seeds", "1-3")...)
	if code != 0 || !strings.Contains(out, "core-hours") || !strings.Contains(out, p.Stages[0].Key) || !strings.Contains(out, "outputs: ") {
		t.Errorf("text plan:\n%s", out)
	}
	// Writing nothing: plan only reads.
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("plan wrote %d entries", len(entries))
	}
}

// buildIsingrbm builds this command into dir (Slurm jobs run it).
func buildIsingrbm(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "isingrbm")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func runBin(t *testing.T, bin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, args...)
	dieWithParent(cmd)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// markerTimes returns the modification time of every stage marker of the
// study folder.
func markerTimes(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	m := map[string]time.Time{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(p, string(filepath.Separator)+"stages"+string(filepath.Separator)) {
			if fi, err := d.Info(); err == nil {
				m[p] = fi.ModTime()
			}
		}
		return nil
	})
	return m
}

// TestStudySlurm runs a 3-seed x 2-coupling study in process and under
// Slurm (the cluster of .ci/slurm) and compares summary.json byte for byte;
// then kills the training jobs of a second submission, submits again, and
// checks that the study completes with the same bytes and that no finished
// stage was computed again.
func TestStudySlurm(t *testing.T) {
	studytest.RequireSlurm(t)
	tmp := t.TempDir()
	bin := buildIsingrbm(t, tmp)
	flags := []string{"-K", "0.3,0.44", "-seeds", "1-3"}
	local := filepath.Join(tmp, "local")
	t0 := time.Now()
	runBin(t, bin, studyArgs("run", local, flags...)...)
	tLocal := time.Since(t0)
	want, err := os.ReadFile(filepath.Join(local, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}

	shared := filepath.Join(tmp, "shared")
	t0 = time.Now()
	out := runBin(t, bin, studyArgs("run", shared, append(flags, "-slurm", "-wait", "-poll", "300ms")...)...)
	t.Logf("in process %.1f s, under Slurm %.1f s", tLocal.Seconds(), time.Since(t0).Seconds())
	got, err := os.ReadFile(filepath.Join(shared, "summary.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("summary.json under Slurm differs from in process")
	}
	// Submitting a finished study submits nothing.
	out = runBin(t, bin, studyArgs("run", shared, append(flags, "-slurm")...)...)
	if !strings.Contains(out, "0 stage(s) submitted") {
		t.Errorf("resubmitting a finished study:\n%s", out)
	}

	// Kill the training jobs at once, then submit again.
	killed := filepath.Join(tmp, "killed")
	out = runBin(t, bin, studyArgs("run", killed, append(flags, "-slurm")...)...)
	q, err := exec.Command("squeue", "-h", "-o", "%A %j").Output()
	if err != nil {
		t.Fatal(err)
	}
	victim := ""
	for _, line := range strings.Split(string(q), "\n") {
		if f := strings.Fields(line); len(f) == 2 && strings.HasPrefix(f[1], "isingrbm-train-") {
			victim = f[0]
		}
	}
	if victim == "" {
		t.Fatalf("no training job in the queue:\n%s\n%s", q, out)
	}
	if b, err := exec.Command("scancel", victim).CombinedOutput(); err != nil {
		t.Fatalf("scancel %s: %v %s", victim, err, b)
	}
	before := markerTimes(t, killed)
	out = runBin(t, bin, studyArgs("run", killed, append(flags, "-slurm", "-wait", "-poll", "300ms")...)...)
	if !strings.Contains(out, "cancelled") && !strings.Contains(out, "train") {
		t.Logf("resubmission:\n%s", out)
	}
	got, err = os.ReadFile(filepath.Join(killed, "summary.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("summary.json after kill and resubmission differs from in process")
	}
	after := markerTimes(t, killed)
	for p, mt := range before {
		if !after[p].Equal(mt) {
			t.Errorf("%s rewritten: a finished stage was computed again", p)
		}
	}
	if len(after) <= len(before) {
		t.Errorf("%d markers before the resubmission, %d after", len(before), len(after))
	}
}
