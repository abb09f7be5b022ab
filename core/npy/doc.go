// Package npy reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0) and .npz
// archives in numpy.savez's layout, so sample sets and trained models move between this
// project and NumPy / scikit-learn unchanged. Readers validate every header field and never
// allocate more than the input can hold: a .npy file's own size, and for a .npz member the size
// its directory entry declares, which must be one its stored or deflated bytes can give (at
// most 1032 times them) and is charged to the archive's limit (NPZOptions) before it is
// allocated; members are inflated on demand and CRC-checked. Writers produce numpy's byte layout and replace files atomically, leaving no
// temporary files behind (WriteOptions).
package npy
