package main

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestRun runs the two-output regression and requires R² of at least 0.9
// on average over the heating and cooling loads (scikit-learn's
// MLPRegressor defaults with a OneHotEncoder and a StandardScaler on
// features and targets reach about the same on this table).
func TestRun(t *testing.T) {
	out, err := exec.Command("go", "run", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{"heating_load", "cooling_load", "mean r2"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	lines := strings.Split(strings.TrimSpace(s), "\n")
	r2, err := strconv.ParseFloat(strings.TrimPrefix(lines[len(lines)-1], "val_r2="), 64)
	if err != nil || r2 < 0.9 {
		t.Errorf("last line %q: want val_r2 >= 0.9", lines[len(lines)-1])
	}
}
