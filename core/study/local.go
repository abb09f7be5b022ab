package study

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"time"
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
// parallel as far as their inputs and the cores allow. A stage is started
// when its inputs are done and a core is free; it is given as many threads
// as its estimate asks for, at most its share of the free cores among the
// ready stages, so that the running stages never use more than opt.Cores
// together. Of the ready stages, the one heading the longest chain of
// estimated work starts first.
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
	total := opt.Cores
	if total <= 0 {
		total = runtime.NumCPU()
	}
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	idx := Index(stages)
	cp := criticalPath(stages)
	res := make([]StageResult, len(stages))
	const (
		waiting = iota
		running
		ok
		failed
	)
	state := make([]int, len(stages))
	for i, s := range stages {
		res[i] = StageResult{Key: s.Key, Name: s.Name}
		if g.Done(s.Key) {
			state[i] = ok
			res[i].Reused = true
			fmt.Fprintf(log, "%-40s reused   %s\n", s.Name, s.Key)
		}
	}
	type doneMsg struct {
		i       int
		threads int
		secs    float64
		err     error
	}
	doneCh := make(chan doneMsg)
	free, nrun := total, 0
	ctxErr := error(nil)
	for {
		if ctxErr == nil {
			ctxErr = ctx.Err()
		}
		// Skip stages whose inputs failed.
		for i, s := range stages {
			if state[i] != waiting {
				continue
			}
			for _, in := range s.Inputs {
				if j := idx[in]; state[j] == failed {
					state[i] = failed
					res[i].Skipped = true
					res[i].Err = "input " + in + " failed"
					break
				}
			}
		}
		if ctxErr == nil {
			var ready []int
			for i, s := range stages {
				if state[i] != waiting {
					continue
				}
				r := true
				for _, in := range s.Inputs {
					r = r && state[idx[in]] == ok
				}
				if r {
					ready = append(ready, i)
				}
			}
			sort.SliceStable(ready, func(a, b int) bool { return cp[ready[a]] > cp[ready[b]] })
			for n, i := range ready {
				if free < 1 {
					break
				}
				// Spread the free cores over the ready stages: independent
				// stages in parallel use cores better than threads inside
				// one stage.
				th := max(1, min(stages[i].Cores, free/(len(ready)-n)))
				free -= th
				nrun++
				state[i] = running
				go func(i, th int) {
					t0 := time.Now()
					err := g.RunStage(ctx, stages[i].Key, th)
					doneCh <- doneMsg{i, th, time.Since(t0).Seconds(), err}
				}(i, th)
			}
		}
		if nrun == 0 {
			break
		}
		var m doneMsg
		select {
		case m = <-doneCh:
		case <-ctx.Done():
			ctxErr = ctx.Err()
			m = <-doneCh
		}
		nrun--
		free += m.threads
		res[m.i].Threads, res[m.i].Seconds = m.threads, m.secs
		s := stages[m.i]
		if m.err != nil {
			state[m.i] = failed
			res[m.i].Err = m.err.Error()
			fmt.Fprintf(log, "%-40s FAILED   %s after %.1f s: %v\n", s.Name, s.Key, m.secs, m.err)
		} else {
			state[m.i] = ok
			fmt.Fprintf(log, "%-40s computed %s in %.1f s (%d threads)\n", s.Name, s.Key, m.secs, m.threads)
		}
	}
	if ctxErr != nil {
		return res, fmt.Errorf("study interrupted; finished stages are kept: %w", ctxErr)
	}
	var sf StageFailure
	for i, r := range res {
		switch {
		case state[i] == failed && r.Skipped:
			sf.Skipped++
		case state[i] == failed:
			sf.Failed = append(sf.Failed, r)
		case state[i] != ok:
			return res, errors.New("study: internal error: stage " + r.Key + " neither ran nor failed")
		}
	}
	if len(sf.Failed) > 0 {
		return res, &sf
	}
	return res, nil
}
