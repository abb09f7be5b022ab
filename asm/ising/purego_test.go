//go:build purego

package ising

const purego = true
