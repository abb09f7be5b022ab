package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/isingrbm/isingrbm/core/interrupt"
	"github.com/isingrbm/isingrbm/core/param"
	"github.com/isingrbm/isingrbm/core/rbm"
	"github.com/isingrbm/isingrbm/core/replicate"

	"github.com/isingrbm/isingrbm/bitlattice/exact"
)

func init() {
	commands["exact"] = command{
		summary: "print the exact energy per spin and specific heat of the L x L torus (Kaufman)",
		run:     runExact,
	}
}

func runExact(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("exact", stdout)
	L := param.Int(fs, "L", 40, fmt.Sprintf("linear lattice size (L x L torus), 2..%d", rbm.MaxUnits))
	betas := fs.String("beta", "0.408", fmt.Sprintf("coupling K = J/kT, 0..%g: a value, a list a,b,c or a range lo:hi:n (K = 0 is infinite temperature)", replicate.MaxCoupling))
	asJSON := fs.Bool("json", false, "print JSON on stdout")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: isingrbm exact [-L 40] [-beta 0.408] [-json]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := param.CheckInt("L", *L, 2, rbm.MaxUnits, "the side of the L x L torus"); err != nil {
		return asUsage(err)
	}
	// exact writes no files, so couplings may repeat.
	ks, err := replicate.ParseCouplings("beta", *betas, false)
	if err != nil {
		return asUsage(err)
	}
	reps, err := exact.NewReports(interrupt.Context(), *L, ks)
	if errors.Is(err, context.Canceled) {
		return interrupt.Interrupted(err, "nothing printed")
	} else if err != nil {
		return asUsage(err)
	}
	switch {
	case *asJSON && len(reps) == 1:
		return printJSON(stdout, reps[0])
	case *asJSON:
		return printJSON(stdout, reps)
	}
	return exact.WriteTable(stdout, reps)
}
