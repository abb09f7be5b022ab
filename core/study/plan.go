package study

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// DoneKeys returns the keys of the stages that are done, in graph order
// (an empty list, not nil, when none is).
func DoneKeys(g Graph, stages []Stage) []string {
	out := []string{}
	for _, s := range stages {
		if g.Done(s.Key) {
			out = append(out, s.Key)
		}
	}
	return out
}

// WritePlan writes the study's graph to w: its folder, spec, runs,
// estimated totals, stages and the keys of those done, as indented JSON
// when asJSON is set, else as a table with one row per stage (key, kind,
// estimates, done) and its inputs and outputs below. It only reads.
func (st *Study) WritePlan(w io.Writer, asJSON bool) error {
	stages := st.Stages()
	tot := Sum(stages)
	if asJSON {
		js, err := json.MarshalIndent(struct {
			Dir    string    `json:"dir"`
			Spec   Spec      `json:"spec"`
			Runs   []RunInfo `json:"runs"`
			Totals Totals    `json:"totals"`
			Stages []Stage   `json:"stages"`
			Done   []string  `json:"done"`
		}{st.Dir, st.Spec, st.Runs(), tot, stages, DoneKeys(st, stages)}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", js)
		return err
	}
	done := len(stages) - len(Missing(st, stages))
	fmt.Fprintf(w, "study in %s: %d couplings x %d seeds = %d runs, %d stages (%d done)\n",
		st.Dir, len(st.Spec.Couplings), len(st.Spec.Seeds), len(st.Runs()), len(stages), done)
	fmt.Fprintf(w, "estimates: %.2f core-hours in all, %s on the longest chain, at most %d MiB for one stage\n\n",
		tot.CoreHours, fmtSeconds(tot.CriticalSeconds), tot.MaxMemMiB)
	return writeStageTable(w, st, stages)
}

// writeStageTable writes the text plan's table of stages.
func writeStageTable(w io.Writer, g Graph, stages []Stage) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tKIND\tCORES\tMEM MiB\tTIME\tDONE\tNAME")
	for _, s := range stages {
		d := ""
		if g.Done(s.Key) {
			d = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", s.Key, s.Kind, s.Cores, s.MemMiB, fmtSeconds(s.Seconds), d, s.Name)
		if len(s.Inputs) > 0 {
			fmt.Fprintf(tw, "\t\t\t\t\t\t  inputs: %s\n", strings.Join(s.Inputs, " "))
		}
		fmt.Fprintf(tw, "\t\t\t\t\t\t  outputs: %s\n", strings.Join(s.Outputs, " "))
	}
	return tw.Flush()
}

// fmtSeconds writes an estimated duration in seconds, minutes or hours.
func fmtSeconds(s float64) string {
	switch {
	case s < 90:
		return fmt.Sprintf("%.0f s", s)
	case s < 5400:
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}
