package study

import (
	"math"
	"os"
	"path/filepath"
	"strings"
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

// TestReadMeasuresTrainWarned: the eval output's training checks give
// layerN.train_warned 1 or 0 for a checked layer, nothing for an unchecked
// one or an evaluation written before the checks.
func TestReadMeasuresTrainWarned(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, json string
		want       map[string]float64 // absent keys must be absent
	}{
		{"checked", `{"layers":[],"test_layers":[],"training_checks":[{"layer":1,"checked":true,"set":"validation","warned":true,"warning":"w"},
			{"layer":2,"checked":true,"set":"validation","warned":false},{"layer":3,"checked":false,"warned":false}]}`,
			map[string]float64{"layer1.train_warned": 1, "layer2.train_warned": 0}},
		{"before the checks", `{"layers":[],"test_layers":[]}`, map[string]float64{}},
	} {
		path := filepath.Join(dir, "e.json")
		if err := os.WriteFile(path, []byte(c.json), 0o644); err != nil {
			t.Fatal(err)
		}
		m := map[string]float64{}
		if err := readMeasures(path, "eval", m); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, k := range []string{"layer1.train_warned", "layer2.train_warned", "layer3.train_warned"} {
			got, ok := m[k]
			want, wantOK := c.want[k]
			if ok != wantOK || got != want {
				t.Errorf("%s: %s = %v (present %v), want %v (present %v)", c.name, k, got, ok, want, wantOK)
			}
		}
		if d := describe("layer1.train_warned"); !strings.Contains(d, "isingrbm train") {
			t.Errorf("describe: %q", d)
		}
	}
}
