package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ok, usage and fail build cases that expect exit 0, 2 (bad flag or input)
// and 1 (failure at run time), naming want.
func advUsage(name string, want string, args ...string) advCase {
	return advCase{name: name, args: args, code: 2, want: []string{want}}
}

func advOK(name string, args ...string) advCase {
	return advCase{name: name, args: args, code: 0}
}

const (
	maxI64 = "9223372036854775807"
	fixD   = "{fix}/d.npy"
	fixM   = "{fix}/m.npz"
)

// flagCases: absurd, overflowing and malformed flags of every command.
func flagCases() []advCase {
	tr := func(extra ...string) []string {
		return append([]string{"train", "-data", fixD, "-layers", "8", "-epochs", "1", "-o", "{out}/m.npz"}, extra...)
	}
	ev := func(extra ...string) []string {
		return append([]string{"eval", "-model", fixM, "-data", fixD}, extra...)
	}
	sa := func(extra ...string) []string {
		return append([]string{"sample", "-L", "4", "-n", "10", "-beta", "0.3", "-o", "{out}/s.npy"}, extra...)
	}
	cases := []advCase{
		advUsage("eval/ais-steps-overflow", "-ais-steps", ev("-ais-steps", maxI64+","+maxI64+",2")...),
		advUsage("eval/ais-steps-total-overflow", "-ais-steps", ev("-ais-steps", maxI64)...),
		advUsage("eval/ais-steps-sum-over-cap", "-ais-steps", ev("-ais-steps", "5000000,5000000,5000000")...),
		advUsage("eval/ais-steps-negative", "-ais-steps", ev("-ais-steps", "-1,2,3")...),
		advUsage("eval/ais-steps-four", "-ais-steps", ev("-ais-steps", "1,2,3,4")...),
		advUsage("eval/ais-runs-huge", "-ais-runs 2000000000", ev("-ais-runs", "2000000000")...),
		advUsage("eval/ais-runs-one", "-ais-runs", ev("-ais-runs", "1")...),
		advUsage("eval/threads-negative", "-threads", ev("-threads", "-1")...),
		advUsage("eval/threads-huge", "-threads", ev("-threads", "100000")...),
		advUsage("eval/max-samples-negative", "-max-samples", ev("-max-samples", "-1")...),
		advUsage("eval/layers-zero", "-layers", ev("-layers", "0")...),
		advUsage("eval/layers-too-deep", "-layers", ev("-layers", "3")...),
		advUsage("eval/layers-word", "-layers", ev("-layers", "x")...),
		advUsage("train/batch-1e9", "-batch 1000000000", tr("-batch", "1000000000")...),
		advUsage("train/batch-maxint", "-batch", tr("-batch", maxI64)...),
		advUsage("train/batch-zero", "-batch", tr("-batch", "0")...),
		advUsage("train/batch-over-samples", "the 50 in", tr("-batch", "51")...),
		advUsage("train/batch-over-training-samples", "the 25 training samples", tr("-batch", "26", "-validation", "0.5")...),
		advUsage("train/layers-memory", "-layers", append(tr(), "-layers", "1048576,1048576")...),
		advUsage("train/layers-one-too-many-units", "-layers", append(tr(), "-layers", "1048577")...),
		advUsage("train/layers-65-deep", "-layers", append(tr(), "-layers", strings.Repeat("2,", 64)+"2")...),
		advUsage("train/layers-empty", "-layers", append(tr(), "-layers", "")...),
		advUsage("train/layers-negative", "-layers", append(tr(), "-layers", "4,-1")...),
		advUsage("train/epochs-huge", "-epochs", tr("-epochs", "2000000000")...),
		advUsage("train/cd-huge", "-cd 2000000000", tr("-cd", "2000000000")...),
		advUsage("train/cd-zero", "-cd", tr("-cd", "0")...),
		advUsage("train/lr-subnormal", "smallest normal float32", tr("-lr", "1e-320")...),
		advUsage("train/lr-zero", "-lr", tr("-lr", "0")...),
		advUsage("train/lr-nan", "-lr", tr("-lr", "NaN")...),
		advUsage("train/lr-inf", "-lr", tr("-lr", "Inf")...),
		advUsage("train/lr-over-float32", "-lr", tr("-lr", "1e39")...),
		advUsage("train/l1-negative", "-l1", tr("-l1", "-1")...),
		advUsage("train/l2-nan", "-l2", tr("-l2", "NaN")...),
		advUsage("train/init-sigma-subnormal", "-init-sigma", tr("-init-sigma", "1e-40")...),
		advUsage("train/momentum-one-and-half", "-momentum", tr("-momentum", "1.5")...),
		advUsage("train/momentum-three", "-momentum", tr("-momentum", "0.1,0.2,0.3")...),
		advUsage("train/validation-one", "-validation", tr("-validation", "1")...),
		advUsage("train/threads-huge", "-threads", tr("-threads", "100000")...),
		advUsage("train/snapshot-negative", "-snapshot-every", tr("-snapshot-every", "-1")...),
		advUsage("train/preset-unknown", "-preset", tr("-preset", "nope")...),
		advUsage("train/l1-mode", "-l1-mode", tr("-l1-mode", "x")...),
		advUsage("train/checkpoint-every-negative", "-checkpoint-every", tr("-checkpoint-every", "-1")...),
		advUsage("train/stop-after-negative", "-stop-after", tr("-stop-after", "-1")...),
		advUsage("train/monitor-rows-negative", "-monitor-rows", tr("-monitor-rows", "-1")...),
		advUsage("train/unknown-flag", "-nonesuch", tr("-nonesuch")...),
		advUsage("train/positional", "unexpected argument", tr("extra")...),
		advUsage("sample/L-2", "-L 2", sa("-L", "2")...),
		advUsage("sample/L-huge", "-L", sa("-L", "100000")...),
		advUsage("sample/n-zero", "-n", sa("-n", "0")...),
		advUsage("sample/n-maxint", "-n", sa("-n", maxI64)...),
		advUsage("sample/replicas-huge", "-replicas 2000000000", sa("-replicas", "2000000000")...),
		advUsage("sample/replicas-negative", "-replicas", sa("-replicas", "-1")...),
		advUsage("sample/equilibration-huge", "-equilibration", sa("-equilibration", "2000000000")...),
		advUsage("sample/beta-inf-range", "+Inf", sa("-beta", "0:Inf:3")...),
		advUsage("sample/beta-nan", "-beta", sa("-beta", "NaN")...),
		advUsage("sample/beta-negative", "-beta", sa("-beta", "-1")...),
		advUsage("sample/beta-overflow", "-beta", sa("-beta", "1e400")...),
		advUsage("sample/beta-range-zero-count", "-beta", sa("-beta", "0.3:0.5:0")...),
		advUsage("sample/beta-range-huge-count", "-beta", sa("-beta", "0.3:0.5:1000000")...),
		advUsage("sample/beta-empty", "-beta", sa("-beta", "")...),
		advUsage("sample/beta-same-file", "share the file name", sa("-beta", "0.4,0.40001")...),
		advUsage("sample/beta-zero", "K = 0", sa("-beta", "0")...),
		advUsage("sample/beta-subnormal", "below 0.0001", sa("-beta", "5e-324")...),
		advUsage("sample/beta-tiny-in-list", "below 0.0001", sa("-beta", "0.3,1e-6")...),
		advUsage("sample/threads-negative", "-threads", sa("-threads", "-1")...),
		advUsage("exact/L-1", "-L", "exact", "-L", "1"),
		advUsage("exact/L-octal", "-L 010: want an integer without a leading 0", "exact", "-L", "010"),
		advUsage("sample/seed-octal", "-seed 010: want an integer without a leading 0", sa("-seed", "010")...),
		advUsage("train/checkpoint-every-octal", "-checkpoint-every 05: want an integer without a leading 0", tr("-checkpoint-every", "05")...),
		advUsage("exact/L-huge", "-L", "exact", "-L", "2000000"),
		advUsage("exact/too-much-work", "-beta", "exact", "-L", "1048576", "-beta", "0.1:0.5:1000"),
		advOK("exact/L-2", "exact", "-L", "2", "-beta", "0.3"),
		advOK("exact/beta-repeated", "exact", "-beta", "0.40001,0.40002,0.40002"),
		{name: "exact/beta-0", args: []string{"exact", "-beta", "0", "-json"}, wantOut: []string{`"log_z_per_spin": 0.6931471805599`}},
		{name: "exact/beta-200-json", args: []string{"exact", "-beta", "200", "-json"}, check: jsonNoNaN},
		advUsage("exact/beta-1e300", "-beta", "exact", "-beta", "1e300,180,350", "-json"),
		advUsage("replicate/L-1", "-L", "replicate", "-o", "{out}/r", "-L", "1"),
		advUsage("replicate/ais-steps-overflow", "-ais-steps", "replicate", "-o", "{out}/r", "-ais-steps", maxI64+","+maxI64+",2"),
		advUsage("replicate/readme-missing", "-readme", "replicate", "-quick", "-o", "{out}/r", "-readme", "{out}/missing/README.md"),
		advUsage("replicate/n-memory", "-n", "replicate", "-o", "{out}/r", "-n", maxI64),
		advUsage("replicate/K-zero", "-K", "replicate", "-o", "{out}/r", "-K", "0"),
		advUsage("replicate/sweep-n-huge", "-sweep-n", "replicate", "-o", "{out}/r", "-sweep-n", maxI64),
		advUsage("replicate/epochs-huge", "-epochs", "replicate", "-o", "{out}/r", "-epochs", "2000000000"),
		advUsage("replicate/ais-runs-huge", "-ais-runs", "replicate", "-o", "{out}/r", "-ais-runs", "2000000000"),
		advUsage("replicate/layers-memory", "-layers", "replicate", "-o", "{out}/r", "-layers", "1048576,1048576"),
		advUsage("no-command", "usage"),
		advUsage("unknown-command", "unknown command", "nonesuch"),
		advUsage("env/max-memory-bad", "ISINGRBM_MAX_MEMORY", "exact"),
	}
	cases[len(cases)-1].env = []string{"ISINGRBM_MAX_MEMORY=lots"}
	for _, cmd := range [][]string{{"sample", "-o", "{out}/x.npy"}, tr(), ev(), {"exact"}, {"replicate", "-o", "{out}/r"}, {"version"}} {
		c := advUsage("env/kernels-bogus-"+cmd[0], "ISINGRBM_KERNELS=bogus", cmd...)
		c.env = []string{"ISINGRBM_KERNELS=bogus"}
		if cmd[0] == "version" {
			// A diagnostic: the report (which lists what the variable
			// may name) and a warning, as help gives.
			c.code, c.want, c.wantOut = 0, []string{"isingrbm: warning: ISINGRBM_KERNELS=bogus: "}, []string{"\nkernel "}
		}
		cases = append(cases, c)
	}
	helpL := advCase{name: "sample/help-agrees-on-L", args: []string{"sample", "-h"}, wantOut: []string{"4..32768"}}
	return append(cases, helpL)
}

// jsonNoNaN checks that stdout is valid JSON without NaN or Inf.
func jsonNoNaN(t *testing.T, _, stdout string) {
	var v any
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Errorf("not JSON: %v: %q", err, stdout)
	}
	if strings.Contains(stdout, "NaN") || strings.Contains(stdout, "Inf") {
		t.Errorf("NaN or Inf in %q", stdout)
	}
}

// inputCases: missing, lying, truncated, corrupted and hostile inputs.
func inputCases() []advCase {
	tr := func(data string) []string {
		return []string{"train", "-data", data, "-layers", "4", "-epochs", "1", "-o", "{out}/m.npz"}
	}
	ev := func(model string) []string { return []string{"eval", "-model", model, "-data", fixD} }
	fifo := advCase{name: "train/data-fifo", args: tr("{out}/fifo.npy"), code: 2, want: []string{"fifo.npy", "not a regular file"}, setup: mkfifo("fifo.npy")}
	fifoModel := advCase{name: "eval/model-fifo", args: ev("{out}/fifo.npz"), code: 2, want: []string{"fifo.npz"}, setup: mkfifo("fifo.npz")}
	return []advCase{
		advUsage("train/data-missing", "missing.npy", tr("{fix}/missing.npy")...),
		advUsage("train/data-folder", "-data", tr("{fix}")...),
		advUsage("train/data-dev-zero", "/dev/zero", tr("/dev/zero")...),
		advUsage("train/data-lying-header", "lying.npy", tr("{fix}/lying.npy")...),
		advUsage("train/data-int64", "dtype", tr("{fix}/i8.npy")...),
		advUsage("train/data-truncated", "truncated.npy", tr("{fix}/truncated.npy")...),
		advUsage("train/data-value-2", "twos.npy", tr("{fix}/twos.npy")...),
		advUsage("train/data-nan", "nan.npy", tr("{fix}/nan.npy")...),
		advUsage("train/data-1d", "flat.npy", tr("{fix}/flat.npy")...),
		advUsage("train/data-no-samples", "empty.npy", tr("{fix}/empty.npy")...),
		advUsage("train/data-bad-magic", "badmagic.npy", tr("{fix}/badmagic.npy")...),
		advUsage("train/data-garbage-header", "garbage.npy", tr("{fix}/garbage.npy")...),
		advUsage("train/data-empty-flag", "-data", tr("")...),
		fifo,
		advUsage("eval/model-missing", "missing.npz", ev("{fix}/missing.npz")...),
		advUsage("eval/model-crc", "CRC", ev("{fix}/crc.npz")...),
		advUsage("eval/model-truncated", "truncated.npz", ev("{fix}/truncated.npz")...),
		advUsage("eval/model-not-zip", "notzip.npz", ev("{fix}/notzip.npz")...),
		advUsage("eval/model-empty-file", "empty.npz", ev("{fix}/empty.npz")...),
		advUsage("eval/model-folder", "-model", ev("{fix}")...),
		advUsage("eval/model-bomb-w0", "bomb-w0.npz", ev("{fix}/bomb-w0.npz")...),
		{name: "eval/model-bomb-unused", args: []string{"eval", "-model", "{fix}/bomb-unused.npz", "-data", fixD}, code: 0},
		fifoModel,
		advUsage("eval/data-units-mismatch", "small.npy", "eval", "-model", fixM, "-data", "{fix}/small.npy"),
		advUsage("eval/data-lying", "lying.npy", "eval", "-model", fixM, "-data", "{fix}/lying.npy"),
		advUsage("train/resume-missing-checkpoint", "-resume", "train", "-data", fixD, "-o", "{out}/m.npz", "-resume"),
		{name: "train/resume-corrupt-checkpoint", args: []string{"train", "-data", fixD, "-layers", "8", "-o", "{out}/m.npz", "-resume"},
			code: 2, want: []string{"m.npz.ckpt", "CRC"}, keep: []string{"m.npz.ckpt"}, setup: corruptCheckpoint},
		{name: "train/resume-other-data", args: []string{"train", "-data", "{fix}/big.npy", "-o", "{out}/m.npz", "-resume"},
			code: 2, want: []string{"big.npy"}, keep: []string{"m.npz.ckpt"}, setup: checkpointOnly},
	}
}

// checkpointOnly leaves out/m.npz.ckpt, a checkpoint after one epoch of
// a two-epoch run on d.npy.
func checkpointOnly(t *testing.T, out string) {
	cmd := exec.Command(adv.bin, "train", "-data", filepath.Join(adv.fix, "d.npy"), "-layers", "8", "-epochs", "2",
		"-stop-after", "1", "-o", filepath.Join(out, "m.npz"))
	dieWithParent(cmd)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

// corruptCheckpoint is checkpointOnly with two bytes of W0 flipped.
func corruptCheckpoint(t *testing.T, out string) {
	checkpointOnly(t, out)
	p := filepath.Join(out, "m.npz.ckpt")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("W0.npy")) + 200
	b[i] ^= 0xff
	b[i+1] ^= 0x55
	os.WriteFile(p, b, 0o644)
}

// outputCases: outputs that are symlinks, FIFOs, devices, folders, in
// missing or read-only folders.
func outputCases() []advCase {
	tr := func(o string, extra ...string) []string {
		return append([]string{"train", "-data", fixD, "-layers", "4", "-epochs", "1", "-o", o}, extra...)
	}
	sa := func(o string, extra ...string) []string {
		return append([]string{"sample", "-L", "4", "-n", "10", "-beta", "0.3", "-o", o}, extra...)
	}
	cases := []advCase{
		{name: "train/o-symlink", args: tr("{out}/link.npz"), code: 2, want: []string{"link.npz", "-replace"}, setup: mksymlink("link.npz"), keep: []string{"target", "link.npz"}, check: targetIntact},
		{name: "train/o-symlink-replace", args: tr("{out}/link.npz", "-replace"), setup: mksymlink("link.npz"), keep: []string{"target", "link.npz", "link.npz.timings.json"},
			check: func(t *testing.T, out, s string) {
				targetIntact(t, out, s)
				if st, err := os.Lstat(filepath.Join(out, "link.npz")); err != nil || !st.Mode().IsRegular() {
					t.Errorf("-replace left %v %v", st, err)
				}
			}},
		{name: "train/o-fifo", args: tr("{out}/fifo.npz"), code: 2, want: []string{"fifo.npz"}, setup: mkfifo("fifo.npz"), keep: []string{"fifo.npz"}},
		{name: "train/o-folder", args: tr("{out}/dir"), code: 2, want: []string{"dir"}, setup: mkdirs("dir"), keep: []string{"dir"}},
		advUsage("train/o-missing-folder", "-o", tr("{out}/missing/m.npz")...),
		advUsage("train/o-empty", "-o", tr("")...),
		advUsage("train/o-dev-null", "/dev/null", tr("/dev/null")...),
		{name: "train/checkpoint-folder", args: tr("{out}/m.npz", "-checkpoint", "{out}/dir"), code: 2, want: []string{"-checkpoint"}, setup: mkdirs("dir"), keep: []string{"dir"}},
		advUsage("train/checkpoint-is-output", "-checkpoint", tr("{out}/m.npz", "-checkpoint", "{out}/m.npz")...),
		advUsage("train/checkpoint-missing-folder", "-checkpoint", tr("{out}/m.npz", "-checkpoint", "{out}/no/c.npz")...),
		{name: "train/timings-sidecar-folder", args: tr("{out}/m.npz"), code: 2, want: []string{"m.npz.timings.json"}, setup: mkdirs("m.npz.timings.json"), keep: []string{"m.npz.timings.json"}},
		{name: "sample/o-symlink", args: sa("{out}/link.npy"), code: 2, want: []string{"link.npy"}, setup: mksymlink("link.npy"), keep: []string{"target", "link.npy"}, check: targetIntact},
		{name: "sample/o-fifo", args: sa("{out}/fifo.npy"), code: 2, want: []string{"fifo.npy"}, setup: mkfifo("fifo.npy"), keep: []string{"fifo.npy"}},
		advUsage("sample/o-dev-null", "/dev/null", sa("/dev/null")...),
		advUsage("sample/o-dev-stdout", "/dev/stdout", sa("/dev/stdout")...),
		{name: "sample/o-folder-one-coupling", args: sa("{out}/dir"), code: 2, want: []string{"dir"}, setup: mkdirs("dir"), keep: []string{"dir"}},
		{name: "sample/middle-output-is-folder", args: []string{"sample", "-L", "4", "-n", "10", "-beta", "0.3,0.4,0.5", "-o", "{out}/set"},
			code: 2, want: []string{"beta_0.4000.npy"}, setup: mkdirs("set/beta_0.4000.npy"), keep: []string{"set", "set/beta_0.4000.npy"}},
		{name: "sample/several-into-file", args: []string{"sample", "-L", "4", "-n", "10", "-beta", "0.3,0.4", "-o", "{out}/f"},
			code: 2, want: []string{"-o"}, setup: func(t *testing.T, out string) { os.WriteFile(filepath.Join(out, "f"), nil, 0o644) }, keep: []string{"f"}},
		{name: "sample/ok-several", args: []string{"sample", "-L", "4", "-n", "10", "-beta", "0.3:0.5:3", "-o", "{out}/set"}, keep: []string{"set", "set/beta_0.*.npy"}},
		{name: "sample/beta-1.5-json", args: append(sa("{out}/s.npy"), "-beta", "1.5", "-json"), keep: []string{"s.npy"}, check: jsonNoNaN},
		// Above 1.5 the sampler's 24-bit thresholds err by more than 1% (from
		// 2.08 on the ordered state absorbs the chain): refused, no file.
		{name: "sample/beta-200", args: append(sa("{out}/s.npy"), "-beta", "200"), code: 2, want: []string{"-beta 200", "<= K <= 1.5", "isingrbm exact"}},
		{name: "sample/replace-fifo", args: sa("{out}/fifo.npy", "-replace"), setup: mkfifo("fifo.npy"), keep: []string{"fifo.npy"}},
	}
	if os.Geteuid() != 0 {
		ro := func(t *testing.T, out string) {
			os.Mkdir(filepath.Join(out, "ro"), 0o555)
			t.Cleanup(func() { os.Chmod(filepath.Join(out, "ro"), 0o755) })
		}
		cases = append(cases,
			advCase{name: "train/o-readonly-folder", args: tr("{out}/ro/m.npz"), code: 2, want: []string{"ro"}, setup: ro, keep: []string{"ro"}},
			advCase{name: "sample/o-readonly-folder", args: sa("{out}/ro/s.npy"), code: 2, want: []string{"ro"}, setup: ro, keep: []string{"ro"}})
	}
	return cases
}

// signalCases: SIGTERM and SIGINT in the middle of every long loop end the
// process within signalExitBound with 143 or 130, leaving only what is
// documented.
func signalCases() []advCase {
	big, bigModel := "{fix}/big.npy", "{fix}/big.npz"
	longTrain := []string{"train", "-data", big, "-layers", "100", "-cd", "100000", "-epochs", "1000", "-o", "{out}/t.npz"}
	// Near K_c, where tau_int and so the equilibration are longest: 7 s on
	// an idle Zen 5 (2.4 s at the default K = 0.408, too close to the
	// signal for a faster machine).
	longSample := []string{"sample", "-L", "64", "-n", "100000", "-beta", "0.44", "-o", "{out}/s.npy"}
	sig := func(name string, s syscall.Signal, args []string, keep ...string) advCase {
		code := 128 + int(s)
		return advCase{name: name, args: args, code: code, signal: s, after: 1200 * time.Millisecond, slow: true, keep: keep}
	}
	return []advCase{
		sig("signal/train-cd-term", syscall.SIGTERM, longTrain, "t.npz.ckpt"),
		sig("signal/train-cd-int", syscall.SIGINT, longTrain, "t.npz.ckpt"),
		sig("signal/train-epochs-term", syscall.SIGTERM, []string{"train", "-data", big, "-layers", "50", "-epochs", "100000", "-batch", "10", "-o", "{out}/t.npz"}, "t.npz.ckpt"),
		sig("signal/eval-ais-term", syscall.SIGTERM, []string{"eval", "-model", bigModel, "-data", big, "-layers", "1", "-ais-steps", "10000000"}),
		sig("signal/eval-ais-int", syscall.SIGINT, []string{"eval", "-model", bigModel, "-data", big, "-layers", "1", "-ais-steps", "10000000", "-ais-runs", "1000"}),
		sig("signal/sample-term", syscall.SIGTERM, longSample),
		// Three couplings of 50,000 samples take several seconds even with
		// the fastest streams (two of 20,000 took about one with SFC64,
		// too close to the signal).
		sig("signal/sample-int-several", syscall.SIGINT, []string{"sample", "-L", "48", "-n", "50000", "-beta", "0.3,0.4,0.44", "-o", "{out}/set"},
			"set", "set/beta_0.3000.npy", "set/beta_0.4000.npy"),
		// -quick alone takes about 2 s on an idle Zen 5, too close to the
		// signal; 100,000 epochs keep the trainings going.
		sig("signal/replicate-term", syscall.SIGTERM, []string{"replicate", "-quick", "-epochs", "30000", "-o", "{out}/r"}, "*"),
		// SIGKILL cannot be caught: atomic writes of a new file leave nothing
		// (an unnamed O_TMPFILE until complete), and periodic checkpoints are
		// complete or absent. Overwriting the checkpoint links the complete
		// file under a hidden name of this process and renames it over the
		// old one; a kill between the two leaves that hidden file (it failed
		// CI once, 2026-12-06), which the next write of the path removes
		// (core/npy's TestAtomicKill).
		sig("signal/sample-kill", syscall.SIGKILL, longSample),
		sig("signal/train-kill", syscall.SIGKILL, []string{"train", "-data", big, "-layers", "50", "-epochs", "100000", "-batch", "10",
			"-checkpoint-every", "1", "-o", "{out}/t.npz"}, "t.npz.ckpt", ".t.npz.ckpt.tmp-*"),
	}
}
