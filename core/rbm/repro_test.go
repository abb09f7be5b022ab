package rbm

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/asm"
	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/bitlattice"
)

// The promise that makes isingrbm an oracle: the same seed gives the same
// model bytes on every CPU, every kernel implementation and every thread
// count. TestReproducibleDBN trains a small two-layer DBN on sampler data
// under every f32 implementation this machine (or emulator) can run, at 1, 2
// and 3 threads, requires byte-identical W, b and c from all of them, and
// compares their SHA-256 with the value committed in
// testdata/repro/dbn.sha256. That file was written on one machine; CI runs
// the same test with -tags purego, GODEBUG=cpu.avx512f=off, cpu.avx2=off and
// under qemu-aarch64 (NEON), so every build checks the same bytes.
//
// After a deliberate change of the arithmetic (a new kernel order, a new
// random stream), regenerate with
//
//	go test ./core/rbm -run TestReproducibleDBN -update-repro
//
// and say in the commit why the bytes changed.
var updateRepro = flag.Bool("update-repro", false, "rewrite testdata/repro/dbn.sha256 and split.sha256")

const (
	reproFile      = "../../testdata/repro/dbn.sha256"
	reproSplitFile = "../../testdata/repro/split.sha256"
)

// checkReproFile compares want with the committed file path, or with
// -update-repro writes it.
func checkReproFile(t *testing.T, path, want string) {
	t.Helper()
	if *updateRepro {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-repro to create it)", err)
	}
	if string(b) != want {
		t.Errorf("trained bytes differ from %s (written on another machine or before a change):\n got: %s want: %s"+
			"a data mismatch means the data's generator changed; a model mismatch with equal data means the training arithmetic did",
			path, want, b)
	}
}

// reproData samples the training set: 240 configurations of an 8 x 8 Ising
// lattice at K = 0.408, exactly as `isingrbm sample` would.
func reproData(t *testing.T) *Dataset {
	t.Helper()
	res, err := bitlattice.Sample(bitlattice.Options{L: 8, K: 0.408, N: 240, Seed: 7, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return &Dataset{N: 240, D: 64, X: res.Configs}
}

// reproConfig is a recipe that exercises every kernel of training: products
// in all three forms, sigmoid, Bernoulli sampling of hidden and visible
// units (CD-2 samples the intermediate visibles), momentum, L1 and L2,
// shuffling and the validation monitor.
func reproConfig(threads int) Config {
	cfg, err := Preset("mehta-schwab")
	if err != nil {
		panic(err)
	}
	cfg.Epochs = 3
	cfg.Batch = 20
	cfg.CDK = 2
	cfg.L2 = 1e-4
	cfg.Shuffle = true
	cfg.ValidationFraction = 0.1
	cfg.Seed = 11
	cfg.Threads = threads
	cfg.CheckpointEvery = 0
	cfg.CheckpointPath = ""
	cfg.SnapshotEvery = 0
	return cfg
}

// modelHash returns the SHA-256 of the layers' W, b and c as little-endian
// float32, layer by layer, and the hash of the training data.
func modelHash(d *DBN) string {
	h := sha256.New()
	put := func(name string, x []float32) {
		fmt.Fprintf(h, "%s:%d:", name, len(x))
		writeFloats(h, x)
	}
	for i, l := range d.Layers {
		put(fmt.Sprintf("W%d", i), l.W)
		put(fmt.Sprintf("b%d", i), l.B)
		put(fmt.Sprintf("c%d", i), l.C)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func dataHash(d *Dataset) string {
	s := sha256.Sum256(d.X)
	return hex.EncodeToString(s[:])
}

func TestReproducibleDBN(t *testing.T) {
	data := reproData(t)
	first := sameModelEverywhere(t, "", func(th int) (*DBN, error) {
		d, _, err := TrainDBN(context.Background(), data, []int{64, 24, 8}, reproConfig(th), nil)
		return d, err
	})
	if t.Failed() || first == "" {
		return
	}
	checkReproFile(t, reproFile, fmt.Sprintf("data %s\nmodel %s\n", dataHash(data), first))
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestReproducibleSplitProducts trains with mini-batches whose products
// are large enough to be split across threads (the DBN of
// TestReproducibleDBN is too small for that), in CD-2 with sampled
// visibles and in PCD-2, on binary data (every product with a 0/1
// operand goes through the Bits products) and on probabilities (the batch
// is then replicated on every thread, f32.Workspace.Replicate). The model
// must be the same bit for bit at 1, 2 and 3 threads under every
// implementation, and its SHA-256 the one committed in
// testdata/repro/split.sha256 (with the data's), so that other CPUs and
// architectures check the same bytes (CI runs it under qemu-aarch64 too).
// Further lines: the centered RBM (Config.Center) in CD-2 and PCD-2 with
// the flip move (Config.FlipMove) on the binary data, 1280 visible units
// (the k-split), the running hidden offsets (Config.CenterSlide) on 320
// hidden units, and the centered RBM with the flip move on 320 -> 320.
func TestReproducibleSplitProducts(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 256 -> 128 RBMs per implementation and thread count")
	}
	binary := randomBinary(400, 256, 0.3, 5)
	probs := &Dataset{N: binary.N, D: binary.D, P: make([]float32, len(binary.X))}
	g := rng.New(6)
	for i := range probs.P {
		probs.P[i] = float32(g.Float64())
	}
	var want strings.Builder
	fmt.Fprintf(&want, "data %s\nprobabilities %s\n", dataHash(binary), floatHash(probs.P))
	for _, data := range []*Dataset{binary, probs} {
		for _, pcd := range []bool{false, true} {
			what := fmt.Sprintf("binary=%v pcd=%v", data.X != nil, pcd)
			h := sameModelEverywhere(t, what+": ", func(th int) (*DBN, error) {
				cfg := reproConfig(th)
				cfg.Epochs, cfg.Batch, cfg.CDK, cfg.PCD = 1, 100, 2, pcd
				cfg.SampleVisibles = true
				cfg.ValidationFraction = 0
				d, _, err := TrainDBN(context.Background(), data, []int{256, 128}, cfg, nil)
				return d, err
			})
			fmt.Fprintf(&want, "%s model %s\n", what, h)
		}
	}
	// The centered RBM's correction and bias products are split too.
	h := sameModelEverywhere(t, "centered: ", func(th int) (*DBN, error) {
		cfg := reproConfig(th)
		cfg.Epochs, cfg.Batch, cfg.CDK, cfg.Center = 1, 100, 2, true
		cfg.ValidationFraction = 0
		d, _, err := TrainDBN(context.Background(), binary, []int{256, 128}, cfg, nil)
		return d, err
	})
	fmt.Fprintf(&want, "binary=true pcd=false centered model %s\n", h)
	// PCD-2 with the flip move (Config.FlipMove): its free energies (products
	// and softplus sums), uniforms and sigmoid, on sampled visibles in the
	// first step and probabilities in the second; then on sampled visibles
	// in both, where the last step's accepted flips (their hidden inputs
	// (c + colsum(W)) - vW) enter the gradient: the probability vectors of
	// the first run rarely take the move, so its bytes alone would not show
	// a change in the move's arithmetic.
	for _, sampled := range []bool{false, true} {
		name := map[bool]string{false: "flip", true: "flip sampled"}[sampled]
		h = sameModelEverywhere(t, name+": ", func(th int) (*DBN, error) {
			cfg := reproConfig(th)
			cfg.Epochs, cfg.Batch, cfg.CDK, cfg.PCD, cfg.FlipMove = 1, 100, 2, true, true
			cfg.SampleVisibles = sampled
			cfg.ValidationFraction = 0
			d, hist, err := TrainDBN(context.Background(), binary, []int{256, 128}, cfg, nil)
			checkFlipped(t, name, hist, err)
			return d, err
		})
		fmt.Fprintf(&want, "binary=true pcd=true %s model %s\n", name, h)
	}
	// 1280 visible units: v W splits along k (f32's kSplit, its TestKSplit)
	// on 2 and 3 threads, at batch 100 and at batch 10 (five k-blocks: 512
	// + 768 and 256 + 512 + 512); CD-1.
	wide := randomBinary(100, 1280, 0.3, 7)
	fmt.Fprintf(&want, "data 1280 %s\n", dataHash(wide))
	for _, batch := range []int{100, 10} {
		what := fmt.Sprintf("binary=true 1280 -> 400 batch=%d", batch)
		h := sameModelEverywhere(t, what+": ", func(th int) (*DBN, error) {
			cfg := reproConfig(th)
			cfg.Epochs, cfg.Batch, cfg.CDK = 1, batch, 1
			cfg.ValidationFraction = 0
			d, _, err := TrainDBN(context.Background(), wide, []int{1280, 400}, cfg, nil)
			return d, err
		})
		fmt.Fprintf(&want, "%s model %s\n", what, h)
	}
	// Running hidden offsets (Config.CenterSlide) with more hidden units
	// than a k-block (f32's kc, 256): slideAndDerive's product W [lam,
	// delta] then sums two blocks, which the 64 -> 24 -> 8 DBN of
	// TestReproducibleDBNCentered never does (96372f8 changed that sum's
	// rounding, and so the running preset's 1600 -> 400 models, without a
	// change of its hash).
	h = sameModelEverywhere(t, "centered running: ", func(th int) (*DBN, error) {
		cfg := reproConfig(th)
		cfg.Epochs, cfg.Batch, cfg.Center, cfg.CenterSlide = 1, 100, true, 0.05
		cfg.ValidationFraction = 0
		d, _, err := TrainDBN(context.Background(), binary, []int{256, 320}, cfg, nil)
		return d, err
	})
	fmt.Fprintf(&want, "binary=true 256 -> 320 centered running model %s\n", h)
	// More than one k-block on both sides of W (320 visible and hidden
	// units) through the centered step with fixed offsets and the flip
	// move in PCD-2: the callers' own arithmetic around the products (the
	// derived biases, the correction rows, the free energies) meets sums
	// of two blocks everywhere (the line above has the running offsets'
	// two-block sum).
	sq := randomBinary(400, 320, 0.3, 8)
	fmt.Fprintf(&want, "data 320 %s\n", dataHash(sq))
	h = sameModelEverywhere(t, "320 -> 320 centered flip: ", func(th int) (*DBN, error) {
		cfg := reproConfig(th)
		cfg.Epochs, cfg.Batch, cfg.CDK, cfg.PCD, cfg.FlipMove, cfg.Center = 1, 100, 2, true, true, true
		cfg.ValidationFraction = 0
		d, hist, err := TrainDBN(context.Background(), sq, []int{320, 320}, cfg, nil)
		checkFlipped(t, "320 -> 320 centered flip", hist, err)
		return d, err
	})
	fmt.Fprintf(&want, "binary=true 320 -> 320 pcd=true centered flip model %s\n", h)
	if !t.Failed() {
		checkReproFile(t, reproSplitFile, want.String())
	}
}

// checkFlipped reports a training with the flip move (what) whose first
// epoch accepted no flip, so that its bytes would not show a change in the
// move's arithmetic.
func checkFlipped(t *testing.T, what string, hist *History, err error) {
	t.Helper()
	if err != nil {
		return
	}
	if a := hist.Layers[0][0].FlipAccept; a == nil || !(*a > 0) {
		t.Errorf("%s: acceptance %v: no chain flipped, the move's branch is not tested", what, a)
	}
}

// floatHash is the SHA-256 of x as little-endian float32.
func floatHash(x []float32) string {
	h := sha256.New()
	writeFloats(h, x)
	return hex.EncodeToString(h.Sum(nil))
}

// writeFloats writes x to w as little-endian float32.
func writeFloats(w io.Writer, x []float32) {
	var buf [4]byte
	for _, v := range x {
		binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
		w.Write(buf[:])
	}
}

// sameModelEverywhere trains with train(threads) at 1, 2 and 3 threads
// under every f32 implementation the machine can run, reports (prefixed by
// what) any model whose bytes differ from another's, and returns the
// common model hash ("" when none was trained).
func sameModelEverywhere(t *testing.T, what string, train func(threads int) (*DBN, error)) string {
	t.Helper()
	got := map[string]string{} // "impl/threads" -> model hash
	asmtest.TestAll(t, "f32", func(t *testing.T) {
		for _, th := range []int{1, 2, 3} {
			d, err := train(th)
			if err != nil {
				t.Fatal(err)
			}
			got[fmt.Sprintf("%s/%d", asm.Active("f32"), th)] = modelHash(d)
		}
	})
	var first, firstKey string
	for k, h := range got {
		if first == "" {
			first, firstKey = h, k
		}
		if h != first {
			t.Errorf("%smodel bytes differ between kernels/threads: %s gives %s, %s gives %s", what, firstKey, first, k, h)
		}
	}
	if first != "" && !t.Failed() {
		t.Logf("%s%d runs (%v) give identical bytes: %s", what, len(got), keys(got), first[:16])
	}
	return first
}
