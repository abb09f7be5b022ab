package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/stats"
)

func init() {
	commands["train"] = command{
		summary: "train a deep belief network (stacked RBMs) on Ising configurations",
		run:     runTrain,
	}
}

// loadedData is a data file read into a rbm.Dataset.
type loadedData struct {
	path  string
	set   *rbm.Dataset
	L     int // lattice side when the samples are square lattices, else 0
	shape []int
	descr string
}

// loadData reads the .npy file named by flag -flagName: (n, L, L) or (n, D)
// arrays of uint8, bool, float32 or float64 with values in {0,1} (or [0,1]
// for floats). Every failure is a usage error naming the file.
func loadData(flagName, path string) (*loadedData, error) {
	if path == "" {
		return nil, badInput("-%s: want a .npy file of configurations, (n, L, L) or (n, D)", flagName)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, badInput("-%s: %s: no such file", flagName, path)
	}
	if st.IsDir() {
		return nil, badInput("-%s: %s is a folder, want a .npy file", flagName, path)
	}
	a, err := npy.ReadFile(path)
	if err != nil {
		return nil, badInput("-%s: %v", flagName, err)
	}
	if len(a.Shape) < 2 || len(a.Shape) > 3 {
		return nil, badInput("-%s: %s: shape %v (%d dimensions), want (n, L, L) or (n, D)", flagName, path, a.Shape, len(a.Shape))
	}
	switch a.Descr {
	case "|u1", "u1", "<u1", ">u1", "|b1", "b1", "<f4", ">f4", "<f8", ">f8":
	default:
		return nil, badInput("-%s: %s: dtype %s, want uint8 (|u1), bool (|b1), float32 (<f4) or float64 (<f8)", flagName, path, a.Descr)
	}
	d, err := rbm.DatasetFromArray(path, a)
	if err != nil {
		return nil, badInput("-%s: %v", flagName, err)
	}
	out := &loadedData{path: path, set: d, shape: append([]int(nil), a.Shape...), descr: a.Descr}
	if len(a.Shape) == 3 && a.Shape[1] == a.Shape[2] {
		out.L = a.Shape[1]
	} else if len(a.Shape) == 2 {
		if l := int(math.Round(math.Sqrt(float64(d.D)))); l*l == d.D {
			out.L = l
		}
	}
	return out, nil
}

// parseSizes reads a comma-separated list of positive unit counts.
func parseSizes(flagName, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, badInput("-%s: want positive unit counts separated by commas (e.g. 400,100,25), got %q", flagName, s)
		}
		if n > 1<<20 {
			return nil, badInput("-%s: %d units is too many (at most %d)", flagName, n, 1<<20)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseMomentum reads "0.5,0.9" (initial, final) or one value for both.
func parseMomentum(s string) (float32, float32, error) {
	parts := strings.Split(s, ",")
	if len(parts) > 2 {
		return 0, 0, badInput("-momentum: want one value or initial,final (e.g. 0.5,0.9), got %q", s)
	}
	var v [2]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(x >= 0 && x < 1) {
			return 0, 0, badInput("-momentum: want values in [0, 1), got %q", s)
		}
		v[i] = x
	}
	if len(parts) == 1 {
		v[1] = v[0]
	}
	return float32(v[0]), float32(v[1]), nil
}

// recipeFlags holds the training-recipe flags of train; apply copies the
// explicitly given ones onto a Config.
type recipeFlags struct {
	epochs, batch, cd, momentumSwitch   *int
	lr, l1, l2, initSigma, validation   *float64
	momentum, nextLayer, l1Mode, vbias  *string
	pcd, shuffle, sampleVisibles        *bool
	seed                                *uint64
	threads, monitorRows, snapshotEvery *int
}

func addRecipeFlags(fs *flag.FlagSet, def rbm.Config) *recipeFlags {
	r := &recipeFlags{}
	r.epochs = fs.Int("epochs", def.Epochs, "passes over the data per layer")
	r.batch = fs.Int("batch", def.Batch, "mini-batch rows (and persistent chains with -pcd)")
	r.lr = fs.Float64("lr", shortFloat(def.LR), "learning rate of weights and biases")
	r.momentum = fs.String("momentum", fmt.Sprintf("%g,%g", def.MomentumInitial, def.MomentumFinal), "momentum: initial,final (or one value)")
	r.momentumSwitch = fs.Int("momentum-switch", def.MomentumSwitch, "epoch (from 0) at which the final momentum starts")
	r.l1 = fs.Float64("l1", shortFloat(def.L1), "L1 penalty on the weights")
	r.l2 = fs.Float64("l2", shortFloat(def.L2), "L2 penalty (weight decay) on the weights")
	r.l1Mode = fs.String("l1-mode", "sign", "how L1 is applied: sign (subgradient) or proximal (soft threshold)")
	r.cd = fs.Int("cd", def.CDK, "Gibbs steps k of CD-k")
	r.pcd = fs.Bool("pcd", def.PCD, "persistent contrastive divergence (chains kept across mini-batches)")
	r.sampleVisibles = fs.Bool("sample-visibles", def.SampleVisibles, "binary samples (not probabilities) as the final reconstructed visibles")
	r.initSigma = fs.Float64("init-sigma", shortFloat(def.InitSigma), "initial weights ~ init-sigma * N(0,1)")
	r.vbias = fs.String("visible-bias", "zero", "initial visible biases: zero or logodds (of the data's unit means)")
	r.shuffle = fs.Bool("shuffle", def.Shuffle, "reshuffle mini-batches every epoch")
	r.validation = fs.Float64("validation", def.ValidationFraction, "fraction of samples held out and monitored each epoch")
	r.monitorRows = fs.Int("monitor-rows", def.MonitorRows, "samples the per-epoch measures use (0: all)")
	r.snapshotEvery = fs.Int("snapshot-every", def.SnapshotEvery, "keep a copy of W every N epochs in the model file (0: none)")
	r.nextLayer = fs.String("next-layer", "probabilities", "input of each upper layer: probabilities or samples (of the hidden units below)")
	r.seed = fs.Uint64("seed", 1, "random seed (same seed, same model)")
	r.threads = fs.Int("threads", 0, "worker threads (0: all cores); resume with the same value")
	return r
}

// apply sets the fields of cfg whose flags were given explicitly (set) and
// checks each value, naming its flag.
func (r *recipeFlags) apply(cfg *rbm.Config, set map[string]bool) error {
	for name := range set {
		switch name {
		case "epochs":
			if *r.epochs < 0 {
				return badInput("-epochs: want >= 0, got %d", *r.epochs)
			}
			cfg.Epochs = *r.epochs
		case "batch":
			if *r.batch <= 0 {
				return badInput("-batch: want a positive number of rows, got %d", *r.batch)
			}
			cfg.Batch = *r.batch
		case "lr":
			if !(*r.lr > 0) || math.IsInf(*r.lr, 0) {
				return badInput("-lr: want a finite learning rate > 0, got %v", *r.lr)
			}
			cfg.LR = float32(*r.lr)
		case "momentum":
			a, b, err := parseMomentum(*r.momentum)
			if err != nil {
				return err
			}
			cfg.MomentumInitial, cfg.MomentumFinal = a, b
		case "momentum-switch":
			if *r.momentumSwitch < 0 {
				return badInput("-momentum-switch: want an epoch >= 0, got %d", *r.momentumSwitch)
			}
			cfg.MomentumSwitch = *r.momentumSwitch
		case "l1":
			if !(*r.l1 >= 0) || math.IsInf(*r.l1, 0) {
				return badInput("-l1: want a finite penalty >= 0, got %v", *r.l1)
			}
			cfg.L1 = float32(*r.l1)
		case "l2":
			if !(*r.l2 >= 0) || math.IsInf(*r.l2, 0) {
				return badInput("-l2: want a finite penalty >= 0, got %v", *r.l2)
			}
			cfg.L2 = float32(*r.l2)
		case "l1-mode":
			switch *r.l1Mode {
			case "sign":
				cfg.L1Proximal = false
			case "proximal":
				cfg.L1Proximal = true
			default:
				return badInput("-l1-mode: want sign or proximal, got %q", *r.l1Mode)
			}
		case "cd":
			if *r.cd <= 0 {
				return badInput("-cd: want k >= 1 Gibbs steps, got %d", *r.cd)
			}
			cfg.CDK = *r.cd
		case "pcd":
			cfg.PCD = *r.pcd
		case "sample-visibles":
			cfg.SampleVisibles = *r.sampleVisibles
		case "init-sigma":
			if !(*r.initSigma >= 0) || math.IsInf(*r.initSigma, 0) {
				return badInput("-init-sigma: want a finite value >= 0, got %v", *r.initSigma)
			}
			cfg.InitSigma = float32(*r.initSigma)
		case "visible-bias":
			switch *r.vbias {
			case "zero":
				cfg.VisibleBiasLogOdds = false
			case "logodds":
				cfg.VisibleBiasLogOdds = true
			default:
				return badInput("-visible-bias: want zero or logodds, got %q", *r.vbias)
			}
		case "shuffle":
			cfg.Shuffle = *r.shuffle
		case "validation":
			if !(*r.validation >= 0 && *r.validation < 1) {
				return badInput("-validation: want a fraction in [0, 1), got %v", *r.validation)
			}
			cfg.ValidationFraction = *r.validation
		case "monitor-rows":
			if *r.monitorRows < 0 {
				return badInput("-monitor-rows: want >= 0 (0: all), got %d", *r.monitorRows)
			}
			cfg.MonitorRows = *r.monitorRows
		case "snapshot-every":
			if *r.snapshotEvery < 0 {
				return badInput("-snapshot-every: want >= 0 (0: none), got %d", *r.snapshotEvery)
			}
			cfg.SnapshotEvery = *r.snapshotEvery
		case "next-layer":
			switch *r.nextLayer {
			case "probabilities":
				cfg.NextLayerSamples = false
			case "samples":
				cfg.NextLayerSamples = true
			default:
				return badInput("-next-layer: want probabilities or samples, got %q", *r.nextLayer)
			}
		case "seed":
			cfg.Seed = *r.seed
		case "threads":
			if *r.threads < 0 {
				return badInput("-threads: want 0 (all cores) or a positive count, got %d", *r.threads)
			}
			cfg.Threads = *r.threads
		}
	}
	return nil
}

// readCheckpointMeta returns the meta.json of a checkpoint file.
func readCheckpointMeta(path string) (rbm.Meta, error) {
	var meta rbm.Meta
	z, err := npy.ReadNPZ(path)
	if err != nil {
		return meta, err
	}
	js, ok := z.Files["meta.json"]
	if !ok {
		return meta, fmt.Errorf("%s: not a checkpoint (no meta.json)", path)
	}
	if err := json.Unmarshal(js, &meta); err != nil {
		return meta, fmt.Errorf("%s: meta.json: %v", path, err)
	}
	if meta.Checkpoint == nil || meta.Config == nil || len(meta.Sizes) < 2 {
		return meta, fmt.Errorf("%s: not a checkpoint (meta.json has no checkpoint, config or layer sizes)", path)
	}
	return meta, nil
}

// configDiff names the JSON fields in which a and b differ.
func configDiff(a, b rbm.Config) []string {
	var out []string
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	t := va.Type()
	for i := 0; i < t.NumField(); i++ {
		name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
		if name == "checkpoint_path" || name == "checkpoint_every" {
			continue
		}
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, name)
		}
	}
	return out
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train", stderr)
	def, _ := rbm.Preset("mehta-schwab")
	dataPath := fs.String("data", "", "training data: .npy of shape (n, L, L) or (n, D), values in {0,1} (or [0,1] floats)")
	layers := fs.String("layers", "400,100,25", "hidden layer sizes, bottom up (the visible size comes from the data)")
	preset := fs.String("preset", "mehta-schwab", "starting recipe: "+strings.Join(rbm.Presets(), ", ")+"; explicit flags override it")
	out := fs.String("o", "model.npz", "output model file (.npz)")
	rf := addRecipeFlags(fs, def)
	ckptEvery := fs.Int("checkpoint-every", 5, "write a checkpoint every N epochs (0: only when interrupted)")
	ckptPath := fs.String("checkpoint", "", "checkpoint file (default: the output file + \".ckpt\")")
	resume := fs.Bool("resume", false, "continue the run saved in the checkpoint (same data; the recipe comes from the checkpoint)")
	stopAfter := fs.Int("stop-after", 0, "stop after N epochs of this run, leaving a checkpoint to -resume from (0: run to the end)")
	asJSON := fs.Bool("json", false, "print the final per-layer measures as JSON on stdout")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm train -data ising.npy -layers 400,100,25 [-preset mehta-schwab] [flags] -o model.npz")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	if *out == "" {
		return badInput("-o: want an output model file")
	}
	if st, err := os.Stat(*out); err == nil && st.IsDir() {
		return badInput("-o: %s is a folder, want a model file", *out)
	}
	if err := checkWritable(filepath.Dir(*out), "-o"); err != nil {
		return err
	}
	if *ckptEvery < 0 {
		return badInput("-checkpoint-every: want >= 0, got %d", *ckptEvery)
	}
	if *stopAfter < 0 {
		return badInput("-stop-after: want >= 0, got %d", *stopAfter)
	}
	ckpt := *ckptPath
	if ckpt == "" {
		ckpt = *out + ".ckpt"
	}
	if err := checkWritable(filepath.Dir(ckpt), "-checkpoint"); err != nil {
		return err
	}
	hidden, err := parseSizes("layers", *layers)
	if err != nil {
		return err
	}

	var cfg rbm.Config
	var startDone int64
	var ckMeta rbm.Meta
	if *resume {
		meta, err := readCheckpointMeta(ckpt)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return badInput("-resume: no checkpoint at %s", ckpt)
			}
			return badInput("-resume: %v", err)
		}
		cfg = *meta.Config
		want := cfg
		if set["preset"] && *preset != cfg.Preset {
			return badInput("-resume: -preset %s, but the checkpoint was made with preset %q", *preset, cfg.Preset)
		}
		if err := rf.apply(&want, set); err != nil {
			return err
		}
		if d := configDiff(cfg, want); len(d) > 0 {
			return badInput("-resume: the checkpoint %s was made with other settings (%s); resume without changing them", ckpt, strings.Join(d, ", "))
		}
		if set["layers"] && !reflect.DeepEqual(hidden, meta.Sizes[1:]) {
			return badInput("-resume: -layers %s, but the checkpoint has layers %v", *layers, meta.Sizes[1:])
		}
		hidden = meta.Sizes[1:]
		ckMeta = meta
		startDone = int64(meta.Checkpoint.Layer*cfg.Epochs + meta.Checkpoint.Epoch)
		fmt.Fprintf(stderr, "isingrbm train: resuming from %s at layer %d, after epoch %d of %d\n",
			ckpt, meta.Checkpoint.Layer+1, meta.Checkpoint.Epoch, cfg.Epochs)
	} else {
		if cfg, err = rbm.Preset(*preset); err != nil {
			return badInput("-preset: %v", err)
		}
		cfg.Seed = 1
		if err := rf.apply(&cfg, set); err != nil {
			return err
		}
	}
	cfg.CheckpointPath = ckpt
	cfg.CheckpointEvery = *ckptEvery
	if err := cfg.Validate(); err != nil {
		return badInput("%v", err)
	}

	data, err := loadData("data", *dataPath)
	if err != nil {
		return err
	}
	sizes := append([]int{data.set.D}, hidden...)
	if *resume && ckMeta.Sizes[0] != data.set.D {
		return badInput("-data: %s has %d units per sample, but the checkpoint %s has %d visible units", data.path, data.set.D, ckpt, ckMeta.Sizes[0])
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	total := int64((len(sizes) - 1) * cfg.Epochs)
	bar := newProgressBar(stderr, "train")
	epochsRun := 0
	stopped := false
	progress := func(p rbm.ProgressInfo) {
		done := int64(p.Layer*p.Epochs + p.Epoch)
		bar.SetExtra(fmt.Sprintf("layer %d/%d epoch %d/%d recon %.4g", p.Layer+1, p.Layers, p.Epoch, p.Epochs, float64(p.Stats.ReconTrain)))
		bar.Update(done-startDone, total-startDone)
		epochsRun++
		if *stopAfter > 0 && epochsRun >= *stopAfter {
			stopped = true
			cancel()
		}
	}
	var dbn *rbm.DBN
	var hist *rbm.History
	if *resume {
		dbn, hist, err = rbm.ResumeDBN(ctx, ckpt, data.set, progress)
	} else {
		dbn, hist, err = rbm.TrainDBN(ctx, data.set, sizes, cfg, progress)
	}
	bar.Done()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			if stopped {
				fmt.Fprintf(stderr, "isingrbm train: stopped after %d epochs; checkpoint %s; continue with -resume\n", epochsRun, ckpt)
				return nil
			}
			return fmt.Errorf("interrupted; checkpoint written to %s; continue with: isingrbm train -data %s -o %s -resume", ckpt, data.path, *out)
		}
		if *resume {
			return badInput("-resume: %v", err)
		}
		return err
	}
	saved := cfg
	saved.CheckpointPath, saved.CheckpointEvery = "", 0
	meta := rbm.Meta{Config: &saved, History: hist, Extra: map[string]any{
		"data": data.path, "data_shape": data.shape, "data_dtype": data.descr, "lattice_L": data.L,
	}}
	if err := dbn.Save(*out, meta); err != nil {
		return err
	}
	if err := os.Remove(ckpt); err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "isingrbm train: could not remove the checkpoint %s: %v\n", ckpt, err)
	}
	return printTrainSummary(stdout, *out, sizes, hist, *asJSON)
}

// trainLayerSummary is the last epoch's measures of one layer.
type trainLayerSummary struct {
	Layer   int            `json:"layer"` // from 1
	Visible int            `json:"visible"`
	Hidden  int            `json:"hidden"`
	Epochs  int            `json:"epochs"`
	Seconds stats.Num      `json:"seconds"`
	Last    rbm.EpochStats `json:"last_epoch"`
}

func printTrainSummary(w io.Writer, out string, sizes []int, hist *rbm.History, asJSON bool) error {
	var rows []trainLayerSummary
	for l := 0; l+1 < len(sizes); l++ {
		r := trainLayerSummary{Layer: l + 1, Visible: sizes[l], Hidden: sizes[l+1]}
		if hist != nil && l < len(hist.Layers) && len(hist.Layers[l]) > 0 {
			h := hist.Layers[l]
			r.Epochs = len(h)
			r.Last = h[len(h)-1]
			for _, e := range h {
				r.Seconds += e.Seconds
			}
		}
		rows = append(rows, r)
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"model": out, "layers": rows})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer\tunits\tepochs\trecon train\trecon val\tpseudo-LL train\tpseudo-LL val\tF gap\tseconds\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%d->%d\t%d\t%.5g\t%.5g\t%.5g\t%.5g\t%.4g\t%.1f\t\n", r.Layer, r.Visible, r.Hidden, r.Epochs,
			float64(r.Last.ReconTrain), float64(r.Last.ReconVal), float64(r.Last.PseudoLLTrain), float64(r.Last.PseudoLLVal),
			float64(r.Last.FreeEnergyGap), float64(r.Seconds))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "model written to %s\n", out)
	return err
}

// shortFloat widens a float32 to the float64 with the same shortest decimal
// form, so that flag defaults print as 0.1, not 0.10000000149011612.
func shortFloat(x float32) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	return v
}
