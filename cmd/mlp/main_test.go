package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mlpBin is the command built from this tree by TestMain.
var mlpBin string

// binEnv names the command's path in a child process of the tests (see
// measurePeak), which then does not build it again.
const binEnv = "MLP_TEST_BIN"

func TestMain(m *testing.M) {
	if bin := os.Getenv(binEnv); bin != "" {
		mlpBin = bin
		os.Exit(m.Run())
	}
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "mlp-cmd-test")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		mlpBin = filepath.Join(dir, "mlp")
		build := exec.Command("go", "build", "-o", mlpBin, ".")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building mlp:", err)
			return 1
		}
		return m.Run()
	}())
}

// result is what one run of the command gave.
type result struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes
}

// runMLP runs the built command with args, stdin as its input (nil for none),
// in directory dir ("" for the test's), and returns what it gave.
func runMLP(t testing.TB, dir string, stdin io.Reader, args ...string) result {
	t.Helper()
	c := exec.Command(mlpBin, args...)
	c.Dir = dir
	c.Stdin = stdin
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if c.ProcessState == nil {
		t.Fatalf("mlp %s: %v", strings.Join(args, " "), err)
	}
	r.code = c.ProcessState.ExitCode()
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss << 10 // Linux reports kilobytes
	}
	return r
}

// oneLineError checks that r failed with status 1 and one line on stderr
// besides the kernel line, containing each of want, and no stack trace.
func oneLineError(t testing.TB, r result, want ...string) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.HasPrefix(l, "mlp: kernel ") {
			lines = append(lines, l)
		}
	}
	if r.code != 1 || len(lines) != 1 {
		t.Errorf("exit %d, stderr %q: want exit 1 and one line", r.code, r.stderr)
		return
	}
	for _, w := range want {
		if !strings.Contains(lines[0], w) {
			t.Errorf("stderr %q does not contain %q", lines[0], w)
		}
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
		t.Errorf("stack trace on stderr: %s", r.stderr)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stdout+stderr
	}{
		{"no command", nil, 2, "usage: mlp COMMAND"},
		{"unknown command", []string{"fly"}, 2, `unknown command "fly"`},
		{"help", []string{"help"}, 0, "serve"},
		{"help command", []string{"help", "serve"}, 0, "-addr"},
		{"help unknown command", []string{"help", "fly"}, 2, `unknown command "fly"`},
		{"-h of a command", []string{"serve", "-h"}, 0, "-model"},
		{"unknown flag", []string{"serve", "-modle", "m"}, 2, "flag provided but not defined: -modle"},
		{"bad flag value", []string{"serve", "-model", "m", "-max-rows", "x"}, 2, "invalid value"},
		{"argument", []string{"serve", "-model", "m", "extra"}, 2, `unexpected argument "extra"`},
		{"serve without model", []string{"serve"}, 2, "-model is required"},
		{"serve max-rows", []string{"serve", "-model", "m", "-max-rows", "0"}, 2, "-max-rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runMLP(t, "", nil, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Errorf("exit %d, want %d; output does not contain %q:\n%s%s", r.code, tc.code, tc.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestServeMissingModel(t *testing.T) {
	oneLineError(t, runMLP(t, "", nil, "serve", "-model", filepath.Join(t.TempDir(), "nope.mlp")), "mlp serve:", "nope.mlp", "no such file")
}
