package main

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestRun runs the program on the table with text and missing cells and
// checks the learnt columns, the two predicted customers (one with a
// missing cell, one on an unseen plan) and a validation accuracy of at
// least 0.7 (always answering "no", the majority, gives 0.775 here: the
// synthetic churn is noisy by design).
func TestRun(t *testing.T) {
	out, err := exec.Command("go", "run", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{`column plan           categorical categories [basic premium standard], missing -> "basic"`, "customer 1: churned=", "customer 2: churned=no", `true\pred`} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	lines := strings.Split(strings.TrimSpace(s), "\n")
	acc, err := strconv.ParseFloat(strings.TrimPrefix(lines[len(lines)-1], "val_accuracy="), 64)
	if err != nil || acc < 0.7 {
		t.Errorf("last line %q: want val_accuracy >= 0.7", lines[len(lines)-1])
	}
}
