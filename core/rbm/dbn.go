package rbm

import (
	"fmt"

	"github.com/isingrbm/isingrbm/asm/f32"
)

// DBN is a deep belief network: RBMs stacked greedily, layer k's hidden
// units being layer k+1's visible units.
type DBN struct {
	Layers []*RBM
	// Snapshots are copies of W and c taken during training every
	// Config.SnapshotEvery epochs; they are written into the model file
	// as W<layer>_epoch<NNN> and c<layer>_epoch<NNN>.
	Snapshots []Snapshot
}

// Snapshot is layer Layer's W and hidden biases c after Epoch epochs. C
// is nil in a snapshot read from a model file written before the biases
// were kept (2026-12-04).
type Snapshot struct {
	Layer, Epoch int
	W            []float32
	C            []float32
}

// Name is the array name of the snapshot's W in a model file: W0_epoch050.
func (s Snapshot) Name() string { return fmt.Sprintf("W%d_epoch%03d", s.Layer, s.Epoch) }

// BiasName is the array name of the snapshot's c in a model file:
// c0_epoch050.
func (s Snapshot) BiasName() string { return fmt.Sprintf("c%d_epoch%03d", s.Layer, s.Epoch) }

// Sizes returns the unit counts of every layer, visible first.
func (d *DBN) Sizes() []int {
	if len(d.Layers) == 0 {
		return nil
	}
	out := []int{d.Layers[0].NVisible}
	for _, l := range d.Layers {
		out = append(out, l.NHidden)
	}
	return out
}

// Check reports an error when a layer is malformed or two consecutive layers
// do not fit together.
func (d *DBN) Check() error {
	if len(d.Layers) == 0 {
		return fmt.Errorf("dbn: no layers")
	}
	for k, l := range d.Layers {
		if err := l.Check(); err != nil {
			return fmt.Errorf("layer %d: %w", k, err)
		}
		if k > 0 && d.Layers[k-1].NHidden != l.NVisible {
			return fmt.Errorf("layer %d has %d visible units but layer %d has %d hidden units",
				k, l.NVisible, k-1, d.Layers[k-1].NHidden)
		}
	}
	return nil
}

func (d *DBN) checkDepth(depth int) {
	if depth < 0 || depth > len(d.Layers) {
		panic(fmt.Sprintf("core: depth %d, want 0..%d", depth, len(d.Layers)))
	}
}

// Up returns the hidden probabilities at depth (1 = first hidden layer) of
// the rows x NVisible samples v, each layer's probabilities driving the next
// (a deterministic mean-field pass). Depth 0 returns a copy of v. ws may be
// nil.
func (d *DBN) Up(ws *f32.Workspace, v []float32, rows, depth int) []float32 {
	d.checkDepth(depth)
	ws = workspaceOr(ws)
	cur := append([]float32(nil), v...)
	if len(d.Layers) > 0 && len(v) != rows*d.Layers[0].NVisible {
		panic(fmt.Sprintf("core: Up: %d values for %d rows of %d units", len(v), rows, d.Layers[0].NVisible))
	}
	for k := 0; k < depth; k++ {
		l := d.Layers[k]
		next := make([]float32, rows*l.NHidden)
		if rows > 0 {
			ws.SigmoidAffineNN(rows, l.NHidden, l.NVisible, cur, l.NVisible, l.W, l.NHidden, l.C, next, l.NHidden)
		}
		cur = next
	}
	return cur
}

// Down returns the visible probabilities of the rows samples h at depth,
// passed down through the layers below (mean-field: p(v|h) of each layer,
// probabilities driving the layer below).
func (d *DBN) Down(ws *f32.Workspace, h []float32, rows, depth int) []float32 {
	d.checkDepth(depth)
	ws = workspaceOr(ws)
	cur := append([]float32(nil), h...)
	if depth > 0 && len(h) != rows*d.Layers[depth-1].NHidden {
		panic(fmt.Sprintf("core: Down: %d values for %d rows of %d units", len(h), rows, d.Layers[depth-1].NHidden))
	}
	for k := depth - 1; k >= 0; k-- {
		l := d.Layers[k]
		next := make([]float32, rows*l.NVisible)
		if rows > 0 {
			ws.SigmoidAffineNT(rows, l.NVisible, l.NHidden, cur, l.NHidden, l.W, l.NHidden, l.B, next, l.NVisible)
		}
		cur = next
	}
	return cur
}

// Reconstruct passes v up to depth and back down: Down(Up(v, depth), depth).
func (d *DBN) Reconstruct(ws *f32.Workspace, v []float32, rows, depth int) []float32 {
	ws = workspaceOr(ws)
	return d.Down(ws, d.Up(ws, v, rows, depth), rows, depth)
}
