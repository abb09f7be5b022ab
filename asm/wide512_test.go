package asm

import (
	"testing"

	"github.com/klauspost/cpuid/v2"
)

func TestFullWidth512(t *testing.T) {
	for _, c := range []struct {
		vendor        cpuid.Vendor
		family, model int
		fp256, want   bool
		amx           bool
	}{
		{cpuid.AMD, 0x1A, 0x02, false, true, false},  // Zen 5 EPYC (Turin)
		{cpuid.AMD, 0x1A, 0x44, false, true, false},  // Zen 5 desktop (Granite Ridge)
		{cpuid.AMD, 0x1A, 0x24, false, false, false}, // Strix Point: 256-bit data paths
		{cpuid.AMD, 0x1A, 0x60, false, false, false}, // Krackan Point
		{cpuid.AMD, 0x1A, 0x02, true, false, false},  // FP256 set
		{cpuid.AMD, 0x19, 0x11, false, false, false}, // Zen 4 splits 512-bit operations
		{cpuid.AMD, 0x1B, 0x00, false, true, false},  // later families
		{cpuid.Intel, 6, 0x8F, false, true, true},    // Sapphire Rapids: AMX
		{cpuid.Intel, 6, 0xA7, false, true, true},    // a KVM guest of this CPU (measured)
		{cpuid.Intel, 6, 0x6A, false, false, false},  // Ice Lake Xeon: no AMX, not measured
		{cpuid.Intel, 6, 0x8C, false, false, false},  // Tiger Lake: one 512-bit unit
		{cpuid.AMD, 0x1A, 0x02, false, true, true},   // AMX does not matter on AMD
	} {
		if got := fullWidth512(c.vendor, c.family, c.model, c.fp256, c.amx); got != c.want {
			t.Errorf("fullWidth512(%v, %#x, %#x, fp256=%v, amx=%v) = %v, want %v", c.vendor, c.family, c.model, c.fp256, c.amx, got, c.want)
		}
	}
	t.Logf("this CPU: HasFullWidth512 = %v", HasFullWidth512)
}
