package asm

import (
	"os"
	"sort"
	"strings"
	"sync"
)

// Generic is the name of the portable Go implementation every kernel has.
const Generic = "generic"

// EnvKernels names the environment variable that can force the portable path:
// ISINGRBM_KERNELS=generic.
const EnvKernels = "ISINGRBM_KERNELS"

// ForceGeneric reports whether ISINGRBM_KERNELS=generic was set when the
// program started. Registered implementations then start switched off.
var ForceGeneric = strings.EqualFold(strings.TrimSpace(os.Getenv(EnvKernels)), Generic)

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
// active one. When ISINGRBM_KERNELS=generic is set, *enabled is cleared.
func Register(pkg, name string, enabled *bool) {
	if name == Generic || name == "" {
		panic("asm: implementation name " + name + " is reserved")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, r := range registry {
		if r.pkg == pkg && r.name == name {
			panic("asm: " + pkg + "/" + name + " registered twice")
		}
	}
	registry = append(registry, impl{pkg: pkg, name: name, available: *enabled, enabled: enabled})
	if ForceGeneric {
		*enabled = false
	}
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

// Reset restores pkg's default choice: every available implementation
// enabled (so the most preferred one is active), unless ISINGRBM_KERNELS=generic.
func Reset(pkg string) {
	mu.Lock()
	defer mu.Unlock()
	for _, r := range registry {
		if r.pkg == pkg {
			*r.enabled = r.available && !ForceGeneric
		}
	}
}
