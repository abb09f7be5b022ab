package rbm

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/sysmem"
)

func TestEvalJobLoad(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.npz")
	if err := tinyDBN([]int{16, 6, 3}, 0.1, 2).Save(model, Meta{}); err != nil {
		t.Fatal(err)
	}
	data := writeData(t, dir, "d.npy", 30, 16, 3)
	nine := writeData(t, dir, "nine.npy", 30, 9, 4)
	t.Setenv(sysmem.EnvMaxMemory, "32M") // above reading the files and the process (processBytes), below a million AIS chains
	base := EvalJob{Model: model, Data: data, Layers: "all", Options: DefaultEvalOptions()}
	for _, c := range []struct {
		name string
		edit func(j *EvalJob)
		want string // the whole message, or its start when it ends in "..."
	}{
		{"max-samples", func(j *EvalJob) { j.MaxSamples = -1 }, "-max-samples -1: want >= 0 (0: all)"},
		{"no model", func(j *EvalJob) { j.Model = "" }, "-model: want a model file (.npz)"},
		{"missing model", func(j *EvalJob) { j.Model = filepath.Join(dir, "x.npz") }, "-model: " + filepath.Join(dir, "x.npz") + ": no such file"},
		{"layers", func(j *EvalJob) { j.Layers = "3" }, `-layers 3: want "all" or layers from 1 to 2 separated by commas`},
		{"no data", func(j *EvalJob) { j.Data = "" }, "-data: want a .npy file..."},
		{"other units", func(j *EvalJob) { j.Data = nine }, "-data: " + nine + " has 9 units per sample (shape [30 9]), but the model " + model + " has 16 visible units"},
		{"memory", func(j *EvalJob) { j.Options.AISRuns = MaxAISRuns },
			"-ais-runs " + strconv.Itoa(MaxAISRuns) + ", -ais-steps 500,4000,10000 and 30 samples of [16 6 3] units: need about ..."},
	} {
		j := base
		c.edit(&j)
		in, err := j.Load()
		ok := err != nil && err.Error() == c.want
		if prefix, cut := strings.CutSuffix(c.want, "..."); cut {
			ok = err != nil && strings.HasPrefix(err.Error(), prefix)
		}
		if !ok {
			t.Errorf("%s: %+v, %v; want %q", c.name, in, err, c.want)
		}
	}
	j := base
	j.Layers, j.MaxSamples, j.Options.AISRuns, j.Options.AISSteps = "2", 10, 4, [3]int{5, 5, 10}
	in, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	if in.Samples.N != 10 || in.Data.Set.N != 30 || !reflect.DeepEqual(in.Options.Layers, []int{2}) {
		t.Errorf("inputs: %d of %d samples, layers %v", in.Samples.N, in.Data.Set.N, in.Options.Layers)
	}
	var calls, last, total int64
	rep, err := in.Evaluate(context.Background(), func(done, all int64) { calls, last, total = calls+1, done, all })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Model != model || rep.Data != data || rep.Samples != 10 || rep.SamplesTotal != 30 || rep.Seed != j.Options.Seed ||
		len(rep.Layers) != 1 || rep.Layers[0].Layer != 2 {
		t.Errorf("report %+v", rep)
	}
	if calls == 0 || last != total {
		t.Errorf("progress: %d calls, last %d of %d", calls, last, total)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := in.Evaluate(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
