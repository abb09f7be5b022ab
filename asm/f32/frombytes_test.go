package f32

import (
	"math"
	"testing"

	"github.com/isingrbm/isingrbm/asm/asmtest"
)

// TestFromBytes runs every implementation over the edge lengths (0, 1,
// around the vector width 16 and the 4-block loop's 64, odd ones) and
// every byte value, at two alignments, against float32(v), with NaN guards
// around the output; the input must not change.
func TestFromBytes(t *testing.T) {
	lens := append([]int{47, 48, 49, 79, 80, 81, 255, 256, 257}, vecLens...)
	asmtest.TestAll(t, pkgName, func(t *testing.T) {
		for _, n := range lens {
			for off := 0; off < 2; off++ {
				srcBuf := make([]uint8, n+1)
				src := srcBuf[off : off+n]
				for i := range src {
					src[i] = uint8(i*37 + off)
				}
				src0 := append([]uint8(nil), src...)
				d, dbuf := guarded(n, 1-off, func(int) float32 { return -1 })
				FromBytes(d, src)
				for i, v := range src0 {
					if math.Float32bits(d[i]) != math.Float32bits(float32(v)) {
						t.Fatalf("n=%d off=%d: dst[%d] = %v, want %v", n, off, i, d[i], v)
					}
				}
				checkVecGuards(t, "dst", dbuf, 1-off, n)
				for i := range src {
					if src[i] != src0[i] {
						t.Fatal("input changed")
					}
				}
			}
		}
	})
}

func TestFromBytesShortDst(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("FromBytes with len(dst) < len(src) did not panic")
		}
	}()
	FromBytes(make([]float32, 3), make([]uint8, 4))
}

// FuzzFromBytes compares every implementation with the Go twin on fuzzed
// bytes.
func FuzzFromBytes(f *testing.F) {
	f.Add([]byte{0, 1, 255, 128, 7})
	f.Add(make([]byte, 70))
	f.Fuzz(func(t *testing.T, src []byte) {
		want := make([]float32, len(src))
		fromBytesGo(want, src)
		asmtest.TestAll(t, pkgName, func(t *testing.T) {
			got := make([]float32, len(src)+1)
			got[len(src)] = guardNaN
			FromBytes(got, src)
			if !sameBits(got[:len(src)], want) || math.Float32bits(got[len(src)]) != math.Float32bits(guardNaN) {
				t.Fatalf("FromBytes differs from fromBytesGo on %d bytes", len(src))
			}
		})
	})
}

// BenchmarkFromBytes converts a batch of 100 rows of 1600 bytes (the
// training data's mini-batch), in elements per ns.
func BenchmarkFromBytes(b *testing.B) {
	src := make([]uint8, 100*1600)
	for i := range src {
		src[i] = uint8(i % 2)
	}
	dst := make([]float32, len(src))
	asmtest.Benchmark(b, pkgName, func(b *testing.B) {
		for b.Loop() {
			FromBytes(dst, src)
		}
		b.ReportMetric(float64(len(src))*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "elem/ns")
	})
}
