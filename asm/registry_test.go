package asm

import (
	"strings"
	"testing"
)

func TestRegistrySelectReset(t *testing.T) {
	var fast, slow, missing = true, true, false
	Register("test/registry", "fast", &fast)
	Register("test/registry", "slow", &slow)
	Register("test/registry", "missing", &missing)
	defer Reset("test/registry")
	if ForceGeneric {
		if got := Active("test/registry"); got != Generic {
			t.Fatalf("forced generic: active = %s", got)
		}
		Reset("test/registry")
		if fast || slow {
			t.Fatal("Reset re-enabled kernels under ISINGRBM_KERNELS=generic")
		}
	} else if got := Active("test/registry"); got != "fast" {
		t.Fatalf("active = %s, want fast", got)
	}
	if got := Available("test/registry"); len(got) != 2 || got[0] != "fast" || got[1] != "slow" {
		t.Fatalf("available = %v", got)
	}
	if !Select("test/registry", "slow") || Active("test/registry") != "slow" || fast || !slow {
		t.Fatalf("select slow: fast=%v slow=%v", fast, slow)
	}
	if Select("test/registry", "missing") {
		t.Fatal("selected an implementation the CPU cannot run")
	}
	if Select("test/registry", "nonesuch") {
		t.Fatal("selected an unregistered implementation")
	}
	if !Select("test/registry", Generic) || fast || slow || Active("test/registry") != Generic {
		t.Fatal("select generic left a kernel on")
	}
	Reset("test/registry")
	if !ForceGeneric && (!fast || !slow || missing) {
		t.Fatalf("reset: fast=%v slow=%v missing=%v", fast, slow, missing)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	var a = true
	Register("test/twice", "x", &a)
	Register("test/twice", "x", &a)
}

func TestDeclareListsPackage(t *testing.T) {
	Declare("test/declared")
	found := false
	for _, p := range Packages() {
		if p == "test/declared" {
			found = true
		}
	}
	if !found || Active("test/declared") != Generic {
		t.Fatalf("declared package missing or not generic: %v", Packages())
	}
}

// TestForcedKernels checks ISINGRBM_KERNELS=<name>: the named
// implementation is active in the packages that registered it, the others
// keep their default, and unknown or unavailable names are reported.
func TestForcedKernels(t *testing.T) {
	defer func(f string, g bool) { forced, ForceGeneric = f, g }(forced, ForceGeneric)
	forced, ForceGeneric = "mid", false
	var top, mid, low = true, true, true
	Register("test/forced", "top", &top)
	Register("test/forced", "mid", &mid)
	Register("test/forced", "low", &low)
	var other = true
	Register("test/forced-other", "top", &other)
	defer Reset("test/forced")
	defer Reset("test/forced-other")
	if got := Active("test/forced"); got != "mid" || top || !mid {
		t.Fatalf("forced mid: active %s (top=%v mid=%v)", got, top, mid)
	}
	if got := Active("test/forced-other"); got != "top" {
		t.Fatalf("package without the forced name: active %s, want its default", got)
	}
	Select("test/forced", "top")
	Reset("test/forced")
	if got := Active("test/forced"); got != "mid" {
		t.Fatalf("Reset under forced mid: active %s", got)
	}
	if err := KernelsEnvError(); err != nil {
		t.Fatalf("valid forced name reported: %v", err)
	}
	// A package that registered the forced name but cannot run it makes the
	// value an error even where another package can.
	forced = "mid"
	var partial = false
	Register("test/forced-partial", "mid", &partial)
	if err := KernelsEnvError(); err == nil || !strings.Contains(err.Error(), "test/forced-partial") || strings.Contains(err.Error(), "test/forced,") {
		t.Errorf("forced mid, test/forced-partial unable: error %v, want one naming that package", err)
	}
	var gone = false
	Register("test/forced-gone", "gone", &gone)
	for _, name := range []string{"nonesuch", "gone"} {
		forced = name
		err := KernelsEnvError()
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), EnvKernels) {
			t.Errorf("forced %s: error %v, want one naming the variable and the value", name, err)
		}
	}
	forced = ""
	if err := KernelsEnvError(); err != nil {
		t.Errorf("unset: %v", err)
	}
}
