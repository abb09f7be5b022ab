package analysis

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// within fails t unless f returns within a few seconds: an input that made a
// function loop over 2^64 sites must fail the test, not hang it.
func within(t *testing.T, name string, f func()) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	select {
	case p := <-done:
		if p != nil {
			t.Errorf("%s: panic: %v", name, p)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("%s: still running after 5 s", name)
	}
}

// TestLatticeSide: every function given a lattice side L refuses one that
// is not a side (L <= 0), or whose L*L sites overflow an int, with a
// message that names L. ThermoFromSeries had taken L = -3 for a side
// (N = L*L = 9 in C and Chi), the messages had read "matrix has 9 rows,
// want L*L = 9" at L = -3, and at L = 2^32 (2 * maxSide with 64-bit ints,
// L*L = 0) MeasureLocality had looped over 2^64 sites and SurrogateLocality
// run out of memory.
func TestLatticeSide(t *testing.T) {
	if maxSide > math.MaxInt/maxSide {
		t.Fatalf("maxSide %d: L*L overflows an int", maxSide)
	}
	id := func(v []float32, _ int) []float32 { return v }
	for _, L := range []int{0, -3, 2 * maxSide, maxSide + 1} {
		nine := NewMatrix(9, 1)
		nine.Data[0] = 1
		cfg := make([]uint8, 9)
		calls := map[string]func() error{
			"MeasureLocality": func() error { _, err := MeasureLocality(nine, L, 0); return err },
			"MeasureLocality (empty)": func() error {
				_, err := MeasureLocality(Matrix{}, L, 0)
				return err
			},
			"LocalityVsNoise": func() error { _, _, err := LocalityVsNoise(nine, L, 0, 1); return err },
			"SurrogateLocality": func() error {
				_, err := SurrogateLocality(Matrix{}, L, 0, 1, 1, 1)
				return err
			},
			"PhaseSurrogates": func() error { _, err := PhaseSurrogates(nil, L, 1, 1); return err },
			"BlockSpinCorrelations": func() error {
				_, err := BlockSpinCorrelations(Matrix{}, nil, nil, L, []int{1})
				return err
			},
			"Thermodynamics":   func() error { _, err := Thermodynamics(cfg, L, 0.4, 0); return err },
			"ThermoFromSeries": func() error { _, err := ThermoFromSeries([]float64{-1, -2}, []float64{1, 0}, L, 0.4, 0); return err },
			"KEff":             func() error { _, _, err := KEff(cfg, L, nil); return err },
			"RGFlow": func() error {
				_, err := RGFlow([]FlowInput{{K: 0.4, Configs: cfg}}, L, id, FlowOptions{})
				return err
			},
			"Reconstructions": func() error { _, err := Reconstructions(nil, L, nil, nil, id); return err },
		}
		for name, call := range calls {
			within(t, name, func() {
				err := call()
				want := fmt.Sprintf(": lattice side L = %d, want 1..%d", L, maxSide)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s at L = %d: %v, want an error naming the function and the side", name, L, err)
				}
			})
		}
	}
	if _, err := ThermoFromSeries([]float64{-1, -2}, []float64{1, 0}, 4, 0.4, 0); err != nil {
		t.Errorf("ThermoFromSeries at L = 4: %v", err)
	}
}

// TestMatrixSizeOverflow: a shape whose element count overflows an int is
// refused, not taken for the shape of an empty matrix (2^62 x 4 had passed
// as 0 elements, and ERF had returned a 2^62 x 4 matrix with no data).
func TestMatrixSizeOverflow(t *testing.T) {
	big := Matrix{Rows: math.MaxInt/2 + 1, Cols: 4} // 2^62 x 4: 0 elements in an int
	if out, err := ERF([]Matrix{big}); err == nil {
		t.Errorf("ERF of a %d x %d matrix without data: %d x %d, %d elements; want an error", big.Rows, big.Cols, out[0].Rows, out[0].Cols, len(out[0].Data))
	}
	if err := (Matrix{Rows: -1, Cols: 3}).check("f"); err == nil || err.Error() != "f: -1 x 3 matrix, want sizes >= 0 whose product an int holds" {
		t.Errorf("a negative size: %v", err)
	}
	within(t, "Response", func() {
		if _, _, err := Response(nil, math.MaxInt/2+1, 4); err == nil {
			t.Errorf("Response of no values as 2^62 rows of 4 units: no error")
		}
	})
}

// TestNonFiniteFields: a weight matrix or field matrix with a NaN or an
// infinity is refused with a message naming the element. An all-NaN column
// had made BlockSpinCorrelations index block -1 (a panic) at b = 1,
// SurrogateLocality call the field compact (NaN is beaten by nothing),
// MeasureLocality give it a disk share of 0, and ERF skip a row's
// infinite weights behind an exact zero of the layer below.
func TestNonFiniteFields(t *testing.T) {
	L := 4
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		w := NewMatrix(L*L, 2)
		for i := range w.Data {
			w.Data[i] = 0.1 * float32(i%5-2)
		}
		for i := 0; i < L*L; i++ {
			w.Data[i*2+1] = bad // column 1
		}
		configs := randomConfigs(20, L, 3)
		want := "element (0, 1) = "
		within(t, "BlockSpinCorrelations", func() {
			if _, err := BlockSpinCorrelations(w, make([]float32, 2), configs, L, []int{1, 2}); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("BlockSpinCorrelations with W(., 1) = %v: %v, want an error naming the element", bad, err)
			}
		})
		c := []float32{0, bad}
		if _, err := BlockSpinCorrelations(NewMatrix(L*L, 2), c, configs, L, []int{2}); err == nil || !strings.Contains(err.Error(), "c[1] = ") {
			t.Errorf("BlockSpinCorrelations with c[1] = %v: %v, want an error naming it", bad, err)
		}
		if _, err := SurrogateLocality(w, L, 0, 3, 1, 1); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("SurrogateLocality with column 1 = %v: %v, want an error naming the element", bad, err)
		}
		if _, err := MeasureLocality(w, L, 0); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("MeasureLocality with column 1 = %v: %v, want an error naming the element", bad, err)
		}
		if _, _, err := LocalityVsNoise(w, L, 0, 1); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LocalityVsNoise with column 1 = %v: %v, want an error naming the element", bad, err)
		}
		// Layer 1 has an exact zero where layer 2's row is not finite.
		w1 := Matrix{Rows: 2, Cols: 2, Data: []float32{0, 1, 1, 1}}
		w2 := Matrix{Rows: 2, Cols: 1, Data: []float32{bad, 1}}
		if out, err := ERF([]Matrix{w1, w2}); err == nil || !strings.Contains(err.Error(), "ERF: layer 2: element (0, 0) = ") {
			t.Errorf("ERF with W(2)(0, 0) = %v: %v, %v; want an error naming the element", bad, out, err)
		}
	}
}

// TestDiskShareAllNaN: the disk share of a field with no number in it is
// NaN, as with one NaN among numbers; it had been 0, the share of an
// all-zero field.
func TestDiskShareAllNaN(t *testing.T) {
	nan := math.NaN()
	for _, L := range []int{1, 2, 3} {
		w := make([]float64, L*L)
		for i := range w {
			w[i] = nan
		}
		if got := DiskShare(w, L, 0); !math.IsNaN(got) {
			t.Errorf("DiskShare of an all-NaN %d x %d field: %v, want NaN", L, L, got)
		}
		if got := newDisk(L, 0).share(w); !math.IsNaN(got) {
			t.Errorf("disk.share of an all-NaN %d x %d field: %v, want NaN", L, L, got)
		}
		if got := DiskShare(make([]float64, L*L), L, 0); got != 0 {
			t.Errorf("DiskShare of an all-zero field: %v, want 0", got)
		}
	}
}

// TestRadiusNaN: a NaN disk radius is refused; it had left every site out
// of the disk, and every disk share 0.
func TestRadiusNaN(t *testing.T) {
	m := NewMatrix(16, 1)
	m.Data[5] = 1
	if loc, err := MeasureLocality(m, 4, math.NaN()); err == nil || !strings.Contains(err.Error(), "radius NaN") {
		t.Errorf("MeasureLocality at radius NaN: disk share %v, %v; want an error naming the radius", loc.Units, err)
	}
	if _, err := SurrogateLocality(m, 4, math.NaN(), 3, 1, 1); err == nil || !strings.Contains(err.Error(), "radius NaN") {
		t.Errorf("SurrogateLocality at radius NaN: %v; want an error naming the radius", err)
	}
}

// TestQuantileNaN: a NaN p gives NaN. int(NaN) is whatever the CPU makes of
// it (the smallest int on amd64, an index out of range; 0 on arm64, the
// minimum), so the result had depended on the machine.
func TestQuantileNaN(t *testing.T) {
	within(t, "Quantile", func() {
		if got := Quantile([]float64{1, 2, 3}, math.NaN()); !math.IsNaN(got) {
			t.Errorf("Quantile(NaN) = %v, want NaN", got)
		}
	})
}

// TestRGFlowProbabilities: a Reconstructor that returns something other
// than a probability (NaN from non-finite weights, or a value outside
// [0, 1]) is an error naming the value; NaN had become a down spin in
// either mode, and the flow a number.
func TestRGFlowProbabilities(t *testing.T) {
	L := 4
	in := []FlowInput{{K: 0.4, Configs: randomConfigs(10, L, 5)}}
	for _, bad := range []float32{float32(math.NaN()), -0.5, 1.5} {
		rec := func(v []float32, _ int) []float32 {
			out := append([]float32(nil), v...)
			out[3] = bad
			return out
		}
		for _, mode := range []BinarizeMode{Sample, Threshold} {
			f, err := RGFlow(in, L, rec, FlowOptions{Iterations: 1, Mode: mode})
			if err == nil || !strings.Contains(err.Error(), "want a probability in [0, 1]") {
				t.Errorf("%v, Reconstructor returning %v: K_eff %v, %v; want an error", mode, bad, f.KEff, err)
			}
		}
	}
}

// TestRGFlowHugeChunk: a chunk larger than the configurations is one
// chunk; chunk*N had overflowed an int and made the slice bounds negative.
func TestRGFlowHugeChunk(t *testing.T) {
	L := 4
	in := []FlowInput{{K: 0.4, Configs: randomConfigs(10, L, 5)}}
	id := func(v []float32, _ int) []float32 { return v }
	want, err := RGFlow(in, L, id, FlowOptions{Iterations: 1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	within(t, "RGFlow", func() {
		got, err := RGFlow(in, L, id, FlowOptions{Iterations: 1, Seed: 3, Chunk: math.MaxInt / 8})
		if err != nil || got.U[1][0] != want.U[1][0] {
			t.Errorf("chunk MaxInt/8: u %v, %v; want %v", got.U, err, want.U)
		}
	})
}

// TestRGFlowMode: a binarize mode other than Sample and Threshold is an
// error (it had run as Sample and been recorded as given); both known
// modes run.
func TestRGFlowMode(t *testing.T) {
	L := 4
	in := []FlowInput{{K: 0.4, Configs: randomConfigs(10, L, 5)}}
	id := func(v []float32, _ int) []float32 { return v }
	for _, m := range []BinarizeMode{Sample, Threshold} {
		if f, err := RGFlow(in, L, id, FlowOptions{Iterations: 1, Mode: m}); err != nil || f.Mode != m {
			t.Errorf("mode %v: %v, %v", m, f.Mode, err)
		}
	}
	for _, m := range []BinarizeMode{-1, 2} {
		_, err := RGFlow(in, L, id, FlowOptions{Iterations: 1, Mode: m})
		if err == nil || !strings.Contains(err.Error(), "want Sample (0) or Threshold (1)") {
			t.Errorf("mode %d: %v, want an error naming the modes", int(m), err)
		}
	}
}
