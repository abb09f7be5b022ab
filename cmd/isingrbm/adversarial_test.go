package main

// The adversarial suite runs the built binary as a careless user and an
// adversary would: bad and absurd flags, lying and corrupted inputs, zip
// bombs, outputs that are symlinks, FIFOs, devices or folders, signals in
// the middle of long loops, concurrent runs. Every case checks the exit
// status, that the message names the flag or file, that no stack trace is
// printed, that the output folder holds nothing unexpected afterwards
// (temporary files included), that the child's peak RSS stays under 1 GiB
// (it runs under prlimit --as=3GiB where prlimit exists, with
// ISINGRBM_MAX_MEMORY=1G), and, for signals, that it ends within 2 s.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/core/npy"
)

// advCase is one run of the binary.
type advCase struct {
	name  string
	args  []string // {out} is the case's empty output folder, {fix} the fixtures
	env   []string
	setup func(t *testing.T, out string)
	code  int      // wanted exit status
	want  []string // substrings of stderr (or of stdout with wantOut)
	// keep lists glob patterns (relative to {out}) of files the run may
	// leave; anything else new in {out} fails the case.
	keep    []string
	wantOut []string // substrings of stdout
	signal  syscall.Signal
	after   time.Duration // signal delay
	slow    bool          // skipped with -short
	check   func(t *testing.T, out, stdout string)
}

const (
	advRSSLimit = 1 << 30 // bytes of peak RSS any case may reach
	advAS       = 3 << 30 // address-space limit of the child
	// signalExitBound bounds the time from a signal to the exit (a
	// checkpoint written on the way). The cases run for much longer
	// unless stopped and their exit codes say that the signal stopped
	// them; the bound is what "does not ignore a signal" means here. The
	// slowest exit takes ~0.15 s on an idle Zen 5 (the log prints it);
	// the AIS cases took 1.2-1.4 s, and 2.56 s once on a loaded machine,
	// until the schedule of 10^7 steps was built in one allocation.
	signalExitBound = 2 * time.Second
)

var adv struct {
	once       sync.Once
	bin, fix   string
	err        error // the suite cannot run here (skip)
	buildErr   error // the command does not build (fail)
	prlimit    string
	buildDir   string
	fixtureErr error
}

// advBinary builds the command once per test run (into a temporary folder
// removed by TestMain's cleanup) and the fixtures beside it.
func advBinary(t *testing.T) (bin, fix string) {
	t.Helper()
	adv.once.Do(func() {
		adv.buildDir, adv.buildErr = os.MkdirTemp("", "isingrbm-adv-")
		if adv.buildErr != nil {
			return
		}
		adv.bin = filepath.Join(adv.buildDir, "isingrbm")
		// go test puts its own go command first in PATH. The binary is
		// built as this test binary was (its -tags and -race), so that
		// the suite under -tags purego runs the portable kernels and
		// under -race the race detector.
		flags := testBuildFlags()
		cmd := exec.Command("go", append(append([]string{"build"}, flags...), "-o", adv.bin, ".")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			adv.buildErr = fmt.Errorf("%v: %v\n%s", cmd.Args, err, out)
			return
		}
		if slices.Contains(flags, "-race") {
			// A race-enabled program sleeps a second at exit by default
			// (atexit_sleep_ms), which made the suite's hundreds of runs
			// take minutes; a race still fails the run (exit status 66).
			os.Setenv("GORACE", "atexit_sleep_ms=0")
		}
		if err := exec.Command(adv.bin, "version").Run(); err != nil {
			adv.err = fmt.Errorf("the built binary does not run here: %v", err)
			return
		}
		adv.prlimit, _ = exec.LookPath("prlimit")
		adv.fix = filepath.Join(adv.buildDir, "fix")
		adv.fixtureErr = makeFixtures(adv.bin, adv.fix)
	})
	if adv.buildErr != nil {
		t.Fatalf("building the command: %v", adv.buildErr)
	}
	if adv.err != nil {
		t.Skipf("adversarial suite skipped: %v", adv.err)
	}
	if adv.fixtureErr != nil {
		t.Fatalf("fixtures: %v", adv.fixtureErr)
	}
	return adv.bin, adv.fix
}

// testBuildFlags returns the -tags and -race flags this test binary was
// built with (its build information records them).
func testBuildFlags() []string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	var flags []string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "-tags" && s.Value != "":
			flags = append(flags, "-tags="+s.Value)
		case s.Key == "-race" && s.Value == "true":
			flags = append(flags, "-race")
		}
	}
	return flags
}

func TestMain(m *testing.M) {
	code := m.Run()
	if adv.buildDir != "" {
		os.RemoveAll(adv.buildDir)
	}
	os.Exit(code)
}

// spins returns n*d random bytes in {0,1}.
func spins(n, d int, seed uint64) []uint8 {
	g := rand.New(rand.NewPCG(seed, 7))
	x := make([]uint8, n*d)
	for i := range x {
		x[i] = uint8(g.IntN(2))
	}
	return x
}

func writeNpyFile(path, descr string, shape []int, data []byte) error {
	return npy.WriteFileAtomic(path, func(w io.Writer) error { return npy.Write(w, descr, shape, data) })
}

// makeFixtures writes the inputs the cases read: data sets, a model, and
// broken variants of both.
func makeFixtures(bin, fix string) error {
	if err := os.MkdirAll(fix, 0o755); err != nil {
		return err
	}
	p := func(n string) string { return filepath.Join(fix, n) }
	steps := []error{
		writeNpyFile(p("d.npy"), "|u1", []int{50, 8, 8}, spins(50, 64, 1)),
		writeNpyFile(p("big.npy"), "|u1", []int{2000, 16, 16}, spins(2000, 256, 2)),
		writeNpyFile(p("small.npy"), "|u1", []int{10, 4, 4}, spins(10, 16, 3)),
		writeNpyFile(p("i8.npy"), "<i8", []int{4, 2, 2}, make([]byte, 128)),
		writeNpyFile(p("twos.npy"), "|u1", []int{2, 2, 2}, []byte{0, 1, 2, 0, 1, 0, 1, 0}),
		writeNpyFile(p("nan.npy"), "<f4", []int{1, 2, 2}, f32bytes(0, 1, float32(math.NaN()), 0)),
		writeNpyFile(p("flat.npy"), "|u1", []int{64}, spins(1, 64, 4)),
		writeNpyFile(p("empty.npy"), "|u1", []int{0, 8, 8}, nil),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	if out, err := exec.Command(bin, "train", "-data", p("d.npy"), "-layers", "8,4", "-epochs", "2", "-o", p("m.npz")).CombinedOutput(); err != nil {
		return fmt.Errorf("train: %v: %s", err, out)
	}
	if out, err := exec.Command(bin, "train", "-data", p("big.npy"), "-layers", "30,30", "-epochs", "1", "-o", p("big.npz")).CombinedOutput(); err != nil {
		return fmt.Errorf("train: %v: %s", err, out)
	}
	return brokenFixtures(fix)
}

func f32bytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// brokenFixtures writes lying, truncated and corrupted copies of the data
// and the model, and zip bombs.
func brokenFixtures(fix string) error {
	p := func(n string) string { return filepath.Join(fix, n) }
	d, err := os.ReadFile(p("d.npy"))
	if err != nil {
		return err
	}
	m, err := os.ReadFile(p("m.npz"))
	if err != nil {
		return err
	}
	lying := bytes.Replace(d, []byte("(50, 8, 8)"), []byte("(99999999999, 8, 8)"), 1)
	lying = fixHeaderLen(lying)
	crcFlip := bytes.Clone(m)
	i := bytes.Index(crcFlip, []byte("W0.npy")) + 200 // inside W0's data
	crcFlip[i] ^= 0xff
	crcFlip[i+1] ^= 0x55
	files := map[string][]byte{
		"lying.npy":     lying,
		"truncated.npy": d[:len(d)-100],
		"badmagic.npy":  append([]byte("\x93NUMPX"), d[6:]...),
		"garbage.npy":   []byte("\x93NUMPY\x01\x00\x10\x00not a dict at all\n"),
		"crc.npz":       crcFlip,
		"truncated.npz": m[:len(m)/2],
		"notzip.npz":    d,
		"empty.npz":     nil,
	}
	for name, b := range files {
		if err := os.WriteFile(p(name), b, 0o644); err != nil {
			return err
		}
	}
	return bombFixtures(fix)
}

// fixHeaderLen pads or trims the header after an edit so that the data
// stays 64-byte aligned (the lie is in the shape, not in the layout).
func fixHeaderLen(b []byte) []byte {
	hl := int(binary.LittleEndian.Uint16(b[8:10]))
	end := bytes.IndexByte(b[10:], '\n') + 10
	hdr := bytes.TrimRight(b[10:end], " ")
	data := b[10+hl+(len(b[10:end])-hl):]
	pad := (64 - (10+len(hdr)+1)%64) % 64
	out := append([]byte{}, b[:8]...)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(hdr)+pad+1))
	out = append(out, hdr...)
	out = append(out, bytes.Repeat([]byte(" "), pad)...)
	out = append(out, '\n')
	return append(out, data...)
}

// bombFixtures writes archives holding a 2 GiB member of zeros in a few MB:
// unused (junk.npy), and as the weights W0.
func bombFixtures(fix string) error {
	const n = 2 << 30
	hdr := npyHeader("|u1", n)
	stream, crc := zeroStream(hdr, n)
	good := npyMember("<f4", []int{64, 8}, make([]byte, 64*8*4))
	b0 := npyMember("<f4", []int{64}, make([]byte, 256))
	c0 := npyMember("<f4", []int{8}, make([]byte, 32))
	bomb := rawMember{name: "junk.npy", data: stream, crc: crc, size: uint64(len(hdr)) + n}
	if err := writeZip(filepath.Join(fix, "bomb-unused.npz"), []rawMember{{name: "W0.npy", data: good}, {name: "b0.npy", data: b0}, {name: "c0.npy", data: c0}, bomb}); err != nil {
		return err
	}
	bomb.name = "W0.npy"
	return writeZip(filepath.Join(fix, "bomb-w0.npz"), []rawMember{bomb, {name: "b0.npy", data: b0}, {name: "c0.npy", data: c0}})
}

func npyHeader(descr string, n int) []byte {
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }", descr, n)
	pad := (64 - (10+len(h)+1)%64) % 64
	b := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(b[8:], uint16(len(h)+pad+1))
	b = append(b, h...)
	b = append(b, bytes.Repeat([]byte(" "), pad)...)
	return append(b, '\n')
}

func npyMember(descr string, shape []int, data []byte) []byte {
	var b bytes.Buffer
	npy.Write(&b, descr, shape, data)
	return b.Bytes()
}

// zeroStream returns a deflate stream of prefix and n zero bytes, built
// from one flushed 1 MiB block repeated, and its CRC-32.
func zeroStream(prefix []byte, n int64) ([]byte, uint32) {
	const chunk = 1 << 20
	var pre, zc, end bytes.Buffer
	fw, _ := flate.NewWriter(&pre, flate.BestCompression)
	fw.Write(prefix)
	fw.Flush()
	fw, _ = flate.NewWriter(&zc, flate.BestCompression)
	zeros := make([]byte, chunk)
	fw.Write(zeros)
	fw.Flush()
	fw, _ = flate.NewWriter(&end, flate.BestCompression)
	fw.Close()
	out := bytes.Clone(pre.Bytes())
	crc := crc32.ChecksumIEEE(prefix)
	for i := int64(0); i < n/chunk; i++ {
		out = append(out, zc.Bytes()...)
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	return append(out, end.Bytes()...), crc
}

type rawMember struct {
	name string
	data []byte
	crc  uint32
	size uint64 // set: data is a raw deflate stream of size bytes
}

func writeZip(path string, members []rawMember) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		if m.size > 0 {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: m.name, Method: zip.Deflate, CRC32: m.crc,
				CompressedSize64: uint64(len(m.data)), UncompressedSize64: m.size})
			if err != nil {
				return err
			}
			w.Write(m.data)
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store})
		if err != nil {
			return err
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// listTree returns every path under dir (hidden ones included), relative.
func listTree(dir string) map[string]bool {
	out := map[string]bool{}
	filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			out[rel] = true
		}
		return nil
	})
	return out
}

// advResult is what one run of the binary did.
type advResult struct {
	code           int
	stdout, stderr string
	maxRSS         int64         // bytes
	latency        time.Duration // from the signal to the exit
}

// runAdv runs the binary with args under the memory limits; it kills the
// child and fails after timeout.
func runAdv(t *testing.T, bin string, args, env []string, sig syscall.Signal, after, timeout time.Duration) advResult {
	t.Helper()
	argv := append([]string{bin}, args...)
	if adv.prlimit != "" {
		argv = append([]string{adv.prlimit, fmt.Sprintf("--as=%d", int64(advAS)), "--"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	dieWithParent(cmd)
	cmd.Env = append(append(os.Environ(), "ISINGRBM_MAX_MEMORY=1G"), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var sent time.Time
	var sigC <-chan time.Time
	if sig != 0 {
		sigC = time.After(after)
	}
	kill := time.After(timeout)
	for {
		select {
		case <-sigC:
			sent = time.Now()
			cmd.Process.Signal(sig)
			sigC = nil
			continue
		case <-kill:
			cmd.Process.Kill()
			<-done
			t.Fatalf("%v: still running after %v (hang); stderr %q", args, timeout, se.String())
		case <-done:
		}
		break
	}
	r := advResult{code: cmd.ProcessState.ExitCode(), stdout: so.String(), stderr: se.String()}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		r.code = 128 + int(ws.Signal())
	}
	r.maxRSS = maxRSS(cmd.ProcessState)
	if !sent.IsZero() {
		r.latency = time.Since(sent)
	}
	return r
}

var advStats struct {
	sync.Mutex
	maxRSS     int64
	maxLatency time.Duration
	cases      int
}

// runCase runs one case and checks everything it promises.
func runCase(t *testing.T, bin, fix string, c advCase) {
	out := t.TempDir()
	if c.setup != nil {
		c.setup(t, out)
	}
	before, fixBefore := listTree(out), listTree(fix)
	args := make([]string, len(c.args))
	for i, a := range c.args {
		args[i] = strings.NewReplacer("{out}", out, "{fix}", fix).Replace(a)
	}
	r := runAdv(t, bin, args, c.env, c.signal, c.after, 30*time.Second)
	advStats.Lock()
	advStats.maxRSS = max(advStats.maxRSS, r.maxRSS)
	advStats.maxLatency = max(advStats.maxLatency, r.latency)
	advStats.cases++
	advStats.Unlock()
	if r.code != c.code {
		t.Errorf("exit %d, want %d; stderr %q", r.code, c.code, r.stderr)
	}
	for _, w := range c.want {
		if w = strings.ReplaceAll(w, "{fix}", fix); !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q does not name %q", r.stderr, w)
		}
	}
	for _, w := range c.wantOut {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout %q lacks %q", r.stdout, w)
		}
	}
	for _, bad := range []string{"goroutine ", "panic:", "fatal error", ".go:"} {
		if strings.Contains(r.stderr, bad) {
			t.Errorf("stderr holds a trace (%q): %q", bad, r.stderr)
		}
	}
	if r.code != 0 && r.code != 2 && c.signal == 0 && strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
		t.Errorf("failure message is not one line: %q", r.stderr)
	}
	if r.maxRSS > advRSSLimit {
		t.Errorf("peak RSS %d MiB, over %d MiB", r.maxRSS>>20, advRSSLimit>>20)
	}
	if c.signal != 0 {
		t.Logf("exit %d %v after the signal; peak RSS %.1f MiB", r.code, r.latency, float64(r.maxRSS)/(1<<20))
	}
	if c.signal != 0 && r.latency > signalExitBound {
		t.Errorf("exited %v after the signal, want < %v", r.latency, signalExitBound)
	}
	checkLeftovers(t, out, before, c.keep)
	if after := listTree(fix); len(after) != len(fixBefore) {
		t.Errorf("the fixtures folder changed: %d entries, was %d", len(after), len(fixBefore))
	}
	if c.check != nil {
		c.check(t, out, r.stdout)
	}
}

// checkLeftovers fails for every new path in out that no keep pattern
// allows (folders holding kept files are allowed).
func checkLeftovers(t *testing.T, out string, before map[string]bool, keep []string) {
	t.Helper()
	var extra []string
	for p := range listTree(out) {
		if before[p] {
			continue
		}
		ok := false
		for _, k := range keep {
			if m, _ := filepath.Match(k, p); m || k == "*" || strings.HasPrefix(k, p+string(filepath.Separator)) {
				ok = true
			}
		}
		if !ok {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("left behind in the output folder: %v", extra)
	}
}

// mkfifo, symlink and friends for setups.
func mkfifo(name string) func(t *testing.T, out string) {
	return func(t *testing.T, out string) {
		if err := makeFIFO(filepath.Join(out, name)); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
}

func mksymlink(name string) func(t *testing.T, out string) {
	return func(t *testing.T, out string) {
		os.WriteFile(filepath.Join(out, "target"), []byte("keep me"), 0o644)
		if err := os.Symlink("target", filepath.Join(out, name)); err != nil {
			t.Skipf("symlink: %v", err)
		}
	}
}

func mkdirs(names ...string) func(t *testing.T, out string) {
	return func(t *testing.T, out string) {
		for _, n := range names {
			os.MkdirAll(filepath.Join(out, n), 0o755)
		}
	}
}

func targetIntact(t *testing.T, out, _ string) {
	if b, err := os.ReadFile(filepath.Join(out, "target")); err != nil || string(b) != "keep me" {
		t.Errorf("the symlink's target changed: %q %v", b, err)
	}
}

func TestAdversarial(t *testing.T) {
	bin, fix := advBinary(t)
	cases := append(append(append(flagCases(), inputCases()...), outputCases()...), signalCases()...)
	if len(cases) < 80 {
		t.Errorf("%d cases, want at least 80", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.slow && testing.Short() {
				t.Skip("slow case (-short)")
			}
			runCase(t, bin, fix, c)
		})
	}
	t.Logf("%d cases run; peak RSS max %.1f MiB; max signal-exit latency %v",
		advStats.cases, float64(advStats.maxRSS)/(1<<20), advStats.maxLatency)
}
