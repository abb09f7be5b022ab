//go:build !race && (amd64 || arm64) && gc && !purego

package f32

func raceReadU8(s []uint8) {}
