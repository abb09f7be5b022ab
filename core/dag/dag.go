package dag

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Stage is one node of the graph given to Run.
type Stage struct {
	// Inputs are the indices of the stages that must succeed before this
	// one starts; each must be smaller than the stage's own index (the
	// stages are in a topological order, so a graph with a cycle cannot be
	// written).
	Inputs []int
	// MaxThreads caps the threads given to the stage (0: no cap).
	MaxThreads int
	// MemMiB is the stage's memory estimate, held against
	// Options.MemLimitMiB while it runs.
	MemMiB int
	// Done marks a stage finished before the run: it counts as succeeded
	// and is not run.
	Done bool
}

// OnFailure says what a failed stage does to the rest of the run.
type OnFailure int

const (
	// CancelAll cancels the context of the running stages, starts no
	// other stage, and makes Run return the first failure.
	CancelAll OnFailure = iota
	// SkipDependents skips the stages that depend on the failed one,
	// directly or not, and keeps running the others.
	SkipDependents
)

// Options configure Run.
type Options struct {
	// Cores is the number of threads the running stages may use together
	// (less than 1: 1). With one core the stages run one at a time.
	Cores int
	// MemLimitMiB bounds the sum of the MemMiB of the running stages (0: no
	// bound). A stage that would pass it waits, and so do the ready
	// stages after it, unless no stage is running: a lone stage always
	// starts.
	MemLimitMiB int
	// Priority, if not nil, orders the ready stages: higher first, ties in
	// index order, NaN below every number. Nil: index order.
	Priority []float64
	// OnFailure is the failure mode.
	OnFailure OnFailure
	// OnEnd, if not nil, is called when a stage that ran ends, with the
	// threads it was given and its error. Calls come one at a time from
	// Run's goroutine, in the order the stages end.
	OnEnd func(i, threads int, err error)
}

// State is where a stage is.
type State int

const (
	// Waiting: not run (the run stopped first: a failure under
	// CancelAll, or ctx).
	Waiting State = iota
	running
	// Succeeded: done before the run, or ran without error.
	Succeeded
	// Failed: ran and returned an error.
	Failed
	// Skipped: not run because an input failed or was skipped
	// (SkipDependents).
	Skipped
)

// Result is what became of one stage.
type Result struct {
	State   State
	Threads int   // given to a stage that ran
	Err     error // of a Failed stage
	// Input is, for a Skipped stage, the first of its inputs (in the
	// order of Stage.Inputs) that had failed or been skipped when it was
	// skipped.
	Input int
}

// RunFunc runs stage i with the given number of threads. It should return
// soon after ctx is cancelled.
type RunFunc func(ctx context.Context, i, threads int) error

// ended is what a stage's goroutine sends back.
type ended struct {
	i   int
	err error
}

// runner is the state of a Run.
type runner struct {
	stages []Stage
	opt    Options
	res    []Result
	free   int // cores not given to a running stage
	memMiB int // estimates of the running stages
	nrun   int
	done   chan ended
}

// Run runs the stages that are not Done, each in its own goroutine through
// run, and returns what became of each. A stage starts when its inputs have
// succeeded, a core is free and its memory estimate fits beside the running
// stages'. The ready stages start in Priority order, each with an equal
// share of the free cores among the ready stages that can start now (at
// least 1, at most its MaxThreads); once one cannot start the others wait
// too, and have no share. With one core that is one stage at a time, in
// Priority order.
//
// When ctx is done Run starts no more stages and waits for the running ones
// (they see ctx). It returns, in this order of precedence: an error about
// the graph (an input that is not an earlier stage) before anything runs;
// under CancelAll the first failure; ctx.Err() if ctx is done and a stage
// was left unrun; nil (a ctx done after every stage ended does not make a
// finished run an error). Under SkipDependents the failures are in the results.
func Run(ctx context.Context, stages []Stage, opt Options, run RunFunc) ([]Result, error) {
	if err := checkGraph(stages); err != nil {
		return nil, fmt.Errorf("dag: %w", err)
	}
	if opt.Priority != nil && len(opt.Priority) != len(stages) {
		return nil, fmt.Errorf("dag: %d priorities for %d stages", len(opt.Priority), len(stages))
	}
	r := &runner{stages: stages, opt: opt, res: make([]Result, len(stages)), free: max(1, opt.Cores),
		done: make(chan ended)}
	for i, s := range stages {
		if s.Done {
			r.res[i].State = Succeeded
		}
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var first error // the first failure, under CancelAll
	stop := false
	for {
		stop = stop || ctx.Err() != nil
		if opt.OnFailure == SkipDependents {
			r.skip()
		}
		if !stop {
			r.start(sctx, run)
		}
		if r.nrun == 0 {
			break
		}
		var e ended
		select {
		case e = <-r.done:
		case <-ctx.Done():
			stop = true
			e = <-r.done
		}
		r.end(e)
		if e.err != nil && opt.OnFailure == CancelAll && first == nil {
			first = e.err
			stop = true
			cancel() // stop the stages beside it
		}
	}
	if first != nil {
		return r.res, first
	}
	if ctx.Err() != nil && slices.ContainsFunc(r.res, func(x Result) bool { return x.State == Waiting }) {
		return r.res, ctx.Err()
	}
	return r.res, nil
}

// CriticalPath returns, for each stage, seconds[i] plus the largest value
// of the stages that list it among their inputs: the estimated seconds of
// the longest chain of stages it heads. As Options.Priority it starts the
// ready stage on the longest chain first. The stages are in topological
// order, as Run requires: an input at or after its stage, or a seconds
// slice of another length than stages, is a programming error and panics
// with a message that says which.
func CriticalPath(stages []Stage, seconds []float64) []float64 {
	if len(seconds) != len(stages) {
		panic(fmt.Sprintf("dag.CriticalPath: %d seconds for %d stages", len(seconds), len(stages)))
	}
	if err := checkGraph(stages); err != nil {
		panic("dag.CriticalPath: " + err.Error())
	}
	cp := make([]float64, len(stages))
	for i := len(stages) - 1; i >= 0; i-- {
		cp[i] += seconds[i]
		for _, j := range stages[i].Inputs {
			cp[j] = max(cp[j], cp[i])
		}
	}
	return cp
}

// checkGraph reports the first input that is not an earlier stage: the
// stages must be in topological order.
func checkGraph(stages []Stage) error {
	for i, s := range stages {
		for _, j := range s.Inputs {
			if j < 0 || j >= i {
				return fmt.Errorf("stage %d: input %d is not an earlier stage (want 0 <= input < %d)", i, j, i)
			}
		}
	}
	return nil
}

// skip marks the waiting stages with a failed or skipped input as skipped.
// One pass in index order suffices: inputs come first.
func (r *runner) skip() {
	for i, s := range r.stages {
		if r.res[i].State != Waiting {
			continue
		}
		for _, j := range s.Inputs {
			if st := r.res[j].State; st == Failed || st == Skipped {
				r.res[i].State, r.res[i].Input = Skipped, j
				break
			}
		}
	}
}

// ready returns the waiting stages whose inputs succeeded, in priority
// order.
func (r *runner) ready() []int {
	var ready []int
	for i, s := range r.stages {
		if r.res[i].State != Waiting {
			continue
		}
		ok := true
		for _, j := range s.Inputs {
			ok = ok && r.res[j].State == Succeeded
		}
		if ok {
			ready = append(ready, i)
		}
	}
	if p := r.opt.Priority; p != nil {
		sort.SliceStable(ready, func(a, b int) bool {
			x, y := p[ready[a]], p[ready[b]]
			return x > y || !math.IsNaN(x) && math.IsNaN(y) // NaN last: a strict weak order
		})
	}
	return ready
}

// start starts ready stages while cores and memory allow.
func (r *runner) start(ctx context.Context, run RunFunc) {
	ready := r.ready()
	fit := r.fitting(ready)
	for n, i := range ready[:fit] {
		s := r.stages[i]
		if r.free < 1 {
			return
		}
		// Spread the free cores over the ready stages that memory lets
		// start now: independent stages side by side use cores better
		// than threads inside one, but a stage held back by memory
		// would leave its share idle while the others run.
		th := r.free / (fit - n)
		if s.MaxThreads > 0 {
			th = min(th, s.MaxThreads)
		}
		th = max(1, th)
		r.free -= th
		r.memMiB += s.MemMiB
		r.nrun++
		r.res[i].State, r.res[i].Threads = running, th
		go func() {
			err := run(ctx, i, th)
			r.done <- ended{i, err}
		}()
	}
}

// fitting returns how many of the ready stages, from the first, fit in
// memory beside the running ones and those before them: a stage whose
// estimate would pass Options.MemLimitMiB waits, unless nothing runs, and
// so do the ready stages after it.
func (r *runner) fitting(ready []int) int {
	mem, nrun := r.memMiB, r.nrun
	for n, i := range ready {
		s := r.stages[i]
		if nrun > 0 && r.opt.MemLimitMiB > 0 && mem+s.MemMiB > r.opt.MemLimitMiB {
			return n
		}
		mem += s.MemMiB
		nrun++
	}
	return len(ready)
}

// end records a stage that ended and frees its cores and memory.
func (r *runner) end(e ended) {
	res := &r.res[e.i]
	r.nrun--
	r.free += res.Threads
	r.memMiB -= r.stages[e.i].MemMiB
	res.State = Succeeded
	if e.err != nil {
		res.State, res.Err = Failed, e.err
	}
	if r.opt.OnEnd != nil {
		r.opt.OnEnd(e.i, res.Threads, e.err)
	}
}
