package f32

import (
	"fmt"
	"strings"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// panicMessage runs f and returns what it panicked with ("" if it did not).
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// TestOverlapRefused: an output that shares memory with an input (other
// than the in-place use the documentation allows) is refused before any
// write, in every implementation; in-place and adjacent buffers are not.
func TestOverlapRefused(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		buf := make([]float32, 4096)
		w := NewWorkspace(1)
		r := NewRand(1, 2)
		refused := map[string]func(){
			"Sigmoid shifted":   func() { Sigmoid(buf[1:65], buf[:64]) },
			"Bernoulli shifted": func() { r.Bernoulli(buf[1:65], buf[:64]) },
			"ColSums":           func() { ColSums(buf[10:20], buf[:40], 4, 10, 10, 1, 0) },
			"SoftplusRowSums":   func() { SoftplusRowSums(buf[5:8], buf[:30], 3, 10, 10, nil) },
			"SoftplusRowSums b": func() { SoftplusRowSums(buf[100:103], buf[:30], 3, 10, 10, buf[101:111]) },
			"Update w vel":      func() { Update(buf[:64], buf[63:127], buf[200:264], 0.1, 0.5, 0, 0) },
			"Update vel grad":   func() { Update(buf[:64], buf[100:164], buf[100:164], 0.1, 0.5, 0, 0) },
			"Workspace.Update":  func() { w.Update(buf[:64], buf[64:128], buf[:64], 0.1, 0.5, 0, 0) },
			"GemmNN c=a":        func() { w.GemmNN(8, 8, 8, 1, buf[:64], 8, buf[100:164], 8, 0, buf[:64], 8) },
			"GemmNT c in b":     func() { w.GemmNT(8, 8, 8, 1, buf[:64], 8, buf[100:164], 8, 0, buf[150:214], 8) },
			"GemmTN c in a":     func() { w.GemmTN(8, 8, 8, 1, buf[:64], 8, buf[100:164], 8, 1, buf[63:127], 8) },
			"SigmoidAffineNN":   func() { w.SigmoidAffineNN(8, 8, 8, buf[:64], 8, buf[100:164], 8, buf[300:308], buf[160:224], 8) },
			"GemmTNPair c in a2": func() {
				w.GemmTNPair(8, 8, 8, 1, buf[:64], 8, buf[100:164], 8, 0, 8, 1, buf[200:264], 8, buf[300:364], 8, buf[250:314], 8)
			},
			"GemmTNPairUpdate W in b1": func() {
				w.GemmTNPairUpdate(8, 8, 8, 1, buf[:64], 8, buf[100:164], 8, 0, 8, -1, buf[200:264], 8, buf[300:364], 8, nil,
					UpdateRule{W: buf[120:184], Vel: buf[400:464], LR: 0.1})
			},
			"GemmTNPairUpdate W = Vel": func() {
				w.GemmTNPairUpdate(8, 8, 8, 1, buf[:64], 8, buf[100:164], 8, 0, 8, -1, buf[200:264], 8, buf[300:364], 8, nil,
					UpdateRule{W: buf[400:464], Vel: buf[400:464], LR: 0.1})
			},
		}
		for name, f := range refused {
			before := append([]float32(nil), buf...)
			if msg := panicMessage(f); !strings.Contains(msg, "overlaps") {
				t.Errorf("%s: panic %q, want one naming the overlap", name, msg)
			}
			for i := range buf {
				if buf[i] != before[i] {
					t.Errorf("%s: element %d written before the panic", name, i)
					break
				}
			}
		}
		allowed := map[string]func(){
			"Sigmoid in place":   func() { Sigmoid(buf[:64], buf[:64]) },
			"Sigmoid longer dst": func() { Sigmoid(buf[:100], buf[:64]) },
			"Bernoulli in place": func() { r.Bernoulli(buf[:64], buf[:64]) },
			"ColSums adjacent":   func() { ColSums(buf[40:50], buf[:40], 4, 10, 10, 1, 0) },
			"Update adjacent":    func() { Update(buf[:64], buf[64:128], buf[128:192], 0.1, 0.5, 0, 0) },
			"GemmNN adjacent":    func() { w.GemmNN(8, 8, 8, 1, buf[:64], 8, buf[64:128], 8, 0, buf[128:192], 8) },
		}
		for name, f := range allowed {
			if msg := panicMessage(f); msg != "" {
				t.Errorf("%s: panic %q", name, msg)
			}
		}
	})
}

// TestSizeOverflowRefused: a stride so large that (rows-1)*ld + cols
// wraps around int must not let a short buffer pass (the SIMD ColSums read
// past it), and m*n of the update rule must not wrap either.
func TestSizeOverflowRefused(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		a := make([]float32, 4)
		dst := make([]float32, 4)
		w := NewWorkspace(1)
		for name, f := range map[string]func(){
			"ColSums":  func() { ColSums(dst, a[:4:4], 3, 4, 1<<62+4, 1, 0) },
			"GemmNN c": func() { w.GemmNN(3, 4, 1, 1, a, 1, a, 4, 0, dst[:4:4], 1<<62+4) },
			"GemmTNPairUpdate W": func() {
				w.GemmTNPairUpdate(1<<32, 1<<32, 0, 1, nil, 1<<32, nil, 1<<32, 0, 0, 1, nil, 1<<32, nil, 1<<32, nil,
					UpdateRule{W: a, Vel: a})
			},
		} {
			if msg := panicMessage(f); !strings.Contains(msg, "want >=") {
				t.Errorf("%s: panic %q, want a length error", name, msg)
			}
		}
	})
}

// TestSoftplusRowSumsEmptyRows: rows of no element sum to 0, with x empty.
func TestSoftplusRowSumsEmptyRows(t *testing.T) {
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		dst := []float32{7, 7, 7, 7}
		SoftplusRowSums(dst, nil, 3, 0, 1, nil)
		if dst[0] != 0 || dst[1] != 0 || dst[2] != 0 || dst[3] != 7 {
			t.Errorf("dst = %v, want [0 0 0 7]", dst)
		}
	})
}
