// Package npy reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0) and .npz
// archives in numpy.savez's layout, so sample sets and trained models move between this
// project and NumPy / scikit-learn unchanged. Readers validate every header field and never
// allocate more than the input holds; .npz members are inflated on demand, CRC-checked and
// bounded (NPZOptions: a member's declared size is charged to the archive's limit before it is
// allocated). Writers produce numpy's byte layout and replace files atomically, leaving no
// temporary files behind (WriteOptions).
package npy
