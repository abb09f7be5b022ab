package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/study"
)

func init() {
	commands["study"] = command{
		summary: "the replication over couplings and seeds: study plan | run [-slurm] | stage KEY",
		run:     runStudy,
	}
}

const studyUsage = `usage: isingrbm study plan  [-json] [study flags]
       isingrbm study run   [-cores N] [study flags]
       isingrbm study run   -slurm [-wait] [-partition P] [-sbatch-args ARGS] [study flags]
       isingrbm study stage [-spec FILE] [-o DIR] [-threads N] KEY

A study is the replication (isingrbm replicate) for every training coupling
of -K and every data seed of -seeds, each in its own folder DIR/runs/K<K>-seed<s>,
and a report over them in DIR (summary.json, report/index.html). Its stages
form one graph: plan prints it, run runs it here with a bounded worker pool
or submits it to Slurm, and stage runs one stage (what each Slurm job calls).
Finished stages are reused by every command.

Run 'isingrbm study <plan|run|stage> -h' for the flags.`

func runStudy(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, studyUsage)
		return badInput("study: want a subcommand: plan, run or stage")
	}
	switch args[0] {
	case "plan":
		return studyPlan(args[1:], stdout, stderr)
	case "run":
		return studyRun(args[1:], stdout, stderr)
	case "stage":
		return studyStage(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stderr, studyUsage)
		return flag.ErrHelp
	}
	fmt.Fprintln(stderr, studyUsage)
	return badInput("study: unknown subcommand %q, want plan, run or stage", args[0])
}

// studyFlags are replicate's overrides (the settings of every run) and the
// study's own flags.
type studyFlags struct {
	fs         *flag.FlagSet
	quick      *bool
	out        *string
	couplings  *string
	seeds      *string
	trainSeeds *int
	specFile   *string
}

func newStudyFlags(sub string, stderr io.Writer) *studyFlags {
	fs := newFlagSet("study "+sub, stderr)
	f := &studyFlags{fs: fs}
	f.quick = fs.Bool("quick", false, quickUsage)
	rbm.AddFlags(fs, study.SettingsParams(), nil)
	f.out = fs.String("o", filepath.Join("out", "study"), "study folder (for -slurm: shared by every node)")
	f.couplings = fs.String("K", study.FormatCouplings(study.DefaultCouplings), "training couplings: a list a,b,c or a range lo:hi:n")
	f.seeds = fs.String("seeds", study.FormatSeeds(study.DefaultSeeds), "data seeds: a list 1,2,3 or a range 1-5; each draws its own training data and trains its own networks")
	f.trainSeeds = fs.Int("train-seeds", 1, "training seeds per data seed (replicate's -seeds)")
	f.specFile = fs.String("spec", "", "read the study from this file (written by plan and run into DIR/specs) instead of the flags")
	return f
}

// isStudyFlag reports whether name is one of the flags that say what the
// study is (the ones -spec replaces).
func isStudyFlag(name string) bool {
	for _, p := range study.SettingsParams() {
		if p.Name == name {
			return true
		}
	}
	return name == "quick" || name == "K" || name == "seeds" || name == "train-seeds"
}

// spec returns the study of the flags or of -spec.
func (f *studyFlags) spec() (study.Spec, error) {
	if *f.specFile != "" {
		for name := range flagsSet(f.fs) {
			if isStudyFlag(name) {
				return study.Spec{}, badInput("-spec: give either -spec or the study's flags, not -%s too", name)
			}
		}
		s, err := study.ReadSpec(*f.specFile)
		if err != nil {
			return s, badInput("-spec: %v", err)
		}
		return s, nil
	}
	s, err := settingsOf(f.fs, *f.quick, study.SettingsParams())
	if err != nil {
		return study.Spec{}, err
	}
	sp, err := study.ParseSpec(s, *f.couplings, *f.seeds, *f.trainSeeds)
	return sp, asUsage(err)
}

// open returns the study of the flags in -o.
func (f *studyFlags) open() (*study.Study, error) {
	sp, err := f.spec()
	if err != nil {
		return nil, err
	}
	dir := *f.out
	if dir == "" {
		return nil, badInput("-o: want a folder")
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	st, err := study.New(dir, sp, "")
	if err != nil {
		return nil, badInput("%v", err)
	}
	return st, nil
}

func studyPlan(args []string, stdout, stderr io.Writer) error {
	f := newStudyFlags("plan", stderr)
	asJSON := f.fs.Bool("json", false, "print the graph as JSON")
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	st, err := f.open()
	if err != nil {
		return err
	}
	return st.WritePlan(stdout, *asJSON)
}

func studyRun(args []string, stdout, stderr io.Writer) error {
	f := newStudyFlags("run", stderr)
	o := study.DefaultRunOptions()
	rbm.AddFlags(f.fs, study.RunParams(), &o)
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	if err := applyParams(f.fs, study.RunParams(), &o); err != nil {
		return err
	}
	given := flagsSet(f.fs)
	if err := o.CheckGiven(func(name string) bool { return given[name] }); err != nil {
		return asUsage(err)
	}
	st, err := f.open()
	if err != nil {
		return err
	}
	ctx := interruptContext() // SIGINT and SIGTERM cancel it (main.go)
	if o.Slurm {
		o.Submit.Slurm.Dir, o.Submit.Slurm.Log = st.Dir, stdout
		return submitStudy(ctx, st, o.Submit)
	}
	if err := study.CheckWritable(st.Dir); err != nil {
		return badInput("-o: %v", err)
	}
	_, err = st.RunHere(ctx, study.LocalOptions{Cores: o.Cores, Log: stdout})
	return interrupted(err, "finished stages are kept, rerun the same command to continue")
}

// submitStudy submits the study to Slurm after checking everything that
// can be checked before anything is written or submitted.
func submitStudy(ctx context.Context, st *study.Study, o study.SubmitOptions) error {
	if err := o.Prepare(); err != nil {
		return asUsage(err)
	}
	_, err := st.Submit(ctx, o)
	return err
}

func studyStage(args []string, stdout, stderr io.Writer) error {
	f := newStudyFlags("stage", stderr)
	threads := f.fs.Int("threads", 0, "worker threads (0: $SLURM_CPUS_PER_TASK under Slurm, else all cores)")
	key, err := parseWithArg(f.fs, args, "stage KEY")
	if err != nil {
		return err
	}
	if *threads < 0 {
		return badInput("-threads: want 0 or a positive count, got %d", *threads)
	}
	th := *threads
	if th == 0 {
		th = study.JobThreads()
	}
	st, err := f.open()
	if err != nil {
		return err
	}
	err = st.RunOne(interruptContext(), key, th, stdout) // SIGINT and SIGTERM cancel it (main.go)
	var unknown *study.UnknownStageError
	switch {
	case errors.As(err, &unknown):
		return badInput("%v", err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("stage %s interrupted; it left no output", key)
	}
	return err
}
