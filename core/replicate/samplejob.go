package replicate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/param"
)

// SampleJob is the work of the sample command: equilibrium configurations
// of each coupling of Betas, sampled with Options and written as .npy files
// (those of WriteSamples, streamed while sampling goes on) to Out. Plan checks it and decides the files; Run samples
// and writes them.
type SampleJob struct {
	// Options are the sampler's options but the coupling (SampleParams:
	// -L, -n, -seed, -threads, -replicas, -equilibration); Threads 0 means
	// all cores.
	Options bitlattice.Options
	Betas   string // -beta: the couplings (ParseSampleCouplings)
	// Out is -o: the file of one coupling, or the folder of several
	// couplings' files (CouplingFileName), made when the first is written.
	Out     string
	Replace bool // -replace: outputs that are not regular files may be replaced
}

// SamplePlan is what a SampleJob will do: sample Couplings[i] into Paths[i].
type SamplePlan struct {
	Couplings []float64
	Paths     []string
}

// Plan checks the job's values (the couplings, -o, then the options with
// CheckSampleOptions) and decides every output path, checking that each can
// be written before minutes are spent on sampling. Every error is about the
// input and names its flag.
func (j *SampleJob) Plan() (SamplePlan, error) {
	ks, err := ParseSampleCouplings("beta", j.Betas)
	if err != nil {
		return SamplePlan{}, err
	}
	if j.Out == "" {
		return SamplePlan{}, errors.New("-o: want an output file (one coupling) or folder (several couplings)")
	}
	if err := CheckSampleOptions(j.Options); err != nil {
		return SamplePlan{}, err
	}
	paths, err := j.paths(ks)
	if err != nil {
		return SamplePlan{}, err
	}
	return SamplePlan{Couplings: ks, Paths: paths}, nil
}

// paths returns the output file of each of ks: Out itself for one
// coupling, else a file in the folder Out. A folder that exists must take
// every file; one that does not must be creatable.
func (j *SampleJob) paths(ks []float64) ([]string, error) {
	opt := npy.WriteOptions{ReplaceNonRegular: j.Replace}
	if len(ks) == 1 {
		return []string{j.Out}, npy.CheckOutputFlag("o", j.Out, opt)
	}
	st, err := os.Stat(j.Out)
	switch {
	case err == nil && !st.IsDir():
		return nil, fmt.Errorf("-o: %s is a file; several couplings need a folder", j.Out)
	case err != nil:
		if err := npy.CheckDirFlag("o", filepath.Dir(j.Out)); err != nil {
			return nil, err
		}
	}
	paths := make([]string, len(ks))
	for i, k := range ks {
		paths[i] = filepath.Join(j.Out, CouplingFileName(k))
		if st != nil {
			if err := npy.CheckOutputFlag("o", paths[i], opt); err != nil {
				return nil, err
			}
		}
	}
	return paths, nil
}

// SampleSeed is the seed of the chains that SampleJob.Run samples coupling
// K with when a job has several couplings: a hash of the job's seed and of
// K rounded to 12 significant digits (DeriveSeed), so that the files of
// several couplings share no start states or update streams (with one seed
// for all, neighbouring couplings' samples were correlated: m agreed in
// sign in 93% of samples at L = 16, K = 0.47 and 0.48), and a coupling
// typed (0.45) and one of a range (0.2:0.6:9 gives 0.44999999999999996)
// get the same seed. A job of one coupling starts its chains from the
// job's seed itself, as replicate's sampling stages do, so that the seeds
// summary.json records reproduce their data.
func SampleSeed(seed uint64, K float64) uint64 {
	k, _ := strconv.ParseFloat(strconv.FormatFloat(K, 'g', 12, 64), 64)
	return DeriveSeed(seed, "sample", 0, math.Float64bits(k))
}

// SampleInterruptedError is SampleJob.Run's error when its context ended
// the run: while sampling coupling K (nothing written for it), or after
// the file Written (the last one complete). Files of earlier couplings
// are complete either way.
type SampleInterruptedError struct {
	K       float64
	Written string
	Err     error // the context's error
}

func (e *SampleInterruptedError) Error() string {
	if e.Written != "" {
		return fmt.Sprintf("interrupted after writing %s", e.Written)
	}
	return fmt.Sprintf("interrupted while sampling K=%v; no file written for it", e.K)
}

func (e *SampleInterruptedError) Unwrap() error { return e.Err }

// Run samples the couplings of p in order and writes each one's file
// atomically before the next starts, and returns a report per coupling
// (bitlattice.NewReport). progress, if set, starts the progress report of
// each coupling's sampling (labelled "sample L=.. K=.."). A done ctx stops
// the run at once with a *SampleInterruptedError; an error of the sampler
// about its options is an *param.InputError; failing to write a file is an
// error about -o at run time.
func (j *SampleJob) Run(ctx context.Context, p SamplePlan, progress func(label string) Task) ([]bitlattice.Report, error) {
	o := j.Options
	if o.Threads == 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	var reports []bitlattice.Report
	for i, k := range p.Couplings {
		o.K = k
		if len(p.Couplings) > 1 {
			o.Seed = SampleSeed(j.Options.Seed, k)
		}
		res, err := sampleToFile(p.Paths[i], npy.WriteOptions{ReplaceNonRegular: j.Replace}, o,
			func(o bitlattice.Options) (*bitlattice.Result, error) { return sampleCoupling(ctx, o, progress) })
		if we := (*fileWriteError)(nil); errors.As(err, &we) {
			return nil, fmt.Errorf("-o: %v", we.Err)
		}
		if err != nil {
			return nil, err
		}
		rep := bitlattice.NewReport(o, p.Paths[i], res)
		if o.Seed != j.Options.Seed {
			rep.Seed, rep.ChainSeed = j.Options.Seed, o.Seed
		}
		reports = append(reports, rep)
		if err := ctx.Err(); err != nil {
			return nil, &SampleInterruptedError{K: k, Written: p.Paths[i], Err: err}
		}
	}
	return reports, nil
}

// sampleCoupling samples one coupling, returning as soon as ctx is done
// (bitlattice.SampleContext).
func sampleCoupling(ctx context.Context, o bitlattice.Options, progress func(label string) Task) (*bitlattice.Result, error) {
	task := Task(noTask{})
	if progress != nil {
		task = progress(fmt.Sprintf("sample L=%d K=%.4f", o.L, o.K))
	}
	defer task.Done()
	o.Progress = task.Update
	res, err := bitlattice.SampleContext(ctx, o)
	switch {
	case errors.Is(err, context.Canceled):
		return nil, &SampleInterruptedError{K: o.K, Err: err}
	case err != nil:
		return nil, &param.InputError{Err: err}
	}
	return res, nil
}
