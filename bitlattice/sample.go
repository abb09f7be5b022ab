package bitlattice

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/isingrbm/isingrbm/asm/ising"
)

// Options configures Sample.
type Options struct {
	L        int     // lattice side, >= MinSampleL
	K        float64 // coupling J/kT, finite, >= 0
	N        int     // number of configurations to return, > 0
	Seed     uint64
	Threads  int // <= 0: all cores; the result does not depend on it
	Replicas int // independent Markov chains; 0: DefaultReplicas(N)
	// MinEquilibration raises the equilibration floor (sweeps).
	MinEquilibration int
	// Progress, if set, is called with the sweeps done and the current
	// estimate of the total. Calls come from the sampling goroutines, one at
	// a time.
	Progress func(done, total int64)
	// Samples, if set, receives the configurations while sampling goes on:
	// it is called in order, one call at a time, from a goroutine of its
	// own, with the samples [first, first+len(configs)/(L*L)) of
	// Result.Configs as soon as they are final (one round of the replicas at
	// a time), so that a caller can pack and write them while later rounds
	// are sampled. Sample returns after the last call; an error from Samples
	// stops sampling and is returned.
	Samples func(first int, configs []uint8) error
}

// Result holds the samples and what was measured on them.
type Result struct {
	L int
	K float64
	// Configs holds N configurations of L*L spins (1 = up), sample-major,
	// row-major within a sample. Sample i comes from replica i % Replicas,
	// taken in round i / Replicas.
	Configs []uint8
	// Means over the samples and their standard errors from the spread of
	// the per-replica sums (replicas are independent; samples of one replica
	// may be correlated, which the spread accounts for).
	Energy, EnergyErr float64 // energy per spin
	AbsM, AbsMErr     float64 // |magnetization| per spin
	Magnetization     float64 // magnetization per spin
	// SpecificHeat = K^2 N (<u^2> - <u>^2), Susceptibility = K N (<m^2> - <|m|>^2),
	// per spin, N = L*L.
	SpecificHeat, Susceptibility float64
	// Integrated autocorrelation times (sweeps) of the energy and of |m|,
	// from Sokal's windowing (c = 6) on the replica-averaged autocorrelation
	// function; TauOK is false if a window could not be found within a
	// quarter of the series (the times are then lower bounds).
	TauEnergy, TauAbsM float64
	TauOK              bool
	// Sweeps: equilibration (including the series for the times), between
	// samples, and in all.
	EquilibrationSweeps, MeasurementSweeps, TotalSweeps int64
	// Spacing is the number of sweeps between two samples of one replica.
	Spacing  int
	Replicas int
	// Flips counts attempted spin flips of the Replicas chains (padding lanes
	// of the last block excluded); FlipsPerNs is Flips over the wall time of
	// the whole job (Seconds): the job's rate.
	Flips      int64
	Seconds    float64
	FlipsPerNs float64
	// The kernel's rate: KernelFlips (attempted flips of all lanes of all
	// blocks, padding included) over KernelSeconds / Threads, where
	// KernelSeconds sums the wall time of the kernel calls over the Threads
	// goroutines that ran them. FlipsPerNs / KernelFlipsPerNs is the share of
	// the kernel's speed the whole job keeps.
	KernelFlips      int64
	KernelSeconds    float64
	KernelFlipsPerNs float64
	Threads          int    // goroutines that ran the kernel
	Impl             string // the Metropolis kernel used
}

// MinSampleL is the smallest side Sample accepts. For L = 2 and 3 the
// sequential-sweep Metropolis chain is reducible: dE = 0 flips are always
// accepted, and enumerating the sweep's transition graph shows states that
// cannot reach the ordered state (4 of 16 at L = 2, 8 of 512 at L = 3), so
// the Boltzmann distribution is stationary but not the limit from a random
// start (at L = 3, K = 0.25 the chain converges to u = -0.7408, not -0.7470).
// At L = 4 every state reaches the ordered one and back. Lattice and Sweep
// still run any L >= 2.
const MinSampleL = 4

// DefaultMaxReplicas caps the number of chains Sample runs by default.
// Beyond it, each chain gives several samples 2 tau_int apart: equilibrating
// a chain costs at least 20 tau_int, so more chains would only cost more.
const DefaultMaxReplicas = 4096

// Equilibration floor. Metropolis' integrated time at K_c grows like
// L^z with z = 2.17. Measured with this sampler (1024 replicas, seed 1,
// Sokal c = 6), tau_int(|m|), the larger of the two, at K_c is
// 10.8, 23.8, 42.4, 68.5 sweeps at L = 16, 24, 32, 40: 0.023-0.026 L^2.17.
// FloorA = 0.03 bounds that with a margin (TestTauAtCritical checks it), so
// the floor of FloorTaus * FloorA * L^2.17 sweeps (1796 at L = 40) is at
// least 20 tau_int at K_c, the worst coupling, before any estimate of tau is
// trusted; away from K_c it over-equilibrates, which is cheap.
const (
	FloorA       = 0.03
	FloorZ       = 2.17
	FloorTaus    = 20
	minPilot     = 200
	maxPilot     = 1 << 15
	seriesBlocks = 2 // blocks (512 replicas) whose per-sweep series give tau
	// MinSpacing is the least number of sweeps between two samples of one
	// chain: measuring every replica costs a few sweeps' time, so closer
	// samples would make measurement dominate (and they would only be
	// closer than 2 tau_int when tau_int < 4).
	MinSpacing = 8
)

// EquilibrationFloor returns the minimum number of equilibration sweeps at
// side L: FloorTaus times the integrated time at K_c, FloorA*L^FloorZ.
func EquilibrationFloor(L int) int {
	return int(math.Ceil(FloorTaus * FloorA * math.Pow(float64(L), FloorZ)))
}

// DefaultReplicas returns the number of chains Sample uses for n samples:
// n when n <= DefaultMaxReplicas, else the fewest chains with equal shares of
// at most ceil(n/DefaultMaxReplicas) samples each.
func DefaultReplicas(n int) int {
	if n <= DefaultMaxReplicas {
		return n
	}
	per := (n + DefaultMaxReplicas - 1) / DefaultMaxReplicas
	return (n + per - 1) / per
}

// validate checks o and returns the number of replicas to run.
func (o *Options) validate() (int, error) {
	if o.L < MinSampleL {
		return 0, fmt.Errorf("bitlattice: L = %d, want >= %d (the sweep chain is not ergodic below)", o.L, MinSampleL)
	}
	if math.IsNaN(o.K) || math.IsInf(o.K, 0) || o.K < 0 {
		return 0, fmt.Errorf("bitlattice: K = %v, want a finite coupling >= 0", o.K)
	}
	if o.N <= 0 {
		return 0, fmt.Errorf("bitlattice: N = %d samples, want > 0", o.N)
	}
	if o.Replicas < 0 {
		return 0, fmt.Errorf("bitlattice: Replicas = %d, want >= 0 (0: choose)", o.Replicas)
	}
	if o.MinEquilibration < 0 {
		return 0, fmt.Errorf("bitlattice: MinEquilibration = %d, want >= 0", o.MinEquilibration)
	}
	R := o.Replicas
	if R == 0 {
		R = DefaultReplicas(o.N)
	}
	sites := float64(o.L) * float64(o.L)
	blocks := math.Ceil(float64(R) / ising.BlockReplicas)
	bytes := float64(sites*float64(o.N)) + float64(sites*blocks*ising.BlockReplicas/8)
	if bytes > MaxBytes {
		return 0, fmt.Errorf("bitlattice: L = %d, N = %d, Replicas = %d need %.3g GiB of samples and lattice, above %d GiB",
			o.L, o.N, R, bytes/(1<<30), MaxBytes>>30)
	}
	return R, nil
}

// Sample draws o.N equilibrium configurations of the L x L Ising model at
// coupling K with multi-spin-coded Metropolis (package asm/ising).
//
// Procedure: Replicas chains start hot (random) for K <= K_c, otherwise
// ordered, all up or all down at random per chain (no long-lived stripes).
// They run half the equilibration floor (EquilibrationFloor, or
// MinEquilibration if larger), then record the per-sweep energy and |m| of
// the first 512 chains for a series of at least max(200, floor/2) sweeps,
// lengthened until Sokal's window is found and the series spans 50 tau_int,
// up to 2^15 sweeps. tau = max(tau_E, tau_|m|). Equilibration then continues
// to max(floor, 20 tau) sweeps in all. Each chain gives ceil(N/Replicas)
// samples (the last round possibly fewer), max(ceil(2 tau), MinSpacing)
// sweeps apart.
//
// Work is handed out per group of consecutive blocks (which the kernels run
// together, see Lattice.groupSize): while one goroutine sweeps and measures
// the first group, which holds the series blocks, sweep by sweep, the others
// sweep the other groups; in each sampling round a group is swept,
// measured and unpacked by one goroutine, and a finished round goes to
// Options.Samples while the next is sampled. The thresholds are built once.
// The result is a function of the options other than Threads, Progress and
// Samples.
func Sample(o Options) (*Result, error) { return sample(context.Background(), o) }

// sample is Sample stopping, with ctx.Err(), within one chunk of sweeps
// (sweepChunk) of each goroutine once ctx is done.
func sample(ctx context.Context, o Options) (*Result, error) {
	R, err := o.validate()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	r, err := newSampleRun(ctx, o, R)
	if err != nil {
		return nil, err
	}
	tauE, tauM, ok := r.pilot()
	res := r.equilibrate(tauE, tauM, ok)
	if err := r.measure(res); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.finish(res, start)
	return res, nil
}

// sampleRun is one call of Sample: the lattice, its thresholds and the
// bookkeeping shared by its phases (pilot, equilibrate, measure, finish).
type sampleRun struct {
	ctx                    context.Context
	o                      Options
	R, L, N                int
	lat                    *Lattice
	th                     *ising.Thresholds
	group, groups, threads int
	floor, rounds          int
	chunk                  int
	prog                   *progress
	eq                     int // equilibration sweeps done so far
	us, ms                 []float64
}

func newSampleRun(ctx context.Context, o Options, R int) (*sampleRun, error) {
	lat, err := NewLattice(o.L, R, o.Seed, o.K <= Kc)
	if err != nil {
		return nil, err
	}
	th, err := lat.thresholds(o.K)
	if err != nil {
		return nil, err
	}
	r := &sampleRun{ctx: ctx, o: o, R: R, L: o.L, N: o.N, lat: lat, th: th, chunk: sweepChunk(o.L)}
	r.group = lat.groupSize(threadCount(o.Threads))
	r.groups = lat.groups(r.group)
	r.threads = min(threadCount(o.Threads), r.groups)
	r.floor = max(EquilibrationFloor(r.L), o.MinEquilibration)
	r.rounds = (r.N + R - 1) / R
	r.prog = &progress{report: o.Progress, groups: int64(r.groups), total: int64(r.floor + r.rounds*2)}
	return r, nil
}

// sweepGroup sweeps group j n times in chunks, so that Progress is called
// and ctx checked regularly.
func (r *sampleRun) sweepGroup(j, n int) {
	for n > 0 && r.ctx.Err() == nil {
		c := min(n, r.chunk)
		r.lat.sweepGroup(r.group, j, r.th, c)
		n -= c
		r.prog.add(int64(c))
	}
}

// sweep sweeps every group n times.
func (r *sampleRun) sweep(n int) { parallel(r.groups, r.threads, func(j int) { r.sweepGroup(j, n) }) }

// pilot runs the burn-in, then the series that give tau: the series blocks
// are in the first group (seriesBlocks <= 2 <= group size), which one
// goroutine sweeps and measures sweep by sweep while the others sweep the
// other groups in chunks. The series
// doubles until Sokal's window is found and it spans 50 tau_int, or until
// maxPilot.
func (r *sampleRun) pilot() (tauE, tauM float64, ok bool) {
	r.sweep(r.floor / 2)
	nb := min(seriesBlocks, r.lat.blocks)
	nr := min(r.R, nb*ising.BlockReplicas)
	eS, mS := make([][]float32, nr), make([][]float32, nr)
	record := func(T int) {
		parallel(r.groups, r.threads, func(j int) {
			if j > 0 {
				r.sweepGroup(j, T)
				return
			}
			var e, m [seriesBlocks * ising.BlockReplicas]float64
			for range T {
				if r.ctx.Err() != nil {
					return
				}
				r.lat.sweepGroup(r.group, 0, r.th, 1)
				r.prog.add(1)
				for b := range nb {
					r.lat.measureBlock(b, e[b*ising.BlockReplicas:], m[b*ising.BlockReplicas:])
				}
				for i := range nr {
					eS[i] = append(eS[i], float32(e[i]))
					mS[i] = append(mS[i], float32(math.Abs(m[i])))
				}
			}
		})
	}
	T := max(minPilot, r.floor/2)
	record(T)
	for r.ctx.Err() == nil {
		var okE, okM bool
		// The two series' times are independent: compute them side by side.
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			tauM, _, okM = integratedTime(mS)
		}()
		tauE, _, okE = integratedTime(eS)
		wg.Wait()
		ok = okE && okM
		tau := math.Max(tauE, tauM)
		if (ok && float64(T) >= 50*tau) || 2*T > maxPilot {
			break
		}
		record(T)
		T *= 2
	}
	r.eq = r.floor/2 + T
	return tauE, tauM, ok
}

// equilibrate continues to max(floor, FloorTaus tau) sweeps in all and
// returns the result with the times and the spacing of the samples.
func (r *sampleRun) equilibrate(tauE, tauM float64, ok bool) *Result {
	tau := math.Max(tauE, tauM)
	if need := max(r.floor, int(math.Ceil(FloorTaus*tau))); r.eq < need {
		r.prog.setTotal(int64(need + r.rounds*2))
		r.sweep(need - r.eq)
		r.eq = need
	}
	spacing := max(MinSpacing, int(math.Ceil(2*tau)))
	r.prog.setTotal(int64(r.eq + (r.rounds-1)*spacing))
	return &Result{L: r.L, K: r.o.K, Replicas: r.R, TauEnergy: tauE, TauAbsM: tauM, TauOK: ok,
		Spacing: spacing, EquilibrationSweeps: int64(r.eq), Impl: ising.Impl(), Threads: r.threads}
}

// measure runs the sampling rounds: every group sweeps, measures and
// unpacks its own replicas in one job, and the finished round goes to
// Samples while the next is sampled.
func (r *sampleRun) measure(res *Result) error {
	n := r.L * r.L
	res.Configs = make([]uint8, r.N*n)
	r.us, r.ms = make([]float64, r.N), make([]float64, r.N)
	out := newEmitter(r.o.Samples, res.Configs, n)
	for round := range r.rounds {
		if out.failed() || r.ctx.Err() != nil {
			break
		}
		lo := round * r.R
		cnt := min(r.R, r.N-lo)
		parallel(r.groups, r.threads, func(j int) {
			if round > 0 {
				r.sweepGroup(j, res.Spacing)
			}
			var e, m [ising.BlockReplicas]float64
			for b := r.group * j; b < min(r.group*(j+1), r.lat.blocks); b++ {
				r0 := b * ising.BlockReplicas
				k := min(ising.BlockReplicas, cnt-r0)
				if k <= 0 {
					continue
				}
				r.lat.measureBlock(b, e[:], m[:])
				copy(r.us[lo+r0:lo+r0+k], e[:k])
				copy(r.ms[lo+r0:lo+r0+k], m[:k])
				r.lat.configs(b, k, res.Configs[(lo+r0)*n:])
			}
		})
		if round > 0 {
			res.MeasurementSweeps += int64(res.Spacing)
		}
		out.send(lo, cnt)
	}
	return out.wait()
}

// finish fills in the observables with their cluster errors and the rates.
func (r *sampleRun) finish(res *Result, start time.Time) {
	n, R := r.L*r.L, r.R
	res.TotalSweeps = res.EquilibrationSweeps + res.MeasurementSweeps
	res.Energy, res.EnergyErr = clusterMean(r.us, R, func(x float64) float64 { return x })
	res.AbsM, res.AbsMErr = clusterMean(r.ms, R, math.Abs)
	res.Magnetization, _ = clusterMean(r.ms, R, func(x float64) float64 { return x })
	u2, _ := clusterMean(r.us, R, func(x float64) float64 { return x * x })
	m2, _ := clusterMean(r.ms, R, func(x float64) float64 { return x * x })
	res.SpecificHeat = r.o.K * r.o.K * float64(n) * (u2 - float64(res.Energy*res.Energy))
	res.Susceptibility = r.o.K * float64(n) * (m2 - float64(res.AbsM*res.AbsM))
	res.Flips = int64(R) * int64(n) * res.TotalSweeps
	res.Seconds = time.Since(start).Seconds()
	res.FlipsPerNs = float64(res.Flips) / (res.Seconds * 1e9)
	res.KernelFlips = int64(r.lat.blocks) * ising.BlockReplicas * int64(n) * res.TotalSweeps
	res.KernelSeconds = float64(r.lat.kernelNanos.Load()) / 1e9
	if res.KernelSeconds > 0 {
		res.KernelFlipsPerNs = float64(res.KernelFlips) * float64(r.threads) / (res.KernelSeconds * 1e9)
	}
}

// sweepChunk is the number of sweeps a goroutine runs between two looks at
// the context and two Progress calls: 64, fewer on lattices above 256 x 256
// so that a chunk stays below about 2^22 site updates of a block pair (a
// few milliseconds; twice that for a group of four).
func sweepChunk(L int) int { return max(1, min(64, (1<<22)/(L*L))) }

// progress sums the sweeps done by the groups and reports whole-lattice
// sweeps (group-sweeps / groups) to Progress, one call at a time.
type progress struct {
	mu        sync.Mutex
	report    func(done, total int64)
	groups    int64
	groupDone int64
	total     int64
}

func (p *progress) add(groupSweeps int64) {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.groupDone += groupSweeps
	done := p.groupDone / p.groups
	p.report(done, max(p.total, done))
}

func (p *progress) setTotal(total int64) {
	p.mu.Lock()
	p.total = total
	p.mu.Unlock()
}

// emitter hands finished rounds to Options.Samples on a goroutine of its own.
type emitter struct {
	f     func(first int, configs []uint8) error
	ch    chan [2]int
	done  chan struct{}
	err   error
	bad   atomic.Bool
	buf   []uint8
	sites int
}

func newEmitter(f func(int, []uint8) error, buf []uint8, sites int) *emitter {
	e := &emitter{f: f, buf: buf, sites: sites}
	if f == nil {
		return e
	}
	e.ch, e.done = make(chan [2]int, 1<<10), make(chan struct{})
	go func() {
		defer close(e.done)
		for r := range e.ch {
			if e.err != nil {
				continue
			}
			if err := e.f(r[0], e.buf[r[0]*e.sites:(r[0]+r[1])*e.sites]); err != nil {
				e.err = err
				e.bad.Store(true)
			}
		}
	}()
	return e
}

func (e *emitter) send(first, count int) {
	if e.ch != nil {
		e.ch <- [2]int{first, count}
	}
}

func (e *emitter) failed() bool { return e.bad.Load() }

func (e *emitter) wait() error {
	if e.ch == nil {
		return nil
	}
	close(e.ch)
	<-e.done
	return e.err
}

// clusterMean returns the mean of f over x, where x[i] belongs to chain
// i % R, and its standard error from the spread of the chain sums S_r
// around n_r * mean: var = R/(R-1) sum_r (S_r - n_r mean)^2 / N^2.
func clusterMean(x []float64, R int, f func(float64) float64) (mean, stderr float64) {
	N := len(x)
	R = min(R, N)
	sums := make([]float64, R)
	counts := make([]float64, R)
	for i, v := range x {
		fv := f(v)
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
