package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/plotutil"

	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"github.com/isingrbm/isingrbm/core/analysis"
)

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func rgba(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

func TestDiverging(t *testing.T) {
	if Diverging(2, 2) != posEnd || Diverging(-2, 2) != negEnd || Diverging(0, 2) != white {
		t.Error("endpoints")
	}
	if Diverging(5, 2) != posEnd || Diverging(-5, 2) != negEnd || Diverging(1, 0) != white {
		t.Error("saturation / zero scale")
	}
	h := Diverging(1, 2) // half way to posEnd
	if h.R != 218 || h.G != 130 || h.B != 147 {
		t.Errorf("half positive %v", h)
	}
	if Grey(1) != white || Grey(0) != (color.RGBA{0, 0, 0, 255}) || Grey(0.5).R != 128 {
		t.Error("grey")
	}
}

func TestFieldGridPixels(t *testing.T) {
	dir := t.TempDir()
	L := 5
	fields := make([][]float64, 3)
	for k := range fields {
		fields[k] = make([]float64, L*L)
	}
	fields[0][1*L+2] = 0.8  // (2,1) tile 0: max positive
	fields[1][4*L+0] = -0.8 // (0,4) tile 1: max negative
	fields[2][2*L+3] = 0.2  // (3,2) tile 2: quarter
	path := filepath.Join(dir, "grid.png")
	g, err := FieldGrid(path, fields, L, GridOptions{Cols: 2, Scale: 4, Title: "test grid"})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, path)
	if b := img.Bounds(); b.Dx() != g.Width || b.Dy() != g.Height {
		t.Fatalf("size %v, info %dx%d", b, g.Width, g.Height)
	}
	if g.MaxAbs != 0.8 || g.Cols != 2 || g.Rows != 2 || g.Tile != 20 {
		t.Errorf("info %+v", g)
	}
	at := func(k, x, y int) color.RGBA {
		ox, oy := g.TileOrigin(k)
		return rgba(img.At(ox+x*g.Scale+g.Scale/2, oy+y*g.Scale+g.Scale/2))
	}
	if c := at(0, 2, 1); c != posEnd {
		t.Errorf("positive site %v, want %v", c, posEnd)
	}
	if c := at(1, 0, 4); c != negEnd {
		t.Errorf("negative site %v, want %v", c, negEnd)
	}
	if c := at(0, 0, 0); c != white {
		t.Errorf("zero site %v, want white", c)
	}
	if c, w := at(2, 3, 2), Diverging(0.2, 0.8); c != w {
		t.Errorf("quarter site %v, want %v", c, w)
	}
	// Colour bar: top +max, bottom -max, middle white; tick labels drawn to its right.
	bx := g.BarX + barW/2
	if c := rgba(img.At(bx, g.BarY)); c != posEnd {
		t.Errorf("bar top %v", c)
	}
	if c := rgba(img.At(bx, g.BarY+g.BarH-1)); c != negEnd {
		t.Errorf("bar bottom %v", c)
	}
	if c := rgba(img.At(bx, g.BarY+(g.BarH-1)/2)); c.R < 245 || c.G < 245 || c.B < 245 {
		t.Errorf("bar middle %v, want near white", c)
	}
	dark := 0
	for y := 0; y < g.Height; y++ {
		for x := g.BarX + barW + tickLen + 1; x < g.Width; x++ {
			if c := rgba(img.At(x, y)); c.R < 100 && c.G < 100 && c.B < 100 {
				dark++
			}
		}
	}
	if dark < 50 {
		t.Errorf("%d dark pixels right of the colour bar, want tick labels", dark)
	}
	if _, err := FieldGrid(path, [][]float64{{1, 2}}, L, GridOptions{}); err == nil {
		t.Error("accepted a field of the wrong length")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

func TestReconstructionGridPixels(t *testing.T) {
	dir := t.TempDir()
	L := 4
	orig := make([]float32, L*L)
	rec := make([]float32, L*L)
	for i := range orig {
		orig[i] = float32(i % 2)
		rec[i] = 0.5
	}
	path := filepath.Join(dir, "rec.png")
	g, err := ReconstructionGrid(path, [][][]float32{{orig, rec}, {rec, orig}}, L, []string{"original", "depth 1"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, path)
	if b := img.Bounds(); b.Dx() != g.Width || b.Dy() != g.Height {
		t.Fatalf("size %v, info %+v", b, g)
	}
	at := func(k, x, y int) color.RGBA {
		ox, oy := g.TileOrigin(k)
		return rgba(img.At(ox+x*g.Scale+2, oy+y*g.Scale+2))
	}
	if at(0, 1, 0) != white || at(0, 0, 0) != (color.RGBA{0, 0, 0, 255}) || at(1, 2, 3).R != 128 || at(3, 1, 2) != white {
		t.Errorf("pixels %v %v %v %v", at(0, 1, 0), at(0, 0, 0), at(1, 2, 3), at(3, 1, 2))
	}
	if _, err := ReconstructionGrid(path, [][][]float32{{orig}, {orig, rec}}, L, nil, 0); err == nil {
		t.Error("accepted ragged rows")
	}
}

// colourful counts pixels that are neither white nor grey (saturated colours of the curves).
func colourful(img image.Image) (coloured, nonWhite int) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := rgba(img.At(x, y))
			if c.R != 255 || c.G != 255 || c.B != 255 {
				nonWhite++
			}
			mx := max(c.R, c.G, c.B)
			mn := min(c.R, c.G, c.B)
			if int(mx)-int(mn) > 60 {
				coloured++
			}
		}
	}
	return
}

func TestCharts(t *testing.T) {
	dir := t.TempDir()
	x := []float64{1, 2, 5, 10, 20, 50, 100}
	y1 := []float64{0.5, 0.3, 0.2, 0.1, 0.05, math.NaN(), 0.01}
	y2 := []float64{0.6, 0.5, 0.45, 0.4, 0.38, 0.37, 0}
	p := filepath.Join(dir, "train.png")
	dropped, err := LineChart(p, ChartSpec{Title: "training", XLabel: "epoch", YLabel: "error", LogX: true, LogY: true},
		[]analysis.Series{{Name: "recon", X: x, Y: y1}, {Name: "pl", X: x, Y: y2}})
	if err != nil {
		t.Fatal(err)
	}
	if dropped != 2 {
		t.Errorf("dropped %d points, want 2 (one NaN, one zero on a log axis)", dropped)
	}
	img := decode(t, p)
	if c, _ := colourful(img); c < 200 {
		t.Errorf("%d coloured pixels in the training chart", c)
	}
	p = filepath.Join(dir, "flow.png")
	_, err = RGFlowChart(p, ChartSpec{Title: "flow"}, []analysis.Series{
		{Name: "0 steps", X: []float64{0.3, 0.4, 0.5}, Y: []float64{0.3, 0.4, 0.5}},
		{Name: "1 step", X: []float64{0.3, 0.4, 0.5}, Y: []float64{0.36, 0.43, 0.47}}}, exact.Kc)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := colourful(decode(t, p)); c < 100 {
		t.Errorf("%d coloured pixels in the flow chart", c)
	}
	p = filepath.Join(dir, "hist.png")
	g := rng.New(1)
	var model, noise []float64
	for i := 0; i < 400; i++ {
		model = append(model, 3+2*g.NormFloat64())
		noise = append(noise, 530+20*g.NormFloat64())
	}
	if err := HistogramChart(p, ChartSpec{Title: "PR", XLabel: "participation ratio"}, model, noise, 40, 0, 0); err != nil {
		t.Fatal(err)
	}
	if c, _ := colourful(decode(t, p)); c < 100 {
		t.Errorf("%d coloured pixels in the histogram", c)
	}
	if _, err := LineChart(p, ChartSpec{}, []analysis.Series{{Name: "bad", X: x, Y: y1[:2]}}); err == nil {
		t.Error("accepted a series with len(X) != len(Y)")
	}
}

func TestWriteHTML(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.png"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := Report{Title: "R & <D>", Sections: []Section{{
		Title:   "S1",
		Text:    "first <script>alert(1)</script>\n\nsecond",
		Figures: []Figure{{File: "a.png", Caption: `caption "q" <b>`}},
		Tables:  []Table{{Caption: "t", Header: []string{"a", "b"}, Rows: [][]string{{"1", "<2>"}}}},
	}, {Title: "S2"}}}
	if err := WriteHTML(dir, r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"R &amp; &lt;D&gt;", "&lt;script&gt;", `<img src="a.png"`, "<p>second</p>", "<td>&lt;2&gt;</td>", `href="#s1"`} {
		if !strings.Contains(s, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>", "http://", "https://", "<link"} {
		if strings.Contains(s, bad) {
			t.Errorf("index.html contains %q", bad)
		}
	}
	for _, f := range []string{"/etc/a.png", "../a.png", "missing.png", "http://x/a.png"} {
		r2 := Report{Sections: []Section{{Figures: []Figure{{File: f}}}}}
		if err := WriteHTML(dir, r2); err == nil {
			t.Errorf("accepted figure %q", f)
		}
	}
	// Files that exist but whose names a browser would read as another URL:
	// "a b#x?.png" as "a b", "e%41.png" as "eA.png", "c:d.png" as a scheme.
	for _, f := range []string{"a b#x?.png", "e%41.png", "c:d.png", "q?.png", "é.png"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		r2 := Report{Sections: []Section{{Figures: []Figure{{File: f}}}}}
		if err := WriteHTML(dir, r2); err == nil || !strings.Contains(err.Error(), "letters, digits") {
			t.Errorf("figure %q: %v, want a refusal of its name", f, err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "erf_a-b_l1+2,x=1.png"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(dir, Report{Sections: []Section{{Figures: []Figure{{File: "sub/erf_a-b_l1+2,x=1.png"}}}}}); err != nil {
		t.Errorf("refused a safe figure name: %v", err)
	}
	r3 := Report{Sections: []Section{{Tables: []Table{{Header: []string{"a"}, Rows: [][]string{{"1", "2"}}}}}}}
	if err := WriteHTML(dir, r3); err == nil {
		t.Error("accepted a row wider than its header")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// TestHTMLInChromium builds the demo report and renders it with headless chromium, if installed,
// checking that the screenshot is not blank and shows the field grid's colours.
func TestHTMLInChromium(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		// .ci/run installs chromium and sets the variable, so that CI
		// cannot pass this test by skipping it.
		if os.Getenv("ISINGRBM_REQUIRE_CHROMIUM") == "1" {
			t.Fatal("ISINGRBM_REQUIRE_CHROMIUM=1 but no chromium on PATH (apt-get install chromium)")
		}
		t.Skip("no chromium on PATH (apt-get install chromium): cannot check rendering in a browser (ISINGRBM_REQUIRE_CHROMIUM=1 makes this a failure)")
	}
	dir := os.Getenv("ISINGRBM_REPORT_DEMO")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeDemo(dir); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "screenshot.png")
	prof := t.TempDir()
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--user-data-dir="+prof, "--screenshot="+shot, "--window-size=1200,2000",
		"file://"+filepath.Join(dir, "index.html"))
	dieWithParent(cmd)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chromium: %v\n%s", err, out.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("chromium did not finish in 60 s\n%s", out.String())
	}
	img := decode(t, shot)
	coloured, nonWhite := colourful(img)
	b := img.Bounds()
	if b.Dx() != 1200 || b.Dy() != 2000 {
		t.Errorf("screenshot %v, want 1200x2000", b)
	}
	total := b.Dx() * b.Dy()
	t.Logf("screenshot %s: %.1f%% non-white, %.1f%% coloured", shot, 100*float64(nonWhite)/float64(total), 100*float64(coloured)/float64(total))
	if nonWhite < total/50 || coloured < total/200 {
		t.Errorf("screenshot looks blank: %d non-white, %d coloured of %d pixels", nonWhite, coloured, total)
	}
}

func TestNumbers(t *testing.T) {
	cases := map[string]string{
		NumErr(-1.234567, 0.0123): "-1.235 ± 0.012",
		NumErr(532.4, 21.8):       "532 ± 22",
		NumErr(0.5, 0):            "0.5 ± 0",
		Num(math.NaN()):           "NaN",
		Num(1234.5):               "1234",
		Num(-2690.4):              "-2690",
		Num(999.4):                "999",
		Num(999.6):                "1000",
		Num(999999.4):             "999999",
		Num(9999999.4):            "9999999",
		Num(1e7):                  "1e+07",
		Num(1.5e7):                "1.5e+07",
		Num(0.000123):             "0.000123",
		Num(1.23e-5):              "1.23e-05",
		Num(math.Inf(-1)):         "-Inf",
		Num4(1234.5):              "1234",
		Num4(12345.6):             "12346",
		Num4(-0.5):                "-0.5",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	row := SummaryRow("PR", analysis.Summarize([]float64{1, 2, 3}))
	if len(row) != len(SummaryHeader("x")) || row[5] != "2" {
		t.Errorf("row %v", row)
	}
}

// TestChartPairs: with Pairs, series 2i and 2i+1 share plotutil.Color(i),
// so four series use two colours; without it they use four.
func TestChartPairs(t *testing.T) {
	dir := t.TempDir()
	x := []float64{0, 1, 2, 3, 4, 5}
	var series []analysis.Series
	for i := range 4 {
		y := make([]float64, len(x))
		for j := range y {
			y[j] = float64(i) + 0.1*float64(j)
		}
		series = append(series, analysis.Series{Name: fmt.Sprint("s", i), X: x, Y: y})
	}
	count := func(pairs bool) [4]int {
		p := filepath.Join(dir, fmt.Sprint(pairs, ".png"))
		if _, err := LineChart(p, ChartSpec{Title: "pairs", Pairs: pairs}, series); err != nil {
			t.Fatal(err)
		}
		return paletteCounts(decode(t, p))
	}
	if n := count(false); n[0] < 50 || n[1] < 50 || n[2] < 50 || n[3] < 50 {
		t.Errorf("without Pairs, pixels of colours 0-3: %v, want each used", n)
	}
	if n := count(true); n[0] < 100 || n[1] < 100 || n[2] != 0 || n[3] != 0 {
		t.Errorf("with Pairs, pixels of colours 0-3: %v, want only colours 0 and 1", n)
	}
}

// TestBoxChartColours: boxes with one Colour key share a fill colour, boxes
// without one get their own.
func TestBoxChartColours(t *testing.T) {
	vals := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	count := func(groups []BoxGroup) [4]int {
		p := filepath.Join(t.TempDir(), "box.png")
		if err := BoxChart(p, ChartSpec{Title: "boxes"}, groups); err != nil {
			t.Fatal(err)
		}
		return paletteCounts(decode(t, p))
	}
	if n := count([]BoxGroup{{Name: "a1", Values: vals, Colour: "a"}, {Name: "a2", Values: vals, Colour: "a"}, {Name: "b1", Values: vals, Colour: "b"}, {Name: "b2", Values: vals, Colour: "b"}}); n[0] == 0 || n[1] == 0 || n[2] != 0 || n[3] != 0 {
		t.Errorf("two keys, pixels of colours 0-3: %v, want only 0 and 1", n)
	}
	if n := count([]BoxGroup{{Name: "a1", Values: vals, Colour: ""}, {Name: "a2", Values: vals, Colour: ""}, {Name: "b1", Values: vals, Colour: ""}, {Name: "b2", Values: vals, Colour: ""}}); n[0] == 0 || n[1] == 0 || n[2] == 0 || n[3] == 0 {
		t.Errorf("no keys, pixels of colours 0-3: %v, want all four", n)
	}
}

// paletteCounts counts the pixels of img that have exactly the colours
// plotutil.Color(0..3).
func paletteCounts(img image.Image) (n [4]int) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := rgba(img.At(x, y))
			for i := range n {
				if c == rgba(plotutil.Color(i)) {
					n[i]++
				}
			}
		}
	}
	return n
}

// TestLogTicks: a log axis is labelled at every 1..9 x 10^k within one
// decade, at 1, 2 and 5 up to three, and at powers of ten beyond; the
// unlabelled marks fill in 1..9 x 10^k.
func TestLogTicks(t *testing.T) {
	for _, c := range []struct {
		min, max float64
		labels   string
		marks    int
	}{
		{77, 108, "80 90 100", 3},
		{30, 60, "30 40 50 60", 4},
		{1, 560, "1 2 5 10 20 50 100 200 500", 23},
		{1e-3, 1e3, "0.001 0.01 0.1 1 10 100 1000", 55},
		{0.2, 0.3, "0.2 0.3", 2},
	} {
		var labels []string
		ticks := logTicks{}.Ticks(c.min, c.max)
		for _, tk := range ticks {
			if tk.Value < c.min*(1-1e-9) || tk.Value > c.max*(1+1e-9) {
				t.Errorf("[%g, %g]: tick %g outside", c.min, c.max, tk.Value)
			}
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != c.labels || len(ticks) != c.marks {
			t.Errorf("[%g, %g]: labels %q and %d marks, want %q and %d", c.min, c.max, got, len(ticks), c.labels, c.marks)
		}
	}
	if ticks := (logTicks{}).Ticks(0, 1); ticks != nil {
		t.Errorf("[0, 1]: %v, want none", ticks)
	}
}
