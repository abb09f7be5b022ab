//go:build !linux

package npy

import (
	"errors"
	"os"
)

var errNoUnnamed = errors.New("unnamed files are supported on Linux only")

func openUnnamed(string) (*os.File, error) { return nil, errNoUnnamed }

func linkUnnamed(*os.File, string) (string, error) { return "", errNoUnnamed }
