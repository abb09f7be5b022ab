package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/isingrbm/isingrbm/bitlattice/exact"
)

func init() {
	commands["exact"] = command{
		summary: "print the exact energy per spin and specific heat of the L x L torus (Kaufman)",
		run:     runExact,
	}
}

type exactReport struct {
	L              int     `json:"L"`
	K              float64 `json:"beta"`
	Energy         float64 `json:"energy"`
	SpecificHeat   float64 `json:"specific_heat"`
	LogZPerSpin    float64 `json:"log_z_per_spin"`
	OnsagerEnergy  float64 `json:"onsager_energy"`
	Magnetization0 float64 `json:"onsager_spontaneous_magnetization"`
}

func runExact(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("exact", stderr)
	L := fs.Int("L", 40, "linear lattice size (L x L torus), >= 2")
	betas := fs.String("beta", "0.408", "coupling K = J/kT: a value, a list a,b,c or a range lo:hi:n")
	asJSON := fs.Bool("json", false, "print JSON on stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *L < 2 || *L > 1<<20 {
		return badInput("-L: want an integer between 2 and %d, got %d", 1<<20, *L)
	}
	ks, err := parseCouplings("beta", *betas)
	if err != nil {
		return err
	}
	reps := make([]exactReport, len(ks))
	for i, k := range ks {
		reps[i] = exactReport{
			L: *L, K: k,
			Energy:         exact.Energy(*L, k),
			SpecificHeat:   exact.SpecificHeat(*L, k),
			LogZPerSpin:    exact.LogZ(*L, k) / float64(*L**L),
			OnsagerEnergy:  exact.OnsagerEnergy(k),
			Magnetization0: exact.SpontaneousMagnetization(k),
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if len(reps) == 1 {
			return enc.Encode(reps[0])
		}
		return enc.Encode(reps)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "L\tK\tenergy/spin\tspecific heat/spin\tlnZ/N\tOnsager u (L=inf)\t\n")
	for _, r := range reps {
		fmt.Fprintf(tw, "%d\t%.6f\t%.12f\t%.12f\t%.12f\t%.12f\t\n", r.L, r.K, r.Energy, r.SpecificHeat, r.LogZPerSpin, r.OnsagerEnergy)
	}
	return tw.Flush()
}
