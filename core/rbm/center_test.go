package rbm

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/isingrbm/isingrbm/asm/f32"
)

// newCenteredTrainer is newTestTrainer for Config.Center: r's biases are
// taken as the centered ones b' and c', and r's B and C become the plain
// biases derived from them.
func newCenteredTrainer(r *RBM, d *Dataset, cfg Config) *layerTrainer {
	cfg.Center = true
	return newTestTrainer(r, d, cfg)
}

// centeredEnergy is -(v-mu) W (h-lam) - b' v - c' h in float64, with the
// centered biases b', c' and offsets mu, lam; v and h are bit masks.
func centeredEnergy(r *RBM, b, c []float32, mu []float64, lam float64, v, h int) float64 {
	e := 0.0
	for i := 0; i < r.NVisible; i++ {
		vi := float64(v >> i & 1)
		e -= float64(b[i]) * vi
		for j := 0; j < r.NHidden; j++ {
			e -= (vi - mu[i]) * float64(r.W[i*r.NHidden+j]) * (float64(h>>j&1) - lam)
		}
	}
	for j := 0; j < r.NHidden; j++ {
		e -= float64(c[j]) * float64(h>>j&1)
	}
	return e
}

// centeredLogLik is the mean log-likelihood of d under the centered RBM,
// by enumerating every joint state in float64 (nothing of derive or of
// ExactLogLikelihood).
func centeredLogLik(r *RBM, b, c []float32, mu []float64, lam float64, d *Dataset) float64 {
	var z lse
	free := make([]lse, 1<<r.NVisible)
	for v := range free {
		for h := 0; h < 1<<r.NHidden; h++ {
			e := -centeredEnergy(r, b, c, mu, lam, v, h)
			free[v].add(e)
			z.add(e)
		}
	}
	ll := 0.0
	for s := 0; s < d.N; s++ {
		v := 0
		for i, x := range d.X[s*d.D : (s+1)*d.D] {
			v |= int(x) << i
		}
		ll += free[v].value()
	}
	return ll/float64(d.N) - z.value()
}

// The centered RBM's parametrization and gradient, against enumeration:
// derive's plain biases give an energy that differs from the centered
// energy by one constant over all joint states (the same distribution),
// and centerRows' correction turns the exact plain gradient into the derivative of
// the exact log-likelihood with respect to the centered W (central
// differences of centeredLogLik with b' and c' held fixed), the bias
// gradients being the derivatives with respect to b' and c'.
func TestCenteredGradientIsDerivative(t *testing.T) {
	for _, tc := range []struct{ nv, nh int }{{5, 3}, {1, 1}, {3, 6}} {
		t.Run(fmt.Sprintf("%dx%d", tc.nv, tc.nh), func(t *testing.T) {
			r := randomRBM(tc.nv, tc.nh, 0.8, uint64(7*tc.nv+tc.nh))
			d := randomBinary(40, tc.nv, 0.3, uint64(tc.nv))
			lt := newCenteredTrainer(r, d, Config{Batch: 1, CDK: 1})
			b, c := lt.st.cenB, lt.st.cenC
			mu := d.ColumnMeans()
			for i, m := range mu {
				if float32(m) != lt.cen.mu[i] {
					t.Fatalf("offset %d: %v, want the data mean %v", i, lt.cen.mu[i], m)
				}
				mu[i] = float64(lt.cen.mu[i])
			}
			// One distribution: E_plain - E_centered is the same for all states.
			c0 := 0.0
			for v := 0; v < 1<<tc.nv; v++ {
				for h := 0; h < 1<<tc.nh; h++ {
					diff := bruteEnergy(r, v, h) - centeredEnergy(r, b, c, mu, hiddenOffset, v, h)
					if v == 0 && h == 0 {
						c0 = diff
					} else if math.Abs(diff-c0) > 1e-5 {
						t.Fatalf("v=%b h=%b: plain energy - centered energy = %v, at v=h=0 %v: not the same distribution", v, h, diff, c0)
					}
				}
			}
			exact, err := r.ExactGradient(d)
			if err != nil {
				t.Fatal(err)
			}
			// centerRows' correction of the plain gradient, in float64
			// (TestCenteredStepMatchesTranscription checks that the
			// trainer's step takes it).
			gW := make([]float64, len(exact.W))
			for i := range tc.nv {
				for j := range tc.nh {
					gW[i*tc.nh+j] = exact.W[i*tc.nh+j] - mu[i]*exact.C[j] - exact.B[i]*hiddenOffset
				}
			}
			const eps = 1e-3
			fd := func(x *float32) float64 {
				x0 := *x
				*x = x0 + eps
				hi := centeredLogLik(r, b, c, mu, hiddenOffset, d)
				*x = x0 - eps
				lo := centeredLogLik(r, b, c, mu, hiddenOffset, d)
				*x = x0
				return (hi - lo) / (2 * eps)
			}
			// eps is exact in neither float32 nor float64: the step is
			// relative 1e-4 off at worst, the curvature term about eps^2.
			const tol = 2e-4
			maxCorr := 0.0
			for i := range r.W {
				want := fd(&r.W[i])
				if math.Abs(gW[i]-want) > tol {
					t.Errorf("centered gradient of W[%d] = %v, derivative %v (plain gradient %v)", i, gW[i], want, exact.W[i])
				}
				maxCorr = max(maxCorr, math.Abs(want-exact.W[i]))
			}
			for i := range b {
				if want := fd(&b[i]); math.Abs(exact.B[i]-want) > tol {
					t.Errorf("gradient of b'[%d] = %v, derivative %v", i, exact.B[i], want)
				}
			}
			for j := range c {
				if want := fd(&c[j]); math.Abs(exact.C[j]-want) > tol {
					t.Errorf("gradient of c'[%d] = %v, derivative %v", j, exact.C[j], want)
				}
			}
			// The test has teeth only if centering changes the gradient.
			if maxCorr < 100*tol {
				t.Errorf("the centered and plain gradients differ by at most %v: the test cannot tell them apart", maxCorr)
			}
		})
	}
}

// With offsets 0 the centered RBM is the plain one: its unfused step
// (product, correction by zero, Update, derive) must give the same bits as
// the plain fused step, over several epochs of CD-2 with momentum, L1 and
// L2, on binary data and on probabilities, subgradient and proximal L1.
func TestCenteredZeroOffsetsArePlain(t *testing.T) {
	bin := randomBinary(300, 70, 0.3, 3)
	probs := &Dataset{N: bin.N, D: bin.D, P: make([]float32, len(bin.X))}
	for i, x := range bin.X {
		probs.P[i] = 0.1 + 0.8*float32(x)
	}
	for _, d := range []*Dataset{bin, probs} {
		for _, prox := range []bool{false, true} {
			cfg, _ := Preset("mehta-schwab")
			cfg.Batch, cfg.CDK, cfg.L2, cfg.L1, cfg.L1Proximal = 30, 2, 1e-3, 1e-3, prox
			what := fmt.Sprintf("binary=%v proximal=%v", d.X != nil, prox)
			plain := randomRBM(70, 33, 0.1, 4)
			centered := plain.Clone()
			lp := newTestTrainer(plain, d, cfg)
			lc := newCenteredTrainer(centered, d, cfg)
			clear(lc.cen.mu)
			clear(lc.cen.lam)
			lc.derive() // from the offsets 0: B and C as given
			idx := make([]int, cfg.Batch)
			for e := 0; e < 4; e++ {
				rp, rc := f32.NewRand(9, uint64(e)), f32.NewRand(9, uint64(e))
				for lo := 0; lo+cfg.Batch <= d.N; lo += cfg.Batch {
					for i := range idx {
						idx[i] = (lo + 7*i) % d.N
					}
					lp.step(nil, idx, rp, cfg.LearningRate(e), cfg.Momentum(e))
					lc.step(nil, idx, rc, cfg.LearningRate(e), cfg.Momentum(e))
				}
			}
			for name, p := range map[string][2][]float32{"W": {plain.W, centered.W}, "b": {plain.B, centered.B}, "c": {plain.C, centered.C},
				"velW": {lp.st.velW, lc.st.velW}, "b'": {plain.B, lc.st.cenB}, "c'": {plain.C, lc.st.cenC}} {
				for i := range p[0] {
					if math.Float32bits(p[0][i]) != math.Float32bits(p[1][i]) {
						t.Fatalf("%s: %s[%d] = %v centered with offsets 0, %v plain", what, name, i, p[1][i], p[0][i])
					}
				}
			}
		}
	}
}

// The centered step allocates nothing either, with fixed or running
// hidden offsets.
func TestCenteredStepNoAlloc(t *testing.T) {
	d := randomBinary(200, 40, 0.3, 8)
	for _, preset := range []string{"mehta-schwab-centered", "mehta-schwab-centered-running"} {
		cfg, _ := Preset(preset)
		cfg.Batch = 20
		lt := newCenteredTrainer(randomRBM(40, 24, 0.1, 9), d, cfg)
		idx := make([]int, cfg.Batch)
		for i := range idx {
			idx[i] = 3 * i
		}
		rnd := f32.NewRand(1, 1)
		lt.step(nil, idx, rnd, lt.cfg.LR, 0.5)
		if n := testing.AllocsPerRun(20, func() { lt.step(nil, idx, rnd, lt.cfg.LR, 0.5) }); n != 0 {
			t.Errorf("%s: centered step allocates %v times", preset, n)
		}
	}
}

// The centered DBN, with fixed and with running hidden offsets, is a
// function of the seed too: the same bytes under every implementation and
// at 1, 2 and 3 threads, and the SHA-256
// committed in testdata/repro/centered.sha256 (layer 1 on binary data
// through the Bits products, layer 2 on probabilities; CI runs it with
// -tags purego and under qemu-aarch64 as part of TestReproducibleDBN's
// pattern).
func TestReproducibleDBNCentered(t *testing.T) {
	data := reproData(t)
	first := sameModelEverywhere(t, "centered: ", func(th int) (*DBN, error) {
		cfg := reproConfig(th)
		cfg.Center = true
		d, _, err := TrainDBN(context.Background(), data, []int{64, 24, 8}, cfg, nil)
		return d, err
	})
	// The running hidden offsets (Config.CenterSlide) as well.
	running := sameModelEverywhere(t, "centered, running offsets: ", func(th int) (*DBN, error) {
		cfg := reproConfig(th)
		cfg.Center, cfg.CenterSlide = true, 0.05
		d, _, err := TrainDBN(context.Background(), data, []int{64, 24, 8}, cfg, nil)
		return d, err
	})
	if t.Failed() || first == "" || running == "" {
		return
	}
	checkReproFile(t, "../../testdata/repro/centered.sha256", fmt.Sprintf("data %s\nmodel %s\nrunning %s\n", dataHash(data), first, running))
}

// One centered CD-1 step as it is published (Melchior, Fischer & Wiskott,
// and bench/peers/locality.py's train_cd1 with center): in float64, with
// the operands themselves centered rather than the gradient corrected,
//
//	p0 = sigmoid((v0 - mu) W + c'), v1 = sigmoid((h0 - lam) W^T + b'),
//	p1 = sigmoid((v1 - mu) W + c'),
//	gW = ((v0 - mu)^T (p0 - lam) - (v1 - mu)^T (p1 - lam)) / rows - l1 sign(W),
//	vel = m vel + lr g for W, b' (g = mean(v0 - v1)) and c' (mean(p0 - p1)),
//
// fed the hidden samples h0 the trainer drew; with a sliding factor s
// (Config.CenterSlide, their Algorithm 1) then lam' = lam + s (mean(p0) -
// lam) and b' += W (lam' - lam). Three steps with momentum and a large L1
// must agree with the trainer's W, b', c', offsets and its derived plain b
// and c to float32 rounding, with fixed offsets and with sliding ones.
func TestCenteredStepMatchesTranscription(t *testing.T) {
	for _, slide := range []float32{0, 0.3} {
		t.Run(fmt.Sprintf("slide=%g", slide), func(t *testing.T) { centeredTranscription(t, slide) })
	}
}

func centeredTranscription(t *testing.T, slide float32) {
	const nv, nh, rows, l1, lr = 12, 7, 10, 1e-2, 0.1
	d := randomBinary(50, nv, 0.3, 31)
	r := randomRBM(nv, nh, 0.3, 32)
	cfg, _ := Preset("mehta-schwab-centered")
	cfg.Batch, cfg.L1, cfg.LR, cfg.CenterSlide = rows, l1, lr, slide
	lt := newCenteredTrainer(r, d, cfg)
	f64 := func(x []float32) []float64 {
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = float64(v)
		}
		return out
	}
	w, b, c := f64(r.W), f64(lt.st.cenB), f64(lt.st.cenC)
	vw, vb, vc := make([]float64, nv*nh), make([]float64, nv), make([]float64, nh)
	mu := d.ColumnMeans()
	lam := make([]float64, nh)
	for j := range lam {
		lam[j] = 0.5
	}
	idx := make([]int, rows)
	rnd := f32.NewRand(3, 4)
	v0 := make([]float32, nv)
	for s := 0; s < 3; s++ {
		m := []float64{0.5, 0.5, 0.9}[s]
		for i := range idx {
			idx[i] = (17*s + 3*i) % d.N
		}
		lt.step(nil, idx, rnd, lt.cfg.LR, float32(m))
		gw, gb, gc, mean := make([]float64, nv*nh), make([]float64, nv), make([]float64, nh), make([]float64, nh)
		for n, k := range idx {
			d.Row(k, v0)
			h0 := lt.hs[n*nh : (n+1)*nh]
			p0, v1, p1 := make([]float64, nh), make([]float64, nv), make([]float64, nh)
			for j := range p0 {
				a := c[j]
				for i := 0; i < nv; i++ {
					a += (float64(v0[i]) - mu[i]) * w[i*nh+j]
				}
				p0[j] = sigmoid64(a)
			}
			for i := range v1 {
				a := b[i]
				for j := 0; j < nh; j++ {
					a += (float64(h0[j]) - lam[j]) * w[i*nh+j]
				}
				v1[i] = sigmoid64(a)
			}
			for j := range p1 {
				a := c[j]
				for i := 0; i < nv; i++ {
					a += (v1[i] - mu[i]) * w[i*nh+j]
				}
				p1[j] = sigmoid64(a)
			}
			for i := 0; i < nv; i++ {
				for j := 0; j < nh; j++ {
					gw[i*nh+j] += ((float64(v0[i])-mu[i])*(p0[j]-lam[j]) - (v1[i]-mu[i])*(p1[j]-lam[j])) / rows
				}
				gb[i] += (float64(v0[i]) - v1[i]) / rows
			}
			for j := range gc {
				gc[j] += (p0[j] - p1[j]) / rows
				mean[j] += p0[j] / rows
			}
		}
		for i := range w {
			g := gw[i] - l1*math.Copysign(1, w[i])
			vw[i] = m*vw[i] + lr*g
			w[i] += vw[i]
		}
		for i := range b {
			vb[i] = m*vb[i] + lr*gb[i]
			b[i] += vb[i]
		}
		for j := range c {
			vc[j] = m*vc[j] + lr*gc[j]
			c[j] += vc[j]
		}
		for j := range lam {
			dl := float64(slide) * (mean[j] - lam[j])
			for i := range b {
				b[i] += w[i*nh+j] * dl
			}
			lam[j] += dl
		}
		const tol = 2e-5
		check := func(name string, got []float32, want []float64) {
			t.Helper()
			for i := range want {
				if math.Abs(float64(got[i])-want[i]) > tol {
					t.Fatalf("step %d: %s[%d] = %v, transcription %v", s+1, name, i, got[i], want[i])
				}
			}
		}
		check("W", r.W, w)
		check("b'", lt.st.cenB, b)
		check("c'", lt.st.cenC, c)
		check("lam", lt.cen.lam, lam)
		pb, pc := make([]float64, nv), make([]float64, nh)
		for i := range pb {
			pb[i] = b[i]
			for j := 0; j < nh; j++ {
				pb[i] -= lam[j] * w[i*nh+j]
			}
		}
		for j := range pc {
			pc[j] = c[j]
			for i := 0; i < nv; i++ {
				pc[j] -= mu[i] * w[i*nh+j]
			}
		}
		check("b", r.B, pb)
		check("c", r.C, pc)
	}
}
