package exact

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestNewReport(t *testing.T) {
	r := NewReport(8, 0.3)
	if float64(r.Energy) != Energy(8, 0.3) || float64(r.SpecificHeat) != SpecificHeat(8, 0.3) ||
		float64(r.LogZPerSpin) != LogZ(8, 0.3)/64 || float64(r.OnsagerEnergy) != OnsagerEnergy(0.3) {
		t.Fatalf("%+v", r)
	}
	// K = 0: the energy is +0, not -0 (JSON "0", not "-0").
	r = NewReport(4, 0)
	if math.Signbit(float64(r.Energy)) {
		t.Fatalf("energy at K = 0: %v", r.Energy)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"L":4`, `"beta":0`, `"energy":0`, `"specific_heat":`, `"log_z_per_spin":`, `"onsager_energy":`, `"onsager_spontaneous_magnetization":`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	if err := WriteTable(&b, []Report{NewReport(4, 0.25)}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "energy/spin") || !strings.Contains(lines[1], "0.250000") ||
		!strings.HasPrefix(strings.TrimSpace(lines[1]), "4  ") {
		t.Fatalf("table:\n%s", b.String())
	}
}

func TestNewReports(t *testing.T) {
	reps, err := NewReports(context.Background(), 8, []float64{0, 0.3})
	if err != nil || len(reps) != 2 || reps[1] != NewReport(8, 0.3) {
		t.Fatalf("%v %v", reps, err)
	}
	if _, err := NewReports(context.Background(), 1<<20, make([]float64, 1000)); err == nil || !strings.Contains(err.Error(), "-beta") {
		t.Errorf("too much work: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewReports(ctx, 8, []float64{0.3}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
