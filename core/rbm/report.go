package rbm

import (
	"fmt"
	"io"
	"math"
	"strings"
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

// IndependentCheck compares a layer's last epoch with independent units
// with the layer's training means (EpochStats.PseudoLLIndepVal and
// LogLikIndepVal), on the validation samples, or the training samples
// when there are none.
type IndependentCheck struct {
	Set string // "validation" or "training"
	// PLGain is the pseudo-likelihood minus that of independent units, with
	// the same flips, and PLGainSE its standard error.
	PLGain, PLGainSE float64
	// Ceiling bounds the mean log-likelihood from above with no statistics;
	// LogLikIndep is that of independent units.
	Ceiling, LogLikIndep float64
}

// Independent returns the layer's IndependentCheck; ok is false when its
// history lacks the measures (files written before they existed).
func (s *LayerSummary) Independent() (c IndependentCheck, ok bool) {
	e := &s.Last
	c = IndependentCheck{Set: "validation", PLGain: float64(e.PseudoLLVal - e.PseudoLLIndepVal), PLGainSE: float64(e.PseudoLLGainSEVal),
		Ceiling: float64(e.LogLikCeilingVal), LogLikIndep: float64(e.LogLikIndepVal)}
	if math.IsNaN(c.PLGain) {
		c = IndependentCheck{Set: "training", PLGain: float64(e.PseudoLLTrain - e.PseudoLLIndepTrain), PLGainSE: float64(e.PseudoLLGainSETrain),
			Ceiling: float64(e.LogLikCeilingTrain), LogLikIndep: float64(e.LogLikIndepTrain)}
	}
	ok = s.Epochs > 0
	for _, x := range []float64{c.PLGain, c.PLGainSE, c.Ceiling, c.LogLikIndep} {
		ok = ok && !math.IsNaN(x)
	}
	return c, ok
}

// Proved reports whether the ceiling of the layer's log-likelihood is
// below the log-likelihood of independent units: worse than them, with no
// statistics involved.
func (c IndependentCheck) Proved() bool { return c.Ceiling < c.LogLikIndep }

// Significant reports whether the pseudo-likelihood is more than three
// standard errors below that of independent units.
func (c IndependentCheck) Significant() bool { return c.PLGain < -3*c.PLGainSE }

// IndependentWarnings returns the IndependentWarning of every layer of
// rows that has one, bottom up.
func IndependentWarnings(rows []LayerSummary, pcd bool) []string {
	warnings := []string{}
	for i := range rows {
		if msg := rows[i].IndependentWarning(pcd); msg != "" {
			warnings = append(warnings, msg)
		}
	}
	return warnings
}

// IndependentWarning returns a warning when the layer's last epoch is
// worse than independent units with the training means, proved by the
// log-likelihood's ceiling or by a pseudo-likelihood three standard errors
// below theirs (IndependentCheck), else "": the layer has not learned what
// the unit means hold, or has unlearned it. Silence proves nothing: a model
// with the right conditionals can still put its mass on states the
// samples never visit (bench/pcd). pcd adds what bench/pcd measured about
// persistent CD's step.
func (s *LayerSummary) IndependentWarning(pcd bool) string {
	c, ok := s.Independent()
	if !ok || !c.Proved() && !c.Significant() {
		return ""
	}
	var why []string
	if c.Proved() {
		why = append(why, fmt.Sprintf("its log-likelihood is at most %.5g (-F minus the largest -F of the all-0, all-1 and sample states: no statistics), below %.5g",
			c.Ceiling, c.LogLikIndep))
	}
	if c.Significant() {
		why = append(why, fmt.Sprintf("its pseudo-log-likelihood is %.3g +/- %.2g nats below theirs (same flips)", -c.PLGain, c.PLGainSE))
	}
	var hints []string
	if c.Proved() {
		hints = append(hints, "one state alone has so low a free energy that the samples' share of Z is small; with the paper's recipe it is the all-0 "+
			"configuration, a mode of large hidden biases that CD-1 never visits (README, \"Held-out values\"; `isingrbm eval` estimates the log-likelihood)")
	}
	if c.Significant() {
		hints = append(hints, "its conditionals p(v_i | the rest) fit worse than the unit means: lower -lr, or check that the data have structure beyond their unit means")
	}
	if pcd {
		hints = append(hints, "persistent CD (-pcd) needs a smaller step than CD-1, and a decaying one: -preset mehta-schwab-pcd (-lr 0.01 -momentum 0.5 -lr-decay linear) "+
			"ends 300 nats above independent units on the 40 x 40 configurations at K = 0.408 (bench/pcd/RUN.md)")
	}
	return fmt.Sprintf("warning: layer %d: after epoch %d, on the %s samples, the layer is worse than independent units with the training means: %s; %s",
		s.Layer, s.Epochs, c.Set, strings.Join(why, "; and "), strings.Join(hints, "; "))
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
	fmt.Fprintln(tw, "layer\tunits\tfree energy\tflip gap\tpseudo-LL\trecon error\tlog-lik\t+/-\tceiling\tindep\tmethod\tseconds\t")
	for _, e := range rep.Layers {
		method := e.LogLikMethod
		if e.AISPath != "" {
			method += " (" + e.AISPath + ")"
		}
		gap := "-"
		if !math.IsNaN(float64(e.GlobalFlipGap)) {
			gap = fmt.Sprintf("%.5g", float64(e.GlobalFlipGap))
		}
		fmt.Fprintf(tw, "%d\t%d->%d\t%.5g\t%s\t%.5g\t%.5g\t%.6g\t%.2g\t%.6g\t%.6g\t%s\t%.1f\t\n", e.Layer, e.Visible, e.Hidden,
			float64(e.FreeEnergy), gap, float64(e.PseudoLL), float64(e.ReconError), float64(e.LogLik), float64(e.LogLikErr),
			float64(e.LogLikCeiling), float64(e.LogLikIndep), method, e.Seconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%d of %d samples of %s; layer k > 1 is evaluated on the hidden probabilities of layer k-1 (mean-field pass up).\n"+
		"flip gap: mean |F(1-v) - F(v)| (0 for a model with the Ising spin-flip symmetry); ais: the larger log Z of two AIS paths, from the data's density (data) and from the model's own biases (biases); "+
		"ceiling: -F - max(-F(v)) over the AIS runs' best final states and the all-0 and all-1 states, a bound of the log-likelihood with no statistics; "+
		"indep: the log-likelihood of independent units fitted to these samples' own means (a ceiling below it: provably a worse density model than they are, on binary data; "+
		"layers above the first are scored on probabilities, where -F is convex and the comparison leans against the RBM, so there it is a comparison, not a proof).\n",
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
		if msg := e.IndependentWarning(); msg != "" {
			if _, err := fmt.Fprintln(w, msg); err != nil {
				return err
			}
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

// IndependentWarning returns a warning when the layer's log-likelihood
// ceiling is below LogLikIndep: with no statistics involved, the layer is
// a worse density model of the samples than independent units with their
// own means; else "".
func (e *LayerEval) IndependentWarning() string {
	if !(e.LogLikCeiling < e.LogLikIndep) {
		return ""
	}
	return fmt.Sprintf("warning: layer %d: its log-likelihood is at most %.6g (ceiling: no statistics), %.4g nats below %.6g of independent units fitted to these samples: "+
		"a worse density model of them than their own unit means", e.Layer, float64(e.LogLikCeiling), float64(e.LogLikIndep-e.LogLikCeiling), float64(e.LogLikIndep))
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
