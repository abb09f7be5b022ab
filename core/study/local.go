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
	r := newLocalRun(g, stages, opt)
	ctxErr := error(nil)
	for {
		if ctxErr == nil {
			ctxErr = ctx.Err()
		}
		r.skipFailedInputs()
		if ctxErr == nil {
			r.startReady(ctx)
		}
		if r.nrun == 0 {
			break
		}
		var m doneMsg
		select {
		case m = <-r.doneCh:
		case <-ctx.Done():
			ctxErr = ctx.Err()
			m = <-r.doneCh
		}
		r.finish(m)
	}
	if ctxErr != nil {
		return r.res, fmt.Errorf("study interrupted; finished stages are kept: %w", ctxErr)
	}
	return r.outcome()
}

// stageState is where a stage is in a local run.
type stageState int

const (
	waiting stageState = iota
	running
	succeeded
	failed
)

// doneMsg reports a stage that ended.
type doneMsg struct {
	i       int
	threads int
	secs    float64
	err     error
}

// localRun is the state of RunLocal.
type localRun struct {
	g      Graph
	stages []Stage
	idx    map[string]int
	cp     []float64 // criticalPath
	state  []stageState
	res    []StageResult
	log    io.Writer
	doneCh chan doneMsg
	free   int // cores not given to a running stage
	nrun   int // stages running
}

// newLocalRun marks the stages done before as reused.
func newLocalRun(g Graph, stages []Stage, opt LocalOptions) *localRun {
	r := &localRun{g: g, stages: stages, idx: Index(stages), cp: criticalPath(stages),
		state: make([]stageState, len(stages)), res: make([]StageResult, len(stages)),
		log: opt.Log, doneCh: make(chan doneMsg), free: opt.Cores}
	if r.free <= 0 {
		r.free = runtime.NumCPU()
	}
	if r.log == nil {
		r.log = io.Discard
	}
	for i, s := range stages {
		r.res[i] = StageResult{Key: s.Key, Name: s.Name}
		if g.Done(s.Key) {
			r.state[i] = succeeded
			r.res[i].Reused = true
			fmt.Fprintf(r.log, "%-40s reused   %s\n", s.Name, s.Key)
		}
	}
	return r
}

// skipFailedInputs marks the waiting stages whose inputs failed as failed
// and skipped.
func (r *localRun) skipFailedInputs() {
	for i, s := range r.stages {
		if r.state[i] != waiting {
			continue
		}
		for _, in := range s.Inputs {
			if j := r.idx[in]; r.state[j] == failed {
				r.state[i] = failed
				r.res[i].Skipped = true
				r.res[i].Err = "input " + in + " failed"
				break
			}
		}
	}
}

// startReady starts the waiting stages whose inputs are done while cores
// are free, those heading the longest chain of estimated work first.
func (r *localRun) startReady(ctx context.Context) {
	var ready []int
	for i, s := range r.stages {
		if r.state[i] != waiting {
			continue
		}
		ok := true
		for _, in := range s.Inputs {
			ok = ok && r.state[r.idx[in]] == succeeded
		}
		if ok {
			ready = append(ready, i)
		}
	}
	sort.SliceStable(ready, func(a, b int) bool { return r.cp[ready[a]] > r.cp[ready[b]] })
	for n, i := range ready {
		if r.free < 1 {
			break
		}
		// Spread the free cores over the ready stages: independent
		// stages in parallel use cores better than threads inside
		// one stage.
		th := max(1, min(r.stages[i].Cores, r.free/(len(ready)-n)))
		r.free -= th
		r.nrun++
		r.state[i] = running
		go func(i, th int) {
			t0 := time.Now()
			err := r.g.RunStage(ctx, r.stages[i].Key, th)
			r.doneCh <- doneMsg{i, th, time.Since(t0).Seconds(), err}
		}(i, th)
	}
}

// finish records a stage that ended and frees its cores.
func (r *localRun) finish(m doneMsg) {
	r.nrun--
	r.free += m.threads
	r.res[m.i].Threads, r.res[m.i].Seconds = m.threads, m.secs
	s := r.stages[m.i]
	if m.err != nil {
		r.state[m.i] = failed
		r.res[m.i].Err = m.err.Error()
		fmt.Fprintf(r.log, "%-40s FAILED   %s after %.1f s: %v\n", s.Name, s.Key, m.secs, m.err)
		return
	}
	r.state[m.i] = succeeded
	fmt.Fprintf(r.log, "%-40s computed %s in %.1f s (%d threads)\n", s.Name, s.Key, m.secs, m.threads)
}

// outcome returns the results of a run that was not interrupted, and a
// *StageFailure if a stage failed.
func (r *localRun) outcome() ([]StageResult, error) {
	var sf StageFailure
	for i, res := range r.res {
		switch {
		case r.state[i] == failed && res.Skipped:
			sf.Skipped++
		case r.state[i] == failed:
			sf.Failed = append(sf.Failed, res)
		case r.state[i] != succeeded:
			return r.res, errors.New("study: internal error: stage " + res.Key + " neither ran nor failed")
		}
	}
	if len(sf.Failed) > 0 {
		return r.res, &sf
	}
	return r.res, nil
}
