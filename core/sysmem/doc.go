// Package sysmem reads the memory limits of this process (physical memory,
// the cgroup limit, RLIMIT_AS and ISINGRBM_MAX_MEMORY) and checks a memory
// estimate against them before anything is allocated. It also reports the
// process's peak resident memory.
package sysmem
