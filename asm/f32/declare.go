package f32

import "github.com/isingrbm/isingrbm/asm"

// The package is listed by `isingrbm version` even in a purego build.
func init() { asm.Declare("f32") }
