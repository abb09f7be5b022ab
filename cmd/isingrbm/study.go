package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/isingrbm/isingrbm/core/interrupt"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/study"
)

func init() {
	commands["study"] = command{
		summary:     "the replication over couplings and seeds: study plan | run [-slurm] | stage KEY",
		run:         runStudy,
		subcommands: []string{"plan", "run", "stage"},
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
		return badInput("want a subcommand: plan, run or stage")
	}
	switch args[0] {
	case "plan":
		return studyPlan(args[1:], stdout, stderr)
	case "run":
		return studyRun(args[1:], stdout, stderr)
	case "stage":
		return studyStage(args[1:], stdout, stderr)
	case "-h", "-help", "--h", "--help", "help":
		fmt.Fprintln(stdout, studyUsage) // asked for
		return flag.ErrHelp
	}
	return badInput("unknown subcommand %q, want plan, run or stage; run 'isingrbm study -h' for the usage", args[0])
}

// studyFlags are replicate's overrides (the settings of every run) and the
// study's own flags.
type studyFlags struct {
	fs *flag.FlagSet
	v  study.SpecFlags
}

func newStudyFlags(sub string, stdout io.Writer) *studyFlags {
	fs := newFlagSet("study "+sub, stdout)
	f := &studyFlags{fs: fs}
	fs.BoolVar(&f.v.Quick, "quick", false, quickUsage)
	param.AddFlags(fs, study.SettingsParams(), nil)
	fs.StringVar(&f.v.Out, "o", filepath.Join("out", "study"), "study folder (for -slurm: shared by every node)")
	fs.StringVar(&f.v.Couplings, "K", study.FormatCouplings(study.DefaultCouplings), "training couplings: a list a,b,c or a range lo:hi:n")
	fs.StringVar(&f.v.Seeds, "seeds", study.FormatSeeds(study.DefaultSeeds), "data seeds: a list 1,2,3 or a range 1-5; each draws its own training data and trains its own networks")
	param.IntVar(fs, &f.v.TrainSeeds, "train-seeds", 1, "training seeds per data seed (replicate's -seeds)")
	fs.StringVar(&f.v.SpecFile, "spec", "", "read the study from this file instead of the flags: a spec that study run writes into DIR/specs/<hash>.json and DIR/study.json (plan writes nothing)")
	return f
}

// open returns the study of the flags in -o.
func (f *studyFlags) open() (*study.Study, error) {
	st, err := f.v.Open(f.fs, "")
	return st, asUsage(err)
}

func studyPlan(args []string, stdout, stderr io.Writer) error {
	f := newStudyFlags("plan", stdout)
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
	f := newStudyFlags("run", stdout)
	def := study.DefaultRunOptions()
	param.AddFlags(f.fs, study.RunParams(), &def)
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	o, err := study.RunOptionsFromFlags(f.fs)
	if err != nil {
		return asUsage(err)
	}
	st, err := f.open()
	if err != nil {
		return err
	}
	defer limitMemoryToPlan()()
	err = st.Run(interrupt.Context(), o, stdout) // SIGINT and SIGTERM cancel the context (interrupt.Watch in main.go)
	if o.Slurm {
		return err // an interrupted -wait says itself that the jobs keep running
	}
	return interrupt.Interrupted(err, "finished stages are kept, rerun the same command to continue")
}

func studyStage(args []string, stdout, stderr io.Writer) error {
	f := newStudyFlags("stage", stdout)
	threads := param.Int(f.fs, "threads", 0, "worker threads (0: $SLURM_CPUS_PER_TASK under Slurm, else all cores)")
	key, err := parseWithArg(f.fs, args, "stage KEY")
	if err != nil {
		return err
	}
	th, err := study.StageThreads(*threads)
	if err != nil {
		return asUsage(err)
	}
	st, err := f.open()
	if err != nil {
		return err
	}
	return st.RunJob(interrupt.Context(), key, th, stdout) // SIGINT and SIGTERM cancel it (interrupt.Watch in main.go)
}
