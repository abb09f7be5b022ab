package f32

import (
	"runtime"
	"sync"
)

// Workspace owns the packing buffers of the matrix products and the worker
// goroutines that split them across cores. Buffers grow to the largest
// product seen and are then reused, so steady-state calls allocate nothing.
// A Workspace is not safe for concurrent use; give each goroutine its own.
type Workspace struct {
	threads int
	opts    gemmOpts
	bufs    []*threadBuf
	pool    *pool // nil until the first parallel product
}

// threadBuf is one worker's packing space.
type threadBuf struct {
	packA []float32 // mc x kc, as mr-row micro-panels
	packB []float32 // kc x nc, as nr-column micro-panels
	tile  []float32 // one mr x nr tile
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

// NewWorkspace returns a workspace whose products use up to threads
// goroutines; threads <= 0 means runtime.GOMAXPROCS(0).
func NewWorkspace(threads int) *Workspace {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	w := &Workspace{threads: threads, opts: defaultOpts, bufs: make([]*threadBuf, threads)}
	for i := range w.bufs {
		w.bufs[i] = new(threadBuf)
	}
	return w
}

// Threads returns the number of goroutines a product may use.
func (w *Workspace) Threads() int { return w.threads }

// pool is the set of worker goroutines of a Workspace. Worker i (i >= 1)
// runs tasks[i] when signalled on start[i]; the caller runs tasks[0].
// It holds no reference to the Workspace, so a cleanup attached to the
// Workspace can stop the workers once the Workspace is unreachable.
type pool struct {
	start []chan struct{}
	tasks []gemmArgs
	bufs  []*threadBuf
	wg    sync.WaitGroup
}

func newPool(bufs []*threadBuf) *pool {
	p := &pool{start: make([]chan struct{}, len(bufs)), tasks: make([]gemmArgs, len(bufs)), bufs: bufs}
	for i := 1; i < len(bufs); i++ {
		p.start[i] = make(chan struct{})
		go p.worker(i)
	}
	return p
}

func (p *pool) worker(i int) {
	for range p.start[i] {
		gemmSerial(&p.tasks[i], p.bufs[i])
		p.wg.Done()
	}
}

func (p *pool) stop() {
	for i := 1; i < len(p.start); i++ {
		close(p.start[i])
	}
}

// run executes tasks[0:n] in parallel, tasks[0] on the calling goroutine.
func (p *pool) run(n int) {
	p.wg.Add(n - 1)
	for i := 1; i < n; i++ {
		p.start[i] <- struct{}{}
	}
	gemmSerial(&p.tasks[0], p.bufs[0])
	p.wg.Wait()
}

func (w *Workspace) getPool() *pool {
	if w.pool == nil {
		w.pool = newPool(w.bufs)
		runtime.AddCleanup(w, func(p *pool) { p.stop() }, w.pool)
	}
	return w.pool
}
