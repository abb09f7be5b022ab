//go:build arm64 && gc && !purego

package f32

import "github.com/isingrbm/isingrbm/asm"

// useNEON selects the NEON micro-kernel of the products; the other
// kernels use the portable Go code on arm64.
var useNEON = asm.HasNEON

// useNEONBuild reports whether this build contains the NEON kernels.
const useNEONBuild = true

func init() {
	asm.Register("f32", "neon", &useNEON)
}
