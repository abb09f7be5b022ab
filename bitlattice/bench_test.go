package bitlattice

import (
	"fmt"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/asm/rng"
)

// BenchmarkSweep measures attempted spin flips per nanosecond at L = 40 with
// 20,480 replicas (80 blocks), on 1 and 2 threads, per generator and kernel.
func BenchmarkSweep(b *testing.B) {
	const L, R = 40, 20480
	for _, gen := range []ising.Generator{ising.Xoshiro256pp, ising.SFC64} {
		for _, K := range []float64{0.408, Kc} {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("rng=%s/K=%.4g/threads=%d", gen, K, threads), func(b *testing.B) {
					benchSweep(b, gen, L, R, K, threads)
				})
			}
		}
	}
}

func benchSweep(b *testing.B, gen ising.Generator, L, R int, K float64, threads int) {
	asmtest.Benchmark(b, "ising", func(b *testing.B) {
		l, err := NewLatticeGen(L, R, 1, true, gen)
		if err != nil {
			b.Fatal(err)
		}
		l.Sweep(K, 20, threads)
		b.ResetTimer()
		cpu := asmtest.ProcessCPUNanos()
		l.Sweep(K, b.N, threads)
		cpu = asmtest.ProcessCPUNanos() - cpu
		flips := float64(b.N) * float64(L*L) * float64(R)
		b.ReportMetric(flips/float64(b.Elapsed().Nanoseconds()), "flips/ns")
		if cpu > 0 {
			// Per CPU nanosecond summed over threads: per-core speed
			// on a busy machine.
			b.ReportMetric(flips/float64(cpu), "flips/cpu-ns")
		}
	})
}

// BenchmarkObservables measures the bit-sliced energy and magnetization of
// 20,480 replicas at L = 40, in replica-sites per nanosecond.
func BenchmarkObservables(b *testing.B) {
	const L, R = 40, 20480
	l, _ := NewLattice(L, R, 1, true)
	var e, m []float64
	for range b.N {
		e, m = l.Observables(e, m, 1)
	}
	b.ReportMetric(float64(b.N)*L*L*R/float64(b.Elapsed().Nanoseconds()), "sites/ns")
}

// BenchmarkConfigs measures the unpacking of 20,480 replicas at L = 40
// (80 blocks, 32.8 MB of bytes: one sample job's output) into one buffer,
// in GB/s written.
func BenchmarkConfigs(b *testing.B) {
	const L, R = 40, 20480
	l, _ := NewLattice(L, R, 1, true)
	dst := make([]uint8, R*L*L)
	for range b.N {
		for blk := range l.Blocks() {
			l.configs(blk, ising.BlockReplicas, dst[blk*ising.BlockReplicas*L*L:])
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(dst))/float64(b.Elapsed().Nanoseconds()), "GB/s")
}

// BenchmarkAutocorrelation measures the pilot's tau input at L = 40: the
// autocorrelation of 512 series of 898 sweeps (half the equilibration floor).
func BenchmarkAutocorrelation(b *testing.B) {
	const R, T = 2 * ising.BlockReplicas, 898
	g := rng.New(1)
	series := make([][]float32, R)
	for r := range series {
		series[r] = make([]float32, T)
		x := g.NormFloat64()
		for i := range series[r] {
			series[r][i] = float32(x)
			x = 0.9*x + g.NormFloat64()
		}
	}
	for range b.N {
		Autocorrelation(series)
	}
}

// BenchmarkSample runs the paper's sampling job (L = 40, K = 0.408) on 1 and
// 2 threads and reports the job's flips/ns beside the kernel's inside it
// (Result.FlipsPerNs, Result.KernelFlipsPerNs) and their ratio:
//   - replicas=20000: `isingrbm sample -n 20000 -replicas 20000`, one round
//     of 20,000 chains (79 blocks, 224 padding lanes that the kernel rate
//     counts and the job's does not: a ratio of at most 0.989);
//   - replicas=default: N = 20,480 with DefaultReplicas (4,096 chains, 16
//     blocks, 5 rounds): equilibrating fewer chains costs less, but four
//     groups of four blocks on two threads leave less room to balance.
func BenchmarkSample(b *testing.B) {
	for _, c := range []struct {
		name        string
		n, replicas int
	}{{"replicas=20000", 20000, 20000}, {"replicas=default", 20480, 0}} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", c.name, threads), func(b *testing.B) {
				var job, kernel float64
				for i := range b.N {
					// SFC64, as `isingrbm sample` by default.
					res, err := Sample(Options{L: 40, K: 0.408, N: c.n, Replicas: c.replicas, Seed: uint64(i + 1), Generator: ising.SFC64, Threads: threads})
					if err != nil {
						b.Fatal(err)
					}
					job += res.FlipsPerNs
					kernel += res.KernelFlipsPerNs
				}
				b.ReportMetric(job/float64(b.N), "job-flips/ns")
				b.ReportMetric(kernel/float64(b.N), "kernel-flips/ns")
				b.ReportMetric(job/kernel, "job/kernel")
			})
		}
	}
}
