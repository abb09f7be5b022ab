package rbm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"time"

	"github.com/isingrbm/isingrbm/asm/f32"
	"github.com/isingrbm/isingrbm/asm/pmath"
	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/core/stats"
)

// Stream kinds: every random draw of training and evaluation comes from a
// generator seeded with (Config.Seed, streamID(kind, layer, epoch)), so a
// run is a function of the seed, and a checkpoint taken at an epoch
// boundary needs no generator state beyond the epoch and layer.
const (
	kindSplit   = 1 // validation split
	kindInit    = 2 // weight initialization of a layer
	kindShuffle = 3 // mini-batch order of an epoch
	kindGibbs   = 4 // Gibbs sampling of an epoch
	kindUp      = 5 // sampled inputs of the next layer
	kindPL      = 6 // flipped units of the monitored pseudo-likelihood

	streamAIS       = 7 << 48 // default stream of AIS
	streamAISBiases = 8 << 48 // AIS from a base with hidden biases
	streamRAISE     = 9 << 48 // reverse AIS (chunk number in the low bits)
)

func streamID(kind, layer, epoch int) uint64 {
	return uint64(kind)<<48 | uint64(layer)<<32 | uint64(uint32(epoch))
}

// trainState is everything a resumed run needs besides the data: it is what
// a checkpoint holds.
type trainState struct {
	cfg    Config
	sizes  []int
	layer  int // layer being trained (from 0); len(sizes)-1 when done
	epoch  int // epochs of that layer completed
	dbn    *DBN
	hist   *History
	velW   []float32 // momentum of the current layer
	velB   []float32
	velC   []float32
	chains []float32 // PCD hidden states of the current layer, Batch x NHidden
	// cenB and cenC are the centered biases b' and c' of the current
	// layer (Config.Center; nil otherwise): the parameters training
	// updates, of which the layer's B and C are derived after every step.
	cenB, cenC []float32
	// cenLam is the current layer's hidden offsets (Config.Center):
	// hiddenOffset, or with Config.CenterSlide their running mean.
	cenLam   []float32
	dataN    int
	dataD    int
	dataHash uint64
}

// TrainDBN trains a stack of RBMs of sizes (sizes[0] = data.D, the visible
// layer, then each hidden layer), greedily bottom up with cfg. progress,
// when not nil, is called after every epoch. When ctx is cancelled, training
// stops at the next mini-batch, the state at the start of the interrupted
// epoch is written to cfg.CheckpointPath (if set), and ctx.Err() is
// returned together with the partial network and history.
func TrainDBN(ctx context.Context, data *Dataset, sizes []int, cfg Config, progress func(ProgressInfo)) (*DBN, *History, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	if len(sizes) < 2 {
		return nil, nil, fmt.Errorf("layer sizes %v, want the visible size and at least one hidden size", sizes)
	}
	if err := CheckHistoryEpochs(cfg.Epochs, len(sizes)-1); err != nil {
		return nil, nil, err
	}
	if sizes[0] != data.D {
		return nil, nil, fmt.Errorf("layer sizes %v start with %d visible units but the data have %d units per sample", sizes, sizes[0], data.D)
	}
	for _, s := range sizes {
		if s <= 0 {
			return nil, nil, fmt.Errorf("layer sizes %v, want positive sizes", sizes)
		}
	}
	st := &trainState{
		cfg: cfg, sizes: append([]int(nil), sizes...),
		dbn: &DBN{}, hist: &History{},
		dataN: data.N, dataD: data.D, dataHash: data.hash(),
	}
	return run(ctx, data, st, progress)
}

// ResumeDBN continues the training saved in the checkpoint at path on the
// same data, and finishes with exactly the model an uninterrupted run would
// have produced (same seed, same thread count, same kernels).
func ResumeDBN(ctx context.Context, checkpointPath string, data *Dataset, progress func(ProgressInfo)) (*DBN, *History, error) {
	st, err := readCheckpoint(checkpointPath)
	if err != nil {
		return nil, nil, err
	}
	if data.N != st.dataN || data.D != st.dataD || data.hash() != st.dataHash {
		return nil, nil, fmt.Errorf("%s: the checkpoint was made on other data (%d x %d samples, hash %016x; given %d x %d, hash %016x)",
			checkpointPath, st.dataN, st.dataD, st.dataHash, data.N, data.D, data.hash())
	}
	// Further checkpoints replace the one resumed from.
	st.cfg.CheckpointPath = checkpointPath
	return run(ctx, data, st, progress)
}

// trainRows is the number of the n samples that splitData keeps for
// training at a validation fraction frac: all but round(frac*n), and at
// least one.
func trainRows(n int, frac float64) int {
	nVal := min(int(math.Round(frac*float64(n))), n-1)
	return n - max(nVal, 0)
}

// splitData returns the training and validation sets: a seeded random
// choice of round(fraction*N) validation samples, both kept in data order.
func splitData(data *Dataset, cfg *Config) (train, val *Dataset) {
	nVal := data.N - trainRows(data.N, cfg.ValidationFraction)
	if nVal == 0 {
		return data, nil
	}
	perm := make([]int, data.N)
	for i := range perm {
		perm[i] = i
	}
	g := rng.Stream(cfg.Seed, streamID(kindSplit, 0, 0))
	g.Shuffle(perm)
	vi := append([]int(nil), perm[:nVal]...)
	ti := append([]int(nil), perm[nVal:]...)
	sort.Ints(vi)
	sort.Ints(ti)
	return data.Subset(ti), data.Subset(vi)
}

// monitorSubset returns at most n evenly spaced samples of d (all if n is 0
// or d is smaller).
func monitorSubset(d *Dataset, n int) *Dataset {
	if d == nil || n == 0 || d.N <= n {
		return d
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = int(int64(i) * int64(d.N) / int64(n))
	}
	return d.Subset(idx)
}

func run(ctx context.Context, data *Dataset, st *trainState, progress func(ProgressInfo)) (*DBN, *History, error) {
	cfg := &st.cfg
	ws := f32.NewWorkspace(cfg.threads())
	train, val := splitData(data, cfg)
	// Propagate the data through the completed layers.
	var err error
	for l := 0; l < st.layer; l++ {
		if train, val, err = st.dbn.Layers[l].propagatePair(ctx, ws, train, val, cfg, l); err != nil {
			return st.dbn, st.hist, err
		}
	}
	for ; st.layer < len(st.sizes)-1; st.layer++ {
		l := st.layer
		if len(st.dbn.Layers) == l {
			st.startLayer(train)
		}
		lt := newLayerTrainer(st, ws, train, val)
		for st.epoch < cfg.Epochs {
			if err := st.runEpoch(ctx, lt, progress); err != nil {
				return st.dbn, st.hist, err
			}
		}
		// Layer done: its output is the next layer's input.
		last := l+1 == len(st.sizes)-1
		if !last {
			train, val, err = lt.r.propagatePair(ctx, ws, train, val, cfg, l)
		}
		st.epoch = 0
		st.velW, st.velB, st.velC, st.chains = nil, nil, nil, nil
		st.cenB, st.cenC, st.cenLam = nil, nil, nil
		if !last && (cfg.CheckpointEvery > 0 || err != nil && cfg.CheckpointPath != "") {
			st.layer++
			cerr := st.checkpoint(ctx)
			st.layer--
			if err == nil {
				err = cerr
			}
		}
		if err != nil {
			return st.dbn, st.hist, err
		}
		// The layer's trainer and the input it was trained on are garbage:
		// collect a large one before the next layer allocates its own
		// (EstimateTrainBytes counts one layer's at a time).
		if 16*len(lt.r.W) >= largeGarbage {
			lt = nil
			runtime.GC()
		}
	}
	return st.dbn, st.hist, nil
}

// runEpoch trains epoch st.epoch of the layer lt trains, records it, and
// writes the checkpoints that are due (every CheckpointEvery epochs, on a
// request, and on cancellation, which restores the epoch's start first).
func (st *trainState) runEpoch(ctx context.Context, lt *layerTrainer, progress func(ProgressInfo)) error {
	cfg := &st.cfg
	l := st.layer
	stats, err := lt.runEpoch(ctx)
	if err != nil {
		// A diverged run keeps the last checkpoint (of finite parameters):
		// resuming it with the same recipe would diverge again.
		if cfg.CheckpointPath != "" && !errors.Is(err, ErrDiverged) {
			if cerr := st.checkpoint(ctx); cerr != nil {
				return fmt.Errorf("%w (and writing the checkpoint failed: %v)", err, cerr)
			}
		}
		return err
	}
	st.hist.add(stats)
	st.epoch++
	if cfg.SnapshotEvery > 0 && st.epoch%cfg.SnapshotEvery == 0 {
		st.dbn.Snapshots = append(st.dbn.Snapshots, Snapshot{Layer: l, Epoch: st.epoch,
			W: append([]float32(nil), lt.r.W...), C: append([]float32(nil), lt.r.C...)})
	}
	if progress != nil {
		progress(ProgressInfo{Layer: l, Layers: len(st.sizes) - 1, Epoch: st.epoch, Epochs: cfg.Epochs, Threads: lt.ws.Threads(), Stats: stats})
	}
	requested := false
	select {
	case <-checkpointRequests(ctx):
		requested = cfg.CheckpointPath != ""
	default:
	}
	if requested || cfg.CheckpointEvery > 0 && st.epoch%cfg.CheckpointEvery == 0 && st.epoch < cfg.Epochs {
		return st.checkpoint(ctx)
	}
	return nil
}

// propagatePair propagates the training and (if not nil) validation sets
// through layer r (index layer), stopping with ctx.Err() when ctx is
// cancelled.
func (r *RBM) propagatePair(ctx context.Context, ws *f32.Workspace, train, val *Dataset, cfg *Config, layer int) (*Dataset, *Dataset, error) {
	t, err := r.propagateChunked(ctx, ws, train, cfg, layer, 0, evalChunk)
	if err != nil || val == nil {
		return t, nil, err
	}
	v, err := r.propagateChunked(ctx, ws, val, cfg, layer, 1, evalChunk)
	return t, v, err
}

// startLayer appends the initialized RBM of st.layer and zero velocities.
func (st *trainState) startLayer(train *Dataset) {
	cfg := &st.cfg
	l := st.layer
	r := NewRBM(st.sizes[l], st.sizes[l+1])
	g := rng.Stream(cfg.Seed, streamID(kindInit, l, 0))
	r.initGaussian(&g, cfg.InitSigma)
	if cfg.VisibleBiasLogOdds {
		r.setVisibleLogOdds(train)
	}
	st.dbn.Layers = append(st.dbn.Layers, r)
	st.velW = make([]float32, len(r.W))
	st.velB = make([]float32, len(r.B))
	st.velC = make([]float32, len(r.C))
	if cfg.PCD {
		st.chains = make([]float32, cfg.Batch*r.NHidden)
	}
	if cfg.Center {
		// The centered biases start where the plain ones would; the
		// layer's B and C are derived from them (layerTrainer.derive).
		st.cenB = append([]float32(nil), r.B...)
		st.cenC = append([]float32(nil), r.C...)
		st.cenLam = initialOffsets(r.NHidden)
	}
}

// propagateChunked returns the input of the next layer for d: hidden
// probabilities, or (Config.NextLayerSamples) binary samples drawn from
// stream (layer, part).
// It goes through the product kernel chunk samples at
// a time, stopping with ctx.Err() when ctx is cancelled. The chunk is part of the result's bytes: the kernel's blocking,
// hence its rounding, depends on the number of rows.
func (r *RBM) propagateChunked(ctx context.Context, ws *f32.Workspace, d *Dataset, cfg *Config, layer, part, chunk int) (*Dataset, error) {
	nv, nh := r.NVisible, r.NHidden
	out := &Dataset{N: d.N, D: nh}
	v := make([]float32, chunk*nv)
	var rnd *f32.Rand
	var s []float32
	if cfg.NextLayerSamples {
		out.X = make([]uint8, d.N*nh)
		rnd = f32.NewRand(cfg.Seed, streamID(kindUp, layer, part))
		s = make([]float32, chunk*nh)
	} else {
		out.P = make([]float32, d.N*nh)
	}
	vb := d.bitsBuffer()
	err := forChunks(ctx, d.N, chunk, func(lo, hi int) {
		rows := hi - lo
		d.Range(lo, hi, v)
		if !cfg.NextLayerSamples {
			r.hiddenProbs(ws, v, rows, out.P[lo*nh:], vb)
			return
		}
		r.hiddenProbs(ws, v, rows, s, vb)
		rnd.Bernoulli(s[:rows*nh], s[:rows*nh])
		for i, x := range s[:rows*nh] {
			if x != 0 {
				out.X[lo*nh+i] = 1
			}
		}
	})
	return out, err
}

// layerTrainer trains one RBM; its buffers are allocated once, so the
// mini-batch loop allocates nothing.
type layerTrainer struct {
	st         *trainState
	cfg        *Config
	layer      int
	r          *RBM
	ws         *f32.Workspace
	train, val *Dataset
	monTrain   *Dataset
	monVal     *Dataset
	// monBufs are the monitor's buffers (RBM.measures), kept from epoch to
	// epoch: allocated anew each time, those of a wide layer piled up as
	// garbage beyond what EstimateTrainBytes counts.
	monBufs measureBufs
	// indep are the log-odds of the training input's unit means: the
	// independent units the monitor scores beside the RBM; llIndepTrain
	// and llIndepVal their log-likelihoods of monTrain and monVal (NaN
	// without validation samples).
	indep                    []float64
	llIndepTrain, llIndepVal float64

	gW, gB, gC []float32 // gW only once a step runs without its update (gradient's rule nil)
	v0, hp, hs []float32 // data batch, P(h|v0), hidden states (CD)
	vn, hn     []float32 // negative visibles and hidden probabilities
	// Bits of the 0/1 operands (binary data, sampled units), whose
	// products only add the rows of W they select (same bits as the
	// float32 products: see f32.GemmNNBits).
	v0b, v0t, hb, vb f32.Bits
	perm             []int
	// batch and gather fill a batch buffer with the samples batch (a
	// method value made once, so that no step allocates).
	batch  []int
	gather func(dst []float32)
	rule   f32.UpdateRule // step's weight update, for gradient

	// Config.Center: the offsets (centerRows, derive, slideAndDerive).
	cen *centering

	// Config.FlipMove: flipMove's buffers, and the epoch's accepted flips
	// and proposals.
	flip                 *flipBuffers
	flips, flipProposals int

	// State at the start of the epoch, restored when it is interrupted.
	bakW, bakB, bakC, bakVW, bakVB, bakVC, bakChains []float32
	bakCB, bakCC, bakLam                             []float32
}

func newLayerTrainer(st *trainState, ws *f32.Workspace, train, val *Dataset) *layerTrainer {
	cfg := &st.cfg
	r := st.dbn.Layers[st.layer]
	nv, nh, bs := r.NVisible, r.NHidden, cfg.Batch
	extra := 0 // rows after the chains' in vn and hn
	if cfg.Center {
		extra = 2 // centerRows
	}
	lt := &layerTrainer{
		st: st, cfg: cfg, layer: st.layer, r: r, ws: ws, train: train, val: val,
		monTrain: monitorSubset(train, cfg.MonitorRows),
		monVal:   monitorSubset(val, cfg.MonitorRows),
		indep:    independentLogOdds(train),
		gB:       make([]float32, nv), gC: make([]float32, nh),
		v0: make([]float32, bs*nv), hp: make([]float32, bs*nh), hs: make([]float32, bs*nh),
		vn: make([]float32, (bs+extra)*nv), hn: make([]float32, (bs+extra)*nh),
		perm: make([]int, train.N),
		bakW: make([]float32, nv*nh), bakB: make([]float32, nv), bakC: make([]float32, nh),
		bakVW: make([]float32, nv*nh), bakVB: make([]float32, nv), bakVC: make([]float32, nh),
		bakChains: make([]float32, len(st.chains)),
	}
	// Sized once, so that no step allocates.
	chains := max(bs, len(st.chains)/max(nh, 1))
	lt.v0b.Words = make([]uint64, bs*((nv+63)/64))
	lt.v0t.Words = make([]uint64, nv*((bs+63)/64))
	lt.hb.Words = make([]uint64, chains*((nh+63)/64))
	lt.vb.Words = make([]uint64, chains*((nv+63)/64))
	lt.gather = lt.gatherBatch
	if cfg.FlipMove {
		lt.flip = newFlipBuffers(chains, nv, nh)
	}
	lt.llIndepTrain, lt.llIndepVal = independentLogLikOf(lt.monTrain, lt.indep), math.NaN()
	if lt.monVal != nil {
		lt.llIndepVal = independentLogLikOf(lt.monVal, lt.indep)
	}
	if cfg.Center {
		lt.cen = newCentering(train, nv, st.cenLam, cfg.CenterSlide)
		lt.bakCB, lt.bakCC, lt.bakLam = make([]float32, nv), make([]float32, nh), make([]float32, nh)
		// The layer's B and C are those of the centered biases: at the
		// start, and on a resumed run the same bits again.
		lt.derive()
	}
	return lt
}

func (lt *layerTrainer) gatherBatch(dst []float32) { lt.train.Gather(lt.batch, dst) }

// runEpoch trains epoch st.epoch and returns its measures. On cancellation
// it restores the state of the epoch's start and returns ctx.Err().
func (lt *layerTrainer) runEpoch(ctx context.Context) (EpochStats, error) {
	st, cfg, r := lt.st, lt.cfg, lt.r
	e := st.epoch
	copy(lt.bakW, r.W)
	copy(lt.bakB, r.B)
	copy(lt.bakC, r.C)
	copy(lt.bakVW, st.velW)
	copy(lt.bakVB, st.velB)
	copy(lt.bakVC, st.velC)
	copy(lt.bakChains, st.chains)
	copy(lt.bakCB, st.cenB)
	copy(lt.bakCC, st.cenC)
	copy(lt.bakLam, st.cenLam)

	for i := range lt.perm {
		lt.perm[i] = i
	}
	if cfg.Shuffle {
		g := rng.Stream(cfg.Seed, streamID(kindShuffle, lt.layer, e))
		g.Shuffle(lt.perm)
	}
	rnd := f32.NewRand(cfg.Seed, streamID(kindGibbs, lt.layer, e))
	mom, lr := cfg.Momentum(e), cfg.LearningRate(e)
	lt.flips, lt.flipProposals = 0, 0
	start := time.Now()
	recon := 0.0
	for lo := 0; lo < lt.train.N; lo += cfg.Batch {
		done := ctx.Done() // once per mini-batch (tests count the calls)
		hi := min(lo+cfg.Batch, lt.train.N)
		rec, ok := lt.step(done, lt.perm[lo:hi], rnd, lr, mom)
		if !ok || canceled(done) {
			lt.restore()
			return EpochStats{}, ctx.Err()
		}
		recon += rec
	}
	es := EpochStats{Layer: lt.layer, Epoch: e + 1, Momentum: stats.Num(mom),
		BatchRecon: stats.Num(math.NaN()), Seconds: stats.Num(time.Since(start).Seconds())}
	if cfg.FlipMove && lt.flipProposals > 0 {
		a := stats.Num(float64(lt.flips) / float64(lt.flipProposals))
		es.FlipAccept = &a
	}
	if !cfg.PCD {
		es.BatchRecon = stats.Num(recon / float64(lt.train.N))
	}
	dw, maxW := 0.0, 0.0
	for i, w := range r.W {
		d := float64(w) - float64(lt.bakW[i])
		dw += float64(d * d)
		maxW = max(maxW, math.Abs(float64(w))) // NaN stays NaN
	}
	es.WeightChange = stats.Num(math.Sqrt(dw))
	if err := lt.checkDiverged(maxW); err != nil {
		lt.restore()
		return EpochStats{}, err
	}
	if err := lt.monitor(ctx, &es); err != nil {
		lt.restore()
		return EpochStats{}, err
	}
	return es, nil
}

// MaxParam bounds the magnitude of the weights and biases training may
// reach: beyond it every sigmoid of the model is 0 or 1 in float32 and its
// measures are meaningless, so TrainDBN stops (ErrDiverged). Runs that
// learn stay many orders of magnitude below it.
const MaxParam = 1e6

// ErrDiverged is wrapped by TrainDBN's error when the parameters became
// non-finite or larger than MaxParam.
var ErrDiverged = errors.New("training diverged")

// checkDiverged returns an error wrapping ErrDiverged when a weight
// (largest magnitude maxW, NaN when one is NaN) or a bias of the layer is
// not finite or above MaxParam at the end of epoch st.epoch.
func (lt *layerTrainer) checkDiverged(maxW float64) error {
	r, cfg := lt.r, lt.cfg
	what, val := "W", maxW
	// The first bias beyond the bound, when the weights are within it.
	for _, p := range []struct {
		name string
		s    []float32
	}{{"b", r.B}, {"c", r.C}} {
		for _, x := range p.s {
			if val <= MaxParam {
				what, val = p.name, math.Abs(float64(x))
			}
		}
	}
	if val <= MaxParam {
		return nil
	}
	state := fmt.Sprintf("|%s| reaches %.3g, above %g", what, val, float64(MaxParam))
	if math.IsNaN(val) || math.IsInf(val, 0) {
		state = what + " is not finite"
	}
	// With momentum mu, weight decay alone (w -= lr*l2*w each step, through
	// the velocity) is stable only for lr*l2 < 2(1+mu): beyond it every
	// step overshoots, whatever the data.
	decay := ""
	mom := float64(cfg.Momentum(lt.st.epoch))
	if lrl2 := float64(cfg.LearningRate(lt.st.epoch)) * float64(cfg.L2); lrl2 >= 2*(1+mom) {
		decay = fmt.Sprintf("; the epoch's learning rate times -l2 is %.3g, at least 2(1+momentum) = %g, where weight decay alone makes every step overshoot: lower -l2 (now %g)",
			lrl2, 2*(1+mom), cfg.L2)
	}
	return fmt.Errorf("%w at layer %d epoch %d: %s; lower -lr (now %g) or -init-sigma (now %g)%s",
		ErrDiverged, lt.layer+1, lt.st.epoch+1, state, cfg.LR, cfg.InitSigma, decay)
}

// restore puts back the state of the epoch's start.
func (lt *layerTrainer) restore() {
	st, r := lt.st, lt.r
	copy(r.W, lt.bakW)
	copy(r.B, lt.bakB)
	copy(r.C, lt.bakC)
	copy(st.velW, lt.bakVW)
	copy(st.velB, lt.bakVB)
	copy(st.velC, lt.bakVC)
	copy(st.chains, lt.bakChains)
	copy(st.cenB, lt.bakCB)
	copy(st.cenC, lt.bakCC)
	copy(st.cenLam, lt.bakLam)
}

// monitor fills the free-energy, pseudo-likelihood and reconstruction
// measures of es.
func (lt *layerTrainer) monitor(ctx context.Context, es *EpochStats) error {
	r, ws := lt.r, lt.ws
	plSeed := lt.cfg.Seed ^ streamID(kindPL, lt.layer, 0)
	nan := stats.Num(math.NaN())
	m, err := r.measures(ctx, ws, lt.monTrain, plSeed, lt.indep, &lt.monBufs)
	if err != nil {
		return err
	}
	es.FreeEnergyTrain, es.PseudoLLTrain, es.ReconTrain = stats.Num(m.fe), stats.Num(m.pl), stats.Num(m.recon)
	es.PseudoLLIndepTrain, es.PseudoLLGainSETrain = stats.Num(m.plIndep), stats.Num(m.gainSE)
	es.LogLikIndepTrain, es.LogLikCeilingTrain = stats.Num(lt.llIndepTrain), stats.Num(m.ceiling)
	es.FreeEnergyVal, es.PseudoLLVal, es.ReconVal, es.FreeEnergyGap = nan, nan, nan, nan
	es.PseudoLLIndepVal, es.PseudoLLGainSEVal, es.LogLikIndepVal, es.LogLikCeilingVal = nan, nan, nan, nan
	if lt.monVal != nil {
		m, err := r.measures(ctx, ws, lt.monVal, plSeed+1, lt.indep, &lt.monBufs)
		if err != nil {
			return err
		}
		es.FreeEnergyVal, es.PseudoLLVal, es.ReconVal = stats.Num(m.fe), stats.Num(m.pl), stats.Num(m.recon)
		es.PseudoLLIndepVal, es.PseudoLLGainSEVal = stats.Num(m.plIndep), stats.Num(m.gainSE)
		es.LogLikIndepVal, es.LogLikCeilingVal = stats.Num(lt.llIndepVal), stats.Num(m.ceiling)
		es.FreeEnergyGap = es.FreeEnergyVal - es.FreeEnergyTrain
	}
	return nil
}

// largeGarbage is the size of a finished layer's trainer from which run
// collects it before the next layer allocates its own.
const largeGarbage = 32 << 20

// step does one mini-batch update on the samples idx and returns the summed
// squared reconstruction error of the batch (CD only); false when done
// closed during the Gibbs chain (the parameters are then left unchanged).
func (lt *layerTrainer) step(done <-chan struct{}, idx []int, rnd *f32.Rand, lr, mom float32) (float64, bool) {
	cfg, r, st := lt.cfg, lt.r, lt.st
	// The weights' update is split across the threads and applied to each
	// block of rows of dW as soon as it is complete (same bits as an
	// Update after the gradient).
	lt.rule = f32.UpdateRule{W: r.W, Vel: st.velW, LR: lr, Momentum: mom, L1: cfg.L1, L2: cfg.L2, Proximal: cfg.L1Proximal}
	recon, ok := lt.gradient(done, idx, rnd, &lt.rule)
	lt.rule = f32.UpdateRule{}
	if !ok {
		return 0, false
	}
	if lt.cen == nil {
		f32.Update(r.B, st.velB, lt.gB, lr, mom, 0, 0)
		f32.Update(r.C, st.velC, lt.gC, lr, mom, 0, 0)
		return recon, true
	}
	// The centered RBM (Config.Center): the product has corrected the
	// weights' gradient (centerRows); the momentum steps are those of the
	// centered biases, from which the plain ones that the sampling uses are
	// derived.
	f32.Update(st.cenB, st.velB, lt.gB, lr, mom, 0, 0)
	f32.Update(st.cenC, st.velC, lt.gC, lr, mom, 0, 0)
	if lt.cen.slide > 0 {
		lt.slideAndDerive()
	} else {
		lt.derive()
	}
	return recon, true
}

// gradient sets gW, gB, gC to the CD-k (or PCD) estimate of the
// log-likelihood gradient on the samples idx (advancing the persistent
// chains; gW the centered RBM's with Config.Center, centerRows) and
// returns the summed squared reconstruction error (CD only); with rule,
// it instead applies rule's update of the weights by that gradient, block
// by block, without keeping it (gW is left as it was: f32's
// GemmTNPairUpdate with a nil C). It
// returns false as soon as done is closed (checked every Gibbs step), and
// then has not touched the weights.
func (lt *layerTrainer) gradient(done <-chan struct{}, idx []int, rnd *f32.Rand, rule *f32.UpdateRule) (float64, bool) {
	cfg, r, ws, st := lt.cfg, lt.r, lt.ws, lt.st
	nv, nh := r.NVisible, r.NHidden
	rows := len(idx)
	inv := 1 / float32(rows)
	v0, hp := lt.v0[:rows*nv], lt.hp[:rows*nh]

	// Positive phase: statistics from P(h|v). Binary data (layer 1 on
	// spins) go through the Bits products, which read the batch's bits;
	// other data are gathered by every thread itself, so that no product
	// reads the batch from another core's cache (f32.Workspace.Replicate).
	lt.batch = idx
	var v0b *f32.Bits
	if lt.train.X != nil {
		lt.gather(v0)
		v0b = &lt.v0b
	} else {
		ws.Replicate(v0, lt.gather)
		defer ws.Unreplicate()
	}
	binary := r.hiddenProbs(ws, v0, rows, hp, v0b)
	f32.ColSums(lt.gB, v0, rows, nv, nv, inv, 0)
	f32.ColSums(lt.gC, hp, rows, nh, nh, inv, 0)
	if lt.cen != nil && lt.cen.mean != nil {
		copy(lt.cen.mean, lt.gC) // the batch's mean p(h|v), for slideAndDerive
	}

	// Negative phase: k Gibbs steps from sampled hiddens of the data (CD)
	// or from the persistent chains (PCD). Samples are 0/1: their products
	// go through the Bits products (Pack checks them).
	chains, h := rows, lt.hs[:rows*nh]
	if cfg.PCD {
		chains, h = cfg.Batch, st.chains
	} else {
		rnd.Bernoulli(h, hp)
	}
	vn, hn := lt.vn[:chains*nv], lt.hn[:chains*nh]
	recon := 0.0
	for s := 0; s < cfg.CDK; s++ {
		if canceled(done) {
			return 0, false
		}
		last := s == cfg.CDK-1
		r.visibleProbs(ws, h, chains, vn, &lt.hb)
		var vb *f32.Bits // P(v|h) itself, unless sampled
		if !last || cfg.SampleVisibles {
			rnd.Bernoulli(vn, vn)
			vb = &lt.vb
		}
		if last && !cfg.PCD {
			// The reconstruction error, before the last step's flip move
			// (with k > 1 the earlier steps' moves may have flipped the
			// chain it reconstructs).
			recon = f32.SquaredDiffSum(v0, vn)
		}
		if cfg.FlipMove {
			lt.flips += r.flipMove(ws, rnd, vn, chains, hn, vb, lt.flip)
			lt.flipProposals += chains
		} else {
			r.hiddenProbs(ws, vn, chains, hn, vb)
		}
		if !last || cfg.PCD {
			rnd.Bernoulli(h, hn)
		}
	}
	// Both terms are divided by the batch rows (as scikit-learn does, also
	// when its PCD chains outnumber a short last batch).
	// dW = (v0^T hp)/rows - (vn^T hn)/rows, both terms in one pass over dW;
	// the centered RBM's correction adds two rows to the second.
	neg := chains
	if lt.cen != nil {
		lt.centerRows(v0, rows, hp, chains)
		neg += 2
		vn, hn = lt.vn[:neg*nv], lt.hn[:neg*nh]
	}
	if rule == nil && lt.gW == nil {
		lt.gW = make([]float32, nv*nh) // only a step without its update keeps the gradient
	}
	switch {
	case binary && rule != nil:
		lt.v0t.Transpose(&lt.v0b)
		ws.GemmTNPairUpdateBits(nv, nh, rows, inv, &lt.v0t, hp, nh, 0, neg, -inv, vn, nv, hn, nh, nil, *rule)
	case binary:
		lt.v0t.Transpose(&lt.v0b)
		ws.GemmTNPairBits(nv, nh, rows, inv, &lt.v0t, hp, nh, 0, neg, -inv, vn, nv, hn, nh, lt.gW, nh)
	case rule != nil:
		ws.GemmTNPairUpdate(nv, nh, rows, inv, v0, nv, hp, nh, 0, neg, -inv, vn, nv, hn, nh, nil, *rule)
	default:
		ws.GemmTNPair(nv, nh, rows, inv, v0, nv, hp, nh, 0, neg, -inv, vn, nv, hn, nh, lt.gW, nh)
	}
	f32.ColSums(lt.gB, vn, chains, nv, nv, -inv, 1)
	f32.ColSums(lt.gC, hn, chains, nh, nh, -inv, 1)
	return recon, true
}

// flipBuffers are flipMove's buffers for up to chains chains.
type flipBuffers struct{ x, xf, u, cf []float32 }

func newFlipBuffers(chains, nv, nh int) *flipBuffers {
	return &flipBuffers{x: make([]float32, chains*nh), xf: make([]float32, chains*nh),
		u: make([]float32, chains), cf: make([]float32, nh)}
}

// flipMove is the global-flip move of Config.FlipMove followed by P(h|v):
// for each of the chains visible states v_i (rows of v, 0/1 samples or
// probabilities) it proposes 1 - v_i and accepts with probability
// min(1, exp(F(v_i) - F(1 - v_i))), flipping v_i in place, and sets the
// chain's row of hn to P(h|v_i) of the state it keeps; it returns the
// number of flips accepted. One product y = vW serves both states: the
// hidden inputs are c + y and (c + colsum(W)) - y, and b.(1 - v_i) is
// sum(b) - b.v_i, so the move costs the product that P(h|v) needs anyway.
// A uniform is drawn for every chain, accepted or not (rnd.Uniform over
// chains). F's sums are float64 sums of float32 terms (f32.Dot,
// f32.SoftplusSum, f32.ColSums: fixed orders), and exp is pmath.Exp: the
// same decisions on every CPU. vb, when not nil, is a Bits buffer for 0/1
// rows (as hiddenProbs).
func (r *RBM) flipMove(ws *f32.Workspace, rnd *f32.Rand, v []float32, chains int, hn []float32, vb *f32.Bits, buf *flipBuffers) int {
	nv, nh := r.NVisible, r.NHidden
	x, xf, u, cf := buf.x[:chains*nh], buf.xf[:chains*nh], buf.u[:chains], buf.cf[:nh]
	r.timesW(ws, v, chains, x, vb, 0)
	f32.ColSums(cf, r.W, nv, nh, nh, 1, 0)
	for j, c := range r.C {
		cf[j] += c
	}
	for i := 0; i < chains; i++ {
		xi, xfi := x[i*nh:(i+1)*nh], xf[i*nh:(i+1)*nh]
		for j, y := range xi {
			xfi[j] = cf[j] - y
			xi[j] = r.C[j] + y
		}
	}
	sumB := 0.0
	for _, b := range r.B {
		sumB += float64(b)
	}
	rnd.Uniform(u)
	accepted := 0
	for i := 0; i < chains; i++ {
		vi := v[i*nv : (i+1)*nv]
		xi, xfi := x[i*nh:(i+1)*nh], xf[i*nh:(i+1)*nh]
		// The log of the acceptance ratio, F(v) - F(1 - v), with
		// F(v) = -b.v - sum_j softplus(c_j + (vW)_j).
		bv := float64(f32.Dot(r.B, vi))
		a := (sumB - bv + f32.SoftplusSum(xfi)) - (bv + f32.SoftplusSum(xi))
		if a >= 0 || float64(u[i]) < pmath.Exp(a) {
			for k, s := range vi {
				vi[k] = 1 - s
			}
			copy(xi, xfi)
			accepted++
		}
	}
	f32.Sigmoid(hn[:chains*nh], x)
	return accepted
}

type checkpointKey struct{}

// WithCheckpointRequests returns a context with which TrainDBN and
// ResumeDBN write a checkpoint (to Config.CheckpointPath, if set) at the end
// of the current epoch whenever a value arrives on req, for example on
// SIGUSR1.
func WithCheckpointRequests(ctx context.Context, req <-chan struct{}) context.Context {
	return context.WithValue(ctx, checkpointKey{}, req)
}

// checkpointRequests returns the channel of WithCheckpointRequests, or nil
// (which never delivers).
func checkpointRequests(ctx context.Context) <-chan struct{} {
	req, _ := ctx.Value(checkpointKey{}).(<-chan struct{})
	return req
}

type checkpointHoldKey struct{}

// WithCheckpointHold returns a context under which TrainDBN and ResumeDBN
// call hold with the approximate size in bytes of every checkpoint before
// writing it, and the function hold returns once it is written (or has
// failed): a signal handler that ends the process some time after
// cancelling the context can let a checkpoint in progress finish.
func WithCheckpointHold(ctx context.Context, hold func(bytes float64) (release func())) context.Context {
	return context.WithValue(ctx, checkpointHoldKey{}, hold)
}

// checkpoint writes st to Config.CheckpointPath (writeCheckpoint) under
// the hold of WithCheckpointHold, if any.
func (st *trainState) checkpoint(ctx context.Context) error {
	if hold, _ := ctx.Value(checkpointHoldKey{}).(func(float64) func()); hold != nil {
		release := hold(st.checkpointBytes())
		defer release()
	}
	return writeCheckpoint(st.cfg.CheckpointPath, st)
}

// checkpointBytes is about the size of st's checkpoint: its float32 arrays.
func (st *trainState) checkpointBytes() float64 {
	n := len(st.velW) + len(st.velB) + len(st.velC) + len(st.chains) + len(st.cenB) + len(st.cenC) + len(st.cenLam)
	for _, l := range st.dbn.Layers {
		n += len(l.W) + len(l.B) + len(l.C)
	}
	for _, s := range st.dbn.Snapshots {
		n += len(s.W) + len(s.C)
	}
	return 4 * float64(n)
}
