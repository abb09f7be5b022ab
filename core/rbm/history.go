package rbm

import (
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/isingrbm/isingrbm/core/stats"
)

// EpochStats are the measures recorded after one epoch of one layer. The
// train measures use at most Config.MonitorRows evenly spaced training
// samples, the validation measures at most as many validation samples; NaN
// (null in JSON) when not available.
type EpochStats struct {
	Layer    int       `json:"layer"`
	Epoch    int       `json:"epoch"` // counted from 1
	Momentum stats.Num `json:"momentum"`
	// BatchRecon is the epoch's mean over training samples of the squared
	// distance between each mini-batch and its negative-phase
	// reconstruction (the error Hinton & Salakhutdinov's code prints);
	// NaN for persistent CD.
	BatchRecon      stats.Num `json:"batch_recon"`
	FreeEnergyTrain stats.Num `json:"free_energy_train"`
	FreeEnergyVal   stats.Num `json:"free_energy_val"`
	// FreeEnergyGap is FreeEnergyVal - FreeEnergyTrain: it grows when the
	// model overfits.
	FreeEnergyGap stats.Num `json:"free_energy_gap"`
	PseudoLLTrain stats.Num `json:"pseudo_ll_train"` // scikit-learn's stochastic form, fixed flips
	PseudoLLVal   stats.Num `json:"pseudo_ll_val"`
	// PseudoLLIndepTrain and PseudoLLIndepVal score, with the same flips,
	// independent units with the layer's training means (each smoothed to
	// (sum + 1/2) / (N + 1)): a model that has learned nothing beyond the
	// unit means scores about as much. PseudoLLGainSETrain and
	// PseudoLLGainSEVal are the standard errors of the mean per-sample
	// difference PseudoLL - PseudoLLIndep (the two share their flips). NaN
	// in files written before they existed.
	PseudoLLIndepTrain  stats.Num `json:"pseudo_ll_indep_train"`
	PseudoLLIndepVal    stats.Num `json:"pseudo_ll_indep_val"`
	PseudoLLGainSETrain stats.Num `json:"pseudo_ll_gain_se_train"`
	PseudoLLGainSEVal   stats.Num `json:"pseudo_ll_gain_se_val"`
	// LogLikIndepTrain and LogLikIndepVal are the mean log-likelihood of
	// the samples under those independent units; LogLikCeilingTrain and
	// LogLikCeilingVal bound the RBM's from above with no statistics:
	// -F - max -F(s) over the all-0 and all-1 states and, for 0/1 samples,
	// the samples themselves (log Z >= -F(s) for every state s). A ceiling
	// below the independent units' log-likelihood proves the layer worse
	// than them. NaN in files written before they existed.
	LogLikIndepTrain   stats.Num `json:"loglik_indep_train"`
	LogLikIndepVal     stats.Num `json:"loglik_indep_val"`
	LogLikCeilingTrain stats.Num `json:"loglik_ceiling_train"`
	LogLikCeilingVal   stats.Num `json:"loglik_ceiling_val"`
	ReconTrain         stats.Num `json:"recon_train"` // mean-field reconstruction error
	ReconVal           stats.Num `json:"recon_val"`
	// WeightChange is the Frobenius norm of W(end of epoch) - W(start).
	WeightChange stats.Num `json:"weight_change"`
	// FlipAccept is the share of the epoch's flip proposals (Config.FlipMove:
	// one per chain and Gibbs step of the negative phase) that were
	// accepted; nil (left out of the file) without the move.
	FlipAccept *stats.Num `json:"flip_accept,omitempty"`
	// Seconds is the wall time of the epoch's training (not the measures).
	// Model files leave it out (see TimingsSuffix).
	Seconds stats.Num `json:"seconds,omitempty"`
}

// UnmarshalJSON decodes e, leaving the measures a file does not have NaN
// (not 0, which would read as a measured value).
func (e *EpochStats) UnmarshalJSON(b []byte) error {
	type plain EpochStats
	nan := stats.Num(math.NaN())
	p := plain{PseudoLLIndepTrain: nan, PseudoLLIndepVal: nan, PseudoLLGainSETrain: nan, PseudoLLGainSEVal: nan,
		LogLikIndepTrain: nan, LogLikIndepVal: nan, LogLikCeilingTrain: nan, LogLikCeilingVal: nan}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = EpochStats(p)
	return nil
}

// History is the per-epoch record of a DBN's training, one slice per layer.
type History struct {
	Layers [][]EpochStats `json:"layers"`
}

func (h *History) add(s EpochStats) {
	for len(h.Layers) <= s.Layer {
		h.Layers = append(h.Layers, nil)
	}
	h.Layers[s.Layer] = append(h.Layers[s.Layer], s)
}

// ProgressInfo is passed to the progress callback after every epoch.
type ProgressInfo struct {
	Layer, Layers int // current layer (from 0) and number of layers
	Epoch, Epochs int // epochs done in this layer (from 1) and per layer
	Threads       int // threads of the training's products (Config.Threads, or every core)
	Stats         EpochStats
}

// String is a one-line account of the epoch for a progress bar: the
// layer, the epoch, the reconstruction error, and by how many nats the
// pseudo-likelihood beats independent units with the training means (on
// the validation samples, else the training samples) with its standard
// error; with Config.FlipMove, the share of flips the chains accepted.
func (pi ProgressInfo) String() string {
	s := fmt.Sprintf("layer %d/%d epoch %d/%d recon %.4g", pi.Layer+1, pi.Layers, pi.Epoch, pi.Epochs, float64(pi.Stats.ReconTrain))
	sum := LayerSummary{Epochs: pi.Epoch, Last: pi.Stats}
	if c, ok := sum.Independent(); ok {
		s += fmt.Sprintf(" pseudo-LL vs independent %+.3g +/- %.2g", c.PLGain, c.PLGainSE)
	}
	if a := pi.Stats.FlipAccept; a != nil {
		s += fmt.Sprintf(" flips accepted %.3g%%", 100*float64(*a))
	}
	return s
}

// seconds returns the epochs' seconds per layer, or nil when h is nil or
// records no time.
func (h *History) seconds() [][]float64 {
	if h == nil {
		return nil
	}
	any := false
	out := make([][]float64, len(h.Layers))
	for l, es := range h.Layers {
		out[l] = make([]float64, len(es))
		for i, e := range es {
			out[l][i] = float64(e.Seconds)
			any = any || e.Seconds != 0
		}
	}
	if !any {
		return nil
	}
	return out
}

// withoutSeconds returns a copy of h with every Seconds zero.
func (h *History) withoutSeconds() *History {
	c := &History{Layers: make([][]EpochStats, len(h.Layers))}
	for l, es := range h.Layers {
		c.Layers[l] = append([]EpochStats(nil), es...)
		for i := range c.Layers[l] {
			c.Layers[l][i].Seconds = 0
		}
	}
	return c
}

// maxTimingsBytes bounds the timings sidecar read by mergeSeconds.
const maxTimingsBytes = 4 << 20

// mergeSeconds sets the epochs' seconds from a timings sidecar written by
// DBN.Save when it exists and matches h's shape; the timings are only
// informational, so a missing or unreadable sidecar leaves h unchanged.
func (h *History) mergeSeconds(path string) {
	if h == nil {
		return
	}
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxTimingsBytes {
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	var t struct{ Seconds [][]float64 }
	if json.Unmarshal(b, &t) != nil || len(t.Seconds) != len(h.Layers) {
		return
	}
	for l, es := range h.Layers {
		if len(t.Seconds[l]) != len(es) {
			return
		}
	}
	for l, es := range h.Layers {
		for i := range es {
			es[i].Seconds = stats.Num(t.Seconds[l][i])
		}
	}
}
