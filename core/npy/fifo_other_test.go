//go:build !unix

package npy

import "errors"

func mkfifo(string) error { return errors.New("not supported") }
