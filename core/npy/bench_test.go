package npy

import (
	"bytes"
	"testing"
)

// BenchmarkFloat32 reports MB/s for writing and for reading+converting a 2000 x 1600 float32
// array in memory.
func BenchmarkFloat32(b *testing.B) {
	data := make([]float32, 2000*1600)
	for i := range data {
		data[i] = float32(i % 1000)
	}
	var buf bytes.Buffer
	b.Run("write", func(b *testing.B) {
		b.SetBytes(int64(4 * len(data)))
		for b.Loop() {
			buf.Reset()
			WriteFloat32(&buf, []int{2000, 1600}, data)
		}
	})
	raw := buf.Bytes()
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			a, err := Read(bytes.NewReader(raw))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := a.Float32(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
