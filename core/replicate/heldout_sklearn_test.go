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
// scikit-learn (bench/peers/sklearn_heldout.py) with five seeds each on the
// same training file and compares the deterministic pseudo-log-likelihood
// and the reconstruction error on the same held-out test set: the means
// must agree within 4 standard errors of their difference (plus 1%), and a
// scikit-learn trained for 2 epochs instead of 5 must not.
func TestHeldOutAgainstScikitLearn(t *testing.T) {
	py := systemPythonSklearn(t)
	if testing.Short() {
		t.Skip("trains six RBMs (a few seconds); skipped in -short")
	}
	s := QuickSettings()
	s.Networks, s.Seeds, s.TestN, s.SklearnEpochs = []string{"sklearn"}, 5, 1000, 5
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
	peer := func(iter int) (pll, rec []float64) {
		cmd := exec.Command(py, script, "-train", filepath.Join(dir, filepath.FromSlash(dataRel(0))), "-test", filepath.Join(dir, filepath.FromSlash(testRel(0))),
			"-seeds", "1,2,3,4,5", "-hidden", fmt.Sprint(s.Layers[0]), "-iter", fmt.Sprint(iter), "-batch", "10", "-lr", "0.1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, stderr.String())
		}
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
			pll, rec = append(pll, r.PLL), append(rec, r.Recon)
		}
		if len(pll) != s.Seeds {
			t.Fatalf("scikit-learn gave %d seeds, want %d:\n%s", len(pll), s.Seeds, out)
		}
		return pll, rec
	}
	// Agreement: the means differ by at most 4 standard errors of their
	// difference, sqrt(sd_a^2/n_a + sd_b^2/n_b), plus 1% of the mean for
	// what separates the two trainers beyond chance: ours fits 90% of the
	// rows (10% are its validation set), scikit-learn all of them.
	agree := func(us, sk []float64) (a, b Spread, d, tol float64) {
		a, b = SpreadOf(us), SpreadOf(sk)
		se := math.Sqrt(float64(a.Std*a.Std)/float64(a.N) + float64(b.Std*b.Std)/float64(b.N))
		d = math.Abs(float64(a.Mean - b.Mean))
		return a, b, d, 4*se + 0.01*math.Abs(float64(b.Mean))
	}
	skPLL, skRec := peer(s.SklearnEpochs)
	measures := []struct {
		name   string
		us, sk []float64
	}{{"held-out pseudo-LL", ourPLL, skPLL}, {"held-out reconstruction error", ourRec, skRec}}
	for _, m := range measures {
		a, b, d, tol := agree(m.us, m.sk)
		t.Logf("%s: ours %s, scikit-learn %s: differ by %.3g, tolerance %.3g", m.name, a.Text(), b.Text(), d, tol)
		if !(d <= tol) {
			t.Errorf("%s: ours %s vs scikit-learn %s differ by %.4g > %.4g", m.name, a.Text(), b.Text(), d, tol)
		}
	}
	// The criterion can fail: scikit-learn trained for two epochs instead
	// of five must differ from ours in at least one measure (2026-12-03:
	// pseudo-LL by 11.9 against a tolerance of 10.6, reconstruction error
	// by 6.9 against 4.0; after one epoch by 30 and 16).
	shortPLL, shortRec := peer(2)
	caught := false
	for i, sk := range [][]float64{shortPLL, shortRec} {
		a, b, d, tol := agree(measures[i].us, sk)
		t.Logf("%s, scikit-learn after 2 epochs: ours %s, scikit-learn %s: differ by %.3g, tolerance %.3g", measures[i].name, a.Text(), b.Text(), d, tol)
		caught = caught || d > tol
	}
	if !caught {
		t.Error("scikit-learn trained for 2 epochs instead of 5 passes the agreement criterion")
	}
	if _, err := os.Stat(script); err != nil {
		t.Fatal(err)
	}
}
