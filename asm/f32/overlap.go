package f32

import (
	"fmt"
	"unsafe"
)

// Outputs that share memory with an input other than the one the
// documentation allows (dst == x for Sigmoid, dst == p for Bernoulli) would
// make the result depend on the order in which each implementation reads
// and writes (an audit found four different results for Sigmoid(buf[1:],
// buf[:64])); the kernels refuse them with a panic before they write. A
// matrix counts as the whole range from its first element to its last, so
// an output interleaved with an input's stride gaps is refused too.

// overlaps reports whether a and b share memory (an empty slice shares
// none); for float32 matrices and Bits words alike.
func overlaps[T float32 | uint64](a, b []T) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	size := unsafe.Sizeof(a[0])
	a0 := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a0 < b0+size*uintptr(len(b)) && b0 < a0+size*uintptr(len(a))
}

// checkApart panics if out shares memory with in.
func checkApart(fn, outName string, out []float32, inName string, in []float32) {
	if overlaps(out, in) {
		panic(fmt.Sprintf("f32: %s: %s overlaps %s in memory, want them apart", fn, outName, inName))
	}
}

// checkSameOrApart panics if out shares memory with in without starting
// at the same element (in place is allowed).
func checkSameOrApart(fn, outName string, out []float32, inName string, in []float32) {
	if overlaps(out, in) && unsafe.SliceData(out) != unsafe.SliceData(in) {
		panic(fmt.Sprintf("f32: %s: %s overlaps %s in memory, want it to be %s itself or apart", fn, outName, inName, inName))
	}
}

// extent is the part of buf a rows x cols matrix with stride ld spans
// (checkMat has checked that buf holds it); nil when it has no element or
// buf is nil (a matrix given otherwise, as Bits).
func extent(rows, cols, ld int, buf []float32) []float32 {
	if rows <= 0 || cols <= 0 || buf == nil {
		return nil
	}
	return buf[:(rows-1)*ld+cols]
}

// checkGemmApart panics if C (m x n, ldc) shares memory with A or B of a
// product in the given transpositions (nil a: A is not a float32 matrix).
func checkGemmApart(fn string, tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	cs := extent(m, n, ldc, c)
	if a != nil {
		ar, ac := m, k
		if tA {
			ar, ac = k, m
		}
		checkApart(fn, "c", cs, "a", extent(ar, ac, lda, a))
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	checkApart(fn, "c", cs, "b", extent(br, bc, ldb, b))
}
