//go:build !unix

package f32

func cpuSeconds() float64 { return 0 }
