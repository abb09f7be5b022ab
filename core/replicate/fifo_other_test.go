//go:build !unix

package replicate

func mkfifo(string) error { return errNoFIFO }
