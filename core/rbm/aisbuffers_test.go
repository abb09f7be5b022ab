package rbm

import (
	"testing"

	"github.com/isingrbm/isingrbm/asm/f32"
)

// TestLogLikelihoodAISBuffers: LogLikelihood's two AIS paths run in one set
// of buffers (aisBuffers), as EstimateEvalBytes counts: each path had
// allocated its own, and the first's were still uncollected when the
// second allocated (eval -ais-runs 100000 peaked at 1.5 times the
// estimate). The paths' estimates are those of AIS run alone.
func TestLogLikelihoodAISBuffers(t *testing.T) {
	const nv, nh, runs = 64, 32, 4000
	r := tinyDBN([]int{nv, nh}, 0.1, 5).Layers[0]
	d := randomBinary(50, nv, 0.4, 6)
	betas := LinearBetas([]float64{0, 1}, []int{20})
	ws := f32.NewWorkspace(2)
	cfg := AISConfig{Runs: runs, Betas: betas, Seed: 7}
	if _, err := r.LogLikelihood(ws, d, "ais", cfg); err != nil { // the workspace's buffers grow
		t.Fatal(err)
	}
	var ll LogLikelihoodResult
	var err error
	got := allocated(func() { ll, err = r.LogLikelihood(ws, d, "ais", cfg) })
	if err != nil {
		t.Fatal(err)
	}
	set := float64(4 * runs * (nv + 3*nh)) // the float32 states and hidden inputs of one path
	est := EstimateEvalBytes(d.N, []int{nv, nh}, runs, len(betas)-1) - processBytes
	t.Logf("LogLikelihood (AIS, %d runs) allocates %.0f KiB; one set of float32 buffers %.0f KiB; EstimateEvalBytes %.0f KiB", runs, got/1024, set/1024, est/1024)
	if got > 1.5*set || got > est {
		t.Errorf("LogLikelihood allocates %.0f bytes, want at most 1.5 times one path's %.0f (one set for both) and the estimate %.0f", got, set, est)
	}

	base := NewRBM(nv, 1)
	base.setVisibleLogOdds(d)
	data := cfg
	data.BaseVisibleBias = base.B
	a, err := r.AIS(ws, data)
	if err != nil {
		t.Fatal(err)
	}
	biases := cfg
	biases.BaseVisibleBias, biases.BaseHiddenBias = r.B, r.C
	b, err := r.AIS(ws, biases)
	if err != nil {
		t.Fatal(err)
	}
	if ll.LogZData != a.LogZ || ll.LogZBiases != b.LogZ {
		t.Errorf("paths' log Z %v and %v in shared buffers, %v and %v alone", ll.LogZData, ll.LogZBiases, a.LogZ, b.LogZ)
	}
}
