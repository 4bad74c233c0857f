// Package clitest holds the test helpers of the example programs: running a
// program's run function, and checking its exit status, output lines and
// one-line errors.
package clitest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Run is a program's entry point: its arguments (without the program
// name), its outputs, and its exit status.
type Run func(args []string, stdout, stderr io.Writer) int

// Call runs r with args and returns its exit status, stdout and stderr.
func Call(r Run, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := r(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// LastLine returns the last line of out, which must end in a newline.
func LastLine(t testing.TB, out string) string {
	t.Helper()
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end in a newline:\n%s", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	return lines[len(lines)-1]
}

// Final parses the last line of out, "final name=value name=value ...",
// checks it against re and returns its values by name.
func Final(t testing.TB, out string, re *regexp.Regexp) map[string]float64 {
	t.Helper()
	line := LastLine(t, out)
	if !re.MatchString(line) {
		t.Fatalf("last line %q does not match %v", line, re)
	}
	vals := map[string]float64{}
	for _, f := range strings.Fields(strings.TrimPrefix(line, "final ")) {
		k, v, _ := strings.Cut(f, "=")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("last line %q: %v", line, err)
		}
		vals[k] = x
	}
	return vals
}

// WriteFile writes data to a new file in a temporary directory and returns
// its path.
func WriteFile(t testing.TB, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// OneLineError checks that stderr is a single line starting with prefix
// and containing want, with no panic trace.
func OneLineError(t testing.TB, stderr, prefix, want string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr is not one line: %q", stderr)
	}
	if !strings.HasPrefix(stderr, prefix) || !strings.Contains(stderr, want) {
		t.Errorf("stderr %q: want prefix %q and %q in it", stderr, prefix, want)
	}
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
		t.Errorf("stderr has a panic trace: %q", stderr)
	}
}

// BadData is a data file that a program must refuse.
type BadData struct {
	Name, Data string
	Want       string // in the message
}

// RunBadData runs the program name on each file of tests and on a missing
// file, and checks the exit status 1, the one-line error and that no final
// line is printed.
func RunBadData(t *testing.T, name string, r Run, tests []BadData) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			path := WriteFile(t, "data.csv", tt.Data)
			code, stdout, stderr := Call(r, "-data", path, "-epochs", "2")
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			OneLineError(t, stderr, name+": "+path+": ", tt.Want)
			if strings.Contains(stdout, "final") {
				t.Errorf("stdout has a final line:\n%s", stdout)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing.csv")
		code, _, stderr := Call(r, "-data", path)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		OneLineError(t, stderr, name+": open "+path+": ", "no such file")
	})
}

// BadFlags checks that each bad flag gives exit status 2, the message and
// the usage on stderr and nothing on stdout, and that -h gives status 0
// and a usage naming want.
func BadFlags(t *testing.T, name string, r Run, helpWants ...string) {
	t.Helper()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-nope"}, "flag provided but not defined: -nope"},
		{"epochs not a number", []string{"-epochs", "ten"}, `invalid value "ten" for flag -epochs`},
		{"zero epochs", []string{"-epochs", "0"}, "-epochs: must be at least 1"},
		{"zero batch", []string{"-batch", "0"}, "-batch: must be at least 1"},
		{"negative lr", []string{"-lr", "-0.1"}, "-lr: must be positive"},
		{"infinite lr", []string{"-lr", "Inf"}, "-lr: must be positive"},
		{"NaN lr", []string{"-lr", "NaN"}, "-lr: must be positive"},
		{"zero width", []string{"-hidden", "16,0"}, `width "0" is not a positive integer`},
		{"bad width", []string{"-hidden", "16,,8"}, `width "" is not a positive integer`},
		{"negative seed", []string{"-seed", "-1"}, `invalid value "-1" for flag -seed`},
		{"missing value", []string{"-data"}, "flag needs an argument: -data"},
		{"argument", []string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := Call(r, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, fmt.Sprintf("usage: %s [flags]", name)) {
				t.Errorf("stderr lacks %q or the usage:\n%s", tt.want, stderr)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		code, stdout, stderr := Call(r, "-h")
		if code != 0 || stdout != "" {
			t.Errorf("exit %d, stdout %q; want 0 and nothing", code, stdout)
		}
		for _, want := range append([]string{"usage: " + name + " [flags]", "-data file", "-hidden widths", "-plot file"}, helpWants...) {
			if !strings.Contains(stderr, want) {
				t.Errorf("usage lacks %q:\n%s", want, stderr)
			}
		}
	})
}
