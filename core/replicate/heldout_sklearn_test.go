package replicate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/isingrbm/isingrbm/asm/f32"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/stats"
)

// TestHeldOutAgainstScikitLearn trains our sklearn preset and real
// scikit-learn (bench/peers/sklearn_heldout.py) with three seeds each on the
// same training file and compares the deterministic pseudo-log-likelihood
// and the reconstruction error on the same held-out test set: the means
// must agree within the spread over seeds.
func TestHeldOutAgainstScikitLearn(t *testing.T) {
	py := systemPythonSklearn(t)
	if testing.Short() {
		t.Skip("trains six RBMs (a few seconds); skipped in -short")
	}
	s := QuickSettings()
	s.Networks, s.Seeds, s.TestN, s.SklearnEpochs = []string{"sklearn"}, 3, 1000, 5
	s.Layers = []int{64}
	s.FlowSteps, s.FlowDepth = 1, 1
	dir := t.TempDir()
	cfg := Config{Out: dir, Settings: s, Version: "test"}
	specs, err := Plan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range specs { // data, test set and training only
		if sp.Kind == "data" || sp.Kind == "testdata" || sp.Kind == "train" {
			if err := RunStage(context.Background(), cfg, sp.Key); err != nil {
				t.Fatal(err)
			}
		}
	}
	test, err := (&replicator{out: dir}).loadConfigs(testRel(0))
	if err != nil {
		t.Fatal(err)
	}
	ws := f32.NewWorkspace(0)
	var ourPLL, ourRec []float64
	for i := 0; i < s.Seeds; i++ {
		dbn, _, err := rbm.LoadDBN(filepath.Join(dir, filepath.FromSlash(modelRel("sklearn", replica{0, i}))))
		if err != nil {
			t.Fatal(err)
		}
		l := dbn.Layers[0]
		ourPLL = append(ourPLL, stats.Mean(l.PseudoLikelihoodAll(ws, test)))
		ourRec = append(ourRec, l.ReconstructionError(ws, test))
	}

	script := filepath.Join("..", "..", "bench", "peers", "sklearn_heldout.py")
	cmd := exec.Command(py, script, "-train", filepath.Join(dir, filepath.FromSlash(dataRel(0))), "-test", filepath.Join(dir, filepath.FromSlash(testRel(0))),
		"-seeds", "1,2,3", "-hidden", fmt.Sprint(s.Layers[0]), "-iter", fmt.Sprint(s.SklearnEpochs), "-batch", "10", "-lr", "0.1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, stderr.String())
	}
	var skPLL, skRec []float64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct {
			PLL   float64 `json:"pll"`
			Recon float64 `json:"recon"`
			Rows  int     `json:"test_rows"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v: %s", script, err, sc.Text())
		}
		if r.Rows != s.TestN {
			t.Fatalf("scikit-learn evaluated %d test rows, want %d", r.Rows, s.TestN)
		}
		skPLL, skRec = append(skPLL, r.PLL), append(skRec, r.Recon)
	}
	if len(skPLL) != 3 {
		t.Fatalf("scikit-learn gave %d seeds:\n%s", len(skPLL), out)
	}
	for _, m := range []struct {
		name    string
		us, sk  []float64
		relSlop float64
	}{{"held-out pseudo-LL", ourPLL, skPLL, 0.02}, {"held-out reconstruction error", ourRec, skRec, 0.02}} {
		a, b := SpreadOf(m.us), SpreadOf(m.sk)
		t.Logf("%s: ours %s, scikit-learn %s", m.name, a.Text(), b.Text())
		// Agreement: the means differ by less than three times the larger
		// seed spread plus 2% (the two trainers fit 90% and 100% of the
		// rows and draw different random numbers).
		tol := 3*math.Max(float64(a.Std), float64(b.Std)) + m.relSlop*math.Abs(float64(b.Mean))
		if d := math.Abs(float64(a.Mean - b.Mean)); !(d <= tol) {
			t.Errorf("%s: ours %s vs scikit-learn %s differ by %.4g > %.4g", m.name, a.Text(), b.Text(), d, tol)
		}
	}
	if _, err := os.Stat(script); err != nil {
		t.Fatal(err)
	}
}
