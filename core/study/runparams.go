package study

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/replicate"
)

// SettingsParams are replicate's overrides (replicate.SettingsParams) that
// a study takes for all its runs: not those it sets per run (K, seed,
// seeds, data seeds) or per stage (threads).
func SettingsParams() []param.Param[replicate.Settings] {
	var out []param.Param[replicate.Settings]
	for _, p := range replicate.SettingsParams() {
		switch p.Name {
		case "K", "seed", "seeds", "data-seeds", "threads":
		default:
			out = append(out, p)
		}
	}
	return out
}

// RunOptions are the options of "study run": the stages run here on Cores
// cores (RunHere), or with Slurm set are submitted to Slurm (Submit).
type RunOptions struct {
	Slurm  bool
	Cores  int
	Submit SubmitOptions
}

// DefaultRunOptions are the command line's defaults: all cores; on Slurm,
// --time = 4 x the estimated time (at least 10 minutes), polling every 5 s
// with -wait.
func DefaultRunOptions() RunOptions {
	return RunOptions{Submit: SubmitOptions{Poll: 5 * time.Second,
		Slurm: SlurmOptions{MinTime: 10 * time.Minute, TimeFactor: 4, Name: "isingrbm"}}}
}

// slurmOnly are the RunParams that mean something only with -slurm.
var slurmOnly = []string{"wait", "partition", "sbatch-args", "binary"}

// RunParams lists the flags of "study run"; Set's errors name the flag and
// what was expected.
func RunParams() []param.Param[RunOptions] {
	type R = RunOptions
	str := func(name, usage string, field func(*R) *string) param.Param[R] {
		return param.Param[R]{Name: name, Usage: usage, Get: func(o *R) string { return *field(o) },
			Set: func(o *R, v string) error { *field(o) = v; return nil }}
	}
	return []param.Param[R]{
		param.IntParam("cores", "cores the stages may use together on this machine (0: all)", 0, 1<<16, "0: all", func(o *R) *int { return &o.Cores }),
		param.BoolParam("slurm", "submit the stages to Slurm instead of running them here", func(o *R) *bool { return &o.Slurm }),
		param.BoolParam("wait", "with -slurm: wait until the jobs end (polling squeue) and report failures", func(o *R) *bool { return &o.Submit.Wait }),
		{Name: "poll", Usage: "with -wait: how often to poll squeue", Get: func(o *R) string { return o.Submit.Poll.String() },
			Set: func(o *R, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil || d < 100*time.Millisecond {
					return fmt.Errorf("-poll %s: want a duration of at least 100ms", v)
				}
				o.Submit.Poll = d
				return nil
			}},
		str("partition", "with -slurm: the partition (default: the cluster's)", func(o *R) *string { return &o.Submit.Slurm.Partition }),
		{Name: "sbatch-args", Usage: "with -slurm: more sbatch arguments for every job, space-separated (e.g. --account=phys)",
			Get: func(o *R) string { return strings.Join(o.Submit.Slurm.Extra, " ") },
			Set: func(o *R, v string) error { o.Submit.Slurm.Extra = strings.Fields(v); return nil }},
		param.Float64Param("time-factor", "with -slurm: ask for --time = this x the estimated time (at least 10 minutes); 0: the partition's default",
			param.Bounds{Lo: 0, Hi: 1000, Why: "0: the partition's default"}, func(o *R) *float64 { return &o.Submit.Slurm.TimeFactor }),
		str("binary", "with -slurm: the isingrbm executable the jobs run (default: this one); copied into the study folder under its hash", func(o *R) *string { return &o.Submit.Exe }),
	}
}

// CheckGiven refuses options that only Slurm uses, given (given reports
// whether a flag was) without -slurm.
func (o RunOptions) CheckGiven(given func(name string) bool) error {
	if o.Slurm {
		return nil
	}
	for _, name := range slurmOnly {
		if given(name) {
			return fmt.Errorf("-%s: only with -slurm", name)
		}
	}
	return nil
}

// ParseSpec is NewSpec from a command line's text: the training couplings
// of -K (a list or range, each sampled, replicate.ParseSampleCouplings),
// the data seeds of -seeds (ParseSeeds) and -train-seeds (1..1000). It
// also checks that one run's training data fits in memory. Errors name the
// flags.
func ParseSpec(s replicate.Settings, couplings, seeds string, trainSeeds int) (Spec, error) {
	ks, err := replicate.ParseSampleCouplings("K", couplings)
	if err != nil {
		return Spec{}, err
	}
	sd, err := ParseSeeds(seeds)
	if err != nil {
		return Spec{}, fmt.Errorf("-seeds: %v", err)
	}
	if err := param.CheckInt("train-seeds", trainSeeds, 1, 1000, "training seeds per data seed"); err != nil {
		return Spec{}, err
	}
	if err := replicate.CheckSampleMemory("n", s.L, s.N, 0); err != nil {
		return Spec{}, err
	}
	return NewSpec(s, ks, sd, trainSeeds)
}

// Prepare readies o before anything is written or submitted: Exe defaults
// to this executable, else must be one that can be run, and the Slurm
// commands must be there (SlurmOptions.Check). Errors name the flags of
// "study run".
func (o *SubmitOptions) Prepare() error {
	if o.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("-binary: cannot find this executable, give -binary: %v", err)
		}
		o.Exe = exe
	} else if _, err := exec.LookPath(o.Exe); err != nil {
		return fmt.Errorf("-binary: %v", err)
	}
	if err := o.Slurm.Check(); err != nil {
		return fmt.Errorf("-slurm: %v", err)
	}
	return nil
}
