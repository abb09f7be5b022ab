package rbm

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/isingrbm/isingrbm/asm/f32"
	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/core/npy"
)

// go test ./core/rbm -run Oracle -update-oracle rewrites ../../testdata/oracle.
var updateOracle = flag.Bool("update-oracle", false, "rewrite testdata/oracle from the brute-force generator")

const oracleDir = "../../testdata/oracle"

// oracleCase is one small RBM with data, whose expected values are computed
// by brute-force enumeration of every joint state (v, h) in float64,
// independently of the package's evaluation code.
type oracleCase struct {
	name   string
	nv, nh int
	n      int     // samples
	sigma  float64 // weight scale
	seed   uint64
}

var oracleCases = []oracleCase{
	{"tiny", 4, 3, 6, 1, 1},
	{"lattice3x3", 9, 4, 10, 1, 2},
	{"wide", 6, 10, 8, 0.5, 3},
	{"strong", 8, 6, 8, 3, 4},
}

// oracleExpect holds the brute-force values of one case.
type oracleExpect struct {
	F, PL                   []float64 // per sample: free energy, deterministic pseudo-log-likelihood
	LogZ, MeanLogLikelihood float64
	GradW, GradB, GradC     []float64 // gradient of the mean log-likelihood
}

func (c oracleCase) model() (*RBM, *Dataset) {
	g := rng.New(1000 + c.seed)
	r := NewRBM(c.nv, c.nh)
	for i := range r.W {
		r.W[i] = float32(c.sigma * g.NormFloat64())
	}
	for i := range r.B {
		r.B[i] = float32(0.5 * g.NormFloat64())
	}
	for i := range r.C {
		r.C[i] = float32(0.5 * g.NormFloat64())
	}
	d := &Dataset{N: c.n, D: c.nv, X: make([]uint8, c.n*c.nv)}
	for i := range d.X {
		d.X[i] = uint8(g.Uint64() & 1)
	}
	return r, d
}

// bruteExpect enumerates every (v, h): log Z, F(v) = -log sum_h exp(-E),
// p(v|...) for the pseudo-likelihood, and the gradient
// <v h>_data - <v h>_model with E[h|v] from the enumeration.
func bruteExpect(r *RBM, d *Dataset) oracleExpect {
	nv, nh := r.NVisible, r.NHidden
	state := func(v []uint8) int {
		s := 0
		for i, x := range v {
			s |= int(x) << i
		}
		return s
	}
	freeE := func(v int) float64 {
		var acc lseBrute
		for h := 0; h < 1<<nh; h++ {
			acc.add(-bruteEnergy(r, v, h))
		}
		return -acc.value()
	}
	var z lseBrute
	for v := 0; v < 1<<nv; v++ {
		for h := 0; h < 1<<nh; h++ {
			z.add(-bruteEnergy(r, v, h))
		}
	}
	e := oracleExpect{LogZ: z.value(), GradW: make([]float64, nv*nh), GradB: make([]float64, nv), GradC: make([]float64, nh)}
	// Data term: E[v_i h_j | v] = v_i p(h_j = 1 | v), by enumeration of h.
	for n := 0; n < d.N; n++ {
		v := state(d.X[n*nv : (n+1)*nv])
		f := freeE(v)
		e.F = append(e.F, f)
		e.MeanLogLikelihood += (-f - e.LogZ) / float64(d.N)
		pl := 0.0
		for k := 0; k < nv; k++ {
			// log p(v_k | v_-k) = -F(v) - log(exp(-F(v)) + exp(-F(v^k)))
			fk := freeE(v ^ 1<<k)
			pl += -f - math.Log(math.Exp(-f)+math.Exp(-fk))
		}
		e.PL = append(e.PL, pl)
		for h := 0; h < 1<<nh; h++ {
			p := math.Exp(-bruteEnergy(r, v, h) + f) // p(h|v)
			for i := 0; i < nv; i++ {
				if v>>i&1 == 0 {
					continue
				}
				for j := 0; j < nh; j++ {
					if h>>j&1 != 0 {
						e.GradW[i*nh+j] += p / float64(d.N)
					}
				}
			}
			for j := 0; j < nh; j++ {
				if h>>j&1 != 0 {
					e.GradC[j] += p / float64(d.N)
				}
			}
		}
		for i := 0; i < nv; i++ {
			e.GradB[i] += float64(v>>i&1) / float64(d.N)
		}
	}
	// Model term by enumeration of every joint state.
	for v := 0; v < 1<<nv; v++ {
		for h := 0; h < 1<<nh; h++ {
			p := math.Exp(-bruteEnergy(r, v, h) - e.LogZ)
			for i := 0; i < nv; i++ {
				if v>>i&1 == 0 {
					continue
				}
				e.GradB[i] -= p
				for j := 0; j < nh; j++ {
					if h>>j&1 != 0 {
						e.GradW[i*nh+j] -= p
					}
				}
			}
			for j := 0; j < nh; j++ {
				if h>>j&1 != 0 {
					e.GradC[j] -= p
				}
			}
		}
	}
	return e
}

// lseBrute is a plain two-pass-free log-sum-exp (kept separate from the
// package's lse so the oracle does not share code with what it checks).
type lseBrute struct{ xs []float64 }

func (l *lseBrute) add(x float64) { l.xs = append(l.xs, x) }
func (l *lseBrute) value() float64 {
	m := math.Inf(-1)
	for _, x := range l.xs {
		m = math.Max(m, x)
	}
	s := 0.0
	for _, x := range l.xs {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}

func writeOracleCase(t *testing.T, c oracleCase, r *RBM, d *Dataset, e oracleExpect) {
	path := filepath.Join(oracleDir, c.name+".npz")
	w, err := npy.CreateNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	check := func(err error) {
		if err != nil {
			w.Abort()
			t.Fatal(err)
		}
	}
	check(w.WriteFloat32("W", []int{c.nv, c.nh}, r.W))
	check(w.WriteFloat32("b", []int{c.nv}, r.B))
	check(w.WriteFloat32("c", []int{c.nh}, r.C))
	check(w.WriteArray("v", "|u1", []int{c.n, c.nv}, d.X))
	check(w.WriteFloat64("free_energy", []int{c.n}, e.F))
	check(w.WriteFloat64("pseudo_log_likelihood", []int{c.n}, e.PL))
	check(w.WriteFloat64("log_z", []int{}, []float64{e.LogZ}))
	check(w.WriteFloat64("mean_log_likelihood", []int{}, []float64{e.MeanLogLikelihood}))
	check(w.WriteFloat64("grad_W", []int{c.nv, c.nh}, e.GradW))
	check(w.WriteFloat64("grad_b", []int{c.nv}, e.GradB))
	check(w.WriteFloat64("grad_c", []int{c.nh}, e.GradC))
	check(w.Close())
}

func readFloat64(t *testing.T, z *npy.NPZ, name string) []float64 {
	t.Helper()
	a := z.Arrays[name]
	if a == nil {
		t.Fatalf("oracle lacks %s", name)
	}
	x, err := a.Float64()
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestOracle checks the package's evaluation against the committed oracle
// files (and, with -update-oracle, first regenerates them): free energies
// (float32 kernels, relative 1e-5), deterministic pseudo-likelihoods
// (1e-4), exact log Z, mean log-likelihood and gradient (float64 paths,
// 1e-9).
func TestOracle(t *testing.T) {
	for _, c := range oracleCases {
		t.Run(c.name, func(t *testing.T) {
			r, d := c.model()
			if *updateOracle {
				writeOracleCase(t, c, r, d, bruteExpect(r, d))
			}
			z, err := npy.ReadNPZ(filepath.Join(oracleDir, c.name+".npz"))
			if err != nil {
				t.Fatal(err)
			}
			wa := z.Arrays["W"]
			r = &RBM{NVisible: wa.Shape[0], NHidden: wa.Shape[1]}
			var e1, e2, e3 error
			r.W, e1 = floatData(c.name+": W", wa)
			r.B, e2 = floatData(c.name+": b", z.Arrays["b"])
			r.C, e3 = floatData(c.name+": c", z.Arrays["c"])
			if err := errors.Join(e1, e2, e3, r.Check()); err != nil {
				t.Fatal(err)
			}
			a := z.Arrays["v"]
			if d, err = DatasetFromArray(c.name+".npz: v", a); err != nil {
				t.Fatal(err)
			}
			near := func(what string, got, want, tol float64) {
				if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
					t.Errorf("%s: %.12g, oracle %.12g", what, got, want)
				}
			}
			ws := f32.NewWorkspace(2)
			for i, f := range r.FreeEnergy(ws, d) {
				near(fmt.Sprintf("F(v[%d])", i), f, readFloat64(t, z, "free_energy")[i], 1e-5)
			}
			for i, p := range r.PseudoLikelihoodAll(ws, d) {
				near(fmt.Sprintf("PL(v[%d])", i), p, readFloat64(t, z, "pseudo_log_likelihood")[i], 1e-4)
			}
			logZ, err := r.ExactLogZ()
			if err != nil {
				t.Fatal(err)
			}
			near("log Z", logZ, readFloat64(t, z, "log_z")[0], 1e-9)
			ll, _ := r.ExactLogLikelihood(d)
			near("mean log-likelihood", ll, readFloat64(t, z, "mean_log_likelihood")[0], 1e-9)
			g, err := r.ExactGradient(d)
			if err != nil {
				t.Fatal(err)
			}
			for name, pair := range map[string][2][]float64{"W": {g.W, readFloat64(t, z, "grad_W")}, "b": {g.B, readFloat64(t, z, "grad_b")}, "c": {g.C, readFloat64(t, z, "grad_c")}} {
				for i := range pair[0] {
					near(fmt.Sprintf("grad %s[%d]", name, i), pair[0][i], pair[1][i], 1e-9)
				}
			}
		})
	}
}

// TestNumpyGolden compares free energies with the values real numpy
// computed from the oracle files (testdata/oracle/check_numpy.py, output
// committed as numpy_golden.json): float32 kernels within 1e-5 relative,
// the float64 path within 1e-12.
func TestNumpyGolden(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(oracleDir, "numpy_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Numpy string                          `json:"numpy"`
		Cases map[string]map[string][]float64 `json:"cases"`
	}
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden.Cases) != len(oracleCases) {
		t.Fatalf("golden file has %d cases, want %d", len(golden.Cases), len(oracleCases))
	}
	for _, c := range oracleCases {
		r, d := c.model()
		want := golden.Cases[c.name]["free_energy"]
		if len(want) != d.N {
			t.Fatalf("%s: %d golden free energies, want %d", c.name, len(want), d.N)
		}
		got := r.FreeEnergy(nil, d)
		v := make([]float32, c.nv)
		for i := range want {
			d.Row(i, v)
			if f := r.freeEnergy64(v); math.Abs(f-want[i]) > 1e-12*math.Max(1, math.Abs(want[i])) {
				t.Errorf("%s: float64 F(v[%d]) %.15g, numpy %.15g", c.name, i, f, want[i])
			}
			if math.Abs(got[i]-want[i]) > 1e-5*math.Max(1, math.Abs(want[i])) {
				t.Errorf("%s: F(v[%d]) %.10g, numpy %.10g", c.name, i, got[i], want[i])
			}
		}
	}
}

// sklearnCase is the input of the real-scikit-learn check of preset
// sklearn: check_numpy.py runs BernoulliRBM._fit on it with a stub
// generator returning these uniforms, and stores the parameters it ends
// with in sklearn_golden.json.
const sklearnEpochs, sklearnN, sklearnNV, sklearnNH = 2, 25, 9, 5

func sklearnTrainConfig() Config {
	cfg, _ := Preset("sklearn")
	cfg.ValidationFraction = 0
	cfg.Seed = 77
	return cfg
}

func writeSklearnCase(t *testing.T) {
	cfg := sklearnTrainConfig()
	cfg.Epochs = 0
	d := randomBinary(sklearnN, sklearnNV, 0.4, 8)
	init, _, err := TrainDBN(context.Background(), d, []int{sklearnNV, sklearnNH}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := init.Layers[0]
	// The uniforms each _fit call draws: u1 (batch x nv) then u2 (batch x nh).
	var u []float32
	for e := 0; e < sklearnEpochs; e++ {
		rnd := f32.NewRand(cfg.Seed, streamID(kindGibbs, 0, e))
		for lo := 0; lo < sklearnN; lo += cfg.Batch {
			u1 := make([]float32, cfg.Batch*sklearnNV)
			u2 := make([]float32, cfg.Batch*sklearnNH)
			rnd.Uniform(u1)
			rnd.Uniform(u2)
			u = append(append(u, u1...), u2...)
		}
	}
	w, err := npy.CreateNPZ(filepath.Join(oracleDir, "sklearn_step.npz"))
	if err != nil {
		t.Fatal(err)
	}
	w.WriteFloat32("W", []int{sklearnNV, sklearnNH}, r.W)
	w.WriteFloat32("b", []int{sklearnNV}, r.B)
	w.WriteFloat32("c", []int{sklearnNH}, r.C)
	w.WriteArray("v", "|u1", []int{sklearnN, sklearnNV}, d.X)
	w.WriteFloat32("uniforms", []int{len(u)}, u)
	w.WriteFloat64("settings", []int{3}, []float64{sklearnEpochs, float64(cfg.Batch), float64(cfg.LR)})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSklearnGolden trains preset sklearn on the case of sklearn_step.npz
// and compares the result with what scikit-learn's own BernoulliRBM._fit
// produced from the same start and uniforms (sklearn_golden.json), within
// 1e-5 (float32 against scikit-learn's float64).
func TestSklearnGolden(t *testing.T) {
	if *updateOracle {
		writeSklearnCase(t)
	}
	b, err := os.ReadFile(filepath.Join(oracleDir, "sklearn_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Sklearn string    `json:"sklearn"`
		W       []float64 `json:"W"`
		B       []float64 `json:"b"`
		C       []float64 `json:"c"`
	}
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	cfg := sklearnTrainConfig()
	cfg.Epochs = sklearnEpochs
	d := randomBinary(sklearnN, sklearnNV, 0.4, 8)
	dbn, _, err := TrainDBN(context.Background(), d, []int{sklearnNV, sklearnNH}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := dbn.Layers[0]
	if len(golden.W) != len(r.W) || len(golden.B) != len(r.B) || len(golden.C) != len(r.C) {
		t.Fatalf("golden shapes %d %d %d", len(golden.W), len(golden.B), len(golden.C))
	}
	for name, p := range map[string]struct {
		got  []float32
		want []float64
	}{"W": {r.W, golden.W}, "b": {r.B, golden.B}, "c": {r.C, golden.C}} {
		for i := range p.got {
			if math.Abs(float64(p.got[i])-p.want[i]) > 1e-5 {
				t.Errorf("%s[%d] = %v, scikit-learn %s: %v", name, i, p.got[i], golden.Sklearn, p.want[i])
			}
		}
	}
}
