package f32

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// safetyCall is one exported method of *Workspace on valid operands.
type safetyCall struct {
	name string
	call func(w *Workspace)
}

// safetyCalls returns a call of every exported method of *Workspace that
// uses its buffers, replicas or pool, on small valid operands (the outputs
// are shared by the calls).
func safetyCalls() []safetyCall {
	rng := rand.New(rand.NewPCG(5, 6))
	m, n, k, k2 := 5, 24, 70, 9
	a, at, b, bt := safetyRand(rng, m*k), safetyRand(rng, k*m), safetyRand(rng, k*n), safetyRand(rng, n*k)
	a2, b2, bias := safetyRand(rng, k2*m), safetyRand(rng, k2*n), safetyRand(rng, n)
	var ab Bits
	ab.Pack(safetyBin(rng, m*k), m, k, k)
	c := make([]float32, m*n)
	rule := func() UpdateRule {
		return UpdateRule{W: safetyRand(rng, m*n), Vel: safetyRand(rng, m*n), LR: 0.1, Momentum: 0.5, L1: 0.01, L2: 0.01}
	}
	u1, u2 := rule(), rule()
	wt, vel, grad := safetyRand(rng, 3000), safetyRand(rng, 3000), safetyRand(rng, 3000)
	ra := make([]float32, 100)
	return []safetyCall{
		{"GemmNN", func(w *Workspace) { w.GemmNN(m, n, k, 1, a, k, b, n, 0, c, n) }},
		{"GemmNT", func(w *Workspace) { w.GemmNT(m, n, k, 1, a, k, bt, k, 0, c, n) }},
		{"GemmTN", func(w *Workspace) { w.GemmTN(m, n, k, 1, at, m, b, n, 0, c, n) }},
		{"GemmTNPair", func(w *Workspace) { w.GemmTNPair(m, n, k, 1, at, m, b, n, 0, k2, -1, a2, m, b2, n, c, n) }},
		{"GemmTNPairUpdate", func(w *Workspace) { w.GemmTNPairUpdate(m, n, k, 1, at, m, b, n, 0, k2, -1, a2, m, b2, n, nil, u1) }},
		{"SigmoidAffineNN", func(w *Workspace) { w.SigmoidAffineNN(m, n, k, a, k, b, n, bias, c, n) }},
		{"SigmoidAffineNT", func(w *Workspace) { w.SigmoidAffineNT(m, n, k, a, k, bt, k, bias, c, n) }},
		{"GemmNNBits", func(w *Workspace) { w.GemmNNBits(m, n, k, 1, &ab, b, n, 0, c, n) }},
		{"GemmNTBits", func(w *Workspace) { w.GemmNTBits(m, n, k, 1, &ab, bt, k, 0, c, n) }},
		{"SigmoidAffineNNBits", func(w *Workspace) { w.SigmoidAffineNNBits(m, n, k, &ab, b, n, bias, c, n) }},
		{"SigmoidAffineNTBits", func(w *Workspace) { w.SigmoidAffineNTBits(m, n, k, &ab, bt, k, bias, c, n) }},
		{"GemmTNPairBits", func(w *Workspace) { w.GemmTNPairBits(m, n, k, 1, &ab, b, n, 0, k2, -1, a2, m, b2, n, c, n) }},
		{"GemmTNPairUpdateBits", func(w *Workspace) {
			w.GemmTNPairUpdateBits(m, n, k, 1, &ab, b, n, 0, k2, -1, a2, m, b2, n, nil, u2)
		}},
		{"Update", func(w *Workspace) { w.Update(wt, vel, grad, 0.1, 0.5, 0, 0.01) }},
		{"UpdateProximal", func(w *Workspace) { w.UpdateProximal(wt, vel, grad, 0.1, 0.5, 0.01, 0.01) }},
		{"Replicate", func(w *Workspace) { w.Replicate(ra, func(dst []float32) { clear(dst) }) }},
		{"Unreplicate", func(w *Workspace) { w.Unreplicate() }},
	}
}

func safetyRand(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

func safetyBin(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		if rng.IntN(3) == 0 {
			s[i] = 1
		}
	}
	return s
}

// safetySeq runs on w one call of every kind (a replicated A operand and
// the products that read it, one split along k, float and Bits products,
// the pairs with and without the update, Update and UpdateProximal) on
// inputs drawn from seed, and returns all the outputs.
func safetySeq(w *Workspace, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	m, n, k, k2 := 20, 40, 700, 30
	src, b, bt, bias := safetyRand(rng, m*k), safetyRand(rng, k*n), safetyRand(rng, n*k), safetyRand(rng, n)
	at, a2, b2 := safetyRand(rng, k*m), safetyRand(rng, k2*m), safetyRand(rng, k2*n)
	var ab Bits
	ab.Pack(safetyBin(rng, m*k), m, k, k)
	var out []float32
	next := func() []float32 {
		c := safetyRand(rng, m*n)
		out = append(out, c...) // the initial C, then below the result
		return c
	}
	a := make([]float32, m*k)
	w.Replicate(a, func(dst []float32) { copy(dst, src) })
	cs := [][]float32{}
	add := func(c []float32) { cs = append(cs, c) }
	c := next()
	w.GemmNN(m, n, k, 1, a, k, b, n, 0, c, n) // m small, k > kc: split along k
	add(c)
	c = next()
	w.GemmNT(m, n, k, 0.5, a, k, bt, k, 2, c, n)
	add(c)
	c = next()
	w.SigmoidAffineNN(m, n, k, a, k, b, n, bias, c, n)
	add(c)
	w.Unreplicate()
	c = next()
	w.GemmTN(m, n, k, 1, at, m, b, n, -1, c, n)
	add(c)
	c = next()
	w.SigmoidAffineNT(m, n, k, a, k, bt, k, bias, c, n)
	add(c)
	c = next()
	w.GemmNNBits(m, n, k, 1, &ab, b, n, 0.5, c, n)
	add(c)
	c = next()
	w.GemmNTBits(m, n, k, 2, &ab, bt, k, 0, c, n)
	add(c)
	c = next()
	w.SigmoidAffineNNBits(m, n, k, &ab, b, n, bias, c, n)
	add(c)
	c = next()
	w.SigmoidAffineNTBits(m, n, k, &ab, bt, k, bias, c, n)
	add(c)
	c = next()
	w.GemmTNPair(m, n, k, 1, at, m, b, n, 0.5, k2, -1, a2, m, b2, n, c, n)
	add(c)
	c = next()
	w.GemmTNPairBits(m, n, k, 1, &ab, b, n, 0.5, k2, -1, a2, m, b2, n, c, n)
	add(c)
	for _, bits := range []bool{false, true} {
		u := UpdateRule{W: next(), Vel: next(), LR: 0.1, Momentum: 0.9, L1: 0.001, L2: 0.01, Proximal: bits}
		if bits {
			w.GemmTNPairUpdateBits(m, n, k, 1, &ab, b, n, 0, k2, -1, a2, m, b2, n, nil, u)
		} else {
			w.GemmTNPairUpdate(m, n, k, 1, at, m, b, n, 0, k2, -1, a2, m, b2, n, nil, u)
		}
		add(u.W)
		add(u.Vel)
	}
	wt, vel, grad := next(), next(), safetyRand(rng, m*n)
	w.Update(wt, vel, grad, 0.1, 0.9, 0.001, 0.01)
	w.UpdateProximal(wt, vel, grad, 0.1, 0.9, 0.001, 0.01)
	add(wt)
	add(vel)
	for _, c := range cs {
		out = append(out, c...)
	}
	return out
}

// firstDiff reports the first element where got and want differ in their
// bits, or -1.
func firstDiff(got, want []float32) int {
	if len(got) != len(want) {
		return min(len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			return i
		}
	}
	return -1
}

// checkLikeFresh fails t unless safetySeq gives the same bits on w as on a
// new workspace of the same number of threads.
func checkLikeFresh(t *testing.T, w *Workspace, what string) {
	t.Helper()
	for seed := uint64(1); seed <= 2; seed++ {
		want := safetySeq(newTestWorkspace(w.Threads()), seed)
		got := safetySeq(w, seed)
		if i := firstDiff(got, want); i >= 0 {
			t.Errorf("%s: calls on the workspace differ from a fresh workspace's at output %d of %d", what, i, len(want))
			return
		}
	}
}

// within runs f on another goroutine and fails t when it does not return
// within d (a hang) or panics.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Sprintf("%v\n%s", r, debug.Stack())
				return
			}
			done <- ""
		}()
		f()
	}()
	select {
	case msg := <-done:
		if msg != "" {
			t.Errorf("%s: unexpected panic: %s", what, msg)
		}
	case <-time.After(d):
		t.Fatalf("%s: did not return in %v (hung)", what, d)
	}
}

// isCaller reports whether dst is the caller's slice a of a Replicate.
func isCaller(dst, a []float32) bool { return unsafe.SliceData(dst) == unsafe.SliceData(a) }

var errFillWorker = errors.New("fill failed on a worker's copy")

// replicatePanicCases are the ways a Replicate fill can fail: check
// receives the value recovered on the caller.
type replicatePanicCase struct {
	name  string
	fill  func(a, src []float32, workersDone *atomic.Int32) func([]float32)
	check func(r any, threads int, workersDone int32) error
}

var replicatePanicCases = []replicatePanicCase{
	{
		name: "worker panics",
		fill: func(a, src []float32, _ *atomic.Int32) func([]float32) {
			return func(dst []float32) {
				if !isCaller(dst, a) {
					panic(errFillWorker)
				}
				copy(dst, src)
			}
		},
		check: func(r any, _ int, _ int32) error {
			err, _ := r.(error)
			if err == nil || !errors.Is(err, errFillWorker) || !strings.Contains(err.Error(), errFillWorker.Error()) {
				return fmt.Errorf("recovered %v (%T), want an error wrapping the worker's %q", r, r, errFillWorker)
			}
			return nil
		},
	},
	{
		name: "caller panics, workers slower",
		fill: func(a, src []float32, done *atomic.Int32) func([]float32) {
			return func(dst []float32) {
				if isCaller(dst, a) {
					panic("fill failed on the caller")
				}
				time.Sleep(20 * time.Millisecond)
				copy(dst, src)
				done.Add(1)
			}
		},
		check: func(r any, threads int, done int32) error {
			if r != "fill failed on the caller" {
				return fmt.Errorf("recovered %v, want the caller's panic", r)
			}
			if int(done) != threads-1 {
				return fmt.Errorf("the caller's panic went on when %d of %d workers had finished their fill", done, threads-1)
			}
			return nil
		},
	},
	{
		name: "caller and workers panic",
		fill: func(a, _ []float32, _ *atomic.Int32) func([]float32) {
			return func(dst []float32) {
				if isCaller(dst, a) {
					panic("fill failed on the caller")
				}
				panic(errFillWorker)
			}
		},
		check: func(r any, _ int, _ int32) error {
			if r != "fill failed on the caller" {
				return fmt.Errorf("recovered %v, want the caller's panic", r)
			}
			return nil
		},
	},
	{
		name: "worker Goexit",
		fill: func(a, src []float32, _ *atomic.Int32) func([]float32) {
			return func(dst []float32) {
				if !isCaller(dst, a) {
					runtime.Goexit()
				}
				copy(dst, src)
			}
		},
		check: func(r any, _ int, _ int32) error {
			if !strings.Contains(fmt.Sprint(r), "Goexit") {
				return fmt.Errorf("recovered %v, want a panic naming the worker's runtime.Goexit", r)
			}
			return nil
		},
	},
}

// safetyChildEnv marks the test binary run by TestReplicatePanic to run the
// cases that crash a process whose workers do not recover.
const safetyChildEnv = "F32_SAFETY_TEST_CHILD"

// TestReplicatePanic: a panic (or runtime.Goexit) of a Replicate fill, on
// the caller or on a worker, reaches the caller (the caller's own panic,
// or a worker's, recognisable, when the caller's fill returned) only once
// every worker's fill has ended; it leaves no fill in the pool and no
// replica of the operand, and the workspace then gives the bits of a
// fresh one, for every kind of call. A worker's panic that is not
// recovered kills the process: the cases run in a child process when one
// can be started (not under qemu-user), where such a crash is a failure
// of this test rather than of the whole binary.
func TestReplicatePanic(t *testing.T) {
	if os.Getenv(safetyChildEnv) == "" {
		args := []string{"-test.run=^TestReplicatePanic$", "-test.v", "-test.timeout=5m"}
		if testing.Short() {
			args = append(args, "-test.short")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], args...)
		cmd.Env = append(os.Environ(), safetyChildEnv+"=1")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil:
			if !strings.Contains(string(out), "--- PASS: TestReplicatePanic") {
				t.Fatalf("the child process did not run the test:\n%s", out)
			}
			t.Logf("passed in a child process")
			return
		case errors.As(err, &exit):
			t.Fatalf("the child process failed (%v):\n%s", err, out)
		default:
			t.Logf("no child process (%v): running the cases here", err)
		}
	}
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		for _, th := range []int{2, 3} {
			for _, pc := range replicatePanicCases {
				w := newTestWorkspace(th)
				what := fmt.Sprintf("threads=%d %s", th, pc.name)
				rng := rand.New(rand.NewPCG(uint64(th), 9))
				m, n, k := 20, 40, 700
				src, b := safetyRand(rng, m*k), safetyRand(rng, k*n)
				a := make([]float32, m*k)
				for round := range 2 { // a second time on the recovered workspace
					var done atomic.Int32
					var r any
					within(t, time.Minute, what, func() {
						defer func() { r = recover() }()
						w.Replicate(a, pc.fill(a, src, &done))
					})
					if err := pc.check(r, th, done.Load()); err != nil {
						t.Errorf("%s round %d: %v", what, round, err)
					}
					if w.pool.fill != nil || w.pool.rep != nil {
						t.Errorf("%s: the pool still holds the failed fill", what)
					}
					if w.nrep != 0 {
						t.Errorf("%s: the failed Replicate left %d operands replicated", what, w.nrep)
					}
				}
				// a is read as it is, not from copies the failed fill left.
				copy(a, src)
				within(t, time.Minute, what, func() {
					got, want := make([]float32, m*n), make([]float32, m*n)
					w.GemmNN(m, n, k, 1, a, k, b, n, 0, got, n)
					newTestWorkspace(th).GemmNN(m, n, k, 1, a, k, b, n, 0, want, n)
					if i := firstDiff(got, want); i >= 0 {
						t.Errorf("%s: a product of the operand after the failed Replicate differs at %d", what, i)
					}
					checkLikeFresh(t, w, what)
				})
			}
		}
	})
}

// TestWorkspaceBusy: while a method is under way on a Workspace (here
// inside the caller's Replicate fill), every method called on it from
// another goroutine panics with a clear message and leaves the workspace
// to its user, which then finishes normally; the workspace then works.
func TestWorkspaceBusy(t *testing.T) {
	calls := safetyCalls()
	for _, th := range []int{1, 2} {
		w := newTestWorkspace(th)
		a := make([]float32, 64)
		for _, c := range calls {
			what := fmt.Sprintf("threads=%d %s", th, c.name)
			var msgs []string
			within(t, time.Minute, what, func() {
				w.Replicate(a, func(dst []float32) {
					if !isCaller(dst, a) {
						return
					}
					for range 2 { // the refused call must not free the workspace
						ch := make(chan any, 1)
						go func() {
							defer func() { ch <- recover() }()
							c.call(w)
						}()
						msgs = append(msgs, fmt.Sprint(<-ch))
					}
				})
				w.Unreplicate()
			})
			for _, msg := range msgs {
				if !strings.Contains(msg, "two goroutines at once") {
					t.Errorf("%s from another goroutine during a Replicate: recovered %q, want a panic about concurrent use", what, msg)
				}
			}
			within(t, time.Minute, what+" afterwards", func() { c.call(w) })
		}
		within(t, time.Minute, "afterwards", func() { checkLikeFresh(t, w, fmt.Sprintf("threads=%d after the refused calls", th)) })
	}
}

// TestWorkspaceGuardCoversMethods: safetyCalls names every exported method
// of *Workspace but Threads, so that the tests of concurrent use and of
// the zero Workspace cover each.
func TestWorkspaceGuardCoversMethods(t *testing.T) {
	var names []string
	for _, c := range safetyCalls() {
		names = append(names, c.name)
	}
	typ := reflect.TypeFor[*Workspace]()
	for i := range typ.NumMethod() {
		if name := typ.Method(i).Name; name != "Threads" && !slices.Contains(names, name) {
			t.Errorf("Workspace.%s is not among safetyCalls: add it (and its guard)", name)
		}
	}
}

// TestWorkspaceConcurrentUse: two goroutines calling one Workspace at once
// get, call by call, either the right bits or the panic about concurrent
// use; never a hang or a silently wrong result (the shared packing buffers,
// the pool's counter).
func TestWorkspaceConcurrentUse(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		m, n, k := 64, 256, 300
		var ab Bits
		ab.Pack(safetyBin(rng, m*k), m, k, k)
		b := safetyRand(rng, k*n)
		wt0, vel0, grad := safetyRand(rng, 1<<14), safetyRand(rng, 1<<14), safetyRand(rng, 1<<14)
		wantW, wantV := slices.Clone(wt0), slices.Clone(vel0)
		Update(wantW, wantV, grad, 0.1, 0.9, 0, 0.01)
		iters := 300
		if testing.Short() || raceEnabled {
			iters = 60
		}
		for _, th := range []int{1, 2} {
			w := newTestWorkspace(th)
			want := make([]float32, m*n)
			newTestWorkspace(th).GemmNNBits(m, n, k, 1, &ab, b, n, 0, want, n)
			wantF := make([]float32, m*n)
			a := safetyBin(rand.New(rand.NewPCG(21, 23)), m*k)
			newTestWorkspace(th).GemmNN(m, n, k, 1, a, k, b, n, 0, wantF, n)
			var wrong, refused, ok, other atomic.Int32
			var wg sync.WaitGroup
			for g := range 2 {
				wg.Go(func() {
					c := make([]float32, m*n)
					wt, vel := make([]float32, len(wt0)), make([]float32, len(vel0))
					for it := range iters {
						func() {
							defer func() {
								if r := recover(); r != nil {
									if strings.Contains(fmt.Sprint(r), "two goroutines at once") {
										refused.Add(1)
									} else {
										other.Add(1)
										t.Errorf("goroutine %d: unexpected panic %v", g, r)
									}
								}
							}()
							switch it % 3 {
							case 0:
								clear(c)
								w.GemmNNBits(m, n, k, 1, &ab, b, n, 0, c, n)
								if firstDiff(c, want) >= 0 {
									wrong.Add(1)
								} else {
									ok.Add(1)
								}
							case 1:
								copy(wt, wt0)
								copy(vel, vel0)
								w.Update(wt, vel, grad, 0.1, 0.9, 0, 0.01)
								if firstDiff(wt, wantW) >= 0 || firstDiff(vel, wantV) >= 0 {
									wrong.Add(1)
								} else {
									ok.Add(1)
								}
							case 2:
								clear(c)
								w.GemmNN(m, n, k, 1, a, k, b, n, 0, c, n)
								if firstDiff(c, wantF) >= 0 {
									wrong.Add(1)
								} else {
									ok.Add(1)
								}
							}
						}()
					}
				})
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(2 * time.Minute):
				t.Fatalf("threads=%d: two goroutines on one Workspace hung", th)
			}
			t.Logf("threads=%d: %d right, %d refused, %d wrong", th, ok.Load(), refused.Load(), wrong.Load())
			if wrong.Load() > 0 {
				t.Errorf("threads=%d: concurrent use gave %d silently wrong results", th, wrong.Load())
			}
			within(t, time.Minute, "afterwards", func() { checkLikeFresh(t, w, fmt.Sprintf("threads=%d after concurrent use", th)) })
		}
	})
}

// TestZeroWorkspace: the methods of a Workspace not made by NewWorkspace
// panic with a message that says so, and leave no pool behind.
func TestZeroWorkspace(t *testing.T) {
	for _, c := range safetyCalls() {
		var w Workspace
		var r any
		within(t, time.Minute, c.name, func() {
			defer func() { r = recover() }()
			c.call(&w)
		})
		if msg := fmt.Sprint(r); !strings.Contains(msg, "NewWorkspace") {
			t.Errorf("zero Workspace.%s: recovered %q, want a panic that names NewWorkspace", c.name, msg)
		}
		if w.pool != nil {
			t.Errorf("zero Workspace.%s left a pool", c.name)
		}
	}
	var w Workspace
	if got := w.Threads(); got != 0 {
		t.Errorf("zero Workspace.Threads() = %d, want 0", got)
	}
}

// TestNewWorkspaceThreads: NewWorkspace takes up to 4096 threads (<= 0:
// GOMAXPROCS, capped there) and refuses more with a clear panic.
func TestNewWorkspaceThreads(t *testing.T) {
	for _, th := range []int{0, -5, math.MinInt} {
		if got, want := NewWorkspace(th).Threads(), min(runtime.GOMAXPROCS(0), 4096); got != want {
			t.Errorf("NewWorkspace(%d).Threads() = %d, want %d", th, got, want)
		}
	}
	if got := NewWorkspace(4096).Threads(); got != 4096 {
		t.Errorf("NewWorkspace(4096).Threads() = %d", got)
	}
	for _, th := range []int{4097, math.MaxInt} {
		var r any
		func() {
			defer func() { r = recover() }()
			NewWorkspace(th)
		}()
		if msg := fmt.Sprint(r); !strings.Contains(msg, "f32: NewWorkspace") {
			t.Errorf("NewWorkspace(%d): recovered %q, want a panic from NewWorkspace", th, msg)
		}
	}
}
