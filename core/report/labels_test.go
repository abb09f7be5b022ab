package report

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestFieldGridLabels: tile labels sit in a row under their tiles, centred
// and legible; a label wider than a tile widens the columns so that none
// overlaps its neighbour; a label longer than MaxTileLabel, or a count of
// labels other than the fields', is refused; the colour bar carries its
// label written upwards.
func TestFieldGridLabels(t *testing.T) {
	dir := t.TempDir()
	L := 5
	fields := make([][]float64, 5)
	for k := range fields {
		fields[k] = make([]float64, L*L)
		fields[k][k] = 1
	}
	labels := []string{"PR 12.3", "", "PR 1.5", "x", "PR 560"}
	path := filepath.Join(dir, "labels.png")
	g, err := FieldGrid(path, fields, L, GridOptions{Cols: 3, Scale: 4, TileLabels: labels, BarLabel: "w (one symmetric scale)"})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, path)
	if b := img.Bounds(); b.Dx() != g.Width || b.Dy() != g.Height {
		t.Fatalf("image %v, info %dx%d", b, g.Width, g.Height)
	}
	// "PR 12.3" is 49 pixels, the tiles 20: the columns are 49 wide.
	if g.Tile != 20 || g.LabelH != textH+2 || g.StepX != 49+2 || g.StepY != 20+2+g.LabelH {
		t.Errorf("tile %d, label row %d, steps %d x %d; want 20, %d, 51 x %d", g.Tile, g.LabelH, g.StepX, g.StepY, textH+2, 22+textH+2)
	}
	if want := g.OriginY + 2*g.StepY - 2; g.Height < want+margin {
		t.Errorf("height %d, want room for two rows of tiles and labels (%d + margin)", g.Height, want)
	}
	if len(g.Labels) != len(labels) {
		t.Fatalf("%d label boxes, want %d", len(g.Labels), len(labels))
	}
	for k, s := range labels {
		r := g.Labels[k]
		if s == "" {
			if !r.Empty() {
				t.Errorf("empty label %d has box %v", k, r)
			}
			continue
		}
		ox, oy := g.TileOrigin(k)
		if r.Dx() != len(s)*textW || r.Dy() != textH || r.Min.Y < oy+g.Tile || r.Max.Y > oy+g.Tile+g.LabelH ||
			r.Min.X < ox || r.Max.X > ox+g.StepX-2 {
			t.Errorf("label %d %q: box %v, tile at (%d, %d); want it under its tile, inside its column", k, s, r, ox, oy)
		}
		if c := (r.Min.X + r.Max.X) / 2; abs(c-(ox+(g.StepX-2)/2)) > 1 {
			t.Errorf("label %d: centre %d, column centre %d", k, c, ox+(g.StepX-2)/2)
		}
		if n := darkIn(img, r); n < 5*len(strings.ReplaceAll(s, " ", "")) {
			t.Errorf("label %d %q: %d dark pixels in its box, want its text", k, s, n)
		}
		for j := range k {
			if g.Labels[j].Overlaps(r) {
				t.Errorf("labels %d and %d overlap: %v %v", j, k, g.Labels[j], r)
			}
		}
	}
	// The tiles themselves keep their colours: tile 1's site (1, 0) is red.
	if ox, oy := g.TileOrigin(1); rgba(img.At(ox+1*4+2, oy+2)) != posEnd {
		t.Errorf("tile 1 site (1, 0) %v, want %v", rgba(img.At(ox+6, oy+2)), posEnd)
	}
	// The colour bar's label: upright column beside the ticks, text in it.
	if b := g.BarLabel; b.Dx() != textH || b.Dy() != len("w (one symmetric scale)")*textW || b.Min.X < g.BarX+barW || b.Max.X > g.Width {
		t.Errorf("bar label box %v, bar at x %d, width %d", b, g.BarX, g.Width)
	}
	if n := darkIn(img, g.BarLabel); n < 100 {
		t.Errorf("%d dark pixels in the bar label's box, want its text", n)
	}

	// Without labels the layout is the old one: no label row.
	g0, err := FieldGrid(path, fields, L, GridOptions{Cols: 3, Scale: 4})
	if err != nil {
		t.Fatal(err)
	}
	if g0.LabelH != 0 || g0.Labels != nil || g0.StepX != 22 || g0.StepY != 22 || g0.BarLabel.Empty() {
		t.Errorf("no tile labels: %+v", g0)
	}
	// Refusals.
	if _, err := FieldGrid(path, fields, L, GridOptions{TileLabels: labels[:2]}); err == nil || !strings.Contains(err.Error(), "2 tile labels for 5 fields") {
		t.Errorf("too few labels: err %v", err)
	}
	long := append([]string(nil), labels...)
	long[3] = strings.Repeat("x", MaxTileLabel+1)
	if _, err := FieldGrid(path, fields, L, GridOptions{TileLabels: long}); err == nil || !strings.Contains(err.Error(), "tile label 3") {
		t.Errorf("a label of %d characters: err %v, want refused", MaxTileLabel+1, err)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
