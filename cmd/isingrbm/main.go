package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/isingrbm/isingrbm/asm"
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
	stop := watchSignals(stderr)
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
	if s := caughtSignal(); s != nil { // the context's cause
		return 128 + int(s.(syscall.Signal))
	}
	return 1
}

// The interrupt machinery: run installs one handler for SIGINT, SIGTERM and
// SIGHUP (unless SIGHUP is ignored, as under nohup); the first signal
// cancels interruptContext's context with the signal as its cause (every
// long loop watches it), and if the command has not returned watchGrace
// later the process ends with 128+signal, unless a checkpoint is being
// written (holdExit, which core/rbm calls through the context: see
// rbm.WithCheckpointHold): then it waits for the write to end and gives
// the command another watchGrace. A second signal ends the process at once,
// also during a checkpoint. Outputs are written atomically, so an early end
// leaves old files or none.
var interrupts struct {
	sync.Mutex
	ctx context.Context
	// held counts the checkpoint (or model) writes in progress, of about
	// heldBytes, the last of them heldWhat; idle is closed when held drops
	// back to 0.
	held      int
	heldBytes float64
	heldWhat  string
	idle      chan struct{}
}

// watchGrace is how long a command may take to stop after a signal (not
// counting a checkpoint write in progress); a variable for the tests.
var watchGrace = 600 * time.Millisecond

// exitProcess ends the process; a variable for the tests.
var exitProcess = os.Exit

// caught is the cause of a context cancelled by a signal.
type caught struct{ sig syscall.Signal }

func (c caught) Error() string {
	switch c.sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return c.sig.String()
}

func watchSignals(stderr io.Writer) (stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	interrupts.Lock()
	interrupts.ctx = ctx
	interrupts.Unlock()
	ch := make(chan os.Signal, 2)
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) { // nohup: hangups are to be ignored
		sigs = append(sigs, syscall.SIGHUP)
	}
	signal.Notify(ch, sigs...)
	quit := make(chan struct{})
	go watch(stderr, ch, quit, cancel)
	return func() {
		signal.Stop(ch)
		close(quit)
		cancel(nil)
	}
}

// watch waits for the first signal on ch, cancels the command with it, and
// ends the process (exitProcess) when the command has not returned (quit)
// watchGrace later and writes no checkpoint, or at once on a second signal.
func watch(stderr io.Writer, ch <-chan os.Signal, quit <-chan struct{}, cancel context.CancelCauseFunc) {
	var c caught
	select {
	case s := <-ch:
		c.sig = s.(syscall.Signal)
	case <-quit:
		return
	}
	cancel(c)
	exit := func() {
		fmt.Fprintf(stderr, "isingrbm: %s: stopped\n", c)
		exitProcess(128 + int(c.sig))
	}
	grace := time.NewTimer(watchGrace)
	defer grace.Stop()
	announced := false
	for {
		select {
		case <-ch:
			exit()
			return
		case <-quit:
			return
		case <-grace.C:
		}
		bytes, idle := heldWrites()
		if idle == nil {
			exit()
			return
		}
		if !announced {
			announced = true
			fmt.Fprintf(stderr, "isingrbm: %s: writing the %s (about %.0f MB); send %s again to quit without it\n", c, heldWhat(), bytes/1e6, c)
		}
		select {
		case <-ch:
			exit()
			return
		case <-quit:
			return
		case <-idle:
			grace.Reset(watchGrace)
		}
	}
}

// holdExit tells the signal watcher that a checkpoint of about bytes bytes
// is being written: after a signal it waits for release (or a second
// signal) before ending the process.
func holdExit(bytes float64) (release func()) { return holdWrite("checkpoint", bytes) }

// holdWrite is holdExit for a write of what (the watcher's message names
// it): "checkpoint", or "model" for train's final save, which a signal
// used to cut off, losing the whole run.
func holdWrite(what string, bytes float64) (release func()) {
	interrupts.Lock()
	if interrupts.held == 0 {
		interrupts.idle = make(chan struct{})
	}
	interrupts.held++
	interrupts.heldBytes += bytes
	interrupts.heldWhat = what
	interrupts.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			interrupts.Lock()
			defer interrupts.Unlock()
			interrupts.held--
			interrupts.heldBytes -= bytes
			if interrupts.held == 0 {
				close(interrupts.idle)
				interrupts.idle, interrupts.heldBytes = nil, 0
			}
		})
	}
}

// heldWhat names the last write held (holdWrite).
func heldWhat() string {
	interrupts.Lock()
	defer interrupts.Unlock()
	return interrupts.heldWhat
}

// heldWrites returns the bytes of the checkpoints being written and a
// channel closed when they are done; nil when none is.
func heldWrites() (float64, <-chan struct{}) {
	interrupts.Lock()
	defer interrupts.Unlock()
	if interrupts.held == 0 {
		return 0, nil
	}
	return interrupts.heldBytes, interrupts.idle
}

// interruptContext returns the context that SIGINT, SIGTERM and SIGHUP
// cancel; the checkpoints written under it hold the exit (holdExit).
func interruptContext() context.Context {
	interrupts.Lock()
	defer interrupts.Unlock()
	if interrupts.ctx == nil {
		return context.Background()
	}
	return rbm.WithCheckpointHold(interrupts.ctx, holdExit)
}

// caughtSignal returns the signal that interrupted the command, or nil.
func caughtSignal() os.Signal {
	var c caught
	if errors.As(context.Cause(interruptContext()), &c) {
		return c.sig
	}
	return nil
}

// interrupted rewrites a cancellation by a signal as one line
// saying what was kept; other errors pass unchanged.
func interrupted(err error, kept string) error {
	if s := caughtSignal(); s != nil && errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted by %s; %s", caught{s.(syscall.Signal)}, kept)
	}
	return err
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
