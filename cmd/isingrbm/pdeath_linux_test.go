package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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

// TestDieWithParent kills a helper test process that started a child with
// dieWithParent and requires the child to be gone (or a zombie) within
// 10 s.
func TestDieWithParent(t *testing.T) {
	if os.Getenv("ISINGRBM_PDEATH_HELPER") == "1" {
		c := exec.Command("sleep", "60")
		dieWithParent(c)
		if err := c.Start(); err != nil {
			fmt.Println("error", err)
			return
		}
		fmt.Println(c.Process.Pid)
		time.Sleep(60 * time.Second)
		return
	}
	h := exec.Command(os.Args[0], "-test.run=^TestDieWithParent$", "-test.count=1")
	h.Env = append(os.Environ(), "ISINGRBM_PDEATH_HELPER=1")
	out, err := h.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	pid, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil {
		h.Process.Kill()
		h.Wait()
		t.Fatalf("helper printed %q (%v), want the child's pid", line, err)
	}
	alive := func() bool {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		// the state follows the command name in parentheses: Z is a zombie
		i := bytes.LastIndexByte(b, ')')
		return i < 0 || i+2 >= len(b) || b[i+2] != 'Z'
	}
	if !alive() {
		t.Fatalf("child %d is not running before its parent is killed", pid)
	}
	h.Process.Kill()
	h.Wait()
	for deadline := time.Now().Add(10 * time.Second); alive(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("child %d still runs 10 s after its parent was killed", pid)
		}
	}
}
