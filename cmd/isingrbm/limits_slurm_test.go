package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStudySlurmUnreachable: with sbatch and squeue in PATH but no Slurm
// controller answering, "study run -slurm" is refused before it submits
// anything and leaves nothing behind: not a new study folder, and in a
// folder that existed, nothing but what was there (the audit found
// study.json, specs/, slurm/ and bin/ with a copy of the binary).
func TestStudySlurmUnreachable(t *testing.T) {
	fakeBin := t.TempDir()
	calls := filepath.Join(fakeBin, "calls")
	for _, p := range []string{"sbatch", "squeue", "scancel"} {
		script := fmt.Sprintf("#!/bin/sh\necho %s \"$@\" >> %s\necho 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2\nexit 1\n", p, calls)
		if err := os.WriteFile(filepath.Join(fakeBin, p), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", fakeBin)
	parent := t.TempDir()
	existing := filepath.Join(parent, "existing")
	if err := os.MkdirAll(filepath.Join(existing, "slurm", "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"notes.txt", "slurm/logs/old.log"} {
		if err := os.WriteFile(filepath.Join(existing, f), []byte("kept"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, dir := range []string{filepath.Join(parent, "new", "study"), existing} {
		os.Remove(calls)
		code, _, stderr := runCmd(studyArgs("run", dir, "-K", "0.4", "-seeds", "1", "-slurm")...)
		if code != 2 || !strings.Contains(stderr, "-slurm: Slurm does not answer") || !strings.Contains(stderr, "Unable to contact slurm controller") {
			t.Errorf("%s: exit %d, stderr %q; want 2 and Slurm does not answer", dir, code, stderr)
		}
		if b, _ := os.ReadFile(calls); strings.Contains(string(b), "sbatch") {
			t.Errorf("%s: sbatch was called:\n%s", dir, b)
		}
	}
	if _, err := os.Lstat(filepath.Join(parent, "new")); err == nil {
		t.Errorf("the new study folder's parent was left behind")
	}
	var left []string
	filepath.Walk(existing, func(p string, _ os.FileInfo, _ error) error {
		rel, _ := filepath.Rel(existing, p)
		left = append(left, filepath.ToSlash(rel))
		return nil
	})
	if got := strings.Join(left, " "); got != ". notes.txt slurm slurm/logs slurm/logs/old.log" {
		t.Errorf("existing study folder holds %s, want only what was there", got)
	}
}

// TestStudySlurmSbatchFails: Slurm answers but sbatch refuses the first
// job: nothing was submitted, so nothing that run wrote (bin/, specs/,
// study.json, slurm/) is left behind.
func TestStudySlurmSbatchFails(t *testing.T) {
	fakeBin := t.TempDir()
	scripts := map[string]string{
		"squeue":  "#!/bin/sh\nexit 0\n",
		"sbatch":  "#!/bin/sh\necho 'sbatch: error: Batch job submission failed: Invalid account' >&2\nexit 1\n",
		"scancel": "#!/bin/sh\nexit 0\n",
	}
	for p, script := range scripts {
		if err := os.WriteFile(filepath.Join(fakeBin, p), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", fakeBin)
	dir := filepath.Join(t.TempDir(), "study")
	code, _, stderr := runCmd(studyArgs("run", dir, "-K", "0.4", "-seeds", "1", "-slurm")...)
	if code == 0 || !strings.Contains(stderr, "Invalid account") {
		t.Errorf("exit %d, stderr %q; want a failure naming sbatch's error", code, stderr)
	}
	if _, err := os.Lstat(dir); err == nil {
		ents, _ := os.ReadDir(dir)
		t.Errorf("the study folder was left behind with %d entries", len(ents))
	}
}
