package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// transposeRef returns the words of the transpose of src, bit by bit.
func transposeRef(src *Bits) []uint64 {
	if src.Rows == 0 || src.Cols == 0 {
		return nil
	}
	stride := (src.Rows + 63) / 64
	w := make([]uint64, src.Cols*stride)
	for i := 0; i < src.Rows; i++ {
		for j := 0; j < src.Cols; j++ {
			if src.Words[i*src.Stride+j/64]>>uint(j%64)&1 != 0 {
				w[j*stride+i/64] |= 1 << uint(i%64)
			}
		}
	}
	return w
}

// transposePanic returns the message of Transpose's panic, "" without one.
func transposePanic(b, src *Bits) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	b.Transpose(src)
	return ""
}

// TestBitsTransposeShared: a b whose words, up to their capacity, share
// memory with src's (a struct copy of src, words inside src's) is refused
// before anything is written; words apart from src's in the same array
// give the transpose and leave src as it was.
func TestBitsTransposeShared(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, s := range [][2]int{{3, 2}, {64, 64}, {70, 130}, {1, 200}, {129, 5}} {
		rows, cols := s[0], s[1]
		_, p := randBinary(rng, rows, cols, cols, 0, 0.5)
		want := transposeRef(p)
		n, need := len(p.Words), len(want)
		// src between room for a transpose before and after it.
		backing := make([]uint64, need+n+need)
		copy(backing[need:], p.Words)
		src := Bits{Rows: rows, Cols: cols, Stride: p.Stride, Words: backing[need : need+n : need+n]}
		orig := slices.Clone(src.Words)
		check := func(name string, b Bits, refuse bool) {
			t.Helper()
			msg := transposePanic(&b, &src)
			if !slices.Equal(src.Words, orig) {
				t.Fatalf("%dx%d %s: Transpose changed src", rows, cols, name)
			}
			if refuse {
				if !strings.Contains(msg, "Bits.Transpose") || !strings.Contains(msg, "overlap") {
					t.Errorf("%dx%d %s: recovered %q, want a panic about overlapping words", rows, cols, name, msg)
				}
				return
			}
			if msg != "" {
				t.Fatalf("%dx%d %s: unexpected panic %s", rows, cols, name, msg)
			}
			if b.Rows != cols || b.Cols != rows || b.Stride != (rows+63)/64 || !slices.Equal(b.Words, want) {
				t.Errorf("%dx%d %s: wrong transpose %d x %d %x, want %x", rows, cols, name, b.Rows, b.Cols, b.Words, want)
			}
		}
		check("struct copy of src", src, true)
		check("capacity reaching src's first word", Bits{Words: backing[0 : 0 : need+1]}, true)
		check("words starting in src's last word", Bits{Words: backing[need+n-1 : need+n-1 : need+n]}, true)
		check("words inside src, too few to be reused", Bits{Words: backing[need : need : need+1]}, true)
		check("words right before src", Bits{Words: backing[0:0:need]}, false)
		check("words right after src", Bits{Words: backing[need+n : need+n : need+n+need]}, false)
		check("fresh", Bits{}, false)
	}
}

// TestBitsTransposeInvalid: a src that Pack would not make (wrong stride,
// too few words, bits past Cols, negative or overflowing dimensions) is
// refused with a panic that says so, and b is left as it was.
func TestBitsTransposeInvalid(t *testing.T) {
	cases := []Bits{
		{Rows: 1, Cols: 70, Stride: 1, Words: []uint64{^uint64(0)}},     // stride too small
		{Rows: 2, Cols: 3, Stride: 1, Words: []uint64{0xff, 0xff}},      // bits past Cols
		{Rows: 2, Cols: 3, Stride: 2, Words: []uint64{1, 0, 1, 0}},      // stride too big
		{Rows: 3, Cols: 3, Stride: 1, Words: []uint64{1}},               // too few words
		{Rows: 2, Cols: 64, Stride: 1, Words: nil},                      // no words
		{Rows: -1, Cols: 3, Stride: 1, Words: []uint64{1}},              // negative rows
		{Rows: 1, Cols: -3, Stride: 0, Words: []uint64{1}},              // negative columns
		{Rows: 1, Cols: 3, Stride: -1, Words: []uint64{1}},              // negative stride
		{Rows: 1 << 62, Cols: 256, Stride: 4, Words: make([]uint64, 4)}, // rows*stride wraps to 0
		{Rows: 1, Cols: math.MaxInt, Stride: math.MinInt / 64, Words: []uint64{1}},
	}
	for i, c := range cases {
		b := Bits{Rows: 1, Cols: 2, Stride: 1, Words: []uint64{3}}
		var msg string
		within(t, time.Minute, fmt.Sprintf("invalid case %d", i), func() { msg = transposePanic(&b, &c) })
		if !strings.HasPrefix(msg, "f32: Bits.Transpose: ") || !strings.Contains(msg, "src") {
			t.Errorf("case %d (%d x %d, stride %d, %d words): recovered %q, want Transpose's panic about src", i, c.Rows, c.Cols, c.Stride, len(c.Words), msg)
		}
		if b.Rows != 1 || b.Cols != 2 || b.Stride != 1 || !slices.Equal(b.Words, []uint64{3}) {
			t.Errorf("case %d: b changed to %+v", i, b)
		}
	}
	// Hand-built and valid, including no elements.
	valid := []Bits{
		{Rows: 2, Cols: 3, Stride: 1, Words: []uint64{5, 2}},
		{Rows: 1, Cols: 70, Stride: 2, Words: []uint64{^uint64(0), 0x3f, 99}}, // extra words are not read
		{Rows: 0, Cols: 5, Stride: 1},
		{Rows: 4, Cols: 0, Stride: 0},
		{Rows: math.MaxInt, Cols: 0, Stride: 0},
	}
	for i, c := range valid {
		var b Bits
		var msg string
		within(t, time.Minute, fmt.Sprintf("valid case %d", i), func() { msg = transposePanic(&b, &c) })
		if msg != "" {
			t.Fatalf("valid case %d: %s", i, msg)
		}
		stride := c.Rows/64 + min(1, c.Rows%64) // (Rows+63)/64 without overflow
		if want := transposeRef(&c); b.Rows != c.Cols || b.Cols != c.Rows || b.Stride != stride || !slices.Equal(b.Words, want) {
			t.Errorf("valid case %d: transpose %d x %d stride %d %x, want %x", i, b.Rows, b.Cols, b.Stride, b.Words, want)
		}
	}
}
