package study

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/isingrbm/isingrbm/core/rbm"
)

// ReportPath is the study's report, index.html in DIR/report.
func (st *Study) ReportPath() string { return filepath.Join(st.Dir, "report", "index.html") }

// SummaryPath is the study's summary.json.
func (st *Study) SummaryPath() string { return filepath.Join(st.Dir, "summary.json") }

// RunHere writes the spec into the study folder, runs the stages that are
// not done on this machine (RunLocal) and records the run's timings in
// DIR/last_run.json (never in summary.json, so that its bytes do not
// depend on the machine). On success it writes the time taken and the
// report's path to opt.Log. Errors are RunLocal's.
func (st *Study) RunHere(ctx context.Context, opt LocalOptions) ([]StageResult, error) {
	unlock, err := lockDir(st.Dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := st.WriteSpec(); err != nil {
		return nil, err
	}
	t0 := time.Now()
	res, err := RunLocal(ctx, st, opt)
	if lerr := writeLog(st.Dir, res, time.Since(t0), err); lerr != nil && err == nil {
		err = lerr
	}
	if err != nil {
		return res, err
	}
	if opt.Log != nil {
		fmt.Fprintf(opt.Log, "study done in %.1f s\nreport: %s\nsummary: %s\n", time.Since(t0).Seconds(), st.ReportPath(), st.SummaryPath())
	}
	return res, nil
}

// writeLog writes DIR/last_run.json: when the run finished, how long it
// took, whether it succeeded, the machine's cores and every stage's result.
func writeLog(dir string, res []StageResult, d time.Duration, runErr error) error {
	js, err := json.MarshalIndent(map[string]any{"finished": time.Now().UTC().Format(time.RFC3339), "seconds": d.Seconds(),
		"ok": runErr == nil, "cores": runtime.NumCPU(), "stages": res}, "", "  ")
	if err != nil {
		return err
	}
	return writeBytesAtomic(filepath.Join(dir, "last_run.json"), append(js, '\n'))
}

// SubmitOptions configure Study.Submit.
type SubmitOptions struct {
	// Slurm are the options of SubmitSlurm and WaitSlurm; Submit sets Dir
	// to the study folder and Command to `Exe study stage -spec SPEC -o DIR`.
	Slurm SlurmOptions
	// Exe is the isingrbm executable the jobs run; Submit copies it into
	// DIR/bin under its hash (InstallBinary).
	Exe string
	// Wait makes Submit wait for the jobs (WaitSlurm), polling every Poll.
	Wait bool
	Poll time.Duration
}

// Submit installs the executable and writes the spec into the study
// folder, submits the stages that are not done to Slurm and writes what it
// submitted to opt.Slurm.Log. With opt.Wait it then waits for the jobs and
// returns WaitSlurm's error; else it says how to wait for them.
func (st *Study) Submit(ctx context.Context, opt SubmitOptions) (*Submission, error) {
	log := opt.Slurm.Log
	if log == nil {
		log = io.Discard
	}
	unlock, err := lockDir(st.Dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	bin, err := InstallBinary(opt.Exe, st.Dir)
	if err != nil {
		return nil, fmt.Errorf("copying the executable into the study folder: %v", err)
	}
	specPath, err := st.WriteSpec()
	if err != nil {
		return nil, err
	}
	so := opt.Slurm
	so.Dir = st.Dir
	so.Command = []string{bin, "study", "stage", "-spec", specPath, "-o", st.Dir}
	sub, err := SubmitSlurm(ctx, st, so)
	if err != nil {
		return sub, err
	}
	fmt.Fprintf(log, "%d stage(s) submitted in %d job(s), %d already queued, %d done; folder %s\n",
		sub.Submitted(), len(sub.Jobs), len(sub.InFlight), sub.Done, st.Dir)
	if !opt.Wait {
		fmt.Fprintf(log, "rerun with -wait to wait for them; the report will be %s\n", st.ReportPath())
		return sub, nil
	}
	if err := WaitSlurm(ctx, st, so, opt.Poll); err != nil {
		return sub, err
	}
	fmt.Fprintf(log, "report: %s\nsummary: %s\n", st.ReportPath(), st.SummaryPath())
	return sub, nil
}

// RunOne runs the stage of key with threads worker threads (what one Slurm
// job does) and writes one line to log: reused when it was done before,
// else the time it took. An unknown key gives an *UnknownStageError.
func (st *Study) RunOne(ctx context.Context, key string, threads int, log io.Writer) error {
	s, err := Find(st, key)
	if err != nil {
		return err
	}
	if st.Done(key) {
		fmt.Fprintf(log, "%s (%s): done before, reused\n", key, s.Name)
		return nil
	}
	t0 := time.Now()
	if err := st.RunStage(ctx, key, threads); err != nil {
		return err
	}
	fmt.Fprintf(log, "%s (%s): computed in %.1f s with %d threads\n", key, s.Name, time.Since(t0).Seconds(), threads)
	return nil
}

// JobThreads returns the worker threads of a stage run with threads = 0:
// $SLURM_CPUS_PER_TASK in a Slurm job, else all of this machine's cores.
func JobThreads() int {
	if n, err := strconv.Atoi(os.Getenv("SLURM_CPUS_PER_TASK")); err == nil && n > 0 {
		return min(n, rbm.MaxThreads)
	}
	return runtime.NumCPU()
}
