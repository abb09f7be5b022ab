package study

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/isingrbm/isingrbm/core/dag"
)

// LocalOptions configure RunLocal.
type LocalOptions struct {
	// Cores is the number of cores the running stages may use together
	// (0: all of this machine's).
	Cores int
	// Log receives one line per stage; nil discards.
	Log io.Writer
}

// StageResult is what became of one stage in a run.
type StageResult struct {
	Key     string  `json:"key"`
	Name    string  `json:"name"`
	Reused  bool    `json:"reused"`            // done before the run
	Threads int     `json:"threads,omitempty"` // granted when computed
	Seconds float64 `json:"seconds"`           // wall time in this run
	Err     string  `json:"error,omitempty"`
	Skipped bool    `json:"skipped,omitempty"` // an input failed
}

// StageFailure lists the stages that failed in a run.
type StageFailure struct {
	Failed  []StageResult // with their errors
	Skipped int           // stages not run because an input failed
}

func (e *StageFailure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d stage(s) failed", len(e.Failed))
	if e.Skipped > 0 {
		fmt.Fprintf(&b, " and %d depending on them were not run", e.Skipped)
	}
	const show = 10
	for i, f := range e.Failed {
		if i == show {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Failed)-show)
			break
		}
		fmt.Fprintf(&b, "\n  %s (%s): %s", f.Key, f.Name, f.Err)
	}
	return b.String()
}

// RunLocal runs the stages of g that are not done on this machine, in
// parallel as far as their inputs and the cores allow (dag.Run). A stage is
// started when its inputs are done and a core is free; it is given as many
// threads as its estimate asks for, at most its share of the free cores
// among the ready stages, so that the running stages never use more than
// opt.Cores together. Of the ready stages, the one heading the longest
// chain of estimated work starts first.
//
// A failed stage does not stop the others; the stages that depend on it
// are skipped and RunLocal returns a *StageFailure. When ctx is cancelled no
// stage is started, the running ones are interrupted, and RunLocal returns
// an error wrapping ctx.Err() once they have ended; finished stages are
// kept and a later run continues from them.
func RunLocal(ctx context.Context, g Graph, opt LocalOptions) ([]StageResult, error) {
	stages := g.Stages()
	if err := Validate(stages); err != nil {
		return nil, err
	}
	cores := opt.Cores
	if cores <= 0 {
		cores = runtime.NumCPU()
	}
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	idx := Index(stages)
	nodes := make([]dag.Stage, len(stages))
	res := make([]StageResult, len(stages))
	for i, s := range stages {
		nodes[i].MaxThreads = s.Cores
		for _, in := range s.Inputs {
			nodes[i].Inputs = append(nodes[i].Inputs, idx[in])
		}
		res[i] = StageResult{Key: s.Key, Name: s.Name}
		if g.Done(s.Key) {
			nodes[i].Done, res[i].Reused = true, true
			fmt.Fprintf(log, "%-40s reused   %s\n", s.Name, s.Key)
		}
	}
	est := make([]float64, len(stages))
	for i, s := range stages {
		est[i] = s.Seconds
	}
	secs := make([]float64, len(stages)) // written by stage i's goroutine before it ends
	out, err := dag.Run(ctx, nodes, dag.Options{Cores: cores, Priority: dag.CriticalPath(nodes, est), OnFailure: dag.SkipDependents,
		OnEnd: func(i, threads int, err error) {
			s := stages[i]
			res[i].Threads, res[i].Seconds = threads, secs[i]
			if err != nil {
				res[i].Err = err.Error()
				fmt.Fprintf(log, "%-40s FAILED   %s after %.1f s: %v\n", s.Name, s.Key, secs[i], err)
				return
			}
			fmt.Fprintf(log, "%-40s computed %s in %.1f s (%d threads)\n", s.Name, s.Key, secs[i], threads)
		}},
		func(ctx context.Context, i, threads int) error {
			t0 := time.Now()
			err := g.RunStage(ctx, stages[i].Key, threads)
			secs[i] = time.Since(t0).Seconds()
			return err
		})
	if out == nil {
		return nil, err // the graph passed Validate: not reached
	}
	var sf StageFailure
	for i, o := range out {
		switch o.State {
		case dag.Skipped:
			res[i].Skipped, res[i].Err = true, "input "+stages[o.Input].Key+" failed"
			sf.Skipped++
		case dag.Failed:
			sf.Failed = append(sf.Failed, res[i])
		case dag.Waiting:
			if err == nil {
				return res, errors.New("study: internal error: stage " + res[i].Key + " neither ran nor failed")
			}
		}
	}
	if err != nil {
		return res, fmt.Errorf("study interrupted; finished stages are kept: %w", err)
	}
	if len(sf.Failed) > 0 {
		return res, &sf
	}
	return res, nil
}
