package bitlattice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/asm/ising"
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

func TestSampleContext(t *testing.T) {
	o := Options{L: 8, K: 0.3, N: 50, Seed: 3, Threads: 1}
	want, err := Sample(o)
	if err != nil {
		t.Fatal(err)
	}
	got, err := SampleContext(context.Background(), o)
	if err != nil || !bytes.Equal(got.Configs, want.Configs) || got.Energy != want.Energy {
		t.Fatalf("SampleContext differs from Sample (err %v)", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := Options{L: 32, K: 0.44, N: 200, Seed: 1, Threads: 1}
	start := time.Now()
	if res, err := SampleContext(ctx, big); res != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v, %v", res, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled SampleContext took %v", d)
	}
	// The sampler stops on its own, soon: no goroutine outlives the test
	// (the next tests switch kernels).
	stopped := make(chan struct{})
	go func() { samplers.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled sampler still runs after 10 s")
	}
	if _, err := SampleContext(context.Background(), Options{L: 2, K: 0.3, N: 1}); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("bad options: %v", err)
	}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	if err := WriteTable(&b, nil); err != nil || !strings.Contains(b.String(), "dev/sigma") || strings.Contains(b.String(), "seed") {
		t.Fatalf("empty table %q: %v", b.String(), err)
	}
	b.Reset()
	r := NewReport(Options{L: 8, K: 0.3, N: 10, Seed: 5, Threads: 2, Generator: ising.SFC64}, "f.npy", &Result{Energy: -1, EnergyErr: 0.5, Impl: "avx2"})
	if err := WriteTable(&b, []Report{r}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "0.3000") || !strings.HasSuffix(strings.TrimSpace(lines[1]), "f.npy") ||
		lines[2] != "kernel avx2, generator sfc64, 2 threads, seed 5" || r.Generator != "sfc64" {
		t.Fatalf("table:\n%s", b.String())
	}
}

// TestReportWarning: a report whose time is only a lower bound says so and
// names the way out (one chain per sample, or more equilibration when that
// is already so); above K_c a chain whose m is slower than the spacing is
// named; a report with nothing to say says nothing.
func TestReportWarning(t *testing.T) {
	r := Report{K: Kc, N: 20000, Replicas: 4000, TauOK: true, TauSpacing: 3.5, TauM: 1.6, Spacing: 8, EquilibrationSweeps: 1798}
	if w := r.Warning(); w != "" {
		t.Errorf("TauOK report warns %q", w)
	}
	r.TauOK, r.TauSpacing, r.Spacing = false, 1953.6, 3908
	w := r.Warning()
	for _, want := range []string{"K = 0.4407", "1954 sweeps is a lower bound", "3908 sweeps apart", "-replicas equal to -n"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q does not say %q", w, want)
		}
	}
	r.Replicas, r.EquilibrationSweeps = r.N, 39073
	if w := r.Warning(); !strings.Contains(w, "39073 sweeps of equilibration") || strings.Contains(w, "-replicas") {
		t.Errorf("one sample per chain, time a lower bound: %q, want the equilibration named and no advice already followed", w)
	}
	r = Report{K: 0.45, N: 20000, Replicas: 4000, TauOK: true, TauSpacing: 46.6, TauM: 866.4, Spacing: 94}
	if w := r.Warning(); !strings.Contains(w, "above K_c") || !strings.Contains(w, "tau_int 866.4") {
		t.Errorf("above K_c with m slower than the spacing: %q", w)
	}
	for _, q := range []Report{{K: 0.45, N: 4000, Replicas: 4000, TauOK: true, TauM: 866.4, Spacing: 94},
		{K: 0.6, N: 20000, Replicas: 4000, TauOK: true, TauM: 20, Spacing: 94}} {
		if w := q.Warning(); w != "" {
			t.Errorf("%+v: warns %q", q, w)
		}
	}
}
