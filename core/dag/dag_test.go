package dag

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a RunFunc that checks, at each start, that the stage's
// inputs ended without error, and tracks the threads and memory in use.
type recorder struct {
	t      *testing.T
	stages []Stage
	sleep  time.Duration
	fail   map[int]bool

	mu       sync.Mutex
	ended    map[int]error
	starts   []int
	threads  int // in use
	mem      int // in use
	running  int
	peakTh   int
	peakRun  int
	overMem  []string // memory over the limit beside another stage
	given    map[int]int
	beside   map[int][]int // the stages running when each started
	limitMiB int
}

func newRecorder(t *testing.T, stages []Stage, limitMiB int) *recorder {
	return &recorder{t: t, stages: stages, fail: map[int]bool{}, ended: map[int]error{}, given: map[int]int{}, beside: map[int][]int{}, limitMiB: limitMiB}
}

func (r *recorder) run(ctx context.Context, i, threads int) error {
	r.mu.Lock()
	for _, j := range r.stages[i].Inputs {
		if err, ok := r.ended[j]; !r.stages[j].Done && (!ok || err != nil) {
			r.t.Errorf("stage %d started before its input %d succeeded", i, j)
		}
	}
	if _, ok := r.ended[i]; ok || r.stages[i].Done {
		r.t.Errorf("stage %d run twice (or done before)", i)
	}
	for _, j := range r.starts {
		if _, ok := r.ended[j]; !ok {
			r.beside[i] = append(r.beside[i], j)
		}
	}
	r.starts = append(r.starts, i)
	r.given[i] = threads
	r.threads += threads
	r.mem += r.stages[i].MemMiB
	r.running++
	r.peakTh = max(r.peakTh, r.threads)
	r.peakRun = max(r.peakRun, r.running)
	if r.limitMiB > 0 && r.running > 1 && r.mem > r.limitMiB {
		r.overMem = append(r.overMem, fmt.Sprintf("%d MiB in %d stages", r.mem, r.running))
	}
	r.mu.Unlock()
	var err error
	select {
	case <-time.After(r.sleep):
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil && r.fail[i] {
		err = fmt.Errorf("stage %d fails on purpose", i)
	}
	r.mu.Lock()
	r.threads -= threads
	r.mem -= r.stages[i].MemMiB
	r.running--
	r.ended[i] = err
	r.mu.Unlock()
	return err
}

// randomGraph returns n stages, each reading up to three earlier ones.
func randomGraph(rng *rand.Rand, n int) []Stage {
	st := make([]Stage, n)
	for i := range st {
		for k := rng.IntN(4); k > 0 && i > 0; k-- {
			if j := rng.IntN(i); !slices.Contains(st[i].Inputs, j) {
				st[i].Inputs = append(st[i].Inputs, j)
			}
		}
		st[i].MaxThreads = rng.IntN(4) // 0: no cap
		st[i].MemMiB = 1 + rng.IntN(100)
	}
	return st
}

// TestRunCores: on random graphs every stage runs once, after its inputs,
// with never more threads in use than the cores given, and at least two
// stages side by side when there are cores for them.
func TestRunCores(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 12 {
		cores := 1 + trial%4
		st := randomGraph(rng, 20)
		if trial%3 == 0 {
			st[rng.IntN(len(st))].Done = true
		}
		t.Run(fmt.Sprintf("%d-cores%d", trial, cores), func(t *testing.T) {
			r := newRecorder(t, st, 0)
			r.sleep = 2 * time.Millisecond
			var ends []int
			res, err := Run(context.Background(), st, Options{Cores: cores, OnEnd: func(i, threads int, err error) {
				ends = append(ends, i)
				r.mu.Lock()
				given := r.given[i]
				r.mu.Unlock()
				if err != nil || threads != given {
					t.Errorf("OnEnd(%d, %d, %v), want %d threads and no error", i, threads, err, given)
				}
			}}, r.run)
			if err != nil {
				t.Fatal(err)
			}
			if r.peakTh > cores || cores == 1 && r.peakRun != 1 || cores > 1 && r.peakRun < 2 {
				t.Errorf("%d threads and %d stages at once on %d cores", r.peakTh, r.peakRun, cores)
			}
			ran := 0
			for i, x := range res {
				if x.State != Succeeded {
					t.Errorf("stage %d: %+v", i, x)
				}
				if st[i].Done {
					if x.Threads != 0 {
						t.Errorf("done stage %d was run", i)
					}
					continue
				}
				ran++
				if x.Threads < 1 || x.Threads > cores || st[i].MaxThreads > 0 && x.Threads > st[i].MaxThreads || x.Threads != r.given[i] {
					t.Errorf("stage %d: %d threads (given %d), cores %d, max %d", i, x.Threads, r.given[i], cores, st[i].MaxThreads)
				}
			}
			if len(r.starts) != ran || len(ends) != ran {
				t.Errorf("%d starts and %d ends for %d stages to run", len(r.starts), len(ends), ran)
			}
		})
	}
}

// TestRunShares: the free cores are spread over the ready stages, capped
// by MaxThreads; a lone stage gets them all.
func TestRunShares(t *testing.T) {
	st := []Stage{{}, {}, {MaxThreads: 1}, {Inputs: []int{0, 1, 2}}}
	r := newRecorder(t, st, 0)
	r.sleep = time.Millisecond
	if _, err := Run(context.Background(), st, Options{Cores: 7}, r.run); err != nil {
		t.Fatal(err)
	}
	// 7 cores over 3 ready stages: 7/3 = 2, then 5/2 = 2, then min(3/1, 1).
	if want := map[int]int{0: 2, 1: 2, 2: 1, 3: 7}; fmt.Sprint(r.given) != fmt.Sprint(want) {
		t.Errorf("threads %v, want %v", r.given, want)
	}
}

// TestRunMemory: the running stages' estimates stay under the limit, except
// for a stage that is alone; a stage that does not fit holds back the ready
// stages after it.
func TestRunMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 6 {
		st := randomGraph(rng, 24)
		st[5].MemMiB = 500 // more than the limit: runs alone
		r := newRecorder(t, st, 120)
		r.sleep = 2 * time.Millisecond
		res, err := Run(context.Background(), st, Options{Cores: 4, MemLimitMiB: 120}, r.run)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.overMem) > 0 || r.peakRun < 2 {
			t.Errorf("trial %d: over the limit: %v; most stages at once %d", trial, r.overMem, r.peakRun)
		}
		for i, x := range res {
			if x.State != Succeeded {
				t.Errorf("trial %d: stage %d %+v", trial, i, x)
			}
		}
	}
	// Head of the line: 0 fits, 1 does not fit beside it, 2 would but waits.
	st := []Stage{{MemMiB: 60}, {MemMiB: 60}, {MemMiB: 10}}
	r := newRecorder(t, st, 0)
	r.sleep = 5 * time.Millisecond
	if _, err := Run(context.Background(), st, Options{Cores: 3, MemLimitMiB: 100}, r.run); err != nil {
		t.Fatal(err)
	}
	if b := r.beside; r.starts[0] != 0 || slices.Contains(b[1], 0) || slices.Contains(b[2], 0) || len(b[1])+len(b[2]) != 1 {
		t.Errorf("started %v, beside each other %v; want 0 alone, then 1 and 2 together", r.starts, r.beside)
	}
	// The cores go to the stages that can start: 0 alone gets all three
	// (1 and 2 wait for memory), then 1 and 2 share them.
	if want := map[int]int{0: 3, 1: 1, 2: 2}; fmt.Sprint(r.given) != fmt.Sprint(want) {
		t.Errorf("threads %v, want %v", r.given, want)
	}
}

// TestRunPriority: on one core the stages run one at a time, in index order
// without priorities and by decreasing priority (ties in index order) with.
func TestRunPriority(t *testing.T) {
	st := []Stage{{}, {}, {Inputs: []int{0}}, {}, {Inputs: []int{1}}}
	for _, c := range []struct {
		prio []float64
		want []int
	}{
		{nil, []int{0, 1, 2, 3, 4}},
		{[]float64{1, 5, 9, 5, 0}, []int{1, 3, 0, 2, 4}},
		{[]float64{2, 2, 2, 2, 2}, []int{0, 1, 2, 3, 4}},
	} {
		r := newRecorder(t, st, 0)
		if _, err := Run(context.Background(), st, Options{Cores: 1, Priority: c.prio}, r.run); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.starts, c.want) || r.peakRun != 1 {
			t.Errorf("priority %v: order %v (%d at once), want %v one at a time", c.prio, r.starts, r.peakRun, c.want)
		}
	}
}

// failGraph: 0 -> 1 (fails) -> 2 -> 4, 3 independent and slow, 5 reads 0
// and 3, 6 reads 2 and 5.
func failGraph() []Stage {
	return []Stage{{}, {Inputs: []int{0}}, {Inputs: []int{1}}, {}, {Inputs: []int{2}}, {Inputs: []int{0, 3}}, {Inputs: []int{5, 2}}}
}

// TestRunCancelAll: the first failure cancels the stages beside it, no
// stage starts after it, and it is the error returned.
func TestRunCancelAll(t *testing.T) {
	st := failGraph()
	r := newRecorder(t, st, 0)
	r.fail[1] = true
	slow := make(chan struct{})
	run := func(ctx context.Context, i, threads int) error {
		if i == 3 { // runs beside 1 until cancelled
			r.mu.Lock()
			r.starts = append(r.starts, i)
			r.mu.Unlock()
			close(slow)
			select {
			case <-ctx.Done():
				return fmt.Errorf("stage 3: %w", ctx.Err())
			case <-time.After(3 * time.Second):
				return errors.New("stage 3 was not cancelled")
			}
		}
		if i == 1 {
			<-slow
		}
		return r.run(ctx, i, threads)
	}
	res, err := Run(context.Background(), st, Options{Cores: 2}, run)
	if err == nil || !strings.Contains(err.Error(), "stage 1 fails") {
		t.Fatalf("got %v, want the failure of stage 1", err)
	}
	want := []State{Succeeded, Failed, Waiting, Failed, Waiting, Waiting, Waiting}
	for i, x := range res {
		if x.State != want[i] {
			t.Errorf("stage %d: %+v, want state %d", i, x, want[i])
		}
	}
	if !errors.Is(res[3].Err, context.Canceled) {
		t.Errorf("stage 3 beside the failure: %v, want it cancelled", res[3].Err)
	}
	if slices.Contains(r.starts, 2) || slices.Contains(r.starts, 5) || len(r.starts) != 3 {
		t.Errorf("started %v after a failure", r.starts)
	}
}

// TestRunSkipDependents: a failure skips exactly the stages that depend on
// it, directly or not, names the input that failed, and the run goes on.
func TestRunSkipDependents(t *testing.T) {
	for _, cores := range []int{1, 2, 3} {
		st := failGraph()
		r := newRecorder(t, st, 0)
		r.sleep = time.Millisecond
		r.fail[1] = true
		var ended []int
		res, err := Run(context.Background(), st, Options{Cores: cores, OnFailure: SkipDependents,
			OnEnd: func(i, _ int, _ error) { ended = append(ended, i) }}, r.run)
		if err != nil {
			t.Fatalf("%d cores: %v", cores, err)
		}
		want := []Result{{State: Succeeded}, {State: Failed}, {State: Skipped, Input: 1}, {State: Succeeded},
			{State: Skipped, Input: 2}, {State: Succeeded}, {State: Skipped, Input: 2}}
		for i, x := range res {
			if x.State != want[i].State || x.State == Skipped && x.Input != want[i].Input {
				t.Errorf("%d cores: stage %d: %+v, want %+v", cores, i, x, want[i])
			}
		}
		if res[1].Err == nil || !strings.Contains(res[1].Err.Error(), "on purpose") {
			t.Errorf("failed stage's error: %v", res[1].Err)
		}
		slices.Sort(ended)
		if !slices.Equal(ended, []int{0, 1, 3, 5}) {
			t.Errorf("%d cores: ended %v, want 0 1 3 5", cores, ended)
		}
	}
}

// TestRunCtxCancel: after ctx is cancelled no stage starts, Run waits for
// the running ones and returns ctx.Err(), in both failure modes.
func TestRunCtxCancel(t *testing.T) {
	for _, mode := range []OnFailure{CancelAll, SkipDependents} {
		st := []Stage{{}, {}, {Inputs: []int{0}}, {}, {}}
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var started []int
		returned := 0
		run := func(sctx context.Context, i, _ int) error {
			mu.Lock()
			started = append(started, i)
			if len(started) == 2 {
				cancel()
			}
			mu.Unlock()
			<-sctx.Done()
			time.Sleep(20 * time.Millisecond) // stopping takes a while
			mu.Lock()
			returned++
			mu.Unlock()
			if i == 0 {
				return nil // finished all the same
			}
			return sctx.Err()
		}
		res, err := Run(ctx, st, Options{Cores: 2, OnFailure: mode}, run)
		mu.Lock()
		if !errors.Is(err, context.Canceled) || returned != 2 || len(started) != 2 {
			t.Errorf("mode %d: err %v, %d of %d running stages returned before Run did, started %v", mode, err, returned, len(started), started)
		}
		mu.Unlock()
		if res[0].State != Succeeded || res[1].State != Failed || res[2].State != Waiting || res[3].State != Waiting {
			t.Errorf("mode %d: results %+v", mode, res)
		}
	}
	// Cancelled before the run: nothing starts.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, []Stage{{}, {}}, Options{Cores: 2}, func(context.Context, int, int) error {
		t.Error("a stage started after ctx was cancelled")
		return nil
	})
	if !errors.Is(err, context.Canceled) || res[0].State != Waiting {
		t.Errorf("cancelled before: %v %+v", err, res)
	}
}

// TestRunEmpty: no stages, no calls.
func TestRunEmpty(t *testing.T) {
	res, err := Run(context.Background(), nil, Options{}, func(context.Context, int, int) error {
		t.Error("called")
		return nil
	})
	if err != nil || len(res) != 0 {
		t.Errorf("got %v %v", res, err)
	}
	res, err = Run(context.Background(), []Stage{{Done: true}}, Options{}, func(context.Context, int, int) error {
		t.Error("a done stage ran")
		return nil
	})
	if err != nil || res[0].State != Succeeded {
		t.Errorf("got %v %v", res, err)
	}
}

// TestRunBadGraph: an input that is not an earlier stage (a cycle, a
// forward or unknown reference) and a priority list of the wrong length
// are errors before anything runs.
func TestRunBadGraph(t *testing.T) {
	bad := map[string][]Stage{
		"input 0 is not an earlier":  {{Inputs: []int{0}}},                     // itself
		"input 1 is not an earlier":  {{Inputs: []int{1}}, {Inputs: []int{0}}}, // a cycle
		"input 7 is not an earlier":  {{}, {Inputs: []int{7}}},
		"input -1 is not an earlier": {{}, {Inputs: []int{-1}}},
	}
	never := func(context.Context, int, int) error {
		t.Error("a stage ran")
		return nil
	}
	for want, st := range bad {
		if _, err := Run(context.Background(), st, Options{Cores: 2}, never); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
	if _, err := Run(context.Background(), []Stage{{}}, Options{Priority: []float64{1, 2}}, never); err == nil || !strings.Contains(err.Error(), "2 priorities for 1 stages") {
		t.Errorf("priorities: got %v", err)
	}
}

// TestRunCtxDoneAfterAll: a ctx that ends after every stage has ended does
// not turn a finished run into an error.
func TestRunCtxDoneAfterAll(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := []Stage{{}, {Inputs: []int{0}}}
	res, err := Run(ctx, st, Options{Cores: 1}, func(_ context.Context, i, _ int) error {
		if i == 1 {
			cancel() // the last stage still finishes
		}
		return nil
	})
	if err != nil || res[0].State != Succeeded || res[1].State != Succeeded {
		t.Errorf("err %v, results %+v; want nil and both succeeded", err, res)
	}
}

// TestCriticalPath checks the longest chains of a small graph: 0 feeds 1
// and 2, both feed 3, and 4 stands alone.
func TestCriticalPath(t *testing.T) {
	stages := []Stage{{}, {Inputs: []int{0}}, {Inputs: []int{0}}, {Inputs: []int{1, 2}}, {}}
	secs := []float64{1, 10, 2, 5, 7}
	want := []float64{16, 15, 7, 5, 7}
	if got := CriticalPath(stages, secs); !slices.Equal(got, want) {
		t.Errorf("CriticalPath = %v, want %v", got, want)
	}
	if got := CriticalPath(nil, nil); len(got) != 0 {
		t.Errorf("CriticalPath of no stages = %v", got)
	}
	for _, c := range []struct {
		stages []Stage
		secs   []float64
		want   string
	}{
		{stages[:2], secs, "5 seconds for 2 stages"},
		{[]Stage{{Inputs: []int{0}}}, []float64{1}, "stage 0: input 0 is not an earlier stage"},
		{[]Stage{{}, {Inputs: []int{-1}}}, []float64{1, 2}, "stage 1: input -1 is not an earlier stage"},
	} {
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, c.want) {
					t.Errorf("CriticalPath(%v, %v) panicked with %q, want %q", c.stages, c.secs, msg, c.want)
				}
			}()
			CriticalPath(c.stages, c.secs)
		}()
	}
}

// TestRunPriorityNaN: a NaN priority (from a NaN estimate in
// CriticalPath) ranks below every number, so the others still run higher
// first; it had compared equal to each, and stage 0 (priority 1) ran
// before stage 2 (priority 3).
func TestRunPriorityNaN(t *testing.T) {
	nan := math.NaN()
	st := []Stage{{}, {}, {}, {}}
	for _, c := range []struct {
		prio []float64
		want []int
	}{
		{[]float64{1, nan, 3, 2}, []int{2, 3, 0, 1}},
		{[]float64{nan, 1, nan, 5}, []int{3, 1, 0, 2}},
		{[]float64{nan, nan, nan, nan}, []int{0, 1, 2, 3}},
	} {
		r := newRecorder(t, st, 0)
		if _, err := Run(context.Background(), st, Options{Cores: 1, Priority: c.prio}, r.run); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.starts, c.want) {
			t.Errorf("priority %v: order %v, want %v", c.prio, r.starts, c.want)
		}
	}
}
