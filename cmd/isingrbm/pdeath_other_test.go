//go:build !linux

package main

import "os/exec"

// dieWithParent does nothing here: only Linux (and FreeBSD) can have the
// kernel kill a child when its parent dies.
func dieWithParent(*exec.Cmd) {}
