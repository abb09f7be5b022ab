package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

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

// studyFlags are replicate's flags (the settings of every run) and the
// study's own.
type studyFlags struct {
	fs         *flag.FlagSet
	rf         *replicateFlags
	out        *string
	couplings  *string
	seeds      *string
	trainSeeds *int
	specFile   *string
}

// replicate flags a study does not take: it sets them per run (K, seed,
// data seeds), runs stages with its own thread counts, or has its own.
var studySkipsReplicateFlags = map[string]bool{"o": true, "K": true, "seed": true, "seeds": true, "data-seeds": true,
	"threads": true, "force": true, "readme": true}

func newStudyFlags(sub string, stderr io.Writer) *studyFlags {
	rf := newReplicateFlags(io.Discard)
	fs := newFlagSet("study "+sub, stderr)
	rf.fs.VisitAll(func(fl *flag.Flag) {
		if !studySkipsReplicateFlags[fl.Name] {
			fs.Var(fl.Value, fl.Name, fl.Usage)
		}
	})
	f := &studyFlags{fs: fs, rf: rf}
	f.out = fs.String("o", filepath.Join("out", "study"), "study folder (for -slurm: shared by every node)")
	f.couplings = fs.String("K", joinFloats(study.DefaultCouplings), "training couplings: a list a,b,c or a range lo:hi:n")
	f.seeds = fs.String("seeds", joinSeeds(study.DefaultSeeds), "data seeds: a list 1,2,3 or a range 1-5; each draws its own training data and trains its own networks")
	f.trainSeeds = fs.Int("train-seeds", 1, "training seeds per data seed (replicate's -seeds)")
	f.specFile = fs.String("spec", "", "read the study from this file (written by plan and run into DIR/specs) instead of the flags")
	return f
}

func joinFloats(x []float64) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

func joinSeeds(x []uint64) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = strconv.FormatUint(v, 10)
	}
	return strings.Join(s, ",")
}

// parseSeeds reads a list of seeds "1,2,7" or a range "1-5".
func parseSeeds(flagName, s string) ([]uint64, error) {
	s = strings.TrimSpace(s)
	var out []uint64
	if lo, hi, ok := strings.Cut(s, "-"); ok && !strings.Contains(s, ",") {
		a, err1 := strconv.ParseUint(strings.TrimSpace(lo), 10, 64)
		b, err2 := strconv.ParseUint(strings.TrimSpace(hi), 10, 64)
		if err1 != nil || err2 != nil || b < a {
			return nil, badInput("-%s: want a range lo-hi of seeds with lo <= hi, got %q", flagName, s)
		}
		if b-a >= 1000 {
			return nil, badInput("-%s: at most 1000 seeds, got %q", flagName, s)
		}
		for x := a; ; x++ {
			out = append(out, x)
			if x == b {
				break
			}
		}
		return out, nil
	}
	seen := map[uint64]bool{}
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, badInput("-%s: want seeds (whole numbers >= 0) as a list 1,2,3 or a range 1-5; %q is not one", flagName, strings.TrimSpace(f))
		}
		if seen[x] {
			return nil, badInput("-%s: seed %d appears twice", flagName, x)
		}
		seen[x] = true
		out = append(out, x)
	}
	if len(out) > 1000 {
		return nil, badInput("-%s: at most 1000 seeds, got %d", flagName, len(out))
	}
	return out, nil
}

// parse parses args; with positional set it allows (and returns) exactly one
// positional argument.
func (f *studyFlags) parse(args []string, positional string) (string, error) {
	if positional == "" {
		return "", parseFlags(f.fs, args)
	}
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", err
		}
		return "", &usageError{msg: err.Error()}
	}
	switch f.fs.NArg() {
	case 0:
		return "", badInput("want a %s after the flags", positional)
	case 1:
		return f.fs.Arg(0), nil
	}
	return "", badInput("want one %s after the flags, got %q", positional, strings.Join(f.fs.Args(), " "))
}

// spec returns the study of the flags or of -spec.
func (f *studyFlags) spec() (study.Spec, error) {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if *f.specFile != "" {
		for name := range set {
			if (f.rf.fs.Lookup(name) != nil && !studySkipsReplicateFlags[name]) || name == "K" || name == "seeds" || name == "train-seeds" {
				return study.Spec{}, badInput("-spec: give either -spec or the study's flags, not -%s too", name)
			}
		}
		s, err := study.ReadSpec(*f.specFile)
		if err != nil {
			return s, badInput("-spec: %v", err)
		}
		return s, nil
	}
	// Hand the replicate flags that were set to replicate's own checks.
	for name := range set {
		if fl := f.rf.fs.Lookup(name); fl != nil && !studySkipsReplicateFlags[name] {
			if err := f.rf.fs.Set(name, fl.Value.String()); err != nil {
				return study.Spec{}, badInput("-%s: %v", name, err)
			}
		}
	}
	s, err := f.rf.settings()
	if err != nil {
		return study.Spec{}, err
	}
	ks, err := parseCouplings("K", *f.couplings)
	if err != nil {
		return study.Spec{}, err
	}
	seeds, err := parseSeeds("seeds", *f.seeds)
	if err != nil {
		return study.Spec{}, err
	}
	if *f.trainSeeds < 1 || *f.trainSeeds > 1000 {
		return study.Spec{}, badInput("-train-seeds: want 1..1000 training seeds per data seed, got %d", *f.trainSeeds)
	}
	s.Seeds, s.DataSeeds = *f.trainSeeds, 1
	if err := checkSampleMemory(s.L, s.N, 0); err != nil {
		return study.Spec{}, err
	}
	sp := study.Spec{Settings: s, Couplings: ks, Seeds: seeds}
	if err := sp.Check(); err != nil {
		return sp, badInput("%v", err)
	}
	return sp, nil
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
	if _, err := f.parse(args, ""); err != nil {
		return err
	}
	st, err := f.open()
	if err != nil {
		return err
	}
	stages := st.Stages()
	tot := study.Sum(stages)
	if *asJSON {
		js, err := json.MarshalIndent(struct {
			Dir    string          `json:"dir"`
			Spec   study.Spec      `json:"spec"`
			Runs   []study.RunInfo `json:"runs"`
			Totals study.Totals    `json:"totals"`
			Stages []study.Stage   `json:"stages"`
			Done   []string        `json:"done"`
		}{st.Dir, st.Spec, st.Runs(), tot, stages, doneKeys(st, stages)}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", js)
		return err
	}
	done := len(stages) - len(study.Missing(st, stages))
	fmt.Fprintf(stdout, "study in %s: %d couplings x %d seeds = %d runs, %d stages (%d done)\n",
		st.Dir, len(st.Spec.Couplings), len(st.Spec.Seeds), len(st.Runs()), len(stages), done)
	fmt.Fprintf(stdout, "estimates: %.2f core-hours in all, %s on the longest chain, at most %d MiB for one stage\n\n",
		tot.CoreHours, fmtSeconds(tot.CriticalSeconds), tot.MaxMemMiB)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tKIND\tCORES\tMEM MiB\tTIME\tDONE\tNAME")
	for _, s := range stages {
		d := ""
		if st.Done(s.Key) {
			d = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", s.Key, s.Kind, s.Cores, s.MemMiB, fmtSeconds(s.Seconds), d, s.Name)
		if len(s.Inputs) > 0 {
			fmt.Fprintf(tw, "\t\t\t\t\t\t  inputs: %s\n", strings.Join(s.Inputs, " "))
		}
		fmt.Fprintf(tw, "\t\t\t\t\t\t  outputs: %s\n", strings.Join(s.Outputs, " "))
	}
	return tw.Flush()
}

func doneKeys(g study.Graph, stages []study.Stage) []string {
	out := []string{}
	for _, s := range stages {
		if g.Done(s.Key) {
			out = append(out, s.Key)
		}
	}
	return out
}

func fmtSeconds(s float64) string {
	switch {
	case s < 90:
		return fmt.Sprintf("%.0f s", s)
	case s < 5400:
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}

func studyRun(args []string, stdout, stderr io.Writer) error {
	f := newStudyFlags("run", stderr)
	cores := f.fs.Int("cores", 0, "cores the stages may use together on this machine (0: all)")
	slurm := f.fs.Bool("slurm", false, "submit the stages to Slurm instead of running them here")
	wait := f.fs.Bool("wait", false, "with -slurm: wait until the jobs end (polling squeue) and report failures")
	poll := f.fs.Duration("poll", 5*time.Second, "with -wait: how often to poll squeue")
	partition := f.fs.String("partition", "", "with -slurm: the partition (default: the cluster's)")
	sbatchArgs := f.fs.String("sbatch-args", "", "with -slurm: more sbatch arguments for every job, space-separated (e.g. --account=phys)")
	timeFactor := f.fs.Float64("time-factor", 4, "with -slurm: ask for --time = this x the estimated time (at least 10 minutes); 0: the partition's default")
	binary := f.fs.String("binary", "", "with -slurm: the isingrbm executable the jobs run (default: this one); copied into the study folder under its hash")
	if _, err := f.parse(args, ""); err != nil {
		return err
	}
	if *cores < 0 || *cores > 1<<16 {
		return badInput("-cores: want 0 (all) or a positive count, got %d", *cores)
	}
	if *poll < 100*time.Millisecond {
		return badInput("-poll: want at least 100ms, got %v", *poll)
	}
	if *timeFactor < 0 || *timeFactor > 1000 {
		return badInput("-time-factor: want 0..1000, got %v", *timeFactor)
	}
	if !*slurm {
		for _, name := range []string{"wait", "partition", "sbatch-args", "binary"} {
			if flagSet(f.fs, name) {
				return badInput("-%s: only with -slurm", name)
			}
		}
	}
	st, err := f.open()
	if err != nil {
		return err
	}
	ctx := interruptContext() // SIGINT and SIGTERM cancel it (main.go)
	if *slurm {
		opt := study.SlurmOptions{Dir: st.Dir, Partition: *partition, Extra: strings.Fields(*sbatchArgs),
			TimeFactor: *timeFactor, MinTime: 10 * time.Minute, Log: stdout, Name: "isingrbm"}
		// Everything that can be checked is checked before anything is
		// written or submitted.
		exe := *binary
		if exe == "" {
			if exe, err = os.Executable(); err != nil {
				return fmt.Errorf("cannot find this executable (give -binary): %v", err)
			}
		} else if _, err := exec.LookPath(exe); err != nil {
			return badInput("-binary: %v", err)
		}
		if err := opt.Check(); err != nil {
			return badInput("-slurm: %v", err)
		}
		bin, err := study.InstallBinary(exe, st.Dir)
		if err != nil {
			return fmt.Errorf("copying the executable into the study folder: %v", err)
		}
		specPath, err := st.WriteSpec()
		if err != nil {
			return err
		}
		opt.Command = []string{bin, "study", "stage", "-spec", specPath, "-o", st.Dir}
		sub, err := study.SubmitSlurm(ctx, st, opt)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d stage(s) submitted in %d job(s), %d already queued, %d done; folder %s\n",
			sub.Submitted(), len(sub.Jobs), len(sub.InFlight), sub.Done, st.Dir)
		if !*wait {
			fmt.Fprintf(stdout, "rerun with -wait to wait for them; the report will be %s\n", filepath.Join(st.Dir, "report", "index.html"))
			return nil
		}
		if err := study.WaitSlurm(ctx, st, opt, *poll); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "report: %s\nsummary: %s\n", filepath.Join(st.Dir, "report", "index.html"), filepath.Join(st.Dir, "summary.json"))
		return nil
	}
	if err := study.CheckWritable(st.Dir); err != nil {
		return badInput("-o: %v", err)
	}
	if _, err := st.WriteSpec(); err != nil {
		return err
	}
	t0 := time.Now()
	res, err := study.RunLocal(ctx, st, study.LocalOptions{Cores: *cores, Log: stdout})
	// Timings go to last_run.json, never to summary.json.
	if lerr := writeStudyLog(st.Dir, res, time.Since(t0), err); lerr != nil && err == nil {
		err = lerr
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted; finished stages are kept, rerun the same command to continue")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "study done in %.1f s\nreport: %s\nsummary: %s\n", time.Since(t0).Seconds(),
		filepath.Join(st.Dir, "report", "index.html"), filepath.Join(st.Dir, "summary.json"))
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(fl *flag.Flag) { found = found || fl.Name == name })
	return found
}

func writeStudyLog(dir string, res []study.StageResult, d time.Duration, runErr error) error {
	js, err := json.MarshalIndent(map[string]any{"finished": time.Now().UTC().Format(time.RFC3339), "seconds": d.Seconds(),
		"ok": runErr == nil, "cores": runtime.NumCPU(), "stages": res}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "last_run.json"), append(js, '\n'), 0o644)
}

func studyStage(args []string, stdout, stderr io.Writer) error {
	f := newStudyFlags("stage", stderr)
	threads := f.fs.Int("threads", 0, "worker threads (0: $SLURM_CPUS_PER_TASK under Slurm, else all cores)")
	key, err := f.parse(args, "stage KEY")
	if err != nil {
		return err
	}
	if *threads < 0 {
		return badInput("-threads: want 0 or a positive count, got %d", *threads)
	}
	th := *threads
	if th == 0 {
		if n, err := strconv.Atoi(os.Getenv("SLURM_CPUS_PER_TASK")); err == nil && n > 0 {
			th = n
		} else {
			th = runtime.NumCPU()
		}
	}
	st, err := f.open()
	if err != nil {
		return err
	}
	s, err := study.Find(st, key)
	if err != nil {
		return badInput("%v", err)
	}
	ctx := interruptContext() // SIGINT and SIGTERM cancel it (main.go)
	if st.Done(key) {
		fmt.Fprintf(stdout, "%s (%s): done before, reused\n", key, s.Name)
		return nil
	}
	t0 := time.Now()
	if err := st.RunStage(ctx, key, th); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("stage %s interrupted; it left no output", key)
		}
		return err
	}
	fmt.Fprintf(stdout, "%s (%s): computed in %.1f s with %d threads\n", key, s.Name, time.Since(t0).Seconds(), th)
	return nil
}
