package replicate

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/core/npy"
)

func TestWriteSamples(t *testing.T) {
	res := &bitlattice.Result{L: 4, K: 0.3, Configs: make([]uint8, 3*16)}
	for i := range res.Configs {
		res.Configs[i] = uint8(i % 2)
	}
	path := filepath.Join(t.TempDir(), "sub", "s.npy")
	if err := WriteSamples(path, res, npy.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := npy.WriteUint8(&want, []int{3, 4, 4}, res.Configs); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Errorf("file differs from WriteUint8 (3, 4, 4): %v", err)
	}
}
