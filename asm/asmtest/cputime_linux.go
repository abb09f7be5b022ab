package asmtest

// ThreadCPUNanos returns the user+system CPU time of the calling OS thread;
// the caller must have locked it (runtime.LockOSThread).
func ThreadCPUNanos() int64 { return rusageNanos(1 /* RUSAGE_THREAD */) }
