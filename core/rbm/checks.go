package rbm

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/sysmem"
)

// CheckTrainData checks the recipe and hidden sizes against the training
// data before anything is allocated, and returns the layer sizes, visible
// first. An explicit batch (batchGiven) larger than the training samples
// (those -validation leaves) is refused;
// a preset's default is kept (the epoch is then one mini-batch of every
// sample). The memory training needs is checked with sysmem.Check.
// Messages name train's flags.
func (c Config) CheckTrainData(data *DataFile, hidden []int, batchGiven bool) ([]int, error) {
	n, sizes := data.Set.N, append([]int{data.Set.D}, hidden...)
	if batchGiven {
		want := "at most the " + strconv.Itoa(n) + " samples in " + data.Path
		if t := trainRows(n, c.ValidationFraction); t < n {
			want = fmt.Sprintf("at most the %d training samples: the %d in %s less the %d held out by -validation %g", t, n, data.Path, n-t, c.ValidationFraction)
		}
		if err := param.CheckInt("batch", c.Batch, 1, trainRows(n, c.ValidationFraction), want); err != nil {
			return nil, err
		}
	}
	if err := CheckHistoryEpochs(c.Epochs, len(hidden)); err != nil {
		return nil, err
	}
	what := fmt.Sprintf("-layers %v on %d samples of %d units with -batch %d", hidden, n, data.Set.D, c.Batch)
	if c.SnapshotEvery > 0 {
		what += fmt.Sprintf(", -epochs %d and -snapshot-every %d", c.Epochs, c.SnapshotEvery)
	}
	return sizes, sysmem.Check(EstimateTrainBytes(n, !data.Set.Binary(), sizes, c), what)
}

// CheckMemory checks that evaluating n samples with layers of sizes fits
// in memory (sysmem.Check); the message names eval's flags.
func (o EvalOptions) CheckMemory(n int, sizes []int) error {
	return o.checkMemory(o.memoryEstimate(n, sizes), n, sizes)
}

// checkMemory is CheckMemory of the estimate need.
func (o EvalOptions) checkMemory(need float64, n int, sizes []int) error {
	s := o.AISSteps
	return sysmem.Check(need,
		fmt.Sprintf("-ais-runs %d, -ais-steps %d,%d,%d and %d samples of %v units", o.AISRuns, s[0], s[1], s[2], n, sizes))
}

func (o EvalOptions) memoryEstimate(n int, sizes []int) float64 {
	s := o.AISSteps
	return EstimateEvalBytes(n, sizes, o.AISRuns, s[0]+s[1]+s[2])
}

// CheckReadMemory checks that reading the data file path of size bytes,
// given to flag -name, fits in memory (EstimateReadBytes, sysmem.Check).
func CheckReadMemory(name, path string, size int64) error {
	return sysmem.Check(EstimateReadBytes(size), fmt.Sprintf("-%s %s (%s)", name, path, sysmem.Format(float64(size))))
}

// CheckResume checks that resuming from the checkpoint ckpt, whose meta.json
// is m, asks for what m records: want is the recipe asked for (m's recipe
// with the flags given applied); preset and hidden, when not empty, are the
// -preset and -layers given. Messages name train's flags.
func (m Meta) CheckResume(ckpt string, want Config, preset string, hidden []int) error {
	cfg := *m.Config
	if preset != "" && preset != cfg.Preset {
		return fmt.Errorf("-resume: -preset %s, but the checkpoint was made with preset %q", preset, cfg.Preset)
	}
	if d := ConfigDiff(cfg, want); len(d) > 0 {
		return fmt.Errorf("-resume: the checkpoint %s was made with other settings (%s); resume without changing them", ckpt, strings.Join(d, ", "))
	}
	if hidden != nil && !slices.Equal(hidden, m.Sizes[1:]) {
		return fmt.Errorf("-resume: -layers %v, but the checkpoint has layers %v", hidden, m.Sizes[1:])
	}
	return nil
}

// ReadDataFlag reads the .npy file given to flag -name (ReadDataFile) after
// checking that it fits in memory; every error names the flag and the file.
func ReadDataFlag(name, path string) (*DataFile, error) {
	if path == "" {
		return nil, fmt.Errorf("-%s: want a .npy file of configurations, (n, L, L) or (n, D)", name)
	}
	st, err := os.Stat(path)
	if err == nil && st.Mode().IsRegular() {
		if err := CheckReadMemory(name, path, st.Size()); err != nil {
			return nil, err
		}
	}
	d, err := readDataFile(path, st, err)
	if err != nil {
		return nil, fmt.Errorf("-%s: %v", name, err)
	}
	return d, nil
}

// LoadDBNFlag reads the model file given to flag -name without its
// snapshots (LoadDBNLayers: only the layers and meta.json are inflated,
// each checked; Snapshots is nil); errors name the flag.
func LoadDBNFlag(name, path string) (*DBN, error) {
	if path == "" {
		return nil, fmt.Errorf("-%s: want a model file (.npz)", name)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("-%s: %s: no such file", name, path)
	}
	dbn, _, err := LoadDBNLayers(path)
	if err != nil {
		return nil, fmt.Errorf("-%s: %v", name, err)
	}
	return dbn, nil
}
