package report

import (
	"math"
	"path/filepath"
	"testing"
)

// TestBoxChartRefs: reference values are drawn as dashed marks at their
// value across their box, share one legend entry per label, and the legend
// covers no box, whisker or mark.
func TestBoxChartRefs(t *testing.T) {
	vals := func(lo, hi float64) []float64 {
		var v []float64
		for i := range 21 {
			v = append(v, lo+float64(float64(i)*(hi-lo)/20))
		}
		return v
	}
	groups := []BoxGroup{
		{Name: "a", Values: vals(10, 90), Refs: []float64{85}, RefLabel: "noise median"},
		{Name: "b", Values: vals(20, 100), Refs: []float64{86, 88}, RefLabel: "noise median"},
		{Name: "c", Values: vals(5, 60), Refs: []float64{math.NaN()}, RefLabel: "noise median"},
		{Name: "d", Values: vals(30, 95)},
	}
	spec := ChartSpec{Title: "boxes", YLabel: "PR", Width: 12, Height: 12}
	ch, err := boxChart(spec, groups)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.names) != 1 || ch.names[0] != "noise median" {
		t.Errorf("legend entries %q, want one: noise median", ch.names)
	}
	c := chartCanvas(t, spec)
	pc, lp := ch.layout(c)
	dc := ch.p.DataCanvas(pc)
	for _, sm := range ch.inkSamples(dc) {
		if inBox(sm.p, lp.Box, sm.pad) {
			t.Errorf("the legend %v covers a box, whisker or mark at %v", lp.Box, sm.p)
			break
		}
	}
	p := filepath.Join(t.TempDir(), "box.png")
	if _, err := ch.save(p); err != nil {
		t.Fatal(err)
	}
	img := decode(t, p)
	w, h := spec.size()
	trX, trY := ch.p.Transforms(&dc)
	sx, sy := float64(img.Bounds().Dx())/float64(w), float64(img.Bounds().Dy())/float64(h)
	// Each mark is dashed: dark along its row across the box's width, with
	// gaps; the first group's mark at 85.
	for _, m := range []struct {
		x, y float64
	}{{0, 85}, {1, 86}, {1, 88}} {
		cx, cy := float64(trX(m.x))*sx, float64(h-trY(m.y))*sy
		dark, runs := 0, 0
		prev := false
		for x := int(cx - float64(refHalfWidth)*sx); x <= int(cx+float64(refHalfWidth)*sx); x++ {
			d := false
			for y := int(cy) - 1; y <= int(cy)+1; y++ {
				if c := rgba(img.At(x, y)); c.R < 80 && c.G < 80 && c.B < 80 {
					d = true
				}
			}
			if d {
				dark++
				if !prev {
					runs++
				}
			}
			prev = d
		}
		if dark < 10 || runs < 2 {
			t.Errorf("mark at (%v, %v): %d dark pixels in %d runs along its row, want a dashed line", m.x, m.y, dark, runs)
		}
	}
	if err := BoxChart(filepath.Join(t.TempDir(), "none.png"), spec, []BoxGroup{{Name: "empty", Values: []float64{math.NaN()}}}); err == nil {
		t.Error("no values: accepted")
	}
}
