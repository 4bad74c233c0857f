package onnx_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlpkit/mlp/onnx"
)

// Import never panics and bounds what it allocates, whatever the bytes;
// a model it accepts predicts and exports without panicking.
func FuzzImport(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.onnx"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) <= 4096 {
			f.Add(b)
		}
	}
	for _, k := range kindNets(f) {
		f.Add(exportBytes(f, k.model, nil))
	}
	f.Add(encode(f, tinyModel()))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := onnx.Import(bytes.NewReader(b), &onnx.ImportSettings{MaxBytes: 1 << 16})
		if err != nil {
			if m != nil {
				t.Fatal("a model with an error")
			}
			return
		}
		n := m.Net.InputSize()
		if n > 1<<12 {
			return
		}
		if _, err := m.Predict(mat.NewDense(1, n, nil)); err != nil {
			t.Logf("predict: %v", err)
		}
		var buf bytes.Buffer
		if err := onnx.Export(&buf, m, nil); err != nil {
			t.Logf("export: %v", err)
		}
	})
}
