package replicate

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/isingrbm/isingrbm/core/stats"
)

// requirePythonEnv turns a missing /usr/bin/python3 with numpy and
// scikit-learn into a failure of the independent-implementation checks
// (CI installs them, so there they must run).
const requirePythonEnv = "ISINGRBM_REQUIRE_PYTHON"

// localityPeerArgs are extra arguments for bench/peers/locality.py, for
// showing that the comparison fails when the peer's recipe is broken, for
// example -locality-peer-args='-l1 0' (the L1 penalty switched off).
var localityPeerArgs = flag.String("locality-peer-args", "", "extra arguments of bench/peers/locality.py in TestLocalityIndependent")

// The comparison's tolerances, in standard deviations over training seeds.
const (
	// localityAgreeK: for each recipe and measure, the two implementations
	// agree when their seed ranges [min, max] overlap or their means differ
	// by less than localityAgreeK * sqrt(std_ours^2 + std_peer^2). Three:
	// the two sides draw different random numbers (and scikit-learn's PCD
	// is not our code), so only the distribution over seeds can agree, and
	// with three seeds a standard deviation is itself uncertain by ~50%.
	localityAgreeK = 3.0
	// localityTieK: two recipes whose means differ by less than
	// localityTieK combined seed standard deviations on both sides are a
	// tie, and their order is not judged; a pair resolved on either side
	// must have the same order on the other.
	localityTieK = 2.0
)

// systemPythonSklearn returns /usr/bin/python3 when it has numpy and
// scikit-learn; otherwise it skips t saying why, or fails it under
// ISINGRBM_REQUIRE_PYTHON=1.
func systemPythonSklearn(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	why := ""
	if _, err := os.Stat(py); err != nil {
		why = py + " not found"
	} else if out, err := exec.Command(py, "-c", "import numpy, sklearn").CombinedOutput(); err != nil {
		why = fmt.Sprintf("%s cannot import numpy and sklearn: %s", py, strings.TrimSpace(string(out)))
	}
	if why == "" {
		return py
	}
	if os.Getenv(requirePythonEnv) == "1" {
		t.Fatalf("%s=1 but %s (apt-get install python3-numpy python3-sklearn)", requirePythonEnv, why)
	}
	t.Skipf("%s: the comparison with the independent NumPy/scikit-learn implementation needs them (%s=1 makes this a failure)", why, requirePythonEnv)
	return ""
}

// localitySpread is the median PR, the median disk share and the share of
// live units of one recipe over its training seeds, in the peer's JSON
// layout. The peer measures the live share on its held-out rows, we on the
// analysed training rows: a dead unit answers both alike.
type localitySpread struct {
	PR   Spread `json:"pr_median"`
	Disk Spread `json:"disk_share_median"`
	Live Spread `json:"live_fraction"`
}

// localitySettings are the sizes of the test: small, but trained long
// enough (8,000 rows, 100 epochs: 7,200 CD-1 updates) that both CD
// recipes localize and L1 separates from L2 by several seed standard
// deviations, so that the comparison can fail.
func localitySettings() Settings {
	s := QuickSettings()
	s.N, s.Layers, s.Epochs, s.SklearnEpochs, s.Seeds = 8000, []int{64}, 100, 10, 3
	s.FlowSteps, s.FlowDepth = 1, 1
	return s
}

// ourLocality runs the data, training and analysis stages of replicate
// with settings s into dir and returns each recipe's first-layer median PR,
// median disk share and live share over the training seeds (the numbers
// summary.json reports as ensemble.<recipe>.layers[0].pr_median /
// disk_share_median / live_fraction).
func ourLocality(t *testing.T, dir string, s Settings) map[string]localitySpread {
	t.Helper()
	cfg := Config{Out: dir, Settings: s, Version: "test"}
	specs, err := Plan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range specs {
		if sp.Kind == "data" || sp.Kind == "train" || sp.Kind == "analyse" {
			if err := RunStage(context.Background(), cfg, sp.Key); err != nil {
				t.Fatalf("%s: %v", sp.Name, err)
			}
		}
	}
	out := map[string]localitySpread{}
	for _, net := range s.Networks {
		var pr, disk, live []float64
		for i := 0; i < s.Seeds; i++ {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(analysisRel(net, replica{0, i}))))
			if err != nil {
				t.Fatal(err)
			}
			var a analysisResult
			if err := json.Unmarshal(b, &a); err != nil {
				t.Fatalf("%s seed %d: %v", net, i, err)
			}
			if len(a.Layers) == 0 {
				t.Fatalf("%s seed %d: no layers analysed", net, i)
			}
			pr, disk, live = append(pr, float64(a.Layers[0].PR.Median)), append(disk, float64(a.Layers[0].Disk.Median)), append(live, float64(a.Layers[0].Live))
		}
		out[net] = localitySpread{PR: seedSpread(pr), Disk: seedSpread(disk), Live: seedSpread(live)}
	}
	return out
}

// peerLocality runs bench/peers/locality.py on the training data in dir
// with the sizes of s and returns its spreads per recipe.
func peerLocality(t *testing.T, py, dir string, s Settings, extra ...string) map[string]localitySpread {
	t.Helper()
	script := filepath.Join("..", "..", "bench", "peers", "locality.py")
	seeds := make([]string, s.Seeds)
	for i := range seeds {
		seeds[i] = fmt.Sprint(i + 1)
	}
	args := append([]string{script, "-q", "-data", filepath.Join(dir, filepath.FromSlash(dataRel(0))),
		"-hidden", fmt.Sprint(s.Layers[0]), "-epochs", fmt.Sprint(s.Epochs), "-sklearn-epochs", fmt.Sprint(s.SklearnEpochs),
		"-seeds", strings.Join(seeds, ","), "-recipes", strings.Join(s.Networks, ",")}, extra...)
	cmd := exec.Command(py, args...)
	// One BLAS thread: the products are small, and threads fight the
	// test's own on a loaded machine.
	cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", "MKL_NUM_THREADS=1", "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", py, strings.Join(args, " "), err, stderr.String())
	}
	var res struct {
		L       int                       `json:"L"`
		Rows    int                       `json:"rows"`
		Recipes map[string]localitySpread `json:"recipes"`
		Numpy   string                    `json:"numpy"`
		Sklearn string                    `json:"sklearn"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%s: %v:\n%s", script, err, out)
	}
	if res.L != s.L || res.Rows != s.N {
		t.Fatalf("%s read L = %d and %d rows, want %d and %d", script, res.L, res.Rows, s.L, s.N)
	}
	for _, net := range s.Networks {
		if r, ok := res.Recipes[net]; !ok || r.PR.N != s.Seeds || r.Disk.N != s.Seeds || r.Live.N != s.Seeds {
			t.Fatalf("%s: recipe %s missing or without %d seeds:\n%s", script, net, s.Seeds, out)
		}
	}
	t.Logf("peer: numpy %s, scikit-learn %s", res.Numpy, res.Sklearn)
	return res.Recipes
}

// seedSpread is the mean, sample standard deviation, range and values of
// one measure over the training seeds, as summary.json reports it.
func seedSpread(v []float64) Spread {
	s := Spread{N: len(v), Std: stats.Num(math.NaN())}
	lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
	for _, x := range v {
		s.Values = append(s.Values, stats.Num(x))
		lo, hi, sum = math.Min(lo, x), math.Max(hi, x), sum+x
	}
	m := sum / float64(len(v))
	s.Mean, s.Min, s.Max = stats.Num(m), stats.Num(lo), stats.Num(hi)
	if len(v) > 1 {
		ss := 0.0
		for _, x := range v {
			ss += (x - m) * (x - m)
		}
		s.Std = stats.Num(math.Sqrt(ss / float64(len(v)-1)))
	}
	return s
}

// combinedStd is sqrt(a.Std^2 + b.Std^2), missing deviations counted as 0.
func combinedStd(a, b Spread) float64 {
	sd := func(s Spread) float64 {
		if v := float64(s.Std); !math.IsNaN(v) {
			return v
		}
		return 0
	}
	return math.Hypot(sd(a), sd(b))
}

// spreadsAgree is the per-recipe rule: seed ranges overlap, or the means
// differ by less than k combined seed standard deviations.
func spreadsAgree(a, b Spread, k float64) (bool, string) {
	overlap := a.Min <= b.Max && b.Min <= a.Max
	d, c := math.Abs(float64(a.Mean-b.Mean)), combinedStd(a, b)
	return overlap || d < k*c, fmt.Sprintf("|mean diff| %.4g, %g x combined std = %.4g, ranges overlap: %v", d, k, k*c, overlap)
}

// orderOf lists the recipes by increasing mean of a measure.
func orderOf(m map[string]localitySpread, get func(localitySpread) Spread) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return get(m[names[i]]).Mean < get(m[names[j]]).Mean })
	return names
}

// compareLocality returns every disagreement between our spreads and the
// peer's: per recipe and measure (spreadsAgree with localityAgreeK), and
// per pair of recipes the order of their means (a pair resolved, by more
// than localityTieK combined standard deviations, on one side must have
// the same sign on the other).
func compareLocality(t *testing.T, ours, peer map[string]localitySpread, nets []string) []string {
	var bad []string
	measures := []struct {
		name string
		get  func(localitySpread) Spread
	}{{"median PR", func(l localitySpread) Spread { return l.PR }}, {"median disk share", func(l localitySpread) Spread { return l.Disk }},
		{"live share", func(l localitySpread) Spread { return l.Live }}}
	for _, m := range measures {
		for _, net := range nets {
			a, b := m.get(ours[net]), m.get(peer[net])
			ok, why := spreadsAgree(a, b, localityAgreeK)
			t.Logf("%-12s %-17s ours %s | peer %s | %s", net, m.name, a.Text(), b.Text(), why)
			if !ok {
				bad = append(bad, fmt.Sprintf("%s %s: ours %s vs peer %s (%s)", net, m.name, a.Text(), b.Text(), why))
			}
		}
		t.Logf("order by %s (increasing mean): ours %v, peer %v", m.name, orderOf(ours, m.get), orderOf(peer, m.get))
		for i, x := range nets {
			for _, y := range nets[i+1:] {
				do := float64(m.get(ours[x]).Mean - m.get(ours[y]).Mean)
				dp := float64(m.get(peer[x]).Mean - m.get(peer[y]).Mean)
				// A difference of 0 is a tie even with no spread at all (every
				// unit of both recipes alive on every seed).
				so := do != 0 && math.Abs(do) >= localityTieK*combinedStd(m.get(ours[x]), m.get(ours[y]))
				sp := dp != 0 && math.Abs(dp) >= localityTieK*combinedStd(m.get(peer[x]), m.get(peer[y]))
				if (so || sp) && math.Signbit(do) != math.Signbit(dp) {
					bad = append(bad, fmt.Sprintf("order by %s of %s and %s: ours %s - %s = %.4g (resolved: %v), peer %.4g (resolved: %v)",
						m.name, x, y, x, y, do, so, dp, sp))
				}
			}
		}
	}
	return bad
}

// TestLocalityIndependent trains the three recipes with three training
// seeds each, with our replicate (library: data, train and analyse stages)
// and with an independent NumPy / scikit-learn implementation
// (bench/peers/locality.py) on the same training data, and compares the
// first layer's median participation ratio, median disk share and share
// of live units: per
// recipe the spreads over seeds must agree (localityAgreeK) and the
// ordering of the recipes must be the same (localityTieK). It then runs the
// peer's mehta-schwab recipe with its L1 penalty switched off and checks
// that the comparison rejects it: the test can fail.
func TestLocalityIndependent(t *testing.T) {
	py := systemPythonSklearn(t)
	if testing.Short() {
		t.Skip("trains 21 RBMs (about a minute); skipped in -short")
	}
	s := localitySettings()
	dir := t.TempDir()
	t0 := time.Now()
	ours := ourLocality(t, dir, s)
	t1 := time.Now()
	var extra []string
	if *localityPeerArgs != "" {
		extra = strings.Fields(*localityPeerArgs)
	}
	peer := peerLocality(t, py, dir, s, extra...)
	t2 := time.Now()
	t.Logf("L = %d, %d rows, %d hidden, %d epochs (scikit-learn %d), %d seeds each; ours %.1fs, peer %.1fs",
		s.L, s.N, s.Layers[0], s.Epochs, s.SklearnEpochs, s.Seeds, t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds())
	for _, b := range compareLocality(t, ours, peer, s.Networks) {
		t.Error(b)
	}
	if *localityPeerArgs != "" || t.Failed() {
		return
	}

	// Sensitivity: the peer's mehta-schwab without its L1 penalty must be
	// told apart from ours.
	t.Run("L1off", func(t *testing.T) {
		noL1 := peerLocality(t, py, dir, Settings{L: s.L, N: s.N, Layers: s.Layers, Epochs: s.Epochs, SklearnEpochs: s.SklearnEpochs,
			Seeds: s.Seeds, Networks: []string{"mehta-schwab"}}, "-l1", "0")
		broken := map[string]localitySpread{}
		for k, v := range peer {
			broken[k] = v
		}
		broken["mehta-schwab"] = noL1["mehta-schwab"]
		bad := compareLocality(t, ours, broken, s.Networks)
		if len(bad) == 0 {
			t.Fatal("the comparison accepted a peer whose mehta-schwab recipe has no L1 penalty: it cannot tell the recipes apart at these sizes")
		}
		t.Logf("without L1 the comparison fails, as it must: %s", strings.Join(bad, "; "))
	})
}
