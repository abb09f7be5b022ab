package replicate

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/param"
)

// errNoFIFO is mkfifo's error where the system has no FIFOs.
var errNoFIFO = errors.New("no FIFOs on this system")

// tinySampleJob samples 10 configurations of a 4 x 4 lattice per coupling.
func tinySampleJob(betas, out string) SampleJob {
	return SampleJob{Options: bitlattice.Options{L: 4, N: 10, Seed: 3, Threads: 1}, Betas: betas, Out: out}
}

func TestSampleJobPlan(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	full := filepath.Join(dir, "full")
	os.MkdirAll(filepath.Join(full, CouplingFileName(0.4)), 0o755) // a folder where a file goes
	fifo := filepath.Join(dir, "fifo.npy")
	if err := mkfifo(fifo); errors.Is(err, errNoFIFO) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		betas, out string
		paths      []string // nil: an error containing want
		want       string
	}{
		{"0.3", filepath.Join(dir, "a.npy"), []string{filepath.Join(dir, "a.npy")}, ""},
		{"0.3,0.4", filepath.Join(dir, "new"), []string{filepath.Join(dir, "new", "beta_0.3000.npy"), filepath.Join(dir, "new", "beta_0.4000.npy")}, ""},
		{"0.2:0.4:3", dir, []string{filepath.Join(dir, "beta_0.2000.npy"), filepath.Join(dir, "beta_0.3000.npy"), filepath.Join(dir, "beta_0.4000.npy")}, ""},
		{"0.3", dir, nil, "-o: "},
		{"0.3,0.4", file, nil, "-o: " + file + " is a file; several couplings need a folder"},
		{"0.3,0.4", filepath.Join(dir, "no", "such"), nil, "-o: "},
		{"0.3,0.4,0.5", full, nil, CouplingFileName(0.4)},
		{"0.3", fifo, nil, "(-replace replaces it)"},
		{"0.3", "", nil, "-o: want an output file (one coupling) or folder (several couplings)"},
		{"0", filepath.Join(dir, "a.npy"), nil, "-beta 0: K = 0"},
		{"0.3,0.30001", dir, nil, "share the file name"},
	} {
		j := tinySampleJob(c.betas, c.out)
		p, err := j.Plan()
		switch {
		case c.paths == nil && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("-beta %s -o %s: %v, want an error containing %q", c.betas, c.out, err, c.want)
		case c.paths != nil && (err != nil || !reflect.DeepEqual(p.Paths, c.paths) || len(p.Couplings) != len(c.paths)):
			t.Errorf("-beta %s -o %s: %+v, %v; want paths %v", c.betas, c.out, p, err, c.paths)
		}
	}
	j := tinySampleJob("0.3", fifo)
	if j.Replace = true; func() error { _, err := j.Plan(); return err }() != nil {
		t.Error("-replace does not allow replacing a FIFO")
	}
	j = tinySampleJob("0.3", filepath.Join(dir, "a.npy"))
	j.Options.Replicas = 11 // more chains than samples: CheckSampleOptions
	if _, err := j.Plan(); err == nil || !strings.HasPrefix(err.Error(), "-replicas") {
		t.Errorf("-replicas 11 -n 10: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Errorf("Plan wrote into the folder: %v", ents)
	}
}

// recorder is a progress callback that records its tasks.
type recorder struct {
	mu     sync.Mutex
	labels []string
	done   int
	onDone func(label string)
}

type recTask struct {
	r     *recorder
	label string
}

func (t recTask) Update(done, total int64) {}
func (t recTask) SetExtra(string)          {}
func (t recTask) Done() {
	t.r.mu.Lock()
	t.r.done++
	f := t.r.onDone
	t.r.mu.Unlock()
	if f != nil {
		f(t.label)
	}
}

func (r *recorder) progress(label string) Task {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.labels = append(r.labels, label)
	return recTask{r, label}
}

func TestSampleJobRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "set")
	j := tinySampleJob("0.3,0.5", dir)
	j.Options.Threads = 0
	p, err := j.Plan()
	if err != nil {
		t.Fatal(err)
	}
	var rec recorder
	reps, err := j.Run(context.Background(), p, rec.progress)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sample L=4 K=0.3000", "sample L=4 K=0.5000"}; !reflect.DeepEqual(rec.labels, want) || rec.done != 2 {
		t.Errorf("progress labels %q, %d done; want %q, 2 done", rec.labels, rec.done, want)
	}
	if len(reps) != 2 {
		t.Fatalf("%d reports", len(reps))
	}
	if SampleSeed(3, 0.3) == SampleSeed(3, 0.5) || SampleSeed(3, 0.3) == SampleSeed(4, 0.3) {
		t.Error("two couplings or two seeds give the chains one seed")
	}
	for i, k := range p.Couplings {
		o := j.Options
		o.K, o.Threads, o.Seed = k, 1, SampleSeed(3, k)
		res, err := bitlattice.Sample(o)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		npy.WriteUint8(&want, []int{10, 4, 4}, res.Configs)
		if got, err := os.ReadFile(p.Paths[i]); err != nil || !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: not the samples of K = %v (%v)", p.Paths[i], k, err)
		}
		r := reps[i]
		if r.K != k || r.File != p.Paths[i] || r.L != 4 || r.N != 10 || r.Seed != 3 || r.ChainSeed != o.Seed || r.Threads < 1 {
			t.Errorf("report %d: %+v", i, r)
		}
	}
	// One coupling starts from -seed itself, as replicate's stages do: its
	// file is bitlattice.Sample's with that seed.
	alone := filepath.Join(t.TempDir(), "alone.npy")
	j1 := tinySampleJob("0.5", alone)
	p1, err := j1.Plan()
	if err != nil {
		t.Fatal(err)
	}
	reps1, err := j1.Run(context.Background(), p1, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := j1.Options
	o.K, o.Threads = 0.5, 1
	res, err := bitlattice.Sample(o)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	npy.WriteUint8(&want, []int{10, 4, 4}, res.Configs)
	if got, err := os.ReadFile(alone); err != nil || !bytes.Equal(got, want.Bytes()) || reps1[0].ChainSeed != 0 || reps1[0].Seed != 3 {
		t.Errorf("one coupling: not the samples of -seed 3 itself (%v; report %+v)", err, reps1[0])
	}
	// A coupling typed and the same one from a range get one seed.
	ks, err := ParseSampleCouplings("beta", "0.2:0.6:9")
	if err != nil {
		t.Fatal(err)
	}
	if r := ks[5]; r == 0.45 || SampleSeed(3, r) != SampleSeed(3, 0.45) {
		t.Errorf("K = %v (the range's 0.45) and 0.45: seeds %d and %d, want one (and the range's K not 0.45 itself, or the case tests nothing)", r, SampleSeed(3, r), SampleSeed(3, 0.45))
	}
}

func TestSampleJobInterrupted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "set")
	j := tinySampleJob("0.3,0.5", dir)
	p, err := j.Plan()
	if err != nil {
		t.Fatal(err)
	}
	// Cancelled before the first coupling: nothing written.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = j.Run(ctx, p, nil)
	var ie *SampleInterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || err.Error() != "interrupted while sampling K=0.3; no file written for it" {
		t.Errorf("cancelled at once: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a cancelled run made the folder")
	}
	// Cancelled once the first coupling is sampled: its file is written,
	// the second coupling is not sampled.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	rec := recorder{onDone: func(string) { cancel() }}
	_, err = j.Run(ctx, p, rec.progress)
	if want := "interrupted after writing " + p.Paths[0]; err == nil || err.Error() != want || !errors.As(err, &ie) {
		t.Errorf("cancelled after the first coupling: %v, want %q", err, want)
	}
	if _, err := npy.ReadFile(p.Paths[0]); err != nil {
		t.Errorf("first coupling: %v", err)
	}
	if _, err := os.Stat(p.Paths[1]); err == nil || len(rec.labels) != 1 {
		t.Errorf("the second coupling was sampled (%q)", rec.labels)
	}
}

func TestSampleJobRunErrors(t *testing.T) {
	dir := t.TempDir()
	// Options the sampler refuses: bad input.
	j := tinySampleJob("0.3", filepath.Join(dir, "a.npy"))
	j.Options.L = 2
	_, err := j.Run(context.Background(), SamplePlan{Couplings: []float64{0.3}, Paths: []string{j.Out}}, nil)
	if ie := (*param.InputError)(nil); !errors.As(err, &ie) {
		t.Errorf("L = 2: %v, want an *param.InputError", err)
	}
	// A file that cannot be written: a failure at run time about -o.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	j = tinySampleJob("0.3", filepath.Join(file, "a.npy"))
	_, err = j.Run(context.Background(), SamplePlan{Couplings: []float64{0.3}, Paths: []string{j.Out}}, nil)
	if ie := (*param.InputError)(nil); err == nil || errors.As(err, &ie) || !strings.HasPrefix(err.Error(), "-o: ") {
		t.Errorf("unwritable output: %v, want a run-time error about -o", err)
	}
}

func TestSettingsFromFlags(t *testing.T) {
	parse := func(args ...string) (*flag.FlagSet, error) {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(new(bytes.Buffer))
		param.AddFlags(fs, SettingsParams(), nil)
		return fs, fs.Parse(args)
	}
	fs, _ := parse("-layers", "8", "-epochs", "3")
	s, err := SettingsFromFlags(fs, true, SettingsParams())
	q := QuickSettings()
	if err != nil || !reflect.DeepEqual(s.Layers, []int{8}) || s.Epochs != 3 || s.FlowDepth != 1 || s.L != q.L || s.N != q.N {
		t.Errorf("-quick -layers 8 -epochs 3: %+v, %v", s, err)
	}
	fs, _ = parse()
	if s, err := SettingsFromFlags(fs, false, SettingsParams()); err != nil || !reflect.DeepEqual(s, PaperSettings()) {
		t.Errorf("no flags: %+v, %v; want the paper's settings", s, err)
	}
	fs, _ = parse("-epochs", "0")
	if _, err := SettingsFromFlags(fs, true, SettingsParams()); err == nil || !strings.HasPrefix(err.Error(), "-epochs") {
		t.Errorf("-epochs 0: %v", err)
	}
}

func TestPrepareRun(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("no markers"), 0o644)
	out := filepath.Join(dir, "a", "b")
	if err := PrepareRun(QuickSettings(), out, ""); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(out); err != nil || !st.IsDir() {
		t.Errorf("the output folder was not made: %v", err)
	}
	bad := QuickSettings()
	bad.Epochs = 0
	for _, c := range []struct {
		s           Settings
		out, readme string
		want        string
	}{
		{bad, out, "", "-epochs 0"},
		{QuickSettings(), out, file, "-readme: " + file + " has no"},
		{QuickSettings(), out, filepath.Join(dir, "none.md"), "-readme: "},
		{QuickSettings(), filepath.Join(file, "x"), "", "-o: cannot create folder"},
	} {
		if err := PrepareRun(c.s, c.out, c.readme); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want %q", c.out, c.readme, err, c.want)
		}
	}
}

func TestAsInputError(t *testing.T) {
	if param.AsInputError(nil) != nil {
		t.Error("nil became an error")
	}
	base := errors.New("-x: bad")
	err := param.AsInputError(base)
	if ie := (*param.InputError)(nil); !errors.As(err, &ie) || !errors.Is(err, base) || err.Error() != "-x: bad" {
		t.Errorf("%v", err)
	}
}

// TestSampleToFileFailures checks that a failed sampling leaves neither the
// file nor the folders made for it, and that a failure to write, which the
// sampler passes on wrapped, is still told apart from the sampler's own.
func TestSampleToFileFailures(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "a", "b", "s.npy")
	o := bitlattice.Options{L: 4, K: 0.3, N: 10, Seed: 1}
	own := errors.New("sampler failed")
	disk := &fileWriteError{errors.New("no space left")}
	for _, c := range []struct {
		err   error
		write bool
	}{{own, false}, {&param.InputError{Err: disk}, true}} {
		_, err := sampleToFile(path, npy.WriteOptions{}, o, func(bitlattice.Options) (*bitlattice.Result, error) { return nil, c.err })
		if we := (*fileWriteError)(nil); !errors.Is(err, c.err) || errors.As(err, &we) != c.write {
			t.Errorf("%v: got %v", c.err, err)
		}
		if _, err := os.Stat(filepath.Join(root, "a")); err == nil {
			t.Errorf("%v: the folders made for the file are left", c.err)
		}
	}
}
