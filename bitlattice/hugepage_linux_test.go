package bitlattice

import (
	"testing"
	"unsafe"
)

// TestHugeAlloc checks that hugeAlloc's bytes have the length asked for,
// start on a 2 MiB boundary (outside -race builds, which take them from the
// heap), are zero and writable, and can be released.
func TestHugeAlloc(t *testing.T) {
	for _, n := range []int{1, 4097, hugePage/2 - 1, hugePage / 2, 3 << 20, 5<<20 + 3} {
		b, release := hugeAlloc(n)
		if len(b) != n || cap(b) != n {
			t.Fatalf("n=%d: len %d, cap %d", n, len(b), cap(b))
		}
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(b))); p%hugePage != 0 && !raceEnabled {
			t.Errorf("n=%d: starts at %#x, not on a 2 MiB boundary", n, p)
		}
		for i := 0; i < n; i += 997 {
			if b[i] != 0 {
				t.Fatalf("n=%d: byte %d = %d, want 0", n, i, b[i])
			}
			b[i] = 1
		}
		b[n-1] = 1
		release()
	}
}
