package rbm

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/isingrbm/isingrbm/core/param"
)

// EvalJob is one evaluation as the eval command asks for it. Load reads
// and checks its inputs; its errors are about the input and name the flag
// and what was expected.
type EvalJob struct {
	Model string // -model: the model file (.npz written by train)
	Data  string // -data: the samples (.npy)
	// Layers is -layers: "all" or layer numbers from 1 (ParseLayers).
	Layers     string
	MaxSamples int         // -max-samples: a seeded subset of this many samples; 0: all
	Options    EvalOptions // the EvalParams flags; Load sets Options.Layers
}

// EvalInputs are an EvalJob's model and samples, read and checked.
type EvalInputs struct {
	Model   *DBN
	Data    *DataFile
	Samples *Dataset // the samples evaluated: SeededSubset of Data
	Options EvalOptions
	path    string // of the model
}

// Load checks -max-samples and that -layers names no layer twice (before
// the model is read), reads the model and the data, checks that they
// fit each other and -layers, draws the subset of -max-samples samples
// (SeededSubset with Options.Seed) and checks the memory evaluating it
// needs (EvalOptions.CheckMemory).
func (j *EvalJob) Load() (*EvalInputs, error) {
	if err := param.CheckInt("max-samples", j.MaxSamples, 0, math.MaxInt, "0: all"); err != nil {
		return nil, err
	}
	if err := checkLayerList(j.Layers); err != nil {
		return nil, err
	}
	dbn, err := LoadDBNFlag("model", j.Model)
	if err != nil {
		return nil, err
	}
	opt := j.Options
	if opt.Layers, err = ParseLayers(j.Layers, len(dbn.Layers)); err != nil {
		return nil, fmt.Errorf("-layers %s: %v", j.Layers, err)
	}
	data, err := ReadDataFlag("data", j.Data)
	if err != nil {
		return nil, err
	}
	if err := data.CheckVisible(dbn, j.Model); err != nil {
		return nil, fmt.Errorf("-data: %v", err)
	}
	set := SeededSubset(data.Set, j.MaxSamples, opt.Seed)
	in := &EvalInputs{Model: dbn, Data: data, Samples: set, Options: opt, path: j.Model}
	if err := opt.checkMemory(in.MemoryEstimate(), set.N, dbn.Sizes()); err != nil {
		return nil, err
	}
	return in, nil
}

// MemoryEstimate returns the memory evaluating in takes, which Load
// checks: EstimateEvalBytes, which counts the samples evaluated as bytes,
// and what the inputs hold beyond that: the whole data file when
// -max-samples drew a subset, float32 samples at 4 bytes a unit.
func (in *EvalInputs) MemoryEstimate() float64 {
	need := in.Options.memoryEstimate(in.Samples.N, in.Model.Sizes())
	need += in.Samples.heldBytes() - float64(float64(in.Samples.N)*float64(in.Samples.D))
	if in.Data.Set != in.Samples {
		need += in.Data.Set.heldBytes()
	}
	return need
}

// Evaluate evaluates the chosen layers on the samples (EvaluateDBN),
// calling progress (when not nil) with the measures done and their total,
// and returns the report. It stops with ctx's error when ctx is cancelled.
func (in *EvalInputs) Evaluate(ctx context.Context, progress func(done, total int64)) (EvalReport, error) {
	opt := in.Options
	opt.Progress = progress
	res, err := EvaluateDBN(ctx, in.Model, in.Samples, opt)
	if err != nil {
		return EvalReport{}, err
	}
	return EvalReport{Model: in.path, Data: in.Data.Path, Samples: in.Samples.N, SamplesTotal: in.Data.Set.N,
		Seed: opt.Seed, Layers: res}, nil
}

// checkLayerList refuses a -layers list that names a layer twice ("2,1,1"
// was taken as 1,2 without a word); ParseLayers checks the numbers against
// the model's depth once it is loaded.
func checkLayerList(s string) error {
	if strings.TrimSpace(s) == "all" {
		return nil
	}
	seen := map[int]bool{}
	for _, f := range strings.Split(s, ",") {
		l, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			continue // not a number: ParseLayers says what is wanted
		}
		if seen[l] {
			return fmt.Errorf("-layers %s: layer %d is named twice; want \"all\" or distinct layer numbers from 1 (e.g. 1,3)", s, l)
		}
		seen[l] = true
	}
	return nil
}
