package rbm

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/param"
)

// TrainJob is one training run as the train command asks for it: the
// files, the layer sizes and preset as given, checkpointing, and the
// parsed flag set. Plan, ReadData and Save check and carry it out, in that
// order; the errors of Plan and ReadData are about the input and name its
// flag and what was expected.
type TrainJob struct {
	Data   string // -data: the training data (.npy)
	Layers string // -layers: hidden sizes, bottom up (ParseSizes)
	Preset string // -preset: the starting recipe (Preset)
	Out    string // -o: the model file; the timings go beside it (TimingsSuffix)
	// Checkpoint is -checkpoint; "" means Out + ".ckpt".
	Checkpoint      string
	CheckpointEvery int  // -checkpoint-every: 0 writes one only when interrupted
	StopAfter       int  // -stop-after: epochs of this run (FitOptions.StopAfter); 0: all
	Resume          bool // -resume: continue the run in Checkpoint
	Replace         bool // -replace: outputs that are not regular files may be replaced
	// Flags is the parsed command line. The recipe flags in it (AddFlags
	// with ConfigParams) that were given override the preset, or must
	// agree with the checkpoint when resuming; -layers, -preset and -batch
	// count as given only when set in it. nil: no flag was given.
	Flags *flag.FlagSet
}

// TrainPlan is what a TrainJob will do.
type TrainPlan struct {
	// Config is the recipe, with the checkpoint's path and interval.
	Config Config
	Hidden []int // hidden layer sizes, bottom up
	// Resume is the checkpoint's meta.json when resuming, else nil.
	Resume *Meta
	// Replaces is, for a new run, the meta.json of the checkpoint of an
	// earlier run at the checkpoint's path, which this run will replace
	// (the command warns: -resume would continue it); else nil.
	Replaces *Meta
}

// TrainRecipe is the named preset with train's default seed, 1: the
// recipe a training starts from before its flags.
func TrainRecipe(preset string) (Config, error) {
	c, err := Preset(preset)
	if err != nil {
		return Config{}, err
	}
	c.Seed = 1
	return c, nil
}

// given reports whether flag -name was set on the command line.
func (j *TrainJob) given(name string) bool { return param.Given(j.Flags)[name] }

// applyRecipe applies the recipe flags given to cfg (ApplyFlags).
func (j *TrainJob) applyRecipe(cfg *Config) error {
	if j.Flags == nil {
		return nil
	}
	return param.ApplyFlags(j.Flags, ConfigParams(), cfg)
}

// CheckpointPath is the checkpoint file: -checkpoint, or the output
// file + ".ckpt".
func (j *TrainJob) CheckpointPath() string {
	if j.Checkpoint == "" {
		return j.Out + ".ckpt"
	}
	return j.Checkpoint
}

// Plan checks the flags and the outputs before any work and returns the
// plan: a new recipe (the preset, then the recipe flags), or, with
// -resume, the checkpoint's recipe once the flags given agree with it
// (Meta.CheckResume).
func (j *TrainJob) Plan() (TrainPlan, error) {
	ckpt, old, err := j.checkOutputs()
	if err != nil {
		return TrainPlan{}, err
	}
	hidden, err := ParseSizes("layers", j.Layers)
	if err != nil {
		return TrainPlan{}, err
	}
	p := TrainPlan{Hidden: hidden}
	if j.Resume {
		p, err = j.resumePlan(ckpt, hidden)
	} else if p.Config, err = TrainRecipe(j.Preset); err != nil {
		err = fmt.Errorf("-preset %s: %v", j.Preset, err)
	} else {
		err = j.applyRecipe(&p.Config)
	}
	if err != nil {
		return TrainPlan{}, err
	}
	p.Config.CheckpointPath, p.Config.CheckpointEvery = ckpt, j.CheckpointEvery
	if err := p.Config.Validate(); err != nil {
		return TrainPlan{}, err
	}
	p.Replaces = old
	return p, nil
}

// checkOutputs checks -checkpoint-every, -stop-after, -o, the timings
// beside it and the checkpoint, and returns the checkpoint's path and,
// without -resume, the meta.json of a checkpoint already there. No
// output may be the -data file or another output (in any spelling: see
// sameFile), and an existing checkpoint file must be one of ours
// (ReadCheckpointMeta) unless it is resumed from: a finished run removes
// its checkpoint.
func (j *TrainJob) checkOutputs() (string, *Meta, error) {
	if err := param.CheckInt("checkpoint-every", j.CheckpointEvery, 0, math.MaxInt, "0: only when interrupted"); err != nil {
		return "", nil, err
	}
	if err := param.CheckInt("stop-after", j.StopAfter, 0, math.MaxInt, "0: run to the end"); err != nil {
		return "", nil, err
	}
	opt := npy.WriteOptions{ReplaceNonRegular: j.Replace}
	timings := j.Out + TimingsSuffix
	for _, out := range []string{j.Out, timings} {
		if err := npy.CheckOutputFlag("o", out, opt); err != nil {
			return "", nil, err
		}
	}
	if j.Data != "" {
		switch {
		case sameFile(j.Out, j.Data):
			return "", nil, fmt.Errorf("-o %s: is the -data file %s; want another name for the model", j.Out, j.Data)
		case sameFile(timings, j.Data):
			return "", nil, fmt.Errorf("-o %s: the timings beside it, %s, would replace the -data file %s; want another name for the model", j.Out, timings, j.Data)
		}
	}
	ckpt := j.CheckpointPath()
	switch {
	case sameFile(ckpt, j.Out), sameFile(ckpt, timings):
		return "", nil, fmt.Errorf("-checkpoint %s: the same file as the model output -o; want another name", ckpt)
	case j.Data != "" && sameFile(ckpt, j.Data):
		return "", nil, fmt.Errorf("-checkpoint %s: is the -data file %s; want another name", ckpt, j.Data)
	}
	// -replace is for the outputs kept: a checkpoint is never written
	// through a link or into a device, so CheckOutputFlag's hint is left out.
	if err := npy.CheckOutput(ckpt, npy.WriteOptions{}); err != nil {
		return "", nil, fmt.Errorf("-checkpoint: %v", err)
	}
	if err := npy.CheckDirFlag("checkpoint", filepath.Dir(ckpt)); err != nil {
		return "", nil, err
	}
	if j.Resume {
		return ckpt, nil, nil
	}
	old, err := checkOwnCheckpoint(ckpt)
	if err != nil {
		return "", nil, err
	}
	return ckpt, old, nil
}

// checkOwnCheckpoint refuses an existing file at ckpt that is not a
// checkpoint written by this program (one whose meta.json
// ReadCheckpointMeta accepts): a new run would overwrite it and a finished
// one remove it. A leftover checkpoint of an earlier run may be replaced:
// its meta.json is returned (nil when there is none).
//
// Whether the file is there is asked after a failed read, not before: a
// concurrent run with the same checkpoint path may finish and remove its
// checkpoint between the two (seen in TestAdversarialConcurrent, where
// three runs share one path), and a file gone by then is no file.
func checkOwnCheckpoint(ckpt string) (*Meta, error) {
	m, err := readCheckpointMeta(ckpt)
	if err != nil {
		if _, e := os.Lstat(ckpt); errors.Is(e, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("-checkpoint %s: exists and is not a checkpoint of isingrbm train (%v); refusing to overwrite it, want another name (or remove the file)", ckpt, err)
	}
	return &m, nil
}

// readCheckpointMeta is ReadCheckpointMeta, a variable so that a test can
// remove the file while checkOwnCheckpoint reads it.
var readCheckpointMeta = ReadCheckpointMeta

// sameFile reports whether the paths a and b name the same file: equal
// once made absolute and clean with the symbolic links of their folders
// resolved, or, when both exist, the same file (os.SameFile, following
// symbolic links and seeing hard links).
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if resolvePath(a) == resolvePath(b) {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// resolvePath returns path absolute and clean, with the symbolic links of
// its folder resolved when the folder exists.
func resolvePath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	dir, base := filepath.Split(abs)
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		return filepath.Join(r, base)
	}
	return abs
}

// resumePlan reads the checkpoint ckpt and checks that the flags given
// agree with it (Meta.CheckResume); hidden is -layers as parsed.
func (j *TrainJob) resumePlan(ckpt string, hidden []int) (TrainPlan, error) {
	meta, err := ReadCheckpointMeta(ckpt)
	if errors.Is(err, os.ErrNotExist) {
		return TrainPlan{}, fmt.Errorf("-resume: no checkpoint at %s", ckpt)
	} else if err != nil {
		return TrainPlan{}, fmt.Errorf("-resume: %v", err)
	}
	want := *meta.Config
	if err := j.applyRecipe(&want); err != nil {
		return TrainPlan{}, err
	}
	preset := ""
	if j.given("preset") {
		preset = j.Preset
	}
	if !j.given("layers") {
		hidden = nil
	}
	if err := meta.CheckResume(ckpt, want, preset, hidden); err != nil {
		return TrainPlan{}, err
	}
	return TrainPlan{Config: *meta.Config, Hidden: meta.Sizes[1:], Resume: &meta}, nil
}

// ReadData reads -data (ReadDataFlag) and checks it against the plan: the
// visible units of a checkpoint, then -batch and memory
// (Config.CheckTrainData). It returns the data and the layer sizes,
// visible first.
func (j *TrainJob) ReadData(p TrainPlan) (*DataFile, []int, error) {
	data, err := ReadDataFlag("data", j.Data)
	if err != nil {
		return nil, nil, err
	}
	if p.Resume != nil && p.Resume.Sizes[0] != data.Set.D {
		return nil, nil, fmt.Errorf("-data: %s has %d units per sample, but the checkpoint %s has %d visible units",
			data.Path, data.Set.D, p.Config.CheckpointPath, p.Resume.Sizes[0])
	}
	sizes, err := p.Config.CheckTrainData(data, p.Hidden, j.given("batch"))
	if err != nil {
		return nil, nil, err
	}
	return data, sizes, nil
}

// MemoryEstimate returns the memory training data (read by ReadData) into
// layers of sizes with the plan takes: EstimateTrainBytes, which ReadData
// checks.
func (p TrainPlan) MemoryEstimate(data *DataFile, sizes []int) float64 {
	return EstimateTrainBytes(data.Set.N, !data.Set.Binary(), sizes, p.Config)
}

// Save writes the trained model to -o (DBN.SaveWith) with its meta.json:
// the recipe without its checkpoint settings, the history and what data
// was trained on (DataFile.MetaExtra). Its errors are failures at run
// time, not bad input.
func (j *TrainJob) Save(p TrainPlan, dbn *DBN, hist *History, data *DataFile) error {
	saved := p.Config
	saved.CheckpointPath, saved.CheckpointEvery = "", 0
	meta := Meta{Config: &saved, History: hist, Extra: data.MetaExtra()}
	return dbn.SaveWith(j.Out, meta, npy.WriteOptions{ReplaceNonRegular: j.Replace})
}

// RemoveCheckpoint removes the checkpoint of a finished run; one that is
// already gone is no error. A file there that is not a checkpoint (its
// meta.json says so: ReadCheckpointMeta) is left alone and reported.
func (p TrainPlan) RemoveCheckpoint() error {
	path := p.Config.CheckpointPath
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if _, err := ReadCheckpointMeta(path); err != nil {
		return fmt.Errorf("not removed, it is not a checkpoint: %v", err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
