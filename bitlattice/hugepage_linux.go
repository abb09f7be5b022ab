package bitlattice

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on amd64 and (with 4 KiB
// base pages) arm64.
const hugePage = 2 << 20

// adviseHugePages asks the kernel to back the whole 2 MiB pages inside b with
// transparent huge pages (madvise MADV_HUGEPAGE, which the "madvise" setting
// of /sys/kernel/mm/transparent_hugepage/enabled waits for). It changes no
// byte of b: a large buffer that is written once is then faulted in 2 MiB at
// a time instead of 4 KiB, which on a virtual machine costs a fraction of
// the time (32 MiB of samples: 105 ms of faults and writes, 65 ms with huge
// pages, on the Zen 5 VM of the benchmarks). Errors are ignored: it is a
// hint.
func adviseHugePages(b []byte) {
	if len(b) < 2*hugePage {
		return
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := (p + hugePage - 1) &^ (hugePage - 1)
	hi := (p + uintptr(len(b))) &^ (hugePage - 1)
	if hi <= lo {
		return
	}
	_ = syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), lo-p)), hi-lo), syscall.MADV_HUGEPAGE)
}

// hugeAlloc returns n zero bytes outside the Go heap, starting on a 2 MiB
// boundary, and the function that unmaps them (which nothing may use
// after). The whole huge pages that n fills at least half of are advised
// for transparent huge pages (the rest of the last one stays unused): a
// scratch buffer of a few MiB, written once, is then faulted in 2 MiB at a
// time. On the Zen 5 VM of the benchmarks, first writes to 4 MiB cost 12-14
// ms in 4 KiB pages, 0.3-10 ms in huge pages (the host backs some of them
// with large pages, some not). Being outside the heap, the buffer also
// adds nothing to the heap that paces the garbage collector, whose cycles
// stop the world until the sweep kernels (assembly) return. If the mapping
// fails, or in a -race build (the race detector ignores memory outside the
// heap, and the sample job's workers write this buffer concurrently), the
// bytes come from the Go heap.
func hugeAlloc(n int) ([]byte, func()) {
	if raceEnabled {
		return heapBytes(n), func() {}
	}
	huge := (n + hugePage/2) &^ (hugePage - 1)
	m, err := syscall.Mmap(-1, 0, max(n, huge)+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		return heapBytes(n), func() {}
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
	off := int((p+hugePage-1)&^(hugePage-1) - p)
	if huge > 0 {
		_ = syscall.Madvise(m[off:off+huge], syscall.MADV_HUGEPAGE)
	}
	return m[off : off+n : off+n], func() { _ = syscall.Munmap(m) }
}
