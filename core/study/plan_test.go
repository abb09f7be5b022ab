package study

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestWritePlan(t *testing.T) {
	dir := t.TempDir()
	sp := tinySpec()
	sp.Seeds = []uint64{1, 2, 3}
	st, err := New(dir, sp, "")
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := st.WritePlan(&js, true); err != nil {
		t.Fatal(err)
	}
	var p struct {
		Dir    string
		Runs   []RunInfo
		Totals Totals
		Stages []Stage
		Done   []string
	}
	if err := json.Unmarshal(js.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Dir != dir || len(p.Runs) != 6 || p.Totals.Stages != len(p.Stages) || p.Done == nil || len(p.Done) != 0 || p.Totals.CoreHours <= 0 {
		t.Fatalf("plan: dir %s, %d runs, totals %+v, %d stages, done %v", p.Dir, len(p.Runs), p.Totals, len(p.Stages), p.Done)
	}
	kinds := map[string]int{}
	for _, s := range p.Stages {
		kinds[s.Kind]++
		if s.Cores < 1 || s.MemMiB < 1 || len(s.Outputs) == 0 {
			t.Errorf("stage %+v", s)
		}
	}
	// Per seed one sweep stage per sweep coupling, shared by both runs.
	if kinds["sweep"] != 3*2 || kinds["study-report"] != 1 || kinds["train"] != 6*2 {
		t.Errorf("stage kinds %v", kinds)
	}
	var text bytes.Buffer
	if err := st.WritePlan(&text, false); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{"core-hours", p.Stages[0].Key, "outputs: ", "inputs: ", "6 runs", "(0 done)"} {
		if !strings.Contains(out, want) {
			t.Errorf("text plan lacks %q:\n%s", want, out)
		}
	}
	// Writing nothing: a plan only reads.
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("plan wrote %d entries", len(entries))
	}
}

func TestDoneKeys(t *testing.T) {
	g := studyGraph(t.TempDir(), 1)
	if got := DoneKeys(g, g.Stages()); got == nil || len(got) != 0 {
		t.Fatalf("nothing done: %#v", got)
	}
}

func TestFmtSeconds(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want string
	}{{0, "0 s"}, {89.4, "89 s"}, {90, "1.5 min"}, {5399, "90.0 min"}, {5400, "1.5 h"}, {36000, "10.0 h"}} {
		if got := fmtSeconds(c.s); got != c.want {
			t.Errorf("fmtSeconds(%v) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestParseSeeds(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []uint64
	}{{"1", []uint64{1}}, {" 1-3 ", []uint64{1, 2, 3}}, {"7,2, 9", []uint64{7, 2, 9}}, {"0-0", []uint64{0}},
		{"5-1004", nil}, {"18446744073709551614-18446744073709551615", []uint64{1<<64 - 2, 1<<64 - 1}}} {
		got, err := ParseSeeds(c.in)
		if c.want == nil {
			if err != nil || len(got) != MaxSeeds {
				t.Errorf("ParseSeeds(%q): %d seeds, %v", c.in, len(got), err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ParseSeeds(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if back, err := ParseSeeds(FormatSeeds(got)); err != nil || !slices.Equal(back, got) {
			t.Errorf("ParseSeeds(FormatSeeds(%v)) = %v, %v", got, back, err)
		}
	}
	many := strings.Repeat("1,", MaxSeeds) + "1"
	for _, c := range []struct{ in, want string }{
		{"3-1", "lo <= hi"}, {"1-x", "lo <= hi"}, {"-1", "lo <= hi"}, {"1-1001", "at most 1000 seeds"},
		{"1,x", `"x" is not one`}, {"", `"" is not one`}, {"2,2", "seed 2 appears twice"}, {many, "appears twice"},
	} {
		if _, err := ParseSeeds(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSeeds(%.30q): %v, want an error with %q", c.in, err, c.want)
		}
	}
	var list []string
	for i := range MaxSeeds + 1 {
		list = append(list, FormatSeeds([]uint64{uint64(i)}))
	}
	if _, err := ParseSeeds(strings.Join(list, ",")); err == nil || !strings.Contains(err.Error(), "at most 1000 seeds, got 1001") {
		t.Errorf("1001 seeds: %v", err)
	}
	if got := FormatCouplings([]float64{0.3, 0.408, 1e-7}); got != "0.3,0.408,1e-07" {
		t.Errorf("FormatCouplings: %q", got)
	}
}
