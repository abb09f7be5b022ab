package rbm

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
	"github.com/isingrbm/isingrbm/asm/f32"
	"github.com/isingrbm/isingrbm/asm/rng"
	"github.com/isingrbm/isingrbm/core/stats"
)

// flipRBM is an 8 x 4 RBM whose p(v) and p(1 - v) differ by a factor
// e^3.3 on average over p (|F(1 - v) - F(v)|), so that the flip move has
// work to do (it accepts 19% of the proposals from p), with its exact p(v)
// over the 256 visible states (bruteFreeEnergy).
func flipRBM() (*RBM, []float64) {
	r := randomRBM(8, 4, 0.5, 31)
	p := make([]float64, 1<<r.NVisible)
	var z lse
	for v := range p {
		p[v] = -bruteFreeEnergy(r, v)
		z.add(p[v])
	}
	for v := range p {
		p[v] = math.Exp(p[v] - z.value())
	}
	return r, p
}

// setRow writes the bits of state v into row i of x (nv units).
func setRow(x []float32, i, nv, v int) {
	for k := 0; k < nv; k++ {
		x[i*nv+k] = float32(v >> k & 1)
	}
}

func rowState(x []float32, i, nv int) int {
	v := 0
	for k := 0; k < nv; k++ {
		if x[i*nv+k] != 0 {
			v |= 1 << k
		}
	}
	return v
}

// The flip move of Config.FlipMove leaves p(v) unchanged: 40,000
// chains drawn exactly from p(v), one move, and the counts of the states
// against 40,000 p(v) (chi-square within 5 standard deviations of its
// mean; states expected fewer than 5 times share one cell). Moving every
// chain (or none) would pass only if p(v) = p(1 - v); accepting with the
// inverse ratio moves weight to the improbable states. The hidden rows are
// P(h|v) of the state kept. Binary rows go through the Bits products,
// under every f32 implementation.
func TestFlipMoveStationary(t *testing.T) {
	r, p := flipRBM()
	nv, nh, n := r.NVisible, r.NHidden, 40000
	asmtest.TestAll(t, "f32", func(t *testing.T) {
		g := rng.New(3)
		v := make([]float32, n*nv)
		for i := 0; i < n; i++ {
			u, s := g.Float64(), 0
			for acc := p[0]; acc < u && s < len(p)-1; acc += p[s] {
				s++
			}
			setRow(v, i, nv, s)
		}
		hn := make([]float32, n*nh)
		ws := f32.NewWorkspace(2)
		acc := r.flipMove(ws, f32.NewRand(9, 1), v, n, hn, new(f32.Bits), newFlipBuffers(n, nv, nh))
		act := make([][]float64, len(p)) // c + vW of every state
		for s := range p {
			act[s] = act64(r, bitsOf(uint64(s), nv))
		}
		count := make([]float64, len(p))
		for i := 0; i < n; i++ {
			s := rowState(v, i, nv)
			count[s]++
			for j, x := range act[s] {
				if want := sigmoid64(x); math.Abs(float64(hn[i*nh+j])-want) > 1e-5 {
					t.Fatalf("chain %d (state %d): P(h_%d|v) %v, want %v", i, s, j, hn[i*nh+j], want)
				}
			}
		}
		chi2, cells, restN, restE := 0.0, 0, 0.0, 0.0
		for s := range p {
			e := float64(n) * p[s]
			if e < 5 {
				restN, restE = restN+count[s], restE+e
				continue
			}
			chi2 += (count[s] - e) * (count[s] - e) / e
			cells++
		}
		if restE > 0 {
			chi2 += (restN - restE) * (restN - restE) / restE
			cells++
		}
		dof := float64(cells - 1)
		if lim := dof + 5*math.Sqrt(2*dof); chi2 > lim {
			t.Errorf("after one flip move: chi-square %.1f over %d cells, want <= %.1f (%.0f flips accepted)", chi2, cells, lim, float64(acc))
		}
		if acc < n/20 {
			t.Errorf("only %d of %d flips accepted: the model was meant to make the move work", acc, n)
		}
	})
}

// From one state s, a chain moves to 1 - s with probability
// min(1, exp(F(s) - F(1 - s))): the share that moves is within 4 standard
// errors of it, for the state whose probability is nearest 1/2 and for its
// mirror image (which always moves). With probabilities instead of 0/1
// rows (the float products).
func TestFlipMoveAcceptance(t *testing.T) {
	r, _ := flipRBM()
	nv, nh, n := r.NVisible, r.NHidden, 20000
	best, bestP := 0, 0.0
	for s := 0; s < 1<<nv; s++ {
		q := math.Min(1, math.Exp(bruteFreeEnergy(r, s)-bruteFreeEnergy(r, s^(1<<nv-1))))
		if math.Abs(q-0.5) < math.Abs(bestP-0.5) {
			best, bestP = s, q
		}
	}
	for _, c := range []struct {
		s    int
		want float64
	}{{best, bestP}, {best ^ (1<<nv - 1), 1}} {
		v := make([]float32, n*nv)
		for i := 0; i < n; i++ {
			setRow(v, i, nv, c.s)
		}
		hn := make([]float32, n*nh)
		acc := r.flipMove(f32.NewWorkspace(1), f32.NewRand(4, 2), v, n, hn, nil, newFlipBuffers(n, nv, nh))
		moved := 0
		for i := 0; i < n; i++ {
			switch rowState(v, i, nv) {
			case c.s ^ (1<<nv - 1):
				moved++
			case c.s:
			default:
				t.Fatalf("state %d: chain %d ends in state %d, neither it nor its flip", c.s, i, rowState(v, i, nv))
			}
		}
		if moved != acc {
			t.Errorf("state %d: %d chains moved, flipMove reports %d", c.s, moved, acc)
		}
		got := float64(moved) / float64(n)
		se := math.Sqrt(math.Max(c.want*(1-c.want), 1/float64(n)) / float64(n))
		if math.Abs(got-c.want) > 4*se {
			t.Errorf("state %d: %.4f of the chains moved, want %.4f +- %.4f (4 se)", c.s, got, c.want, 4*se)
		}
	}
}

// showAccept prints a recorded flip acceptance (nil: none recorded).
func showAccept(a *stats.Num) string {
	if a == nil {
		return "none"
	}
	return fmt.Sprint(*a)
}

// With FlipMove, training records the share of proposals accepted, in
// CD-1 and in persistent CD, and the chains do flip on data with both
// signs, but not always (the Metropolis test rejects some of the 400
// proposals of an epoch); on data with 9 ones in 10, which CD-1 learns to
// prefer to their flips, it rejects nearly all of them by the last epoch.
// Without FlipMove, nothing is recorded.
func TestFlipMoveConfig(t *testing.T) {
	for _, preset := range []string{"mehta-schwab", "mehta-schwab-pcd"} {
		cfg, _ := Preset(preset)
		cfg.FlipMove, cfg.Epochs, cfg.Seed = true, 3, 2
		_, hist, err := TrainDBN(context.Background(), randomBinary(400, 16, 0.5, 8), []int{16, 8}, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s := (ProgressInfo{Stats: hist.Layers[0][0]}).String(); !strings.Contains(s, "flips accepted") {
			t.Errorf("%s: progress line %q does not give the flips accepted", preset, s)
		}
		for _, e := range hist.Layers[0] {
			if e.FlipAccept == nil || !(*e.FlipAccept > 0 && *e.FlipAccept < 1) {
				t.Errorf("%s, epoch %d: flip acceptance %s, want in (0, 1)", preset, e.Epoch, showAccept(e.FlipAccept))
			}
		}
		if preset == "mehta-schwab" {
			_, hist, err := TrainDBN(context.Background(), randomBinary(400, 16, 0.9, 8), []int{16, 8}, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Measured 0 (0.5 in the first epoch).
			last := hist.Layers[0][len(hist.Layers[0])-1]
			if last.FlipAccept == nil || *last.FlipAccept > 0.1 {
				t.Errorf("%s on data 90%% ones, epoch %d: flip acceptance %s, want at most 0.1", preset, last.Epoch, showAccept(last.FlipAccept))
			}
		}
		cfg.FlipMove = false
		_, hist, _ = TrainDBN(context.Background(), randomBinary(400, 16, 0.5, 8), []int{16, 8}, cfg, nil)
		if a := hist.Layers[0][0].FlipAccept; a != nil {
			t.Errorf("%s without FlipMove: flip acceptance %v, want none", preset, *a)
		}
	}
}
