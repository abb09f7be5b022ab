package rbm

import "context"

// canceled reports whether done (a context's Done channel, nil for one that
// is never cancelled) is closed, without blocking.
func canceled(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// forChunks calls f(lo, hi) for consecutive ranges of at most chunk of the n
// samples, in order, and stops with ctx.Err() before a range when ctx is
// cancelled: every evaluation loop over a data set goes through it.
func forChunks(ctx context.Context, n, chunk int, f func(lo, hi int)) error {
	done := ctx.Done()
	for lo := 0; lo < n; lo += chunk {
		if canceled(done) {
			return ctx.Err()
		}
		f(lo, min(lo+chunk, n))
	}
	return nil
}
