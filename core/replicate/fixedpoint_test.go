package replicate

import (
	"math"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/stats"
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

// TestFixedPointValuesByReplica: the per-epoch spreads of the fixed point
// keep one value per replica in replica order, as every other Spread does;
// a replica whose measure is undefined at an epoch (no live units there)
// or that lacks the snapshot is NaN in Values and left out of N and the
// mean.
func TestFixedPointValuesByReplica(t *testing.T) {
	nan := stats.Num(math.NaN())
	snaps := func(epochs []int, live, liveBias []stats.Num) []snapLocality {
		var s []snapLocality
		for i, e := range epochs {
			s = append(s, snapLocality{Epoch: e, PRMedian: stats.Num(10 * (i + 1)), Live: live[i], LiveBias: liveBias[i]})
		}
		return s
	}
	reps := []netData{
		{ana: analysisResult{Snapshots: snaps([]int{1, 5}, []stats.Num{0.5, 0.6}, []stats.Num{-1, -2})}},
		{ana: analysisResult{Snapshots: snaps([]int{1, 5}, []stats.Num{0, 0.2}, []stats.Num{nan, -4})}},
		{ana: analysisResult{Snapshots: snaps([]int{1}, []stats.Num{0.3}, []stats.Num{-3})}},
	}
	fp := fixedPointOf(reps)
	if len(fp.SnapshotEpochs) != 2 || fp.SnapshotEpochs[1] != 5 {
		t.Fatalf("snapshot epochs %v, want [1 5]", fp.SnapshotEpochs)
	}
	for _, c := range []struct {
		name string
		got  Spread
		want []float64 // NaN: undefined
		n    int
		mean float64
	}{
		{"live epoch 1", fp.Live[0], []float64{0.5, 0, 0.3}, 3, 0.8 / 3},
		{"live epoch 5", fp.Live[1], []float64{0.6, 0.2, math.NaN()}, 2, 0.4},
		{"live bias epoch 1", fp.LiveBias[0], []float64{-1, math.NaN(), -3}, 2, -2},
		{"live bias epoch 5", fp.LiveBias[1], []float64{-2, -4, math.NaN()}, 2, -3},
		{"PR epoch 5", fp.PRMedian[1], []float64{20, 20, math.NaN()}, 2, 20},
	} {
		if len(c.got.Values) != len(c.want) || c.got.N != c.n || math.Abs(float64(c.got.Mean)-c.mean) > 1e-12 {
			t.Errorf("%s: %d values, N %d, mean %v; want %d, %d, %v", c.name, len(c.got.Values), c.got.N, c.got.Mean, len(c.want), c.n, c.mean)
			continue
		}
		for r, w := range c.want {
			if g := float64(c.got.Values[r]); g != w && !(math.IsNaN(g) && math.IsNaN(w)) {
				t.Errorf("%s: replica %d has %v, want %v", c.name, r, g, w)
			}
		}
	}
}
