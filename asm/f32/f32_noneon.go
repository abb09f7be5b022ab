//go:build !arm64 || !gc || purego

package f32

// No NEON kernels in this build.
const (
	useNEON      = false
	useNEONBuild = false
)
