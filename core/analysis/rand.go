package analysis

import "github.com/isingrbm/isingrbm/asm/rng"

func newRand(seed uint64) *rng.Xoshiro256 {
	g := rng.New(seed)
	return &g
}
