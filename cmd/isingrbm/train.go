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
	ints := []struct {
		name string
		v    *int
		lo   int
		want string
		dst  *int
	}{
		{"epochs", r.epochs, 0, "want >= 0", &cfg.Epochs},
		{"batch", r.batch, 1, "want a positive number of rows", &cfg.Batch},
		{"momentum-switch", r.momentumSwitch, 0, "want an epoch >= 0", &cfg.MomentumSwitch},
		{"cd", r.cd, 1, "want k >= 1 Gibbs steps", &cfg.CDK},
		{"monitor-rows", r.monitorRows, 0, "want >= 0 (0: all)", &cfg.MonitorRows},
		{"snapshot-every", r.snapshotEvery, 0, "want >= 0 (0: none)", &cfg.SnapshotEvery},
		{"threads", r.threads, 0, "want 0 (all cores) or a positive count", &cfg.Threads},
	}
	for _, c := range ints {
		if !set[c.name] {
			continue
		}
		if *c.v < c.lo {
			return badInput("-%s: %s, got %d", c.name, c.want, *c.v)
		}
		*c.dst = *c.v
	}
	floats := []struct {
		name   string
		v      *float64
		zeroOK bool
		want   string
		dst    *float32
	}{
		{"lr", r.lr, false, "want a finite learning rate > 0", &cfg.LR},
		{"l1", r.l1, true, "want a finite penalty >= 0", &cfg.L1},
		{"l2", r.l2, true, "want a finite penalty >= 0", &cfg.L2},
		{"init-sigma", r.initSigma, true, "want a finite value >= 0", &cfg.InitSigma},
	}
	for _, c := range floats {
		if !set[c.name] {
			continue
		}
		if x := *c.v; !(x > 0 || c.zeroOK && x == 0) || math.IsInf(x, 0) {
			return badInput("-%s: %s, got %v", c.name, c.want, x)
		}
		*c.dst = float32(*c.v)
	}
	return r.applyOthers(cfg, set)
}

// applyOthers applies the choice, boolean and remaining flags for apply.
func (r *recipeFlags) applyOthers(cfg *rbm.Config, set map[string]bool) error {
	choices := []struct {
		name, no, yes string
		v             *string
		dst           *bool
	}{
		{"l1-mode", "sign", "proximal", r.l1Mode, &cfg.L1Proximal},
		{"visible-bias", "zero", "logodds", r.vbias, &cfg.VisibleBiasLogOdds},
		{"next-layer", "probabilities", "samples", r.nextLayer, &cfg.NextLayerSamples},
	}
	for _, c := range choices {
		if !set[c.name] {
			continue
		}
		if *c.v != c.no && *c.v != c.yes {
			return badInput("-%s: want %s or %s, got %q", c.name, c.no, c.yes, *c.v)
		}
		*c.dst = *c.v == c.yes
	}
	for name, b := range map[string]struct{ v, dst *bool }{
		"pcd": {r.pcd, &cfg.PCD}, "sample-visibles": {r.sampleVisibles, &cfg.SampleVisibles}, "shuffle": {r.shuffle, &cfg.Shuffle},
	} {
		if set[name] {
			*b.dst = *b.v
		}
	}
	if set["momentum"] {
		a, b, err := parseMomentum(*r.momentum)
		if err != nil {
			return err
		}
		cfg.MomentumInitial, cfg.MomentumFinal = a, b
	}
	if set["validation"] {
		if !(*r.validation >= 0 && *r.validation < 1) {
			return badInput("-validation: want a fraction in [0, 1), got %v", *r.validation)
		}
		cfg.ValidationFraction = *r.validation
	}
	if set["seed"] {
		cfg.Seed = *r.seed
	}
	return nil
}

// trainFlags are the flags of train besides the recipe.
type trainFlags struct {
	fs                                  *flag.FlagSet
	rf                                  *recipeFlags
	data, layers, preset, out, ckptPath *string
	ckptEvery, stopAfter                *int
	resume, asJSON                      *bool
	set                                 map[string]bool
}

func newTrainFlags(stderr io.Writer) *trainFlags {
	fs := newFlagSet("train", stderr)
	def, _ := rbm.Preset("mehta-schwab")
	f := &trainFlags{fs: fs}
	f.data = fs.String("data", "", "training data: .npy of shape (n, L, L) or (n, D), values in {0,1} (or [0,1] floats)")
	f.layers = fs.String("layers", "400,100,25", "hidden layer sizes, bottom up (the visible size comes from the data)")
	f.preset = fs.String("preset", "mehta-schwab", "starting recipe: "+strings.Join(rbm.Presets(), ", ")+"; explicit flags override it")
	f.out = fs.String("o", "model.npz", "output model file (.npz)")
	f.rf = addRecipeFlags(fs, def)
	f.ckptEvery = fs.Int("checkpoint-every", 5, "write a checkpoint every N epochs (0: only when interrupted)")
	f.ckptPath = fs.String("checkpoint", "", "checkpoint file (default: the output file + \".ckpt\")")
	f.resume = fs.Bool("resume", false, "continue the run saved in the checkpoint (same data; the recipe comes from the checkpoint)")
	f.stopAfter = fs.Int("stop-after", 0, "stop after N epochs of this run, leaving a checkpoint to -resume from (0: run to the end)")
	f.asJSON = fs.Bool("json", false, "print the final per-layer measures as JSON on stdout")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm train -data ising.npy -layers 400,100,25 [-preset mehta-schwab] [flags] -o model.npz")
		fs.PrintDefaults()
	}
	return f
}

// checkOutputs checks -o, -checkpoint-every, -stop-after and -checkpoint,
// and returns the checkpoint path.
func (f *trainFlags) checkOutputs() (string, error) {
	if *f.out == "" {
		return "", badInput("-o: want an output model file")
	}
	if st, err := os.Stat(*f.out); err == nil && st.IsDir() {
		return "", badInput("-o: %s is a folder, want a model file", *f.out)
	}
	if err := checkWritable(filepath.Dir(*f.out), "-o"); err != nil {
		return "", err
	}
	if *f.ckptEvery < 0 {
		return "", badInput("-checkpoint-every: want >= 0, got %d", *f.ckptEvery)
	}
	if *f.stopAfter < 0 {
		return "", badInput("-stop-after: want >= 0, got %d", *f.stopAfter)
	}
	ckpt := *f.ckptPath
	if ckpt == "" {
		ckpt = *f.out + ".ckpt"
	}
	return ckpt, checkWritable(filepath.Dir(ckpt), "-checkpoint")
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
// with it.
func (f *trainFlags) resumePlan(ckpt string, hidden []int) (trainPlan, error) {
	meta, err := rbm.ReadCheckpointMeta(ckpt)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return trainPlan{}, badInput("-resume: no checkpoint at %s", ckpt)
		}
		return trainPlan{}, badInput("-resume: %v", err)
	}
	cfg := *meta.Config
	if f.set["preset"] && *f.preset != cfg.Preset {
		return trainPlan{}, badInput("-resume: -preset %s, but the checkpoint was made with preset %q", *f.preset, cfg.Preset)
	}
	want := cfg
	if err := f.rf.apply(&want, f.set); err != nil {
		return trainPlan{}, err
	}
	if d := rbm.ConfigDiff(cfg, want); len(d) > 0 {
		return trainPlan{}, badInput("-resume: the checkpoint %s was made with other settings (%s); resume without changing them", ckpt, strings.Join(d, ", "))
	}
	if f.set["layers"] && !reflect.DeepEqual(hidden, meta.Sizes[1:]) {
		return trainPlan{}, badInput("-resume: -layers %s, but the checkpoint has layers %v", *f.layers, meta.Sizes[1:])
	}
	return trainPlan{cfg: cfg, hidden: meta.Sizes[1:], ckpt: ckpt, resume: &meta}, nil
}

// plan turns the flags into a trainPlan.
func (f *trainFlags) plan() (trainPlan, error) {
	ckpt, err := f.checkOutputs()
	if err != nil {
		return trainPlan{}, err
	}
	hidden, err := parseSizes("layers", *f.layers)
	if err != nil {
		return trainPlan{}, err
	}
	p := trainPlan{hidden: hidden, ckpt: ckpt}
	if *f.resume {
		if p, err = f.resumePlan(ckpt, hidden); err != nil {
			return p, err
		}
	} else {
		if p.cfg, err = rbm.Preset(*f.preset); err != nil {
			return p, badInput("-preset: %v", err)
		}
		p.cfg.Seed = 1
		if err := f.rf.apply(&p.cfg, f.set); err != nil {
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

func runTrain(args []string, stdout, stderr io.Writer) error {
	f := newTrainFlags(stderr)
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	f.set = map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	p, err := f.plan()
	if err != nil {
		return err
	}
	data, err := loadData("data", *f.data)
	if err != nil {
		return err
	}
	sizes := append([]int{data.set.D}, p.hidden...)
	if p.resume != nil {
		if p.resume.Sizes[0] != data.set.D {
			return badInput("-data: %s has %d units per sample, but the checkpoint %s has %d visible units", data.path, data.set.D, p.ckpt, p.resume.Sizes[0])
		}
		c := p.resume.Checkpoint
		fmt.Fprintf(stderr, "isingrbm train: resuming from %s at layer %d, after epoch %d of %d\n", p.ckpt, c.Layer+1, c.Epoch, p.cfg.Epochs)
	}
	dbn, hist, err := f.train(p, data, sizes, stderr)
	if err != nil || dbn == nil {
		return err
	}
	saved := p.cfg
	saved.CheckpointPath, saved.CheckpointEvery = "", 0
	meta := rbm.Meta{Config: &saved, History: hist, Extra: map[string]any{
		"data": data.path, "data_shape": data.shape, "data_dtype": data.descr, "lattice_L": data.L,
	}}
	if err := dbn.Save(*f.out, meta); err != nil {
		return err
	}
	if err := os.Remove(p.ckpt); err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "isingrbm train: could not remove the checkpoint %s: %v\n", p.ckpt, err)
	}
	return printTrainSummary(stdout, *f.out, sizes, hist, *f.asJSON)
}

// train trains (or resumes) with a progress bar; it returns a nil DBN and
// no error when -stop-after stopped the run.
func (f *trainFlags) train(p trainPlan, data *loadedData, sizes []int, stderr io.Writer) (*rbm.DBN, *rbm.History, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var startDone int64
	if p.resume != nil {
		startDone = int64(p.resume.Checkpoint.Layer*p.cfg.Epochs + p.resume.Checkpoint.Epoch)
	}
	total := int64((len(sizes) - 1) * p.cfg.Epochs)
	bar := newProgressBar(stderr, "train")
	epochsRun, stopped := 0, false
	progress := func(pi rbm.ProgressInfo) {
		done := int64(pi.Layer*pi.Epochs + pi.Epoch)
		bar.SetExtra(fmt.Sprintf("layer %d/%d epoch %d/%d recon %.4g", pi.Layer+1, pi.Layers, pi.Epoch, pi.Epochs, float64(pi.Stats.ReconTrain)))
		bar.Update(done-startDone, total-startDone)
		epochsRun++
		if *f.stopAfter > 0 && epochsRun >= *f.stopAfter {
			stopped = true
			cancel()
		}
	}
	var dbn *rbm.DBN
	var hist *rbm.History
	var err error
	if p.resume != nil {
		dbn, hist, err = rbm.ResumeDBN(ctx, p.ckpt, data.set, progress)
	} else {
		dbn, hist, err = rbm.TrainDBN(ctx, data.set, sizes, p.cfg, progress)
	}
	bar.Done()
	switch {
	case err != nil && errors.Is(err, context.Canceled) && stopped:
		fmt.Fprintf(stderr, "isingrbm train: stopped after %d epochs; checkpoint %s; continue with -resume\n", epochsRun, p.ckpt)
		return nil, nil, nil
	case err != nil && errors.Is(err, context.Canceled):
		return nil, nil, fmt.Errorf("interrupted; checkpoint written to %s; continue with: isingrbm train -data %s -o %s -resume", p.ckpt, data.path, *f.out)
	case err != nil && p.resume != nil:
		return nil, nil, badInput("-resume: %v", err)
	}
	return dbn, hist, err
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
