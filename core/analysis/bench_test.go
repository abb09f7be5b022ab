package analysis

import "testing"

// Paper sizes: 1600 visible, 400 hidden units.
func BenchmarkBlockSpinCorrelation(b *testing.B) {
	const L, nh, n = 40, 400, 500
	W := GaussianMatrix(L*L, nh, 0.1, 1)
	c := make([]float32, nh)
	cfg := randomConfigs(n, L, 2)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := BlockSpinCorrelation(W, c, cfg, L, 2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkMeasureLocality(b *testing.B) {
	W := GaussianMatrix(1600, 400, 0.1, 1)
	for i := 0; i < b.N; i++ {
		if _, err := MeasureLocality(W, 40, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(400*b.N)/b.Elapsed().Seconds(), "units/s")
}

func BenchmarkERF(b *testing.B) {
	ws := []Matrix{GaussianMatrix(1600, 400, 0.1, 1), GaussianMatrix(400, 100, 0.1, 2), GaussianMatrix(100, 25, 0.1, 3)}
	for i := 0; i < b.N; i++ {
		if _, err := ERF(ws); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(2*float64(1600*400*100+1600*100*25)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSurrogateLocality: 19 phase-randomized surrogates of each of 100 fields at the paper's
// L = 40 (a quarter of layer 1), on one goroutine; units/s is fields tested per second.
func BenchmarkSurrogateLocality(b *testing.B) {
	const L, n = 40, 100
	m := GaussianMatrix(L*L, n, 1, 3)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := SurrogateLocality(m, L, 0, 0, 1, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "units/s")
}
