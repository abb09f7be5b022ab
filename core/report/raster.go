package report

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/isingrbm/isingrbm/core/npy"
	"io"
)

var (
	textColour = color.RGBA{0, 0, 0, 255}
	gapColour  = color.RGBA{200, 200, 200, 255}
	face       = basicfont.Face7x13
)

const (
	textH   = 13 // line height of face
	textW   = 7  // advance of face
	margin  = 6
	barW    = 18 // colour bar width in pixels
	tickLen = 4
)

// GridOptions control FieldGrid.
type GridOptions struct {
	Cols   int     // tiles per row; <= 0 means ceil(sqrt(n))
	Scale  int     // pixels per lattice site; <= 0 chooses 1..6 so the grid is about 1200 px wide
	Gap    int     // pixels between tiles; < 0 means 0, 0 means 2
	MaxAbs float64 // colour scale [-MaxAbs, MaxAbs]; <= 0 means the max |w| over the whole grid
	Title  string  // drawn above the grid, if not empty
	// BarLabel says what the colours mean; it is written upwards beside
	// the colour bar, right of its tick labels. Empty means
	// DefaultBarLabel.
	BarLabel string
	// TileLabels, if not nil, holds one short label per field (e.g.
	// "PR 12.3"), written centred under its tile; an empty string leaves
	// its tile unlabelled. A label wider than a tile widens every column
	// to the widest label (GridInfo.StepX), so that no label is cut or
	// runs into its neighbour's; one longer than MaxTileLabel characters
	// is refused.
	TileLabels []string
}

// DefaultBarLabel is the colour bar's label when GridOptions.BarLabel is
// empty: the fields' values w on the grid's one symmetric scale.
const DefaultBarLabel = "w (one symmetric scale)"

// MaxTileLabel is the longest tile label FieldGrid accepts, in characters
// (7 pixels each).
const MaxTileLabel = 16

// GridInfo describes a drawn grid, for captions and tests.
type GridInfo struct {
	Width, Height int     // image size in pixels
	Cols, Rows    int     // tiles per row, rows of tiles
	Scale         int     // pixels per lattice site
	Tile          int     // tile side in pixels (L*Scale)
	StepX, StepY  int     // pixels between the origins of neighbouring tiles
	MaxAbs        float64 // colour scale used (1 for grey grids)
	OriginX       int     // pixel of tile 0's site (0, 0)
	OriginY       int
	BarX, BarY    int // top-left of the colour bar (+MaxAbs at the top); BarH 0 if none
	BarH          int
	// BarLabel is the box of the colour bar's label (FieldGrid; written
	// upwards, so it is textH pixels wide).
	BarLabel image.Rectangle
	// LabelH is the height of the row under every tile that holds its
	// label (0 without tile labels), and Labels[k] the box of tile k's
	// label text (empty for an empty label; nil without tile labels).
	LabelH int
	Labels []image.Rectangle
}

// TileOrigin returns the top-left pixel of tile k (row-major over the grid; for
// ReconstructionGrid, k = row*Cols + column).
func (g GridInfo) TileOrigin(k int) (x, y int) {
	return g.OriginX + (k%g.Cols)*g.StepX, g.OriginY + (k/g.Cols)*g.StepY
}

// FieldGrid writes a PNG with one L x L tile per field (fields[k][y*L+x]), upscaled, on the
// diverging blue-white-red map with one symmetric scale for the whole grid, and a colour bar
// with tick labels at -max, -max/2, 0, max/2, max and its label (opt.BarLabel) on the right;
// with opt.TileLabels, each tile's label under it. The file is written atomically.
func FieldGrid(path string, fields [][]float64, L int, opt GridOptions) (GridInfo, error) {
	if L <= 0 || len(fields) == 0 {
		return GridInfo{}, fmt.Errorf("FieldGrid: %s: %d fields of L = %d, want at least one field and L > 0", path, len(fields), L)
	}
	if opt.TileLabels != nil && len(opt.TileLabels) != len(fields) {
		return GridInfo{}, fmt.Errorf("FieldGrid: %s: %d tile labels for %d fields, want one per field", path, len(opt.TileLabels), len(fields))
	}
	labelW := 0 // the widest tile label, in pixels
	for k, s := range opt.TileLabels {
		if n := utf8.RuneCountInString(s); n > MaxTileLabel {
			return GridInfo{}, fmt.Errorf("FieldGrid: %s: tile label %d %q has %d characters, want at most %d", path, k, s, n, MaxTileLabel)
		}
		labelW = max(labelW, textWidth(s))
	}
	barLabel := opt.BarLabel
	if barLabel == "" {
		barLabel = DefaultBarLabel
	}
	maxAbs := opt.MaxAbs
	for k, f := range fields {
		if len(f) != L*L {
			return GridInfo{}, fmt.Errorf("FieldGrid: %s: field %d has %d values, want L*L = %d", path, k, len(f), L*L)
		}
		if opt.MaxAbs <= 0 {
			for _, v := range f {
				if a := math.Abs(v); a > maxAbs {
					maxAbs = a
				}
			}
		}
	}
	g := layout(len(fields), L, opt)
	g.MaxAbs = maxAbs
	colW := g.Tile // a column's width: the tile's, or the widest label's
	if opt.TileLabels != nil {
		colW = max(g.Tile, labelW)
		g.LabelH = textH + 2
		g.StepX += colW - g.Tile
		g.StepY += g.LabelH
	}
	tickLabels := []float64{maxAbs, maxAbs / 2, 0, -maxAbs / 2, -maxAbs}
	tickW := 0
	for _, t := range tickLabels {
		tickW = max(tickW, textWidth(tickText(t)))
	}
	gridW := g.Cols*g.StepX - (g.StepX - colW)
	gridH := g.Rows*g.StepY - (g.StepY - g.Tile - g.LabelH)
	top := margin
	if opt.Title != "" {
		top += textH + margin
	}
	g.OriginX, g.OriginY = margin, top
	g.BarX = margin + gridW + 3*margin
	g.BarY = top + textH/2
	g.BarH = max(gridH-textH, 60, textWidth(barLabel))
	labelX := g.BarX + barW + tickLen + 3 + tickW + margin
	g.BarLabel = image.Rect(labelX, g.BarY+(g.BarH-textWidth(barLabel))/2, labelX+textH, g.BarY+(g.BarH+textWidth(barLabel))/2)
	g.Width = labelX + textH + margin
	g.Height = max(top+gridH, g.BarY+g.BarH+textH/2) + margin
	img := image.NewRGBA(image.Rect(0, 0, g.Width, g.Height))
	draw.Draw(img, img.Bounds(), image.NewUniform(white), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(g.OriginX, g.OriginY, g.OriginX+gridW, g.OriginY+gridH), image.NewUniform(gapColour), image.Point{}, draw.Src)
	if opt.Title != "" {
		drawText(img, margin, margin+textH-3, opt.Title)
	}
	for k, f := range fields {
		ox, oy := g.TileOrigin(k)
		for y := 0; y < L; y++ {
			for x := 0; x < L; x++ {
				fillRect(img, ox+x*g.Scale, oy+y*g.Scale, g.Scale, g.Scale, Diverging(f[y*L+x], maxAbs))
			}
		}
	}
	if opt.TileLabels != nil {
		// Each label on a white row under its tile, centred in its column.
		g.Labels = make([]image.Rectangle, len(fields))
		for k, s := range opt.TileLabels {
			ox, oy := g.TileOrigin(k)
			fillRect(img, ox, oy+g.Tile, colW, g.LabelH, white)
			if s == "" {
				continue
			}
			w := textWidth(s)
			x, y := ox+(colW-w)/2, oy+g.Tile+2
			drawText(img, x, y+textH-3, s)
			g.Labels[k] = image.Rect(x, y, x+w, y+textH)
		}
	}
	// Colour bar: top = +max, bottom = -max.
	for py := 0; py < g.BarH; py++ {
		v := maxAbs * (1 - 2*float64(py)/float64(g.BarH-1))
		fillRect(img, g.BarX, g.BarY+py, barW, 1, Diverging(v, maxAbs))
	}
	strokeRect(img, g.BarX-1, g.BarY-1, barW+2, g.BarH+2, textColour)
	for i, t := range tickLabels {
		py := g.BarY + int(math.Round(float64(i)*float64(g.BarH-1)/4))
		fillRect(img, g.BarX+barW, py, tickLen, 1, textColour)
		drawText(img, g.BarX+barW+tickLen+3, py+4, tickText(t))
	}
	drawTextUp(img, g.BarLabel.Min.X, g.BarLabel.Max.Y, barLabel)
	return g, writePNG(path, img)
}

// textWidth is the width of s in pixels.
func textWidth(s string) int { return utf8.RuneCountInString(s) * textW }

// drawTextUp draws s turned a quarter turn anticlockwise, reading upwards:
// its first character's lower left corner at (x, y), the tops of the
// letters towards x, in a column textH pixels wide from x.
func drawTextUp(img *image.RGBA, x, y int, s string) {
	w := textWidth(s)
	if w == 0 {
		return
	}
	tmp := image.NewAlpha(image.Rect(0, 0, w, textH))
	d := font.Drawer{Dst: tmp, Src: image.Opaque, Face: face, Dot: fixed.P(0, textH-3)}
	d.DrawString(s)
	for ty := 0; ty < textH; ty++ {
		for tx := 0; tx < w; tx++ {
			if tmp.AlphaAt(tx, ty).A >= 128 {
				img.SetRGBA(x+ty, y-1-tx, textColour)
			}
		}
	}
}

func layout(n, L int, opt GridOptions) GridInfo {
	cols := opt.Cols
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(n))))
	}
	cols = min(cols, n)
	gap := opt.Gap
	switch {
	case gap < 0:
		gap = 0
	case gap == 0:
		gap = 2
	}
	scale := opt.Scale
	if scale <= 0 {
		scale = max(1, min(6, 1200/(cols*L)))
	}
	return GridInfo{Cols: cols, Rows: (n + cols - 1) / cols, Scale: scale, Tile: L * scale, StepX: L*scale + gap, StepY: L*scale + gap}
}

func tickText(v float64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%+.3g", v)
}

// ReconstructionGrid writes a PNG of grey L x L images, one row per sample and one column per
// entry of rows[r] (original first, then reconstructions), spin up (probability 1) white, down
// black; labels, if given, head the columns. scale <= 0 means 3 pixels per site.
func ReconstructionGrid(path string, rows [][][]float32, L int, labels []string, scale int) (GridInfo, error) {
	if L <= 0 || len(rows) == 0 || len(rows[0]) == 0 {
		return GridInfo{}, fmt.Errorf("ReconstructionGrid: %s: %d rows, L = %d; want at least one image and L > 0", path, len(rows), L)
	}
	cols := len(rows[0])
	for r, row := range rows {
		if len(row) != cols {
			return GridInfo{}, fmt.Errorf("ReconstructionGrid: %s: row %d has %d images, want %d", path, r, len(row), cols)
		}
		for c, im := range row {
			if len(im) != L*L {
				return GridInfo{}, fmt.Errorf("ReconstructionGrid: %s: row %d image %d has %d values, want %d", path, r, c, len(im), L*L)
			}
		}
	}
	if scale <= 0 {
		scale = 3
	}
	tile := L * scale
	gap := 4
	labelRows := 0
	if len(labels) > 0 {
		labelRows = 1
	}
	colW := tile
	for _, s := range labels {
		colW = max(colW, len(s)*textW)
	}
	g := GridInfo{Cols: cols, Rows: len(rows), Scale: scale, Tile: tile, StepX: colW + gap, StepY: tile + gap, MaxAbs: 1}
	g.OriginX = margin
	g.OriginY = margin + labelRows*(textH+margin)
	g.Width = 2*margin + cols*g.StepX - gap
	g.Height = g.OriginY + len(rows)*g.StepY - gap + margin
	img := image.NewRGBA(image.Rect(0, 0, g.Width, g.Height))
	draw.Draw(img, img.Bounds(), image.NewUniform(white), image.Point{}, draw.Src)
	for c, s := range labels {
		if c < cols {
			drawText(img, g.OriginX+c*g.StepX, margin+textH-3, s)
		}
	}
	for r, row := range rows {
		for c, im := range row {
			ox, oy := g.TileOrigin(r*cols + c)
			for y := 0; y < L; y++ {
				for x := 0; x < L; x++ {
					fillRect(img, ox+x*scale, oy+y*scale, scale, scale, Grey(float64(im[y*L+x])))
				}
			}
			strokeRect(img, ox-1, oy-1, tile+2, tile+2, gapColour)
		}
	}
	return g, writePNG(path, img)
}

func fillRect(img *image.RGBA, x, y, w, h int, c color.RGBA) {
	draw.Draw(img, image.Rect(x, y, x+w, y+h), image.NewUniform(c), image.Point{}, draw.Src)
}

func strokeRect(img *image.RGBA, x, y, w, h int, c color.RGBA) {
	fillRect(img, x, y, w, 1, c)
	fillRect(img, x, y+h-1, w, 1, c)
	fillRect(img, x, y, 1, h, c)
	fillRect(img, x+w-1, y, 1, h, c)
}

// drawText draws s with its baseline at y.
func drawText(img *image.RGBA, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(textColour), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// writePNG encodes img to path atomically (see npy.WriteFileAtomic).
func writePNG(path string, img image.Image) error {
	return npy.WriteFileAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}
