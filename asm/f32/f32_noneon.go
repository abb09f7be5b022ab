//go:build !arm64 || !gc || purego

package f32

// No NEON kernels in this build.
const useNEON = false

const useNEONBuild = false

func kernel6x16NEON(kb int, a, b, c *float32, ldc int, alpha, beta float32) {
	panic("unreachable")
}
