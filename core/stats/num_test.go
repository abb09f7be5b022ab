package stats

import (
	"encoding/json"
	"math"
	"testing"
)

func TestNumJSON(t *testing.T) {
	in := []Num{1.5, Num(math.NaN()), Num(math.Inf(1)), Num(math.Inf(-1)), 0, -2e-300}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[1.5,null,null,null,0,-2e-300]`; string(b) != want {
		t.Fatalf("marshal: %s, want %s", b, want)
	}
	var out []Num
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for i, x := range out {
		w := in[i]
		if math.IsInf(float64(w), 0) {
			w = Num(math.NaN()) // infinities come back as null, then NaN
		}
		if !(x == w || math.IsNaN(float64(x)) && math.IsNaN(float64(w))) {
			t.Errorf("element %d: %v after the round trip, want %v", i, x, w)
		}
	}
	var x Num
	if err := json.Unmarshal([]byte(`"1"`), &x); err == nil {
		t.Error("a string decoded as a Num")
	}
}

func TestMean(t *testing.T) {
	if m := Mean(nil); !math.IsNaN(m) {
		t.Errorf("Mean(nil) = %v, want NaN", m)
	}
	if m := Mean([]float64{1, 2, 3, 4}); m != 2.5 {
		t.Errorf("Mean(1..4) = %v, want 2.5", m)
	}
}
