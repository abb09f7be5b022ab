package report

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestNewLogHistogram: the edges run from lo to hi with one ratio; a value
// equal to an edge opens the bin above it (hi closes the last bin); values
// <= 0, outside [lo, hi] and NaN are counted apart, not binned.
func TestNewLogHistogram(t *testing.T) {
	h, err := NewLogHistogram(nil, nil, 3, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Edges) != 4 || h.Edges[0] != 1 || h.Edges[3] != 1000 {
		t.Fatalf("edges %v, want 4 from 1 to 1000", h.Edges)
	}
	for k, want := range []float64{1, 10, 100, 1000} {
		if math.Abs(h.Edges[k]-want) > 1e-12*want {
			t.Errorf("edge %d = %v, want %v", k, h.Edges[k], want)
		}
	}
	// Bins of 1..1000 in 3 bins: [1, e1), [e1, e2), [e2, 1000].
	e1, e2 := h.Edges[1], h.Edges[2]
	model := []float64{1, 2, 9.99, e1, 50, math.Nextafter(e2, 0), e2, 999, 1000, // binned: 3, 3, 3
		0, -1, math.Inf(-1), // <= 0
		0.5, 1001, math.Inf(1), // outside
		math.NaN()}
	noise := []float64{e1, e1, 5}
	h, err = NewLogHistogram(model, noise, 3, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Counts[0]; got[0] != 3 || got[1] != 3 || got[2] != 3 {
		t.Errorf("model counts %v, want [3 3 3] (an edge value opens the bin above it)", got)
	}
	if got := h.Counts[1]; got[0] != 1 || got[1] != 2 || got[2] != 0 {
		t.Errorf("noise counts %v, want [1 2 0]", got)
	}
	if h.NonPositive != [2]int{3, 0} || h.Outside != [2]int{3, 0} || h.NaN != [2]int{1, 0} {
		t.Errorf("left out: %d <= 0, %d outside, %d NaN; want [3 0], [3 0], [1 0]", h.NonPositive, h.Outside, h.NaN)
	}
	// Many bins: every edge, given as a value, lands in the bin it opens.
	h, err = NewLogHistogram(nil, nil, 30, 1, 560)
	if err != nil {
		t.Fatal(err)
	}
	ratio := h.Edges[1] / h.Edges[0]
	for k := 0; k < 30; k++ {
		if r := h.Edges[k+1] / h.Edges[k]; math.Abs(r-ratio) > 1e-12 {
			t.Errorf("bin %d: ratio %v, bin 0's %v", k, r, ratio)
		}
	}
	h, err = NewLogHistogram(h.Edges[:30], nil, 30, 1, 560)
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range h.Counts[0] {
		if c != 1 {
			t.Errorf("edge %d as a value: bin counts %v, want one in each", k, h.Counts[0])
			break
		}
	}
	// The joint positive range by default; refusals.
	h, err = NewLogHistogram([]float64{-3, 0, 2, 50}, []float64{400}, 10, 0, 0)
	if err != nil || h.Edges[0] != 2 || h.Edges[10] != 400 || h.NonPositive[0] != 2 {
		t.Errorf("default range: edges %v, %d <= 0, err %v; want [2, 400] and 2", h.Edges, h.NonPositive, err)
	}
	if _, err := NewLogHistogram([]float64{1, 2}, nil, 10, 0, 10); err == nil || !strings.Contains(err.Error(), "0 < lo") {
		t.Errorf("lo = 0: err %v, want refused", err)
	}
	if _, err := NewLogHistogram([]float64{-1, 0, math.NaN()}, nil, 10, 0, 0); err == nil {
		t.Error("no positive values: accepted")
	}
}

// TestLogHistogramChart: the chart is drawn (HistogramChart with LogX
// too), its result is NewLogHistogram's, and non-positive values are
// counted, not an error.
func TestLogHistogramChart(t *testing.T) {
	dir := t.TempDir()
	var model, noise []float64
	for i := range 200 {
		model = append(model, math.Pow(560, float64(i)/199)) // 1 .. 560
		noise = append(noise, 300+float64(i))
	}
	model = append(model, 0, -2)
	p := filepath.Join(dir, "logpr.png")
	h, err := LogHistogramChart(p, ChartSpec{Title: "PR", XLabel: "participation ratio"}, model, noise, 30, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if h.NonPositive[0] != 2 || h.Edges[0] != 1 || math.Abs(h.Edges[30]-560) > 1e-9 {
		t.Errorf("edges [%v, %v], %d <= 0; want [1, 560] and 2", h.Edges[0], h.Edges[30], h.NonPositive[0])
	}
	n := 0
	for _, c := range h.Counts[0] {
		n += c
	}
	if n != 200 {
		t.Errorf("%d model values binned, want 200", n)
	}
	if c, _ := colourful(decode(t, p)); c < 100 {
		t.Errorf("%d coloured pixels in the log histogram", c)
	}
	if err := HistogramChart(filepath.Join(dir, "viaspec.png"), ChartSpec{LogX: true}, model, noise, 30, 0, 0); err != nil {
		t.Errorf("HistogramChart with LogX: %v", err)
	}
	if _, err := LogHistogramChart(filepath.Join(dir, "bad.png"), ChartSpec{}, []float64{0}, nil, 30, 0, 0); err == nil {
		t.Error("only non-positive values: accepted")
	}
}
