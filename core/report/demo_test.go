package report

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/bitlattice/exact"
	"github.com/isingrbm/isingrbm/core/analysis"
)

// writeDemo writes a report from synthetic data into dir: fields that are localized blobs for
// half the units and noise for the rest, their noise baseline, a synthetic flow and training
// curves, and reconstructions that blur the input.
func writeDemo(dir string) error {
	const L, units = 40, 64
	g := rng.New(2024)
	W := analysis.NewMatrix(L*L, units)
	for j := 0; j < units; j++ {
		cx, cy := g.Intn(L), g.Intn(L)
		amp := 1.0
		if j%3 == 0 {
			amp = -1
		}
		for y := 0; y < L; y++ {
			for x := 0; x < L; x++ {
				w := 0.08 * g.NormFloat64()
				if j%2 == 0 {
					dx := math.Min(math.Abs(float64(x-cx)), float64(L)-math.Abs(float64(x-cx)))
					dy := math.Min(math.Abs(float64(y-cy)), float64(L)-math.Abs(float64(y-cy)))
					w += amp * math.Exp(-(dx*dx+dy*dy)/(2*1.2*1.2))
				}
				W.Data[(y*L+x)*units+j] = float32(w)
			}
		}
	}
	model, noise, err := analysis.LocalityVsNoise(W, L, 2.5, 7)
	if err != nil {
		return err
	}
	if _, err := FieldGridMatrix(filepath.Join(dir, "fields.png"), W, L, GridOptions{Cols: 8, Title: "layer 1 receptive fields (synthetic)"}); err != nil {
		return err
	}
	if _, err := FieldGridMatrix(filepath.Join(dir, "noise.png"), analysis.GaussianLike(W, 7), L, GridOptions{Cols: 8, Title: "Gaussian noise of the same shape"}); err != nil {
		return err
	}
	get := func(l analysis.Locality, f func(analysis.UnitLocality) float64) []float64 {
		out := make([]float64, len(l.Units))
		for i, u := range l.Units {
			out[i] = f(u)
		}
		return out
	}
	pr := func(u analysis.UnitLocality) float64 { return u.PR }
	ds := func(u analysis.UnitLocality) float64 { return u.DiskShare }
	if err := HistogramChart(filepath.Join(dir, "pr.png"), ChartSpec{Title: "participation ratio", XLabel: "PR (sites)"}, get(model, pr), get(noise, pr), 40, 0, 0); err != nil {
		return err
	}
	if err := HistogramChart(filepath.Join(dir, "disk.png"), ChartSpec{Title: "share of w^2 within 2.5 sites of the peak", XLabel: "disk share"}, get(model, ds), get(noise, ds), 40, 0, 1); err != nil {
		return err
	}
	ks := []float64{0.30, 0.35, 0.40, 0.42, 0.44, 0.46, 0.50, 0.55}
	var flow []analysis.Series
	for step := 0; step < 4; step++ {
		s := analysis.Series{Name: fmt.Sprintf("%d steps", step), X: ks}
		for _, k := range ks {
			s.Y = append(s.Y, 0.4407+(k-0.4407)*math.Pow(0.6, float64(step)))
		}
		flow = append(flow, s)
	}
	if _, err := RGFlowChart(filepath.Join(dir, "flow.png"), ChartSpec{Title: "K_eff after repeated reconstruction (synthetic)"}, flow, exact.Kc); err != nil {
		return err
	}
	var ep, rec, pl []float64
	for e := 1; e <= 200; e++ {
		ep = append(ep, float64(e))
		rec = append(rec, 0.1+0.3/math.Sqrt(float64(e)))
		pl = append(pl, 0.2+0.5*math.Exp(-float64(e)/30))
	}
	if _, err := LineChart(filepath.Join(dir, "train.png"), ChartSpec{Title: "training (synthetic)", XLabel: "epoch", YLabel: "per spin", LogX: true},
		[]analysis.Series{{Name: "reconstruction error", X: ep, Y: rec}, {Name: "-pseudo-likelihood / N", X: ep, Y: pl}}); err != nil {
		return err
	}
	var rows [][][]float32
	for r := 0; r < 4; r++ {
		orig := make([]float32, L*L)
		for i := range orig {
			orig[i] = float32(g.Uint64() & 1)
		}
		row := [][]float32{orig}
		for d := 1; d <= 3; d++ {
			p := make([]float32, L*L)
			for i := range p {
				p[i] = float32(0.5 + (float64(orig[i])-0.5)*math.Pow(0.5, float64(d-1)))
			}
			row = append(row, p)
		}
		rows = append(rows, row)
	}
	if _, err := ReconstructionGrid(filepath.Join(dir, "recon.png"), rows, L, []string{"original", "depth 1", "depth 2", "depth 3"}, 3); err != nil {
		return err
	}
	f2 := func(x float64) string { return fmt.Sprintf("%.3g", x) }
	return WriteHTML(dir, Report{
		Title:    "isingrbm report (synthetic demo data)",
		Subtitle: "L = 40, 64 units; half the fields are Gaussian blobs (sigma 1.2 sites) plus noise, half pure noise",
		Sections: []Section{
			{Title: "Receptive fields", Text: "Every tile is one unit's field on the 40 x 40 lattice; one colour scale per grid.",
				Figures: []Figure{{File: "fields.png", Caption: "Synthetic fields, blue negative, red positive, white zero, scale max |w| of the grid."},
					{File: "noise.png", Caption: "Gaussian noise with the RMS of the fields (seed 7)."}}},
			{Title: "Locality", Text: "Participation ratio and disk share (radius 2.5 sites, torus distance) per unit, model against noise.",
				Figures: []Figure{{File: "pr.png", Caption: "Participation ratio distributions, 40 bins."}, {File: "disk.png", Caption: "Disk share distributions, 40 bins on [0, 1]."}},
				Tables: []Table{{Caption: "Medians and quartiles over units.", Header: []string{"measure", "model Q25", "model median", "model Q75", "noise median"},
					Rows: [][]string{
						{"participation ratio", f2(model.PR.Q25), f2(model.PR.Median), f2(model.PR.Q75), f2(noise.PR.Median)},
						{"disk share", f2(model.Disk.Q25), f2(model.Disk.Median), f2(model.Disk.Q75), f2(noise.Disk.Median)},
						{"radius of gyration", f2(model.Rg.Q25), f2(model.Rg.Median), f2(model.Rg.Q75), f2(noise.Rg.Median)},
					}}}},
			{Title: "RG flow", Figures: []Figure{{File: "flow.png", Caption: "Synthetic flow towards K_c (the Iso et al. finding), 0 to 3 steps."}}},
			{Title: "Training", Figures: []Figure{{File: "train.png", Caption: "Synthetic training curves, log epoch axis."}}},
			{Title: "Reconstructions", Figures: []Figure{{File: "recon.png", Caption: "Random configurations (white up, black down) and blurred stand-ins for reconstructions."}}},
		},
	})
}

// FieldGridMatrix draws every column of m (L*L rows, site index y*L+x) as a tile; see FieldGrid.
func FieldGridMatrix(path string, m analysis.Matrix, L int, opt GridOptions) (GridInfo, error) {
	if m.Rows != L*L || len(m.Data) != m.Rows*m.Cols {
		return GridInfo{}, fmt.Errorf("FieldGridMatrix: %s: %d x %d matrix (%d values), want L*L = %d rows", path, m.Rows, m.Cols, len(m.Data), L*L)
	}
	return FieldGrid(path, m.Columns(), L, opt)
}
