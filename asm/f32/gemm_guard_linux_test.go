//go:build linux

package f32

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"

	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// guardedCopy returns a copy of the matrix of p (rows x cols, stride ld)
// whose last element ends exactly where an inaccessible page starts, so
// that a kernel reading any element past it faults. The mapping is freed
// by t.Cleanup.
func guardedCopy(t *testing.T, p *padded) []float32 {
	t.Helper()
	src := p.mat()
	page := syscall.Getpagesize()
	data := (4*len(src) + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, data+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[data:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	all := unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), data/4)
	dst := all[data/4-len(src):]
	copy(dst, src)
	return dst
}

// TestGemmReadsNoFurther runs the products whose kernels read operands in
// place (rows of A, columns of A^T, rows of B, edge tiles of B under a
// column mask) on matrices that end where an inaccessible page starts:
// reading one element past an operand crashes the test. The results must
// be roundingContract's bits.
func TestGemmReadsNoFurther(t *testing.T) {
	type shape struct {
		f       form
		m, n, k int
	}
	var shapes []shape
	for _, f := range []form{formNN, formTN, formNT} {
		for _, m := range []int{1, 10, 13, 100} {
			for _, n := range []int{1, 4, 8, 9, 15, 16, 17, 31, 32, 36, 100} {
				for _, k := range []int{1, 3, 4, 7, 300} {
					shapes = append(shapes, shape{f, m, n, k})
				}
			}
		}
	}
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		ws := []*Workspace{newTestWorkspace(1), newTestWorkspace(2)}
		for i, s := range shapes {
			w := ws[i%2]
			name := fmt.Sprintf("%v/%dx%dx%d/threads=%d", s.f, s.m, s.n, s.k, w.threads)
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			ar, ac := s.m, s.k
			if s.f == formTN {
				ar, ac = s.k, s.m
			}
			br, bc := s.k, s.n
			if s.f == formNT {
				br, bc = s.n, s.k
			}
			A := newPadded(rng, ar, ac, ac, 0)
			B := newPadded(rng, br, bc, bc, 0)
			C := newPadded(rng, s.m, s.n, s.n, 0)
			want := newPadded(rng, s.m, s.n, s.n, 0)
			copy(want.buf, C.buf)
			contractGemm(s.f, s.m, s.n, s.k, 1, A, B, 0.5, want)
			a, b, c := guardedCopy(t, A), guardedCopy(t, B), guardedCopy(t, C)
			switch s.f {
			case formNN:
				w.GemmNN(s.m, s.n, s.k, 1, a, ac, b, bc, 0.5, c, s.n)
			case formTN:
				w.GemmTN(s.m, s.n, s.k, 1, a, ac, b, bc, 0.5, c, s.n)
			case formNT:
				w.GemmNT(s.m, s.n, s.k, 1, a, ac, b, bc, 0.5, c, s.n)
			}
			got := want.mat()
			for j := range c {
				if !sameFloat(c[j], got[j]) {
					t.Fatalf("%s: C[%d] = %v, want %v (roundingContract)", name, j, c[j], got[j])
				}
			}
		}
	})
}
