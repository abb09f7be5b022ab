package f32

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one product of RBM training: m x n output, depth k.
type benchShape struct {
	name    string
	f       form
	m, n, k int
}

// The training shapes: batch x visible (1600) -> hidden (400) layer, batch
// 100 and 1000, and a 400 -> 100 layer at batch 100.
var benchShapes = []benchShape{
	{"(100x1600)(1600x400)", formNN, 100, 400, 1600},
	{"(100x400)(1600x400)^T", formNT, 100, 1600, 400},
	{"(1600x100)^T(100x400)", formTN, 1600, 400, 100},
	{"sigmoid(100x1600)(1600x400)", formSigNN, 100, 400, 1600},
	{"sigmoid(100x400)(1600x400)^T", formSigNT, 100, 1600, 400},
	{"(1000x1600)(1600x400)", formNN, 1000, 400, 1600},
	{"(1000x400)(1600x400)^T", formNT, 1000, 1600, 400},
	{"(1600x1000)^T(1000x400)", formTN, 1600, 400, 1000},
	{"(100x400)(400x100)", formNN, 100, 100, 400},
	{"(100x100)(400x100)^T", formNT, 100, 400, 100},
	{"(400x100)^T(100x100)", formTN, 400, 100, 100},
}

type benchMats struct{ a, b, c, bias []float32 }

func newBenchMats(s benchShape) benchMats {
	a := make([]float32, s.m*s.k)
	b := make([]float32, s.k*s.n)
	for i := range a {
		a[i] = float32(i%7) * 0.1
	}
	for i := range b {
		b[i] = float32(i%5) * 0.01
	}
	return benchMats{a: a, b: b, c: make([]float32, s.m*s.n), bias: make([]float32, s.n)}
}

func (s benchShape) run(w *Workspace, x benchMats) {
	m, n, k := s.m, s.n, s.k
	switch s.f {
	case formNN:
		w.GemmNN(m, n, k, 1, x.a, k, x.b, n, 0, x.c, n)
	case formNT:
		w.GemmNT(m, n, k, 1, x.a, k, x.b, k, 0, x.c, n)
	case formTN:
		w.GemmTN(m, n, k, 1, x.a, m, x.b, n, 0, x.c, n)
	case formSigNN:
		w.SigmoidAffineNN(m, n, k, x.a, k, x.b, n, x.bias, x.c, n)
	case formSigNT:
		w.SigmoidAffineNT(m, n, k, x.a, k, x.b, k, x.bias, x.c, n)
	}
}

// BenchmarkGemm reports GFLOP/s per implementation, shape and thread count.
// Run it briefly: go test -bench Gemm -benchtime 20x.
func BenchmarkGemm(b *testing.B) {
	for _, s := range benchShapes {
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, th), func(b *testing.B) {
				benchGemm(b, s, th)
			})
		}
	}
}

// benchGemm runs shape s on th threads under every implementation.
func benchGemm(b *testing.B, s benchShape, th int) {
	x := newBenchMats(s)
	w := NewWorkspace(th)
	asmtest.Benchmark(b, pkgName, func(b *testing.B) {
		s.timeFlops(b, func() { s.run(w, x) })
	})
}

// latticeShapes are the products of layers sized by square lattices of
// side 32 and 64 (1024 and 4096 visible units) at batch 100: the leading
// dimensions are powers of two, whose rows crowd into a few cache sets.
var latticeShapes = []benchShape{
	{"(100x1024)(1024x256)", formNN, 100, 256, 1024},
	{"(100x256)(1024x256)^T", formNT, 100, 1024, 256},
	{"(1024x100)^T(100x256)", formTN, 1024, 256, 100},
	{"(100x1024)(1024x1024)", formNN, 100, 1024, 1024},
	{"(100x1024)(1024x1024)^T", formNT, 100, 1024, 1024},
	{"(1024x100)^T(100x1024)", formTN, 1024, 1024, 100},
	{"(100x4096)(4096x1024)", formNN, 100, 1024, 4096},
	{"(100x1024)(4096x1024)^T", formNT, 100, 4096, 1024},
	{"(4096x100)^T(100x1024)", formTN, 4096, 1024, 100},
}

// BenchmarkGemmLattice reports GFLOP/s per implementation and thread count
// at latticeShapes (bench/run compares them with OpenBLAS).
func BenchmarkGemmLattice(b *testing.B) {
	for _, s := range latticeShapes {
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, th), func(b *testing.B) {
				benchGemm(b, s, th)
			})
		}
	}
}

// BenchmarkGonumSgemm measures gonum's Sgemm on the same shapes (the
// sigmoid forms as plain products), with GOMAXPROCS set to the thread count.
func BenchmarkGonumSgemm(b *testing.B) {
	impl := gonum.Implementation{}
	for _, s := range benchShapes {
		if s.f == formSigNN || s.f == formSigNT {
			continue
		}
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, th), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(th))
				x := newBenchMats(s)
				m, n, k := s.m, s.n, s.k
				cpu0 := asmtest.ProcessCPUSeconds()
				for b.Loop() {
					switch s.f {
					case formNN:
						impl.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, x.a, k, x.b, n, 0, x.c, n)
					case formNT:
						impl.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, x.a, k, x.b, k, 0, x.c, n)
					case formTN:
						impl.Sgemm(blas.Trans, blas.NoTrans, m, n, k, 1, x.a, m, x.b, n, 0, x.c, n)
					}
				}
				reportFlops(b, 2*float64(m)*float64(n)*float64(k)*float64(b.N), asmtest.ProcessCPUSeconds()-cpu0)
			})
		}
	}
}

// reportFlops reports GFLOP/s of wall time and, because the machine is
// shared, GFLOP per CPU-second of the process (the work rate while running;
// for one thread, the single-core speed undisturbed by time slicing).
// timeFlops runs run once (to warm the workspace), then b.N times, and
// reports GFLOP/s and GFLOP per CPU-second at s's 2mnk.
func (s benchShape) timeFlops(b *testing.B, run func()) {
	run()
	cpu0 := asmtest.ProcessCPUSeconds()
	for b.Loop() {
		run()
	}
	reportFlops(b, 2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N), asmtest.ProcessCPUSeconds()-cpu0)
}

func reportFlops(b *testing.B, flops, cpu float64) {
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu > 0 {
		b.ReportMetric(flops/cpu/1e9, "GFLOP/cpu-s")
	}
}

func BenchmarkSigmoid(b *testing.B) {
	x := make([]float32, 40000)
	for i := range x {
		x[i] = float32(i%200-100) * 0.1
	}
	asmtest.Benchmark(b, pkgName, func(b *testing.B) {
		for b.Loop() {
			Sigmoid(x[:], x)
		}
		b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
}

func BenchmarkBernoulli(b *testing.B) {
	p := make([]float32, 40000)
	d := make([]float32, len(p))
	for i := range p {
		p[i] = 0.3
	}
	asmtest.Benchmark(b, pkgName, func(b *testing.B) {
		r := NewRand(1, 2)
		for b.Loop() {
			r.Bernoulli(d, p)
		}
		b.ReportMetric(float64(len(p))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
}

func BenchmarkUpdate(b *testing.B) {
	n := 1600 * 400
	w, v, g := make([]float32, n), make([]float32, n), make([]float32, n)
	asmtest.Benchmark(b, pkgName, func(b *testing.B) {
		for b.Loop() {
			Update(w, v, g, 0.1, 0.9, 1e-4, 2e-4)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
}

// BenchmarkGemmVariants compares, on one thread and alternating, the
// paths that never change a result: B packed just before use (jit) or the
// whole panel first, a row-major A read in place (directA) or packed, and
// a row-major B read in place (directB, AVX-512) or packed.
func BenchmarkGemmVariants(b *testing.B) {
	for _, s := range []benchShape{benchShapes[0], benchShapes[1], benchShapes[2], benchShapes[8], benchShapes[10]} {
		for round := 0; round < 2; round++ {
			for _, v := range []gemmOpts{{noJIT: true, noDirect: true}, {noDirect: true}, {noDirectB: true}, {}} {
				name := fmt.Sprintf("%s/jit=%v/directA=%v/directB=%v", s.name, !v.noJIT, !v.noDirect, !v.noDirect && !v.noDirectB)
				b.Run(name, func(b *testing.B) {
					x := newBenchMats(s)
					w := NewWorkspace(1)
					w.opts.noJIT, w.opts.noDirect, w.opts.noDirectB = v.noJIT, v.noDirect, v.noDirectB
					s.timeFlops(b, func() { s.run(w, x) })
				})
			}
		}
	}
}

// BenchmarkGemmAliased compares, on one thread and alternating, a
// row-major B whose rows are 4 KB apart read in place and packed tile by
// tile (tileRowsAliased), and 2 KB apart (read in place either way); and
// the columns of a row-major A^T 4 KB apart read in place and packed
// (colsAliased). Filter by implementation: Aliased/./inplace/avx512.
func BenchmarkGemmAliased(b *testing.B) {
	for _, s := range []benchShape{
		{"(100x1600)(1600x1024)", formNN, 100, 1024, 1600},
		{"(100x1024)(1024x1024)", formNN, 100, 1024, 1024},
		{"(100x1600)(1600x512)", formNN, 100, 512, 1600},
		{"(1024x100)^T(100x1024)", formTN, 1024, 1024, 100},
		{"(1024x1000)^T(1000x400)", formTN, 1024, 400, 1000},
		{"(2048x256)^T(256x400)", formTN, 2048, 400, 256},
	} {
		for round := 0; round < 2; round++ {
			for _, inPlace := range []bool{true, false} {
				b.Run(fmt.Sprintf("%s/inplace=%v", s.name, inPlace), func(b *testing.B) {
					x := newBenchMats(s)
					w := NewWorkspace(1)
					w.opts.aliasedA, w.opts.aliasedB = inPlace, inPlace
					asmtest.Benchmark(b, pkgName, func(b *testing.B) {
						s.timeFlops(b, func() { s.run(w, x) })
					})
				})
			}
		}
	}
}

// BenchmarkParallelOverhead measures the cost of handing a (tiny) product
// to the worker goroutines and waiting for them.
func BenchmarkParallelOverhead(b *testing.B) {
	w := NewWorkspace(2)
	w.opts.minParFlops = 0
	a, c := make([]float32, 6*32), make([]float32, 6*32)
	for b.Loop() {
		w.GemmNN(6, 32, 1, 1, a, 1, a, 32, 0, c, 32)
	}
}
