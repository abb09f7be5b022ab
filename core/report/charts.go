package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"io"
	"strconv"

	"github.com/isingrbm/isingrbm/core/analysis"
	"github.com/isingrbm/isingrbm/core/npy"
)

// ChartSpec holds the text and axes of a line chart. Width and Height are in centimetres
// (<= 0 means 20 x 12), rendered at gonum/plot's default resolution.
type ChartSpec struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	Width, Height         float64
	// Points draws a marker at every data point in addition to the line.
	Points bool
	// Pairs says the series come in pairs (e.g. training and held-out of
	// one network): a pair shares a colour, its second curve is dashed.
	Pairs bool
	// Colours and Dashes, when set (one entry per series), pick series i's
	// colour and dash pattern (plotutil's i-th) instead of its index: e.g.
	// one colour per network and one dash pattern per layer.
	Colours, Dashes []int
}

func newPlot(spec ChartSpec) *plot.Plot {
	p := plot.New()
	p.Title.Text = spec.Title
	p.X.Label.Text = spec.XLabel
	p.Y.Label.Text = spec.YLabel
	if spec.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	if spec.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

// logTicks marks a log axis at 1..9 x 10^k and labels, by the decades the
// axis spans, every one of them (at most one decade), 1, 2 and 5 (up to
// three) or the powers of ten: plot.LogTicks labels only powers of ten,
// which left an axis from 77 to 108 with the one label 100.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) {
		return nil
	}
	decades := math.Log10(max / min)
	label := func(m int) bool {
		switch {
		case decades <= 1:
			return true
		case decades <= 3:
			return m == 1 || m == 2 || m == 5
		}
		return m == 1
	}
	var ticks []plot.Tick
	for e := int(math.Floor(math.Log10(min))); e <= int(math.Ceil(math.Log10(max))); e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow10(e)
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if label(m) {
				t.Label = strconv.FormatFloat(v, 'g', 6, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// points returns the finite points of s (and positive ones on log axes); the count dropped.
func points(s analysis.Series, spec ChartSpec) (plotter.XYs, int, error) {
	if len(s.X) != len(s.Y) {
		return nil, 0, fmt.Errorf("series %q: %d x values, %d y values", s.Name, len(s.X), len(s.Y))
	}
	xy := make(plotter.XYs, 0, len(s.X))
	dropped := 0
	for i := range s.X {
		x, y := s.X[i], s.Y[i]
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) ||
			(spec.LogX && x <= 0) || (spec.LogY && y <= 0) {
			dropped++
			continue
		}
		xy = append(xy, plotter.XY{X: x, Y: y})
	}
	return xy, dropped, nil
}

func addSeries(ch *chart, series []analysis.Series) (int, error) {
	p, spec := ch.p, ch.spec
	dropped := 0
	for i, s := range series {
		xy, d, err := points(s, spec)
		if err != nil {
			return 0, err
		}
		dropped += d
		if len(xy) == 0 {
			continue
		}
		col, dashes := plotutil.Color(i), plotutil.Dashes(i/7)
		if i < len(spec.Colours) && i < len(spec.Dashes) {
			col, dashes = plotutil.Color(spec.Colours[i]), plotutil.Dashes(spec.Dashes[i])
		}
		if spec.Pairs {
			col, dashes = plotutil.Color(i/2), nil
			if i%2 == 1 {
				dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			}
		}
		if err := addBand(ch, s, col); err != nil {
			return 0, err
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return 0, fmt.Errorf("series %q: %w", s.Name, err)
		}
		l.Color = col
		l.Dashes = dashes
		l.Width = vg.Points(1.5)
		p.Add(l)
		ch.ink.line(xy, l.Width/2)
		if err := addErrorBars(ch, s, col); err != nil {
			return 0, err
		}
		if spec.Points || len(xy) == 1 {
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return 0, fmt.Errorf("series %q: %w", s.Name, err)
			}
			sc.Color = l.Color
			sc.Shape = plotutil.Shape(i)
			p.Add(sc)
			for _, q := range xy {
				ch.ink.point(q.X, q.Y, sc.Radius)
			}
			ch.legend(s.Name, l, sc)
		} else {
			ch.legend(s.Name, l)
		}
	}
	return dropped, nil
}

// addBand shades the region between s.Lo and s.Hi (points where either is
// not finite, or not positive on a log axis, are left out).
func addBand(ch *chart, s analysis.Series, col color.Color) error {
	spec := ch.spec
	if len(s.Lo) == 0 && len(s.Hi) == 0 {
		return nil
	}
	if len(s.Lo) != len(s.X) || len(s.Hi) != len(s.X) {
		return fmt.Errorf("series %q: %d x values, %d lower and %d upper band values", s.Name, len(s.X), len(s.Lo), len(s.Hi))
	}
	ok := func(x, y float64) bool {
		return !math.IsNaN(x) && !math.IsNaN(y) && !math.IsInf(x, 0) && !math.IsInf(y, 0) && !(spec.LogX && x <= 0) && !(spec.LogY && y <= 0)
	}
	var up, down plotter.XYs
	for i, x := range s.X {
		if ok(x, s.Lo[i]) && ok(x, s.Hi[i]) {
			up = append(up, plotter.XY{X: x, Y: s.Hi[i]})
			down = append(down, plotter.XY{X: x, Y: s.Lo[i]})
		}
	}
	if len(up) < 2 {
		return nil
	}
	poly := append(plotter.XYs(nil), up...)
	for i := len(down) - 1; i >= 0; i-- {
		poly = append(poly, down[i])
	}
	pg, err := plotter.NewPolygon(poly)
	if err != nil {
		return fmt.Errorf("series %q: %w", s.Name, err)
	}
	r, g, b, _ := col.RGBA()
	pg.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 60}
	pg.LineStyle.Width = 0
	ch.p.Add(pg)
	ch.ink.fill(poly)
	return nil
}

// addErrorBars draws s.Err as vertical bars (NaN errors are skipped).
func addErrorBars(ch *chart, s analysis.Series, col color.Color) error {
	spec := ch.spec
	if len(s.Err) == 0 {
		return nil
	}
	if len(s.Err) != len(s.X) {
		return fmt.Errorf("series %q: %d x values, %d errors", s.Name, len(s.X), len(s.Err))
	}
	var pts []errPoint
	for i, x := range s.X {
		y, e := s.Y[i], s.Err[i]
		if math.IsNaN(x) || math.IsNaN(y) || math.IsNaN(e) || math.IsInf(x, 0) || math.IsInf(y, 0) || math.IsInf(e, 0) || e < 0 ||
			(spec.LogY && y-e <= 0) || (spec.LogX && x <= 0) {
			continue
		}
		pts = append(pts, errPoint{x, y, e})
	}
	if len(pts) == 0 {
		return nil
	}
	eb, err := plotter.NewYErrorBars(errPoints(pts))
	if err != nil {
		return fmt.Errorf("series %q: %w", s.Name, err)
	}
	eb.LineStyle.Color = col
	eb.LineStyle.Width = vg.Points(1)
	ch.p.Add(eb)
	for _, q := range pts {
		ch.ink.line([]plotter.XY{{X: q.x, Y: q.y - q.e}, {X: q.x, Y: q.y + q.e}}, eb.CapWidth/2)
	}
	return nil
}

type errPoint struct{ x, y, e float64 }

// errPoints implements plotter.XYer and plotter.YErrorer.
type errPoints []errPoint

func (e errPoints) Len() int                        { return len(e) }
func (e errPoints) XY(i int) (float64, float64)     { return e[i].x, e[i].y }
func (e errPoints) YError(i int) (float64, float64) { return e[i].e, e[i].e }

// size is the chart's size on the page (20 x 12 cm unless set).
func (spec ChartSpec) size() (w, h vg.Length) {
	wc, hc := spec.Width, spec.Height
	if wc <= 0 {
		wc = 20
	}
	if hc <= 0 {
		hc = 12
	}
	return vg.Length(wc) * vg.Centimeter, vg.Length(hc) * vg.Centimeter
}

// save draws the chart, its legend placed by layout, and writes it to path
// as a PNG; it returns where the legend went.
func (ch *chart) save(path string) (legendPlace, error) {
	w, h := ch.spec.size()
	c, err := draw.NewFormattedCanvas(w, h, "png")
	if err != nil {
		return legendPlace{}, fmt.Errorf("%s: %w", path, err)
	}
	lp := ch.draw(draw.New(c))
	return lp, npy.WriteFileAtomic(path, func(f io.Writer) error {
		_, err := c.WriteTo(f)
		return err
	})
}

// LineChart writes a PNG line chart of the series (training curves and the like). Points that
// are NaN, infinite, or not positive on a log axis are left out; the count is returned. The
// legend goes in a corner of the plot where it covers no curve, band, marker or error bar, or
// right of the plot when every corner holds some.
func LineChart(path string, spec ChartSpec, series []analysis.Series) (dropped int, err error) {
	ch := newChart(spec)
	if dropped, err = addSeries(ch, series); err != nil {
		return 0, fmt.Errorf("LineChart: %s: %w", path, err)
	}
	_, err = ch.save(path)
	return dropped, err
}

// RGFlowChart writes the RG flow K -> K_eff: one curve per series (e.g. analysis.Flow.Series(),
// one per number of reconstruction steps), the diagonal K_eff = K (no flow), and K_c marked by a
// dashed vertical and horizontal line. A real-space RG step moves K_eff away from K_c. The
// legend avoids the curves and the three lines as LineChart's does.
func RGFlowChart(path string, spec ChartSpec, series []analysis.Series, kc float64) (dropped int, err error) {
	if spec.XLabel == "" {
		spec.XLabel = "K of the input configurations"
	}
	if spec.YLabel == "" {
		spec.YLabel = "K_eff"
	}
	spec.Points = true
	ch := newChart(spec)
	p := ch.p
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for i, x := range s.X {
			for _, v := range []float64{x, s.Y[min(i, len(s.Y)-1)]} {
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
	}
	lo, hi = math.Min(lo, kc), math.Max(hi, kc)
	if !(hi > lo) {
		lo, hi = kc-0.1, kc+0.1
	}
	pad := float64(0.05 * (hi - lo))
	lo, hi = lo-pad, hi+pad
	if spec.LogX || spec.LogY {
		lo = math.Max(lo, 1e-3)
	}
	grey := color.RGBA{120, 120, 120, 255}
	diagXY := plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}}
	diag, _ := plotter.NewLine(diagXY)
	diag.Color = grey
	diag.Width = vg.Points(1)
	p.Add(diag)
	ch.ink.line(diagXY, diag.Width/2)
	ch.legend("K_eff = K", diag)
	vertXY, horzXY := plotter.XYs{{X: kc, Y: lo}, {X: kc, Y: hi}}, plotter.XYs{{X: lo, Y: kc}, {X: hi, Y: kc}}
	vert, _ := plotter.NewLine(vertXY)
	horz, _ := plotter.NewLine(horzXY)
	for _, l := range []*plotter.Line{vert, horz} {
		l.Color = color.RGBA{0, 0, 0, 255}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		l.Width = vg.Points(1)
		p.Add(l)
	}
	ch.ink.line(vertXY, vert.Width/2)
	ch.ink.line(horzXY, horz.Width/2)
	ch.legend(fmt.Sprintf("K_c = %.4f", kc), vert)
	if dropped, err = addSeries(ch, series); err != nil {
		return 0, fmt.Errorf("RGFlowChart: %s: %w", path, err)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
	_, err = ch.save(path)
	return dropped, err
}

// HistogramChart writes the distributions over units of one locality measure for the model and
// for its Gaussian-noise baseline as two step-line densities on shared bins ([lo, hi] split
// into bins; lo >= hi means the joint range of both samples). NaN values are left out. With
// spec.LogX the bins are log-spaced on a log x axis: see LogHistogramChart, which also returns
// the bins and what was left out. The y axis is linear (spec.LogY is ignored); the legend
// avoids the curves and their fill.
func HistogramChart(path string, spec ChartSpec, model, noise []float64, bins int, lo, hi float64) error {
	if spec.LogX {
		_, err := LogHistogramChart(path, spec, model, noise, bins, lo, hi)
		return err
	}
	if bins < 1 {
		bins = 30
	}
	if !(hi > lo) {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range append(append([]float64(nil), model...), noise...) {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if math.IsInf(lo, 0) {
			return fmt.Errorf("HistogramChart: %s: no finite values", path)
		}
		if !(hi > lo) {
			lo, hi = lo-0.5, hi+0.5
		}
	}
	if spec.YLabel == "" {
		spec.YLabel = "density (share of units per unit of x)"
	}
	var hs [2]histCurve
	for i, xs := range [2][]float64{model, noise} {
		h := analysis.NewHistogram(xs, bins, lo, hi)
		hs[i] = histCurve{n: len(xs), edges: h.Edges, dens: h.Density()}
	}
	return drawHistograms(path, spec, hs, lo, hi)
}

// histCurve is one sample of a histogram chart: its size, bins and
// densities, and what the legend says of the values left out.
type histCurve struct {
	n           int
	edges, dens []float64
	note        string
}

// drawHistograms draws the model's (0) and the noise's (1) histograms as
// filled step lines on [lo, hi].
func drawHistograms(path string, spec ChartSpec, hs [2]histCurve, lo, hi float64) error {
	spec.LogY = false
	ch := newChart(spec)
	p := ch.p
	top := 0.0
	for i, d := range []struct {
		name string
		fill color.NRGBA
		line color.RGBA
	}{
		{"model", color.NRGBA{180, 4, 38, 50}, posEnd},
		{"Gaussian noise", color.NRGBA{59, 76, 192, 50}, negEnd},
	} {
		h := hs[i]
		if h.n == 0 {
			continue
		}
		xy := make(plotter.XYs, 0, 2*len(h.dens)+2)
		for k, v := range h.dens {
			top = math.Max(top, v)
			xy = append(xy, plotter.XY{X: h.edges[k], Y: v}, plotter.XY{X: h.edges[k+1], Y: v})
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("HistogramChart: %s: %w", path, err)
		}
		l.Color = d.line
		l.FillColor = d.fill
		l.Width = vg.Points(1.5)
		if i == 1 {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(2)}
		}
		p.Add(l)
		ch.ink.line(xy, l.Width/2)
		fill := append(plotter.XYs{{X: xy[0].X, Y: 0}}, xy...)
		ch.ink.fill(append(fill, plotter.XY{X: xy[len(xy)-1].X, Y: 0}))
		ch.legend(fmt.Sprintf("%s (n = %d%s)", d.name, h.n, h.note), l)
	}
	p.X.Min, p.X.Max = lo, hi
	p.Y.Min = 0
	if top > 0 {
		p.Y.Max = 1.3 * top // room for the legend
	}
	_, err := ch.save(path)
	return err
}

// LogHistogram is what LogHistogramChart drew: the bin edges, log-spaced
// from Edges[0] = lo to Edges[bins] = hi (Edges[k] = lo (hi/lo)^(k/bins)),
// and for the model (index 0) and the noise (1) the count of every bin
// [Edges[k], Edges[k+1]) (the last bin holds hi too), and the values left
// out: NonPositive those <= 0 (-Inf included), which have no place on a
// log axis; Outside the positive ones beyond [lo, hi] (+Inf included); NaN.
type LogHistogram struct {
	Edges       []float64
	Counts      [2][]int
	NonPositive [2]int
	Outside     [2]int
	NaN         [2]int
}

// NewLogHistogram bins model and noise on bins log-spaced bins (<= 0 means
// 30) over [lo, hi]; lo >= hi means from the smallest to the largest
// positive finite value of either sample (a single value v gives
// [v/2, 2v]). A range with lo <= 0 < hi, or no positive finite value to
// take one from, is an error.
func NewLogHistogram(model, noise []float64, bins int, lo, hi float64) (LogHistogram, error) {
	if bins < 1 {
		bins = 30
	}
	if !(hi > lo) {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, xs := range [][]float64{model, noise} {
			for _, v := range xs {
				if v > 0 && !math.IsInf(v, 0) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
		if math.IsInf(lo, 0) {
			return LogHistogram{}, fmt.Errorf("no positive finite values to bin on a log axis")
		}
		if !(hi > lo) {
			lo, hi = lo/2, hi*2
		}
	}
	if !(lo > 0) || math.IsInf(hi, 0) {
		return LogHistogram{}, fmt.Errorf("log bins on [%g, %g], want 0 < lo < hi < +Inf", lo, hi)
	}
	h := LogHistogram{Edges: make([]float64, bins+1)}
	ratio := hi / lo
	for k := range h.Edges {
		h.Edges[k] = lo * math.Pow(ratio, float64(k)/float64(bins))
	}
	h.Edges[0], h.Edges[bins] = lo, hi
	logRatio := math.Log(ratio)
	for i, xs := range [2][]float64{model, noise} {
		h.Counts[i] = make([]int, bins)
		for _, v := range xs {
			switch {
			case math.IsNaN(v):
				h.NaN[i]++
			case v <= 0:
				h.NonPositive[i]++
			case v < lo || v > hi:
				h.Outside[i]++
			default:
				// The index from the logarithm, then corrected
				// against the edges themselves, so that a value equal
				// to an edge opens the bin above it.
				k := min(bins-1, max(0, int(math.Log(v/lo)/logRatio*float64(bins))))
				for k > 0 && v < h.Edges[k] {
					k--
				}
				for k < bins-1 && v >= h.Edges[k+1] {
					k++
				}
				h.Counts[i][k]++
			}
		}
	}
	return h, nil
}

// LogHistogramChart is HistogramChart with log-spaced bins (NewLogHistogram)
// on a log x axis marked at 1, 2 and 5 per decade: for measures spanning
// decades, such as participation ratios from 1 to several hundred sites.
// The y axis is the density per decade (count / (values not NaN x
// decades of the bin)), so the curve integrates over log10 x to the share
// of values drawn; values <= 0 or outside [lo, hi] are counted in the
// returned LogHistogram and said in the legend.
func LogHistogramChart(path string, spec ChartSpec, model, noise []float64, bins int, lo, hi float64) (LogHistogram, error) {
	h, err := NewLogHistogram(model, noise, bins, lo, hi)
	if err != nil {
		return h, fmt.Errorf("LogHistogramChart: %s: %w", path, err)
	}
	spec.LogX = true
	if spec.YLabel == "" {
		spec.YLabel = "density (share of units per decade of x)"
	}
	var hs [2]histCurve
	for i, xs := range [2][]float64{model, noise} {
		total := len(xs) - h.NaN[i]
		c := histCurve{n: len(xs), edges: h.Edges, dens: make([]float64, len(h.Counts[i]))}
		for k, n := range h.Counts[i] {
			if total > 0 {
				c.dens[k] = float64(n) / float64(float64(total)*math.Log10(h.Edges[k+1]/h.Edges[k]))
			}
		}
		for _, note := range []struct {
			n    int
			what string
		}{{h.NonPositive[i], "<= 0"}, {h.Outside[i], "outside the bins"}, {h.NaN[i], "NaN"}} {
			if note.n > 0 {
				c.note += fmt.Sprintf("; %d %s not shown", note.n, note.what)
			}
		}
		hs[i] = c
	}
	return h, drawHistograms(path, spec, hs, h.Edges[0], h.Edges[len(h.Edges)-1])
}

// BoxGroup is one box of a BoxChart: a name and its values. Boxes with the
// same non-empty Colour key share a fill colour (one per key, in order of
// first appearance); boxes without one get a colour each.
//
// Refs are optional reference values of the group (e.g. the same measure's
// median on Gaussian noise of the same shape, one per replica), each drawn
// as a short black dashed horizontal mark across the box; marks with the
// same RefLabel ("reference" when empty) share one legend entry. NaN and
// infinite references, and those <= 0 on a log axis, are left out.
type BoxGroup struct {
	Name     string
	Values   []float64
	Colour   string
	Refs     []float64
	RefLabel string
}

// Box chart geometry: a box's width and a reference mark's half width.
const (
	boxWidth     = vg.Length(14)
	refHalfWidth = vg.Length(11)
)

// BoxChart writes box plots of the groups side by side (median, quartiles,
// whiskers to 1.5 IQR, outliers as points, reference marks of BoxGroup.Refs);
// NaN values are left out and groups without values are skipped. On a log
// axis values <= 0 are left out too. The legend (of the reference marks)
// avoids the boxes, whiskers, outliers and marks as LineChart's does.
func BoxChart(path string, spec ChartSpec, groups []BoxGroup) error {
	ch, err := boxChart(spec, groups)
	if err != nil {
		return fmt.Errorf("BoxChart: %s: %w", path, err)
	}
	_, err = ch.save(path)
	return err
}

// boxChart builds BoxChart's chart.
func boxChart(spec ChartSpec, groups []BoxGroup) (*chart, error) {
	ch := newChart(spec)
	p := ch.p
	var names []string
	colours := map[string]int{}
	var refs []*refMarks
	refOf := map[string]*refMarks{}
	for _, g := range groups {
		var vals plotter.Values
		for _, v := range g.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) && !(spec.LogY && v <= 0) {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			continue
		}
		x := float64(len(names))
		b, err := plotter.NewBoxPlot(boxWidth, x, vals)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.Name, err)
		}
		ci := len(colours)
		if g.Colour == "" {
			colours[fmt.Sprint("\x00", len(names))] = ci
		} else if c, ok := colours[g.Colour]; ok {
			ci = c
		} else {
			colours[g.Colour] = ci
		}
		b.FillColor = plotutil.Color(ci)
		p.Add(b)
		ch.ink.line([]plotter.XY{{X: x, Y: b.AdjLow}, {X: x, Y: b.AdjHigh}}, boxWidth/2)
		for _, i := range b.Outside {
			ch.ink.point(x, b.Value(i), b.GlyphStyle.Radius)
		}
		label := g.RefLabel
		if label == "" {
			label = "reference"
		}
		for _, r := range g.Refs {
			if math.IsNaN(r) || math.IsInf(r, 0) || (spec.LogY && r <= 0) {
				continue
			}
			m := refOf[label]
			if m == nil {
				m = newRefMarks()
				refOf[label] = m
				refs = append(refs, m)
				ch.legend(label, m)
			}
			m.xy = append(m.xy, plotter.XY{X: x, Y: r})
			ch.ink.point(x, r, refHalfWidth)
		}
		names = append(names, g.Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no values")
	}
	for _, m := range refs {
		p.Add(m)
	}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = -1 // anchored at the tick, extending right-down
	return ch, nil
}

// refMarks draws reference values as short dashed horizontal lines
// centred on their x (a plot.Plotter, plot.DataRanger and
// plot.Thumbnailer).
type refMarks struct {
	xy    plotter.XYs
	style draw.LineStyle
}

func newRefMarks() *refMarks {
	return &refMarks{style: draw.LineStyle{Color: color.Black, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}}
}

func (m *refMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, q := range m.xy {
		x, y := trX(q.X), trY(q.Y)
		c.StrokeLine2(m.style, x-refHalfWidth, y, x+refHalfWidth, y)
	}
}

func (m *refMarks) DataRange() (xmin, xmax, ymin, ymax float64) {
	return plotter.XYRange(m.xy)
}

func (m *refMarks) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(m.style, c.Min.X, y, c.Max.X, y)
}
