package replicate

import (
	"flag"
	"fmt"
	"os"

	"github.com/isingrbm/isingrbm/core/npy"
	"github.com/isingrbm/isingrbm/core/param"
)

// What the replicate command needs besides the run itself: the settings of
// a command line and the checks before a run (the sample command's job is
// SampleJob; bad input is a param.InputError).

// SettingsFromFlags returns the paper's settings (with quick, QuickSettings)
// with the overrides of ps given on fs applied (param.ApplyFlags after
// param.AddFlags), the flow's depth cut to the layers; the error names the
// first bad flag.
func SettingsFromFlags(fs *flag.FlagSet, quick bool, ps []param.Param[Settings]) (Settings, error) {
	s := PaperSettings()
	if quick {
		s = QuickSettings()
	}
	if err := param.ApplyFlags(fs, ps, &s); err != nil {
		return s, err
	}
	s.FlowDepth = min(s.FlowDepth, len(s.Layers))
	return s, nil
}

// PrepareRun checks what the replicate command is given before it runs:
// the settings' limits (Settings.CheckLimits), the README to update (-readme,
// CheckReadme; "" for none), and the output folder -o, which it creates.
// Every error is about the input and names its flag.
func PrepareRun(s Settings, out, readme string) error {
	if err := s.CheckLimits(); err != nil {
		return err
	}
	if readme != "" {
		if err := CheckReadme(readme); err != nil {
			return fmt.Errorf("-readme: %v", err)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("-o: cannot create folder %s: %v", out, err)
	}
	return npy.CheckDirFlag("o", out)
}
