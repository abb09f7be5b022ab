package bitlattice

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/bitlattice/exact"
)

func TestNewReport(t *testing.T) {
	o := Options{L: 8, K: 0.3, N: 100, Seed: 7, Threads: 2}
	res := &Result{Energy: -0.6, EnergyErr: 0.01, AbsM: 0.4, TauEnergy: 1.5, Impl: "go", Replicas: 100, TotalSweeps: 9}
	r := NewReport(o, "x.npy", res)
	u := exact.Energy(8, 0.3)
	if float64(r.ExactEnergy) != u || float64(r.Deviation) != (-0.6-u)/0.01 || r.File != "x.npy" || r.Seed != 7 || r.Threads != 2 {
		t.Fatalf("report %+v", r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"L":8`, `"beta":0.3`, `"n":100`, `"deviation_sigma":`, `"exact_specific_heat":`,
		`"tau_int_energy":1.5`, `"kernel_flips_per_ns":`, `"kernel":"go"`, `"total_sweeps":9`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
	res.EnergyErr = 0
	if r := NewReport(o, "", res); r.Deviation != 0 {
		t.Errorf("deviation without an error bar: %v", r.Deviation)
	}
}

func TestMemoryEstimate(t *testing.T) {
	m := MemoryEstimate(40, 20000, 0)
	if m.Replicas != DefaultReplicas(20000) || m.Samples != 20000*1600 {
		t.Fatalf("%+v", m)
	}
	if want := float64((m.Replicas+255)/256*256) * 1600 / 4; m.Lattices != want || m.Total() != m.Samples+want {
		t.Fatalf("%+v, lattices want %v", m, want)
	}
	if m := MemoryEstimate(4, 1, 1); m.Lattices != 256*16/4 || m.Samples != 16 {
		t.Fatalf("%+v", m)
	}
	if m := MemoryEstimate(1<<15, math.MaxInt32, 0); !(m.Total() > 1<<50) {
		t.Fatalf("%+v", m)
	}
}
