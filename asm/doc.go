// Package asm is the run-time dispatch shared by every SIMD kernel of isingrbm.
//
// CPU features are read once from golang.org/x/sys/cpu. Each kernel package
// keeps package-level booleans (useAVX2, useNEON, ...) that its hot paths test
// directly, and registers them here so that tests can switch every
// implementation on in turn (see package asmtest) and so that `isingrbm
// version` can say which implementation is active. Setting the environment
// variable ISINGRBM_KERNELS=generic forces the portable Go path at run time,
// and ISINGRBM_KERNELS=<name> (avx512, avx2, neon) that implementation in
// every package that has it; KernelsEnvError reports a value that cannot be
// obeyed. CPU identity and cache sizes (CPUName, CPUDescription, CacheSizes)
// come from this package too, so that no other package reads the CPU.
package asm
