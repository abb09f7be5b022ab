//go:build amd64 && gc && !purego

package f32

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
)

// TestFeatureGate: no implementation is available (so none can be chosen
// or forced) on a CPU that lacks a feature its code uses: the AVX2 and
// AVX-512 kernels use FMA and BMI1 (TZCNT, BLSR in the Bits products),
// the AVX-512 ones AVX2's packing routines and the BW and DQ forms.
// TestBMI1Required runs it with BMI1 hidden.
func TestFeatureGate(t *testing.T) {
	can := map[string]bool{
		"avx512": asm.HasAVX512F && asm.HasAVX512VL && asm.HasAVX512DQ && asm.HasAVX512BW && asm.HasFMA && asm.HasAVX2 && asm.HasBMI1,
		"avx2":   asm.HasAVX2 && asm.HasFMA && asm.HasBMI1,
	}
	avail := asm.Available(pkgName)
	for _, name := range avail {
		if ok, known := can[name]; !known || !ok {
			t.Errorf("%s is available on a CPU that cannot run it (features %v)", name, asm.Features())
		}
	}
	t.Logf("bmi1=%v available=[%s] active=%s", asm.HasBMI1, strings.Join(avail, ","), asm.Active(pkgName))
}

// bmi1ChildEnv marks the test binary that TestBMI1Required runs.
const bmi1ChildEnv = "F32_BMI1_TEST_CHILD"

// TestBMI1Required runs TestFeatureGate and TestRegistered in a child
// process with BMI1 hidden (GODEBUG=cpu.bmi1=off, as a virtual machine may
// hide it while showing AVX2): no SIMD implementation may remain
// available, and the portable one is active. Skipped where no child can
// be started (under qemu-user) and where the CPU has no AVX2 to gate.
func TestBMI1Required(t *testing.T) {
	if os.Getenv(bmi1ChildEnv) != "" {
		t.Skip("the child itself")
	}
	if !asm.HasAVX2 || !asm.HasFMA || !asm.HasBMI1 {
		t.Skip("no AVX2+FMA+BMI1: nothing to hide")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^(TestFeatureGate|TestRegistered)$", "-test.v", "-test.count=1")
	godebug := "cpu.bmi1=off"
	if g := os.Getenv("GODEBUG"); g != "" {
		godebug = g + "," + godebug
	}
	cmd.Env = []string{bmi1ChildEnv + "=1", "GODEBUG=" + godebug}
	for _, kv := range os.Environ() {
		// The child chooses its own kernels: a forced one could not run.
		if !strings.HasPrefix(kv, "GODEBUG=") && !strings.HasPrefix(kv, "ISINGRBM_KERNELS=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.ENOEXEC) {
		t.Skipf("no child process here: %v", err)
	}
	if err != nil {
		t.Fatalf("the child with BMI1 hidden failed (%v):\n%s", err, out)
	}
	for _, want := range []string{"--- PASS: TestFeatureGate", "--- PASS: TestRegistered", "bmi1=false available=[] active=generic"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the child's output lacks %q:\n%s", want, out)
		}
	}
}
