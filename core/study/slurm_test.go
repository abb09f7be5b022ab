package study

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/core/study/studytest"
)

// slurmFake prepares a fake study in a fresh folder whose jobs run the test
// binary (copied into the folder).
func slurmFake(t *testing.T, seeds int) (*fakeGraph, SlurmOptions) {
	t.Helper()
	dir := t.TempDir()
	g := studyGraph(filepath.Join(dir, "study"), seeds)
	g.Sleep = 200 * time.Millisecond
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := g.save(); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := InstallBinary(exe, g.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("slurm log:\n%s", log.String())
		}
	})
	return g, SlurmOptions{Dir: g.Dir, Command: []string{bin, "fake-stage", g.Dir}, Name: "isingrbm-test", Log: &log}
}

func TestSlurmFake(t *testing.T) {
	studytest.RequireSlurm(t)
	g, opt := slurmFake(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sub, err := SubmitSlurm(ctx, g, opt)
	if err != nil {
		t.Fatal(err)
	}
	// One job per kind: data, train, eval, report; arrays for several stages.
	if len(sub.Jobs) != 4 || sub.Submitted() != len(g.List) || !sub.Jobs[1].Array || sub.Jobs[3].Array {
		t.Fatalf("jobs %+v", sub.Jobs)
	}
	if sub.Jobs[1].Cores != 2 || sub.Jobs[1].MemMiB != 20 || len(sub.Jobs[1].Depends) != 3 {
		t.Errorf("train job %+v: want 2 cores, 20 MiB, waiting for the 3 data tasks", sub.Jobs[1])
	}
	if m := memRequest(20); m != 225 {
		t.Errorf("asks %d MiB for a stage estimated at 20", m)
	}
	// Submitting again while the jobs are queued submits nothing.
	again, err := SubmitSlurm(ctx, g, opt)
	if err != nil {
		t.Fatal(err)
	}
	if again.Submitted() != 0 || len(again.InFlight)+again.Done != len(g.List) {
		t.Errorf("second submission: %d submitted, %d in flight, %d done; want 0, all in flight or done", again.Submitted(), len(again.InFlight), again.Done)
	}
	if err := WaitSlurm(ctx, g, opt, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// The same bytes as in-process.
	local := studyGraph(t.TempDir(), 3)
	if _, err := RunLocal(ctx, local, LocalOptions{Cores: 2}); err != nil {
		t.Fatal(err)
	}
	if a, b := outputs(t, g), outputs(t, local); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("Slurm and local outputs differ:\n%v\n%v", a, b)
	}
}

// TestSlurmCancelResubmit kills one job of a submitted study and submits
// again, once after the jobs have ended and once at once (while the jobs
// waiting for the killed one are still queued): the study completes, each
// stage computed exactly once, with the same bytes as in-process.
func TestSlurmCancelResubmit(t *testing.T) {
	studytest.RequireSlurm(t)
	local := studyGraph(t.TempDir(), 3)
	if _, err := RunLocal(context.Background(), local, LocalOptions{Cores: 2}); err != nil {
		t.Fatal(err)
	}
	for _, waitFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("wait=%v", waitFirst), func(t *testing.T) {
			g, opt := slurmFake(t, 3)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			sub, err := SubmitSlurm(ctx, g, opt)
			if err != nil {
				t.Fatal(err)
			}
			// Kill the training of network a on seed 1, an array task
			// still waiting for its data.
			train := sub.Jobs[1]
			victim := ""
			for i, k := range train.Keys {
				if k == "train-a-1" {
					victim = train.taskID(i)
				}
			}
			if out, err := exec.Command("scancel", victim).CombinedOutput(); err != nil {
				t.Fatalf("scancel %s: %v %s", victim, err, out)
			}
			before := map[string]bool{}
			if waitFirst {
				err = WaitSlurm(ctx, g, opt, 300*time.Millisecond)
				var sf *StageFailure
				if !errors.As(err, &sf) {
					t.Fatalf("wait after scancel: %v", err)
				}
				if !strings.Contains(err.Error(), "train-a-1") {
					t.Errorf("failure does not name the killed stage: %v", err)
				}
				if _, err := os.Stat(filepath.Join(g.Dir, "out", "train-a-1")); err == nil {
					t.Error("the killed stage left an output")
				}
				for _, s := range g.List {
					before[s.Key] = g.Done(s.Key)
				}
			}
			resub, err := SubmitSlurm(ctx, g, opt)
			if err != nil {
				t.Fatal(err)
			}
			if waitFirst {
				n := 0
				for _, d := range before {
					if d {
						n++
					}
				}
				if n == 0 || n == len(g.List) || resub.Submitted() != len(g.List)-n || resub.Done != n {
					t.Errorf("%d of %d done after the kill; resubmitted %d with %d done", n, len(g.List), resub.Submitted(), resub.Done)
				}
			} else {
				if resub.Submitted()+len(resub.InFlight)+resub.Done != len(g.List) {
					t.Errorf("resubmitted %d, %d in flight, %d done, of %d", resub.Submitted(), len(resub.InFlight), resub.Done, len(g.List))
				}
				// The evaluations wait for the killed job: submitted again.
				again := map[string]bool{}
				for _, j := range resub.Jobs {
					for _, k := range j.Keys {
						again[k] = true
					}
				}
				for _, k := range []string{"train-a-1", "eval-a-1", "eval-b-0", "report"} {
					if !again[k] {
						t.Errorf("%s not submitted again (cancelled: %v)", k, resub.Cancelled)
					}
				}
				t.Logf("cancelled %v", resub.Cancelled)
			}
			if err := WaitSlurm(ctx, g, opt, 300*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			for k, n := range computedCounts(t, g) {
				if n != 1 {
					t.Errorf("stage %s computed %d times", k, n)
				}
			}
			if a, b := outputs(t, g), outputs(t, local); fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("outputs differ from in-process after resubmitting")
			}
		})
	}
}

// TestSlurmBadInput needs no cluster: each error comes before sbatch runs.
func TestSlurmBadInput(t *testing.T) {
	g := studyGraph(t.TempDir(), 1)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	fakeBin := t.TempDir()
	// Fake Slurm programs that record any call.
	calls := filepath.Join(fakeBin, "calls")
	for _, p := range []string{"sbatch", "squeue", "scancel"} {
		script := fmt.Sprintf("#!/bin/sh\necho %s \"$@\" >> %s\necho 1\n", p, calls)
		if err := os.WriteFile(filepath.Join(fakeBin, p), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	good := SlurmOptions{Dir: g.Dir, Command: []string{exe, "fake-stage", g.Dir},
		Sbatch: filepath.Join(fakeBin, "sbatch"), Squeue: filepath.Join(fakeBin, "squeue"), Scancel: filepath.Join(fakeBin, "scancel")}
	cases := []struct {
		name string
		opt  func(o *SlurmOptions)
		env  string // PATH
		want string
	}{
		{"sbatch missing", func(o *SlurmOptions) { o.Sbatch = "" }, t.TempDir(), "sbatch is not in PATH"},
		{"unwritable folder", func(o *SlurmOptions) { o.Dir = "/proc/isingrbm-study" }, "", "cannot create folder /proc/isingrbm-study"},
		{"relative folder", func(o *SlurmOptions) { o.Dir = "study" }, "", "want an absolute path"},
		{"folder under a file", func(o *SlurmOptions) { o.Dir = filepath.Join(exe, "study") }, "", "cannot create folder"},
		{"command", func(o *SlurmOptions) { o.Command = []string{"isingrbm"} }, "", "want an absolute path to an executable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("PATH", c.env)
			}
			o := good
			c.opt(&o)
			_, err := SubmitSlurm(context.Background(), g, o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
			if _, err := os.Stat(calls); err == nil {
				b, _ := os.ReadFile(calls)
				t.Fatalf("Slurm was called before the error:\n%s", b)
			}
		})
	}
	if os.Geteuid() != 0 {
		ro := t.TempDir()
		os.Chmod(ro, 0o555)
		o := good
		o.Dir = ro
		if _, err := SubmitSlurm(context.Background(), g, o); err == nil || !strings.Contains(err.Error(), "cannot") {
			t.Errorf("read-only folder: %v", err)
		}
	}
}

// TestSlurmRecordPerJob submits a fake study to stub sbatch, squeue and
// scancel programs (no Slurm needed) and checks that jobs.json keeps each
// job's dependencies once, not with each array task: with n runs an
// array waits for n tasks, and a copy per task grew the record with n^2
// (3,000 runs were killed at 24 GB).
func TestSlurmRecordPerJob(t *testing.T) {
	dir := t.TempDir()
	stub := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	counter := filepath.Join(dir, "count")
	sbatch := stub("sbatch", `n=$(cat `+counter+` 2>/dev/null || echo 100); n=$((n+1)); echo $n > `+counter+`; echo $n`)
	g := studyGraph(filepath.Join(dir, "study"), 40)
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	opt := SlurmOptions{Dir: g.Dir, Command: []string{"/bin/true"}, Name: "rec", Log: io.Discard,
		Sbatch: sbatch, Squeue: stub("squeue", "exit 0"), Scancel: stub("scancel", "exit 0")}
	sub, err := SubmitSlurm(context.Background(), g, opt)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := opt.readRecord()
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, j := range sub.Jobs {
		want += len(j.Depends)
		if d := rec.Depends[j.ID]; len(d) != len(j.Depends) {
			t.Errorf("job %s: record has %d dependencies, the job %d", j.ID, len(d), len(j.Depends))
		}
	}
	got := 0
	for k, ref := range rec.Stages {
		if len(ref.Depends) > 0 {
			t.Fatalf("stage %s: its task carries its job's dependencies", k)
		}
		got += len(rec.dependsOf(ref))
	}
	if want < 40 {
		t.Fatalf("only %d dependencies in all: the fake study of 40 seeds should wait for more", want)
	}
	if got <= want {
		t.Fatalf("dependsOf over the tasks: %d, want more than the %d recorded (tasks share their job's)", got, want)
	}
	n := 0
	for _, d := range rec.Depends {
		n += len(d)
	}
	if n != want {
		t.Errorf("the record holds %d dependencies, the jobs %d", n, want)
	}
}
