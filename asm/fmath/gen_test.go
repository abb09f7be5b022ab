package fmath

// splitmix64 makes the test inputs (asm/rng imports this package, so its
// tests cannot use asm/rng).
type splitmix64 uint64

func newGen(seed uint64) *splitmix64 { g := splitmix64(seed); return &g }

func (g *splitmix64) Uint64() uint64 {
	*g += 0x9e3779b97f4a7c15
	z := uint64(*g)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Float64 returns a uniform number in [0, 1) with 53 random bits.
func (g *splitmix64) Float64() float64 { return float64(g.Uint64()>>11) * 0x1p-53 }
