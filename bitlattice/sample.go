package bitlattice

import (
	"context"
	"errors"
	"fmt"
	"github.com/isingrbm/isingrbm/asm/pmath"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/isingrbm/isingrbm/asm/ising"
)

// Options configures Sample.
type Options struct {
	L    int     // lattice side, >= MinSampleL
	K    float64 // coupling J/kT, finite, >= 0
	N    int     // number of configurations to return, > 0
	Seed uint64
	// Generator is the kind of the update streams (NewLatticeGen); the
	// zero value is xoshiro256++, the streams of every sample made before
	// `isingrbm sample` switched to ising.SFC64 (1.4x faster with AVX2).
	Generator ising.Generator
	Threads   int // <= 0: all cores; the result does not depend on it
	Replicas  int // independent Markov chains; 0: DefaultReplicas(N)
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
	// are sampled (Stream changes how it is called). Sample returns after
	// the last call; an error from Samples stops sampling and is returned.
	Samples func(first int, configs []uint8) error
	// Stream, with Samples set, hands the configurations to Samples only,
	// as each group of chains measures a round: Result.Configs stays nil,
	// Samples gets one block of at most 256 replicas a call, from the
	// sampling goroutines, concurrently and in any order (each sample
	// once), and its slice is valid only during the call. A run writing
	// its samples to a file (at their offsets) then never holds them: on a
	// virtual machine, first touching the pages of a large buffer costs far
	// more than writing a file through a small one.
	Stream bool
}

// Result holds the samples and what was measured on them.
type Result struct {
	L int
	K float64
	// Configs holds N configurations of L*L spins (1 = up), sample-major,
	// row-major within a sample. Sample i comes from replica i % Replicas,
	// taken in round i / Replicas. Nil with Options.Stream.
	Configs []uint8
	// Means over the samples and their standard errors from the spread of
	// the per-replica sums (replicas are independent; samples of one replica
	// may be correlated, which the spread accounts for).
	Energy, EnergyErr float64 // energy per spin
	AbsM, AbsMErr     float64 // |magnetization| per spin
	Magnetization     float64 // magnetization per spin
	// SpecificHeat = K^2 N (<u^2> - <u>^2), Susceptibility = K N (<m^2> - <|m|>^2),
	// per spin, N = L*L, u and m per spin (no errors; a jackknife over the
	// chains gives them). Susceptibility is the beta-weighted finite-lattice
	// form with |m|, the convention of analysis.Thermo.Chi (the summaries'
	// "susceptibility"); exact.Distribution.Susceptibility omits the factor
	// K, so K times it is the exact value of this one.
	SpecificHeat, Susceptibility float64
	// Integrated autocorrelation times (sweeps) of the energy, of |m| and
	// of the signed m, from Sokal's windowing (c = 6) on the
	// replica-averaged autocorrelation function; TauOK is false if a window
	// could not be found within a quarter of a series the spacing follows
	// (the times are then lower bounds). The spacing follows all three for
	// K <= K_c; above K_c the chains start ordered (all up or all down, a
	// fair coin per chain) and the spacing follows the energy and |m|
	// (TauSpacing): deep in the ordered phase a chain keeps its sign, and
	// m's time is its lifetime, not a sampling interval; just above K_c a
	// finite lattice's m still changes sign, slowly (866 sweeps at L = 40,
	// K = 0.45), and the samples of one chain share their sign more often
	// than independent ones (Report.Warning says so).
	TauEnergy, TauAbsM, TauM float64
	// TauSpacing is the time the spacing and the equilibration follow: the
	// largest of the times above that apply at K.
	TauSpacing float64
	TauOK      bool
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
	// the kernel's speed the whole job keeps: both count the same sweeps, the
	// job over its wall time from the start of Sample (lattice set-up,
	// series, times, measuring and unpacking included) with only the
	// Replicas chains, the kernel over the mean kernel time of a thread with
	// the padding lanes, so the ratio is at most Replicas / (256 Blocks)
	// (0.989 for 20,000 chains). Every task, the times of the series
	// included, runs on the Threads goroutines, so Threads = 1 is one core.
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
// Sokal c = 6), tau_int(|m|), the larger of the energy's and |m|'s, at K_c is
// 10.8, 23.8, 42.4, 68.5 sweeps at L = 16, 24, 32, 40: 0.023-0.026 L^2.17.
// FloorA = 0.03 bounds that with a margin (TestTauAtCritical checks it), so
// the floor of FloorTaus * FloorA * L^2.17 sweeps (1798 at L = 40) is at
// least 20 tau_int at K_c, the worst coupling, before any estimate of tau is
// trusted; away from K_c it over-equilibrates, which is cheap. The signed
// m is slower still (at K_c about 290 sweeps at L = 16 and 2,000 at L = 40,
// with no Sokal window within the pilot there): the floor does not cover
// it; the equilibration that follows the pilot does (20 tau).
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
	return int(math.Ceil(FloorTaus * FloorA * pmath.Exp(float64(FloorZ*pmath.Log(float64(L))))))
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
	if math.IsNaN(o.K) || math.IsInf(o.K, 0) || o.K < 0 || o.K > MaxSampleK {
		return 0, fmt.Errorf("bitlattice: K = %v, want a coupling in [0, %v] (above, the kernels' 24-bit acceptance thresholds err by more than 1%%: MaxSampleK)", o.K, MaxSampleK)
	}
	if o.N <= 0 {
		return 0, fmt.Errorf("bitlattice: N = %d samples, want > 0", o.N)
	}
	if !o.Generator.Valid() {
		return 0, fmt.Errorf("bitlattice: Generator = %v, want %v or %v", o.Generator, ising.Xoshiro256pp, ising.SFC64)
	}
	if o.Replicas < 0 {
		return 0, fmt.Errorf("bitlattice: Replicas = %d, want >= 0 (0: choose)", o.Replicas)
	}
	if o.MinEquilibration < 0 {
		return 0, fmt.Errorf("bitlattice: MinEquilibration = %d, want >= 0", o.MinEquilibration)
	}
	if o.Stream && o.Samples == nil {
		return 0, errors.New("bitlattice: Stream without Samples, want a Samples function to stream to")
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
// MinEquilibration if larger), then record the per-sweep energy and m of
// the first 512 chains for a series of max(200, floor/2) sweeps (at most
// 2^15), lengthened until Sokal's window is found and the series spans 50
// tau_int, up to 2^15 sweeps. tau = max(tau_E, tau_|m|, tau_m) for K <= K_c
// (m the signed magnetization, the slowest of the three there), max(tau_E,
// tau_|m|) above it (see Result.TauM). Equilibration then continues
// to max(floor, 20 tau) sweeps in all. Each chain gives ceil(N/Replicas)
// samples (the last round possibly fewer), max(ceil(2 tau), MinSpacing)
// sweeps apart.
//
// Work is split into tasks per group of consecutive blocks (which the
// kernels run together, see Lattice.groupSize): a chunk of sweeps
// (sweepChunk), or the measuring and unpacking of one sampling round. The
// goroutines take the ready task of the group that is furthest behind, so
// that every group advances at the same pace and no goroutine waits at the
// end of a phase: the first group, which holds the series blocks, sweeps and
// measures them sweep by sweep while the others sweep on, its series' times
// are computed while they still sweep, and every group sweeps as far as the
// sweeps known to be needed (at least the floor) before the times are known.
// A round goes to Options.Samples as soon as every group has finished it.
// The thresholds are built once. The result is a function of the options
// other than Threads, Progress and Samples: every chain runs the same sweeps
// whatever the order of the tasks.
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
	defer r.release()
	res, err := r.run()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.finish(res, start)
	return res, nil
}

// sampleRun is one call of Sample: the lattice, its thresholds and the
// bookkeeping shared by its phases (run, finish).
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
	// us and ms hold the energy and magnetization of every sample. They and
	// the series are in a scratch buffer outside the Go heap (hugeAlloc),
	// which release frees.
	us, ms  []float64
	release func()
}

func newSampleRun(ctx context.Context, o Options, R int) (*sampleRun, error) {
	lat, err := NewLatticeGen(o.L, R, o.Seed, o.K <= Kc, o.Generator)
	if err != nil {
		return nil, err
	}
	th, err := lat.thresholds(o.K)
	if err != nil {
		return nil, err
	}
	r := &sampleRun{ctx: ctx, o: o, R: R, L: o.L, N: o.N, lat: lat, th: th, chunk: sweepChunk(o.L), release: func() {}}
	r.group = lat.groupSize(threadCount(o.Threads))
	r.groups = lat.groups(r.group)
	r.threads = min(threadCount(o.Threads), r.groups)
	r.floor = max(EquilibrationFloor(r.L), o.MinEquilibration)
	r.rounds = (r.N + R - 1) / R
	r.prog = &progress{report: o.Progress, groups: int64(r.groups), total: int64(r.floor + r.rounds*2)}
	return r, nil
}

// sweepGroup sweeps group j n times and reports the sweeps to Progress.
func (r *sampleRun) sweepGroup(j, n int) {
	r.lat.sweepGroup(r.group, j, r.th, n)
	r.prog.add(int64(n))
}

// The kinds of task of a sampling run.
const (
	taskSweep  = iota + 1 // sweep a group n times
	taskRecord            // sweep the first group n times, recording the series
	taskTauE              // the integrated time of the energy series
	taskTauM              // the integrated time of the |m| series
	taskTauSM             // the integrated time of the signed-m series
	taskRound             // measure and unpack a group's replicas for a round
)

type task struct{ kind, j, n int }

// scheduler hands out the tasks of a sampleRun and keeps its state; every
// field is guarded by mu, except that the series and the times belong to
// the tasks running on them (the first group's recording, then the three
// time tasks, which only read them; never the recording and a time task at
// once).
type scheduler struct {
	r    *sampleRun
	mu   sync.Mutex
	wake *sync.Cond

	done, round []int  // per group: sweeps done, rounds measured
	busy        []bool // per group: a task is running on it
	finished    int    // groups that measured every round

	// The pilot: the first group records the series up to sweep recHi, the
	// others sweep up to lower, the least number of equilibration sweeps
	// that is certain; tauTodo has bit 0 (energy), 1 (|m|) and 2 (signed
	// m) for the time tasks not yet started, tauLeft counts those not yet
	// finished.
	T, recHi, lower   int
	tauTodo, tauLeft  int
	tauE, tauM, tauSM float64
	okE, okM, okSM    bool
	eS, smS           [][]float32 // the energy and the signed m; |m|'s time is of |smS|
	series            []byte      // the storage of eS and smS
	nb, nr            int

	// After the pilot: equilibration sweeps, the sampling rounds.
	decided    bool
	res        *Result
	eq         int
	configs    chan []uint8 // the buffer of the samples, allocated aside
	roundCount []int        // per round: groups that measured it
	emitted    int          // rounds handed to out
	out        *emitter
	outStarted bool
	// Stream: the buffers the rounds' blocks are unpacked into, for
	// reuse, and the first error of Samples.
	chunks    chan []uint8
	streamErr error
}

// run runs the pilot, the equilibration and the sampling rounds of every
// group on r.threads goroutines and returns the result without the rates.
func (r *sampleRun) run() (*Result, error) {
	s := &scheduler{r: r, done: make([]int, r.groups), round: make([]int, r.groups), busy: make([]bool, r.groups)}
	s.wake = sync.NewCond(&s.mu)
	s.nb = min(seriesBlocks, r.lat.blocks)
	s.nr = min(r.R, s.nb*ising.BlockReplicas)
	s.T = pilotLength(r.floor)
	s.recHi = r.floor/2 + s.T
	s.grow()
	s.lower = max(r.floor, s.recHi)
	// The samples' buffer is allocated beside the sweeps: a large
	// allocation is cleared (or faulted in) page by page, which costs a few
	// sweeps' time.
	n := r.L * r.L
	if r.o.Stream {
		s.chunks = make(chan []uint8, r.threads)
	} else {
		s.configs = make(chan []uint8, 1)
		go func() {
			buf := make([]uint8, r.N*n)
			adviseHugePages(buf)
			s.configs <- buf
		}()
	}
	if r.threads <= 1 {
		s.work()
	} else {
		var wg sync.WaitGroup
		for range r.threads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.work()
			}()
		}
		wg.Wait()
	}
	if s.res == nil {
		// Cancelled before the pilot ended.
		return nil, r.ctx.Err()
	}
	if !s.outStarted {
		s.startOutput()
	}
	if err := s.out.wait(); err != nil {
		return nil, err
	}
	if s.streamErr != nil {
		return nil, s.streamErr
	}
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	s.res.MeasurementSweeps = int64(r.rounds-1) * int64(s.res.Spacing)
	return s.res, nil
}

// startOutput takes the samples' buffer (none with Stream) and starts the
// emitter; under mu.
func (s *scheduler) startOutput() {
	n := s.r.L * s.r.L
	if s.r.o.Stream { // measureRound hands out the samples
		s.out = newEmitter(nil, nil, n)
	} else {
		s.res.Configs = <-s.configs
		s.out = newEmitter(s.r.o.Samples, s.res.Configs, n)
	}
	s.outStarted = true
}

// stream unpacks k replicas of block b, samples [first, first+k), into a
// reused buffer and hands them to Samples (Stream); it reports whether the
// run goes on.
func (s *scheduler) stream(b, k, first int) bool {
	r := s.r
	n := r.L * r.L
	var chunk []uint8
	select {
	case chunk = <-s.chunks:
	default:
		chunk = make([]uint8, ising.BlockReplicas*n)
	}
	defer func() { s.chunks <- chunk }()
	r.lat.configs(b, k, chunk)
	if err := r.o.Samples(first, chunk[:k*n]); err != nil {
		s.mu.Lock()
		if s.streamErr == nil {
			s.streamErr = err
		}
		s.mu.Unlock()
		return false
	}
	return true
}

// work runs tasks until every group is done, ctx is done or Samples failed.
func (s *scheduler) work() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.finished == s.r.groups || s.r.ctx.Err() != nil || (s.out != nil && s.out.failed()) || s.streamErr != nil {
			s.wake.Broadcast()
			return
		}
		t, ok := s.pick()
		if !ok {
			s.wake.Wait()
			continue
		}
		if t.kind != taskTauE && t.kind != taskTauM && t.kind != taskTauSM {
			s.busy[t.j] = true
		}
		if t.kind == taskRound && !s.outStarted {
			s.startOutput()
		}
		s.mu.Unlock()
		s.runTask(t)
		s.mu.Lock()
		s.complete(t)
		s.wake.Broadcast()
	}
}

// next returns the task group j can run now, if any.
func (s *scheduler) next(j int) (task, bool) {
	r := s.r
	sweep := func(to int) (task, bool) { return task{taskSweep, j, min(r.chunk, to-s.done[j])}, true }
	if !s.decided {
		switch {
		case j > 0 && s.done[j] < s.lower:
			return sweep(s.lower)
		case j == 0 && s.done[0] < r.floor/2:
			return sweep(r.floor / 2)
		case j == 0 && s.done[0] < s.recHi:
			return task{taskRecord, 0, min(r.chunk, s.recHi-s.done[0])}, true
		}
		return task{}, false
	}
	if s.round[j] == r.rounds {
		return task{}, false
	}
	if at := s.eq + s.round[j]*s.res.Spacing; s.done[j] < at {
		return sweep(at)
	}
	return task{taskRound, j, s.round[j]}, true
}

// pick chooses the next task: the times of the series first, then the first
// group while the pilot runs (the times wait on it), then the group that is
// furthest behind (a round's measuring before another group's sweeps at
// the same sweep count). Under mu.
func (s *scheduler) pick() (task, bool) {
	if s.tauTodo&1 != 0 {
		s.tauTodo &^= 1
		return task{kind: taskTauE}, true
	}
	if s.tauTodo&2 != 0 {
		s.tauTodo &^= 2
		return task{kind: taskTauM}, true
	}
	if s.tauTodo&4 != 0 {
		s.tauTodo &^= 4
		return task{kind: taskTauSM}, true
	}
	var best task
	bestKey, found := 0, false
	for j := range s.r.groups {
		if s.busy[j] {
			continue
		}
		t, ok := s.next(j)
		if !ok {
			continue
		}
		if j == 0 && !s.decided {
			return t, true
		}
		key := 2 * s.done[j]
		if t.kind != taskRound {
			key++
		}
		if !found || key < bestKey {
			best, bestKey, found = t, key, true
		}
	}
	return best, found
}

// runTask runs t without holding mu.
func (s *scheduler) runTask(t task) {
	r := s.r
	switch t.kind {
	case taskSweep:
		r.sweepGroup(t.j, t.n)
	case taskRecord:
		var e, m [seriesBlocks * ising.BlockReplicas]float64
		for range t.n {
			r.sweepGroup(0, 1)
			for b := range s.nb {
				r.lat.measureBlock(b, e[b*ising.BlockReplicas:], m[b*ising.BlockReplicas:])
			}
			for i := range s.nr {
				s.eS[i] = append(s.eS[i], float32(e[i]))
				s.smS[i] = append(s.smS[i], float32(m[i]))
			}
		}
	case taskTauE:
		s.tauE, _, s.okE = integratedTime(s.eS, false)
	case taskTauM:
		s.tauM, _, s.okM = integratedTime(s.smS, true) // |m| from the signed series
	case taskTauSM:
		s.tauSM, _, s.okSM = integratedTime(s.smS, false)
	case taskRound:
		s.measureRound(t.j, t.n)
	}
}

// complete books the end of task t. Under mu.
func (s *scheduler) complete(t task) {
	r := s.r
	switch t.kind {
	case taskSweep, taskRecord:
		s.done[t.j] += t.n
		s.busy[t.j] = false
		if t.kind == taskRecord && s.done[0] == s.recHi {
			s.tauTodo, s.tauLeft = 7, 3
		}
	case taskTauE, taskTauM, taskTauSM:
		if s.tauLeft--; s.tauLeft == 0 {
			s.decide()
		}
	case taskRound:
		s.busy[t.j] = false
		s.round[t.j]++
		if s.round[t.j] == r.rounds {
			s.finished++
		}
		if len(s.roundCount) == 0 {
			s.roundCount = make([]int, r.rounds)
		}
		s.roundCount[t.n]++
		for s.emitted < r.rounds && s.roundCount[s.emitted] == r.groups {
			lo := s.emitted * r.R
			s.out.send(lo, min(r.R, r.N-lo))
			s.emitted++
		}
	}
}

// pilotLength is the first length of the pilot's series at an
// equilibration floor of floor sweeps: half the floor, at least minPilot
// and at most maxPilot, so that its storage (8 bytes a sweep for each of
// up to 512 chains: at most 128 MiB, and half that more while it grows) does not grow with the floor, which
// MinEquilibration raises at will.
func pilotLength(floor int) int { return min(maxPilot, max(minPilot, floor/2)) }

// decide ends the pilot once the times of the series are known: the series
// doubles until Sokal's window is found and it spans 50 tau_int, or until
// maxPilot; then equilibration continues to max(floor, FloorTaus tau)
// sweeps in all, and the samples are max(MinSpacing, ceil(2 tau)) apart.
// Under mu.
func (s *scheduler) decide() {
	r := s.r
	ok := s.okE && s.okM
	tau := math.Max(s.tauE, s.tauM)
	if r.o.K <= Kc {
		ok = ok && s.okSM
		tau = math.Max(tau, s.tauSM)
	}
	if pilotGrows(s.T, tau, ok) {
		s.recHi += s.T
		s.T *= 2
		s.grow()
		s.lower = max(r.floor, s.recHi)
		return
	}
	// The series are done with: their storage holds the blocks that
	// Stream unpacks (faulted in already, unlike new buffers).
	s.eS, s.smS = nil, nil
	if r.o.Stream {
		size := ising.BlockReplicas * r.L * r.L
		for i := 0; i < r.threads && (i+1)*size <= len(s.series); i++ {
			s.chunks <- s.series[i*size : (i+1)*size : (i+1)*size]
		}
	}
	var spacing int
	s.eq, spacing = schedule(r.floor, s.T, tau)
	r.prog.setTotal(int64(s.eq + (r.rounds-1)*spacing))
	s.res = &Result{L: r.L, K: r.o.K, Replicas: r.R, TauEnergy: s.tauE, TauAbsM: s.tauM, TauM: s.tauSM, TauSpacing: tau, TauOK: ok,
		Spacing: spacing, EquilibrationSweeps: int64(s.eq), Impl: ising.Impl(), Threads: r.threads}
	s.decided = true
}

// pilotGrows reports whether a pilot series of T sweeps doubles (decide):
// until Sokal's window is found (ok) and the series spans 50 tau, up to
// maxPilot.
func pilotGrows(T int, tau float64, ok bool) bool {
	return !(ok && float64(T) >= 50*tau) && 2*T <= maxPilot
}

// schedule returns, once the pilot's T sweeps gave the time tau, the
// equilibration sweeps in all (the pilot's included: at least the floor
// and FloorTaus tau) and the sweeps between two samples of one chain.
func schedule(floor, T int, tau float64) (eq, spacing int) {
	eq = max(floor/2+T, floor, int(math.Ceil(FloorTaus*tau)))
	return eq, max(MinSpacing, int(math.Ceil(2*tau)))
}

// grow gives the series room for s.T values each, keeping theirs, in a
// new scratch buffer (hugeAlloc) that also holds the samples' energies and
// magnetizations (r.us, r.ms; not written before the series are complete),
// and frees the old one.
func (s *scheduler) grow() {
	r := s.r
	T, nr := s.T, s.nr
	obs := 8 * r.N
	buf, release := hugeAlloc(2*obs + 2*4*nr*T)
	r.us = unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(buf))), r.N)
	r.ms = unsafe.Slice((*float64)(unsafe.Pointer(&buf[obs])), r.N)
	s.series = buf[2*obs:]
	f := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s.series))), 2*nr*T)
	e, sm := make([][]float32, nr), make([][]float32, nr)
	for i := range nr {
		e[i] = f[i*T : i*T : (i+1)*T]
		sm[i] = f[(nr+i)*T : (nr+i)*T : (nr+i+1)*T]
		if s.eS != nil {
			e[i] = append(e[i], s.eS[i]...)
			sm[i] = append(sm[i], s.smS[i]...)
		}
	}
	s.eS, s.smS = e, sm
	r.release()
	r.release = release
}

// heapBytes returns n zero bytes from the Go heap, aligned for float64s.
func heapBytes(n int) []byte {
	w := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), n)
}

// measureRound measures the replicas of group j and unpacks them into
// round round of the samples (Result.Configs), or (Stream) hands them to
// Samples.
func (s *scheduler) measureRound(j, round int) {
	r := s.r
	n := r.L * r.L
	lo := round * r.R
	cnt := min(r.R, r.N-lo)
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
		if r.o.Stream {
			if !s.stream(b, k, lo+r0) {
				return
			}
		} else {
			r.lat.configs(b, k, s.res.Configs[(lo+r0)*n:])
		}
	}
}

// finish fills in the observables with their cluster errors and the rates.
func (r *sampleRun) finish(res *Result, start time.Time) {
	n, R := r.L*r.L, r.R
	res.TotalSweeps = res.EquilibrationSweeps + res.MeasurementSweeps
	u, m := clusterMoments(r.us, R), clusterMoments(r.ms, R)
	res.Energy, res.EnergyErr = u.mean, u.meanErr
	res.AbsM, res.AbsMErr = m.abs, m.absErr
	res.Magnetization = m.mean
	u2, m2 := u.sq, m.sq
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

// moments are the means over samples of x, |x| and x^2, and the standard
// errors of the first two (clusterMoments).
type moments struct{ mean, abs, sq, meanErr, absErr float64 }

// clusterMoments returns the means of x, |x| and x^2 over x, where x[i]
// belongs to chain i % R, and the standard errors of the first two from the
// spread of the chain sums S_r around n_r * mean:
// var = R/(R-1) sum_r (S_r - n_r mean)^2 / N^2 (NaN for a single chain).
// Each sum runs in the order of i, so the results have the same bits
// as one pass per quantity; nothing is allocated.
func clusterMoments(x []float64, R int) moments {
	N := len(x)
	R = min(R, N)
	var o moments
	for _, v := range x {
		o.mean += v
		o.abs += math.Abs(v)
		o.sq += float64(v * v)
	}
	o.mean /= float64(N)
	o.abs /= float64(N)
	o.sq /= float64(N)
	if R < 2 {
		o.meanErr, o.absErr = math.NaN(), math.NaN()
		return o
	}
	var ss, ssAbs float64
	for r := range R {
		var sum, sumAbs, count float64
		for i := r; i < N; i += R {
			sum += x[i]
			sumAbs += math.Abs(x[i])
			count++
		}
		d := sum - float64(count*o.mean)
		ss += float64(d * d)
		d = sumAbs - float64(count*o.abs)
		ssAbs += float64(d * d)
	}
	o.meanErr = math.Sqrt(ss*float64(R)/float64(R-1)) / float64(N)
	o.absErr = math.Sqrt(ssAbs*float64(R)/float64(R-1)) / float64(N)
	return o
}
