// Package pmath is float64 elementary functions that give the same bits on
// every architecture: Exp, Expm1, Log, Log1p, Sinh, Cosh, Tanh, Sin, Cos,
// Sincos, Atan2 and Hypot.
//
// The standard library's math functions are accurate to about an ulp but
// not the same bits everywhere: math.Exp and math.Log run assembly on
// amd64 that takes one path with FMA and another without (GODEBUG=cpu.fma=off),
// and on arm64 the Go compiler fuses the x*y + z of the pure-Go functions
// (Log1p, Expm1, Sinh, Tanh, Sin, Hypot, ...) into FMA instructions that
// round once. So the float64 measures that the replication writes (AIS log
// Z, Kaufman's exact energies, locality measures) differed in their last
// digits between CPUs. The functions here are plain Go with every product
// rounded before it is added (float64(x*y) + z, which the compiler does
// not fuse; .ci/nofma checks it) and math.FMA where a single rounding is
// meant (it rounds once everywhere), so they compute the same operations
// in the same order on every CPU, and IEEE 754 gives them the same bits.
//
// Each states its error bound in ulps of the exact result, which the tests
// measure against references evaluated in 160-bit math/big arithmetic
// (not against the math package, whose math.Log on amd64 is wrong for
// subnormal arguments and whose math.Sinh overflows early); special
// values (NaN, infinities, signed zeros) are those of the math package.
// TestGolden checks a SHA-256 of the results at many arguments against
// a committed hash, on every architecture and build CI runs.
package pmath
