package main

import (
	"math"
	"strings"
	"testing"
)

// TestTrainFloat32 checks that -float32 is in train's -h, that it trains
// (the settings of -json say dtype float32, the default run float64), and
// that its validation figures are within float32's reach of the float64
// run's: the same accuracy, a loss within 1e-3.
func TestTrainFloat32(t *testing.T) {
	r := runMLP(t, "", nil, "train", "-h")
	if !helpLists(r.stderr+r.stdout, "-float32") || !strings.Contains(r.stderr+r.stdout, "[-float32]") {
		t.Errorf("train -h does not list -float32 in the synopsis and the flags")
	}
	args := []string{"-target", "species", "-ignore", "id", "-seed", "3", "-hidden", "8", "-epochs", "40", "-lr", "0.01"}
	v64, _ := trainedJSON(t, "iris.csv", args...)
	v32, _ := trainedJSON(t, "iris.csv", append(args, "-float32")...)
	if d := v64["settings"].(map[string]any)["dtype"]; d != "float64" {
		t.Errorf("settings[dtype] = %v without -float32, want float64", d)
	}
	if d := v32["settings"].(map[string]any)["dtype"]; d != "float32" {
		t.Errorf("settings[dtype] = %v with -float32, want float32", d)
	}
	val64, val32 := v64["validation"].(map[string]any), v32["validation"].(map[string]any)
	if val64["accuracy"] != val32["accuracy"] {
		t.Errorf("validation accuracy %v with -float32, %v without", val32["accuracy"], val64["accuracy"])
	}
	l64, l32 := val64["loss"].(float64), val32["loss"].(float64)
	if math.Abs(l64-l32) > 1e-3 || l64 == l32 {
		t.Errorf("validation loss %v with -float32, %v without: want different bits within 1e-3", l32, l64)
	}
}
