//go:build !race

package f32

func raceReadF32(s []float32)  {}
func raceWriteF32(s []float32) {}
func raceWriteU64(s []uint64)  {}
func raceReadU64(s []uint64)   {}

const raceEnabled = false
