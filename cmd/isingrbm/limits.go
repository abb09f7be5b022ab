package main

import (
	"fmt"

	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/replicate"
)

// checkReplicateSettings bounds replicate's settings as train, eval and
// sample bound their flags, before the pipeline starts: loop counts, and
// the memory of its largest sampling, training and evaluation.
func checkReplicateSettings(s replicate.Settings) error {
	err := checkInts(
		intRule{"epochs", s.Epochs, 1, maxEpochs, ""},
		intRule{"sklearn-epochs", s.SklearnEpochs, 1, maxEpochs, ""},
		intRule{"ais-runs", s.AISRuns, 2, maxAISRuns, ""},
		intRule{"L", s.L, 4, maxSampleL, "the sampler's chain is not ergodic below 4"})
	if err != nil {
		return err
	}
	if len(s.Layers) == 0 {
		return badInput("-layers: want at least one hidden layer")
	}
	for _, c := range []struct {
		flag string
		n    int
	}{{"n", s.N}, {"sweep-n", s.SweepN}, {"test-n", s.TestN}, {"analysis-samples", s.AnalysisSamples}} {
		if err := sampleMemory(c.flag, s.L, c.n, 0); err != nil {
			return err
		}
	}
	sizes := append([]int{s.L * s.L}, s.Layers...)
	cfg, _ := rbm.Preset("mehta-schwab")
	cfg.Epochs = max(s.Epochs, s.SklearnEpochs)
	if err := checkMemory(rbm.EstimateTrainBytes(s.N, false, sizes, cfg),
		fmt.Sprintf("-layers %v on -n %d samples of %dx%d", s.Layers, s.N, s.L, s.L)); err != nil {
		return err
	}
	n := max(s.N, s.TestN)
	if s.EvalSamples > 0 {
		n = min(n, s.EvalSamples)
	}
	steps := s.AISSteps[0] + s.AISSteps[1] + s.AISSteps[2]
	return checkMemory(rbm.EstimateEvalBytes(n, sizes, s.AISRuns, steps),
		fmt.Sprintf("-ais-runs %d and -layers %v on %d samples", s.AISRuns, s.Layers, n))
}
