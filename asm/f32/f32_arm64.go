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

// kernel6x16NEON computes the 6x16 tile c = alpha*A*B + beta*c from packed
// panels (a: kb groups of 6, b: kb groups of 16; c not read when beta == 0):
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < kb; p++ {
//				s += a[p*6+i] * b[p*16+j]
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // beta*c omitted when beta == 0
//		}
//	}
//
//go:noescape
func kernel6x16NEON(kb int, a, b, c *float32, ldc int, alpha, beta float32)
