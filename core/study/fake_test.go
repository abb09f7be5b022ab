package study

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/core/npy"
)

// fakeGraph is a synthetic study: each stage sleeps, then writes out/KEY
// (a hash of its key and its inputs' outputs) and the marker done/KEY.
// Its definition lives in dir/graph.json, so that a job in another process
// (the test binary run by Slurm) sees the same graph.
type fakeGraph struct {
	Dir    string          `json:"dir"`
	List   []Stage         `json:"stages"`
	Sleep  time.Duration   `json:"sleep"`
	Fail   map[string]bool `json:"fail"` // stages that fail
	active atomic.Int64    // threads of the running stages
	peak   atomic.Int64
	mu     sync.Mutex
	runs   map[string]int
}

func (g *fakeGraph) Stages() []Stage { return g.List }

func (g *fakeGraph) Done(key string) bool {
	_, err1 := os.Stat(filepath.Join(g.Dir, "done", key))
	_, err2 := os.Stat(filepath.Join(g.Dir, "out", key))
	return err1 == nil && err2 == nil
}

func (g *fakeGraph) RunStage(ctx context.Context, key string, threads int) error {
	s, err := Find(g, key)
	if err != nil {
		return err
	}
	if g.Done(key) {
		return nil
	}
	now := g.active.Add(int64(threads))
	defer g.active.Add(-int64(threads))
	for {
		p := g.peak.Load()
		if now <= p || g.peak.CompareAndSwap(p, now) {
			break
		}
	}
	g.mu.Lock()
	if g.runs == nil {
		g.runs = map[string]int{}
	}
	g.runs[key]++
	g.mu.Unlock()
	h := sha256.New()
	io.WriteString(h, key)
	for _, in := range s.Inputs {
		b, err := os.ReadFile(filepath.Join(g.Dir, "out", in))
		if err != nil {
			return fmt.Errorf("input %s: %v", in, err)
		}
		h.Write(b)
	}
	select {
	case <-time.After(g.Sleep):
	case <-ctx.Done():
		return ctx.Err()
	}
	if g.Fail[key] {
		return fmt.Errorf("stage %s fails on purpose", key)
	}
	if err := os.MkdirAll(filepath.Join(g.Dir, "out"), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(g.Dir, "done"), 0o755); err != nil {
		return err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	// Every computation is logged, in whatever process it runs.
	lf, err := os.OpenFile(filepath.Join(g.Dir, "computed.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintln(lf, key)
	lf.Close()
	if err := npy.WriteFileAtomic(filepath.Join(g.Dir, "out", key), func(w io.Writer) error {
		_, err := io.WriteString(w, sum)
		return err
	}); err != nil {
		return err
	}
	return npy.WriteFileAtomic(filepath.Join(g.Dir, "done", key), func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "pid %d threads %d\n", os.Getpid(), threads)
		return err
	})
}

func (g *fakeGraph) save() error { return writeJSON(filepath.Join(g.Dir, "graph.json"), g) }

func loadFake(dir string) (*fakeGraph, error) {
	b, err := os.ReadFile(filepath.Join(dir, "graph.json"))
	if err != nil {
		return nil, err
	}
	g := &fakeGraph{}
	return g, json.Unmarshal(b, g)
}

// studyGraph returns a graph shaped like a study: per seed a data stage,
// per seed two trainings, per training an evaluation, one report.
func studyGraph(dir string, seeds int) *fakeGraph {
	g := &fakeGraph{Dir: dir, Fail: map[string]bool{}}
	var evals []string
	for s := 0; s < seeds; s++ {
		data := fmt.Sprintf("data-%d", s)
		g.List = append(g.List, Stage{Key: data, Name: data, Kind: "data", Cores: 1, MemMiB: 10, Seconds: 1})
		for _, net := range []string{"a", "b"} {
			tr := fmt.Sprintf("train-%s-%d", net, s)
			ev := fmt.Sprintf("eval-%s-%d", net, s)
			g.List = append(g.List,
				Stage{Key: tr, Name: tr, Kind: "train", Inputs: []string{data}, Cores: 2, MemMiB: 20, Seconds: 3},
				Stage{Key: ev, Name: ev, Kind: "eval", Inputs: []string{tr, data}, Cores: 1, MemMiB: 10, Seconds: 1})
			evals = append(evals, ev)
		}
	}
	g.List = append(g.List, Stage{Key: "report", Name: "report", Kind: "report", Inputs: evals, Cores: 1, MemMiB: 10, Seconds: 0.5})
	return g
}

// TestMain lets the test binary run one stage of a fake graph, as a Slurm
// job does: `study.test fake-stage DIR KEY`.
func TestMain(m *testing.M) {
	if len(os.Args) == 4 && os.Args[1] == "fake-stage" {
		g, err := loadFake(os.Args[2])
		if err == nil {
			err = g.RunStage(context.Background(), os.Args[3], 1)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "fake-stage:", err)
			os.Exit(1)
		}
		fmt.Println("fake-stage", os.Args[3], "done")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// computedCounts returns how often each stage was computed.
func computedCounts(t *testing.T, g *fakeGraph) map[string]int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(g.Dir, "computed.log"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int{}
	for _, k := range strings.Fields(string(b)) {
		m[k]++
	}
	return m
}

func outputs(t *testing.T, g *fakeGraph) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, s := range g.List {
		b, err := os.ReadFile(filepath.Join(g.Dir, "out", s.Key))
		if err != nil {
			t.Fatalf("stage %s: %v", s.Key, err)
		}
		m[s.Key] = string(b)
	}
	return m
}

func TestValidate(t *testing.T) {
	ok := []Stage{{Key: "a", Cores: 1, MemMiB: 1}, {Key: "b", Inputs: []string{"a"}, Cores: 1, MemMiB: 1}}
	if err := Validate(ok); err != nil {
		t.Fatal(err)
	}
	bad := map[string][]Stage{
		"empty key":      {{Key: "", Cores: 1, MemMiB: 1}},
		"twice":          {{Key: "a", Cores: 1, MemMiB: 1}, {Key: "a", Cores: 1, MemMiB: 1}},
		"not an earlier": {{Key: "b", Inputs: []string{"a"}, Cores: 1, MemMiB: 1}, {Key: "a", Cores: 1, MemMiB: 1}},
		"estimates":      {{Key: "a", Cores: 0, MemMiB: 1}},
		"want letters":   {{Key: "a b", Cores: 1, MemMiB: 1}},
	}
	for want, st := range bad {
		if err := Validate(st); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v", want, err)
		}
	}
	if lv := Levels(ok); lv[0] != 0 || lv[1] != 1 {
		t.Errorf("levels %v", lv)
	}
	g := studyGraph(t.TempDir(), 3)
	tot := Sum(g.List)
	// 3 x (1 + 2 x (2x3 + 1)) + 0.5 core-seconds; chain data, train, eval, report.
	if want := (3*(1+2*(6+1)) + 0.5) / 3600; tot.CoreHours < want*(1-1e-12) || tot.CoreHours > want*(1+1e-12) || tot.CriticalSeconds != 5.5 || tot.Stages != 16 {
		t.Errorf("totals %+v, want %v core-hours and 5.5 s critical", tot, want)
	}
	if _, err := Find(g, "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Find of an unknown key: %v", err)
	}
}

func TestRunLocal(t *testing.T) {
	for _, cores := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(cores), func(t *testing.T) {
			g := studyGraph(t.TempDir(), 3)
			g.Sleep = 20 * time.Millisecond
			res, err := RunLocal(context.Background(), g, LocalOptions{Cores: cores})
			if err != nil {
				t.Fatal(err)
			}
			if p := g.peak.Load(); p > int64(cores) || (cores > 1 && p < 2) {
				t.Errorf("peak threads %d with %d cores", p, cores)
			}
			for _, r := range res {
				if r.Reused || g.runs[r.Key] != 1 || r.Threads < 1 || r.Threads > cores {
					t.Errorf("stage %+v ran %d times", r, g.runs[r.Key])
				}
			}
			want := outputs(t, g)
			// A second run reuses everything.
			g2 := studyGraph(g.Dir, 3)
			res, err = RunLocal(context.Background(), g2, LocalOptions{Cores: cores})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if !r.Reused || g2.runs[r.Key] != 0 {
					t.Errorf("second run: %+v", r)
				}
			}
			// Removing one stage recomputes it alone, with the same bytes.
			os.Remove(filepath.Join(g.Dir, "done", "train-b-1"))
			g3 := studyGraph(g.Dir, 3)
			if _, err := RunLocal(context.Background(), g3, LocalOptions{Cores: cores}); err != nil {
				t.Fatal(err)
			}
			if len(g3.runs) != 1 || g3.runs["train-b-1"] != 1 {
				t.Errorf("recomputed %v, want train-b-1 only", g3.runs)
			}
			if got := outputs(t, g3); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("outputs differ after recomputing")
			}
		})
	}
}

func TestRunLocalFailure(t *testing.T) {
	g := studyGraph(t.TempDir(), 2)
	g.Fail["train-a-1"] = true
	res, err := RunLocal(context.Background(), g, LocalOptions{Cores: 2})
	sf, ok := err.(*StageFailure)
	if !ok || len(sf.Failed) != 1 || sf.Failed[0].Key != "train-a-1" || sf.Skipped != 2 {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "fails on purpose") {
		t.Errorf("error does not say why: %v", err)
	}
	for _, r := range res {
		switch r.Key {
		case "train-a-1", "eval-a-1", "report":
			if g.Done(r.Key) {
				t.Errorf("%s done", r.Key)
			}
		default:
			if !g.Done(r.Key) {
				t.Errorf("%s (independent of the failure) not done: %+v", r.Key, r)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(g.Dir, "out", "train-a-1")); err == nil {
		t.Error("the failed stage left an output")
	}
}

func TestRunLocalCancel(t *testing.T) {
	g := studyGraph(t.TempDir(), 3)
	g.Sleep = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	t0 := time.Now()
	_, err := RunLocal(ctx, g, LocalOptions{Cores: 2})
	if err == nil || !strings.Contains(err.Error(), "interrupted") || ctx.Err() == nil {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(t0); d > 900*time.Millisecond {
		t.Errorf("cancel took %v", d)
	}
	if n := len(Missing(g, g.List)); n != len(g.List) {
		t.Errorf("%d of %d stages missing after an early cancel", n, len(g.List))
	}
}
