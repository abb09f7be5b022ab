package study

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/replicate"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// specFlagSet registers the study's flags as the study commands do and
// parses args.
func specFlagSet(t *testing.T, args ...string) (*flag.FlagSet, *SpecFlags) {
	t.Helper()
	fs := flag.NewFlagSet("study", flag.ContinueOnError)
	fs.SetOutput(new(bytes.Buffer))
	v := &SpecFlags{}
	fs.BoolVar(&v.Quick, "quick", false, "")
	param.AddFlags(fs, SettingsParams(), nil)
	fs.StringVar(&v.Out, "o", "study", "")
	fs.StringVar(&v.Couplings, "K", "0.3,0.44", "")
	fs.StringVar(&v.Seeds, "seeds", "1,2", "")
	fs.IntVar(&v.TrainSeeds, "train-seeds", 1, "")
	fs.StringVar(&v.SpecFile, "spec", "", "")
	fs.Int("threads", 0, "") // study stage's: not a flag of the spec
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs, v
}

func TestIsSpecFlag(t *testing.T) {
	for _, name := range []string{"quick", "K", "seeds", "train-seeds", "L", "n", "layers", "epochs", "networks", "flow-depth"} {
		if !IsSpecFlag(name) {
			t.Errorf("-%s is not a flag of the spec", name)
		}
	}
	for _, name := range []string{"o", "spec", "threads", "seed", "data-seeds", "cores", "json", ""} {
		if IsSpecFlag(name) {
			t.Errorf("-%s is a flag of the spec", name)
		}
	}
}

func TestSpecFlags(t *testing.T) {
	dir := t.TempDir()
	// The flags: replicate's quick settings with the overrides, ParseSpec.
	fs, v := specFlagSet(t, "-quick", "-L", "8", "-layers", "16,4", "-K", "0.3:0.4:2", "-seeds", "1-3", "-train-seeds", "2", "-o", dir)
	sp, err := v.Spec(fs)
	s := replicate.QuickSettings()
	s.L, s.Layers = 8, []int{16, 4}
	s.FlowDepth = min(s.FlowDepth, 2)
	want, werr := ParseSpec(s, "0.3:0.4:2", "1-3", 2)
	if err != nil || werr != nil || !reflect.DeepEqual(sp, want) {
		t.Fatalf("spec of the flags:\n%+v %v\nwant\n%+v %v", sp, err, want, werr)
	}
	st, err := v.Open(fs, "test")
	if err != nil || st.Dir != dir || st.Spec.Hash() != want.Hash() {
		t.Fatalf("Open: %v %v", st, err)
	}
	path, err := st.WriteSpec()
	if err != nil {
		t.Fatal(err)
	}
	// -spec reads the same study; -o and -threads may be given beside it.
	rel, _ := filepath.Rel(mustGetwd(t), filepath.Join(dir, "x"))
	fs, v = specFlagSet(t, "-spec", path, "-o", rel, "-threads", "2")
	st2, err := v.Open(fs, "test")
	if err != nil || st2.Spec.Hash() != want.Hash() || st2.Dir != filepath.Join(dir, "x") {
		t.Fatalf("-spec: %+v %v (want the folder made absolute)", st2, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-spec", path, "-L", "8"}, "-spec: give either -spec or the study's flags, not -L too"},
		{[]string{"-spec", path, "-quick"}, "not -quick too"},
		{[]string{"-spec", path, "-train-seeds", "1"}, "not -train-seeds too"},
		{[]string{"-spec", filepath.Join(dir, "none.json")}, "-spec: "},
		{[]string{"-o", ""}, "-o: want a folder"},
		{[]string{"-quick", "-L", "1"}, "-L"},
		{[]string{"-quick", "-K", "0.3,0.3"}, "-K"},
		{[]string{"-quick", "-seeds", "2,2"}, "-seeds"},
		{[]string{"-quick", "-train-seeds", "0"}, "-train-seeds"},
	} {
		fs, v := specFlagSet(t, c.args...)
		if _, err := v.Open(fs, "test"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.args, err, c.want)
		}
	}
}

func mustGetwd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestRunOptionsFromFlags(t *testing.T) {
	parse := func(args ...string) *flag.FlagSet {
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		def := DefaultRunOptions()
		param.AddFlags(fs, RunParams(), &def)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return fs
	}
	o, err := RunOptionsFromFlags(parse("-cores", "3"))
	want := DefaultRunOptions()
	want.Cores = 3
	if err != nil || !reflect.DeepEqual(o, want) {
		t.Errorf("-cores 3: %+v %v", o, err)
	}
	if o, err := RunOptionsFromFlags(parse("-slurm", "-wait", "-partition", "p")); err != nil || !o.Slurm || !o.Submit.Wait || o.Submit.Slurm.Partition != "p" {
		t.Errorf("-slurm -wait -partition p: %+v %v", o, err)
	}
	for _, c := range [][]string{{"-wait"}, {"-partition", "p"}, {"-cores", "-1"}} {
		if _, err := RunOptionsFromFlags(parse(c...)); err == nil || !strings.HasPrefix(err.Error(), c[0]) {
			t.Errorf("%q: %v", c, err)
		}
	}
}

func TestStageThreads(t *testing.T) {
	t.Setenv("SLURM_CPUS_PER_TASK", "3")
	for _, c := range [][2]int{{0, 3}, {1, 1}, {5, 5}} {
		if n, err := StageThreads(c[0]); err != nil || n != c[1] {
			t.Errorf("-threads %d: %d %v, want %d", c[0], n, err, c[1])
		}
	}
	for _, n := range []int{-1, 4097, 1e9, math.MaxInt} {
		if _, err := StageThreads(n); err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("-threads %d: want 0..4096", n)) {
			t.Errorf("-threads %d: %v", n, err)
		}
	}
	if n, err := StageThreads(4096); err != nil || n != 4096 {
		t.Errorf("-threads 4096: %d %v", n, err)
	}
	// Slurm's cores are capped as -threads is.
	t.Setenv("SLURM_CPUS_PER_TASK", "9223372036854775807")
	if n, err := StageThreads(0); err != nil || n != 4096 {
		t.Errorf("SLURM_CPUS_PER_TASK=MaxInt: %d %v", n, err)
	}
}

func TestRunAndRunJobErrors(t *testing.T) {
	dir := t.TempDir()
	st, err := New(dir, tinySpec(), "test")
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	isInput := func(err error) bool { ie := (*param.InputError)(nil); return errors.As(err, &ie) }
	err = st.RunJob(context.Background(), "nope", 1, &log)
	if unknown := (*UnknownStageError)(nil); !isInput(err) || !errors.As(err, &unknown) {
		t.Errorf("unknown key: %v, want an input error", err)
	}
	// A stage without inputs, interrupted before it starts.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stages := st.Stages()
	key := ""
	for i, lv := range Levels(stages) {
		if lv == 0 {
			key = stages[i].Key
			break
		}
	}
	if err := st.RunJob(ctx, key, 1, &log); err == nil || isInput(err) || err.Error() != "stage "+key+" interrupted; it left no output" {
		t.Errorf("interrupted stage: %v", err)
	}
	// Run by hand, a stage planned for more memory than this process may
	// use is refused before it starts; in a Slurm job its request bounds it.
	t.Setenv("SLURM_JOB_ID", "")
	t.Setenv(sysmem.EnvMaxMemory, "1K")
	if err := st.RunJob(ctx, key, 1, &log); !isInput(err) || !strings.HasPrefix(err.Error(), "stage "+key+" (") ||
		!strings.Contains(err.Error(), "more than the 0.000977 MiB ISINGRBM_MAX_MEMORY allows") {
		t.Errorf("stage over the memory limit: %v", err)
	}
	t.Setenv("SLURM_JOB_ID", "1")
	if err := st.RunJob(ctx, key, 1, &log); err == nil || isInput(err) || err.Error() != "stage "+key+" interrupted; it left no output" {
		t.Errorf("stage over the memory limit in a Slurm job: %v", err)
	}
	t.Setenv(sysmem.EnvMaxMemory, "")
	// Slurm missing: bad input, nothing written.
	t.Setenv("PATH", t.TempDir())
	o := DefaultRunOptions()
	o.Slurm = true
	if err := st.Run(context.Background(), o, &log); !isInput(err) || !strings.Contains(err.Error(), "sbatch is not in PATH") {
		t.Errorf("no sbatch: %v", err)
	}
	// A folder that cannot be made: bad input about -o.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	st2, err := New(filepath.Join(file, "x"), tinySpec(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := st2.Run(context.Background(), DefaultRunOptions(), &log); !isInput(err) || !strings.HasPrefix(err.Error(), "-o: cannot create folder") {
		t.Errorf("unwritable folder: %v", err)
	}
	for _, d := range []string{"bin", "specs", "runs", "slurm"} {
		if _, err := os.Stat(filepath.Join(dir, d)); err == nil {
			t.Errorf("%s written in the study folder", d)
		}
	}
}
