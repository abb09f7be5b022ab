//go:build amd64 && gc && !purego

package f32

import (
	"fmt"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
)

// TestBitsProductsOneRow checks the one-row AVX-512 Bits kernels at every
// row count against the float32 products (AVX-512 runs pairs of rows
// through its pair kernels, and only an odd last row through these).
func TestBitsProductsOneRow(t *testing.T) {
	if !asm.Select(pkgName, "avx512") {
		t.Skip("no AVX-512")
	}
	defer asm.Reset(pkgName)
	noBitsPair = true
	defer func() { noBitsPair = false }()
	w := newTestWorkspace(2)
	for i, c := range bitsCases() {
		if c.m*c.n*max(c.k, c.k2) > 1<<20 && (testing.Short() || raceEnabled) {
			continue
		}
		checkBitsProduct(t, w, c, uint64(i))
	}
}

// BenchmarkGemmBitsPair compares, alternating, the AVX-512 Bits kernels
// that run two rows of C at once with the one-row kernels (noBitsPair) on
// the products of BenchmarkGemmBits, at one and two threads.
func BenchmarkGemmBitsPair(b *testing.B) {
	if asm.Active(pkgName) != "avx512" {
		b.Skip("the pair kernels are AVX-512's")
	}
	for _, s := range bitsBenchShapes {
		for _, th := range []int{1, 2} {
			for round := 0; round < 2; round++ {
				for _, oneRow := range []bool{true, false} {
					b.Run(fmt.Sprintf("%s/threads=%d/onerow=%v", s.name, th, oneRow), func(b *testing.B) {
						run := bitsBenchRun(s, NewWorkspace(th), true)
						noBitsPair = oneRow
						defer func() { noBitsPair = false }()
						s.timeFlops(b, run)
					})
				}
			}
		}
	}
}
