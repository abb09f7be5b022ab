package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/isingrbm/isingrbm/core/interrupt"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/replicate"
)

func init() {
	commands["replicate"] = command{
		summary: "run the Mehta-Schwab replication: sample, train three networks, evaluate, analyse, report",
		run:     runReplicate,
	}
}

// replicateFlags are the flags of the replicate command besides the
// settings' overrides (replicate.SettingsParams).
type replicateFlags struct {
	fs           *flag.FlagSet
	out, readme  *string
	quick, force *bool
}

func newReplicateFlags(stdout io.Writer) *replicateFlags {
	fs := newFlagSet("replicate", stdout)
	f := &replicateFlags{fs: fs}
	f.out = fs.String("o", filepath.Join("out", "replicate"), "output folder")
	f.quick = fs.Bool("quick", false, quickUsage)
	f.force = fs.Bool("force", false, "recompute every stage even when its key matches")
	param.AddFlags(fs, replicate.SettingsParams(), nil)
	f.readme = fs.String("readme", "", "after the run, regenerate the results section of this README (figures go to docs/replicate beside it)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: isingrbm replicate [-o out/replicate] [-quick] [overrides]")
		fs.PrintDefaults()
	}
	return f
}

const quickUsage = "the same pipeline at small sizes (L=16, 2000 samples, layers 64,16,4, 10 epochs): seconds (2 s on a 2-core Zen 4)"

func runReplicate(args []string, stdout, stderr io.Writer) error {
	f := newReplicateFlags(stdout)
	if err := parseFlags(f.fs, args); err != nil {
		return err
	}
	s, err := replicate.SettingsFromFlags(f.fs, *f.quick, replicate.SettingsParams())
	if err != nil {
		return asUsage(err)
	}
	out := *f.out
	if err := replicate.PrepareRun(s, out, *f.readme); err != nil {
		return asUsage(err)
	}
	defer limitMemoryToPlan()()
	board := newProgressBoard(stderr)
	err = replicate.Run(interrupt.Context(), replicate.Config{Out: out, Settings: s, Force: *f.force, Log: board.around(stdout), Notes: board.around(stderr),
		Progress: func(label string) replicate.Task { return board.task(label) }})
	if err != nil {
		return interrupt.Interrupted(err, "finished stages are kept, rerun the same command to continue")
	}
	fmt.Fprintf(stdout, "report: %s\nsummary: %s\n", filepath.Join(out, "report", "index.html"), filepath.Join(out, "summary.json"))
	if *f.readme != "" {
		if err := replicate.UpdateReadme(*f.readme, out, ""); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "readme: %s\n", *f.readme)
	}
	return nil
}
