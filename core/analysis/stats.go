package analysis

import (
	"fmt"
	"math"
	"sort"
)

// Summary describes a distribution over units: the sorted values and their usual quantiles.
// NaN values are dropped and counted.
type Summary struct {
	Sorted []float64
	N      int // number of values summarized (not NaN; +-Inf count, and make Mean and Std infinite or NaN)
	NaN    int // number of NaN values dropped
	Mean   float64
	Std    float64 // sample standard deviation (n-1)
	Min    float64
	Q05    float64
	Q25    float64
	Median float64
	Q75    float64
	Q95    float64
	Max    float64
}

// Summarize returns the Summary of xs (xs is not modified). Quantiles interpolate linearly
// between order statistics (Hyndman & Fan type 7, numpy's default). An empty input gives NaN
// statistics.
func Summarize(xs []float64) Summary {
	s := Summary{}
	for _, v := range xs {
		if math.IsNaN(v) {
			s.NaN++
			continue
		}
		s.Sorted = append(s.Sorted, v)
	}
	sort.Float64s(s.Sorted)
	s.N = len(s.Sorted)
	nan := math.NaN()
	if s.N == 0 {
		s.Mean, s.Std, s.Min, s.Q05, s.Q25, s.Median, s.Q75, s.Q95, s.Max = nan, nan, nan, nan, nan, nan, nan, nan, nan
		return s
	}
	var sum float64
	for _, v := range s.Sorted {
		sum += v
	}
	s.Mean = sum / float64(s.N)
	if s.N > 1 {
		var ss float64
		for _, v := range s.Sorted {
			ss += float64((v - s.Mean) * (v - s.Mean))
		}
		s.Std = math.Sqrt(ss / float64(s.N-1))
	} else {
		s.Std = nan
	}
	s.Min, s.Max = s.Sorted[0], s.Sorted[s.N-1]
	s.Q05 = Quantile(s.Sorted, 0.05)
	s.Q25 = Quantile(s.Sorted, 0.25)
	s.Median = Quantile(s.Sorted, 0.5)
	s.Q75 = Quantile(s.Sorted, 0.75)
	s.Q95 = Quantile(s.Sorted, 0.95)
	return s
}

// Quantile returns the p-quantile of sorted (ascending, no NaN) by linear interpolation
// between order statistics (type 7). It returns NaN for an empty slice or a NaN p (whose int
// conversion would depend on the CPU).
func Quantile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	if p <= 0 {
		return sorted[0]
	}
	if p >= 1 {
		return sorted[n-1]
	}
	h := float64(p * float64(n-1))
	lo := int(math.Floor(h))
	if lo+1 >= n {
		return sorted[n-1]
	}
	a, b, frac := sorted[lo], sorted[lo+1], h-float64(lo)
	switch {
	case frac == 0 || a == b:
		return a // an order statistic itself, even an infinite one (0 x Inf gave NaN)
	case math.IsInf(a, -1) && math.IsInf(b, 1):
		return math.NaN()
	case math.IsInf(a, -1):
		return a // (1 - frac) a + frac b, with a = -Inf
	case math.IsInf(b, 1):
		return b
	}
	return a + float64(frac*(b-a))
}

// Histogram is a fixed-bin histogram: Counts[i] counts values in [Edges[i], Edges[i+1]),
// the last bin also includes its right edge. Under and Over count values outside; NaN is dropped.
type Histogram struct {
	Edges  []float64
	Counts []int
	Under  int
	Over   int
}

// NewHistogram bins xs into bins equal bins on [lo, hi]. bins < 1, bounds
// that are not finite numbers with hi > lo, or bins too narrow or too wide
// for a float64 width (0 or infinite) panic.
func NewHistogram(xs []float64, bins int, lo, hi float64) Histogram {
	if bins < 1 || !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		panic(fmt.Sprintf("analysis: NewHistogram needs bins >= 1 and finite lo < hi, got %d bins on [%g, %g]", bins, lo, hi))
	}
	w := (hi - lo) / float64(bins)
	if !(w > 0) || math.IsInf(w, 0) {
		panic(fmt.Sprintf("analysis: NewHistogram: %d bins on [%g, %g] have width %g, want a positive finite width", bins, lo, hi, w))
	}
	h := Histogram{Edges: make([]float64, bins+1), Counts: make([]int, bins)}
	for i := range h.Edges {
		h.Edges[i] = lo + float64(float64(i)*w)
	}
	h.Edges[bins] = hi
	for _, v := range xs {
		switch {
		case math.IsNaN(v):
		case v < lo:
			h.Under++
		case v > hi:
			h.Over++
		default:
			k := int((v - lo) / w)
			if k >= bins {
				k = bins - 1
			}
			h.Counts[k]++
		}
	}
	return h
}

// Density returns the counts divided by (total counted * bin width), so the histogram
// integrates to the share of values inside [lo, hi].
func (h Histogram) Density() []float64 {
	total := h.Under + h.Over
	for _, c := range h.Counts {
		total += c
	}
	out := make([]float64, len(h.Counts))
	if total == 0 {
		return out
	}
	for i, c := range h.Counts {
		out[i] = float64(c) / (float64(total) * (h.Edges[i+1] - h.Edges[i]))
	}
	return out
}

// Series is one named curve (training history, flow curve, ...): Y[i] at X[i].
type Series struct {
	Name string
	X, Y []float64
	// Err, if set, are symmetric error bars (one per point; NaN for none).
	Err []float64
	// Lo and Hi, if set, bound a shaded band around the curve (for
	// example the range over seeds), one pair per point.
	Lo, Hi []float64
}

// Pearson returns the Pearson correlation of x and y (equal lengths), NaN if either has zero
// variance or fewer than two points.
func Pearson(x, y []float64) float64 {
	n := len(x)
	if n != len(y) || n < 2 {
		return math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += float64(dx * dy)
		sxx += float64(dx * dx)
		syy += float64(dy * dy)
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}
