package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"text/tabwriter"

	"flag"
	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/replicate"
)

func init() {
	commands["sample"] = command{
		summary: "sample equilibrium 2D Ising configurations into .npy files",
		run:     runSample,
	}
}

// sampleReport is one coupling's line of the report and of -json output.
type sampleReport struct {
	L                   int     `json:"L"`
	K                   float64 `json:"beta"`
	N                   int     `json:"n"`
	File                string  `json:"file"`
	Energy              float64 `json:"energy"`
	EnergyErr           float64 `json:"energy_err"`
	ExactEnergy         float64 `json:"exact_energy"`
	Deviation           float64 `json:"deviation_sigma"`
	AbsM                float64 `json:"abs_m"`
	AbsMErr             float64 `json:"abs_m_err"`
	SpecificHeat        float64 `json:"specific_heat"`
	ExactSpecificHeat   float64 `json:"exact_specific_heat"`
	TauEnergy           float64 `json:"tau_int_energy"`
	TauAbsM             float64 `json:"tau_int_abs_m"`
	EquilibrationSweeps int64   `json:"equilibration_sweeps"`
	MeasurementSweeps   int64   `json:"measurement_sweeps"`
	TotalSweeps         int64   `json:"total_sweeps"`
	Replicas            int     `json:"replicas"`
	Seconds             float64 `json:"seconds"`
	FlipsPerNs          float64 `json:"flips_per_ns"`
	Threads             int     `json:"threads"`
	Kernel              string  `json:"kernel"`
	Seed                uint64  `json:"seed"`
}

// sampleFlags are the flags of sample.
type sampleFlags struct {
	fs                          *flag.FlagSet
	L, n, threads, replicas, eq *int
	betas, out                  *string
	seed                        *uint64
	asJSON                      *bool
}

func newSampleFlags(stderr io.Writer) *sampleFlags {
	fs := newFlagSet("sample", stderr)
	f := &sampleFlags{fs: fs}
	f.L = fs.Int("L", 40, "linear lattice size (L x L torus), >= 2")
	f.betas = fs.String("beta", "0.408", "coupling K = J/kT: a value, a list a,b,c or a range lo:hi:n")
	f.n = fs.Int("n", 20000, "number of configurations per coupling")
	f.seed = fs.Uint64("seed", 1, "random seed (same seed, same samples)")
	f.out = fs.String("o", "", "output .npy file (one coupling) or folder (several couplings)")
	f.threads = fs.Int("threads", 0, "worker threads (0: all cores)")
	f.replicas = fs.Int("replicas", 0, "independent replicas to simulate (0: one per sample)")
	f.eq = fs.Int("equilibration", 0, "minimum equilibration sweeps (0: automatic, from tau_int)")
	f.asJSON = fs.Bool("json", false, "print the report as JSON on stdout")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm sample -L 40 -beta 0.408 -n 20000 -seed 1 -o ising.npy [-json]")
		fs.PrintDefaults()
	}
	return f
}

// couplings checks the flags and returns the couplings to sample.
func (f *sampleFlags) couplings() ([]float64, error) {
	ks, err := parseCouplings("beta", *f.betas)
	if err != nil {
		return nil, err
	}
	switch {
	case *f.L < 2:
		return nil, badInput("-L: want an integer >= 2, got %d", *f.L)
	case *f.n <= 0:
		return nil, badInput("-n: want a positive number of samples, got %d", *f.n)
	case *f.threads < 0:
		return nil, badInput("-threads: want 0 (all cores) or a positive count, got %d", *f.threads)
	case *f.replicas < 0:
		return nil, badInput("-replicas: want 0 (automatic) or a positive count, got %d", *f.replicas)
	case *f.eq < 0:
		return nil, badInput("-equilibration: want 0 (automatic) or a positive number of sweeps, got %d", *f.eq)
	}
	if err := checkSampleMemory(*f.L, *f.n, *f.replicas); err != nil {
		return nil, err
	}
	if *f.out == "" {
		return nil, badInput("-o: want an output file (one coupling) or folder (several couplings)")
	}
	return ks, nil
}

// samplePaths decides every output path and checks that it can be written
// before minutes are spent on sampling.
func samplePaths(out string, ks []float64) ([]string, error) {
	if len(ks) == 1 {
		if err := checkWritable(filepath.Dir(out), "-o"); err != nil {
			return nil, err
		}
		if st, err := os.Stat(out); err == nil && st.IsDir() {
			return nil, badInput("-o: %s is a folder; one coupling writes one file", out)
		}
		return []string{out}, nil
	}
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return nil, badInput("-o: %s is a file; several couplings need a folder", out)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, badInput("-o: cannot create folder %s: %v", out, err)
	}
	if err := checkWritable(out, "-o"); err != nil {
		return nil, err
	}
	paths := make([]string, len(ks))
	for i, k := range ks {
		paths[i] = filepath.Join(out, replicate.CouplingFileName(k))
	}
	return paths, nil
}

func runSample(args []string, stdout, stderr io.Writer) error {
	f := newSampleFlags(stderr)
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	ks, err := f.couplings()
	if err != nil {
		return err
	}
	paths, err := samplePaths(*f.out, ks)
	if err != nil {
		return err
	}
	nthreads := *f.threads
	if nthreads == 0 {
		nthreads = runtime.GOMAXPROCS(0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var reports []sampleReport
	for i, k := range ks {
		opts := bitlattice.Options{L: *f.L, K: k, N: *f.n, Seed: *f.seed, Threads: nthreads, Replicas: *f.replicas, MinEquilibration: *f.eq}
		res, err := sampleInterruptible(ctx, opts, stderr)
		if err != nil {
			return err
		}
		if err := npy.WriteFileAtomic(paths[i], func(w io.Writer) error {
			return npy.WriteUint8(w, []int{*f.n, *f.L, *f.L}, res.Configs)
		}); err != nil {
			return badInput("-o: %v", err)
		}
		reports = append(reports, newSampleReport(opts, paths[i], res))
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted after writing %s", paths[i])
		}
	}
	return printSampleReports(stdout, reports, *f.asJSON)
}

// sampleInterruptible samples with a progress bar in its own goroutine, so
// that an interrupt ends the program at once: nothing has been written for
// this coupling yet, and earlier couplings' files are complete.
func sampleInterruptible(ctx context.Context, opts bitlattice.Options, stderr io.Writer) (*bitlattice.Result, error) {
	bar := newProgressBar(stderr, fmt.Sprintf("sample L=%d K=%.4f", opts.L, opts.K))
	defer bar.Done()
	opts.Progress = bar.Update
	type outcome struct {
		res *bitlattice.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := bitlattice.Sample(opts)
		done <- outcome{res, err}
	}()
	select {
	case oc := <-done:
		if oc.err != nil {
			return nil, badInput("%v", oc.err)
		}
		return oc.res, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("interrupted while sampling K=%v; no file written for it", opts.K)
	}
}

func newSampleReport(o bitlattice.Options, path string, res *bitlattice.Result) sampleReport {
	rep := sampleReport{
		L: o.L, K: o.K, N: o.N, File: path,
		Energy: res.Energy, EnergyErr: res.EnergyErr,
		ExactEnergy: exact.Energy(o.L, o.K), ExactSpecificHeat: exact.SpecificHeat(o.L, o.K),
		AbsM: res.AbsM, AbsMErr: res.AbsMErr, SpecificHeat: res.SpecificHeat,
		TauEnergy: res.TauEnergy, TauAbsM: res.TauAbsM,
		EquilibrationSweeps: res.EquilibrationSweeps, MeasurementSweeps: res.MeasurementSweeps,
		TotalSweeps: res.TotalSweeps, Replicas: res.Replicas,
		Seconds: res.Seconds, FlipsPerNs: res.FlipsPerNs, Threads: o.Threads, Kernel: res.Impl, Seed: o.Seed,
	}
	if res.EnergyErr > 0 {
		rep.Deviation = (res.Energy - rep.ExactEnergy) / res.EnergyErr
	}
	return rep
}

func printSampleReports(stdout io.Writer, reports []sampleReport, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reports)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "K\tu\t+/-\tu exact\tdev/sigma\t|m|\t+/-\ttau_u\ttau_|m|\tsweeps\treplicas\tflips/ns\tseconds\tfile\t")
	for _, r := range reports {
		fmt.Fprintf(tw, "%.4f\t%.6f\t%.6f\t%.6f\t%+.2f\t%.5f\t%.5f\t%.1f\t%.1f\t%d\t%d\t%.2f\t%.2f\t%s\t\n",
			r.K, r.Energy, r.EnergyErr, r.ExactEnergy, r.Deviation, r.AbsM, r.AbsMErr, r.TauEnergy, r.TauAbsM,
			r.TotalSweeps, r.Replicas, r.FlipsPerNs, r.Seconds, r.File)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(reports) > 0 {
		fmt.Fprintf(stdout, "kernel %s, %d threads, seed %d\n", reports[0].Kernel, reports[0].Threads, reports[0].Seed)
	}
	return nil
}

// checkWritable fails with a usage error naming flag when no file can be
// created in dir.
func checkWritable(dir, flag string) error {
	if dir == "" {
		dir = "."
	}
	st, err := os.Stat(dir)
	if err != nil {
		return badInput("%s: folder %s does not exist", flag, dir)
	}
	if !st.IsDir() {
		return badInput("%s: %s is not a folder", flag, dir)
	}
	f, err := os.CreateTemp(dir, ".isingrbm-check-*")
	if err != nil {
		return badInput("%s: cannot write in %s: %v", flag, dir, err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// checkSampleMemory refuses runs whose samples and lattices would not fit in
// memory, before anything is allocated.
func checkSampleMemory(L, n, replicas int) error {
	if L > 1<<15 {
		return badInput("-L: %d is too large (at most %d)", L, 1<<15)
	}
	sites := float64(L) * float64(L)
	r := float64(replicas)
	if r == 0 {
		r = float64(n)
	}
	need := float64(n)*sites + r*sites/8*2 // samples as bytes, lattice bits (and padding)
	limit := physicalMemory() * 3 / 4
	if need > limit {
		return badInput("-n/-L: %d samples of %dx%d need about %.1f GiB, more than the %.1f GiB this machine can give; lower -n or -L",
			n, L, L, need/(1<<30), limit/(1<<30))
	}
	return nil
}
