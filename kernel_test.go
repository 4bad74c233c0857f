package mlp

import (
	"os"
	"strings"
	"testing"
)

// TestKernelPath checks that KernelPath names a path and a reason and,
// when the tests run with MLP_KERNEL set (as CI does for each path), that
// the path in use is the one asked for or the reason says why not.
func TestKernelPath(t *testing.T) {
	name, reason := KernelPath()
	t.Logf("kernel path %s: %s", name, reason)
	switch name {
	case "avx512", "avx2", "neon", "go":
	default:
		t.Fatalf("KernelPath() = %q, not a known path", name)
	}
	if reason == "" {
		t.Fatal("KernelPath() gives no reason")
	}
	if env := os.Getenv("MLP_KERNEL"); env != "" && name != env && !strings.Contains(reason, "MLP_KERNEL="+env) {
		t.Errorf("MLP_KERNEL=%s, path %s, and the reason %q does not say why", env, name, reason)
	}
}
