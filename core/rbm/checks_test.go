package rbm

import (
	"strings"
	"testing"
)

func TestCheckTrainData(t *testing.T) {
	data := &DataFile{Path: "d.npy", Set: &Dataset{N: 50, D: 16, X: make([]uint8, 50*16)}}
	c, _ := Preset("mehta-schwab") // batch 100 > 50 samples: kept unless given
	sizes, err := c.CheckTrainData(data, []int{8, 4}, false)
	if err != nil || len(sizes) != 3 || sizes[0] != 16 || sizes[2] != 4 {
		t.Fatalf("%v %v", sizes, err)
	}
	if _, err := c.CheckTrainData(data, []int{8}, true); err == nil || !strings.Contains(err.Error(), "-batch 100: want 1..50 (at most the 50 samples in d.npy)") {
		t.Errorf("%v", err)
	}
	c.Batch = 10
	if _, err := c.CheckTrainData(data, []int{1 << 20, 1 << 20}, true); err == nil || !strings.Contains(err.Error(), "-layers") {
		t.Errorf("huge layers: %v", err)
	}
	o := DefaultEvalOptions()
	if err := o.CheckMemory(50, []int{16, 8}); err != nil {
		t.Error(err)
	}
	o.AISRuns = MaxAISRuns
	if err := o.CheckMemory(1<<20, []int{1 << 20, 1 << 20}); err == nil || !strings.Contains(err.Error(), "-ais-runs") {
		t.Errorf("huge eval: %v", err)
	}
	if err := CheckReadMemory("data", "x.npy", 1<<62); err == nil || !strings.Contains(err.Error(), "-data x.npy") {
		t.Errorf("huge file: %v", err)
	}
}
