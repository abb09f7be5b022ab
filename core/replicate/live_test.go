package replicate

import (
	"math"
	"testing"

	"github.com/isingrbm/isingrbm/core/analysis"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/stats"
)

// TestAnalyserActivity checks the analyse stage's activities against a
// plain float64 statement of them: p(h = 1 | v) of each layer, mean-field
// up the stack, and its standard deviation over the configurations. One
// first-layer unit has no weights (dead: constant), one a hidden bias that
// keeps it off for every configuration (dead), the rest respond; liveUnits
// then counts the live ones and their compact share.
func TestAnalyserActivity(t *testing.T) {
	const nv, nh1, nh2, rows = 9, 4, 3, 2*activityChunk + 50 // two whole chunks and a part
	l1, l2 := rbm.NewRBM(nv, nh1), rbm.NewRBM(nh1, nh2)
	for i := 0; i < nv; i++ {
		for j := 0; j < nh1; j++ {
			if j != 0 {
				l1.W[i*nh1+j] = float32(math.Sin(float64(3*i+j))) * 1.5
			}
		}
	}
	l1.C[1] = -60 // off whatever v
	for i := range l2.W {
		l2.W[i] = float32(math.Cos(float64(i)))
	}
	x := make([]uint8, rows*nv)
	for i := range x {
		x[i] = uint8((i*7 + i/5 + i/97) % 3 % 2)
	}
	data, err := rbm.NewBinaryDataset(rows, nv, x)
	if err != nil {
		t.Fatal(err)
	}
	a := &analyser{s: Settings{Threads: 1}, dbn: &rbm.DBN{Layers: []*rbm.RBM{l1, l2}}, sub: data}
	mean, act, err := a.response(a.dbn.Layers)
	if err != nil {
		t.Fatal(err)
	}
	// The chunks change no bit: the whole batch through DBN.Up gives the
	// same activities.
	for k, l := range a.dbn.Layers {
		whole, err := analysis.Activity(a.dbn.Up(nil, analysis.ToFloat32(x), rows, k+1), rows, l.NHidden)
		if err != nil {
			t.Fatal(err)
		}
		for j := range whole {
			if whole[j] != act[k][j] {
				t.Errorf("layer %d unit %d: activity %v in chunks, %v in one batch", k+1, j, act[k][j], whole[j])
			}
		}
	}
	sigmoid := func(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
	in := make([][]float64, rows)
	for r := range in {
		in[r] = make([]float64, nv)
		for i := range in[r] {
			in[r][i] = float64(x[r*nv+i])
		}
	}
	for k, l := range a.dbn.Layers {
		out := make([][]float64, rows)
		for r := range out {
			out[r] = make([]float64, l.NHidden)
			for j := range out[r] {
				z := float64(l.C[j])
				for i := 0; i < l.NVisible; i++ {
					z += in[r][i] * float64(l.W[i*l.NHidden+j])
				}
				out[r][j] = sigmoid(z)
			}
		}
		for j := 0; j < l.NHidden; j++ {
			m, ss := 0.0, 0.0
			for r := range out {
				m += out[r][j]
			}
			m /= rows
			for r := range out {
				ss += (out[r][j] - m) * (out[r][j] - m)
			}
			if want := math.Sqrt(ss / rows); math.Abs(act[k][j]-want) > 1e-6 {
				t.Errorf("layer %d unit %d: activity %v, want %v", k+1, j, act[k][j], want)
			}
			if math.Abs(mean[k][j]-m) > 1e-6 {
				t.Errorf("layer %d unit %d: mean response %v, want %v", k+1, j, mean[k][j], m)
			}
		}
		in = out
	}
	if act[0][0] != 0 || act[0][1] >= analysis.LiveSD || act[0][2] < analysis.LiveSD || act[0][3] < analysis.LiveSD {
		t.Fatalf("layer 1 activities %v: want units 0 and 1 dead, 2 and 3 live", act[0])
	}
	var la layerAnalysis
	// The fields' peak sites (the 3 x 3 lattice's site of each column's
	// largest |w|), as analysis.LocalityVsNoise finds them.
	model := analysis.Locality{L: 3, Units: []analysis.UnitLocality{{PR: 1}, {PR: 2}, {PR: 3}, {PR: 5}}}
	for j := range model.Units {
		col := make([]float64, nv)
		for i := range col {
			col[i] = float64(l1.W[i*nh1+j])
		}
		if p := analysis.ArgMaxAbs(col); p >= 0 {
			model.Units[j].PeakX, model.Units[j].PeakY = p%3, p/3
		}
	}
	sur := analysis.SurrogateResult{Units: []analysis.SurrogateUnit{{}, {}, {SpectrumAtMost: 1}, {}}}
	liveUnits(&la, act[0], model, sur)
	if la.Live != 0.5 || la.LivePR.N != 2 || la.LivePR.Median != 4 || la.LiveCompact != 0.5 || len(la.UnitActivity) != nh1 {
		t.Errorf("liveUnits: live %v, PR %+v, compact %v, %d activities; want 0.5, median 4 of 2, 0.5, 4", la.Live, la.LivePR, la.LiveCompact, len(la.UnitActivity))
	}
	liveUnits(&la, []float64{0, 0, 0, 0}, model, sur)
	if la.Live != 0 || la.LivePR.N != 0 || !math.IsNaN(float64(la.LiveCompact)) || len(la.UnitActivity) != nh1 {
		t.Errorf("no live unit: live %v, PR n %d, compact %v, %d activities; want 0, 0, NaN, 4", la.Live, la.LivePR.N, la.LiveCompact, len(la.UnitActivity))
	}

	// A snapshot of layer 1 with its biases: unit 0 (no weights, c = 0) is
	// dead at p = 1/2, which counts as on; unit 1 dead and off; 2 and 3 live.
	maxW := func(j int) float64 {
		m := 0.0
		for i := 0; i < nv; i++ {
			m = max(m, math.Abs(float64(l1.W[i*nh1+j])))
		}
		return m
	}
	var sl snapLocality
	if err := a.snapshotLive(&sl, rbm.Snapshot{Epoch: 3, W: l1.W, C: l1.C}, model); err != nil {
		t.Fatal(err)
	}
	want := snapLocality{Live: 0.5, LivePRMedian: 4, DeadOn: 0.25, LiveBias: 0, DeadBias: -30,
		LiveMaxW: stats.Num((maxW(2) + maxW(3)) / 2), DeadMaxW: stats.Num(maxW(1) / 2)}
	if sl != want {
		t.Errorf("snapshotLive:\n got %+v\nwant %+v", sl, want)
	}
	// Without biases (a model file from before 2026-12-04): NaN.
	if err := a.snapshotLive(&sl, rbm.Snapshot{Epoch: 3, W: l1.W}, model); err != nil {
		t.Fatal(err)
	}
	for _, v := range []stats.Num{sl.Live, sl.LivePRMedian, sl.DeadOn, sl.LiveBias, sl.DeadBias, sl.LiveMaxW, sl.DeadMaxW} {
		if !math.IsNaN(float64(v)) {
			t.Errorf("snapshot without biases: %+v, want NaN live measures", sl)
			break
		}
	}
}
