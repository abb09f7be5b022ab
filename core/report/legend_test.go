package report

import (
	"image"
	"math"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/isingrbm/isingrbm/core/analysis"
)

// chartCanvas is a canvas of the chart's size.
func chartCanvas(t *testing.T, spec ChartSpec) draw.Canvas {
	t.Helper()
	w, h := spec.size()
	c, err := draw.NewFormattedCanvas(w, h, "png")
	if err != nil {
		t.Fatal(err)
	}
	return draw.New(c)
}

// inBox says whether canvas point q lies within margin of box.
func inBox(q vg.Point, box vg.Rectangle, margin vg.Length) bool {
	return q.X >= box.Min.X-margin && q.X <= box.Max.X+margin && q.Y >= box.Min.Y-margin && q.Y <= box.Max.Y+margin
}

// TestLegendAvoidsData: with data in three corners, the legend goes to the
// free one and covers no point and no part of a line; with data
// everywhere it goes outside the data area; and the box it reports is
// where its text is drawn.
func TestLegendAvoidsData(t *testing.T) {
	spec := ChartSpec{Title: "corners", XLabel: "x", YLabel: "y", Points: true, Width: 14, Height: 10}
	// Top right, top left and bottom right hold points; the first corner
	// tried (top right) is taken, so is the second; bottom left is free.
	series := []analysis.Series{
		{Name: "top", X: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Y: []float64{10, 10, 9.5, 9, 8, 7, 8, 9, 9.5, 10, 10}},
		{Name: "right side", X: []float64{10, 10, 9, 9}, Y: []float64{0, 3, 1, 5}},
		{Name: "a third curve", X: []float64{4, 6}, Y: []float64{2, 2}},
	}
	ch := newChart(spec)
	if _, err := addSeries(ch, series); err != nil {
		t.Fatal(err)
	}
	c := chartCanvas(t, spec)
	pc, lp := ch.layout(c)
	if lp.Outside || lp.Top || !lp.Left {
		t.Fatalf("legend at top %v left %v outside %v, want the free bottom-left corner", lp.Top, lp.Left, lp.Outside)
	}
	dc := ch.p.DataCanvas(pc)
	trX, trY := ch.p.Transforms(&dc)
	for _, s := range series {
		for i := range s.X {
			q := vg.Point{X: trX(s.X[i]), Y: trY(s.Y[i])}
			if inBox(q, lp.Box, 3) {
				t.Errorf("%s point (%v, %v) at %v lies under the legend %v", s.Name, s.X[i], s.Y[i], q, lp.Box)
			}
		}
	}
	for _, sm := range ch.inkSamples(dc) {
		if inBox(sm.p, lp.Box, 0) {
			t.Errorf("a line passes under the legend at %v (box %v)", sm.p, lp.Box)
			break
		}
	}
	if !inBox(lp.Box.Min, dc.Rectangle, 0) || !inBox(lp.Box.Max, dc.Rectangle, 0) {
		t.Errorf("legend %v not inside the data area %v", lp.Box, dc.Rectangle)
	}

	// The legend's text is drawn inside its box: dark pixels there on the
	// saved PNG, none just outside it where there is no data.
	p := filepath.Join(t.TempDir(), "corners.png")
	saved, err := ch.save(p)
	if err != nil {
		t.Fatal(err)
	}
	if saved != lp {
		t.Errorf("saved with legend %+v, layout said %+v", saved, lp)
	}
	img := decode(t, p)
	w, h := spec.size()
	px := func(r vg.Rectangle) image.Rectangle { // canvas points to pixels (y down)
		sx, sy := float64(img.Bounds().Dx())/float64(w), float64(img.Bounds().Dy())/float64(h)
		return image.Rect(int(float64(r.Min.X)*sx), int(float64(h-r.Max.Y)*sy), int(math.Ceil(float64(r.Max.X)*sx)), int(math.Ceil(float64(h-r.Min.Y)*sy)))
	}
	if n := darkIn(img, px(lp.Box)); n < 30 {
		t.Errorf("%d dark pixels in the legend's box, want its text", n)
	}

	// Data everywhere: no free corner, so the legend leaves the data area.
	var xs, ys []float64
	for i := 0; i <= 20; i++ {
		for j := 0; j <= 20; j++ {
			xs, ys = append(xs, float64(i)), append(ys, float64(j))
		}
	}
	ch = newChart(spec)
	if _, err := addSeries(ch, []analysis.Series{{Name: "everywhere", X: xs, Y: ys}}); err != nil {
		t.Fatal(err)
	}
	pc, lp = ch.layout(c)
	dc = ch.p.DataCanvas(pc)
	if !lp.Outside || lp.Box.Min.X < dc.Max.X || lp.Box.Max.X > c.Max.X {
		t.Errorf("data everywhere: legend %+v, data area %v, canvas %v; want it right of the data area, on the canvas", lp, dc.Rectangle, c.Rectangle)
	}
}

// darkIn counts the dark pixels of img in r.
func darkIn(img image.Image, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := rgba(img.At(x, y)); c.R < 100 && c.G < 100 && c.B < 100 {
				n++
			}
		}
	}
	return n
}
