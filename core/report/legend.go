package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// chart is a plot being built, with its legend's entries and the ink the
// legend must not cover.
type chart struct {
	p     *plot.Plot
	spec  ChartSpec
	names []string // the legend's entries, in order
	ink   ink
}

func newChart(spec ChartSpec) *chart { return &chart{p: newPlot(spec), spec: spec} }

// legend adds an entry to the legend.
func (ch *chart) legend(name string, thumbs ...plot.Thumbnailer) {
	ch.p.Legend.Add(name, thumbs...)
	ch.names = append(ch.names, name)
}

// ink is what a chart draws in data coordinates, for placing its legend:
// markers, polylines and filled polygons. Pad widens a marker or a line by
// that much on the canvas (a glyph's radius, half a box's width).
type ink struct {
	points []inkPoint
	lines  []inkLine
	fills  [][]plotter.XY
}

type inkPoint struct {
	xy  plotter.XY
	pad vg.Length
}

type inkLine struct {
	xy  []plotter.XY
	pad vg.Length
}

func (k *ink) point(x, y float64, pad vg.Length) {
	k.points = append(k.points, inkPoint{plotter.XY{X: x, Y: y}, pad})
}

func (k *ink) line(xy []plotter.XY, pad vg.Length) {
	k.lines = append(k.lines, inkLine{append([]plotter.XY(nil), xy...), pad})
}

func (k *ink) fill(xy []plotter.XY) { k.fills = append(k.fills, append([]plotter.XY(nil), xy...)) }

// Legend geometry: the legend keeps legendInset from the edges of the data
// area, samples of the ink keep legendClear from its box, and lines are
// sampled every inkStep.
const (
	legendInset = vg.Length(4)
	legendClear = vg.Length(2)
	inkStep     = vg.Length(1.5)
)

// legendPlace is where a chart's legend goes: a corner of the data area
// (Top, Left), or, when the legend would cover ink in every corner (or
// does not fit in one), a column right of the plot (Outside). Box is its
// extent on the canvas.
type legendPlace struct {
	Top, Left, Outside bool
	Box                vg.Rectangle
}

// legendSize returns the extent of the legend as plot.Legend.Draw lays it
// out from the top of its canvas (with a descent of room below the last
// entry).
func (ch *chart) legendSize() (w, h vg.Length) {
	l := &ch.p.Legend
	sty := l.TextStyle
	em := sty.Rectangle(" ").Max.X
	var tw, eh vg.Length
	for _, n := range ch.names {
		r := sty.Rectangle(n)
		tw, eh = max(tw, r.Max.X), max(eh, r.Max.Y)
	}
	n := vg.Length(len(ch.names))
	descent := sty.FontExtents().Descent
	return l.ThumbnailWidth + em + tw, vg.Length(n*eh) + vg.Length((n-1)*l.Padding) + vg.Length(2*descent)
}

// layout chooses the legend's place on canvas c: the first of the corners
// top right, top left, bottom right and bottom left of the data area whose
// box covers no ink, else a column right of the plot. It returns the
// canvas the plot is to be drawn on (c, or c less the legend's column).
func (ch *chart) layout(c draw.Canvas) (draw.Canvas, legendPlace) {
	if len(ch.names) == 0 {
		return c, legendPlace{}
	}
	w, h := ch.legendSize()
	dc := ch.p.DataCanvas(c)
	area := vg.Rectangle{Min: vg.Point{X: dc.Min.X + legendInset, Y: dc.Min.Y + legendInset},
		Max: vg.Point{X: dc.Max.X - legendInset, Y: dc.Max.Y - legendInset}}
	if w <= area.Size().X && h <= area.Size().Y {
		samples := ch.inkSamples(dc)
		for _, corner := range []struct{ top, left bool }{{true, false}, {true, true}, {false, false}, {false, true}} {
			box := cornerBox(area, w, h, corner.top, corner.left)
			if covered(box, samples, ch.ink.fills, ch.p, dc) == 0 {
				return c, legendPlace{Top: corner.top, Left: corner.left, Box: box}
			}
		}
	}
	// Outside: the plot gives up a column on the right.
	pc := draw.Crop(c, 0, -(w + 2*legendInset), 0, 0)
	dc = ch.p.DataCanvas(pc)
	top := min(dc.Max.Y, c.Max.Y-legendInset)
	box := vg.Rectangle{Min: vg.Point{X: c.Max.X - legendInset - w, Y: top - h}, Max: vg.Point{X: c.Max.X - legendInset, Y: top}}
	return pc, legendPlace{Top: true, Left: true, Outside: true, Box: box}
}

func cornerBox(area vg.Rectangle, w, h vg.Length, top, left bool) vg.Rectangle {
	var b vg.Rectangle
	if left {
		b.Min.X, b.Max.X = area.Min.X, area.Min.X+w
	} else {
		b.Min.X, b.Max.X = area.Max.X-w, area.Max.X
	}
	if top {
		b.Min.Y, b.Max.Y = area.Max.Y-h, area.Max.Y
	} else {
		b.Min.Y, b.Max.Y = area.Min.Y, area.Min.Y+h
	}
	return b
}

// inkSample is a point of ink on the canvas and how far a legend must keep
// from it.
type inkSample struct {
	p   vg.Point
	pad vg.Length
}

// inkSamples puts the markers and lines of the ink on canvas dc (lines
// sampled every inkStep); points that have no place on a log axis are left
// out.
func (ch *chart) inkSamples(dc draw.Canvas) []inkSample {
	trX, trY := ch.p.Transforms(&dc)
	tr := func(xy plotter.XY) (vg.Point, bool) {
		if !ch.drawable(xy) {
			return vg.Point{}, false
		}
		return vg.Point{X: trX(xy.X), Y: trY(xy.Y)}, true
	}
	var out []inkSample
	for _, p := range ch.ink.points {
		if q, ok := tr(p.xy); ok {
			out = append(out, inkSample{q, p.pad})
		}
	}
	for _, l := range ch.ink.lines {
		var prev vg.Point
		have := false
		for _, xy := range l.xy {
			q, ok := tr(xy)
			if !ok {
				have = false
				continue
			}
			if have {
				d := vg.Length(math.Hypot(float64(q.X-prev.X), float64(q.Y-prev.Y)))
				n := min(int(math.Ceil(float64(d/inkStep))), 100000)
				for k := 1; k < n; k++ {
					t := vg.Length(float64(k) / float64(n))
					out = append(out, inkSample{vg.Point{X: prev.X + vg.Length(t*(q.X-prev.X)), Y: prev.Y + vg.Length(t*(q.Y-prev.Y))}, l.pad})
				}
			}
			out = append(out, inkSample{q, l.pad})
			prev, have = q, true
		}
	}
	return out
}

// drawable says whether xy has a place on the chart's axes.
func (ch *chart) drawable(xy plotter.XY) bool {
	ok := func(v float64, log bool) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && !(log && v <= 0) }
	_, logX := ch.p.X.Scale.(plot.LogScale)
	_, logY := ch.p.Y.Scale.(plot.LogScale)
	return ok(xy.X, logX) && ok(xy.Y, logY)
}

// covered counts the ink under box: samples within legendClear plus their
// pad of it, and the points of a grid over the box (every inkStep) that
// lie inside a filled polygon.
func covered(box vg.Rectangle, samples []inkSample, fills [][]plotter.XY, p *plot.Plot, dc draw.Canvas) int {
	n := 0
	for _, s := range samples {
		m := legendClear + s.pad
		if s.p.X >= box.Min.X-m && s.p.X <= box.Max.X+m && s.p.Y >= box.Min.Y-m && s.p.Y <= box.Max.Y+m {
			n++
		}
	}
	if len(fills) == 0 {
		return n
	}
	trX, trY := p.Transforms(&dc)
	for _, f := range fills {
		poly := make([]vg.Point, 0, len(f))
		for _, xy := range f {
			if math.IsNaN(xy.X) || math.IsNaN(xy.Y) {
				continue
			}
			poly = append(poly, vg.Point{X: trX(xy.X), Y: trY(xy.Y)})
		}
		for y := box.Min.Y - legendClear; y <= box.Max.Y+legendClear; y += inkStep {
			for x := box.Min.X - legendClear; x <= box.Max.X+legendClear; x += inkStep {
				if inPolygon(vg.Point{X: x, Y: y}, poly) {
					n++
				}
			}
		}
	}
	return n
}

// inPolygon is the even-odd rule.
func inPolygon(q vg.Point, poly []vg.Point) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Y > q.Y) != (b.Y > q.Y) {
			x := a.X + vg.Length(float64(q.Y-a.Y)*float64(b.X-a.X)/float64(b.Y-a.Y))
			if q.X < x {
				in = !in
			}
		}
	}
	return in
}

// legendBackground is drawn under a legend inside the data area so that
// grid lines do not run through its text.
var legendBackground = color.NRGBA{255, 255, 255, 230}

// draw draws the chart on c with its legend where layout puts it.
func (ch *chart) draw(c draw.Canvas) legendPlace {
	pc, lp := ch.layout(c)
	leg := ch.p.Legend
	ch.p.Legend = plot.NewLegend()
	ch.p.Legend.TextStyle = leg.TextStyle
	ch.p.Draw(pc)
	ch.p.Legend = leg
	if len(ch.names) == 0 {
		return lp
	}
	if !lp.Outside {
		bg := vg.Rectangle{Min: vg.Point{X: lp.Box.Min.X - legendClear, Y: lp.Box.Min.Y - legendClear},
			Max: vg.Point{X: lp.Box.Max.X + legendClear, Y: lp.Box.Max.Y + legendClear}}
		c.SetColor(legendBackground)
		c.Fill(bg.Path())
	}
	leg.Top, leg.Left, leg.XOffs, leg.YOffs = true, lp.Left, 0, 0
	leg.Draw(draw.Canvas{Canvas: c.Canvas, Rectangle: lp.Box})
	return lp
}
