package rbm

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/core/stats"
	"runtime"
)

// randomRBM returns an RBM with W ~ sigma N(0,1) and biases ~ N(0, 0.5^2).
func randomRBM(nv, nh int, sigma float64, seed uint64) *RBM {
	g := rng.New(seed)
	r := NewRBM(nv, nh)
	for i := range r.W {
		r.W[i] = float32(sigma * g.NormFloat64())
	}
	for i := range r.B {
		r.B[i] = float32(0.5 * g.NormFloat64())
	}
	for i := range r.C {
		r.C[i] = float32(0.5 * g.NormFloat64())
	}
	return r
}

// randomBinary returns n random binary samples of d units with P(1) = p.
func randomBinary(n, d int, p float64, seed uint64) *Dataset {
	g := rng.New(seed)
	x := make([]uint8, n*d)
	for i := range x {
		if g.Float64() < p {
			x[i] = 1
		}
	}
	return &Dataset{N: n, D: d, X: x}
}

// bruteLogZ sums exp(-E(v,h)) over every joint state, in float64.
func bruteLogZ(r *RBM) float64 {
	var acc lse
	for v := 0; v < 1<<r.NVisible; v++ {
		for h := 0; h < 1<<r.NHidden; h++ {
			acc.add(-bruteEnergy(r, v, h))
		}
	}
	return acc.value()
}

func bruteEnergy(r *RBM, v, h int) float64 {
	e := 0.0
	for i := 0; i < r.NVisible; i++ {
		if v>>i&1 == 0 {
			continue
		}
		e -= float64(r.B[i])
		for j := 0; j < r.NHidden; j++ {
			if h>>j&1 != 0 {
				e -= float64(r.W[i*r.NHidden+j])
			}
		}
	}
	for j := 0; j < r.NHidden; j++ {
		if h>>j&1 != 0 {
			e -= float64(r.C[j])
		}
	}
	return e
}

func TestExactLogZBruteForce(t *testing.T) {
	for _, c := range []struct {
		nv, nh int
		sigma  float64
	}{{1, 1, 1}, {3, 2, 1}, {7, 5, 1.5}, {5, 7, 1.5}, {6, 6, 3}, {2, 9, 0.7}, {9, 2, 0.7}} {
		r := randomRBM(c.nv, c.nh, c.sigma, uint64(c.nv*100+c.nh))
		got, err := r.ExactLogZ()
		if err != nil {
			t.Fatal(err)
		}
		want := bruteLogZ(r)
		if math.Abs(got-want) > 1e-10*math.Max(1, math.Abs(want)) {
			t.Errorf("%dx%d: ExactLogZ %.15g, brute force %.15g", c.nv, c.nh, got, want)
		}
	}
}

// A large layer is enumerated from the small side: 30 visible, 3 hidden, and
// 3 visible, 30 hidden, give the same log Z as the transposed RBM.
func TestExactLogZTranspose(t *testing.T) {
	r := randomRBM(30, 3, 0.5, 1)
	tr := NewRBM(3, 30)
	for i := 0; i < 30; i++ {
		for j := 0; j < 3; j++ {
			tr.W[j*30+i] = r.W[i*3+j]
		}
	}
	copy(tr.B, r.C)
	copy(tr.C, r.B)
	a, err1 := r.ExactLogZ()
	b, err2 := tr.ExactLogZ()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if math.Abs(a-b) > 1e-9 {
		t.Errorf("log Z %v, of the transpose %v", a, b)
	}
	if _, err := randomRBM(25, 26, 1, 1).ExactLogZ(); err == nil {
		t.Error("25 x 26 RBM: no error")
	}
}

// The incremental Gray-code update is recomputed every 4096 states; a
// 16-hidden-unit RBM crosses that boundary.
func TestExactLogZGrayDrift(t *testing.T) {
	r := randomRBM(3, 16, 1, 5)
	got, _ := r.ExactLogZ()
	if want := bruteLogZ(r); math.Abs(got-want) > 1e-10*math.Abs(want) {
		t.Errorf("log Z %.15g, brute force %.15g", got, want)
	}
}

// The exact gradient matches central finite differences of the exact mean
// log-likelihood (eps 1e-3 on float32 parameters; error O(eps^2) ~ 1e-6).
func TestExactGradientFiniteDifferences(t *testing.T) {
	for _, c := range []struct{ nv, nh int }{{5, 4}, {4, 6}} {
		r := randomRBM(c.nv, c.nh, 1, 9)
		d := randomBinary(13, c.nv, 0.4, 3)
		g, err := r.ExactGradient(d)
		if err != nil {
			t.Fatal(err)
		}
		check := func(name string, p []float32, want []float64) {
			for i := range p {
				orig := p[i]
				p[i] = orig + 1e-3
				up := float64(p[i])
				lp, _ := r.ExactLogLikelihood(d)
				p[i] = orig - 1e-3
				down := float64(p[i])
				lm, _ := r.ExactLogLikelihood(d)
				p[i] = orig
				fd := (lp - lm) / (up - down)
				if math.Abs(fd-want[i]) > 2e-6 {
					t.Errorf("%dx%d: d/d%s[%d]: exact %.9f, finite difference %.9f", c.nv, c.nh, name, i, want[i], fd)
				}
			}
		}
		check("W", r.W, g.W)
		check("b", r.B, g.B)
		check("c", r.C, g.C)
	}
}

// The float32 free energy agrees with a float64 evaluation.
func TestFreeEnergy(t *testing.T) {
	// Against -log sum_h exp(-E(v, h)) by enumerating h (bruteEnergy).
	small := randomRBM(10, 7, 1, 21)
	ds := randomBinary(50, 10, 0.5, 22)
	got := small.FreeEnergy(nil, ds)
	for i := 0; i < ds.N; i++ {
		if want := bruteFreeEnergy(small, rowBits(ds, i)); math.Abs(got[i]-want) > 1e-4*math.Max(1, math.Abs(want)) {
			t.Fatalf("10x7, sample %d: F %v, enumerated %v", i, got[i], want)
		}
	}
	// A larger layer against the closed form, written out here in float64:
	// F(v) = -b.v - sum_j log(1 + exp(c_j + sum_i v_i W_ij)).
	r := randomRBM(37, 19, 0.5, 2)
	d := randomBinary(300, 37, 0.5, 4)
	got = r.FreeEnergy(nil, d)
	for i := 0; i < d.N; i++ {
		want := 0.0
		for k := 0; k < r.NVisible; k++ {
			want -= float64(d.X[i*d.D+k]) * float64(r.B[k])
		}
		for j := 0; j < r.NHidden; j++ {
			x := float64(r.C[j])
			for k := 0; k < r.NVisible; k++ {
				x += float64(d.X[i*d.D+k]) * float64(r.W[k*r.NHidden+j])
			}
			want -= math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
		}
		if math.Abs(got[i]-want) > 1e-4*math.Max(1, math.Abs(want)) {
			t.Fatalf("37x19, sample %d: F %v, closed form %v", i, got[i], want)
		}
	}
}

// bruteFreeEnergy is -log sum_h exp(-E(v, h)) over every h.
func bruteFreeEnergy(r *RBM, v int) float64 {
	var acc lse
	for h := 0; h < 1<<r.NHidden; h++ {
		acc.add(-bruteEnergy(r, v, h))
	}
	return -acc.value()
}

// rowBits is row i of d as the bit mask bruteEnergy takes.
func rowBits(d *Dataset, i int) int {
	v := 0
	for k := 0; k < d.D; k++ {
		if d.X[i*d.D+k] != 0 {
			v |= 1 << k
		}
	}
	return v
}

// The stochastic pseudo-likelihood averages to the deterministic one: its
// mean over many seeds, for one sample, is within 4 standard errors.
func TestPseudoLikelihood(t *testing.T) {
	r := randomRBM(12, 7, 1, 3)
	d := randomBinary(1, 12, 0.5, 6)
	rep := &Dataset{N: 4000, D: 12, X: make([]uint8, 4000*12)}
	for i := 0; i < rep.N; i++ {
		copy(rep.X[i*12:], d.X)
	}
	all := r.PseudoLikelihoodAll(nil, d)[0]
	// Reference for the deterministic form: sum_k log p(v_k | v_-k) =
	// sum_k log sigmoid(F(v with k flipped) - F(v)), with F enumerated.
	vb := rowBits(d, 0)
	f := bruteFreeEnergy(r, vb)
	want := 0.0
	for k := 0; k < d.D; k++ {
		want += math.Log(1 / (1 + math.Exp(-(bruteFreeEnergy(r, vb^1<<k) - f))))
	}
	if math.Abs(all-want) > 1e-4 {
		t.Fatalf("PseudoLikelihoodAll %v, enumerated %v", all, want)
	}
	pl := r.PseudoLikelihood(nil, rep, 17)
	m := stats.Mean(pl)
	ss := 0.0
	for _, x := range pl {
		ss += (x - m) * (x - m)
	}
	se := math.Sqrt(ss/float64(len(pl)-1)) / math.Sqrt(float64(len(pl)))
	if math.Abs(m-all) > 4*se {
		t.Errorf("stochastic PL mean %v +/- %v, deterministic %v", m, se, all)
	}
	again := r.PseudoLikelihood(nil, rep, 17)
	for i := range pl {
		if pl[i] != again[i] {
			t.Fatal("PseudoLikelihood differs for the same seed")
		}
	}
}

// AIS on a 16 x 12 RBM, on both of LogLikelihood's paths: the exact log Z
// lies within the +/- 3 sigma bounds, and the estimate is within 0.2 nats.
// 100 runs, 3000 intermediate distributions (the default schedule has
// 14500; the bound still holds with fewer, only wider).
func TestAISWithinBounds(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		r := randomRBM(16, 12, 0.7, 40+seed)
		exact, err := r.ExactLogZ()
		if err != nil {
			t.Fatal(err)
		}
		base := NewRBM(16, 1)
		base.setVisibleLogOdds(randomBinary(200, 16, 0.5, seed))
		for _, c := range []struct {
			name string
			cfg  AISConfig
		}{
			{"data", AISConfig{BaseVisibleBias: base.B, Betas: LinearBetas([]float64{0, 0.5, 0.9, 1}, []int{200, 800, 2000})}},
			{"biases", AISConfig{BaseVisibleBias: r.B, BaseHiddenBias: r.C, Betas: LinearBetas([]float64{0, 1}, []int{3000})}},
		} {
			c.cfg.Runs, c.cfg.Seed = 100, seed
			res, err := r.AIS(nil, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("seed %d, %s: exact %.4f, AIS %.4f [%.4f, %.4f], base %.4f", seed, c.name, exact, res.LogZ, res.Lo, res.Hi, res.LogZBase)
			if !(res.Lo <= exact && exact <= res.Hi) {
				t.Errorf("%s: exact log Z %v outside AIS bounds [%v, %v] (estimate %v)", c.name, exact, res.Lo, res.Hi, res.LogZ)
			}
			// In its own standard errors (relative SE of Z = that of log Z:
			// Hi = log(mu + 3 se)), which TestAISErrorCalibrated checks;
			// and the interval no wider than 0.2 nats at these settings.
			s := (math.Exp(res.Hi-res.LogZ) - 1) / 3
			if math.Abs(res.LogZ-exact) > 4*s || res.Hi-res.Lo > 0.2 {
				t.Errorf("%s: AIS %v +/- %v (bounds [%v, %v]), exact %v", c.name, res.LogZ, s, res.Lo, res.Hi, exact)
			}
		}
	}
}

// TestAISEstimate checks aisEstimate on weights worked by hand: w = 1, 2,
// 3, 4 (mean 2.5, sd sqrt(5/3), se sd/2), shifted by e^1000 (the max is
// taken out before exponentiating), and w = 1, 100, whose 3 se exceeds
// the mean (lower bound -Inf).
func TestAISEstimate(t *testing.T) {
	se := math.Sqrt(5.0/3) / 2
	for _, shift := range []float64{0, 1000, -1000} {
		logw := []float64{shift, shift + math.Log(2), shift + math.Log(3), shift + math.Log(4)}
		est, lo, hi := aisEstimate(logw)
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"estimate", est, shift + math.Log(2.5)},
			{"lo", lo, shift + math.Log(2.5-3*se)},
			{"hi", hi, shift + math.Log(2.5+3*se)},
		} {
			if math.Abs(c.got-c.want) > 1e-12*math.Max(1, math.Abs(c.want)) {
				t.Errorf("shift %v: %s %.15g, want %.15g", shift, c.name, c.got, c.want)
			}
		}
	}
	est, lo, hi := aisEstimate([]float64{0, math.Log(100)})
	// mean 50.5, sd 99/sqrt(2), se 49.5.
	if math.Abs(est-math.Log(50.5)) > 1e-12 || !math.IsInf(lo, -1) || math.Abs(hi-math.Log(50.5+3*49.5)) > 1e-12 {
		t.Errorf("w = 1, 100: %v [%v, %v], want %v [-Inf, %v]", est, lo, hi, math.Log(50.5), math.Log(50.5+3*49.5))
	}
}

// TestAISErrorCalibrated checks AIS's error bars against the spread of its
// estimates: 40 seeds on one 16 x 12 RBM with a short schedule (500
// steps, 50 runs; "biases" path). Each result reports the relative
// standard error s = se/mean of its Z estimate (Hi = log(mean + 3 se));
// the estimates Z^/Z (exact Z by enumeration) must scatter by the same
// amount. Their standard deviation over 40 seeds has a relative error of
// about 1/sqrt(2*39) = 11%, and the weights' tails add some; the ratio of
// the observed SD to the reported RMS s must lie in [0.6, 1.6] (it
// catches error bars inflated or shrunk by 2x or more; 0.96 at these seeds).
// The mean of Z^/Z must be 1 within 4 of its standard errors (AIS is
// unbiased for Z), and every lower bound must be log(mean - 3 se), the
// same se as the upper one.
func TestAISErrorCalibrated(t *testing.T) {
	r := randomRBM(16, 12, 0.7, 41)
	exact, err := r.ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	const seeds = 40
	var ratios, rel []float64
	for seed := uint64(1); seed <= seeds; seed++ {
		res, err := r.AIS(nil, AISConfig{Runs: 50, Seed: seed, BaseVisibleBias: r.B, BaseHiddenBias: r.C, Betas: LinearBetas([]float64{0, 1}, []int{500})})
		if err != nil {
			t.Fatal(err)
		}
		s := (math.Exp(res.Hi-res.LogZ) - 1) / 3
		if want := res.LogZ + math.Log1p(-3*s); 3*s < 1 && math.Abs(res.Lo-want) > 1e-9 {
			t.Fatalf("seed %d: lower bound %v, log(mean - 3 se) = %v", seed, res.Lo, want)
		}
		ratios = append(ratios, math.Exp(res.LogZ-exact))
		rel = append(rel, s)
	}
	m := stats.Mean(ratios)
	ss, ms := 0.0, 0.0
	for i, x := range ratios {
		ss += (x - m) * (x - m)
		ms += rel[i] * rel[i]
	}
	sd, rms := math.Sqrt(ss/(seeds-1)), math.Sqrt(ms/seeds)
	t.Logf("Z^/Z over %d seeds: mean %.5f, sd %.5f; reported relative se: rms %.5f (ratio %.2f)", seeds, m, sd, rms, sd/rms)
	if sd/rms < 0.6 || sd/rms > 1.6 {
		t.Errorf("AIS estimates scatter by %.5f, their error bars say %.5f (ratio %.2f, want 0.6-1.6)", sd, rms, sd/rms)
	}
	if math.Abs(m-1) > 4*sd/math.Sqrt(seeds) {
		t.Errorf("mean Z^/Z %.5f, want 1 within 4 x %.5f", m, sd/math.Sqrt(seeds))
	}
}

// With W = 0 the RBM is its own base of the "biases" path: the base's log Z
// is the exact one, and every importance weight is 1 (log 0) up to the
// rounding of beta c + (1 - beta) c in float32.
func TestAISBaseLogZ(t *testing.T) {
	r := randomRBM(9, 5, 0.7, 11)
	for i := range r.W {
		r.W[i] = 0
	}
	exact, err := r.ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.AIS(nil, AISConfig{Runs: 4, BaseVisibleBias: r.B, BaseHiddenBias: r.C, Betas: LinearBetas([]float64{0, 1}, []int{7})})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.LogWeights {
		if math.Abs(w) > 1e-5 {
			t.Fatalf("log weights %v with W = 0, want all 0", res.LogWeights)
		}
	}
	if math.Abs(res.LogZBase-exact) > 1e-5 || math.Abs(res.LogZ-exact) > 1e-5 {
		t.Errorf("base log Z %v, estimate %v, exact %v", res.LogZBase, res.LogZ, exact)
	}
	if _, err := r.AIS(nil, AISConfig{BaseHiddenBias: make([]float32, 4)}); err == nil || !strings.Contains(err.Error(), "base hidden bias has 4 values, want 5") {
		t.Errorf("short base hidden bias: %v", err)
	}
}

func TestLogLikelihoodMethods(t *testing.T) {
	r := randomRBM(10, 8, 0.5, 3)
	d := randomBinary(50, 10, 0.5, 3)
	ex, err := r.LogLikelihood(nil, d, "exact", AISConfig{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := r.ExactLogLikelihood(d)
	if math.Abs(ex.Mean-want) > 1e-4 {
		t.Errorf("exact method %v, float64 %v", ex.Mean, want)
	}
	ais, err := r.LogLikelihood(nil, d, "ais", AISConfig{Runs: 50, Betas: LinearBetas([]float64{0, 1}, []int{500})})
	if err != nil {
		t.Fatal(err)
	}
	if !(ais.Lo <= want && want <= ais.Hi) || ais.Hi-ais.Lo > 0.5 {
		t.Errorf("exact %v outside AIS bounds [%v, %v], or they are wider than 0.5 nats", want, ais.Lo, ais.Hi)
	}
	if best := max(ais.LogZData, ais.LogZBiases); ais.LogZ != best || (ais.Path == "data") != (ais.LogZData == best) {
		t.Errorf("log Z %v from path %q; paths: data %v, biases %v", ais.LogZ, ais.Path, ais.LogZData, ais.LogZBiases)
	}
	if !math.IsNaN(ex.LogZData) || !math.IsNaN(ex.LogZBiases) || ex.Path != "" {
		t.Errorf("exact method has AIS paths: %v %v %q", ex.LogZData, ex.LogZBiases, ex.Path)
	}
	if _, err := r.LogLikelihood(nil, d, "bogus", AISConfig{}); err == nil {
		t.Error("unknown method: no error")
	}
}

// The training monitor's shared pass agrees with the separate measures.
func TestMeasures(t *testing.T) {
	r := randomRBM(40, 24, 0.3, 8)
	d := randomBinary(600, 40, 0.5, 9)
	m, _ := r.measures(context.Background(), nil, d, 5, nil, nil)
	fe, pl, rec := m.fe, m.pl, m.recon
	wfe := r.MeanFreeEnergy(nil, d)
	wpl := stats.Mean(r.PseudoLikelihood(nil, d, 5))
	wrec := r.ReconstructionError(nil, d)
	if math.Abs(fe-wfe) > 1e-6*math.Abs(wfe) || math.Abs(pl-wpl) > 1e-6*math.Abs(wpl) || math.Abs(rec-wrec) > 1e-4*wrec {
		t.Errorf("measures (%v, %v, %v), separately (%v, %v, %v)", fe, pl, rec, wfe, wpl, wrec)
	}
}

// TestExactDeterministic checks that the enumerated log Z and gradient are
// the same bits whatever the number of workers and the scheduling: the
// partial sums belong to blocks of states, not to workers.
func TestExactDeterministic(t *testing.T) {
	r := randomRBM(40, 14, 0.7, 11)
	d := randomBinary(20, 40, 0.4, 12)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var z0 float64
	var g0 Gradient
	for i, procs := range []int{1, 2, 3, 8, 8, 5} {
		runtime.GOMAXPROCS(procs)
		z, err := r.ExactLogZ()
		if err != nil {
			t.Fatal(err)
		}
		g, err := r.ExactGradient(d)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			z0, g0 = z, g
			continue
		}
		if math.Float64bits(z) != math.Float64bits(z0) {
			t.Errorf("GOMAXPROCS %d: log Z %v, with 1 worker %v", procs, z, z0)
		}
		for _, p := range []struct {
			name      string
			got, want []float64
		}{{"dW", g.W, g0.W}, {"dB", g.B, g0.B}, {"dC", g.C, g0.C}} {
			if len(p.got) != len(p.want) || len(p.got) == 0 {
				t.Fatalf("GOMAXPROCS %d: %s has %d values, with 1 worker %d", procs, p.name, len(p.got), len(p.want))
			}
			for j := range p.got {
				if math.Float64bits(p.got[j]) != math.Float64bits(p.want[j]) {
					t.Errorf("GOMAXPROCS %d: %s[%d] %v, with 1 worker %v", procs, p.name, j, p.got[j], p.want[j])
					break
				}
			}
		}
	}
}

// The monitor's independent units against exact answers: an RBM with no
// weights and the independent units' log-odds as visible biases is those
// units, so its pseudo-likelihood (same flips) equals theirs, the paired
// difference has no spread, and their log-likelihood is its exact one. For
// a random RBM, the ceiling is at least the exact log-likelihood, and on
// probabilities (not states of the model) only the uniform states count.
func TestMeasuresIndependent(t *testing.T) {
	d := randomBinary(500, 12, 0.3, 21)
	indep := independentLogOdds(d)
	mean := d.ColumnMeans()
	for j, x := range indep {
		q := (mean[j]*500 + 0.5) / 501
		if math.Abs(x-math.Log(q/(1-q))) > 1e-12 {
			t.Fatalf("unit %d: log-odds %v, want %v", j, x, math.Log(q/(1-q)))
		}
		// Rounded to float32, so that the RBM below is these units exactly.
		indep[j] = float64(float32(x))
	}
	r0 := NewRBM(12, 5)
	for j, x := range indep {
		r0.B[j] = float32(x)
	}
	m, err := r0.measures(context.Background(), nil, d, 7, indep, nil)
	if err != nil {
		t.Fatal(err)
	}
	logZ, err := r0.ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	ll := -m.fe - logZ
	// -F sums float32 softplus terms: 1e-6.
	if li := independentLogLikOf(d, indep); math.Abs(m.pl-m.plIndep) > 1e-9*math.Abs(m.pl) || m.gainSE > 1e-9 || math.Abs(li-ll) > 1e-6*math.Abs(ll) {
		t.Errorf("independent units as an RBM: pl %v vs %v (SE %v), log-likelihood %v vs exact %v", m.pl, m.plIndep, m.gainSE, li, ll)
	}
	if m.ceiling < ll-1e-9 {
		t.Errorf("ceiling %v below the exact log-likelihood %v", m.ceiling, ll)
	}

	r := randomRBM(12, 6, 0.8, 22)
	logZ, err = r.ExactLogZ()
	if err != nil {
		t.Fatal(err)
	}
	m, err = r.measures(context.Background(), nil, d, 7, indep, nil)
	if err != nil {
		t.Fatal(err)
	}
	ll = -m.fe - logZ
	if !(m.ceiling >= ll) || m.ceiling > -m.fe-r.uniformStatesFloor() {
		t.Errorf("random RBM: ceiling %v, exact log-likelihood %v, uniform states' ceiling %v", m.ceiling, ll, -m.fe-r.uniformStatesFloor())
	}
	if !(m.gainSE > 0) || math.IsNaN(m.plIndep) {
		t.Errorf("random RBM: pl %v, independent %v +/- %v", m.pl, m.plIndep, m.gainSE)
	}
	p := &Dataset{N: d.N, D: d.D, P: make([]float32, d.N*d.D)}
	for i, x := range d.X {
		p.P[i] = 0.25 + 0.5*float32(x)
	}
	m, err = r.measures(context.Background(), nil, p, 7, indep, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := -m.fe - r.uniformStatesFloor(); m.ceiling != want {
		t.Errorf("probabilities: ceiling %v, want the uniform states' %v", m.ceiling, want)
	}
	if m, _ := r.measures(context.Background(), nil, d, 7, nil, nil); !math.IsNaN(m.plIndep) || !math.IsNaN(m.gainSE) {
		t.Errorf("without independent units: %+v, want NaN for theirs", m)
	}
}

// eval's loglik_indep against exact answers: an RBM whose visible biases
// are the samples' smoothed log-odds and whose weights are 0 is those
// independent units, so its exact log-likelihood equals loglik_indep; and
// loglik_indep is the per-sample sum computed directly.
func TestEvaluateIndependent(t *testing.T) {
	d := randomBinary(300, 10, 0.35, 31)
	x := independentLogOdds(d)
	r0 := NewRBM(10, 4)
	want := 0.0
	for j := range x {
		x[j] = float64(float32(x[j]))
		r0.B[j] = float32(x[j])
	}
	v := make([]float32, 10)
	for i := 0; i < d.N; i++ {
		d.Range(i, i+1, v)
		for j, vj := range v {
			p := sigmoid64(x[j])
			if vj == 1 {
				want += math.Log(p)
			} else {
				want += math.Log(1 - p)
			}
		}
	}
	want /= float64(d.N)
	es, err := EvaluateDBN(context.Background(), &DBN{Layers: []*RBM{r0, randomRBM(4, 3, 0.5, 32)}}, d, EvalOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	e := es[0]
	if e.LogLikMethod != "exact" || math.Abs(float64(e.LogLikIndep)-want) > 1e-6 || math.Abs(float64(e.LogLik-e.LogLikIndep)) > 1e-5 {
		t.Errorf("independent units as an RBM: loglik %v (%s), loglik_indep %v, direct %v", e.LogLik, e.LogLikMethod, e.LogLikIndep, want)
	}
	// Layer 2 is scored on layer 1's hidden probabilities: its own means.
	if e2 := es[1]; math.IsNaN(float64(e2.LogLikIndep)) || e2.LogLikIndep > 0 {
		t.Errorf("layer 2: loglik_indep %v", e2.LogLikIndep)
	}
}
