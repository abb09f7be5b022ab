//go:build !linux

package report

import "os/exec"

// dieWithParent does nothing here: only Linux (and FreeBSD) can have the
// kernel kill a child when its parent dies.
func dieWithParent(*exec.Cmd) {}
