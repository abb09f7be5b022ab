package rbm

import (
	"reflect"
	"testing"
)

func TestParseLayers(t *testing.T) {
	for _, c := range []struct {
		s    string
		want []int
	}{{"", nil}, {"all", nil}, {"3,1,3", []int{1, 3}}, {" 2 ", []int{2}}} {
		got, err := ParseLayers(c.s, 3)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseLayers(%q) = %v, %v; want %v", c.s, got, err, c.want)
		}
	}
	for _, s := range []string{"0", "4", "1,x", "1,,2", "ALL"} {
		if _, err := ParseLayers(s, 3); err == nil || err.Error() != `want "all" or layers from 1 to 3 separated by commas` {
			t.Errorf("ParseLayers(%q): %v", s, err)
		}
	}
}

func TestCheckVisible(t *testing.T) {
	set, err := NewBinaryDataset(2, 4, make([]uint8, 8))
	if err != nil {
		t.Fatal(err)
	}
	d := &DataFile{Path: "d.npy", Set: set, Shape: []int{2, 2, 2}}
	if err := d.CheckVisible(&DBN{Layers: []*RBM{NewRBM(4, 3)}}, "m.npz"); err != nil {
		t.Fatal(err)
	}
	err = d.CheckVisible(&DBN{Layers: []*RBM{NewRBM(9, 3)}}, "m.npz")
	if want := "d.npy has 4 units per sample (shape [2 2 2]), but the model m.npz has 9 visible units"; err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if EstimateReadBytes(1000) != 3000 {
		t.Error("EstimateReadBytes")
	}
}
