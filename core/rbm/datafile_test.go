package rbm

import (
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/core/npy"
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

func TestSplitAISSteps(t *testing.T) {
	for _, c := range []struct {
		total int
		want  [3]int
	}{{15, [3]int{1, 4, 10}}, {15000, [3]int{1000, 4000, 10000}}, {16, [3]int{1, 4, 11}}, {29, [3]int{1, 7, 21}}} {
		if got := SplitAISSteps(c.total); got != c.want || got[0]+got[1]+got[2] != c.total {
			t.Errorf("SplitAISSteps(%d) = %v, want %v", c.total, got, c.want)
		}
	}
	if s := DefaultAISSteps(); s != [3]int{500, 4000, 10000} || len(DefaultBetas()) != 14501 {
		t.Errorf("default schedule %v, %d betas", s, len(DefaultBetas()))
	}
}

func TestMetaExtra(t *testing.T) {
	d := &DataFile{Path: "d.npy", Shape: []int{2, 4, 4}, Descr: "|u1", L: 4}
	m := d.MetaExtra()
	if m["data"] != "d.npy" || m["data_dtype"] != "|u1" || m["lattice_L"] != 4 || !reflect.DeepEqual(m["data_shape"], []int{2, 4, 4}) {
		t.Errorf("%v", m)
	}
}

// TestReadDataFileShapes: square lattices and flat rows are read, with L
// where it is known; a 3-D array of non-square lattices is refused.
func TestReadDataFileShapes(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		shape []int
		L     int
		bad   bool
	}{{[]int{5, 4, 4}, 4, false}, {[]int{5, 16}, 4, false}, {[]int{5, 12}, 0, false}, {[]int{5, 4, 16}, 0, true}} {
		n := 1
		for _, x := range c.shape {
			n *= x
		}
		path := filepath.Join(dir, fmt.Sprintf("d%v.npy", c.shape))
		if err := npy.WriteFileAtomic(path, func(w io.Writer) error { return npy.Write(w, "|u1", c.shape, make([]byte, n)) }); err != nil {
			t.Fatal(err)
		}
		f, err := ReadDataFile(path)
		switch {
		case c.bad && (err == nil || !strings.Contains(err.Error(), "want (n, L, L) or (n, D)")):
			t.Errorf("shape %v: %v, want refused", c.shape, err)
		case !c.bad && err != nil:
			t.Errorf("shape %v: %v", c.shape, err)
		case !c.bad && f.L != c.L:
			t.Errorf("shape %v: L %d, want %d", c.shape, f.L, c.L)
		}
	}
}
