//go:build linux

package sysmem

import "testing"

// TestCgroupLimit: the limit is the least of the process's own cgroup's and
// its ancestors' (v2 memory.max, v1 memory.limit_in_bytes), "max" and v1's
// 2^60-and-more mean none, and without /proc/self/cgroup the root's
// memory.max still counts. The root's file alone had been read, so a limit
// set on a Slurm job's or a systemd unit's cgroup was missed.
func TestCgroupLimit(t *testing.T) {
	files := map[string]string{
		"/sys/fs/cgroup/memory.max":                                     "max\n",
		"/sys/fs/cgroup/system.slice/memory.max":                        "8589934592\n",
		"/sys/fs/cgroup/system.slice/job_7/memory.max":                  "max\n",
		"/sys/fs/cgroup/system.slice/job_7/step_0/memory.max":           "4294967296\n",
		"/sys/fs/cgroup/other/memory.max":                               "1024\n",
		"/sys/fs/cgroup/memory/slurm/uid_0/job_9/memory.limit_in_bytes": "2147483648\n",
		"/sys/fs/cgroup/memory/slurm/memory.limit_in_bytes":             "9223372036854771712\n",
		"/sys/fs/cgroup/memory/memory.limit_in_bytes":                   "9223372036854771712\n",
	}
	read := func(p string) (string, bool) { s, ok := files[p]; return s, ok }
	for _, c := range []struct {
		name, self string
		want       float64
	}{
		{"v2 nested: the least up the tree", "0::/system.slice/job_7/step_0\n", 4 << 30},
		{"v2: a parent's limit", "0::/system.slice/job_7\n", 8 << 30},
		{"v2 root: max", "0::/\n", 0},
		{"v1 memory controller", "12:pids:/x\n4:memory:/slurm/uid_0/job_9\n1:name=systemd:/y\n", 2 << 30},
		{"v1 joint controllers", "5:cpu,memory:/slurm/uid_0/job_9\n", 2 << 30},
		{"v1 unlimited", "4:memory:/slurm\n", 0},
		{"no /proc/self/cgroup", "", 0},
	} {
		if got := cgroupLimit(c.self, read); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	files["/sys/fs/cgroup/memory.max"] = "3221225472\n"
	if got := cgroupLimit("", read); got != 3<<30 {
		t.Errorf("no /proc/self/cgroup, root limited: %v, want the root's 3 GiB", got)
	}
}
