// Package f32 holds the float32 kernels of RBM training: packed, cache-blocked
// matrix products (with a fused bias+sigmoid form for the conditional
// probabilities), the elementwise reductions and parameter updates around
// them, and a lane-parallel xoshiro256++ generator for Bernoulli sampling.
//
// Every kernel has a portable Go twin; AVX2+FMA assembly is used on amd64
// when the CPU has it, and a NEON micro-kernel for the products on arm64 (see
// package asm for the dispatch). All matrices are row-major with an explicit
// leading dimension (row stride).
//
// The products follow GotoBLAS/BLIS: a 6x16 register micro-kernel (12 ymm
// accumulators, two B vectors, one broadcast A value), A packed in 6-row
// micro-panels and B in 16-column micro-panels (transposed while packing for
// the A^T B and A B^T forms, so the three forms share the kernel), depth
// blocks of kc so a kc x 16 panel of B fills half of L1D, row blocks of mc
// so an mc x kc block of A fills half of L2 (kc = 256, mc = 252 with the
// 32 KiB / 512 KiB caches cpuid reports on Zen 3). When A is one row block,
// each B micro-panel is packed just before use and the next one prefetched.
// A Workspace splits a product into whole micro-tiles along its longer side,
// one part per worker goroutine.
package f32
