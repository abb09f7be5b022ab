package f32

import (
	"fmt"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// BenchmarkElem runs every elementwise kernel under every implementation,
// one after the other for each kernel (use -count to alternate runs), on
// sizes of a training batch (n = 40000 = 100 x 400, L2-resident). It reports
// elements per ns and the GB/s of the bytes each call reads and writes, and
// elements per CPU-ns of the process (less sensitive to a shared machine;
// use runs of a few hundred milliseconds).
func BenchmarkElem(b *testing.B) {
	const n = 40000
	x := make([]float32, n)
	y := make([]float32, n)
	z := make([]float32, n)
	for i := range x {
		x[i] = float32(i%200-100) * 0.1
		y[i] = float32(i%7) * 0.01
		z[i] = float32(i%13) * 0.05
	}
	// Softplus terms over ranges of x: every step of [-10, 0] is normal;
	// q = e/(2+e) squared underflows from |x| = 41.6 and e itself is
	// subnormal from 87.3 on (see softplusSlow in _gen/elem).
	spRange := func(lo, hi float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(lo + (hi-lo)*float64(i%1000)/999)
		}
		return v
	}
	sp10, sp60, sp95 := spRange(-10, 0), spRange(-60, -40), spRange(-95, -85)
	// One saturated unit in 20 (x = -90: e subnormal) among ordinary ones:
	// nearly every block of the sigmoid's loop takes the slow path.
	sat := make([]float32, n)
	for i := range sat {
		sat[i] = x[i]
		if i%20 == 7 {
			sat[i] = -90
		}
	}
	bias := make([]float32, 400)
	rs := make([]float32, 100)
	bits := make([]uint64, n/64+1)
	kernels := []struct {
		name  string
		bytes int // read + written per call
		f     func(r *Rand)
	}{
		{"sigmoid", 8 * n, func(*Rand) { Sigmoid(z, x) }},
		{"sigmoid[-95,-85]", 8 * n, func(*Rand) { Sigmoid(z, sp95) }},
		{"sigmoid5%saturated", 8 * n, func(*Rand) { Sigmoid(z, sat) }},
		{"sigmoidBias", 8 * n, func(*Rand) { copy(z, x); sigmoidBias(z, 400, 100, 400, bias) }},
		{"softplusRowSums", 4 * n, func(*Rand) { SoftplusRowSums(rs, x, 100, 400, 400, bias) }},
		{"softplusSum[-10,0]", 4 * n, func(*Rand) { SoftplusSum(sp10) }},
		{"softplusSum[-60,-40]", 4 * n, func(*Rand) { SoftplusSum(sp60) }},
		{"softplusSum[-95,-85]", 4 * n, func(*Rand) { SoftplusSum(sp95) }},
		{"squaredDiffSum", 8 * n, func(*Rand) { SquaredDiffSum(x, y) }},
		{"dot", 8 * n, func(*Rand) { Dot(x, y) }},
		{"colSums", 4*n + 4*400, func(*Rand) { ColSums(bias, x, 100, 400, 400, 0.01, 1) }},
		{"update", 20 * n, func(*Rand) { Update(z, y, x, 1e-9, 0.5, 1e-9, 1e-9) }},
		{"updateProximal", 20 * n, func(*Rand) { UpdateProximal(z, y, x, 1e-9, 0.5, 1e-9, 1e-9) }},
		{"uniform", 4 * n, func(r *Rand) { r.Uniform(z) }},
		{"bernoulli", 8 * n, func(r *Rand) { r.Bernoulli(z, y) }},
		{"bernoulliBits", 4*n + n/8, func(r *Rand) { r.BernoulliBits(bits, y) }},
	}
	for _, k := range kernels {
		b.Run(k.name, func(b *testing.B) {
			asmtest.Benchmark(b, pkgName, func(b *testing.B) {
				r := NewRand(1, 2)
				c0 := asmtest.ProcessCPUSeconds()
				for b.Loop() {
					k.f(r)
				}
				s := b.Elapsed().Seconds()
				b.ReportMetric(float64(n)*float64(b.N)/s/1e9, "elem/ns")
				b.ReportMetric(float64(k.bytes)*float64(b.N)/s/1e9, "GB/s")
				if c := asmtest.ProcessCPUSeconds() - c0; c > 0 {
					b.ReportMetric(float64(n)*float64(b.N)/c/1e9, "elem/cpu-ns")
				}
			})
		})
	}
}

// BenchmarkWorkspaceUpdate is the weights' update of a training step
// (1600 x 400 = 640,000 weights, L3-resident) through Workspace.Update on
// one and two threads, under every implementation: elements per ns and the
// GB/s of the 20 bytes each element reads and writes.
func BenchmarkWorkspaceUpdate(b *testing.B) {
	const n = 1600 * 400
	w, vel, grad := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range w {
		w[i] = float32(i%200-100) * 0.01
		grad[i] = float32(i%13) * 0.05
	}
	for _, th := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", th), func(b *testing.B) {
			asmtest.Benchmark(b, pkgName, func(b *testing.B) {
				ws := NewWorkspace(th)
				for b.Loop() {
					ws.Update(w, vel, grad, 1e-9, 0.5, 1e-9, 1e-9)
				}
				s := b.Elapsed().Seconds()
				b.ReportMetric(float64(n)*float64(b.N)/s/1e9, "elem/ns")
				b.ReportMetric(20*float64(n)*float64(b.N)/s/1e9, "GB/s")
			})
		})
	}
}
