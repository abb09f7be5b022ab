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

// sampleToFile runs sample with o handing its configurations (Stream) to
// path, the file WriteSamples would write, at their offsets as each group of
// chains measures them: the samples are never held, and the file appears,
// complete, only when sampling succeeds. A failure to write the file is
// (or wraps) a *fileWriteError; any other error is the sampler's, as
// sample returned it.
func sampleToFile(path string, opt npy.WriteOptions, o bitlattice.Options,
	sample func(bitlattice.Options) (*bitlattice.Result, error)) (*bitlattice.Result, error) {
	undo, err := makeDir(filepath.Dir(path))
	if err != nil {
		return nil, &fileWriteError{err}
	}
	var res *bitlattice.Result
	var sampleErr error
	err = npy.WriteFileAtomicAt(path, opt, func(f io.WriterAt) error {
		hw := io.NewOffsetWriter(f, 0)
		if err := npy.WriteHeader(hw, "|u1", []int{o.N, o.L, o.L}); err != nil {
			return err
		}
		start, _ := hw.Seek(0, io.SeekCurrent)
		n := int64(o.L) * int64(o.L)
		o.Stream = true
		o.Samples = func(first int, configs []uint8) error {
			if _, err := f.WriteAt(configs, start+int64(first)*n); err != nil {
				return &fileWriteError{err} // the sampler returns it (wrapped at most)
			}
			return nil
		}
		res, sampleErr = sample(o)
		return sampleErr // an error: the file is not kept
	})
	switch {
	case sampleErr != nil:
		undo()
		return nil, sampleErr
	case err != nil:
		undo()
		return nil, &fileWriteError{err}
	}
	return res, nil
}

// makeDir makes dir and its missing parents, like os.MkdirAll, and returns
// a function that removes again those it made while they are empty.
func makeDir(dir string) (undo func(), err error) {
	var made []string // deepest first
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		made = append(made, d)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create folder %s: %v", dir, err)
	}
	return func() {
		for _, d := range made {
			os.Remove(d) // only if empty
		}
	}, nil
}

// fileWriteError is sampleToFile's failure to write its file.
type fileWriteError struct{ Err error }

func (e *fileWriteError) Error() string { return e.Err.Error() }
func (e *fileWriteError) Unwrap() error { return e.Err }
