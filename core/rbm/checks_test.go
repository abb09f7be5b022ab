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
	if _, err := c.CheckTrainData(data, []int{8}, true); err == nil || !strings.Contains(err.Error(), "-batch 100: want 1..45 (at most the 45 training samples: the 50 in d.npy less the 5 held out by -validation 0.1)") {
		t.Errorf("%v", err)
	}
	// The batch is bounded by the rows -validation leaves for training:
	// at 0.5, 25 of 50 (a batch of 26 once trained on 25 rows and recorded
	// 26 in the model's meta.json); without validation, all of them.
	for _, b := range []struct {
		frac      float64
		batch     int
		ok        bool
		errSubstr string
	}{
		{0.5, 25, true, ""}, {0.5, 26, false, "want 1..25 (at most the 25 training samples"},
		{0, 50, true, ""}, {0, 51, false, "want 1..50 (at most the 50 samples in d.npy)"},
	} {
		c.Batch, c.ValidationFraction = b.batch, b.frac
		_, err := c.CheckTrainData(data, []int{8}, true)
		if b.ok != (err == nil) || err != nil && !strings.Contains(err.Error(), b.errSubstr) {
			t.Errorf("-validation %g -batch %d: %v", b.frac, b.batch, err)
		}
	}
	c.ValidationFraction = 0.1
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

func TestCheckResume(t *testing.T) {
	cfg, _ := Preset("sklearn")
	m := Meta{Config: &cfg, Sizes: []int{16, 8, 4}}
	if err := m.CheckResume("c.ckpt", cfg, "", nil); err != nil {
		t.Fatal(err)
	}
	if err := m.CheckResume("c.ckpt", cfg, "sklearn", []int{8, 4}); err != nil {
		t.Fatal(err)
	}
	other := cfg
	other.CDK = 5
	for _, c := range []struct {
		want   Config
		preset string
		hidden []int
		msg    string
	}{
		{cfg, "mehta-schwab", nil, "-preset mehta-schwab"},
		{other, "", nil, "other settings (cd_k)"},
		{cfg, "", []int{8}, "-layers [8], but the checkpoint has layers [8 4]"},
	} {
		if err := m.CheckResume("c.ckpt", c.want, c.preset, c.hidden); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}
