//go:build !linux

package npy

// CheckDir reports whether dir is an existing folder in which files can be
// created (by creating and removing an empty file). Commands call it for
// the folder of every output before starting work.
func CheckDir(dir string) error {
	if err := isDir(dir); err != nil {
		return err
	}
	return createAndRemove(dir)
}
