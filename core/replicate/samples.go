package replicate

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/core/npy"
)

// WriteSamples writes the configurations of res to path atomically (opt)
// as a |u1 array of shape (n, L, L), creating path's folder first: the
// configuration files of the sample command and of the replication's
// sampling stages.
func WriteSamples(path string, res *bitlattice.Result, opt npy.WriteOptions) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cannot create folder %s: %v", filepath.Dir(path), err)
	}
	L := res.L
	return npy.WriteFileAtomicWith(path, opt, func(w io.Writer) error {
		return npy.WriteUint8(w, []int{len(res.Configs) / (L * L), L, L}, res.Configs)
	})
}
