package rbm

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"unsafe"
)

// Memory estimates: commands compare them with what the machine (or the
// process's limits) can give before they allocate anything. They count the
// large buffers (float32 parameters and copies, data and its propagated
// copies, scratch per row) in bytes, as float64 so that absurd sizes do not
// overflow, and processBytes for the process itself. The garbage between
// two collections is not counted: the train and eval commands bound the Go
// runtime's memory with debug.SetMemoryLimit(MemoryLimit(estimate)), so
// that their peak resident memory stays within the estimate.

// binaryBytes bounds the resident pages mapped from files (the binary's
// code and data, libc: 11.8 MiB for train on linux/amd64, from
// /proc/PID/smaps), which the Go runtime's memory limit does not count.
const binaryBytes = 12 << 20

// processBytes is the resident memory of the process whatever it computes
// (16 MiB for train or eval of a tiny model on linux/amd64, measured with
// /usr/bin/time -v): binaryBytes, and the Go runtime's own structures and
// the threads' stacks.
const processBytes = binaryBytes + 12<<20

// MemoryLimit returns the soft limit of the Go runtime's memory
// (debug.SetMemoryLimit) for a run whose estimate (EstimateTrainBytes,
// EstimateEvalBytes) is need bytes: need less the pages mapped from files,
// so that the resident memory stays within need. The collector runs more
// often as the heap nears it, instead of letting garbage grow the heap to
// twice what is live (GOGC) and more: a 10,000-epoch training's
// checkpoints of a growing history had taken 3.4 times its estimate.
func MemoryLimit(need float64) int64 {
	return int64(min(max(need-binaryBytes, processBytes-binaryBytes), float64(math.MaxInt64/2)))
}

// LimitMemory sets the Go runtime's soft memory limit to MemoryLimit(need),
// need being a run's estimate, so that the collector keeps the garbage of a
// long run (a growing history written at every checkpoint) from taking the
// process past the estimate, which the estimates leave uncounted; the train
// and eval commands call it. A GOMEMLIMIT in the environment wins: the
// limit is then left as the runtime read it. The function returned puts
// back the limit before (tests run the commands in their own process).
func LimitMemory(need float64) (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetMemoryLimit(MemoryLimit(need))
	return func() { debug.SetMemoryLimit(old) }
}

// EstimateTrainBytes returns the memory TrainDBN needs for n samples of
// sizes[0] units (held as bytes, or float32 when float32Data), layers of
// sizes, and cfg: the most that is live at once, and processBytes.
func EstimateTrainBytes(n int, float32Data bool, sizes []int, cfg Config) float64 {
	fn := float64(n)
	elem := 1.0
	if float32Data {
		elem = 4
	}
	// The data, and its training and validation copies.
	need := 2 * fn * float64(sizes[0]) * elem
	bs := float64(cfg.Batch)
	// The rows the per-epoch measures use, of the training and of the
	// validation samples (copied when fewer than the samples).
	monRows := fn
	if cfg.MonitorRows > 0 {
		monRows = min(fn, float64(cfg.MonitorRows))
	}
	chunk := float64(evalChunk)
	maxProp := 0.0
	for l := 0; l+1 < len(sizes); l++ {
		nv, nh := float64(sizes[l]), float64(sizes[l+1])
		w := float64(4 * nv * nh)
		need += w // the trained layer
		// The layer in training: velocity and two backups (the gradient
		// is not kept: f32's GemmTNPairUpdate with a nil C), the batch
		// buffers, the PCD chains and their backup.
		trainer := float64(3*w) + float64(4*bs*(float64(2*nv)+float64(3*nh))) + float64(8*fn) + float64(8*bs*nh)
		if l > 0 || float32Data {
			// Input that is not binary: every thread gathers its own copy
			// of the batch (f32.Workspace.Replicate).
			trainer += float64(float64(cfg.threads()) * 4 * bs * nv)
		}
		if cfg.FlipMove {
			// Both hidden inputs, the uniforms, c + colsum(W).
			trainer += float64(4*bs*(float64(2*nh)+1)) + float64(4*nh)
		}
		if cfg.Center {
			// The centered biases and their backups, the offsets and
			// their backup, slideAndDerive's mean and two-row product,
			// and centerRows' two rows after the chains.
			trainer += float64(4 * (float64(7*nv) + float64(8*nh)))
		}
		// The monitor (RBM.measures, once for the training and once for
		// the validation samples): the samples it reads, and its buffers
		// of evalChunk rows (whatever the samples) of visible and hidden
		// units, as float32, as bits and per row.
		in := elem
		if l > 0 {
			in = 4
		}
		monitor := float64(2*monRows*nv*in) + float64(4*chunk*(2*nv+2*nh)) + float64(chunk*nv/8) + float64(8*chunk) + float64(4*nh)
		// The propagated input of the next layer (held with the current
		// one), and the buffers of evalChunk rows that compute it.
		prop := 0.0
		if l+2 < len(sizes) {
			prop = float64(4*fn*nh) + float64(4*chunk*(nv+nh))
		}
		maxProp = max(maxProp, trainer+monitor+2*prop)
	}
	need += SnapshotBytes(sizes, cfg)
	// The history: an EpochStats per layer and epoch, and at save time its
	// JSON (maxEpochJSON each) with the encoder's buffer growth.
	need += float64(float64(cfg.Epochs) * float64(len(sizes)-1) * historyEpochBytes)
	return need + maxProp + processBytes
}

// historyEpochBytes is what one epoch's record costs at most while a model
// or checkpoint is saved: the EpochStats and five times its JSON, which
// json.MarshalIndent holds at once: the encoder's buffer (up to twice the
// compact JSON, kept in encoding/json's pool between saves), its copy,
// and the indented output's (twice the compact JSON), the compact JSON
// being at most the indented one. Three times had undercounted what a
// 10,000-epoch run held while writing its checkpoints.
const historyEpochBytes = float64(unsafe.Sizeof(EpochStats{}) + 5*maxEpochJSON)

// maxEpochJSON bounds the bytes one EpochStats adds to meta.json
// (TestEpochJSONBound: every measure at its longest).
const maxEpochJSON = 1280

// CheckHistoryEpochs refuses a training whose history (epochs per layer
// times layers) is more than MaxHistoryEpochs, naming -epochs and the
// layers, so that no model file is written that its readers refuse.
func CheckHistoryEpochs(epochs, layers int) error {
	if layers > 0 && epochs > MaxHistoryEpochs/layers {
		return fmt.Errorf("-epochs %d with %d layers: %d epochs of history in all, want at most %d (a model file's meta.json records every epoch of every layer): at most %d epochs per layer",
			epochs, layers, epochs*layers, MaxHistoryEpochs, MaxHistoryEpochs/layers)
	}
	return nil
}

// EstimateEvalBytes returns the memory EvaluateDBN needs for n samples and
// layers of sizes (read without their snapshots: LoadDBNLayers), with AIS
// over runs chains and steps intermediate distributions, and processBytes.
func EstimateEvalBytes(n int, sizes []int, runs, steps int) float64 {
	fn := float64(n)
	need := float64(fn*float64(sizes[0])) + processBytes // the data as bytes
	worst := 0.0
	for l := 0; l+1 < len(sizes); l++ {
		nv, nh := float64(sizes[l]), float64(sizes[l+1])
		need += float64(4 * nv * nh)
		// AIS (aisBuffers, one set for both paths): per run the visible
		// and hidden states, the hidden input and its scaled copy
		// (float32), the bits of the visible and hidden states, three
		// float64 sums and the two paths' log weights; and the two
		// schedules.
		fr := float64(runs)
		ais := float64(4*fr*(nv+float64(3*nh))) + float64(fr*(float64(float64(nv+nh)/8)+16)) + float64(40*fr) + float64(16*float64(steps))
		perSample := float64(8 * 4 * fn)                                                                   // free energies, flips, pseudo-likelihoods
		layer := ais + perSample + float64(4*evalChunk*(float64(2*nv)+float64(2*nh))) + float64(2*4*fn*nh) // and two propagated inputs
		worst = max(worst, layer)
	}
	return need + worst
}

// Bounds of counts that size loops: beyond them a run would take days.
// The command line bounds its flags with them too.
const (
	MaxEpochs = 1_000_000 // epochs of one layer
	// MaxHistoryEpochs bounds the epochs of all layers of one training
	// together (layers x epochs): each adds an EpochStats to the history
	// that the model file's meta.json holds (CheckHistoryEpochs).
	MaxHistoryEpochs = 100_000
	MaxAISRuns       = 1_000_000 // annealed importance sampling runs
	// MaxRAISESamples bounds eval -raise: configurations annealed back
	// one chain each, 64 at a time (memory does not grow with it).
	MaxRAISESamples = 1_000_000
)
