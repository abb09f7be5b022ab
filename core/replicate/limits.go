package replicate

import (
	"fmt"

	"github.com/isingrbm/isingrbm/bitlattice"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// CheckLimits bounds s as the command line bounds the flags of train, eval
// and sample, before the pipeline starts: loop counts, and the memory of
// its largest sampling, training and evaluation (against sysmem.Limit).
// Messages name the replicate command's flags ("-epochs 0: want
// 1..1000000").
func (s Settings) CheckLimits() error {
	for _, r := range []struct {
		flag      string
		v, lo, hi int
		why       string
	}{
		{"epochs", s.Epochs, 1, rbm.MaxEpochs, ""},
		{"sklearn-epochs", s.SklearnEpochs, 1, rbm.MaxEpochs, ""},
		{"ais-runs", s.AISRuns, 2, rbm.MaxAISRuns, ""},
		{"L", s.L, 4, bitlattice.MaxSampleL, " (the sampler's chain is not ergodic below 4)"},
	} {
		if r.v < r.lo || r.v > r.hi {
			return fmt.Errorf("-%s %d: want %d..%d%s", r.flag, r.v, r.lo, r.hi, r.why)
		}
	}
	if len(s.Layers) == 0 {
		return fmt.Errorf("-layers: want at least one hidden layer")
	}
	for _, c := range []struct {
		flag string
		n    int
	}{{"n", s.N}, {"sweep-n", s.SweepN}, {"test-n", s.TestN}, {"analysis-samples", s.AnalysisSamples}} {
		if err := CheckSampleMemory(c.flag, s.L, c.n, 0); err != nil {
			return err
		}
	}
	sizes := append([]int{s.L * s.L}, s.Layers...)
	cfg, _ := rbm.Preset("mehta-schwab")
	cfg.Epochs = max(s.Epochs, s.SklearnEpochs)
	if err := sysmem.Check(rbm.EstimateTrainBytes(s.N, false, sizes, cfg),
		fmt.Sprintf("-layers %v on -n %d samples of %dx%d", s.Layers, s.N, s.L, s.L)); err != nil {
		return err
	}
	n := max(s.N, s.TestN)
	if s.EvalSamples > 0 {
		n = min(n, s.EvalSamples)
	}
	steps := s.AISSteps[0] + s.AISSteps[1] + s.AISSteps[2]
	return sysmem.Check(rbm.EstimateEvalBytes(n, sizes, s.AISRuns, steps),
		fmt.Sprintf("-ais-runs %d and -layers %v on %d samples", s.AISRuns, s.Layers, n))
}

// CheckSampleMemory refuses sampling n L x L configurations with replicas
// chains (0: automatic) when the samples and lattices would pass the
// sampler's bitlattice.MaxBytes or what this process can get
// (sysmem.Check). The message names -nFlag and -L, or -replicas and -L
// when the lattices dominate ("-n 20000 -L 40: need about ...").
func CheckSampleMemory(nFlag string, L, n, replicas int) error {
	m := bitlattice.MemoryEstimate(L, n, replicas)
	what := fmt.Sprintf("-%s %d -L %d", nFlag, n, L)
	if m.Lattices > m.Samples {
		what = fmt.Sprintf("-replicas %d -L %d", m.Replicas, L)
	}
	if m.Total() > bitlattice.MaxBytes {
		return fmt.Errorf("%s: need about %s of samples and lattices, more than the sampler's %s; lower them",
			what, sysmem.Format(m.Total()), sysmem.Format(bitlattice.MaxBytes))
	}
	return sysmem.Check(m.Total(), what)
}
