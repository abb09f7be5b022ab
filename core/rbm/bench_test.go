package rbm

import (
	"context"
	"fmt"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/f32"
)

// BenchmarkEpoch times one CD-1 epoch (Hinton & Salakhutdinov's recipe) on
// 20,000 random binary samples of 1600 units into 400 hidden units, batch
// 100 and 10, every core, per f32 implementation. It reports s/epoch and
// samples/s (the peers on this machine: NumPy 2.3 s, scikit-learn 2.1 s at
// batch 100; see shared/PERF.md).
func BenchmarkEpoch(b *testing.B) {
	const n, nv, nh = 20000, 1600, 400
	d := randomBinary(n, nv, 0.5, 1)
	for _, batch := range []int{100, 10} {
		b.Run(map[int]string{100: "batch100", 10: "batch10"}[batch], func(b *testing.B) {
			asmtest.Benchmark(b, "f32", func(b *testing.B) {
				cfg, _ := Preset("mehta-schwab")
				cfg.Batch = batch
				r := randomRBM(nv, nh, 0.1, 2)
				lt := newTestTrainer(r, d, cfg)
				lt.st.cfg.Epochs = 1
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					lt.st.epoch = 0
					rnd := f32.NewRand(1, uint64(i))
					for lo := 0; lo < n; lo += batch {
						idx := lt.perm[lo:min(lo+batch, n)]
						lt.step(nil, idx, rnd, lt.cfg.LR, 0.9)
					}
				}
				s := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(s, "s/epoch")
				b.ReportMetric(float64(n)/s, "samples/s")
				b.ReportMetric(0, "ns/op")
				b.Logf("f32 implementation %s, %d threads", asm.Active("f32"), lt.ws.Threads())
			})
		})
	}
}

// BenchmarkEpochLattice is BenchmarkEpoch at the layer sizes of L = 32
// and 64 lattices (1024 and 4096 visible units; bench/run's lattice
// section times the same epochs through isingrbm train against the
// peers): CD-1 on 20,000 random rows, batch 100, and batch 10 for 1024 ->
// 1024. Run it briefly: -benchtime 1x.
func BenchmarkEpochLattice(b *testing.B) {
	const n = 20000
	for _, s := range []struct{ nv, nh, batch int }{{1024, 256, 100}, {1024, 1024, 100}, {1024, 1024, 10}, {4096, 1024, 100}} {
		d := randomBinary(n, s.nv, 0.5, 1)
		b.Run(fmt.Sprintf("%dx%d/batch%d", s.nv, s.nh, s.batch), func(b *testing.B) {
			asmtest.Benchmark(b, "f32", func(b *testing.B) {
				if asm.Active("f32") == asm.Generic {
					b.Skip("the portable kernels take minutes per epoch at these sizes (BenchmarkEpoch times them)")
				}
				cfg, _ := Preset("mehta-schwab")
				cfg.Batch = s.batch
				lt := newTestTrainer(randomRBM(s.nv, s.nh, 0.1, 2), d, cfg)
				lt.st.cfg.Epochs = 1
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					rnd := f32.NewRand(1, uint64(i))
					for lo := 0; lo < n; lo += s.batch {
						lt.step(nil, lt.perm[lo:min(lo+s.batch, n)], rnd, lt.cfg.LR, 0.9)
					}
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
				b.ReportMetric(0, "ns/op")
			})
		})
	}
}

// BenchmarkEpochFlipMove is BenchmarkEpoch's batch-100 epoch in persistent
// CD-1 (preset mehta-schwab-pcd), without and with the flip move
// (Config.FlipMove: two more products of the chains with W, their softplus
// sums and a sigmoid, in place of one fused product).
func BenchmarkEpochFlipMove(b *testing.B) {
	const n, nv, nh = 20000, 1600, 400
	d := randomBinary(n, nv, 0.5, 1)
	for _, flip := range []bool{false, true} {
		b.Run(map[bool]string{false: "pcd", true: "flip-move"}[flip], func(b *testing.B) {
			asmtest.Benchmark(b, "f32", func(b *testing.B) {
				cfg, _ := Preset("mehta-schwab-pcd")
				cfg.FlipMove = flip
				lt := newTestTrainer(randomRBM(nv, nh, 0.1, 2), d, cfg)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					rnd := f32.NewRand(1, uint64(i))
					for lo := 0; lo < n; lo += cfg.Batch {
						lt.step(nil, lt.perm[lo:min(lo+cfg.Batch, n)], rnd, cfg.LR, 0.5)
					}
				}
				s := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(s, "s/epoch")
				b.ReportMetric(float64(n)/s, "samples/s")
				b.ReportMetric(0, "ns/op")
			})
		})
	}
}

// BenchmarkTrainDBNEpoch times a whole epoch through TrainDBN, with the
// per-epoch measures (2000 training and 2000 validation samples), so their
// cost can be compared with the epoch's.
func BenchmarkTrainDBNEpoch(b *testing.B) {
	d := randomBinary(20000, 1600, 0.5, 1)
	cfg, _ := Preset("mehta-schwab")
	cfg.Epochs = 1
	for i := 0; i < b.N; i++ {
		if _, _, err := TrainDBN(context.Background(), d, []int{1600, 400}, cfg, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkAIS times AIS on a 1600 x 400 RBM with 100 runs and 1500
// intermediate distributions (a tenth of the default schedule), reporting
// the seconds per 1000 distributions.
func BenchmarkAIS(b *testing.B) {
	r := randomRBM(1600, 400, 0.01, 3)
	betas := LinearBetas([]float64{0, 1}, []int{1500})
	for i := 0; i < b.N; i++ {
		if _, err := r.AIS(nil, AISConfig{Runs: 100, Betas: betas}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/1.5, "s/1000steps")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkCenteredEpoch times one epoch of BenchmarkEpoch's batch-100
// shape with the active kernels, plain and centered (Config.Center: two
// more rows in the product, and the plain biases derived after every
// step, two more passes over W), so the cost of centering is measured side
// by side.
func BenchmarkCenteredEpoch(b *testing.B) {
	const n, nv, nh, batch = 20000, 1600, 400, 100
	d := randomBinary(n, nv, 0.5, 1)
	for _, preset := range []string{"mehta-schwab", "mehta-schwab-centered", "mehta-schwab-centered-running"} {
		b.Run(map[string]string{"mehta-schwab": "plain", "mehta-schwab-centered": "centered", "mehta-schwab-centered-running": "running"}[preset], func(b *testing.B) {
			cfg, _ := Preset(preset)
			cfg.Batch = batch
			r := randomRBM(nv, nh, 0.1, 2)
			lt := newTestTrainer(r, d, cfg)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rnd := f32.NewRand(1, uint64(i))
				for lo := 0; lo < n; lo += batch {
					lt.step(nil, lt.perm[lo:lo+batch], rnd, lt.cfg.LR, 0.9)
				}
			}
			s := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(s, "s/epoch")
			b.ReportMetric(float64(n)/s, "samples/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}
