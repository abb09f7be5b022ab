package study

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/replicate"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// SpecFlags are the values of the study commands' own flags. With the
// settings' overrides (SettingsParams, registered by param.AddFlags) given on
// the same FlagSet, they say what the study is (or -spec reads it from a
// file) and where its folder is.
type SpecFlags struct {
	Quick      bool   // -quick: start from replicate.QuickSettings
	Couplings  string // -K: the training couplings (ParseSpec)
	Seeds      string // -seeds: the data seeds (ParseSeeds)
	TrainSeeds int    // -train-seeds: training seeds per data seed
	SpecFile   string // -spec: read the study from this file instead
	Out        string // -o: the study folder
}

// specOnlyFlags are the flags that -spec replaces besides SettingsParams.
var specOnlyFlags = []string{"quick", "K", "seeds", "train-seeds"}

// IsSpecFlag reports whether -name is one of the flags that say what the
// study is (the ones -spec replaces): SettingsParams and -quick, -K,
// -seeds and -train-seeds.
func IsSpecFlag(name string) bool {
	for _, p := range SettingsParams() {
		if p.Name == name {
			return true
		}
	}
	for _, n := range specOnlyFlags {
		if n == name {
			return true
		}
	}
	return false
}

// Spec returns the study of -spec (ReadSpec), refusing the study's flags
// given beside it, or else of the flags given on fs: the settings
// (replicate.SettingsFromFlags with SettingsParams) and ParseSpec. Every
// error is about the input and names its flag.
func (f SpecFlags) Spec(fs *flag.FlagSet) (Spec, error) {
	if f.SpecFile != "" {
		var conflict error
		fs.Visit(func(fl *flag.Flag) {
			if conflict == nil && IsSpecFlag(fl.Name) {
				conflict = fmt.Errorf("-spec: give either -spec or the study's flags, not -%s too", fl.Name)
			}
		})
		if conflict != nil {
			return Spec{}, conflict
		}
		s, err := ReadSpec(f.SpecFile)
		if err != nil {
			return s, fmt.Errorf("-spec: %v", err)
		}
		return s, nil
	}
	s, err := replicate.SettingsFromFlags(fs, f.Quick, SettingsParams())
	if err != nil {
		return Spec{}, err
	}
	return ParseSpec(s, f.Couplings, f.Seeds, f.TrainSeeds)
}

// Open returns the study of the flags (Spec) in the folder -o, made
// absolute. Every error is about the input.
func (f SpecFlags) Open(fs *flag.FlagSet, version string) (*Study, error) {
	sp, err := f.Spec(fs)
	if err != nil {
		return nil, err
	}
	dir := f.Out
	if dir == "" {
		return nil, errors.New("-o: want a folder")
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return New(dir, sp, version)
}

// RunOptionsFromFlags returns the options of "study run" given on fs (the
// flags of RunParams, registered by param.AddFlags) over DefaultRunOptions,
// refusing options that only Slurm uses without -slurm (CheckGiven). Every
// error is about the input and names its flag.
func RunOptionsFromFlags(fs *flag.FlagSet) (RunOptions, error) {
	o := DefaultRunOptions()
	if err := param.ApplyFlags(fs, RunParams(), &o); err != nil {
		return o, err
	}
	given := param.Given(fs)
	return o, o.CheckGiven(func(name string) bool { return given[name] })
}

// Run is "study run" with o: with o.Slurm it readies the submission
// (SubmitOptions.Prepare) and submits the stages (Submit) from the study
// folder, else it checks that the folder can be written and runs the
// stages here on o.Cores cores (RunHere). It writes what it did to log.
// Bad options and a folder that cannot be written are *param.InputError;
// an interrupted local run returns the context's error.
func (st *Study) Run(ctx context.Context, o RunOptions, log io.Writer) error {
	if o.Slurm {
		so := o.Submit
		so.Slurm.Dir, so.Slurm.Log = st.Dir, log
		undo := newCreated(st.Dir)
		if err := so.Prepare(); err != nil {
			undo.remove()
			return param.AsInputError(err)
		}
		if err := so.Slurm.probe(ctx); err != nil {
			undo.remove()
			return param.AsInputError(fmt.Errorf("-slurm: %v", err))
		}
		sub, err := st.Submit(ctx, so)
		if err != nil && (sub == nil || len(sub.Jobs) == 0) {
			undo.remove() // nothing was submitted: nothing refers to what this run wrote
		}
		return err
	}
	// Here the stages run on this machine: its memory bounds them, as
	// replicate's (Spec.Check bounds only what any node could give).
	if err := st.Spec.Settings.CheckLimits(); err != nil {
		return param.AsInputError(err)
	}
	if err := CheckWritable(st.Dir); err != nil {
		return param.AsInputError(fmt.Errorf("-o: %v", err))
	}
	_, err := st.RunHere(ctx, LocalOptions{Cores: o.Cores, Log: log})
	return err
}

// StageThreads returns the worker threads of "study stage -threads n": n,
// 0..rbm.MaxThreads as every command's -threads, or for 0 JobThreads
// (Slurm's cores for the job, else all of them).
func StageThreads(n int) (int, error) {
	if err := param.CheckInt("threads", n, 0, rbm.MaxThreads, "0: $SLURM_CPUS_PER_TASK under Slurm, else all cores"); err != nil {
		return 0, err
	}
	if n == 0 {
		return JobThreads(), nil
	}
	return n, nil
}

// RunJob is RunOne as a Slurm job runs it ("study stage KEY"): an unknown
// key is an *param.InputError, and an interrupt says that the stage
// left no output. Run by hand (outside a Slurm job), a stage still to be
// computed whose planned memory passes what this machine can give
// (sysmem.Limit) is refused as bad input before it starts; in a Slurm
// job its memory request, the same estimate, bounds it instead.
func (st *Study) RunJob(ctx context.Context, key string, threads int, log io.Writer) error {
	if err := st.checkStageMemory(key); err != nil {
		return param.AsInputError(err)
	}
	err := st.RunOne(ctx, key, threads, log)
	var unknown *UnknownStageError
	switch {
	case errors.As(err, &unknown):
		return param.AsInputError(err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("stage %s interrupted; it left no output", key)
	}
	return err
}

// checkStageMemory refuses stage key, outside a Slurm job ($SLURM_JOB_ID
// unset) and when not done yet, if its planned memory is more than this
// process can get. An unknown key is left to RunOne.
func (st *Study) checkStageMemory(key string) error {
	if os.Getenv("SLURM_JOB_ID") != "" {
		return nil
	}
	s, err := Find(st, key)
	if err != nil || st.Done(key) {
		return nil
	}
	need := float64(s.MemMiB) * (1 << 20)
	if limit, source := sysmem.Limit(); need > limit {
		return fmt.Errorf("stage %s (%s): planned for about %s, more than the %s %s; run it where it fits (study run -slurm asks Slurm for its memory)",
			key, s.Name, sysmem.Format(need), sysmem.Format(limit), source)
	}
	return nil
}

// probeTimeout bounds the squeue call that checks that Slurm answers.
const probeTimeout = 60 * time.Second

// probe checks that Slurm answers (squeue reaches its controller) before
// anything is written for a submission.
func (o *SlurmOptions) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if _, err := o.queued(ctx); err != nil {
		return fmt.Errorf("Slurm does not answer (%v); is this a Slurm login node? Without Slurm, run the study here with `isingrbm study run`", err)
	}
	return nil
}

// created remembers which of a study folder's entries existed, so that a
// submission that fails before any job is submitted can remove what it
// wrote (the folder itself, bin/, specs/, study.json, slurm/...) and
// nothing that was there before.
type created struct {
	root    string          // the first missing folder on the way to dir ("": dir existed)
	dir     string          // the study folder
	existed map[string]bool // entries (relative to dir) that existed
}

// createdDirs are the folders of a study folder whose entries a submission
// may create.
var createdDirs = []string{".", "slurm", "slurm/logs", "slurm/jobs", "specs", "bin"}

func newCreated(dir string) *created {
	c := &created{dir: dir, existed: map[string]bool{}}
	if _, err := os.Lstat(dir); err != nil {
		// The topmost missing ancestor: everything below it is this run's.
		c.root = dir
		for p := filepath.Dir(dir); p != c.root; p = filepath.Dir(p) {
			if _, err := os.Lstat(p); err == nil {
				break
			}
			c.root = p
		}
		return c
	}
	for _, d := range createdDirs {
		ents, err := os.ReadDir(filepath.Join(dir, d))
		if err != nil {
			continue
		}
		c.existed[d] = true
		for _, e := range ents {
			c.existed[filepath.ToSlash(filepath.Join(d, e.Name()))] = true
		}
	}
	return c
}

// remove removes the entries created since newCreated, deepest first.
func (c *created) remove() {
	if c.root != "" {
		os.RemoveAll(c.root)
		return
	}
	for i := len(createdDirs) - 1; i >= 0; i-- {
		d := createdDirs[i]
		if !c.existed[d] && d != "." {
			os.RemoveAll(filepath.Join(c.dir, d))
			continue
		}
		ents, err := os.ReadDir(filepath.Join(c.dir, d))
		if err != nil {
			continue
		}
		for _, e := range ents {
			rel := filepath.ToSlash(filepath.Join(d, e.Name()))
			if !c.existed[rel] && !isCreatedDir(rel) {
				os.RemoveAll(filepath.Join(c.dir, d, e.Name()))
			}
		}
	}
}

// isCreatedDir reports whether rel is one of createdDirs (handled on its own).
func isCreatedDir(rel string) bool {
	for _, d := range createdDirs {
		if d == rel {
			return true
		}
	}
	return false
}
