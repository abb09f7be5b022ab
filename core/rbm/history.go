package rbm

import "github.com/isingrbm/isingrbm/core/stats"

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
	ReconTrain    stats.Num `json:"recon_train"` // mean-field reconstruction error
	ReconVal      stats.Num `json:"recon_val"`
	// WeightChange is the Frobenius norm of W(end of epoch) - W(start).
	WeightChange stats.Num `json:"weight_change"`
	Seconds      stats.Num `json:"seconds"` // wall time of the epoch's training (not the measures)
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
	Stats         EpochStats
}
