package replicate

import (
	"context"
	"io"
	"runtime"
	"sync"

	"github.com/isingrbm/isingrbm/core/dag"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// pipeline runs every stage of the plan with dag.Run. On one core
// (Settings.Threads 1) it runs them one after another in plan order. With
// more, it runs every stage whose inputs are done beside the others while
// cores and memory allow, the ready stage that heads the longest chain of
// estimated seconds (dag.CriticalPath) first. (In plan order the
// evaluation of a finished network went before the training of
// scikit-learn's recipe, whose training and evaluation then ended the run
// alone on one core.) A stage starts when a core is free
// and its memory estimate (StageSpec.MemMiB) fits beside the running
// stages' under sysmem.Limit (a lone stage always starts), with the free
// cores spread over the ready stages (a lone stage gets them all).
// Independent stages side by side use the cores better than threads inside
// one small stage (the recipes' trainings and evaluations, the sampling of
// the sweep, the per-replica analyses). The results do not depend on it: a
// stage's outputs are a function of its inputs and settings, whatever its
// thread count.
//
// The first failure stops the others (their contexts are cancelled; a
// training keeps its checkpoint) and is returned; when ctx is cancelled
// pipeline returns an error wrapping ctx.Err() once the running stages
// have stopped. r.log lists the stages that ran in plan order, for
// last_run.json.
func (r *replicator) pipeline() error {
	cores := r.s.Threads
	if cores <= 0 {
		cores = runtime.GOMAXPROCS(0)
	}
	if cores >= 2 {
		// Stages beside each other share the log writers: one line at a time.
		r.stdout, r.stderr = &syncWriter{w: r.stdout}, &syncWriter{w: r.stderr}
	}
	// An unknown limit (0) lets one stage run at a time, as every estimate
	// is at least 1 MiB.
	limit, _ := sysmem.Limit()
	stages, secs := r.plan.dagStages()
	opt := dag.Options{Cores: cores, MemLimitMiB: max(1, int(limit/(1<<20)))}
	if cores >= 2 {
		opt.Priority = dag.CriticalPath(stages, secs)
	}
	logs := make([][]stageRun, len(stages))
	_, err := dag.Run(r.ctx, stages, opt,
		func(ctx context.Context, i, threads int) error {
			rr := *r
			rr.ctx, rr.log = ctx, nil
			if cores >= 2 {
				rr.s.Threads = threads
			}
			err := rr.runStage(r.plan.stages[i])
			for j := range rr.log {
				if !rr.log[j].Reused {
					rr.log[j].Threads = threads
				}
			}
			logs[i] = rr.log
			return err
		})
	for _, l := range logs {
		r.log = append(r.log, l...)
	}
	return err
}

// dagStages returns the plan's stages as dag.Run takes them, and their
// estimated seconds.
func (p *plan) dagStages() ([]dag.Stage, []float64) {
	stages := make([]dag.Stage, len(p.stages))
	secs := make([]float64, len(p.stages))
	for i, st := range p.stages {
		stages[i].MemMiB, secs[i] = st.MemMiB, st.Seconds
		for _, in := range st.Inputs {
			stages[i].Inputs = append(stages[i].Inputs, p.index[in])
		}
	}
	return stages, secs
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
