package report

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

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
}

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
}

// TileOrigin returns the top-left pixel of tile k (row-major over the grid; for
// ReconstructionGrid, k = row*Cols + column).
func (g GridInfo) TileOrigin(k int) (x, y int) {
	return g.OriginX + (k%g.Cols)*g.StepX, g.OriginY + (k/g.Cols)*g.StepY
}

// FieldGrid writes a PNG with one L x L tile per field (fields[k][y*L+x]), upscaled, on the
// diverging blue-white-red map with one symmetric scale for the whole grid, and a colour bar
// with tick labels at -max, -max/2, 0, max/2, max on the right. The file is written atomically.
func FieldGrid(path string, fields [][]float64, L int, opt GridOptions) (GridInfo, error) {
	if L <= 0 || len(fields) == 0 {
		return GridInfo{}, fmt.Errorf("FieldGrid: %s: %d fields of L = %d, want at least one field and L > 0", path, len(fields), L)
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
	tickLabels := []float64{maxAbs, maxAbs / 2, 0, -maxAbs / 2, -maxAbs}
	labelW := 0
	for _, t := range tickLabels {
		labelW = max(labelW, len(tickText(t))*textW)
	}
	gridW := g.Cols*g.StepX - (g.StepX - g.Tile)
	gridH := g.Rows*g.StepY - (g.StepY - g.Tile)
	top := margin
	if opt.Title != "" {
		top += textH + margin
	}
	g.OriginX, g.OriginY = margin, top
	g.BarX = margin + gridW + 3*margin
	g.BarY = top + textH/2
	g.BarH = max(gridH-textH, 60)
	g.Width = g.BarX + barW + tickLen + 3 + labelW + margin
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
	return g, writePNG(path, img)
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
