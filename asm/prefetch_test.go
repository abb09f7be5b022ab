package asm

import (
	"testing"

	"github.com/klauspost/cpuid/v2"
)

func TestL1StrideLimit(t *testing.T) {
	for _, c := range []struct {
		vendor cpuid.Vendor
		want   int
	}{
		{cpuid.Intel, 2048},
		{cpuid.AMD, 0},
		{cpuid.Hygon, 0},
		{cpuid.VendorUnknown, 0},
	} {
		if got := l1StrideLimit(c.vendor); got != c.want {
			t.Errorf("l1StrideLimit(%v) = %d, want %d", c.vendor, got, c.want)
		}
	}
	if cpuid.CPU.VendorID == cpuid.Intel && L1StrideLimit != 2048 {
		t.Errorf("L1StrideLimit = %d on an Intel CPU, want 2048", L1StrideLimit)
	}
}
