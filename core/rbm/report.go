package rbm

import (
	"fmt"
	"io"
	"math"
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
	fmt.Fprintln(tw, "layer\tunits\tfree energy\tflip gap\tpseudo-LL\trecon error\tlog-lik\t+/-\tceiling\tmethod\tseconds\t")
	for _, e := range rep.Layers {
		method := e.LogLikMethod
		if e.AISPath != "" {
			method += " (" + e.AISPath + ")"
		}
		gap := "-"
		if !math.IsNaN(float64(e.GlobalFlipGap)) {
			gap = fmt.Sprintf("%.5g", float64(e.GlobalFlipGap))
		}
		fmt.Fprintf(tw, "%d\t%d->%d\t%.5g\t%s\t%.5g\t%.5g\t%.6g\t%.2g\t%.6g\t%s\t%.1f\t\n", e.Layer, e.Visible, e.Hidden,
			float64(e.FreeEnergy), gap, float64(e.PseudoLL), float64(e.ReconError), float64(e.LogLik), float64(e.LogLikErr),
			float64(e.LogLikCeiling), method, e.Seconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%d of %d samples of %s; layer k > 1 is evaluated on the hidden probabilities of layer k-1 (mean-field pass up).\n"+
		"flip gap: mean |F(1-v) - F(v)| (0 for a model with the Ising spin-flip symmetry); ais: the larger log Z of two AIS paths, from the data's density (data) and from the model's own biases (biases); "+
		"ceiling: -F - max(-F(v)) over the AIS runs' best final states and the all-0 and all-1 states, a bound of the log-likelihood with no statistics.\n",
		rep.Samples, rep.SamplesTotal, rep.Data); err != nil {
		return err
	}
	for _, e := range rep.Layers {
		if e.RAISE == nil {
			continue
		}
		if _, err := fmt.Fprintf(w, "layer %d: RAISE (reverse AIS from the data: errs low for the model that chains from the data reach; far above AIS, the model has mass they do not reach) %.6g +/- %.2g, log Z from %d of the samples, one chain each; AIS %.6g\n",
			e.Layer, float64(e.RAISE.LogLik), float64(e.RAISE.Err), e.RAISE.Samples, float64(e.LogLik)); err != nil {
			return err
		}
	}
	for _, e := range rep.Layers {
		if msg := e.CeilingWarning(); msg != "" {
			if _, err := fmt.Fprintln(w, msg); err != nil {
				return err
			}
		}
	}
	return nil
}

// AboveCeiling returns by how many nats the log-likelihood exceeds its
// ceiling (0 when it does not) and whether its 3-sigma lower bound
// LogLikLo does too: then the AIS runs missed mass beyond their error
// bars. An estimate excess nats above the ceiling missed at least a share
// 1 - e^-excess of Z.
func (e *LayerEval) AboveCeiling() (excess float64, beyondError bool) {
	if !(e.LogLik > e.LogLikCeiling) {
		return 0, false
	}
	return float64(e.LogLik - e.LogLikCeiling), float64(e.LogLikLo) > float64(e.LogLikCeiling)
}

// CeilingWarning returns a warning when the log-likelihood is above its
// ceiling (AIS missed part of Z, so the estimate is too high), else "".
func (e *LayerEval) CeilingWarning() string {
	excess, beyond := e.AboveCeiling()
	if excess == 0 {
		return ""
	}
	missed := "over 99.9%"
	if excess < 6.9 {
		missed = fmt.Sprintf("%.2g%%", 100*(1-math.Exp(-excess)))
	}
	bars := "its 3-sigma interval reaches below the ceiling"
	if beyond {
		bars = "beyond their 3-sigma bounds, so the estimate and its bounds are too high (more -ais-steps or -ais-runs help only where the runs can reach the missing states)"
	}
	return fmt.Sprintf("warning: layer %d: the AIS log-likelihood %.6g is %.3g nats above %.6g, which one state's free energy proves it cannot exceed: "+
		"both paths' %d runs missed at least %s of Z; %s",
		e.Layer, float64(e.LogLik), excess, float64(e.LogLikCeiling), e.AISRuns, missed, bars)
}
