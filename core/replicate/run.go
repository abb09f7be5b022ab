package replicate

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/isingrbm/isingrbm/core/rbm"
)

// Config drives one replication run.
type Config struct {
	Out      string   // output folder; created with its sub-folders
	Settings Settings // sizes, seeds and networks; they enter the stage keys
	// Force recomputes every stage even when its key matches.
	Force bool
	// Log receives one line per stage (computed or reused); nil discards.
	Log io.Writer
	// Notes receives remarks such as "resuming from a checkpoint"; nil
	// discards.
	Notes io.Writer
	// Progress, if set, starts the progress report of one long task (a
	// sample, a training, an evaluation) named by label. Stages run side
	// by side on several cores (see Run), so several tasks may be active
	// at once and Progress and the Tasks' methods may be called
	// concurrently. Log and Notes are written one line at a time.
	Progress func(label string) Task
	// OnEpoch, if set, is called after every training epoch of network net,
	// possibly from several trainings at once.
	OnEpoch func(net string, p rbm.ProgressInfo)
	// Version is the program version that enters every stage key; empty
	// means DefaultVersion(). Tests set it so that keys do not depend on
	// the build.
	Version string
}

// Task is the progress report of one long task.
type Task interface {
	Update(done, total int64) // done of total units
	SetExtra(status string)   // a short status shown beside the progress
	Done()                    // the task ended (or failed)
}

type noTask struct{}

func (noTask) Update(int64, int64) {}
func (noTask) SetExtra(string)     {}
func (noTask) Done()               {}

func (r *replicator) task(label string) Task {
	if r.progress == nil {
		return noTask{}
	}
	return r.progress(label)
}

// Run runs the replication into cfg.Out: every stage of Plan(cfg) (sample,
// train, evaluate, analyse, report), in plan order on one core and with
// independent stages side by side on several (Settings.Threads; see
// pipeline), with the same results either way. Each stage whose key
// matches a completed earlier run is reused. When ctx is cancelled Run
// returns an error wrapping ctx.Err(); finished stages are kept and a later
// Run continues from them. last_run.json records the stages of this run in
// every case.
func Run(ctx context.Context, cfg Config) error {
	p, err := buildPlan(cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(cfg.Out, "stages"), 0o755); err != nil {
		return err
	}
	r := newReplicator(ctx, cfg, p)
	err = r.pipeline()
	if lerr := writeJSONAtomic(r.path("last_run.json"), map[string]any{
		"finished": time.Now().UTC().Format(time.RFC3339), "seconds": time.Since(r.start).Seconds(),
		"ok": err == nil, "version": p.version, "stages": r.log,
	}); lerr != nil && err == nil {
		err = lerr
	}
	return err
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// linspace returns n values from lo to hi, evenly spaced.
func linspace(lo, hi float64, n int) []float64 {
	if n == 1 {
		return []float64{lo}
	}
	ks := make([]float64, n)
	for i := range ks {
		ks[i] = lo + float64((hi-lo)*float64(i)/float64(n-1))
	}
	return ks
}

// CouplingFileName names the configuration file of coupling K inside a
// folder (the sweep of the replication and the sample command).
func CouplingFileName(k float64) string { return fmt.Sprintf("beta_%.4f.npy", k) }
