package npy

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
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

// benchDir is where BenchmarkNPZWrite writes: $NPY_BENCH_DIR (e.g. /dev/shm or a disk
// directory) or a fresh temporary directory. $NPY_VIEW_CHUNK, if set, replaces viewChunk.
func benchDir(b *testing.B) string {
	if c := os.Getenv("NPY_VIEW_CHUNK"); c != "" {
		viewChunk, _ = strconv.Atoi(c)
	}
	if d := os.Getenv("NPY_BENCH_DIR"); d != "" {
		return d
	}
	return b.TempDir()
}

// BenchmarkNPZWrite reports MB/s for writing stored .npz archives to a file, fsync and rename
// included: "big" is one 256 MiB float32 member (64 Mi elements), "checkpoint" the members of
// a training checkpoint of a 1024 x 4096 RBM (W0, b0, c0, velW, velB, velC, chains, meta.json).
func BenchmarkNPZWrite(b *testing.B) {
	fill := func(n int) []float32 {
		d := make([]float32, n)
		for i := range d {
			d[i] = float32(i%1000) * 0.37
		}
		return d
	}
	type arr struct {
		name  string
		shape []int
		data  []float32
	}
	const nv, nh, batch = 1024, 4096, 64
	cases := []struct {
		name   string
		arrays []arr
	}{
		{"big", []arr{{"W0", []int{8192, 8192}, fill(8192 * 8192)}}},
		{"checkpoint", []arr{
			{"W0", []int{nv, nh}, fill(nv * nh)}, {"b0", []int{nv}, fill(nv)}, {"c0", []int{nh}, fill(nh)},
			{"velW", []int{nv, nh}, fill(nv * nh)}, {"velB", []int{nv}, fill(nv)}, {"velC", []int{nh}, fill(nh)},
			{"chains", []int{batch, nh}, fill(batch * nh)},
		}},
	}
	dir := benchDir(b)
	meta := bytes.Repeat([]byte(`{"k": 1} `), 300)
	for _, c := range cases {
		var size int64
		for _, a := range c.arrays {
			size += 4 * int64(len(a.data))
		}
		b.Run(c.name, func(b *testing.B) {
			path := filepath.Join(dir, "bench-"+c.name+".npz")
			defer os.Remove(path)
			b.SetBytes(size)
			for b.Loop() {
				z, err := CreateNPZ(path)
				if err != nil {
					b.Fatal(err)
				}
				for _, a := range c.arrays {
					if err := z.WriteFloat32(a.name, a.shape, a.data); err != nil {
						b.Fatal(err)
					}
				}
				if err := z.WriteFile("meta.json", meta); err != nil {
					b.Fatal(err)
				}
				if err := z.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
