package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/core/interrupt"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// command is one subcommand. run parses args itself (newFlagSet,
// parseFlags, which also checks the environment, version aside: the help
// that -h asks for goes to stdout) and returns an error; a
// *param.InputError (bad flags or input) exits with status 2.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
	// subcommands, when the command has them, are named in its messages
	// ("isingrbm study run: ...").
	subcommands []string
}

// commands is filled by the init functions of the files that define the
// subcommands (sample.go, exact.go, train.go, ...).
var commands = map[string]command{}

// badInput returns an error about the command line: its message names the
// flag or file and what was expected; the program exits with status 2.
func badInput(format string, args ...any) error {
	return param.AsInputError(fmt.Errorf(format, args...))
}

// asUsage marks a library's error about an input (one that names the flag
// and what was expected) as bad input; nil stays nil.
func asUsage(err error) error { return param.AsInputError(err) }

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: isingrbm <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'isingrbm <command> -h' (or 'isingrbm help <command>') for the flags of a command.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 failure at run time, 2 bad flags or input, 129/130/143 interrupted by SIGHUP/SIGINT/SIGTERM.")
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status: 0, 1 for a
// failure at run time, 2 for bad flags or input, 128+signal when SIGINT,
// SIGTERM or SIGHUP stopped it. Every failure is one line on stderr, never
// a stack trace.
func run(args []string, stdout, stderr io.Writer) (status int) {
	// Output that could not be written (a full disk, a closed pipe) is a
	// failure even where a command does not check its prints (help,
	// version): the first write error ends a successful run with status 1.
	out := &checkedWriter{w: stdout}
	defer func() {
		out.mu.Lock()
		defer out.mu.Unlock()
		if status == 0 && out.err != nil {
			fmt.Fprintf(stderr, "isingrbm: writing the output: %v\n", out.err)
			status = 1
		}
	}()
	stdout = out
	if len(args) >= 2 && args[0] == "help" && args[1] != "help" {
		// "help CMD" is "CMD -h": the flags of that command ("help study
		// SUB" those of a study subcommand).
		if _, ok := commands[args[1]]; !ok {
			fmt.Fprintf(stderr, "isingrbm help: unknown command %q\n\n", args[1])
			usage(stderr)
			return 2
		}
		max := 2 // help CMD
		if args[1] == "study" {
			max = 3 // help study SUB
		}
		if len(args) > max {
			fmt.Fprintf(stderr, "isingrbm help: want one command (or 'study SUB'), got %q\n", strings.Join(args[1:], " "))
			return 2
		}
		args = append(args[1:len(args):len(args)], "-h")
	}
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--h", "--help":
		usage(stdout) // asked for
		warnEnv(stderr)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "isingrbm: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	name := args[0]
	if len(args) > 1 && slices.Contains(cmd.subcommands, args[1]) {
		name += " " + args[1]
	}
	stop := interrupt.Watch(stderr) // SIGINT, SIGTERM, SIGHUP: interrupt.Context
	defer stop()
	defer func() {
		// The last resort: a bug must still end in one line, not a trace.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "isingrbm %s: internal error: %v\n", name, r)
			status = 1
		}
	}()
	err := cmd.run(args[1:], stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		warnEnv(stderr)
	}
	return exitStatus(name, err, stderr)
}

// checkedWriter passes writes to w, one at a time, and keeps the first
// error.
type checkedWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.w.Write(p)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// envError checks the environment variables every command obeys
// (ISINGRBM_KERNELS, ISINGRBM_MAX_MEMORY): a bad value is bad input.
// parseWithArg checks them once the flags are parsed, unless they ask for
// help, which is printed whatever the environment holds; so is the report
// of 'isingrbm version', which parses its flags without the check.
func envError() error {
	if err := asm.KernelsEnvError(); err != nil {
		return badInput("%v", err)
	}
	if err := sysmem.CheckEnv(); err != nil {
		return badInput("%v", err)
	}
	return nil
}

// warnEnv says on stderr, in one line, that the environment holds a value
// a run would stop at; help is printed anyway.
func warnEnv(stderr io.Writer) {
	if err := envError(); err != nil {
		fmt.Fprintf(stderr, "isingrbm: warning: %v (a run stops here with exit status 2)\n", err)
	}
}

// exitStatus prints err (one line, after "isingrbm <name>: ", name being
// the command and its subcommand if any) and returns the exit status for
// it.
func exitStatus(name string, err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "isingrbm") {
		msg = "isingrbm " + name + ": " + msg
	}
	fmt.Fprintln(stderr, strings.ReplaceAll(msg, "\n", "; "))
	if ie := (*param.InputError)(nil); errors.As(err, &ie) {
		return 2
	}
	if s := interrupt.Caught(); s != nil { // the context's cause
		return 128 + int(s.(syscall.Signal))
	}
	return 1
}

// newFlagSet returns a FlagSet for a subcommand that reports errors instead
// of exiting, so run decides the exit status. Its output is stdout, where
// the usage that -h asks for goes (parseFlags prints nothing else there);
// a command's own Usage writes to fs.Output().
func newFlagSet(name string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("isingrbm "+name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { // commands that take required flags print their own
		fmt.Fprintf(fs.Output(), "usage: isingrbm %s [flags]\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and turns flag-package errors into usage errors;
// it refuses positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	_, err := parseWithArg(fs, args, "")
	return err
}

// parseWithArg is parseFlags for a command that takes one positional
// argument after the flags (named by positional), which it returns
// (param.Parse: a bad flag is one message, -h the usage on fs.Output()).
// Parsed flags that do not ask for help are followed by the check of the
// environment (envError), so that help is given whatever it holds and a
// run stops before any work.
func parseWithArg(fs *flag.FlagSet, args []string, positional string) (string, error) {
	arg, err := param.Parse(fs, args, positional)
	if err != nil {
		return "", err
	}
	if err := envError(); err != nil {
		return "", err
	}
	return arg, nil
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// limitMemoryToPlan sets the Go runtime's soft memory limit
// (rbm.LimitMemory) to the memory that the stages of replicate and of
// study run are scheduled within (sysmem.Limit: three quarters of the
// machine or of the cgroup, or ISINGRBM_MAX_MEMORY), so that the garbage
// of stages side by side does not take the process past what it planned
// for; a GOMEMLIMIT in the environment wins. Not for study stage: in a
// Slurm job the cgroup limit is the stage's memory request, of which
// three quarters can be below the stage's estimate. It returns the
// function that puts the limit back.
func limitMemoryToPlan() (restore func()) {
	limit, _ := sysmem.Limit()
	restore = rbm.LimitMemory(limit)
	afterMemoryLimit()
	return restore
}

// afterMemoryLimit runs once limitMemoryToPlan has set the limit (tests
// read it there).
var afterMemoryLimit = func() {}
