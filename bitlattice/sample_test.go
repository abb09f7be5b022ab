package bitlattice

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/ising"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
)

func TestSampleReproducible(t *testing.T) {
	o := Options{L: 12, K: 0.42, N: 700, Replicas: 300, Seed: 42, Threads: 1}
	a, err := Sample(o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sample(o)
	if err != nil {
		t.Fatal(err)
	}
	o.Threads = 2
	c, err := Sample(o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Configs, b.Configs) || a.Energy != b.Energy {
		t.Fatal("same seed gave different samples")
	}
	if !bytes.Equal(a.Configs, c.Configs) || a.TauAbsM != c.TauAbsM {
		t.Fatal("1 and 2 threads gave different samples")
	}
	// The portable kernel gives the same samples.
	if asm.Select("ising", asm.Generic) {
		d, err := Sample(o)
		asm.Reset("ising")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Configs, d.Configs) {
			t.Fatalf("kernel %s and generic gave different samples", a.Impl)
		}
	}
	o.Seed++
	e, _ := Sample(o)
	if bytes.Equal(a.Configs, e.Configs) {
		t.Fatal("different seeds gave the same samples")
	}
	if len(a.Configs) != o.N*o.L*o.L || a.Replicas != 300 || a.Spacing < 1 || a.TotalSweeps != a.EquilibrationSweeps+a.MeasurementSweeps {
		t.Fatalf("result shape: %d configs, %d replicas, spacing %d, sweeps %d+%d=%d", len(a.Configs), a.Replicas, a.Spacing,
			a.EquilibrationSweeps, a.MeasurementSweeps, a.TotalSweeps)
	}
	for _, v := range a.Configs {
		if v > 1 {
			t.Fatalf("config value %d", v)
		}
	}
}

func TestSampleValidation(t *testing.T) {
	for _, c := range []struct {
		o     Options
		field string
	}{
		{Options{L: 1, K: 0.4, N: 1}, "L ="},
		{Options{L: 3, K: 0.4, N: 1}, "L ="},
		{Options{L: 4, K: -1, N: 1}, "K ="},
		// Above MaxSampleK the 24-bit thresholds err by more than 1%; from
		// 2.08 on P8 is 0 and the ordered state absorbs the chain.
		{Options{L: 4, K: MaxSampleK * (1 + 1e-15), N: 1}, "K ="},
		{Options{L: 4, K: 2.5, N: 1}, "K ="},
		{Options{L: 4, K: 0.4, N: 0}, "N ="},
		{Options{L: 4, K: 0.4, N: 1, Replicas: -2}, "Replicas ="},
		{Options{L: 4, K: 0.4, N: 1, MinEquilibration: -1}, "MinEquilibration ="},
		{Options{L: 40000, K: 0.4, N: 10}, "GiB"},
	} {
		_, err := Sample(c.o)
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: error %v, want one naming %q", c.o, err, c.field)
		}
	}
}

// TestMaxSampleK checks the bound's reason: at MaxSampleK the 8-flip
// threshold is still at least 100 units of 2^-24 (truncation error below
// 1%), and at 3 ln 2 + 0.01 it is 0.
func TestMaxSampleK(t *testing.T) {
	th, err := ising.NewThresholds(MaxSampleK)
	if err != nil {
		t.Fatal(err)
	}
	if th.P8 < 100 {
		t.Errorf("P8 at MaxSampleK = %d/2^24, want >= 100 (1%% truncation)", th.P8)
	}
	if _, err := Sample(Options{L: 4, K: MaxSampleK, N: 1}); err != nil {
		t.Errorf("Sample at MaxSampleK: %v", err)
	}
	th, err = ising.NewThresholds(3*math.Ln2 + 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if th.P8 != 0 {
		t.Errorf("P8 at K = 3 ln 2 + 0.01: %d, want 0 (the reason for the bound)", th.P8)
	}
}

func TestDefaultReplicas(t *testing.T) {
	for _, c := range [][2]int{{1, 1}, {4096, 4096}, {4097, 2049}, {20000, 4000}} {
		if got := DefaultReplicas(c[0]); got != c[1] {
			t.Errorf("DefaultReplicas(%d) = %d, want %d", c[0], got, c[1])
		}
	}
}

// TestReplicaCounts runs lattices whose replica counts do not fill their
// blocks with the active kernel and the portable one, and checks both agree
// replica by replica (padding lanes are simulated and ignored).
func TestReplicaCounts(t *testing.T) {
	for _, R := range []int{1, 63, 64, 65, 255, 256, 257, 700} {
		for _, L := range []int{2, 5} {
			var got [2][][]uint8
			var obs [2][]float64
			for i, name := range []string{asm.Active("ising"), asm.Generic} {
				if !asm.Select("ising", name) {
					t.Fatalf("cannot select %s", name)
				}
				l, err := NewLattice(L, R, uint64(R), true)
				if err != nil {
					t.Fatal(err)
				}
				if err := l.Sweep(0.44, 5, 2); err != nil {
					t.Fatal(err)
				}
				for r := range R {
					got[i] = append(got[i], l.Config(r, nil))
				}
				obs[i] = l.Energies()
				if len(obs[i]) != R || len(l.Magnetizations()) != R || l.Blocks() != (R+255)/256 {
					t.Fatalf("R=%d: %d energies, %d blocks", R, len(obs[i]), l.Blocks())
				}
			}
			asm.Reset("ising")
			for r := range R {
				if !bytes.Equal(got[0][r], got[1][r]) || obs[0][r] != obs[1][r] {
					t.Fatalf("R=%d L=%d: replica %d differs between kernels", R, L, r)
				}
			}
		}
	}
}

// TestSampleSmallExact checks Sample at L = 4 against the exact mean energy
// and mean |m| from enumeration, within 4 standard errors, at a
// high-temperature, a near-critical and a low-temperature coupling, and
// those standard errors against batch means and their exact floors
// (checkErrorBar, with the exact variances from enumeration).
//
// It also checks Result.Susceptibility, K N (<m^2> - <|m|>^2), against the
// exact value in the same convention, K times exact.Distribution's
// Susceptibility (which has no factor K): it must equal the value
// recomputed from the configurations, and lie within 4 standard errors of
// the exact one, the error from the delete-one-chain jackknife over the
// 4096 chains (whose own relative error, about 1/sqrt(2*4095) = 1.1%, is
// negligible beside the 4-sigma margin).
func TestSampleSmallExact(t *testing.T) {
	for _, c := range []struct {
		L int
		K float64
	}{{4, 0.25}, {4, 0.4407}, {4, 0.6}} {
		res, err := Sample(Options{L: c.L, K: c.K, N: 8192, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		d, err := exact.Enumerate(c.L, c.K)
		if err != nil {
			t.Fatal(err)
		}
		n := float64(c.L * c.L)
		var u, am float64
		for i, e := range d.Energies {
			u += float64(e) / n * d.PEnergy[i]
		}
		for i, m := range d.AbsMs {
			am += float64(m) / n * d.PAbsM[i]
		}
		if zu, zm := (res.Energy-u)/res.EnergyErr, (res.AbsM-am)/res.AbsMErr; math.Abs(zu) > 4 || math.Abs(zm) > 4 {
			t.Errorf("L=%d K=%v: u = %.4f+-%.4f (exact %.4f), |m| = %.4f+-%.4f (exact %.4f)",
				c.L, c.K, res.Energy, res.EnergyErr, u, res.AbsM, res.AbsMErr, am)
		}
		// The error bars themselves, against batch means and the exact
		// variances of one sample (checkErrorBar).
		var u2 float64
		for i, e := range d.Energies {
			u2 += float64(e) * float64(e) / (n * n) * d.PEnergy[i]
		}
		uS, absM := sampleObservables(res.Configs, c.L)
		label := fmt.Sprintf("L=%d K=%v", c.L, c.K)
		checkErrorBar(t, label, "u", uS, res.Replicas, res.Energy, res.EnergyErr, u2-u*u)
		checkErrorBar(t, label, "|m|", absM, res.Replicas, res.AbsM, res.AbsMErr, d.MeanM2-am*am)
		chi, chiErr := varianceJackknife(absM, res.Replicas, c.K*n)
		want := c.K * d.Susceptibility // the sampler's convention
		z := (res.Susceptibility - want) / chiErr
		t.Logf("L=%d K=%v: chi = %.5f +- %.5f (%d chains), exact K N Var(|m|) = %.5f (z = %+.2f)", c.L, c.K, res.Susceptibility, chiErr, res.Replicas, want, z)
		if math.Abs(chi-res.Susceptibility) > 1e-9*chi {
			t.Errorf("L=%d K=%v: susceptibility from the configurations %v, Result.Susceptibility %v", c.L, c.K, chi, res.Susceptibility)
		}
		if !(math.Abs(z) < 4) {
			t.Errorf("L=%d K=%v: chi = %.5f +- %.5f, exact %.5f (%.1f sigma)", c.L, c.K, res.Susceptibility, chiErr, want, z)
		}
	}
}

// TestSamplesCallback checks that Options.Samples receives every sample once,
// in order, equal to Result.Configs, and that its error stops Sample.
func TestSamplesCallback(t *testing.T) {
	o := Options{L: 6, K: 0.35, N: 1000, Replicas: 300, Seed: 9, Threads: 2}
	var got []uint8
	next := 0
	o.Samples = func(first int, configs []uint8) error {
		if first != next {
			return fmt.Errorf("first = %d, want %d", first, next)
		}
		next += len(configs) / (o.L * o.L)
		got = append(got, configs...)
		return nil
	}
	res, err := Sample(o)
	if err != nil {
		t.Fatal(err)
	}
	if next != o.N || !bytes.Equal(got, res.Configs) {
		t.Fatalf("Samples received %d samples, want %d equal to Result.Configs", next, o.N)
	}
	if res.KernelFlipsPerNs <= 0 || res.KernelSeconds <= 0 || res.Threads != 1 ||
		res.KernelFlips != 2*256*36*res.TotalSweeps || res.Flips != 300*36*res.TotalSweeps {
		t.Errorf("kernel rate %v, seconds %v, threads %d, flips %d (job %d)", res.KernelFlipsPerNs, res.KernelSeconds,
			res.Threads, res.KernelFlips, res.Flips)
	}
	o.Samples = func(int, []uint8) error { return errors.New("disk full") }
	if _, err := Sample(o); err == nil || err.Error() != "disk full" {
		t.Fatalf("error %v, want the callback's", err)
	}
}

// TestSampleStream checks that Options.Stream hands Samples every sample
// of Result.Configs (which it leaves nil) once, a block of 256 replicas at
// most a call, whatever the thread count, with rounds that end inside a
// block and a last round that is short; that an error of Samples stops it;
// and that Stream needs Samples.
func TestSampleStream(t *testing.T) {
	for _, o := range []Options{
		{L: 5, K: 0.3, N: 1000, Replicas: 300, Seed: 3},
		{L: 11, K: 0.4407, N: 5000, Replicas: 2100, Seed: 13},
		{L: 8, K: 0.6, N: 700, Replicas: 512, Seed: 5},
	} {
		want, err := Sample(o)
		if err != nil {
			t.Fatal(err)
		}
		n := o.L * o.L
		for _, threads := range []int{1, 2, 3} {
			o.Threads, o.Stream = threads, true
			var mu sync.Mutex
			got := make([]uint8, o.N*n)
			seen := make([]bool, o.N)
			o.Samples = func(first int, configs []uint8) error {
				k := len(configs) / n
				if k == 0 || k > 256 || len(configs)%n != 0 || first < 0 || first+k > o.N {
					return fmt.Errorf("samples [%d, %d+%d bytes), want 1 to 256 whole samples of %d within %d", first, first, len(configs), n, o.N)
				}
				mu.Lock()
				defer mu.Unlock()
				for i := first; i < first+k; i++ {
					if seen[i] {
						return fmt.Errorf("sample %d handed out twice", i)
					}
					seen[i] = true
				}
				copy(got[first*n:], configs)
				clear(configs) // the slice is the sampler's to reuse
				return nil
			}
			res, err := Sample(o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Configs != nil {
				t.Fatalf("L=%d threads=%d: Result.Configs kept with Stream", o.L, threads)
			}
			if !bytes.Equal(got, want.Configs) || res.Energy != want.Energy || res.TotalSweeps != want.TotalSweeps {
				t.Fatalf("L=%d threads=%d: the streamed samples (energy %v, %d sweeps) differ from Result.Configs (%v, %d)",
					o.L, threads, res.Energy, res.TotalSweeps, want.Energy, want.TotalSweeps)
			}
			o.Stream, o.Samples = false, nil
		}
	}
	o := Options{L: 6, K: 0.35, N: 1000, Replicas: 300, Seed: 9, Threads: 2, Stream: true}
	o.Samples = func(int, []uint8) error { return errors.New("disk full") }
	if _, err := Sample(o); err == nil || err.Error() != "disk full" {
		t.Fatalf("error %v, want the callback's", err)
	}
	o.Samples = nil
	if _, err := Sample(o); err == nil || !strings.Contains(err.Error(), "Stream") {
		t.Fatalf("Stream without Samples: error %v, want one naming Stream", err)
	}
}

// TestPilotLength checks that the pilot's first series is half the floor
// within [minPilot, maxPilot]: its storage must not grow with
// MinEquilibration (-equilibration 1e8 once asked for 40 GB and crashed).
func TestPilotLength(t *testing.T) {
	for _, c := range []struct{ floor, want int }{
		{0, minPilot}, {399, minPilot}, {EquilibrationFloor(40), EquilibrationFloor(40) / 2},
		{2 * maxPilot, maxPilot}, {2*maxPilot + 2, maxPilot}, {1e8, maxPilot}, {math.MaxInt, maxPilot},
	} {
		if got := pilotLength(c.floor); got != c.want {
			t.Errorf("pilotLength(%d) = %d, want %d", c.floor, got, c.want)
		}
	}
}

// TestSweepCouplingChange checks that the thresholds built once per coupling
// follow a change of K: sweeping at K1 then K2 equals two fresh lattices'
// result.
func TestSweepCouplingChange(t *testing.T) {
	a, err := NewLattice(5, 300, 4, true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewLattice(5, 300, 4, true)
	if err != nil {
		t.Fatal(err)
	}
	start := slices.Clone(a.spins)
	sweep := func(l *Lattice, K float64) {
		t.Helper()
		if err := l.Sweep(K, 3, 1); err != nil {
			t.Fatal(err)
		}
	}
	sweep(a, 0.2)
	sweep(a, 0.7)
	sweep(b, 0.2)
	b.th = nil
	sweep(b, 0.7)
	if slices.Equal(a.spins, start) {
		t.Fatal("six sweeps left the lattice as it started: nothing was swept")
	}
	if !slices.Equal(a.spins, b.spins) {
		t.Fatal("sweeps after a change of K differ from a fresh threshold table's")
	}
	if err := a.Sweep(math.NaN(), 1, 1); err == nil {
		t.Fatal("K = NaN accepted")
	}
}

// TestConfigs checks the block unpacking Sample uses against Config, for
// sides whose L*L is and is not a multiple of 8 and partial blocks.
func TestConfigs(t *testing.T) {
	for _, c := range [][2]int{{4, 256}, {5, 300}, {7, 70}, {8, 513}, {3, 1}, {6, 130}, {40, 300}, {41, 256}, {9, 37}} {
		L, R := c[0], c[1]
		l, err := NewLattice(L, R, uint64(L*R), true)
		if err != nil {
			t.Fatal(err)
		}
		n := L * L
		for b := range l.Blocks() {
			k := min(256, R-256*b)
			got := make([]uint8, (k+1)*n)
			for i := range got {
				got[i] = 7
			}
			l.configs(b, k, got)
			for q := range k {
				if want := l.Config(256*b+q, nil); !bytes.Equal(got[q*n:(q+1)*n], want) {
					t.Fatalf("L=%d R=%d: replica %d: %v, Config %v", L, R, 256*b+q, got[q*n:(q+1)*n], want)
				}
			}
			for _, v := range got[k*n:] {
				if v != 7 {
					t.Fatalf("L=%d R=%d block %d: wrote past replica %d", L, R, b, k)
				}
			}
		}
	}
}

// TestSampleThreadCounts checks that the task schedule does not change the
// result: with nine blocks in several groups, a pilot whose series is
// lengthened and three rounds, every thread count gives the same samples,
// times and sweeps, and Samples gets the rounds in order.
func TestSampleThreadCounts(t *testing.T) {
	o := Options{L: 11, K: 0.4407, N: 5000, Replicas: 2100, Seed: 13}
	var want *Result
	for _, threads := range []int{1, 2, 3, 4, 7} {
		o.Threads = threads
		next := 0
		o.Samples = func(first int, configs []uint8) error {
			if first != next {
				return fmt.Errorf("first = %d, want %d", first, next)
			}
			next += len(configs) / (o.L * o.L)
			return nil
		}
		res, err := Sample(o)
		if err != nil {
			t.Fatal(err)
		}
		if next != o.N {
			t.Fatalf("threads %d: Samples got %d samples, want %d", threads, next, o.N)
		}
		if want == nil {
			want = res
			if res.EquilibrationSweeps <= int64(pilotLength(EquilibrationFloor(o.L))+EquilibrationFloor(o.L)/2) {
				t.Fatalf("equilibration %d sweeps: the pilot's series was not lengthened", res.EquilibrationSweeps)
			}
			continue
		}
		if !bytes.Equal(res.Configs, want.Configs) || res.Energy != want.Energy || res.EnergyErr != want.EnergyErr ||
			res.AbsM != want.AbsM || res.SpecificHeat != want.SpecificHeat || res.TauEnergy != want.TauEnergy ||
			res.TauAbsM != want.TauAbsM || res.Spacing != want.Spacing || res.TotalSweeps != want.TotalSweeps ||
			res.EquilibrationSweeps != want.EquilibrationSweeps || res.MeasurementSweeps != want.MeasurementSweeps {
			t.Fatalf("threads %d: result differs from one thread's", threads)
		}
	}
}

// TestClusterMoments checks clusterMoments against one pass per quantity
// with a sum per chain (its former form), bit for bit, including a single
// chain and more chains than values.
func TestClusterMoments(t *testing.T) {
	naive := func(x []float64, R int, f func(float64) float64) (mean, stderr float64) {
		N := len(x)
		R = min(R, N)
		sums, counts := make([]float64, R), make([]float64, R)
		for i, v := range x {
			fv := float64(f(v)) // rounded: no fusion with the sums (arm64 fuses x*x + y)
			mean += fv
			sums[i%R] += fv
			counts[i%R]++
		}
		mean /= float64(N)
		if R < 2 {
			return mean, math.NaN()
		}
		var ss float64
		for r := range R {
			d := sums[r] - float64(counts[r]*mean)
			ss += float64(d * d)
		}
		return mean, math.Sqrt(ss*float64(R)/float64(R-1)) / float64(N)
	}
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
	}
	g := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ N, R int }{{1, 1}, {7, 1}, {7, 3}, {5, 9}, {1000, 256}, {20480, 4096}, {1001, 1000}} {
		x := make([]float64, c.N)
		for i := range x {
			x[i] = 2*g.Float64() - 1
		}
		m := clusterMoments(x, c.R)
		mean, meanErr := naive(x, c.R, func(v float64) float64 { return v })
		abs, absErr := naive(x, c.R, math.Abs)
		sq, _ := naive(x, c.R, func(v float64) float64 { return v * v })
		if !same(m.mean, mean) || !same(m.meanErr, meanErr) || !same(m.abs, abs) || !same(m.absErr, absErr) || !same(m.sq, sq) {
			t.Errorf("N=%d R=%d: %+v, want {mean:%v abs:%v sq:%v meanErr:%v absErr:%v}", c.N, c.R, m, mean, abs, sq, meanErr, absErr)
		}
	}
}
