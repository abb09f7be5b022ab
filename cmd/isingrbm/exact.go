package main

import (
	"io"

	"github.com/isingrbm/isingrbm/core/rbm"

	"github.com/isingrbm/isingrbm/bitlattice/exact"
)

func init() {
	commands["exact"] = command{
		summary: "print the exact energy per spin and specific heat of the L x L torus (Kaufman)",
		run:     runExact,
	}
}

// maxExactWork bounds couplings times L (about two minutes of Kaufman).
const maxExactWork = 1e8

func runExact(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("exact", stderr)
	L := fs.Int("L", 40, "linear lattice size (L x L torus), >= 2")
	betas := fs.String("beta", "0.408", "coupling K = J/kT >= 0: a value, a list a,b,c or a range lo:hi:n (K = 0 is infinite temperature)")
	asJSON := fs.Bool("json", false, "print JSON on stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkInts(intRule{"L", *L, 2, rbm.MaxUnits, "the side of the L x L torus"}); err != nil {
		return err
	}
	// exact writes no files, so couplings may repeat.
	ks, err := couplings("beta", *betas, false)
	if err != nil {
		return err
	}
	// Kaufman's products cost about a microsecond per row of the lattice.
	if float64(len(ks))*float64(*L) > maxExactWork {
		return badInput("-beta %s: %d couplings at -L %d would take hours; want at most %d couplings at this L",
			*betas, len(ks), *L, int(maxExactWork) / *L)
	}
	ctx := interruptContext()
	reps := make([]exact.Report, len(ks))
	for i, k := range ks {
		if ctx.Err() != nil {
			return interrupted(ctx.Err(), "nothing printed")
		}
		reps[i] = exact.NewReport(*L, k)
	}
	switch {
	case *asJSON && len(reps) == 1:
		return printJSON(stdout, reps[0])
	case *asJSON:
		return printJSON(stdout, reps)
	}
	return exact.WriteTable(stdout, reps)
}
