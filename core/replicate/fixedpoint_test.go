package replicate

import (
	"strings"
	"testing"
)

// TestAfterOptimum: the verdict on locality after the held-out optimum
// names a direction only for one replica or when the ranges over seeds do
// not overlap; a direction of the means inside the spread is reported as
// no change.
func TestAfterOptimum(t *testing.T) {
	fp := func(best []float64, pr0, pr1, d0, d1 []float64) FixedPoint {
		return FixedPoint{BestEpoch: SpreadOf(best), SnapshotEpochs: []int{10, 20, 30},
			PRMedian:   []Spread{SpreadOf(pr0), SpreadOf(pr0), SpreadOf(pr1)},
			DiskMedian: []Spread{SpreadOf(d0), SpreadOf(d0), SpreadOf(d1)}}
	}
	for _, c := range []struct {
		name string
		fp   FixedPoint
		want string
	}{
		{"one replica", fp([]float64{15}, []float64{40}, []float64{30}, []float64{0.5}, []float64{0.6}),
			"locality keeps sharpening after the held-out optimum (epoch 15 on average): median PR 40 at epoch 20 -> 30 at epoch 30"},
		{"inside the spread", fp([]float64{15, 16}, []float64{40, 30}, []float64{35, 31}, []float64{0.5, 0.6}, []float64{0.55, 0.62}),
			"no change of locality beyond the seed spread after the held-out optimum (epoch 16 on average; the mean sharpens)"},
		{"beyond the spread", fp([]float64{15, 16}, []float64{40, 42}, []float64{30, 31}, []float64{0.5, 0.52}, []float64{0.6, 0.62}),
			"locality keeps sharpening after the held-out optimum (epoch 16 on average)"},
		{"loosens beyond", fp([]float64{15, 16}, []float64{30, 31}, []float64{40, 42}, []float64{0.6, 0.62}, []float64{0.5, 0.52}),
			"locality loosens after the held-out optimum"},
	} {
		got := afterOptimum(c.fp)
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: %q, want it to start with %q", c.name, got, c.want)
		}
		if c.name == "beyond the spread" && !strings.HasSuffix(got, "beyond the seed spread (ranges do not overlap)") {
			t.Errorf("%s: %q does not say the ranges do not overlap", c.name, got)
		}
	}
}
