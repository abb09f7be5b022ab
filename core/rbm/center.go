package rbm

import "github.com/isingrbm/isingrbm/asm/f32"

// hiddenOffset is lam, the offset of every hidden unit of the centered RBM
// (Config.Center): 1/2, the mean of a unit that is as often on as off.
// Melchior, Fischer and Wiskott (JMLR 17, 2016) find it as good as the
// hiddens' running mean where the data's mean is the visible offset; a
// constant keeps a run a function of its seed alone.
const hiddenOffset = 0.5

// centering holds what the centered steps of one layer need: the visible
// offsets and the operands of the two products with which centerGradient
// corrects the gradient and derive converts the biases.
type centering struct {
	mu   []float32 // visible offsets: the mean of each input unit over the layer's training set
	lam  float32   // hidden offset: hiddenOffset
	ones []float32 // NHidden ones
	// corrA (NVisible x 2, rows (mu_i, gb_i)) and corrB (2 x NHidden, rows
	// gc and lam): gW' = gW - corrA corrB.
	corrA, corrB []float32
}

func newCentering(train *Dataset, nv, nh int) *centering {
	c := &centering{mu: make([]float32, nv), lam: hiddenOffset, ones: make([]float32, nh),
		corrA: make([]float32, 2*nv), corrB: make([]float32, 2*nh)}
	// The means in float64 in row order (Dataset.ColumnMeans), rounded
	// once: the same bits on every machine.
	for i, m := range train.ColumnMeans() {
		c.mu[i] = float32(m)
		c.corrA[2*i] = c.mu[i]
	}
	for j := range c.ones {
		c.ones[j] = 1
		c.corrB[nh+j] = c.lam
	}
	return c
}

// centerGradient turns the plain RBM's gradient in gW, gB, gC (as gradient
// leaves it) into the centered RBM's: with offsets mu and lam,
//
//	<(v-mu)(h-lam)^T>_data - <(v-mu)(h-lam)^T>_model = gW - mu gC^T - gB lam^T
//
// and the biases' gradients are the plain ones. The correction is one
// product of depth 2 (f32's rounding contract: each element is
// gW - fma(gB_i, lam, mu_i*gC_j), the same bits everywhere).
func (lt *layerTrainer) centerGradient() {
	c, nv, nh := lt.cen, lt.r.NVisible, lt.r.NHidden
	for i, g := range lt.gB {
		c.corrA[2*i+1] = g
	}
	copy(c.corrB[:nh], lt.gC)
	lt.ws.GemmNN(nv, nh, 2, -1, c.corrA, 2, c.corrB, nh, 1, lt.gW, nh)
}

// derive sets the layer's plain biases from the centered ones: the energy
// -(v-mu) W (h-lam) - b' v - c' h is, up to a constant,
// -v W h - (b' - lam W 1) v - (c' - W^T mu) h. Both sums are f32 products
// (fixed k-blocks), so the bits do not depend on the CPU or the threads.
func (lt *layerTrainer) derive() {
	c, r, st := lt.cen, lt.r, lt.st
	nv, nh := r.NVisible, r.NHidden
	copy(r.C, st.cenC)
	lt.ws.GemmNN(1, nh, nv, -1, c.mu, nv, r.W, nh, 1, r.C, nh)
	copy(r.B, st.cenB)
	lt.ws.GemmNT(1, nv, nh, -c.lam, c.ones, nh, r.W, nh, 1, r.B, nv)
}

// centeredStep is step for the centered RBM: the plain gradient (its
// sampling uses the layer's derived biases, so it samples the centered
// model), corrected by centerGradient, then the momentum steps of W and of
// the centered biases, and the plain biases derived again. The weights'
// update is not fused into the product (the correction needs the whole
// gradient of the biases first): two more passes over W than step.
func (lt *layerTrainer) centeredStep(done <-chan struct{}, idx []int, rnd *f32.Rand, lr, mom float32) (float64, bool) {
	cfg, r, st, ws := lt.cfg, lt.r, lt.st, lt.ws
	recon, ok := lt.gradient(done, idx, rnd, nil)
	if !ok {
		return 0, false
	}
	lt.centerGradient()
	if cfg.L1Proximal {
		ws.UpdateProximal(r.W, st.velW, lt.gW, lr, mom, cfg.L1, cfg.L2)
	} else {
		ws.Update(r.W, st.velW, lt.gW, lr, mom, cfg.L1, cfg.L2)
	}
	f32.Update(st.cenB, st.velB, lt.gB, lr, mom, 0, 0)
	f32.Update(st.cenC, st.velC, lt.gC, lr, mom, 0, 0)
	lt.derive()
	return recon, true
}
