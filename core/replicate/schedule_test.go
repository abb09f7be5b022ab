package replicate

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/isingrbm/isingrbm/core/dag"
	"github.com/isingrbm/isingrbm/core/rbm"
)

// TestPipelineParallel runs the tiny replication one stage at a time
// (Threads 1) and with stages side by side (Threads 3, the scheduler of
// pipeline, whatever this machine's cores) and requires the same bytes:
// every .npy, every .npz member and the summary (timings aside). The log
// names every stage once either way.
func TestPipelineParallel(t *testing.T) {
	var mu sync.Mutex
	active, most := 0, 0
	progress := func(string) Task {
		mu.Lock()
		defer mu.Unlock()
		active++
		most = max(most, active)
		return countTask{func() { mu.Lock(); active--; mu.Unlock() }}
	}
	run := func(threads int) ([]string, string, int) {
		s := tinySettings()
		s.Threads = threads
		dir := t.TempDir()
		var log bytes.Buffer
		most = 0
		cfg := Config{Out: dir, Settings: s, Version: "test", Log: &log, Progress: progress}
		trained := map[string]int{} // network -> threads of its epochs
		cfg.OnEpoch = func(net string, p rbm.ProgressInfo) {
			mu.Lock()
			defer mu.Unlock()
			trained[net] = p.Threads
		}
		if err := Run(context.Background(), cfg); err != nil {
			t.Fatalf("threads %d: %v", threads, err)
		}
		// last_run.json lists the stages in plan order either way, and
		// one at a time runs them in that order.
		specs, err := Plan(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var plan, logged []string
		for _, sp := range specs {
			plan = append(plan, sp.Name)
		}
		var lr struct{ Stages []stageRun }
		if err := readJSON(filepath.Join(dir, "last_run.json"), &lr); err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, st := range lr.Stages {
			listed = append(listed, st.Stage)
		}
		for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
			logged = append(logged, strings.Fields(l)[0])
		}
		if !slices.Equal(listed, plan) || threads == 1 && !slices.Equal(logged, plan) {
			t.Errorf("threads %d: plan order %v\nlast_run.json %v\nlog %v", threads, plan, listed, logged)
		}
		// A training runs on the threads the scheduler gave its stage,
		// not on the run's setting: trainings side by side, each on
		// every core, made more threads than cores.
		shared := false
		for _, st := range lr.Stages {
			net, ok := strings.CutPrefix(st.Stage, "train/")
			if !ok {
				continue
			}
			net, _, _ = strings.Cut(net, "/")
			if got, ok := trained[net]; !ok || got != st.Threads || st.Threads < 1 || st.Threads > threads {
				t.Errorf("threads %d: stage %s was given %d threads, its epochs ran on %d (seen %v)", threads, st.Stage, st.Threads, got, ok)
			}
			shared = shared || st.Threads < threads
		}
		if threads > 1 && !shared {
			t.Errorf("threads %d: every training had all the threads; the test cannot tell a stage's share from the setting", threads)
		}
		d, _, err := replicateDigest(dir)
		if err != nil {
			t.Fatal(err)
		}
		return d, log.String(), most
	}
	seq, seqLog, seqMost := run(1)
	par, parLog, parMost := run(3)
	if seqMost != 1 || parMost < 2 {
		t.Errorf("most tasks at once: %d one at a time (want 1), %d side by side (want >= 2)", seqMost, parMost)
	}
	if !slices.Equal(seq, par) {
		t.Errorf("stages side by side gave other bytes:\none at a time:\n%s\nside by side:\n%s", strings.Join(seq, "\n"), strings.Join(par, "\n"))
	}
	names := func(log string) []string {
		var n []string
		for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
			n = append(n, strings.Fields(l)[0])
		}
		slices.Sort(n)
		return n
	}
	if a, b := names(seqLog), names(parLog); !slices.Equal(a, b) {
		t.Errorf("stages logged one at a time %v, side by side %v", a, b)
	}
}

// countTask calls done when the task ends.
type countTask struct{ done func() }

func (countTask) Update(int64, int64) {}
func (countTask) SetExtra(string)     {}
func (c countTask) Done()             { c.done() }

// TestPipelineFailure: a failing stage stops the stages beside it and its
// error is returned; the stages that do not depend on it and finished
// are kept.
func TestPipelineFailure(t *testing.T) {
	s := tinySettings()
	s.Threads = 3
	dir := t.TempDir()
	cfg := Config{Out: dir, Settings: s, Version: "test"}
	boom := errors.New("boom")
	p, err := buildPlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := newReplicator(context.Background(), cfg, p)
	var failed string
	for _, st := range p.stages {
		if st.Kind == "train" && failed == "" {
			failed = st.Name
			st.run = func(*replicator, string) error { return boom }
		}
	}
	err = r.pipeline()
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), failed) {
		t.Fatalf("pipeline returned %v, want the failure of %s", err, failed)
	}
	for _, st := range p.stages {
		if st.Kind == "data" && !stageFinished(dir, st) {
			t.Errorf("stage %s before the failure is not kept", st.Name)
		}
		if st.Kind == "report" && stageFinished(dir, st) {
			t.Errorf("stage %s ran after a failure", st.Name)
		}
	}
}

// TestCriticalPath checks the priorities of the paper's plan: each stage's
// is its estimate plus the largest of the stages that read it, and the
// training of scikit-learn's recipe, whose evaluation follows it, comes
// before the evaluation of a network whose training is done.
func TestCriticalPath(t *testing.T) {
	p, err := buildPlan(Config{Out: t.TempDir(), Settings: PaperSettings(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	stages, secs := p.dagStages()
	cp := dag.CriticalPath(stages, secs)
	after := make([]float64, len(p.stages)) // largest priority of a reader
	for i, st := range p.stages {
		for _, in := range st.Inputs {
			j := p.index[in]
			after[j] = max(after[j], cp[i])
		}
	}
	byName := map[string]float64{}
	for i, st := range p.stages {
		if cp[i] != st.Seconds+after[i] {
			t.Errorf("%s: priority %g, want its %g s + %g", st.Name, cp[i], st.Seconds, after[i])
		}
		byName[st.Name] = cp[i]
	}
	sk, ev := byName["train/sklearn/d0-s0"], byName["eval/weight-decay/d0-s0"]
	if !(sk > ev) || !(byName["train/mehta-schwab/d0-s0"] > sk) {
		t.Errorf("priorities: train/mehta-schwab %g, train/sklearn %g, eval/weight-decay %g; want them decreasing",
			byName["train/mehta-schwab/d0-s0"], sk, ev)
	}
}
