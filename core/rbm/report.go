package rbm

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/isingrbm/isingrbm/core/stats"
)

// LayerSummary is the last epoch's measures of one trained layer.
type LayerSummary struct {
	Layer   int        `json:"layer"` // from 1
	Visible int        `json:"visible"`
	Hidden  int        `json:"hidden"`
	Epochs  int        `json:"epochs"`
	Seconds stats.Num  `json:"seconds"`
	Last    EpochStats `json:"last_epoch"`
}

// Summarize returns the per-layer summary of a training of sizes.
func (h *History) Summarize(sizes []int) []LayerSummary {
	var rows []LayerSummary
	for l := 0; l+1 < len(sizes); l++ {
		r := LayerSummary{Layer: l + 1, Visible: sizes[l], Hidden: sizes[l+1]}
		if h != nil && l < len(h.Layers) && len(h.Layers[l]) > 0 {
			es := h.Layers[l]
			r.Epochs = len(es)
			r.Last = es[len(es)-1]
			for _, e := range es {
				r.Seconds += e.Seconds
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// WriteTrainTable prints the summary as an aligned table.
func WriteTrainTable(w io.Writer, rows []LayerSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer\tunits\tepochs\trecon train\trecon val\tpseudo-LL train\tpseudo-LL val\tF gap\tseconds\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%d->%d\t%d\t%.5g\t%.5g\t%.5g\t%.5g\t%.4g\t%.1f\t\n", r.Layer, r.Visible, r.Hidden, r.Epochs,
			float64(r.Last.ReconTrain), float64(r.Last.ReconVal), float64(r.Last.PseudoLLTrain), float64(r.Last.PseudoLLVal),
			float64(r.Last.FreeEnergyGap), float64(r.Seconds))
	}
	return tw.Flush()
}

// WriteTable prints the evaluation as an aligned table and a line saying
// what was evaluated.
func (rep *EvalReport) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer\tunits\tfree energy\tpseudo-LL\trecon error\tlog-lik\t+/-\tmethod\tseconds\t")
	for _, e := range rep.Layers {
		fmt.Fprintf(tw, "%d\t%d->%d\t%.5g\t%.5g\t%.5g\t%.6g\t%.2g\t%s\t%.1f\t\n", e.Layer, e.Visible, e.Hidden,
			float64(e.FreeEnergy), float64(e.PseudoLL), float64(e.ReconError), float64(e.LogLik), float64(e.LogLikErr), e.LogLikMethod, e.Seconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d of %d samples of %s; layer k > 1 is evaluated on the hidden probabilities of layer k-1 (mean-field pass up).\n",
		rep.Samples, rep.SamplesTotal, rep.Data)
	return err
}
