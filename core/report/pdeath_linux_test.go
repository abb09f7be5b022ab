package report

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill cmd's process when the test binary
// dies, so that a test run killed from outside (a CI time limit, pkill)
// leaves no child behind that runs on and loads the machine. The kernel
// sends the signal when the thread that started the child exits; a
// goroutine not locked to its thread never ends that thread, so in a test
// that is the binary's exit.
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
