package core

import (
	"encoding/json"
	"math"
)

// Num is a float64 that encodes in JSON as null when it is NaN or infinite
// (JSON has no such numbers), and decodes null as NaN.
type Num float64

// MarshalJSON implements json.Marshaler.
func (x Num) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// UnmarshalJSON implements json.Unmarshaler.
func (x *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = Num(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*x = Num(f)
	return nil
}

// EpochStats are the measures recorded after one epoch of one layer. The
// train measures use at most Config.MonitorRows evenly spaced training
// samples, the validation measures at most as many validation samples; NaN
// (null in JSON) when not available.
type EpochStats struct {
	Layer    int `json:"layer"`
	Epoch    int `json:"epoch"` // counted from 1
	Momentum Num `json:"momentum"`
	// BatchRecon is the epoch's mean over training samples of the squared
	// distance between each mini-batch and its negative-phase
	// reconstruction (the error Hinton & Salakhutdinov's code prints);
	// NaN for persistent CD.
	BatchRecon      Num `json:"batch_recon"`
	FreeEnergyTrain Num `json:"free_energy_train"`
	FreeEnergyVal   Num `json:"free_energy_val"`
	// FreeEnergyGap is FreeEnergyVal - FreeEnergyTrain: it grows when the
	// model overfits.
	FreeEnergyGap Num `json:"free_energy_gap"`
	PseudoLLTrain Num `json:"pseudo_ll_train"` // scikit-learn's stochastic form, fixed flips
	PseudoLLVal   Num `json:"pseudo_ll_val"`
	ReconTrain    Num `json:"recon_train"` // mean-field reconstruction error
	ReconVal      Num `json:"recon_val"`
	// WeightChange is the Frobenius norm of W(end of epoch) - W(start).
	WeightChange Num `json:"weight_change"`
	Seconds      Num `json:"seconds"` // wall time of the epoch's training (not the measures)
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
