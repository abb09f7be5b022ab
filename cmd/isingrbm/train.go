package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
)

func init() {
	commands["train"] = command{
		summary: "train a deep belief network (stacked RBMs) on Ising configurations",
		run:     runTrain,
	}
}

// trainFlags are the flags of train besides the recipe (rbm.ConfigParams).
type trainFlags struct {
	fs                                  *flag.FlagSet
	data, layers, preset, out, ckptPath *string
	ckptEvery, stopAfter                *int
	resume, asJSON, replace             *bool
	set                                 map[string]bool
}

func newTrainFlags(stderr io.Writer) *trainFlags {
	fs := newFlagSet("train", stderr)
	def, _ := rbm.Preset("mehta-schwab")
	def.Seed = 1
	f := &trainFlags{fs: fs}
	f.data = fs.String("data", "", "training data: .npy of shape (n, L, L) or (n, D), values in {0,1} (or [0,1] floats)")
	f.layers = fs.String("layers", "400,100,25", fmt.Sprintf("hidden layer sizes, bottom up, 1..%d units each (the visible size comes from the data)", rbm.MaxUnits))
	f.preset = fs.String("preset", "mehta-schwab", "starting recipe: "+strings.Join(rbm.Presets(), ", ")+"; explicit flags override it")
	f.out = fs.String("o", "model.npz", "output model file (.npz); the epochs' seconds go beside it to <o>"+rbm.TimingsSuffix)
	rbm.AddFlags(fs, rbm.ConfigParams(), &def)
	f.ckptEvery = fs.Int("checkpoint-every", 5, "write a checkpoint every N epochs (0: only when interrupted)")
	f.ckptPath = fs.String("checkpoint", "", "checkpoint file (default: the output file + \".ckpt\")")
	f.resume = fs.Bool("resume", false, "continue the run saved in the checkpoint (same data; the recipe comes from the checkpoint)")
	f.stopAfter = fs.Int("stop-after", 0, "stop after N epochs of this run, leaving a checkpoint to -resume from (0: run to the end)")
	f.asJSON = fs.Bool("json", false, "print the final per-layer measures as JSON on stdout")
	f.replace = fs.Bool("replace", false, "replace outputs that exist and are not regular files (symlinks, FIFOs, devices)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm train -data ising.npy -layers 400,100,25 [-preset mehta-schwab] [flags] -o model.npz")
		fs.PrintDefaults()
	}
	return f
}

// checkOutputs checks -o, the timings beside it, -checkpoint-every,
// -stop-after and -checkpoint, and returns the checkpoint path.
func (f *trainFlags) checkOutputs() (string, error) {
	if err := rbm.CheckInt("checkpoint-every", *f.ckptEvery, 0, math.MaxInt, "0: only when interrupted"); err != nil {
		return "", asUsage(err)
	}
	if err := rbm.CheckInt("stop-after", *f.stopAfter, 0, math.MaxInt, "0: run to the end"); err != nil {
		return "", asUsage(err)
	}
	opt := npy.WriteOptions{ReplaceNonRegular: *f.replace}
	if err := checkOutput("o", *f.out, opt); err != nil {
		return "", err
	}
	if err := checkOutput("o", *f.out+rbm.TimingsSuffix, opt); err != nil {
		return "", err
	}
	ckpt := *f.ckptPath
	if ckpt == "" {
		ckpt = *f.out + ".ckpt"
	}
	if ckpt == *f.out || ckpt == *f.out+rbm.TimingsSuffix {
		return "", badInput("-checkpoint %s: the same file as the model output -o; want another name", ckpt)
	}
	return ckpt, checkOutput("checkpoint", ckpt, npy.WriteOptions{})
}

// trainPlan is what train will do: the recipe, the hidden sizes and, when
// resuming, the checkpoint's meta.
type trainPlan struct {
	cfg    rbm.Config
	hidden []int
	ckpt   string
	resume *rbm.Meta
}

// resumePlan reads the checkpoint and checks that the flags given agree
// with it (rbm.Meta.CheckResume).
func (f *trainFlags) resumePlan(ckpt string, hidden []int) (trainPlan, error) {
	meta, err := rbm.ReadCheckpointMeta(ckpt)
	if errors.Is(err, os.ErrNotExist) {
		return trainPlan{}, badInput("-resume: no checkpoint at %s", ckpt)
	} else if err != nil {
		return trainPlan{}, badInput("-resume: %v", err)
	}
	want := *meta.Config
	if err := applyParams(f.fs, rbm.ConfigParams(), &want); err != nil {
		return trainPlan{}, err
	}
	preset := ""
	if f.set["preset"] {
		preset = *f.preset
	}
	if !f.set["layers"] {
		hidden = nil
	}
	if err := meta.CheckResume(ckpt, want, preset, hidden); err != nil {
		return trainPlan{}, asUsage(err)
	}
	return trainPlan{cfg: *meta.Config, hidden: meta.Sizes[1:], ckpt: ckpt, resume: &meta}, nil
}

// plan turns the flags into a trainPlan.
func (f *trainFlags) plan() (trainPlan, error) {
	ckpt, err := f.checkOutputs()
	if err != nil {
		return trainPlan{}, err
	}
	hidden, err := rbm.ParseSizes("layers", *f.layers)
	if err != nil {
		return trainPlan{}, asUsage(err)
	}
	p := trainPlan{hidden: hidden, ckpt: ckpt}
	if *f.resume {
		if p, err = f.resumePlan(ckpt, hidden); err != nil {
			return p, err
		}
	} else {
		if p.cfg, err = rbm.Preset(*f.preset); err != nil {
			return p, badInput("-preset %s: %v", *f.preset, err)
		}
		p.cfg.Seed = 1
		if err := applyParams(f.fs, rbm.ConfigParams(), &p.cfg); err != nil {
			return p, err
		}
	}
	p.cfg.CheckpointPath = ckpt
	p.cfg.CheckpointEvery = *f.ckptEvery
	if err := p.cfg.Validate(); err != nil {
		return p, badInput("%v", err)
	}
	return p, nil
}

// checkData checks the plan against the data: the visible units of a
// checkpoint, then -batch and memory (rbm.Config.CheckTrainData).
func (p *trainPlan) checkData(data *rbm.DataFile, batchGiven bool) ([]int, error) {
	if p.resume != nil && p.resume.Sizes[0] != data.Set.D {
		return nil, badInput("-data: %s has %d units per sample, but the checkpoint %s has %d visible units", data.Path, data.Set.D, p.ckpt, p.resume.Sizes[0])
	}
	sizes, err := p.cfg.CheckTrainData(data, p.hidden, batchGiven)
	return sizes, asUsage(err)
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	f := newTrainFlags(stderr)
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	f.set = flagsSet(f.fs)
	p, err := f.plan()
	if err != nil {
		return err
	}
	data, err := rbm.ReadDataFlag("data", *f.data)
	if err != nil {
		return asUsage(err)
	}
	sizes, err := p.checkData(data, f.set["batch"])
	if err != nil {
		return err
	}
	dbn, hist, err := f.train(p, data, sizes, stderr)
	if err != nil || dbn == nil {
		return err
	}
	saved := p.cfg
	saved.CheckpointPath, saved.CheckpointEvery = "", 0
	meta := rbm.Meta{Config: &saved, History: hist, Extra: data.MetaExtra()}
	if err := dbn.SaveWith(*f.out, meta, npy.WriteOptions{ReplaceNonRegular: *f.replace}); err != nil {
		return err
	}
	if err := os.Remove(p.ckpt); err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "isingrbm train: could not remove the checkpoint %s: %v\n", p.ckpt, err)
	}
	rows := hist.Summarize(sizes)
	if *f.asJSON {
		return printJSON(stdout, map[string]any{"model": *f.out, "layers": rows})
	}
	if err := rbm.WriteTrainTable(stdout, rows); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "model written to %s\n", *f.out)
	return err
}

// train trains (or resumes) with a progress bar (rbm.Fit); it returns a
// nil DBN and no error when -stop-after stopped the run.
func (f *trainFlags) train(p trainPlan, data *rbm.DataFile, sizes []int, stderr io.Writer) (*rbm.DBN, *rbm.History, error) {
	if p.resume != nil {
		c := p.resume.Checkpoint
		fmt.Fprintf(stderr, "isingrbm train: resuming from %s at layer %d, after epoch %d of %d\n", p.ckpt, c.Layer+1, c.Epoch, p.cfg.Epochs)
	}
	bar := newProgressBar(stderr, "train")
	dbn, hist, err := rbm.Fit(interruptContext(), data.Set, sizes, p.cfg, rbm.FitOptions{Resume: p.resume, StopAfter: *f.stopAfter,
		Progress: func(done, total int64, pi rbm.ProgressInfo) {
			bar.SetExtra(fmt.Sprintf("layer %d/%d epoch %d/%d recon %.4g", pi.Layer+1, pi.Layers, pi.Epoch, pi.Epochs, float64(pi.Stats.ReconTrain)))
			bar.Update(done, total)
		}})
	bar.Done()
	switch {
	case errors.Is(err, rbm.ErrStopped):
		fmt.Fprintf(stderr, "isingrbm train: stopped after %d epochs; checkpoint %s; continue with -resume\n", *f.stopAfter, p.ckpt)
		return nil, nil, nil
	case err != nil && caughtSignal() != nil:
		return nil, nil, interrupted(err, fmt.Sprintf("checkpoint written to %s; continue with: isingrbm train -data %s -o %s -resume", p.ckpt, data.Path, *f.out))
	case err != nil && p.resume != nil:
		return nil, nil, badInput("-resume: %v", err)
	}
	return dbn, hist, err
}
