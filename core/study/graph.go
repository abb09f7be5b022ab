package study

import (
	"context"
	"fmt"
	"strings"

	"github.com/isingrbm/isingrbm/core/dag"
)

// Stage is one node of a study's graph: a unit of work keyed by its
// settings and inputs, with an estimate of what it needs.
type Stage struct {
	Key     string   `json:"key"`     // content key, unique in the graph
	Name    string   `json:"name"`    // readable name, e.g. "train-sklearn K=0.4080 seed=1"
	Kind    string   `json:"kind"`    // what it does: data, sweep, train, eval, ..., report
	Inputs  []string `json:"inputs"`  // keys of the stages it reads
	Outputs []string `json:"outputs"` // files it writes, relative to the study folder
	// Estimates of what one run of the stage needs: cores, memory, and
	// wall seconds on that many cores of the project's machine (Zen 4).
	Cores   int     `json:"cores"`
	MemMiB  int     `json:"mem_mib"`
	Seconds float64 `json:"seconds"`
}

// Graph is what a study executes: stages in topological order, a way to run
// one stage and a way to tell whether one is done.
type Graph interface {
	// Stages returns the stages, every stage after its inputs.
	Stages() []Stage
	// RunStage runs the stage of key (its inputs must be done) with at most
	// threads worker threads; a done stage is reused. Outputs are written
	// atomically, so a failed or interrupted stage leaves none.
	RunStage(ctx context.Context, key string, threads int) error
	// Done reports whether the stage of key has completed: its marker and
	// outputs exist.
	Done(key string) bool
}

// UnknownStageError is returned for a key that is not in the graph.
type UnknownStageError struct {
	Key string
	N   int // stages in the graph
}

func (e *UnknownStageError) Error() string {
	return fmt.Sprintf("unknown stage key %q: not one of the %d stages of this study (`isingrbm study plan` lists them)", e.Key, e.N)
}

// Validate checks that keys are unique, non-empty and safe in a shell
// word, that every input is a stage listed earlier and that the estimates
// are sane.
func Validate(stages []Stage) error {
	seen := make(map[string]bool, len(stages))
	for i, s := range stages {
		if s.Key == "" {
			return fmt.Errorf("stage %d (%s): empty key", i, s.Name)
		}
		for _, c := range s.Key {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.=+:", c)) {
				return fmt.Errorf("stage %s: key %q has %q; want letters, digits and the characters %q", s.Name, s.Key, c, "-_.=+:")
			}
		}
		if seen[s.Key] {
			return fmt.Errorf("stage %s: key %s appears twice", s.Name, s.Key)
		}
		for _, in := range s.Inputs {
			if !seen[in] {
				return fmt.Errorf("stage %s (%s): input %s is not an earlier stage", s.Key, s.Name, in)
			}
		}
		if s.Cores < 1 || s.MemMiB < 1 || !(s.Seconds >= 0) {
			return fmt.Errorf("stage %s (%s): estimates cores %d, memory %d MiB, %v s; want cores and memory >= 1, seconds >= 0",
				s.Key, s.Name, s.Cores, s.MemMiB, s.Seconds)
		}
		seen[s.Key] = true
	}
	return nil
}

// Index returns the position of every key.
func Index(stages []Stage) map[string]int {
	m := make(map[string]int, len(stages))
	for i, s := range stages {
		m[s.Key] = i
	}
	return m
}

// Find returns the stage of key or an *UnknownStageError.
func Find(g Graph, key string) (Stage, error) {
	st := g.Stages()
	for _, s := range st {
		if s.Key == key {
			return s, nil
		}
	}
	return Stage{}, &UnknownStageError{Key: key, N: len(st)}
}

// Levels returns each stage's level: 0 for a stage without inputs, else one
// more than its deepest input.
func Levels(stages []Stage) []int {
	idx := Index(stages)
	lv := make([]int, len(stages))
	for i, s := range stages {
		for _, in := range s.Inputs {
			lv[i] = max(lv[i], lv[idx[in]]+1)
		}
	}
	return lv
}

// criticalPath returns, for each stage, its estimated seconds plus the
// longest chain of estimated seconds of the stages that depend on it.
func criticalPath(stages []Stage) []float64 {
	idx := Index(stages)
	nodes := make([]dag.Stage, len(stages))
	secs := make([]float64, len(stages))
	for i, s := range stages {
		secs[i] = s.Seconds
		for _, in := range s.Inputs {
			nodes[i].Inputs = append(nodes[i].Inputs, idx[in])
		}
	}
	return dag.CriticalPath(nodes, secs)
}

// Totals are the sums of a graph's estimates.
type Totals struct {
	Stages    int     `json:"stages"`
	CoreHours float64 `json:"core_hours"` // sum of cores x seconds / 3600
	// CriticalSeconds is the longest chain of estimated seconds: the least
	// wall time with unlimited cores.
	CriticalSeconds float64 `json:"critical_seconds"`
	MaxMemMiB       int     `json:"max_mem_mib"`
}

// Sum returns the totals of stages' estimates.
func Sum(stages []Stage) Totals {
	t := Totals{Stages: len(stages)}
	for i, c := range criticalPath(stages) {
		t.CoreHours += float64(stages[i].Cores) * stages[i].Seconds / 3600
		t.CriticalSeconds = max(t.CriticalSeconds, c)
		t.MaxMemMiB = max(t.MaxMemMiB, stages[i].MemMiB)
	}
	return t
}

// Missing returns the stages that are not done, in graph order. A done
// stage stays done even when an input's files were removed since: its key
// names the inputs it was computed from.
func Missing(g Graph, stages []Stage) []Stage {
	var out []Stage
	for _, s := range stages {
		if !g.Done(s.Key) {
			out = append(out, s)
		}
	}
	return out
}
