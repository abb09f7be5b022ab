package analysis

import (
	"math"
	"testing"
)

func TestActivity(t *testing.T) {
	// Column 0 is constant, column 1 alternates 0 and 1 (sd 1/2), column 2
	// is 0.25 or 0.75 (sd 1/4), column 3 is 1, 2, 3, 4 (sd sqrt(5/4)).
	p := []float32{
		0.3, 0, 0.25, 1,
		0.3, 1, 0.75, 2,
		0.3, 0, 0.25, 3,
		0.3, 1, 0.75, 4,
	}
	got, err := Activity(p, 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 0.5, 0.25, math.Sqrt(1.25)}
	for j := range want {
		if math.Abs(got[j]-want[j]) > 1e-15 {
			t.Errorf("unit %d: sd %v, want %v", j, got[j], want[j])
		}
	}
	if got[0] != 0 {
		t.Errorf("a constant unit has sd %v, want exactly 0", got[0])
	}
	mean, sd, err := Response(p, 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	for j, m := range []float64{0.3, 0.5, 0.5, 2.5} {
		if math.Abs(mean[j]-m) > 1e-7 || sd[j] != got[j] {
			t.Errorf("unit %d: Response mean %v sd %v, want %v and Activity's %v", j, mean[j], sd[j], m, got[j])
		}
	}
	for _, c := range []struct{ n, rows, units int }{{4, 0, 4}, {4, 4, 0}, {15, 4, 4}, {17, 4, 4}} {
		if _, err := Activity(make([]float32, c.n), c.rows, c.units); err == nil {
			t.Errorf("Activity of %d values as %d x %d: no error", c.n, c.rows, c.units)
		}
	}
}
