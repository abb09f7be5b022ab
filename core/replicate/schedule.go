package replicate

import (
	"context"
	"io"
	"runtime"
	"slices"
	"sync"

	"github.com/isingrbm/isingrbm/core/sysmem"
)

// pipeline runs every stage of the plan. On one core (Settings.Threads 1)
// it runs them one after another in plan order. With more, it runs every
// stage whose inputs are done beside the others while cores and memory
// allow, in plan order: a stage starts when a core is free and its memory
// estimate (StageSpec.MemMiB) fits beside the running stages' under
// sysmem.Limit (a lone stage always starts), with the free cores spread
// over the ready stages (a lone stage gets them all). Independent
// stages side by side use the cores better than threads inside one small
// stage (the recipes' trainings and evaluations, the sampling of the
// sweep, the per-replica analyses). The results do not depend on it: a
// stage's outputs are a function of its inputs and settings, whatever its
// thread count.
//
// The first failure stops the others (their contexts are cancelled; a
// training keeps its checkpoint) and is returned; when ctx is cancelled
// pipeline returns an error wrapping ctx.Err() once the running stages
// have stopped.
func (r *replicator) pipeline() error {
	cores := r.s.Threads
	if cores <= 0 {
		cores = runtime.GOMAXPROCS(0)
	}
	if cores < 2 {
		for _, st := range r.plan.stages {
			if err := r.runStage(st); err != nil {
				return err
			}
		}
		return nil
	}
	// Stages beside each other share the log writers: one line at a time.
	r.stdout, r.stderr = &syncWriter{w: r.stdout}, &syncWriter{w: r.stderr}
	limit, _ := sysmem.Limit()
	sc := &scheduler{r: r, free: cores, limitMiB: int(limit / (1 << 20)), state: make([]stageState, len(r.plan.stages)),
		done: make(chan stageResult)}
	return sc.run()
}

type stageState int

const (
	stageWaiting stageState = iota
	stageRunning
	stageDone
	stageFailed
)

// stageResult is what a stage run by the scheduler sends back.
type stageResult struct {
	i, threads, mem int
	log             []stageRun
	err             error
}

// scheduler is the state of a pipeline run on several cores.
type scheduler struct {
	r        *replicator
	free     int // cores not given to a running stage
	memMiB   int // estimated memory of the running stages
	limitMiB int
	running  int
	state    []stageState
	done     chan stageResult
	err      error // the first failure
}

func (sc *scheduler) run() error {
	ctx, cancel := context.WithCancel(sc.r.ctx)
	defer cancel()
	// last_run.json lists the stages in plan order, as one at a time does.
	defer func() {
		slices.SortStableFunc(sc.r.log, func(a, b stageRun) int { return sc.r.plan.index[a.Key] - sc.r.plan.index[b.Key] })
	}()
	for {
		if sc.err == nil && ctx.Err() == nil {
			sc.startReady(ctx)
		}
		if sc.running == 0 {
			break
		}
		res := <-sc.done
		sc.running--
		sc.free += res.threads
		sc.memMiB -= res.mem
		sc.r.log = append(sc.r.log, res.log...)
		sc.state[res.i] = stageDone
		if res.err != nil {
			sc.state[res.i] = stageFailed
			if sc.err == nil {
				sc.err = res.err
				cancel() // stop the stages beside it
			}
		}
	}
	if sc.err != nil {
		return sc.err
	}
	for _, st := range sc.state {
		if st != stageDone {
			return sc.r.ctx.Err() // cancelled before every stage ran
		}
	}
	return nil
}

// ready returns the waiting stages whose inputs are done, in plan order.
func (sc *scheduler) ready() []int {
	var ready []int
	for i, st := range sc.r.plan.stages {
		if sc.state[i] != stageWaiting {
			continue
		}
		ok := true
		for _, in := range st.Inputs {
			ok = ok && sc.state[sc.r.plan.index[in]] == stageDone
		}
		if ok {
			ready = append(ready, i)
		}
	}
	return ready
}

// startReady starts ready stages while cores and memory allow.
func (sc *scheduler) startReady(ctx context.Context) {
	ready := sc.ready()
	for n, i := range ready {
		st := sc.r.plan.stages[i]
		if sc.free < 1 || sc.running > 0 && sc.memMiB+st.MemMiB > sc.limitMiB {
			return
		}
		th := max(1, sc.free/(len(ready)-n))
		sc.free -= th
		sc.memMiB += st.MemMiB
		sc.running++
		sc.state[i] = stageRunning
		rr := *sc.r
		rr.ctx, rr.s.Threads, rr.log = ctx, th, nil
		go func() {
			err := rr.runStage(st)
			sc.done <- stageResult{i: i, threads: th, mem: st.MemMiB, log: rr.log, err: err}
		}()
	}
}

// syncWriter serializes writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
