package study

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestReadMeasuresLive: a layer without live units (live share 0, a null
// median PR and compact share) still gives its live share, with NaN for
// the other two; an analysis written before the live units gives none.
func TestReadMeasuresLive(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, json string
		want       map[string]float64 // NaN: present as NaN; absent keys must be absent
	}{
		{"none live", `{"layers":[{"layer":1,"participation_ratio":{"median":500},"disk_share":{"median":0.02},"local_fraction_pr":0,"local_fraction_disk":0,"compact_fraction":0,
			"live_fraction":0,"live_participation_ratio":{"median":null},"live_compact_fraction":null}]}`,
			map[string]float64{"layer1.live_fraction": 0, "layer1.live_pr_median": math.NaN(), "layer1.live_compact_fraction": math.NaN()}},
		{"some live", `{"layers":[{"layer":1,"participation_ratio":{"median":50},"disk_share":{"median":0.5},"local_fraction_pr":1,"local_fraction_disk":1,"compact_fraction":0.9,
			"live_fraction":0.5,"live_participation_ratio":{"median":42},"live_compact_fraction":0.75}]}`,
			map[string]float64{"layer1.live_fraction": 0.5, "layer1.live_pr_median": 42, "layer1.live_compact_fraction": 0.75}},
		{"before live units", `{"layers":[{"layer":1,"participation_ratio":{"median":50},"disk_share":{"median":0.5},"local_fraction_pr":1,"local_fraction_disk":1}]}`,
			map[string]float64{}},
	} {
		path := filepath.Join(dir, "a.json")
		if err := os.WriteFile(path, []byte(c.json), 0o644); err != nil {
			t.Fatal(err)
		}
		m := map[string]float64{}
		if err := readMeasures(path, "analyse", m); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, k := range []string{"layer1.live_fraction", "layer1.live_pr_median", "layer1.live_compact_fraction"} {
			got, ok := m[k]
			want, wantOK := c.want[k]
			switch {
			case ok != wantOK:
				t.Errorf("%s: %s present %v, want %v", c.name, k, ok, wantOK)
			case ok && !(got == want || math.IsNaN(got) && math.IsNaN(want)):
				t.Errorf("%s: %s = %v, want %v", c.name, k, got, want)
			}
		}
	}
}
