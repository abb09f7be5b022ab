package studytest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing cluster
// into a failure (set by .ci/run).
const RequireEnv = "ISINGRBM_REQUIRE_SLURM"

// RequireSlurm skips t under -short, or when Slurm's sbatch is not in PATH
// or sinfo shows no idle, mixed or allocated node, unless
// ISINGRBM_REQUIRE_SLURM=1, in which case it runs under -short too and
// fails t when there is no cluster.
func RequireSlurm(t testing.TB) {
	t.Helper()
	required := os.Getenv(RequireEnv) == "1"
	if testing.Short() && !required {
		t.Skip("-short: the Slurm tests take a minute (" + RequireEnv + "=1 runs them anyway)")
	}
	why := unavailable()
	if why == "" {
		return
	}
	if required {
		t.Fatalf("%s=1 but %s (start a cluster with .ci/slurm up)", RequireEnv, why)
	}
	t.Skipf("%s; start a one-node cluster with .ci/slurm up (as root); %s=1 makes this a failure", why, RequireEnv)
}

// unavailable says why there is no usable Slurm cluster, or returns "".
func unavailable() string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := exec.LookPath("sbatch"); err != nil {
		return "sbatch is not in PATH"
	}
	out, err := exec.CommandContext(ctx, "sinfo", "-h", "-o", "%T").Output()
	if err != nil {
		return fmt.Sprintf("sinfo: %v", err)
	}
	if s := string(out); !strings.Contains(s, "idle") && !strings.Contains(s, "mix") && !strings.Contains(s, "alloc") {
		return "sinfo shows no usable node: " + strings.TrimSpace(s)
	}
	return ""
}
