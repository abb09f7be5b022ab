package exact

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/isingrbm/isingrbm/core/stats"
)

// Report is the exact results of the L x L torus at coupling K. Every value
// is finite for every finite K >= 0 except ln Z/N beyond the float64 range
// (null in JSON).
type Report struct {
	L              int       `json:"L"`
	K              float64   `json:"beta"`
	Energy         stats.Num `json:"energy"`
	SpecificHeat   stats.Num `json:"specific_heat"`
	LogZPerSpin    stats.Num `json:"log_z_per_spin"`
	OnsagerEnergy  stats.Num `json:"onsager_energy"`
	Magnetization0 stats.Num `json:"onsager_spontaneous_magnetization"`
}

// NewReport computes the Report of the L x L torus at K; adding 0 turns
// the -0 energy of K = 0 into 0.
func NewReport(L int, K float64) Report {
	return Report{L: L, K: K,
		Energy: stats.Num(Energy(L, K) + 0), SpecificHeat: stats.Num(SpecificHeat(L, K)),
		LogZPerSpin:   stats.Num(LogZ(L, K) / float64(L*L)),
		OnsagerEnergy: stats.Num(OnsagerEnergy(K)), Magnetization0: stats.Num(SpontaneousMagnetization(K)),
	}
}

// MaxWork bounds couplings x L for NewReports: Kaufman's products cost
// about a microsecond per row of the lattice, so this is about two minutes.
const MaxWork = 1e8

// NewReports computes the Reports of the L x L torus at every coupling of
// ks, stopping with ctx's error when it is done. It refuses more than
// MaxWork couplings x rows before computing anything, naming the command
// line's -beta and -L.
func NewReports(ctx context.Context, L int, ks []float64) ([]Report, error) {
	if float64(len(ks))*float64(L) > MaxWork {
		return nil, fmt.Errorf("-beta: %d couplings at -L %d would take hours; want at most %d couplings at this L", len(ks), L, int(MaxWork)/L)
	}
	reps := make([]Report, len(ks))
	for i, k := range ks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		reps[i] = NewReport(L, k)
	}
	return reps, nil
}

// WriteTable prints reports as a table, one coupling a row.
func WriteTable(w io.Writer, reports []Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "L\tK\tenergy/spin\tspecific heat/spin\tlnZ/N\tOnsager u (L=inf)\t\n")
	for _, r := range reports {
		fmt.Fprintf(tw, "%d\t%.6f\t%.12f\t%.12f\t%.12f\t%.12f\t\n", r.L, r.K, r.Energy, r.SpecificHeat, r.LogZPerSpin, r.OnsagerEnergy)
	}
	return tw.Flush()
}
