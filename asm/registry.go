package asm

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
)

// Generic is the name of the portable Go implementation every kernel has.
const Generic = "generic"

// EnvKernels names the environment variable that forces one implementation:
// ISINGRBM_KERNELS=generic runs the portable Go kernels everywhere;
// ISINGRBM_KERNELS=avx2 (or avx512, neon) makes every kernel package that
// registered that implementation use it instead of its default. A value no
// package registered, or one this CPU cannot run, is reported by
// KernelsEnvError (and changes nothing).
const EnvKernels = "ISINGRBM_KERNELS"

// forced is the implementation named by ISINGRBM_KERNELS ("" for none).
var forced = strings.ToLower(strings.TrimSpace(os.Getenv(EnvKernels)))

// ForceGeneric reports whether ISINGRBM_KERNELS=generic was set when the
// program started. Registered implementations then start switched off.
var ForceGeneric = forced == Generic

// Forced returns the implementation name ISINGRBM_KERNELS asks for, in lower
// case, or "" when it is unset.
func Forced() string { return forced }

// impl is one registered implementation of one kernel package.
type impl struct {
	pkg       string
	name      string
	available bool  // the CPU (and build) can run it
	enabled   *bool // the dispatch boolean the kernel package tests
}

var (
	mu       sync.Mutex
	registry []impl
	declared = map[string]bool{}
)

// Declare records that kernel package pkg exists, whether or not this build
// registers any assembly for it (a purego build registers none), so that
// Packages and `isingrbm version` always list it. Kernel packages call it
// from an init function in a file without build tags.
func Declare(pkg string) {
	mu.Lock()
	declared[pkg] = true
	mu.Unlock()
}

// Register records the implementation name of the kernels in package pkg
// whose dispatch boolean is *enabled. It must be called from an init function
// after *enabled has been set from the CPU features, in order of preference
// (the fastest first): the first enabled implementation of a package is the
// active one, so the package's dispatch must test its booleans in the same
// order. ISINGRBM_KERNELS may switch *enabled off (see EnvKernels).
func Register(pkg, name string, enabled *bool) {
	if name == Generic || name == "" || name != strings.ToLower(name) {
		panic("asm: implementation name " + name + " is reserved or not lower case")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, r := range registry {
		if r.pkg == pkg && r.name == name {
			panic("asm: " + pkg + "/" + name + " registered twice")
		}
	}
	registry = append(registry, impl{pkg: pkg, name: name, available: *enabled, enabled: enabled})
	applyDefault(pkg)
}

// applyDefault sets pkg's dispatch booleans to the default choice: every
// available implementation on, except those ISINGRBM_KERNELS rules out.
// The caller holds mu.
func applyDefault(pkg string) {
	forcedIdx := -1
	for i, r := range registry {
		if r.pkg == pkg && r.name == forced && r.available {
			forcedIdx = i
		}
	}
	for i, r := range registry {
		if r.pkg != pkg {
			continue
		}
		on := r.available && !ForceGeneric
		if forcedIdx >= 0 && i < forcedIdx {
			on = false // preferred to the forced one: switched off
		}
		*r.enabled = on
	}
}

// KernelsEnvError reports a value of ISINGRBM_KERNELS that cannot be obeyed:
// a name no kernel package registered, or one that a package registered
// but this CPU (or build) cannot run there (each such package would fall
// back to its default silently: an AVX-512 CPU without BW runs ising's
// avx512 kernels but not f32's). A package that never registered the name
// keeps its default. Commands call it at start-up and stop on an error; nil
// means the variable is unset or valid.
func KernelsEnvError() error {
	if forced == "" || forced == Generic {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	names := map[string]bool{Generic: true}
	registered := false
	var cannot []string
	for _, r := range registry {
		if r.available {
			names[r.name] = true
		}
		if r.name == forced {
			registered = true
			if !r.available {
				cannot = append(cannot, r.pkg)
			}
		}
	}
	if registered && len(cannot) == 0 {
		return nil
	}
	var list []string
	for n := range names {
		list = append(list, n)
	}
	sort.Strings(list)
	if registered {
		sort.Strings(cannot)
		return fmt.Errorf("%s=%s: this CPU or build cannot run the %s kernels of %s (it can run: %s)",
			EnvKernels, forced, forced, strings.Join(cannot, ", "), strings.Join(list, ", "))
	}
	return fmt.Errorf("%s=%s: no such kernel implementation (this CPU and build can run: %s)",
		EnvKernels, forced, strings.Join(list, ", "))
}

// Packages lists the kernel packages that were declared or registered
// implementations, sorted.
func Packages() []string {
	mu.Lock()
	defer mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for pkg := range declared {
		seen[pkg] = true
		out = append(out, pkg)
	}
	for _, r := range registry {
		if !seen[r.pkg] {
			seen[r.pkg] = true
			out = append(out, r.pkg)
		}
	}
	sort.Strings(out)
	return out
}

// Registered lists every implementation registered for pkg, whether or not
// this CPU can run it, in order of preference.
func Registered(pkg string) []string {
	mu.Lock()
	defer mu.Unlock()
	var out []string
	for _, r := range registry {
		if r.pkg == pkg {
			out = append(out, r.name)
		}
	}
	return out
}

// Available lists the implementations of pkg that this CPU can run, in order
// of preference. The portable implementation is not listed: it always runs.
func Available(pkg string) []string {
	mu.Lock()
	defer mu.Unlock()
	var out []string
	for _, r := range registry {
		if r.pkg == pkg && r.available {
			out = append(out, r.name)
		}
	}
	return out
}

// Active returns the name of the implementation pkg's kernels use now:
// the first enabled registered one, or Generic.
func Active(pkg string) string {
	mu.Lock()
	defer mu.Unlock()
	for _, r := range registry {
		if r.pkg == pkg && *r.enabled {
			return r.name
		}
	}
	return Generic
}

// Select switches pkg to implementation name (Generic switches every
// registered one off). It reports false, changing nothing, when name is not
// registered for pkg or this CPU cannot run it. Select is meant for tests and
// benchmarks; it must not race with running kernels.
func Select(pkg, name string) bool {
	mu.Lock()
	defer mu.Unlock()
	found := name == Generic
	for _, r := range registry {
		if r.pkg == pkg && r.name == name {
			if !r.available {
				return false
			}
			found = true
		}
	}
	if !found {
		return false
	}
	for _, r := range registry {
		if r.pkg == pkg {
			*r.enabled = r.name == name
		}
	}
	return true
}

// Reset restores pkg's default choice: the most preferred available
// implementation, or the one ISINGRBM_KERNELS forces.
func Reset(pkg string) {
	mu.Lock()
	defer mu.Unlock()
	applyDefault(pkg)
}
