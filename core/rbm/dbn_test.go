package rbm

import (
	"math"
	"testing"
)

// Up, Down and Reconstruct against plain float64 loops on a 7-5-3 stack.
func TestUpDownReconstruct(t *testing.T) {
	d := &DBN{Layers: []*RBM{randomRBM(7, 5, 0.7, 1), randomRBM(5, 3, 0.7, 2)}}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	data := randomBinary(4, 7, 0.5, 3)
	v := make([]float32, 4*7)
	data.Range(0, 4, v)
	up := func(l *RBM, x []float64) []float64 {
		out := make([]float64, l.NHidden)
		for j := range out {
			a := float64(l.C[j])
			for i, xi := range x {
				a += xi * float64(l.W[i*l.NHidden+j])
			}
			out[j] = sigmoid64(a)
		}
		return out
	}
	down := func(l *RBM, h []float64) []float64 {
		out := make([]float64, l.NVisible)
		for i := range out {
			a := float64(l.B[i])
			for j, hj := range h {
				a += hj * float64(l.W[i*l.NHidden+j])
			}
			out[i] = sigmoid64(a)
		}
		return out
	}
	h2 := d.Up(nil, v, 4, 2)
	rec := d.Reconstruct(nil, v, 4, 2)
	top := make([]float32, 4*3)
	for i := range top {
		top[i] = float32(i%3) / 2
	}
	dn := d.Down(nil, top, 4, 2)
	for n := 0; n < 4; n++ {
		x := make([]float64, 7)
		for i := range x {
			x[i] = float64(v[n*7+i])
		}
		u := up(d.Layers[1], up(d.Layers[0], x))
		r := down(d.Layers[0], down(d.Layers[1], u))
		tp := []float64{float64(top[n*3]), float64(top[n*3+1]), float64(top[n*3+2])}
		dd := down(d.Layers[0], down(d.Layers[1], tp))
		for j := range u {
			if math.Abs(float64(h2[n*3+j])-u[j]) > 1e-6 {
				t.Errorf("Up[%d][%d] = %v, want %v", n, j, h2[n*3+j], u[j])
			}
		}
		for i := range r {
			if math.Abs(float64(rec[n*7+i])-r[i]) > 1e-6 || math.Abs(float64(dn[n*7+i])-dd[i]) > 1e-6 {
				t.Errorf("sample %d unit %d: Reconstruct %v want %v, Down %v want %v", n, i, rec[n*7+i], r[i], dn[n*7+i], dd[i])
			}
		}
	}
	if got := d.Reconstruct(nil, v, 4, 0); len(got) != len(v) || got[3] != v[3] {
		t.Error("depth 0 reconstruction is not the identity")
	}
	bad := &DBN{Layers: []*RBM{randomRBM(7, 5, 1, 1), randomRBM(4, 3, 1, 1)}}
	if bad.Check() == nil {
		t.Error("mismatched layers: no error")
	}
}
