package rbm

import (
	"math"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/core/stats"
)

// maxNegF returns max over every visible state of -F(v), in float64.
func maxNegF(r *RBM) float64 {
	best := math.Inf(-1)
	v := make([]float32, r.NVisible)
	for s := 0; s < 1<<r.NVisible; s++ {
		for i := range v {
			v[i] = float32(s >> i & 1)
		}
		best = max(best, -r.freeEnergy64(v))
	}
	return best
}

// The floor of log Z is a state's -F: never above the exact log Z nor
// above the best state's -F. On a model whose all-ones state holds most of
// the mass, 100 runs end there at least once and the floor is that state's
// -F exactly (a floor from the wrong state, sign or beta fails).
func TestAISFloor(t *testing.T) {
	// The mode is 1 on even units and 0 on odd ones: neither uniform
	// state, which the floor also checks.
	peaked := NewRBM(12, 2)
	for i := 0; i < 12; i++ {
		peaked.W[i*2] = float32(4 - 8*(i%2))
		peaked.W[i*2+1] = -0.3
	}
	peaked.C[0], peaked.C[1] = -12, 0.5
	for _, c := range []struct {
		name string
		r    *RBM
	}{{"random", randomRBM(14, 10, 0.7, 5)}, {"peaked", peaked}} {
		exact, err := c.r.ExactLogZ()
		if err != nil {
			t.Fatal(err)
		}
		best := maxNegF(c.r)
		res, err := c.r.AIS(nil, AISConfig{Runs: 100, Seed: 3, Betas: LinearBetas([]float64{0, 1}, []int{300})})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: exact log Z %.4f, best -F %.4f, AIS %.4f, floor %.4f", c.name, exact, best, res.LogZ, res.Floor)
		if !(res.Floor <= best && best <= exact) {
			t.Errorf("%s: floor %v, best state's -F %v, exact log Z %v: want floor <= best <= exact", c.name, res.Floor, best, exact)
		}
		if c.name == "peaked" && res.Floor != best {
			t.Errorf("peaked: floor %v, want the mode's -F %v", res.Floor, best)
		}
		if c.name == "random" && res.Floor < best-5 {
			t.Errorf("random: floor %v is far below the best state's -F %v", res.Floor, best)
		}
	}
}

// On a CD-1 model of ordered Ising data (4 x 4 at K = 0.6, the phase whose
// study models break the flip symmetry), the log-likelihood result's
// ceiling and floor bracket the exact values, AIS agrees with the exact
// log Z, and the flip gap is the float64 |F(1-v) - F(v)|.
func TestCeilingAndFlipGapOrdered(t *testing.T) {
	s, err := bitlattice.Sample(bitlattice.Options{L: 4, K: 0.6, N: 400, Seed: 9, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	d := &Dataset{N: 400, D: 16, X: s.Configs}
	cfg, err := Preset("mehta-schwab")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Epochs, cfg.Batch, cfg.Seed, cfg.Threads = 30, 20, 4, 1
	cfg.CheckpointEvery, cfg.CheckpointPath, cfg.SnapshotEvery, cfg.ValidationFraction = 0, "", 0, 0
	dbn, _, err := Fit(t.Context(), d, []int{16, 12}, cfg, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := dbn.Layers[0]
	exact, err := r.ExactLogLikelihood(d)
	if err != nil {
		t.Fatal(err)
	}
	ll, err := r.LogLikelihood(nil, d, "ais", AISConfig{Runs: 100, Seed: 2, Betas: LinearBetas([]float64{0, 0.5, 0.9, 1}, []int{200, 800, 2000})})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exact LL %.4f; AIS %.4f [%.4f, %.4f], ceiling %.4f", exact, ll.Mean, ll.Lo, ll.Hi, ll.Ceiling)
	if !(exact <= ll.Ceiling) {
		t.Errorf("exact LL %v above the ceiling %v", exact, ll.Ceiling)
	}
	if !(ll.Lo <= exact && exact <= ll.Hi) {
		t.Errorf("exact LL %v outside AIS bounds [%v, %v]", exact, ll.Lo, ll.Hi)
	}
	ex, err := r.LogLikelihood(nil, d, "exact", AISConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Ceiling != ex.Mean || ex.LogZFloor != ex.LogZ {
		t.Errorf("exact method: ceiling %v, mean %v, floor %v, log Z %v: want equal pairs", ex.Ceiling, ex.Mean, ex.LogZFloor, ex.LogZ)
	}

	gap := r.GlobalFlipGap(nil, d)
	v := make([]float32, 16)
	w := make([]float32, 16)
	mean := 0.0
	for i := 0; i < d.N; i++ {
		d.Row(i, v)
		for k, x := range v {
			w[k] = 1 - x
		}
		want := math.Abs(r.freeEnergy64(w) - r.freeEnergy64(v))
		if math.Abs(gap[i]-want) > 1e-3*(1+want) {
			t.Fatalf("sample %d: flip gap %v, float64 %v", i, gap[i], want)
		}
		mean += want
	}
	t.Logf("mean flip gap %.3f nats", mean/float64(d.N))
}

// A model built with the flip symmetry (b = 0, hidden units in pairs (w,
// c) and (-w, c + sum w)) has a flip gap of 0 up to float32 rounding.
func TestFlipGapSymmetricModel(t *testing.T) {
	half := randomRBM(20, 6, 0.8, 8)
	r := NewRBM(20, 12)
	for j := 0; j < 6; j++ {
		sum := float64(half.C[j])
		for i := 0; i < 20; i++ {
			w := half.W[i*6+j]
			r.W[i*12+2*j] = w
			r.W[i*12+2*j+1] = -w
			sum += float64(w)
		}
		r.C[2*j], r.C[2*j+1] = half.C[j], float32(sum)
	}
	for i, g := range r.GlobalFlipGap(nil, randomBinary(300, 20, 0.4, 1)) {
		if g > 1e-4 {
			t.Fatalf("sample %d: flip gap %v of a flip-symmetric model", i, g)
		}
	}
	for i, g := range half.GlobalFlipGap(nil, randomBinary(50, 20, 0.4, 1)) {
		if g == 0 {
			t.Fatalf("sample %d: flip gap 0 of a random model", i)
		}
	}
}

func TestCeilingWarning(t *testing.T) {
	e := LayerEval{Layer: 1, LogLik: -100, LogLikLo: -101, LogLikCeiling: -120, AISRuns: 100}
	if x, beyond := e.AboveCeiling(); x != 20 || !beyond {
		t.Errorf("20 nats above, bounds too: AboveCeiling = %v, %v", x, beyond)
	}
	if w := e.CeilingWarning(); !strings.Contains(w, "layer 1") || !strings.Contains(w, "-120") ||
		!strings.Contains(w, "over 99.9% of Z") || !strings.Contains(w, "beyond their 3-sigma bounds") {
		t.Errorf("log-likelihood above its ceiling: warning %q", w)
	}
	e.LogLik, e.LogLikLo = -119.5, -120.5 // 0.5 nats above: 39% of Z missed
	if x, beyond := e.AboveCeiling(); x != 0.5 || beyond {
		t.Errorf("0.5 nats above, lower bound below: AboveCeiling = %v, %v", x, beyond)
	}
	if w := e.CeilingWarning(); !strings.Contains(w, "0.5 nats above") || !strings.Contains(w, "at least 39% of Z") ||
		!strings.Contains(w, "interval reaches below the ceiling") {
		t.Errorf("log-likelihood just above its ceiling: warning %q", w)
	}
	e.LogLik = -130
	if w := e.CeilingWarning(); w != "" {
		t.Errorf("log-likelihood below its ceiling: warning %q", w)
	}
	if x, beyond := e.AboveCeiling(); x != 0 || beyond {
		t.Errorf("below: AboveCeiling = %v, %v", x, beyond)
	}
}

// A model with a mode that AIS from the data's density misses: dense
// negative weights and large hidden biases give the all-0 state e^144
// while the states near the base model's density 1/2 hold about e^92,
// behind a barrier near 20 ones (weight decay's models at K = 0.408 have
// this shape, at e^6000). The data path alone misses the mode by tens of
// nats; the floor, from the all-0 state, does not, and a log-likelihood
// from that path is above its ceiling, which the warning reports.
// LogLikelihood's second path, from the model's own biases, starts in the
// mode and brackets the exact log Z.
func TestFloorCatchesMissedMode(t *testing.T) {
	r := NewRBM(100, 12)
	for i := range r.W {
		r.W[i] = -0.6
	}
	for j := range r.C {
		r.C[j] = 12
	}
	for i := range r.B {
		r.B[i] = 0.5
	}
	exact, err := r.ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	d := randomBinary(200, 100, 0.5, 6)
	base := NewRBM(r.NVisible, 1)
	base.setVisibleLogOdds(d)
	betas := LinearBetas([]float64{0, 0.5, 0.9, 1}, []int{100, 400, 1000})
	a, err := r.AIS(nil, AISConfig{Runs: 100, Seed: 1, Betas: betas, BaseVisibleBias: base.B})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("exact log Z %.3f, AIS from the data %.3f, floor %.3f", exact, a.LogZ, a.Floor)
	if !(a.Floor <= exact && exact-a.Floor < 0.5) {
		t.Errorf("floor %v, exact log Z %v: want the all-0 state's -F, within 0.5 below", a.Floor, exact)
	}
	if !(a.LogZ < a.Floor-10) {
		t.Fatalf("AIS %v found the mode (floor %v): the model no longer tests a miss", a.LogZ, a.Floor)
	}
	fe, err := r.meanFreeEnergy(t.Context(), nil, d)
	if err != nil {
		t.Fatal(err)
	}
	e := LayerEval{Layer: 1, LogLik: stats.Num(-fe - a.LogZ), LogLikLo: stats.Num(-fe - a.Hi), LogLikCeiling: stats.Num(-fe - a.Floor), AISRuns: 100}
	if _, beyond := e.AboveCeiling(); e.CeilingWarning() == "" || !beyond {
		t.Errorf("log-likelihood %v (lower bound %v) above its ceiling %v: warning %q", e.LogLik, e.LogLikLo, e.LogLikCeiling, e.CeilingWarning())
	}

	ll, err := r.LogLikelihood(nil, d, "ais", AISConfig{Runs: 100, Seed: 1, Betas: betas})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("both paths: data %.3f, biases %.3f [%.3f, %.3f], floor %.3f", ll.LogZData, ll.LogZBiases, ll.LogZLo, ll.LogZHi, ll.LogZFloor)
	if ll.LogZData != a.LogZ || ll.Path != "biases" || ll.LogZ != ll.LogZBiases {
		t.Errorf("data path %v (alone %v), chosen %q = %v", ll.LogZData, a.LogZ, ll.Path, ll.LogZ)
	}
	if !(ll.LogZLo <= exact && exact <= ll.LogZHi) || math.Abs(ll.LogZ-exact) > 0.2 {
		t.Errorf("exact log Z %v, biases path %v [%v, %v]", exact, ll.LogZ, ll.LogZLo, ll.LogZHi)
	}
	if !(ll.Mean <= ll.Ceiling) || ll.LogZFloor != max(a.Floor, ll.LogZFloor) {
		t.Errorf("mean %v above ceiling %v (floor %v, data path's %v)", ll.Mean, ll.Ceiling, ll.LogZFloor, a.Floor)
	}
}
