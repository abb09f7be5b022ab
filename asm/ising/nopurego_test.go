//go:build !purego

package ising

const purego = false
