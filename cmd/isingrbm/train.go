package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/isingrbm/isingrbm/core/interrupt"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/rbm"
)

func init() {
	commands["train"] = command{
		summary: "train a deep belief network (stacked RBMs) on Ising configurations",
		run:     runTrain,
	}
}

// newTrainJob registers train's flags, bound to the fields of an
// rbm.TrainJob (the recipe flags through param.AddFlags); asJSON is -json.
// -h prints to stdout.
func newTrainJob(stdout io.Writer) (j *rbm.TrainJob, asJSON *bool) {
	fs := newFlagSet("train", stdout)
	def, _ := rbm.TrainRecipe("mehta-schwab")
	j = &rbm.TrainJob{Flags: fs}
	fs.StringVar(&j.Data, "data", "", "training data: .npy of shape (n, L, L) or (n, D), values in {0,1} (or [0,1] floats)")
	fs.StringVar(&j.Layers, "layers", "400,100,25", fmt.Sprintf("hidden layer sizes, bottom up, 1..%d units each (the visible size comes from the data)", rbm.MaxUnits))
	fs.StringVar(&j.Preset, "preset", "mehta-schwab", "starting recipe: "+strings.Join(rbm.Presets(), ", ")+"; explicit flags override it")
	fs.StringVar(&j.Out, "o", "model.npz", "output model file (.npz); the epochs' seconds go beside it to <o>"+rbm.TimingsSuffix)
	param.AddFlags(fs, rbm.ConfigParams(), &def)
	param.IntVar(fs, &j.CheckpointEvery, "checkpoint-every", 5, "write a checkpoint every N epochs (0: only when interrupted)")
	fs.StringVar(&j.Checkpoint, "checkpoint", "", "checkpoint file (default: the output file + \".ckpt\")")
	fs.BoolVar(&j.Resume, "resume", false, "continue the run saved in the checkpoint (same data; the recipe comes from the checkpoint)")
	param.IntVar(fs, &j.StopAfter, "stop-after", 0, "stop after N epochs of this run, leaving a checkpoint to -resume from (0: run to the end)")
	asJSON = fs.Bool("json", false, "print the final per-layer measures as JSON on stdout")
	fs.BoolVar(&j.Replace, "replace", false, "replace outputs that exist and are not regular files (symlinks, FIFOs, devices)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: isingrbm train -data ising.npy -layers 400,100,25 [-preset mehta-schwab] [flags] -o model.npz")
		fs.PrintDefaults()
	}
	return j, asJSON
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	j, asJSON := newTrainJob(stdout)
	if err := parseFlags(j.Flags, args); err != nil {
		return err
	}
	p, err := j.Plan()
	if err != nil {
		return asUsage(err)
	}
	data, sizes, err := j.ReadData(p)
	if err != nil {
		return asUsage(err)
	}
	defer rbm.LimitMemory(p.MemoryEstimate(data, sizes))()
	dbn, hist, err := train(j, p, data, sizes, stderr)
	if err != nil || dbn == nil {
		return err
	}
	// A signal during the save waits for it (or a second signal): the
	// run's result is in this file, and no checkpoint is written before it.
	release := interrupt.HoldWrite("model", dbn.FileBytes())
	beforeModelSave()
	err = j.Save(p, dbn, hist, data)
	release()
	if err != nil {
		return err
	}
	if err := p.RemoveCheckpoint(); err != nil {
		fmt.Fprintf(stderr, "isingrbm train: could not remove the checkpoint %s: %v\n", p.Config.CheckpointPath, err)
	}
	rows := hist.Summarize(sizes)
	warnings := rbm.IndependentWarnings(rows, p.Config.PCD)
	if *asJSON {
		return printJSON(stdout, map[string]any{"model": j.Out, "layers": rows, "warnings": warnings})
	}
	if err := rbm.WriteTrainTable(stdout, rows); err != nil {
		return err
	}
	for _, msg := range warnings {
		if _, err := fmt.Fprintln(stdout, msg); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(stdout, "model written to %s\n", j.Out)
	return err
}

// train trains (or resumes) with a progress bar (rbm.Fit); it returns a
// nil DBN and no error when -stop-after stopped the run.
func train(j *rbm.TrainJob, p rbm.TrainPlan, data *rbm.DataFile, sizes []int, stderr io.Writer) (*rbm.DBN, *rbm.History, error) {
	ckpt := p.Config.CheckpointPath
	if c := p.Resume; c != nil {
		fmt.Fprintf(stderr, "isingrbm train: resuming from %s at layer %d, after epoch %d of %d\n", ckpt, c.Checkpoint.Layer+1, c.Checkpoint.Epoch, p.Config.Epochs)
	}
	if c := p.Replaces; c != nil && c.Checkpoint != nil {
		fmt.Fprintf(stderr, "isingrbm train: warning: replacing the checkpoint %s of an earlier run (layer %d, after epoch %d); -resume would have continued it\n", ckpt, c.Checkpoint.Layer+1, c.Checkpoint.Epoch)
	}
	bar := newProgressBar(stderr, "train")
	dbn, hist, err := rbm.Fit(interrupt.Context(), data.Set, sizes, p.Config, rbm.FitOptions{Resume: p.Resume, StopAfter: j.StopAfter,
		Progress: func(done, total int64, pi rbm.ProgressInfo) {
			bar.SetExtra(pi.String())
			bar.Update(done, total)
		}})
	bar.Done()
	switch {
	case errors.Is(err, rbm.ErrStopped):
		fmt.Fprintf(stderr, "isingrbm train: stopped after %d epochs; checkpoint %s; continue with -resume\n", j.StopAfter, ckpt)
		return nil, nil, nil
	case err != nil && interrupt.Caught() != nil:
		return nil, nil, interrupt.Interrupted(err, fmt.Sprintf("checkpoint written to %s; continue with: isingrbm train -data %s -o %s -resume", ckpt, data.Path, j.Out))
	case errors.Is(err, rbm.ErrDiverged):
		if _, serr := os.Stat(ckpt); serr == nil {
			err = fmt.Errorf("%w (the checkpoint %s of an earlier epoch is kept)", err, ckpt)
		}
		return nil, nil, err
	case err != nil && p.Resume != nil:
		return nil, nil, badInput("-resume: %v", err)
	}
	return dbn, hist, err
}

// beforeModelSave runs as train's final save starts (tests signal there).
var beforeModelSave = func() {}
