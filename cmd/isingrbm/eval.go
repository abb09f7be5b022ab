package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/isingrbm/isingrbm/asm/f32"
	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/stats"
)

func init() {
	commands["eval"] = command{
		summary: "evaluate a model layer by layer: free energy, pseudo-likelihood, reconstruction error, log-likelihood",
		run:     runEval,
	}
}

// evalOptions control evaluateDBN.
type evalOptions struct {
	Layers   []int // layers to evaluate, from 1; nil means all
	AISRuns  int
	AISSteps [3]int // steps on [0, 0.5], [0.5, 0.9], [0.9, 1]
	Seed     uint64
	Threads  int
	// Progress, if set, is called with the measures done and their total.
	Progress func(done, total int64)
}

// layerEval is one layer's line of the eval output (and of replicate's
// eval stage). Layer l > 1 is evaluated on the hidden probabilities of layer
// l-1 (a deterministic mean-field pass up from the data).
type layerEval struct {
	Layer        int       `json:"layer"`   // from 1; arrays W<layer-1>, b<layer-1>, c<layer-1>
	Visible      int       `json:"visible"` // units
	Hidden       int       `json:"hidden"`
	Input        string    `json:"input"` // "data" or "hidden probabilities of layer k"
	Samples      int       `json:"samples"`
	FreeEnergy   stats.Num `json:"free_energy"`   // mean F(v)
	PseudoLL     stats.Num `json:"pseudo_loglik"` // mean n_v log sigmoid(F(v~) - F(v)), one seeded flip per sample
	ReconError   stats.Num `json:"recon_error"`   // mean sum_i (v_i - r_i)^2, mean-field reconstruction
	LogLik       stats.Num `json:"loglik"`        // mean log p(v) = -F(v) - log Z
	LogLikErr    stats.Num `json:"loglik_err"`    // one standard error (0 for exact)
	LogLikLo     stats.Num `json:"loglik_lo"`     // -F - log(Z^ + 3 sigma)
	LogLikHi     stats.Num `json:"loglik_hi"`     // -F - log(Z^ - 3 sigma); null when Z^ - 3 sigma <= 0
	LogLikMethod string    `json:"loglik_method"` // "exact" or "ais"
	LogZ         stats.Num `json:"log_z"`
	AISRuns      int       `json:"ais_runs,omitempty"`
	AISSteps     int       `json:"ais_steps,omitempty"`
	Seconds      float64   `json:"seconds"`
}

// evalReport is the JSON output of eval.
type evalReport struct {
	Model        string      `json:"model"`
	Data         string      `json:"data"`
	Samples      int         `json:"samples"`       // evaluated
	SamplesTotal int         `json:"samples_total"` // in the data file
	Seed         uint64      `json:"seed"`
	Layers       []layerEval `json:"layers"`
}

// aisBetas returns the piecewise-linear schedule of steps.
func aisBetas(steps [3]int) []float64 {
	return rbm.LinearBetas([]float64{0, 0.5, 0.9, 1}, steps[:])
}

// parseAISSteps reads "1000,4000,10000" (steps on [0,0.5], [0.5,0.9],
// [0.9,1]) or one total split 1:4:10.
func parseAISSteps(s string) ([3]int, error) {
	parts := strings.Split(s, ",")
	var out [3]int
	bad := badInput("-ais-steps: want one total or three counts for [0,0.5],[0.5,0.9],[0.9,1] (e.g. 1000,4000,10000), got %q", s)
	switch len(parts) {
	case 1:
		n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
		if err != nil || n < 15 {
			return out, badInput("-ais-steps: want a total of at least 15 steps, got %q", s)
		}
		out = [3]int{n / 15, 4 * n / 15, n - n/15 - 4*n/15}
	case 3:
		for i, p := range parts {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil || n < 1 {
				return out, bad
			}
			out[i] = n
		}
	default:
		return out, bad
	}
	if out[0]+out[1]+out[2] > 10_000_000 {
		return out, badInput("-ais-steps: %q is too many steps (at most 10,000,000)", s)
	}
	return out, nil
}

// evaluateDBN evaluates the chosen layers of d on data, each layer on the
// hidden probabilities of the layer below.
func evaluateDBN(ctx context.Context, d *rbm.DBN, data *rbm.Dataset, opt evalOptions) ([]layerEval, error) {
	ws := f32.NewWorkspace(opt.Threads) // 0: all cores
	want := map[int]bool{}
	maxLayer := 0
	for _, l := range opt.Layers {
		want[l] = true
		maxLayer = max(maxLayer, l)
	}
	if opt.Layers == nil {
		for l := 1; l <= len(d.Layers); l++ {
			want[l] = true
		}
		maxLayer = len(d.Layers)
	}
	total := int64(4 * len(want))
	done := int64(0)
	tick := func() {
		done++
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
	}
	var out []layerEval
	cur := data
	for l := 1; l <= maxLayer; l++ {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r := d.Layers[l-1]
		if want[l] {
			start := time.Now()
			e := layerEval{Layer: l, Visible: r.NVisible, Hidden: r.NHidden, Input: "data", Samples: cur.N}
			if l > 1 {
				e.Input = fmt.Sprintf("hidden probabilities of layer %d (mean-field pass up from the data)", l-1)
			}
			e.FreeEnergy = stats.Num(r.MeanFreeEnergy(ws, cur))
			tick()
			e.PseudoLL = stats.Num(stats.Mean(r.PseudoLikelihood(ws, cur, opt.Seed^uint64(l)<<40)))
			tick()
			e.ReconError = stats.Num(r.ReconstructionError(ws, cur))
			tick()
			method := "ais"
			if min(r.NVisible, r.NHidden) <= rbm.MaxExactUnits {
				method = "exact"
			}
			ais := rbm.AISConfig{Runs: opt.AISRuns, Betas: aisBetas(opt.AISSteps), Seed: opt.Seed + uint64(l)}
			ll, err := r.LogLikelihood(ws, cur, method, ais)
			if err != nil {
				return out, fmt.Errorf("layer %d: log-likelihood: %w", l, err)
			}
			tick()
			e.LogLikMethod = method
			e.LogLik, e.LogLikLo, e.LogLikHi, e.LogZ = stats.Num(ll.Mean), stats.Num(ll.Lo), stats.Num(ll.Hi), stats.Num(ll.LogZ)
			if method == "exact" {
				e.LogLikErr = 0
			} else {
				e.AISRuns = ais.Runs
				e.AISSteps = len(ais.Betas) - 1
				// The +3 sigma bound of Z is always finite: one sigma in log
				// units is a third of its distance from the estimate.
				e.LogLikErr = stats.Num((ll.LogZHi - ll.LogZ) / 3)
			}
			e.Seconds = time.Since(start).Seconds()
			out = append(out, e)
		}
		if l < maxLayer {
			cur = upLayer(ws, r, cur)
		}
	}
	return out, nil
}

// upLayer returns the hidden probabilities of r for every sample of d.
func upLayer(ws *f32.Workspace, r *rbm.RBM, d *rbm.Dataset) *rbm.Dataset {
	const chunk = 512
	out := &rbm.Dataset{N: d.N, D: r.NHidden, P: make([]float32, d.N*r.NHidden)}
	v := make([]float32, chunk*r.NVisible)
	for lo := 0; lo < d.N; lo += chunk {
		hi := min(lo+chunk, d.N)
		d.Range(lo, hi, v)
		ws.SigmoidAffineNN(hi-lo, r.NHidden, r.NVisible, v, r.NVisible, r.W, r.NHidden, r.C, out.P[lo*r.NHidden:], r.NHidden)
	}
	return out
}

// seededSubset returns n samples of d chosen without replacement by a
// generator seeded with seed, kept in data order (d itself when n <= 0 or
// n >= d.N).
func seededSubset(d *rbm.Dataset, n int, seed uint64) *rbm.Dataset {
	if n <= 0 || n >= d.N {
		return d
	}
	perm := make([]int, d.N)
	for i := range perm {
		perm[i] = i
	}
	g := rng.Stream(seed, 0x5eb5e7)
	g.Shuffle(perm)
	idx := append([]int(nil), perm[:n]...)
	sort.Ints(idx)
	return d.Subset(idx)
}

// parseLayerList reads "all" or a list of layers from 1.
func parseLayerList(s string, n int) ([]int, error) {
	if s == "" || s == "all" {
		return nil, nil
	}
	seen := map[int]bool{}
	var out []int
	for _, f := range strings.Split(s, ",") {
		l, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || l < 1 || l > n {
			return nil, badInput("-layers: want \"all\" or layers from 1 to %d separated by commas, got %q", n, s)
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Ints(out)
	return out, nil
}

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stderr)
	modelPath := fs.String("model", "", "model file (.npz written by train)")
	dataPath := fs.String("data", "", "data: .npy of shape (n, L, L) or (n, D), values in {0,1} (or [0,1] floats)")
	asJSON := fs.Bool("json", false, "print JSON on stdout instead of a table")
	aisRuns := fs.Int("ais-runs", 100, "annealed importance sampling runs (layers too large for exact log Z)")
	aisStepsFlag := fs.String("ais-steps", "1000,4000,10000", "AIS schedule: steps on [0,0.5],[0.5,0.9],[0.9,1], or one total split 1:4:10")
	seed := fs.Uint64("seed", 1, "seed of AIS, the pseudo-likelihood's flips and -max-samples")
	layers := fs.String("layers", "all", "layers to evaluate, from 1 (e.g. 1,3)")
	maxSamples := fs.Int("max-samples", 0, "evaluate a seeded random subset of this many samples (0: all)")
	threads := fs.Int("threads", 0, "worker threads (0: all cores)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: isingrbm eval -model model.npz -data ising.npy [-json] [flags]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *aisRuns < 2 {
		return badInput("-ais-runs: want at least 2 runs, got %d", *aisRuns)
	}
	steps, err := parseAISSteps(*aisStepsFlag)
	if err != nil {
		return err
	}
	if *maxSamples < 0 {
		return badInput("-max-samples: want >= 0 (0: all), got %d", *maxSamples)
	}
	if *threads < 0 {
		return badInput("-threads: want 0 (all cores) or a positive count, got %d", *threads)
	}
	if *modelPath == "" {
		return badInput("-model: want a model file (.npz)")
	}
	if _, err := os.Stat(*modelPath); err != nil {
		return badInput("-model: %s: no such file", *modelPath)
	}
	dbn, _, err := rbm.LoadDBN(*modelPath)
	if err != nil {
		return badInput("-model: %v", err)
	}
	which, err := parseLayerList(*layers, len(dbn.Layers))
	if err != nil {
		return err
	}
	data, err := loadData("data", *dataPath)
	if err != nil {
		return err
	}
	if nv := dbn.Layers[0].NVisible; nv != data.set.D {
		return badInput("-data: %s has %d units per sample (shape %v), but the model %s has %d visible units",
			data.path, data.set.D, data.shape, *modelPath, nv)
	}
	set := seededSubset(data.set, *maxSamples, *seed)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgressBar(stderr, "eval")
	res, err := evaluateDBN(ctx, dbn, set, evalOptions{Layers: which, AISRuns: *aisRuns, AISSteps: steps,
		Seed: *seed, Threads: *threads, Progress: bar.Update})
	bar.Done()
	if err != nil {
		return err
	}
	rep := evalReport{Model: *modelPath, Data: data.path, Samples: set.N, SamplesTotal: data.set.N, Seed: *seed, Layers: res}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer\tunits\tfree energy\tpseudo-LL\trecon error\tlog-lik\t+/-\tmethod\tseconds\t")
	for _, e := range res {
		fmt.Fprintf(tw, "%d\t%d->%d\t%.5g\t%.5g\t%.5g\t%.6g\t%.2g\t%s\t%.1f\t\n", e.Layer, e.Visible, e.Hidden,
			float64(e.FreeEnergy), float64(e.PseudoLL), float64(e.ReconError), float64(e.LogLik), float64(e.LogLikErr), e.LogLikMethod, e.Seconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d of %d samples of %s; layer k > 1 is evaluated on the hidden probabilities of layer k-1 (mean-field pass up).\n",
		set.N, data.set.N, data.path)
	return nil
}
