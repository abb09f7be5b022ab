package rbm

import "github.com/isingrbm/isingrbm/asm/f32"

// hiddenOffset is lam, the offset of every hidden unit of the centered RBM
// (Config.Center): 1/2, the mean of a unit that is as often on as off, and
// where the running mean of Config.CenterSlide starts. Melchior, Fischer
// and Wiskott (JMLR 17, 2016) find it about as good as the hiddens'
// running mean where the data's mean is the visible offset; the preset
// mehta-schwab-centered-running asks that of the Ising data.
const hiddenOffset = 0.5

// centering holds what the centered steps of one layer need: the visible
// offsets, the hidden ones, and with Config.CenterSlide the batch's mean
// p(h|v) and slideAndDerive's buffers.
type centering struct {
	mu    []float32 // visible offsets: the mean of each input unit over the layer's training set
	lam   []float32 // hidden offsets (trainState.cenLam): hiddenOffset, or their running mean
	slide float32   // Config.CenterSlide
	mean  []float32 // CenterSlide: the batch's mean p(h|v), set by gradient
	rows  []float32 // CenterSlide: slideAndDerive's operand, lam_new and its change (2 x nh)
	y     []float32 // CenterSlide: slideAndDerive's product, 2 x nv
}

func newCentering(train *Dataset, nv int, lam []float32, slide float32) *centering {
	c := &centering{mu: make([]float32, nv), lam: lam, slide: slide}
	// The means in float64 in row order (Dataset.ColumnMeans), rounded
	// once: the same bits on every machine.
	for i, m := range train.ColumnMeans() {
		c.mu[i] = float32(m)
	}
	if slide > 0 {
		c.mean, c.rows, c.y = make([]float32, len(lam)), make([]float32, 2*len(lam)), make([]float32, 2*nv)
	}
	return c
}

// initialOffsets are the hidden offsets a layer of nh units starts with.
func initialOffsets(nh int) []float32 {
	lam := make([]float32, nh)
	for j := range lam {
		lam[j] = hiddenOffset
	}
	return lam
}

// centerRows appends to the negative phase's operands (the chains rows of
// lt.vn, nv wide, and of lt.hn, nh wide, each with room for two more rows)
// the two rows that turn the plain gradient's product into the centered
// RBM's; v0 and hp are the positive phase's rows.
// With offsets mu and lam,
//
//	<(v-mu)(h-lam)^T>_data - <(v-mu)(h-lam)^T>_model = gW - mu gC^T - gB lam^T
//
// where gW, gB, gC are the plain gradients (the biases' are also the
// centered ones). With sB = rows gB and sC = rows gC, the unscaled column
// sums of the two phases, the rows are (mu, sC) and (sB, lam): the product
// that subtracts (vn^T hn) / rows then subtracts the correction too, in the
// same pass over W as the plain step's fused update.
func (lt *layerTrainer) centerRows(v0 []float32, rows int, hp []float32, chains int) {
	c, nv, nh, vn, hn := lt.cen, lt.r.NVisible, lt.r.NHidden, lt.vn, lt.hn
	va, vb := vn[chains*nv:(chains+1)*nv], vn[(chains+1)*nv:(chains+2)*nv]
	ha, hb := hn[chains*nh:(chains+1)*nh], hn[(chains+1)*nh:(chains+2)*nh]
	copy(va, c.mu)
	f32.ColSums(ha, hp, rows, nh, nh, 1, 0)
	f32.ColSums(ha, hn, chains, nh, nh, -1, 1)
	f32.ColSums(vb, v0, rows, nv, nv, 1, 0)
	f32.ColSums(vb, vn, chains, nv, nv, -1, 1)
	copy(hb, c.lam)
}

// derive sets the layer's plain biases from the centered ones: the energy
// -(v-mu) W (h-lam) - b' v - c' h is, up to a constant,
// -v W h - (b' - W lam) v - (c' - W^T mu) h. Both sums are f32 products
// (fixed k-blocks), so the bits do not depend on the CPU or the threads.
func (lt *layerTrainer) derive() {
	c, r, st := lt.cen, lt.r, lt.st
	lt.deriveC()
	copy(r.B, st.cenB)
	lt.ws.GemmNT(1, r.NVisible, r.NHidden, -1, c.lam, r.NHidden, r.W, r.NHidden, 1, r.B, r.NVisible)
}

// deriveC sets the layer's plain hidden biases c = c' - W^T mu, which the
// hidden offsets do not enter (derive, slideAndDerive).
func (lt *layerTrainer) deriveC() {
	c, r := lt.cen, lt.r
	copy(r.C, lt.st.cenC)
	lt.ws.GemmNN(1, r.NHidden, r.NVisible, -1, c.mu, r.NVisible, r.W, r.NHidden, 1, r.C, r.NHidden)
}

// slideAndDerive is Config.CenterSlide's move of the hidden offsets after a
// step (Melchior, Fischer and Wiskott's Algorithm 1, the data's hidden
// means), then derive's: lam += delta with delta = s (mean - lam), mean
// the batch's p(h|v), and b' += W delta, so that b = b' - W lam, and so
// the model, stays what the step made it. The change is rounded to float32
// before it is added (no fused multiply-add: the same bits everywhere);
// one f32 product of two rows, y = W [lam_new, delta], serves b' += y2
// and b = b' - y1 in one pass over W. Each takes the product's whole sum
// in one addition, so with more hidden units than one of f32's k-blocks
// (256) the bits are not those of a product accumulated into b' and b
// block by block, as derive's is (the change to this form, 96372f8, moved
// the running preset's 1600 -> 400 models; testdata/repro/split.sha256's
// 256 -> 320 line holds the bytes).
func (lt *layerTrainer) slideAndDerive() {
	c, r, st := lt.cen, lt.r, lt.st
	nv, nh := r.NVisible, r.NHidden
	lam, delta := c.rows[:nh], c.rows[nh:]
	for j, m := range c.mean {
		d := float32(c.slide * float32(m-c.lam[j]))
		delta[j] = d
		c.lam[j] += d
	}
	copy(lam, c.lam)
	lt.ws.GemmNT(2, nv, nh, 1, c.rows, nh, r.W, nh, 0, c.y, nv)
	y1, y2 := c.y[:nv], c.y[nv:]
	for i := range st.cenB {
		st.cenB[i] += y2[i]
		r.B[i] = st.cenB[i] - y1[i]
	}
	lt.deriveC()
}
