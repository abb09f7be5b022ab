//go:build !amd64 || !gc || purego

package f32

// No amd64 assembly in this build.
const (
	useAVX2        = false
	useAVX512      = false
	useAVX2Build   = false
	useAVX512Build = false
)
