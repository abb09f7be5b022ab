package asmtest

import (
	"testing"

	"github.com/isingrbm/isingrbm/asm"
)

// TestTestAllVisitsEveryImplementation checks that TestAll runs the test
// once per available implementation, with exactly that one switched on,
// then once with the portable code, and skips what the CPU cannot run.
func TestTestAllVisitsEveryImplementation(t *testing.T) {
	var fast, slow, absent = true, true, false
	asm.Register("asmtest/self", "fast", &fast)
	asm.Register("asmtest/self", "slow", &slow)
	asm.Register("asmtest/self", "absent", &absent)
	var seen []string
	TestAll(t, "asmtest/self", func(t *testing.T) {
		switch {
		case fast && !slow:
			seen = append(seen, "fast")
		case slow && !fast:
			seen = append(seen, "slow")
		case !fast && !slow:
			seen = append(seen, asm.Generic)
		default:
			t.Errorf("two implementations on at once")
		}
		if absent {
			t.Errorf("an unavailable implementation was switched on")
		}
	})
	want := []string{"fast", "slow", asm.Generic}
	if len(seen) != len(want) {
		t.Fatalf("visited %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("visited %v, want %v", seen, want)
		}
	}
	if got := asm.Active("asmtest/self"); !asm.ForceGeneric && asm.Forced() == "" && got != "fast" {
		t.Fatalf("default not restored: active %s", got)
	}
}
