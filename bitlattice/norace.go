//go:build !race

package bitlattice

const raceEnabled = false
