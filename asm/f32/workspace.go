package f32

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// Workspace owns the packing buffers of the matrix products and the worker
// goroutines that split them across cores. Buffers grow to the largest
// product seen and are then reused, so steady-state calls allocate nothing.
// A Workspace is not safe for concurrent use; give each goroutine its own:
// a method called while another is under way on the same Workspace (from
// another goroutine, or from a Replicate fill) panics instead of mixing
// the two calls' buffers. The zero Workspace is not usable (its methods
// panic); make one with NewWorkspace.
type Workspace struct {
	// busy is set while an exported method uses the buffers or the pool
	// (enter, exit).
	busy    atomic.Bool
	threads int
	opts    gemmOpts
	bufs    []*threadBuf
	pool    *pool // nil until the first parallel product
	// reps are the replicated A operands (see Replicate), the first
	// nrep of them in use: reps[r][0] is the caller's slice, reps[r][i]
	// thread i's copy. Slots keep their copies for reuse.
	reps [maxReplicas][][]float32
	nrep int
	rule UpdateRule // the rule of the GemmTNPairUpdate under way
	// kshares are the shares of a product split along k (gemmK) while
	// its blocks are added up.
	kshares []gemmArgs
}

// maxReplicas is the number of operands that can be replicated at once.
const maxReplicas = 4

// threadBuf is one worker's packing space.
type threadBuf struct {
	packA []float32 // mc x kc, as mr-row micro-panels
	packB []float32 // kc x nc, as nr-column micro-panels
	tile  []float32 // one mr x nr tile
	bsum  []float32 // running sums of the Bits products, bitsMC x bitsNR
	grad  []float32 // a row block of a gradient that is not kept (GemmTNPairUpdate with c nil)
	kpart []float32 // the k-blocks of a product split along k (gemmK)
	// The last decisions of crowded (training repeats a few shapes).
	crowdKeys [4]crowdKey
	crowdVals [4]bool
	crowdN    int
}

// gradBlock returns the first n floats of the thread's gradient block,
// grown to n.
func (t *threadBuf) gradBlock(n int) []float32 {
	if len(t.grad) < n {
		t.grad = make([]float32, n)
	}
	return t.grad[:n]
}

// kpartBlock returns the first n floats of the thread's k-split blocks,
// grown to n.
func (t *threadBuf) kpartBlock(n int) []float32 {
	if len(t.kpart) < n {
		t.kpart = make([]float32, n)
	}
	return t.kpart[:n]
}

// crowdKey names one decision of crowded.
type crowdKey struct {
	l1             bool
	ld, rows, cols int
}

// crowded returns rowsAliased(ld, rows, cols) (l1: the Bits products' L1
// rule) or tileRowsAliased(ld, rows, cols) (the float products' L2 rule),
// remembering the last few answers: each counts the lines of up to 256
// rows (0.5-0.8 us on the Zen 5), which the float products would
// otherwise pay at every block of depth.
func (t *threadBuf) crowded(l1 bool, ld, rows, cols int) bool {
	k := crowdKey{l1, ld, rows, cols}
	for i := 0; i < min(t.crowdN, len(t.crowdKeys)); i++ {
		if t.crowdKeys[i] == k {
			return t.crowdVals[i]
		}
	}
	v := tileRowsAliased(ld, rows, cols)
	if l1 {
		v = rowsAliased(ld, rows, cols)
	}
	i := t.crowdN % len(t.crowdKeys)
	t.crowdKeys[i], t.crowdVals[i] = k, v
	t.crowdN++
	return v
}

func (t *threadBuf) grow(na, nb, nt int) {
	if len(t.tile) < nt {
		t.tile = make([]float32, nt)
	}
	if len(t.packA) < na {
		t.packA = make([]float32, na)
	}
	if len(t.packB) < nb {
		t.packB = make([]float32, nb)
	}
}

// maxThreads is the most goroutines a Workspace may use (NewWorkspace).
const maxThreads = 4096

// NewWorkspace returns a workspace whose products use up to threads
// goroutines; threads <= 0 means runtime.GOMAXPROCS(0) (at most 4096).
// It panics if threads is more than 4096.
func NewWorkspace(threads int) *Workspace {
	if threads <= 0 {
		threads = min(runtime.GOMAXPROCS(0), maxThreads)
	}
	if threads > maxThreads {
		panic(fmt.Sprintf("f32: NewWorkspace(%d): more than %d threads", threads, maxThreads))
	}
	w := &Workspace{threads: threads, opts: defaultOpts, bufs: make([]*threadBuf, threads)}
	for i := range w.bufs {
		w.bufs[i] = new(threadBuf)
	}
	return w
}

// Threads returns the number of goroutines a product may use.
func (w *Workspace) Threads() int { return w.threads }

// enter marks w in use by its method fn until exit; every exported method
// that uses the buffers, the replicas or the pool calls it first (and
// defers exit). It panics, leaving w as it was, when w was not made by
// NewWorkspace or is already in use: by another goroutine (a Workspace is
// not safe for concurrent use) or by the method whose Replicate fill
// calls fn.
func (w *Workspace) enter(fn string) {
	if w.bufs == nil {
		panic("f32: Workspace." + fn + ": zero Workspace: use NewWorkspace")
	}
	if !w.busy.CompareAndSwap(false, true) {
		panic("f32: Workspace." + fn + ": Workspace used by two goroutines at once (or from a Replicate fill); a Workspace is not safe for concurrent use, give each goroutine its own")
	}
}

// exit ends the use of w that enter began.
func (w *Workspace) exit() { w.busy.Store(false) }

// pool is the set of worker goroutines of a Workspace. Worker i (i >= 1)
// runs tasks[i] of each run that has more than i tasks; the caller runs
// tasks[0]. The products of a training step come back to back, so a worker
// that has finished spins for a while (spinFor) on the run counter before
// it parks, and the caller spins on the tasks left before it parks: a
// futex wake-up costs tens of microseconds, as much as a whole product at
// batch 10. It holds no reference to the Workspace, so a cleanup attached
// to the Workspace can stop the workers once the Workspace is unreachable.
type pool struct {
	tasks []gemmArgs
	pair  []gemmArgs   // with the pairBit, tasks[i] then pair[i] by blocks
	upd   []updateTask // the tasks of a run with the updBit
	// fill and rep are the task of a run with the repBit: goroutine i
	// runs fill(rep[i]).
	fill func([]float32)
	rep  [][]float32
	bufs []*threadBuf
	// state is run<<32 | updBit (an Update run), repBit (a Replicate
	// run) or pairBit (a GemmTNPair run) | tasks of that run, one
	// word so that a worker never pairs one run's number with another's
	// task count or kind.
	state   atomic.Uint64
	left    atomic.Int32 // workers' tasks of the current run not yet done
	closed  atomic.Bool
	parked  []atomic.Bool   // worker i waits on wake[i]
	wake    []chan struct{} // capacity 1
	waiting atomic.Bool     // the caller waits on idle
	idle    chan struct{}   // capacity 1
	// spin is false when the pool has more goroutines than GOMAXPROCS:
	// a spinning worker would then hold the processor the others need.
	spin bool
	// failed is the first panic of a worker's task in the current run,
	// raised again on the caller once every task has ended (run).
	failed atomic.Pointer[workerPanic]
}

// spinFor is how long a worker or the caller polls before it parks. The
// serial work between two products of a CD step (packing the bits of a
// batch or of a sample, column sums, drawing the samples) can take longer
// than 50 us, and a parked worker costs a futex wake-up per product: on the
// Zen 5 ("Oxide Virtual Turin-like", family 26 model 2), with 200 us a
// batch-100 epoch of core/rbm's trainer took 0.403-0.445 s against
// 0.464-0.517 s with 50 us (BenchmarkEpoch, 3 alternated runs of 10
// epochs each).
const spinFor = 200 * time.Microsecond

// The kinds of a pool run, in pool.state: products (tasks) or updates
// (upd).
const (
	gemmRun = 0
	updBit  = 1 << 31
	repBit  = 1 << 30
	pairBit = 1 << 29
	// countMask leaves the number of tasks of a run.
	countMask = pairBit - 1
)

// updateTask is one goroutine's share of a Workspace.Update.
type updateTask struct {
	w, vel, grad    []float32
	lr, mom, l1, l2 float32
	prox            bool
}

func (t *updateTask) do() {
	if len(t.w) > 0 {
		updateArch(t.w, t.vel, t.grad, t.lr, t.mom, t.l1, t.l2, t.prox)
	}
}

func newPool(bufs []*threadBuf, spin bool) *pool {
	n := len(bufs)
	p := &pool{tasks: make([]gemmArgs, n), pair: make([]gemmArgs, n), upd: make([]updateTask, n), bufs: bufs, parked: make([]atomic.Bool, n),
		wake: make([]chan struct{}, n), idle: make(chan struct{}, 1), spin: spin}
	for i := 1; i < n; i++ {
		p.wake[i] = make(chan struct{}, 1)
		go p.worker(i, 0) // run 0 is none: newPool returns before any run
	}
	return p
}

// poll polls done for up to spinFor (not at all without p.spin), yielding
// now and then so that other goroutines keep their turn; it reports
// whether done became true.
func (p *pool) poll(done func() bool) bool {
	if !p.spin {
		return done()
	}
	var t0 time.Time
	for i := 0; ; i++ {
		if done() {
			return true
		}
		if i&63 == 63 {
			if t0.IsZero() {
				t0 = time.Now()
			} else if time.Since(t0) > spinFor {
				return false
			}
			runtime.Gosched()
		}
	}
}

// worker is the loop of worker goroutine i, which has seen the runs up
// to seen.
func (p *pool) worker(i int, seen uint64) {
	for {
		var st uint64
		next := func() bool { st = p.state.Load(); return st>>32 != seen || p.closed.Load() }
		for !p.poll(next) {
			// Park: announce it, then look again, so that either run
			// sees parked[i] or this worker sees the new run. (Swap, not
			// Store: see run.)
			p.parked[i].Swap(true)
			if next() {
				p.parked[i].Store(false)
				break
			}
			<-p.wake[i]
			p.parked[i].Store(false)
		}
		if p.closed.Load() {
			return
		}
		seen = st >> 32
		if i < int(st&countMask) {
			p.work(i, st)
		}
	}
}

// exec runs task i of a run of the given kind (the bits of pool.state).
func (p *pool) exec(i int, kind uint64) {
	switch {
	case kind&updBit != 0:
		p.upd[i].do()
	case kind&repBit != 0:
		p.fill(p.rep[i])
	case kind&pairBit != 0:
		pairSerial(&p.tasks[i], &p.pair[i], p.bufs[i])
	default:
		gemmSerial(&p.tasks[i], p.bufs[i])
	}
}

// work runs worker i's task of the run st and counts it done however it
// ends: a panic is recovered and kept in failed (the first one of the
// run) for run to raise on the caller, and a runtime.Goexit, which ends
// this goroutine, is kept likewise and leaves a new worker i in its
// place. Either way the workspace stays usable.
func (p *pool) work(i int, st uint64) {
	ok := false
	defer func() {
		if !ok {
			r := recover()
			if r == nil { // runtime.Goexit, not a panic (panic(nil) recovers a *runtime.PanicNilError)
				r = errWorkerGoexit
				go p.worker(i, st>>32)
			}
			p.failed.CompareAndSwap(nil, &workerPanic{worker: i, value: r, stack: debug.Stack()})
		}
		if p.left.Add(-1) == 0 && p.waiting.Load() {
			select {
			case p.idle <- struct{}{}:
			default:
			}
		}
	}()
	p.exec(i, st)
	ok = true
}

// errWorkerGoexit stands for a runtime.Goexit in a worker's task.
var errWorkerGoexit = errors.New("runtime.Goexit called")

// workerPanic is the panic of a task on a worker goroutine, raised again
// on the goroutine that called the run. Its message names the worker's
// panic value and holds the worker's stack; Unwrap gives the value when it
// is an error.
type workerPanic struct {
	worker int
	value  any
	stack  []byte
}

func (e *workerPanic) Error() string {
	return fmt.Sprintf("f32: panic on Workspace worker goroutine %d: %v\n\n[the worker's panic, recovered there and raised again on the caller; the worker's stack:]\n%s",
		e.worker, e.value, e.stack)
}

func (e *workerPanic) Unwrap() error {
	err, _ := e.value.(error)
	return err
}

func (p *pool) stop() {
	p.closed.Store(true)
	for i := 1; i < len(p.wake); i++ {
		select {
		case p.wake[i] <- struct{}{}:
		default:
		}
	}
}

// run executes tasks[0:n] (with kind updBit, upd[0:n]; with repBit,
// fill(rep[0:n]); with pairBit, the pairs tasks[i], pair[i]) in parallel,
// the first on the calling goroutine. It returns, or lets a panic of the
// caller's task go on, only once every worker's task has ended, so that no
// worker of this run is left to count down the next one; a worker's panic
// (the first, when the caller's task did not panic) is then raised on the
// caller as a *workerPanic.
func (p *pool) run(n int, kind uint64) {
	p.left.Store(int32(n - 1))
	// The new run and the parked flags, like waiting and left below, are
	// a store then a load on each side; Go's atomics order them on real
	// hardware, but qemu-user on x86 runs arm64's STLR then LDAR without a
	// fence between them, and a worker then parked for good ("all
	// goroutines are asleep", in about one of three 60 s stress runs of
	// small products at 3 threads). A Swap is a read-modify-write, which
	// every translation orders.
	p.state.Swap((p.state.Load()>>32+1)<<32 | kind | uint64(n))
	for i := 1; i < n; i++ {
		if p.parked[i].Load() {
			select {
			case p.wake[i] <- struct{}{}:
			default:
			}
		}
	}
	ok := false
	defer func() {
		p.wait()
		if f := p.failed.Swap(nil); f != nil && ok {
			panic(f)
		}
	}()
	p.exec(0, kind)
	ok = true
}

// wait returns once the workers' tasks of the current run have ended.
func (p *pool) wait() {
	done := func() bool { return p.left.Load() == 0 }
	if p.poll(done) {
		return
	}
	for {
		p.waiting.Swap(true)
		if done() {
			break
		}
		<-p.idle
	}
	p.waiting.Store(false)
}

// Replicate has each of the workspace's goroutines fill a copy of a with
// fill (fill(a) on the caller, fill(copy i) on goroutine i; every call must
// write the same values), and makes the products that follow, whose A
// operand starts at a[0], read on each goroutine the copy that goroutine
// wrote, until Unreplicate. Up to maxReplicas operands can be replicated at
// once; replicating a again refills its copies. Data that one core has
// just written and another reads whole crosses between their caches line
// by line: on a 2-core Zen 5, a 100 x 1600 mini-batch written by one
// thread cost the other 120-150 us in the next product (a third of it).
// Writing it on both costs the caller nothing but the copy's memory. The
// copies are the workspace's, reused; a is only written by fill(a).
//
// A panic of fill, on the caller or on a goroutine (raised on the caller
// once every goroutine's fill has ended), ends the replication of a.
func (w *Workspace) Replicate(a []float32, fill func(dst []float32)) {
	w.enter("Replicate")
	defer w.exit()
	if w.threads == 1 || len(a) == 0 {
		fill(a)
		return
	}
	r := 0
	for r < w.nrep && &w.reps[r][0][0] != &a[0] {
		r++
	}
	if r == maxReplicas {
		panic("f32: Replicate: more than maxReplicas operands replicated at once")
	}
	if r == w.nrep {
		w.nrep++
	}
	rep := w.reps[r]
	if len(rep) != w.threads {
		rep = make([][]float32, w.threads)
		w.reps[r] = rep
	}
	rep[0] = a
	for i := 1; i < w.threads; i++ {
		if cap(rep[i]) < len(a) {
			rep[i] = make([]float32, len(a))
		}
		rep[i] = rep[i][:len(a)]
	}
	p := w.getPool()
	p.fill, p.rep = fill, rep
	ok := false
	defer func() {
		p.fill, p.rep = nil, nil
		if !ok { // the copies are not all filled: a must not be read from them
			w.dropReplica(r)
		}
	}()
	p.run(w.threads, repBit)
	ok = true
}

// dropReplica ends the replication of operand r (its copies kept for
// reuse).
func (w *Workspace) dropReplica(r int) {
	last := w.nrep - 1
	w.reps[r], w.reps[last] = w.reps[last], w.reps[r]
	w.reps[last][0] = nil
	w.nrep = last
}

// Unreplicate ends the effect of Replicate on every operand (the copies
// are kept for reuse).
func (w *Workspace) Unreplicate() {
	w.enter("Unreplicate")
	defer w.exit()
	for r := range w.nrep {
		w.reps[r][0] = nil
	}
	w.nrep = 0
}

// replicaOf returns thread i's copy of a when a starts at a replicated
// operand (and is no longer), else a.
func (w *Workspace) replicaOf(a []float32, i int) []float32 {
	if len(a) == 0 {
		return a
	}
	for r := range w.nrep {
		if rep := w.reps[r]; &rep[0][0] == &a[0] && len(a) <= len(rep[0]) {
			if raceEnabled && i > 0 {
				checkReplica(a, rep[i][:len(a)])
			}
			return rep[i][:len(a)]
		}
	}
	return a
}

// checkReplica panics when a thread's copy differs from the caller's
// operand: the operand was written after Replicate, or fill wrote
// different values on different threads. Race builds (the tests) check
// every product; other builds trust the caller.
func checkReplica(a, cp []float32) {
	for j, v := range a {
		if math.Float32bits(v) != math.Float32bits(cp[j]) {
			panic(fmt.Sprintf("f32: replicated operand differs from a thread's copy at element %d (%v, copy %v): written after Replicate, or fill is not deterministic", j, v, cp[j]))
		}
	}
}

func (w *Workspace) getPool() *pool {
	if w.pool == nil {
		w.pool = newPool(w.bufs, len(w.bufs) <= runtime.GOMAXPROCS(0))
		runtime.AddCleanup(w, func(p *pool) { p.stop() }, w.pool)
	}
	return w.pool
}

// Update is f32.Update split across the workspace's threads in contiguous
// chunks (each element's operations are the same, so the bits are too).
func (w *Workspace) Update(wt, vel, grad []float32, lr, momentum, l1, l2 float32) {
	w.enter("Update")
	defer w.exit()
	update(w, "Update", wt, vel, grad, lr, momentum, l1, l2, false)
}

// UpdateProximal is f32.UpdateProximal split like Update.
func (w *Workspace) UpdateProximal(wt, vel, grad []float32, lr, momentum, l1, l2 float32) {
	w.enter("UpdateProximal")
	defer w.exit()
	update(w, "UpdateProximal", wt, vel, grad, lr, momentum, l1, l2, true)
}

// update checks the lengths and runs Update or UpdateProximal (prox) on
// the threads of ws (nil: on the calling goroutine).
func update(ws *Workspace, name string, wt, vel, grad []float32, lr, momentum, l1, l2 float32, prox bool) {
	checkLen(name, "vel", len(vel), len(wt))
	checkLen(name, "grad", len(grad), len(wt))
	n0 := len(wt)
	checkApart(name, "w", wt, "vel", vel[:n0])
	checkApart(name, "w", wt, "grad", grad[:n0])
	checkApart(name, "vel", vel[:n0], "grad", grad[:n0])
	n, t := len(wt), 1
	if ws != nil && n >= ws.opts.minParUpdate {
		t = min(ws.threads, max(1, n/16))
	}
	if t == 1 {
		if n > 0 {
			updateArch(wt, vel[:n], grad[:n], lr, momentum, l1, l2, prox)
		}
		return
	}
	p := ws.getPool()
	for i := range t {
		// Chunks start on whole 64-byte lines (16 floats).
		lo, hi := n*i/t/16*16, n*(i+1)/t/16*16
		if i == t-1 {
			hi = n
		}
		p.upd[i] = updateTask{w: wt[lo:hi], vel: vel[lo:hi], grad: grad[lo:hi], lr: lr, mom: momentum, l1: l1, l2: l2, prox: prox}
	}
	p.run(t, updBit)
	clear(p.upd[:t]) // drop references to the caller's slices
}
