//go:build !unix

package main

import (
	"errors"
	"os"
)

func makeFIFO(string) error { return errors.New("no FIFOs on this system") }

// maxRSS is not known here: 0.
func maxRSS(*os.ProcessState) int64 { return 0 }
