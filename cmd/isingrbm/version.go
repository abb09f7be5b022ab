package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/rbm"
)

func init() {
	commands["version"] = command{
		summary: "print the program version, the CPU, its features and the active kernels",
		run:     runVersion,
	}
}

// runVersion reports whatever the environment holds, as help does: it is
// what one runs to see what ISINGRBM_KERNELS may name (the kernels lines)
// and a bad value changes no kernel, so it prints the same report and
// warns in one line on stderr (warnEnv), exit status 0; every other
// command stops there with exit status 2 (parseFlags).
func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", stdout)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), "usage: isingrbm version (it takes no flags)") }
	if _, err := param.Parse(fs, args, ""); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "isingrbm %s (%s, %s/%s)\n", rbm.ProgramVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(stdout, "cpu: %s, %d logical cores (GOMAXPROCS %d)\n", asm.CPUDescription(), runtime.NumCPU(), runtime.GOMAXPROCS(0))
	l1, l2, l3 := asm.CacheSizes()
	fmt.Fprintf(stdout, "caches: L1d %d KiB, L2 %d KiB, L3 %d KiB\n", l1>>10, l2>>10, l3>>10)
	feats := asm.Features()
	if len(feats) == 0 {
		feats = []string{"none"}
	}
	fmt.Fprintf(stdout, "simd features: %s\n", strings.Join(feats, " "))
	if f := asm.Forced(); f != "" && asm.KernelsEnvError() == nil {
		fmt.Fprintf(stdout, "%s=%s: kernels forced\n", asm.EnvKernels, f)
	}
	for _, pkg := range asm.Packages() {
		fmt.Fprintf(stdout, "kernel %-8s active %-8s registered %s\n", pkg, asm.Active(pkg), strings.Join(append(asm.Registered(pkg), asm.Generic), ","))
	}
	warnEnv(stderr)
	return nil
}
