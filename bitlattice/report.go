package bitlattice

import (
	"context"
	"fmt"
	"io"
	"sync"
	"text/tabwriter"

	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"github.com/isingrbm/isingrbm/core/stats"
)

// Report is one coupling's sampling set beside the exact solution of the
// finite torus (Kaufman): the energy's deviation in standard errors, the
// specific heat, and how the sampling ran. Non-finite values are null in
// JSON.
type Report struct {
	L                   int       `json:"L"`
	K                   float64   `json:"beta"`
	N                   int       `json:"n"`
	File                string    `json:"file"`
	Energy              stats.Num `json:"energy"`
	EnergyErr           stats.Num `json:"energy_err"`
	ExactEnergy         stats.Num `json:"exact_energy"`
	Deviation           stats.Num `json:"deviation_sigma"`
	AbsM                stats.Num `json:"abs_m"`
	AbsMErr             stats.Num `json:"abs_m_err"`
	SpecificHeat        stats.Num `json:"specific_heat"`
	ExactSpecificHeat   stats.Num `json:"exact_specific_heat"`
	TauEnergy           stats.Num `json:"tau_int_energy"`
	TauAbsM             stats.Num `json:"tau_int_abs_m"`
	TauM                stats.Num `json:"tau_int_m"`       // the signed magnetization's
	TauSpacing          stats.Num `json:"tau_int_spacing"` // the time the spacing follows (Result.TauSpacing)
	TauOK               bool      `json:"tau_ok"`
	Spacing             int       `json:"spacing_sweeps"` // between two samples of one chain
	EquilibrationSweeps int64     `json:"equilibration_sweeps"`
	MeasurementSweeps   int64     `json:"measurement_sweeps"`
	TotalSweeps         int64     `json:"total_sweeps"`
	Replicas            int       `json:"replicas"`
	Seconds             stats.Num `json:"seconds"`
	FlipsPerNs          stats.Num `json:"flips_per_ns"`        // the whole job: wall time
	KernelFlipsPerNs    stats.Num `json:"kernel_flips_per_ns"` // inside the sweep kernel
	Threads             int       `json:"threads"`
	Kernel              string    `json:"kernel"`
	Generator           string    `json:"generator"` // the update streams (ising.Generator)
	Seed                uint64    `json:"seed"`
	// ChainSeed is the seed the chains were started from when the caller
	// derived it from Seed (the sample command with several couplings: one
	// per coupling); 0 when Seed itself was used. Above 2^53: read it as
	// an integer, not a float (jq and JavaScript round it).
	ChainSeed uint64 `json:"chain_seed,omitempty"`
}

// NewReport compares res, sampled with o and written to file, with the
// exact solution; Deviation is (Energy - ExactEnergy)/EnergyErr, 0 when
// EnergyErr is 0.
func NewReport(o Options, file string, res *Result) Report {
	rep := Report{
		L: o.L, K: o.K, N: o.N, File: file,
		Energy: stats.Num(res.Energy), EnergyErr: stats.Num(res.EnergyErr),
		ExactEnergy: stats.Num(exact.Energy(o.L, o.K)), ExactSpecificHeat: stats.Num(exact.SpecificHeat(o.L, o.K)),
		AbsM: stats.Num(res.AbsM), AbsMErr: stats.Num(res.AbsMErr), SpecificHeat: stats.Num(res.SpecificHeat),
		TauEnergy: stats.Num(res.TauEnergy), TauAbsM: stats.Num(res.TauAbsM), TauM: stats.Num(res.TauM),
		TauSpacing: stats.Num(res.TauSpacing), TauOK: res.TauOK, Spacing: res.Spacing,
		EquilibrationSweeps: res.EquilibrationSweeps, MeasurementSweeps: res.MeasurementSweeps,
		TotalSweeps: res.TotalSweeps, Replicas: res.Replicas,
		Seconds: stats.Num(res.Seconds), FlipsPerNs: stats.Num(res.FlipsPerNs),
		KernelFlipsPerNs: stats.Num(res.KernelFlipsPerNs), Threads: o.Threads, Kernel: res.Impl, Generator: o.Generator.String(), Seed: o.Seed,
	}
	if res.EnergyErr > 0 {
		rep.Deviation = (rep.Energy - rep.ExactEnergy) / rep.EnergyErr
	}
	return rep
}

// Warning returns what a user of the samples must know, and "" when there
// is nothing: when the integrated time the spacing follows is only a lower
// bound (TauOK false: Sokal's window not found within the pilot's 2^15
// sweeps, as for m at K_c from L = 40 on), that samples of one chain may be
// correlated, or with one sample per chain that the equilibration (20
// times that bound) may be short; above K_c, where the spacing follows u
// and |m| only, that samples of one chain share their sign more often than
// independent ones when m's integrated time is more than half the spacing
// (near K_c on a finite lattice m still changes sign: 866 sweeps at L =
// 40, K = 0.45).
func (r Report) Warning() string {
	several := r.Replicas < r.N
	switch {
	case !r.TauOK && several:
		return fmt.Sprintf("K = %.4f: the integrated autocorrelation time could not be estimated within the pilot (no Sokal window): %.4g sweeps is a lower bound, so samples of one chain %d sweeps apart may be correlated; for independent samples give each its own chain (-replicas equal to -n)",
			r.K, float64(r.TauSpacing), r.Spacing)
	case !r.TauOK:
		return fmt.Sprintf("K = %.4f: the integrated autocorrelation time could not be estimated within the pilot (no Sokal window): %.4g sweeps is a lower bound, so the %d sweeps of equilibration (at least 20 times it) may be short of 20 times the true time; raise -equilibration to be sure",
			r.K, float64(r.TauSpacing), r.EquilibrationSweeps)
	case r.K > Kc && several && 2*float64(r.TauM) > float64(r.Spacing):
		return fmt.Sprintf("K = %.4f: above K_c the samples of one chain are %d sweeps apart, following the energy and |m|, but m changes sign on a longer time (tau_int %.4g sweeps): samples of one chain share their sign more often than independent samples would; for independent signs give each sample its own chain (-replicas equal to -n)",
			r.K, r.Spacing, float64(r.TauM))
	}
	return ""
}

// MaxSampleL bounds the side of the lattices the command line and the
// replication sample: at L = 32768 one configuration is already 1 GiB.
const MaxSampleL = 1 << 15

// MinSampleK is the smallest coupling the command line and the replication
// sample: tau_int(E) ~ 0.16/K sweeps (measured at L = 8: 16 at K = 0.01,
// 178 at 0.001, 1636 at 1e-4, where the pilot series reaches its
// 2^15-sweep cap); below it the spins are nearly independent fair coins.
const MinSampleK = 1e-4

// MaxSampleK is the largest coupling the sampler takes (ising.MaxK): above
// it the kernels' 24-bit acceptance thresholds floor(exp(-8K) 2^24)/2^24
// err by more than 1%, and from K = 3 ln 2 = 2.08 on the threshold is 0,
// so a spin whose four neighbours agree with it never flips and the
// ordered state absorbs the chain.
const MaxSampleK = ising.MaxK

// Memory is what a Sample call holds at once: the samples (a byte a site)
// and the lattices of its chains, which bitlattice.MaxBytes bounds, and
// the scratch of the pilot.
type Memory struct {
	Replicas          int     // chains (DefaultReplicas when 0 was asked)
	Samples, Lattices float64 // bytes
	// Scratch bounds the pilot's buffer: the per-sweep energy and m of up
	// to 512 chains (float32 each) for up to 2^15 sweeps, with the previous
	// buffer, half as long, while the series grows (each buffer with the
	// energy and m of every sample, float64, and up to a huge page of
	// rounding): at most 192 MiB and 32 bytes a sample.
	Scratch float64
}

// Total is the bytes of samples and lattices, what MaxBytes bounds.
func (m Memory) Total() float64 { return m.Samples + m.Lattices }

// Peak is the bytes a Sample call may hold at once: Total and Scratch.
func (m Memory) Peak() float64 { return m.Total() + m.Scratch }

// MemoryEstimate returns the memory of sampling n L x L configurations with
// replicas chains (0: DefaultReplicas(n)): a byte a site for the samples,
// and two copies of the lattices at a bit a site, in blocks of 256 chains;
// and the pilot's scratch (Memory.Scratch). Products are rounded before
// they are added (no fused multiply-add, the same value on every CPU).
func MemoryEstimate(L, n, replicas int) Memory {
	r := replicas
	if r == 0 {
		r = DefaultReplicas(n)
	}
	sites := float64(L) * float64(L)
	nr := float64(min(r, seriesBlocks*ising.BlockReplicas))
	series := float64(float64(2*4*nr) * float64(maxPilot+maxPilot/2))
	return Memory{
		Replicas: r,
		Samples:  float64(float64(n) * sites),
		Lattices: float64(float64((r+255)/256*256) * sites / 4), // two copies, a bit a site (sites/8*2 bytes)
		Scratch:  series + float64(2*16*float64(n)) + 2*(2<<20),
	}
}

// SampleContext is Sample returning as soon as ctx is done, with
// ctx.Err(), so that a caller that is interrupted can exit at once. The
// sampler's goroutines stop on their own within one chunk of sweeps
// (sweepChunk); they are counted in samplers until they have.
func SampleContext(ctx context.Context, o Options) (*Result, error) {
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	samplers.Add(1)
	go func() {
		defer samplers.Done()
		res, err := sample(ctx, o)
		done <- outcome{res, err}
	}()
	select {
	case oc := <-done:
		return oc.res, oc.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// samplers counts the goroutines of SampleContext still running (a test
// waits for them before it changes the kernel dispatch).
var samplers sync.WaitGroup

// WriteTable prints reports as a table, one coupling a row, then the
// kernel, generator, threads and seed of the first.
func WriteTable(w io.Writer, reports []Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "K\tu\t+/-\tu exact\tdev/sigma\t|m|\t+/-\ttau_u\ttau_|m|\ttau_m\tspacing\tsweeps\treplicas\tflips/ns\tkernel\tseconds\tfile\t")
	for _, r := range reports {
		fmt.Fprintf(tw, "%.4f\t%.6f\t%.6f\t%.6f\t%+.2f\t%.5f\t%.5f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%s\t\n",
			r.K, r.Energy, r.EnergyErr, r.ExactEnergy, r.Deviation, r.AbsM, r.AbsMErr, r.TauEnergy, r.TauAbsM, r.TauM,
			r.Spacing, r.TotalSweeps, r.Replicas, r.FlipsPerNs, r.KernelFlipsPerNs, r.Seconds, r.File)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(reports) > 0 {
		fmt.Fprintf(w, "kernel %s, generator %s, %d threads, seed %d\n", reports[0].Kernel, reports[0].Generator, reports[0].Threads, reports[0].Seed)
	}
	return nil
}
