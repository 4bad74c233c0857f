package kernel

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestChoose checks the choice of a path from MLP_KERNEL over a made-up
// list of paths, one of which the CPU cannot run.
func TestChoose(t *testing.T) {
	all := []impl{
		{name: "fast", missing: "no fast unit", has: "fast unit"},
		{name: "mid", has: "mid unit"},
		{name: "go", has: "nothing"},
	}
	cases := []struct {
		name     string
		env      string
		set      bool
		want     string
		warn     bool
		inReason string
	}{
		{"unset", "", false, "mid", false, "mid unit"},
		{"empty", "", true, "mid", false, "mid unit"},
		{"available", "mid", true, "mid", false, "MLP_KERNEL=mid"},
		{"slowest", "go", true, "go", false, "MLP_KERNEL=go"},
		{"missing feature", "fast", true, "mid", true, "no fast unit"},
		{"unknown", "turbo", true, "mid", true, "MLP_KERNEL=turbo is not one of fast, mid, go"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im, reason, warn := choose(c.env, c.set, all)
			if im.name != c.want || warn != c.warn || !strings.Contains(reason, c.inReason) {
				t.Errorf("choose(%q) = %s, %q, warn %v; want %s, a reason containing %q, warn %v",
					c.env, im.name, reason, warn, c.want, c.inReason, c.warn)
			}
		})
	}
}

// TestPathEnv runs this test binary again with MLP_KERNEL set to each path
// name, an unknown name and nothing, and checks the path the child reports
// against what this CPU can run: the path asked for when it can, else the
// best one, with a reason and a line on standard error naming the value.
func TestPathEnv(t *testing.T) {
	if os.Getenv("MLP_KERNEL_CHILD") != "" {
		name, why := Path()
		fmt.Printf("path=%s\nreason=%s\n", name, why)
		return
	}
	all := impls()
	var best string
	avail := map[string]bool{}
	for _, im := range all {
		if im.missing == "" {
			avail[im.name] = true
			if best == "" {
				best = im.name
			}
		}
	}
	for _, env := range []string{"", "avx512", "avx2", "neon", "go", "bogus"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPathEnv$", "-test.count=1")
		cmd.Env = append(os.Environ(), "MLP_KERNEL="+env, "MLP_KERNEL_CHILD=1")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if _, exited := err.(*exec.ExitError); err != nil && !exited {
			// The binary cannot be started again, as under user-mode
			// emulation without binfmt_misc.
			t.Skipf("cannot run the test binary again: %v", err)
		}
		if err != nil {
			t.Fatalf("MLP_KERNEL=%s: %v\n%s%s", env, err, out, stderr.String())
		}
		var name, why string
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "path="); ok {
				name = v
			}
			if v, ok := strings.CutPrefix(line, "reason="); ok {
				why = v
			}
		}
		want, warn := best, false
		if avail[env] {
			want = env
		} else if env != "" {
			warn = true
		}
		t.Logf("MLP_KERNEL=%q: path %s (%s)", env, name, why)
		if name != want {
			t.Errorf("MLP_KERNEL=%q: path %q, want %q", env, name, want)
		}
		if env != "" && !strings.Contains(why, env) {
			t.Errorf("MLP_KERNEL=%q: reason %q does not name the setting", env, why)
		}
		if got := strings.Contains(stderr.String(), "mlp: MLP_KERNEL="); got != warn {
			t.Errorf("MLP_KERNEL=%q: warning on stderr %v, want %v (stderr %q)", env, got, warn, stderr.String())
		}
	}
}

// TestPathFromEnv checks, when the tests run with MLP_KERNEL set to a path
// the CPU can run (as CI does for each path), that it is the path in use.
func TestPathFromEnv(t *testing.T) {
	env := os.Getenv("MLP_KERNEL")
	for _, im := range impls() {
		if im.name == env && im.missing == "" {
			if name, why := Path(); name != env {
				t.Fatalf("MLP_KERNEL=%s, but the path in use is %s (%s)", env, name, why)
			}
			return
		}
	}
	t.Skipf("MLP_KERNEL=%q names no path this CPU can run", env)
}
