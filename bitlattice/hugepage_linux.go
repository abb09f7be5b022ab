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
