// Package stats holds the small numeric types shared by the physics and the
// RBM code: Num, a float64 whose NaN and infinities encode in JSON as null,
// and plain means. It imports nothing from the project, so any package may
// use it.
package stats
